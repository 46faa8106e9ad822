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

// corpusPaths are our own labelled sets of customer conversations, written
// for these detectors from support practice (never from the shared dev
// set). The second one is in quieter, more indirect registers than the
// first, with hard negatives. In both, ids divisible by 3 are held out: cues
// and the frustration model are tuned on the other two thirds.
var corpusPaths = []string{"testdata/conversations.jsonl", "testdata/conversations2.jsonl"}

var showMisses = flag.Bool("corpus.misses", false, "log the misclassified conversations of the tuning parts of our own sets")

// corpusFloor is the least each part of the corpus must score; it sits a
// little below what the detectors reach so a regression fails the test.
type corpusFloor struct {
	frustrationF1, humanF1, severityMacroF1, handoffAccuracy float64
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	d := setup(t)
	g := guard.New(guard.Config{})
	first, second := readCorpus(t, corpusPaths[0]), readCorpus(t, corpusPaths[1])
	tune1, held1 := splitCorpus(t, corpusPaths[0], first)
	tune2, held2 := splitCorpus(t, corpusPaths[1], second)
	tests := []struct {
		name  string
		cases []escalationeval.Case
		floor corpusFloor
	}{
		// Reached on 2026-11-23 (cues and the frustration model):
		// first set tuning F 1.000, H 1.000, S 0.989, hand-off 0.996; held out
		// F 0.830, H 0.941, S 0.910, hand-off 0.934; whole F 0.948, H 0.982,
		// S 0.965, hand-off 0.975. Second set tuning F 0.797, H 0.963,
		// S 0.766, hand-off 0.810; held out F 0.477, H 0.800, S 0.752,
		// hand-off 0.690. (Cues alone, held out: first set F 0.816, hand-off
		// 0.934; second set F 0.181, hand-off 0.611.)
		{"first set tuning", tune1, corpusFloor{frustrationF1: 0.97, humanF1: 0.97, severityMacroF1: 0.96, handoffAccuracy: 0.97}},
		{"first set held out", held1, corpusFloor{frustrationF1: 0.80, humanF1: 0.90, severityMacroF1: 0.88, handoffAccuracy: 0.91}},
		{"first set whole", first, corpusFloor{frustrationF1: 0.92, humanF1: 0.95, severityMacroF1: 0.94, handoffAccuracy: 0.95}},
		{"second set tuning", tune2, corpusFloor{frustrationF1: 0.77, humanF1: 0.94, severityMacroF1: 0.74, handoffAccuracy: 0.79}},
		{"second set held out", held2, corpusFloor{frustrationF1: 0.45, humanF1: 0.75, severityMacroF1: 0.72, handoffAccuracy: 0.66}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := escalationeval.Run(tt.cases, g, d)
			t.Logf("%d conversations: frustration P %.3f R %.3f F1 %.3f; human request P %.3f R %.3f F1 %.3f; severity macro-F1 %.3f; hand-off accuracy %.3f",
				rep.Cases, rep.Frustration.Precision, rep.Frustration.Recall, rep.Frustration.F1,
				rep.HumanRequest.Precision, rep.HumanRequest.Recall, rep.HumanRequest.F1, rep.SeverityMacroF1, rep.HandoffAccuracy)
			if *showMisses && strings.HasSuffix(tt.name, "tuning") {
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

func readCorpus(t testing.TB, path string) []escalationeval.Case {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := escalationeval.ReadCases(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// splitCorpus puts ids divisible by 3 in the held-out part.
func splitCorpus(t testing.TB, path string, cases []escalationeval.Case) (tune, heldOut []escalationeval.Case) {
	t.Helper()
	for _, c := range cases {
		n, err := strconv.Atoi(strings.TrimLeft(c.ID, "abcdefghijklmnopqrstuvwxyz"))
		if err != nil {
			t.Fatalf("%s: id %q is not a letter and a number", path, c.ID)
		}
		if n%3 == 0 {
			heldOut = append(heldOut, c)
		} else {
			tune = append(tune, c)
		}
	}
	return tune, heldOut
}
