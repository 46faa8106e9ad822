package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/frontlinehq/frontline/internal/shareddata"
	"strings"
	"testing"
)

func TestRunEvalEscalation(t *testing.T) {
	t.Parallel()
	file := shareddata.Path(t, "escalation/dev.jsonl")
	tests := []struct {
		name string
		args []string
	}{
		{"flag after file", []string{file, "--json"}},
		{"flag before file", []string{"--json", "--subset", "even", file}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if err := runEvalEscalation(context.Background(), tt.args, &stdout, &stderr); err != nil {
				t.Fatalf("runEvalEscalation(%v): %v; stderr %s", tt.args, err, stderr.String())
			}
			var got map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, stdout.String())
			}
			for _, key := range []string{"frustration", "human_request", "severity_macro_f1", "handoff_accuracy", "pii_leaks", "pii_overmasked", "misclassified", "languages"} {
				if _, ok := got[key]; !ok {
					t.Errorf("JSON lacks %q", key)
				}
			}
			if got["pii_leaks"] != float64(0) {
				t.Errorf("pii_leaks = %v, want 0", got["pii_leaks"])
			}
		})
	}
}

func TestRunEvalEscalationBadInput(t *testing.T) {
	t.Parallel()
	devSet := shareddata.Path(t, "escalation/dev.jsonl")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", nil, "exactly one"},
		{"two files", []string{"a.jsonl", "b.jsonl"}, "exactly one"},
		{"missing file", []string{"/nonexistent/x.jsonl"}, "no such file"},
		{"bad subset", []string{"--subset", "third", devSet}, "subset"},
		{"bad config", []string{"--config", "/nonexistent/signals.yaml", devSet}, "signal config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := runEvalEscalation(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
