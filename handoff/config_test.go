package handoff

import (
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  Config
		want string // substring of the error, "" for valid
	}{
		{"zero value", Config{}, ""},
		{"defaults", DefaultConfig(), ""},
		{"override one", Config{SLA: map[frontline.Priority]time.Duration{frontline.PriorityUrgent: 5 * time.Minute}}, ""},
		{"unknown priority", Config{SLA: map[frontline.Priority]time.Duration{"asap": time.Minute}}, `SLA: unknown priority "asap"`},
		{"zero duration", Config{SLA: map[frontline.Priority]time.Duration{frontline.PriorityLow: 0}}, "SLA[low]"},
		{"negative handle time", Config{AverageHandleTime: -time.Second}, "AverageHandleTime"},
	}
	for _, tc := range cases {
		err := tc.cfg.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: Validate() = %v, want %q", tc.name, err, tc.want)
		}
	}
	got, _ := Config{SLA: map[frontline.Priority]time.Duration{frontline.PriorityUrgent: 5 * time.Minute}}.withDefaults()
	if got.SLA[frontline.PriorityUrgent] != 5*time.Minute || got.SLA[frontline.PriorityHigh] != time.Hour {
		t.Errorf("SLA with one override = %v, want urgent 5m and the other defaults", got.SLA)
	}
}
