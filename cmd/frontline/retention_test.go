package main

import (
	"strings"
	"testing"
)

// --retention-days takes a whole number of days; 0 (the default) keeps
// everything, a bad value stops the server with a clear error.
func TestRetentionDaysSetting(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"-1", "thirty", "1.5"} {
		_, err := startServer(t, map[string]string{"FRONTLINE_RETENTION_DAYS": bad, "FRONTLINE_DEMO_KB": "false"})
		if err == nil || !strings.Contains(err.Error(), "--retention-days") {
			t.Errorf("FRONTLINE_RETENTION_DAYS=%s: %v, want an error naming --retention-days", bad, err)
		}
	}
	if _, err := startServer(t, map[string]string{"FRONTLINE_DEMO_KB": "false"}, "--retention-days", "30"); err != nil {
		t.Errorf("--retention-days 30: %v", err)
	}
}
