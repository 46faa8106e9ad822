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

// TestReliabilityAndHelpful checks the reliability bins, the expected
// calibration error, the helpful rate (answered right, or declined with the
// right article offered) and the share of oos questions offered articles.
func TestReliabilityAndHelpful(t *testing.T) {
	t.Parallel()
	runs := []run{
		{label: "a", slugs: []string{"a", "b"}, scores: []float64{0.95, 0.1}, top: 0.95, answered: true},  // right
		{label: "a", slugs: []string{"b", "a"}, scores: []float64{0.91, 0.3}, top: 0.91, answered: true},  // wrong
		{label: "b", slugs: []string{"a", "b", "c"}, scores: []float64{0.3, 0.2, 0.1}, top: 0.3},          // offered, helpful
		{label: "c", slugs: []string{"a", "b", "c", "d"}, scores: []float64{0.02, 0.01, 0, 0}, top: 0.02}, // below the offer bar
		{label: oosLabel, slugs: []string{"a"}, scores: []float64{0.35}, top: 0.35},                       // offered anyway
		{label: oosLabel, slugs: []string{"a"}, scores: []float64{0.01}, top: 0.01},                       // nothing offered
	}
	bins, ece := reliability(runs)
	if len(bins) != 10 || bins[9].N != 2 || bins[9].Accuracy != 0.5 || bins[3].N != 2 || bins[3].Accuracy != 0 || bins[0].N != 2 {
		t.Fatalf("bins = %+v", bins)
	}
	// |0.93−0.5|·2 + |0.325−0|·2 + |0.015−0|·2, over 6.
	if want := round((0.43*2+0.325*2+0.015*2)/6, 4); ece != want {
		t.Errorf("ece = %v, want %v", ece, want)
	}
	rep := summarise(runs, 0.8)
	if rep.HelpfulRate != 0.5 || rep.OOSOffered != 0.5 {
		t.Errorf("helpful %v, oos offered %v; want 0.5 and 0.5", rep.HelpfulRate, rep.OOSOffered)
	}
}
