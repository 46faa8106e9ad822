package kb_test

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
)

// demoService is the demo KB imported once per test binary into a memory
// store, for the tests that only search it (an import is most of a test's
// cost under the race detector).
var demoService = sync.OnceValues(func() (*kb.Service, error) {
	svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	arts, err := kb.ReadDir(demo.Articles())
	if err != nil {
		return nil, err
	}
	_, err = kb.Import(context.Background(), svc, arts)
	return svc, err
})

// TestArticleOnlyScores checks the score of a KB with articles and no
// phrasings (the article-only calibration fitted at Reindex): the same KB
// gives the same scores, a question nothing answers abstains at the default
// threshold, and a question in the words of an article finds it with a
// higher score.
func TestArticleOnlyScores(t *testing.T) {
	t.Parallel()
	build := func() *kb.Service {
		svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
		if _, err := kb.Import(t.Context(), svc, mustReadDemo(t)); err != nil {
			t.Fatalf("Import: %v", err)
		}
		return svc
	}
	a, err := demoService()
	if err != nil {
		t.Fatal(err)
	}
	b := build()
	if got := a.Threshold(); got != kb.DefaultThreshold {
		t.Fatalf("Threshold() = %v, want the default %v", got, kb.DefaultThreshold)
	}
	search := func(svc *kb.Service, q string) kb.SearchResult {
		t.Helper()
		res, err := svc.Search(t.Context(), kb.SearchQuery{Text: q})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		return res
	}
	tests := []struct {
		name, question string
	}{
		{"unanswerable", "what is the airspeed velocity of an unladen swallow"},
		{"in the article's words", "how do I cancel an order before it is packed"},
	}
	scores := map[string]float64{}
	for _, tt := range tests {
		ra, rb := search(a, tt.question), search(b, tt.question)
		// The embedder's float sums may differ in the last bits between
		// builds; the calibration must not amplify that.
		if math.Abs(ra.TopScore-rb.TopScore) > 1e-6 {
			t.Errorf("%s: top score %v in one build, %v in another; want the same", tt.name, ra.TopScore, rb.TopScore)
		}
		if ra.TopScore < 0 || ra.TopScore > 1 {
			t.Errorf("%s: top score %v, want in [0,1]", tt.name, ra.TopScore)
		}
		scores[tt.name] = ra.TopScore
	}
	if res := search(a, tests[0].question); !res.Abstained {
		t.Errorf("unanswerable question answered with %s at %.3f, want abstained", res.Hits[0].Slug, res.TopScore)
	}
	res := search(a, tests[1].question)
	if len(res.Hits) == 0 || res.Hits[0].Slug != "cancel-an-order" {
		t.Errorf("hits = %+v, want cancel-an-order first", res.Hits)
	}
	if scores["in the article's words"] <= scores["unanswerable"] {
		t.Errorf("scores = %v, want the answerable question scored higher", scores)
	}
}

// TestArticleOnlyCalibrationHeldOut fits the article-only calibration on
// half of the demo KB's pseudo-questions and checks, on the other half, that
// the questions answered at the default threshold are right about as often
// as their scores say.
func TestArticleOnlyCalibrationHeldOut(t *testing.T) {
	t.Parallel()
	svc, err := demoService()
	if err != nil {
		t.Fatal(err)
	}
	answered, estimated, observed, err := kb.HeldOutPseudoPrecision(t.Context(), svc, kb.DefaultThreshold)
	if err != nil {
		t.Fatalf("HeldOutPseudoPrecision: %v", err)
	}
	t.Logf("held-out pseudo-questions at %.2f: answered %.3f, estimated precision %.3f, observed %.3f", kb.DefaultThreshold, answered, estimated, observed)
	if answered == 0 {
		t.Fatalf("no held-out pseudo-question answered at the default threshold %v", kb.DefaultThreshold)
	}
	if math.Abs(estimated-observed) > 0.1 || observed < 0.8 {
		t.Errorf("estimated precision %.3f, observed %.3f; want within 0.1 and observed at least 0.8", estimated, observed)
	}
}
