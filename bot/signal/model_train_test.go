package signal_test

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"testing"

	"github.com/frontlinehq/frontline/bot/signal"
)

// modelPath is the embedded frustration model; `go test ./bot/signal -run
// TestFrustrationModelIsCurrent -signal.train` rewrites it from our own sets.
const modelPath = "frustration_model.json"

var retrain = flag.Bool("signal.train", false, "retrain "+modelPath+" from the tuning parts of our own labelled sets")

// trainingExamples are the tuning parts (ids not divisible by 3) of both of
// our own sets, never the shared dev set: the held-out thirds stay unseen.
func trainingExamples(t testing.TB) []signal.Example {
	t.Helper()
	var out []signal.Example
	for _, path := range corpusPaths {
		tune, _ := splitCorpus(t, path, readCorpus(t, path))
		for _, c := range tune {
			out = append(out, signal.Example{Turns: c.Turns, Label: c.Frustration})
		}
	}
	return out
}

func trainModel(t testing.TB) []byte {
	t.Helper()
	opts := signal.DefaultTrainOptions()
	opts.Note = "frustration; trained by model_train_test.go on the tuning parts (ids not divisible by 3) of testdata/conversations.jsonl and testdata/conversations2.jsonl"
	m, err := signal.TrainModel(trainingExamples(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m.JSON()
}

// The trainer gives the same bytes every time, and the embedded model is
// what it gives now: a change to the sets or the features needs a retrain.
func TestFrustrationModelIsCurrent(t *testing.T) {
	t.Parallel()
	first, second := trainModel(t), trainModel(t)
	if !bytes.Equal(first, second) {
		t.Fatal("two trainings on the same examples gave different models")
	}
	if *retrain {
		if err := os.WriteFile(modelPath, first, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", modelPath, len(first))
		return
	}
	embedded, err := os.ReadFile(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(embedded, first) {
		t.Fatalf("%s is not what the trainer gives now; run go test ./bot/signal -run TestFrustrationModelIsCurrent -signal.train", modelPath)
	}
	if _, err := signal.ParseModel(embedded); err != nil {
		t.Fatal(err)
	}
}

func TestTrainModelRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		examples []signal.Example
	}{
		{"no examples", nil},
		{"empty conversation", []signal.Example{{Turns: nil, Label: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := signal.TrainModel(tt.examples, signal.DefaultTrainOptions()); err == nil {
				t.Fatal("TrainModel: want an error, got none")
			}
		})
	}
}

// The model fires with evidence of its own (Rule "model") where no cue
// reaches the threshold, and Off leaves the cues alone.
func TestFrustrationModelEvidence(t *testing.T) {
	t.Parallel()
	turns := []string{"I've now spent my whole lunch break on this, it's fine, I'll keep refreshing I suppose"}
	off := cuesOnly()
	off.Frustration.Model.Off = true
	tests := []struct {
		name      string
		cfg       signal.Config
		wantModel bool
	}{
		{"model on", cuesOnly(), true},
		{"model off", off, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := signal.New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := d.Detect(turns)
			var rules []string
			for _, s := range got.Signals {
				for _, e := range s.Evidence {
					rules = append(rules, e.Rule)
				}
			}
			if fired := slices.Contains(rules, "model"); fired != tt.wantModel {
				t.Errorf("model evidence = %v, want %v (frustrated %v, p %.2f, rules %v)", fired, tt.wantModel, got.Frustrated, got.FrustrationModel, rules)
			}
			if tt.wantModel && len(rules) > tt.cfg.Frustration.Model.EvidenceWords {
				t.Errorf("%d evidence items, want at most %d", len(rules), tt.cfg.Frustration.Model.EvidenceWords)
			}
		})
	}
}

func TestModelConfigRejectsBadThresholds(t *testing.T) {
	t.Parallel()
	cfg := signal.DefaultConfig()
	cfg.Frustration.Model.Alone = 1.5
	if _, err := signal.New(cfg); err == nil {
		t.Fatal("New with alone 1.5: want an error, got none")
	}
}
