package signal_test

import (
	"slices"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/signal"
)

// Near cues find their groups in any order, across punctuation, within the
// window, and name the cue in the evidence.
func TestNearCue(t *testing.T) {
	t.Parallel()
	cfg := cuesOnly()
	cfg.HumanRequest.Cues = append(cfg.HumanRequest.Cues, signal.Cue{
		Name: "wants_boss", Weight: 1, Within: 3,
		Near: [][]string{{"boss*"}, {"now", "today"}},
	})
	d, err := signal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       bool
	}{
		{"in order", "get me your boss now", true},
		{"reversed, across punctuation", "Today. Bosses. Please", true},
		{"too far apart", "my boss says I need the receipt for the office today", false},
		{"one group only", "my boss likes your shop", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := d.Detect([]string{tt.text})
			if got.HumanRequest != tt.want {
				t.Fatalf("Detect(%q).HumanRequest = %v, want %v", tt.text, got.HumanRequest, tt.want)
			}
			if tt.want && !slices.ContainsFunc(got.Signals[0].Evidence, func(e frontline.Evidence) bool { return e.Rule == "wants_boss" }) {
				t.Errorf("evidence %+v does not name wants_boss", got.Signals[0].Evidence)
			}
		})
	}
}

// Cases the generalisation work added, each a rule of the README: one per
// cue family, so a regression names what broke.
func TestGeneralCues(t *testing.T) {
	t.Parallel()
	d := setup(t)
	tests := []struct {
		name       string
		turns      []string
		frustrated bool
		severity   frontline.Severity
	}{
		{"codes are not shouting", []string{"my statement shows SHOPCO*SUBS 4.99, what is that?"}, false, frontline.SeverityBillingError},
		{"emphatic capitals", []string{"my parcel has NOT arrived"}, true, frontline.SeverityDelivery},
		{"supposed to arrive is not a supposition", []string{"the table was supposed to arrive on Monday"}, false, frontline.SeverityDelivery},
		{"conditional question", []string{"would I be refunded if the courier loses it?"}, false, frontline.SeverityNone},
		{"indirect question is not hypothetical", []string{"can you check if my refund has still not been sent?"}, false, frontline.SeverityBillingError},
		{"money taken twice, words apart", []string{"you took the payment for my plan twice"}, false, frontline.SeverityBillingError},
		{"app failure, any subject order", []string{"crashing constantly, your app, since Monday"}, false, frontline.SeverityOutage},
		{"own device is not an outage", []string{"my laptop crashed while the checkout page was open"}, false, frontline.SeverityNone},
		{"fixed by an update", []string{"the app was freezing but the update fixed it"}, false, frontline.SeverityNone},
		{"leaving us", []string{"I'll be leaving at the end of my billing cycle"}, false, frontline.SeverityCancellation},
		{"feeling told in the past", []string{"I was quite upset at first but it's sorted now, thanks"}, false, frontline.SeverityNone},
		{"rhetorical why", []string{"why is my refund still not here"}, true, frontline.SeverityBillingError},
		{"praise excuses profanity", []string{"holy shit these candles are so good"}, false, frontline.SeverityNone},
		{"family member misusing the card", []string{"my nephew bought games on my card without asking"}, false, frontline.SeveritySecurity},
		{"health data shared", []string{"after my surgery I can't carry boxes upstairs"}, false, frontline.SeverityPrivacy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := d.Detect(tt.turns)
			if got.Frustrated != tt.frustrated || got.Severity != tt.severity {
				t.Errorf("Detect(%q) = frustrated %v, severity %s; want %v, %s; signals %+v", tt.turns, got.Frustrated, got.Severity, tt.frustrated, tt.severity, got.Signals)
			}
		})
	}
}
