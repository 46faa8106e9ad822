package main

import "testing"

// TestPickThreshold checks both picking rules: the lowest threshold that
// meets the oos-recall and confident-wrong bounds, and the sum rule when
// none does or the bounds are off.
func TestPickThreshold(t *testing.T) {
	t.Parallel()
	runs := []run{
		{label: "a", slugs: []string{"a"}, top: 0.9},
		{label: "a", slugs: []string{"a"}, top: 0.6},
		{label: "b", slugs: []string{"a"}, top: 0.5}, // wrong
		{label: "b", slugs: []string{"b"}, top: 0.4},
		{label: oosLabel, slugs: []string{"a"}, top: 0.3},
		{label: oosLabel, slugs: []string{"b"}, top: 0.55},
	}
	tests := []struct {
		name          string
		minOOS, maxCW float64
		want          float64
	}{
		// 0.55 declines the wrong answer and both oos: recall 1, no wrong.
		{"bounds", 0.75, 0.02, 0.5500000000000002},
		// Just above 0.3: half the oos declined, 2 wrong of 5 answered.
		{"loose bounds", 0.5, 0.4, 0.30000000000000004},
		{"sum rule", 0, 0, 0.5500000000000002},
		{"unreachable bounds fall back to the sum rule", 1.1, 0, 0.5500000000000002},
	}
	for _, tt := range tests {
		if got := pickThreshold(runs, tt.minOOS, tt.maxCW); got != tt.want {
			t.Errorf("%s: pickThreshold = %v, want %v", tt.name, got, tt.want)
		}
	}
}
