package signal_test

import (
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/bot/escalationeval"
	"github.com/frontlinehq/frontline/bot/guard"
)

// corpusPath is our own labelled set of customer conversations, written for
// these detectors from support practice (never from the shared dev set).
// Ids divisible by 3 are held out: cues are tuned on the other two thirds.
const corpusPath = "testdata/conversations.jsonl"

var showMisses = flag.Bool("corpus.misses", false, "log the misclassified conversations of the tuning part of testdata/conversations.jsonl")

// corpusFloor is the least each part of the corpus must score; it sits a
// little below what the detectors reach so a regression fails the test.
type corpusFloor struct {
	frustrationF1, humanF1, severityMacroF1, handoffAccuracy float64
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	d := setup(t)
	g := guard.New(guard.Config{})
	all := readCorpus(t)
	tune, heldOut := splitCorpus(t, all)
	tests := []struct {
		name  string
		cases []escalationeval.Case
		floor corpusFloor
	}{
		// Reached on 2026-11-23: tuning F 0.991, H 1.000, S 0.989, hand-off 0.996;
		// held out F 0.816, H 0.941, S 0.910, hand-off 0.934.
		{"tuning", tune, corpusFloor{frustrationF1: 0.96, humanF1: 0.97, severityMacroF1: 0.96, handoffAccuracy: 0.97}},
		{"held out", heldOut, corpusFloor{frustrationF1: 0.78, humanF1: 0.90, severityMacroF1: 0.88, handoffAccuracy: 0.91}},
		{"whole", all, corpusFloor{frustrationF1: 0.91, humanF1: 0.95, severityMacroF1: 0.94, handoffAccuracy: 0.95}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := escalationeval.Run(tt.cases, g, d)
			t.Logf("%d conversations: frustration P %.3f R %.3f F1 %.3f; human request P %.3f R %.3f F1 %.3f; severity macro-F1 %.3f; hand-off accuracy %.3f",
				rep.Cases, rep.Frustration.Precision, rep.Frustration.Recall, rep.Frustration.F1,
				rep.HumanRequest.Precision, rep.HumanRequest.Recall, rep.HumanRequest.F1, rep.SeverityMacroF1, rep.HandoffAccuracy)
			if *showMisses && tt.name == "tuning" {
				for _, m := range rep.Misses {
					t.Logf("miss %s: %s", m.ID, strings.Join(m.Problems, "; "))
				}
			}
			checks := []struct {
				name      string
				got, want float64
			}{
				{"frustration F1", rep.Frustration.F1, tt.floor.frustrationF1},
				{"human request F1", rep.HumanRequest.F1, tt.floor.humanF1},
				{"severity macro-F1", rep.SeverityMacroF1, tt.floor.severityMacroF1},
				{"hand-off accuracy", rep.HandoffAccuracy, tt.floor.handoffAccuracy},
			}
			for _, c := range checks {
				if c.got < c.want {
					t.Errorf("%s = %.3f, want at least %.3f", c.name, c.got, c.want)
				}
			}
			if rep.PIILeaks != 0 {
				t.Errorf("pii leaks = %d, want 0", rep.PIILeaks)
			}
		})
	}
}

func readCorpus(t *testing.T) []escalationeval.Case {
	t.Helper()
	f, err := os.Open(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := escalationeval.ReadCases(f, corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// splitCorpus puts ids divisible by 3 in the held-out part.
func splitCorpus(t *testing.T, cases []escalationeval.Case) (tune, heldOut []escalationeval.Case) {
	t.Helper()
	for _, c := range cases {
		n, err := strconv.Atoi(strings.TrimPrefix(c.ID, "c"))
		if err != nil {
			t.Fatalf("%s: id %q is not c<number>", corpusPath, c.ID)
		}
		if n%3 == 0 {
			heldOut = append(heldOut, c)
		} else {
			tune = append(tune, c)
		}
	}
	return tune, heldOut
}
