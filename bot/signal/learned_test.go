package signal_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/signal"
)

func learned(t testing.TB) *signal.Detector {
	t.Helper()
	d, err := signal.New(signal.DefaultConfig())
	if err != nil {
		t.Fatalf("New(DefaultConfig()): %v", err)
	}
	return d
}

// Each learned signal quotes the customer's own words that drove it: the
// cues that matched and the words that weighed most in the model, each an
// exact quote of its turn with a rule name.
func TestLearnedEvidenceQuotesTheCustomer(t *testing.T) {
	t.Parallel()
	d := learned(t)
	convs := [][]string{
		{"This is the third time I'm writing!! Your service is useless and I want to speak to a manager NOW."},
		{"Someone logged into my account from another country and placed orders with my card. Please lock it."},
		{"I ordered a sofa three weeks ago", "it still hasn't been delivered and nobody answers the phone, this is ridiculous"},
	}
	fired := 0
	for _, turns := range convs {
		got := d.Detect(turns)
		for _, s := range got.Signals {
			fired++
			if s.Reason == "" || s.Confidence <= 0 || s.Confidence > 1 || len(s.Evidence) == 0 {
				t.Errorf("%q: signal %s lacks reason, confidence or evidence: %+v", turns, s.Kind, s)
			}
			for _, e := range s.Evidence {
				if e.Turn < 0 || e.Turn >= len(turns) || e.Text == "" || !strings.Contains(turns[e.Turn], e.Text) || e.Rule == "" {
					t.Errorf("%q: signal %s: evidence %+v is not an exact quote with a rule", turns, s.Kind, e)
				}
			}
		}
		if !got.Frustrated && !got.HumanRequest && got.Severity == frontline.SeverityNone {
			t.Errorf("%q: no signal at all: %+v", turns, got)
		}
	}
	if fired == 0 {
		t.Fatal("no signal fired")
	}
}

// The evidence of a learned signal is the words that raised its score:
// for frustration, words of the angry turn (earlier turns may add context),
// and never a function word alone.
func TestLearnedEvidenceIsTheStrongestWords(t *testing.T) {
	t.Parallel()
	d := learned(t)
	turns := []string{"Hello, quick question about my order.", "This is absolutely ridiculous, I have asked three times and nobody replies!!!"}
	got := d.Detect(turns)
	if !got.Frustrated {
		t.Fatalf("not frustrated: %+v", got)
	}
	var quotes []string
	learnedQuotes, angry := 0, 0
	for _, s := range got.Signals {
		if s.Kind != frontline.SignalFrustration {
			continue
		}
		for _, e := range s.Evidence {
			quotes = append(quotes, e.Text)
			if e.Turn == 1 {
				angry++
			}
			if e.Rule == signal.LearnedRule {
				learnedQuotes++
				if slices.Contains([]string{"my", "the", "a", "i", "and", "about", "is"}, strings.ToLower(e.Text)) {
					t.Errorf("learned evidence quotes a function word alone: %q", e.Text)
				}
			}
		}
	}
	if angry == 0 || learnedQuotes > 3 {
		t.Errorf("frustration evidence = %q (%d learned), want some from the angry turn, at most 3 learned", quotes, learnedQuotes)
	}
}

// A site's own cue fires on top of the learned models, with its name; the
// learned models still decide everything else.
func TestSiteCuesOnTop(t *testing.T) {
	t.Parallel()
	cfg := signal.DefaultConfig()
	cfg.HumanRequest.Cues = append(cfg.HumanRequest.Cues, signal.Cue{Name: "wants_concierge", Weight: 1, Phrases: []string{"concierge desk"}})
	cfg.Severity.Topics = append(cfg.Severity.Topics, signal.TopicConfig{Topic: frontline.SeverityOutage,
		Cues: []signal.Cue{{Name: "kiosk_down", Weight: 1, Phrases: []string{"kiosk is dark"}}}})
	d, err := signal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := d.Detect([]string{"put me through to the concierge desk"})
	if !got.HumanRequest || !hasRule(got, frontline.SignalHumanRequest, "wants_concierge") {
		t.Errorf("site human-request cue: %+v", got)
	}
	got = d.Detect([]string{"the kiosk is dark at gate 4"})
	if got.Severity != frontline.SeverityOutage || !hasRule(got, frontline.SignalSeverity, "kiosk_down") {
		t.Errorf("site severity cue: %+v", got)
	}
	// Without the site's cues, the same words do not fire.
	plain := learned(t).Detect([]string{"put me through to the concierge desk"})
	if hasRule(plain, frontline.SignalHumanRequest, "wants_concierge") {
		t.Error("the default detector knows the site's cue")
	}
}

// Training is deterministic (the same data give the same bytes) and the
// model it writes is one the detector reads.
func TestTrainDetectorsIsDeterministic(t *testing.T) {
	t.Parallel()
	var data []signal.Labelled
	for i := range 40 {
		l := signal.Labelled{ID: fmt.Sprint(i), Severity: frontline.SeverityNone}
		switch i % 4 {
		case 0:
			l.Turns = []string{fmt.Sprintf("this is useless, order %d is late again", i)}
			l.Frustration, l.Severity = true, frontline.SeverityDelivery
		case 1:
			l.Turns = []string{"can I talk to a person please", fmt.Sprintf("about invoice %d", i)}
			l.HumanRequest = true
		case 2:
			l.Turns = []string{fmt.Sprintf("you charged me twice for plan %d", i)}
			l.Severity = frontline.SeverityBillingError
		default:
			l.Turns = []string{fmt.Sprintf("what are your opening hours on day %d", i)}
		}
		data = append(data, l)
	}
	cfg := signal.TrainConfig{Folds: 2, Iterations: 20, Candidates: []signal.Candidate{
		{Features: signal.FeatureOptions{Bits: 10, CharN: 3, Bigrams: true, Decay: 0.5, Cues: true, Whole: true, TextScale: 3}, L2: 1e-3, Multinomial: true},
		{Features: signal.FeatureOptions{Bits: 10, Bigrams: true, Decay: 0.5}, L2: 1e-2},
	}}
	first, results, err := signal.TrainDetectors(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := signal.TrainDetectors(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatal("two trainings on the same data gave different models")
	}
	if len(results) != 2 || results[0].Figures.HumanRequestF1 < results[1].Figures.HumanRequestF1 && results[0].Figures.FrustrationF1 < results[1].Figures.FrustrationF1 {
		t.Errorf("results = %v, want the better candidate first", results)
	}
	d, err := signal.NewWithModel(signal.DefaultConfig(), first)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Detect([]string{"can I talk to a person please", "about invoice 7"}); !got.HumanRequest {
		t.Errorf("the trained model does not find a request it was trained on: %+v (cv %v)", got, results)
	}
	if _, err := signal.NewWithModel(signal.DefaultConfig(), []byte("not a model")); err == nil {
		t.Error("NewWithModel accepted a broken model")
	}
}

func TestTrainDetectorsRejectsBadInput(t *testing.T) {
	t.Parallel()
	cfg := signal.DefaultTrainConfig()
	if _, _, err := signal.TrainDetectors(nil, cfg); err == nil {
		t.Error("no data: want an error")
	}
	bad := slices.Repeat([]signal.Labelled{{ID: "x", Turns: []string{"hi"}, Severity: "weather"}}, 20)
	if _, _, err := signal.TrainDetectors(bad, cfg); err == nil || !strings.Contains(err.Error(), "weather") {
		t.Errorf("unknown severity: err = %v", err)
	}
}

// hasRule reports whether a signal of kind quotes evidence of rule.
func hasRule(r signal.Result, kind frontline.SignalKind, rule string) bool {
	for _, s := range r.Signals {
		if s.Kind != kind {
			continue
		}
		for _, e := range s.Evidence {
			if e.Rule == rule {
				return true
			}
		}
	}
	return false
}

// A calm question before the angry turn is not quoted as frustration: the
// model's weak pushes from it ("pay", "bitcoin") are below the evidence
// floor, and the angry turn's own words are quoted.
func TestLearnedEvidenceSkipsWeakWords(t *testing.T) {
	t.Parallel()
	d := learned(t)
	got := d.Detect([]string{"Can I pay with bitcoin?", "this is the third time, useless"})
	if !got.Frustrated {
		t.Fatalf("not frustrated: %+v", got)
	}
	for _, s := range got.Signals {
		if s.Kind != frontline.SignalFrustration {
			continue
		}
		if len(s.Evidence) == 0 {
			t.Fatal("frustration without evidence")
		}
		for _, e := range s.Evidence {
			if e.Turn == 0 {
				t.Errorf("frustration quotes the calm question: %+v", s.Evidence)
			}
		}
	}
}
