package kb

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	frontline "github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/kb/demo"
)

// demoItems returns the demo KB's articles as Reindex sees them, with their
// chunks as the indexed passages.
func demoItems(t *testing.T) ([]reindexItem, map[string][]Passage) {
	t.Helper()
	arts, err := ReadDir(demo.Articles())
	if err != nil {
		t.Fatalf("ReadDir(demo): %v", err)
	}
	var items []reindexItem
	passages := map[string][]Passage{}
	for _, a := range arts {
		id := "art_" + a.Slug
		items = append(items, reindexItem{a: &Article{ID: id, Slug: a.Slug}, rev: &Revision{Title: a.Title, Body: a.Body}})
		passages[id] = Chunk(a.Title, a.Body, DefaultChunkRunes)
	}
	return items, passages
}

func TestPseudoQuestions(t *testing.T) {
	t.Parallel()
	items, passages := demoItems(t)
	qs := pseudoQuestions(items, passages)
	if again := pseudoQuestions(items, passages); !slices.Equal(qs, again) {
		t.Fatalf("pseudoQuestions is not deterministic")
	}
	if len(qs) < pseudoMinFit || len(qs) > pseudoMaxQuestions {
		t.Fatalf("got %d pseudo-questions, want between %d and %d", len(qs), pseudoMinFit, pseudoMaxQuestions)
	}
	articles := map[string]bool{}
	hidden := 0
	for _, q := range qs {
		if n := len(strings.Fields(q.text)); n < pseudoMinWords || n > pseudoMaxWords {
			t.Errorf("pseudo-question %q has %d words, want %d to %d", q.text, n, pseudoMinWords, pseudoMaxWords)
		}
		if strings.ContainsAny(q.text, "|*#`") {
			t.Errorf("pseudo-question %q keeps Markdown", q.text)
		}
		articles[q.articleID] = true
		if q.hideAll {
			hidden++
		}
	}
	if got, want := len(articles), len(items); got < want*9/10 {
		t.Errorf("pseudo-questions come from %d articles, want most of the %d", got, want)
	}
	if got, want := hidden, len(qs)/pseudoUnanswerable; got != want {
		t.Errorf("unanswerable pseudo-questions = %d, want %d", got, want)
	}
}

func TestBlur(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		check    func(got string) bool
	}{
		{"short text is kept whole", "Refund policy", func(g string) bool { return g == "Refund policy" }},
		{"markdown is stripped", "**Account → Orders** `code`", func(g string) bool { return !strings.ContainsAny(g, "*`") }},
		{"long text is bounded", strings.Repeat("word ", 60), func(g string) bool { return len(strings.Fields(g)) == pseudoMaxWords }},
		{"words are dropped", "one two three four five six seven eight nine ten", func(g string) bool { return len(strings.Fields(g)) < 10 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := blur(tt.in)
			if !tt.check(got) {
				t.Errorf("blur(%q) = %q", tt.in, got)
			}
			if again := blur(tt.in); again != got {
				t.Errorf("blur(%q) = %q then %q, want the same", tt.in, got, again)
			}
		})
	}
}

// TestFitLogisticRecoversProbabilities draws labels from a known map and
// checks the fitted map gives about the same probabilities.
func TestFitLogisticRecoversProbabilities(t *testing.T) {
	t.Parallel()
	truth := retrievalCal{w: [nRetFeatures + 1]float64{-3, 6, 4, 0.5, 0.5, -0.5, 1}}
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func() retFeatures {
		cos := rng.Float64()
		return retFeatures{cos, cos - rng.Float64()*cos, float64(rng.IntN(2)), float64(rng.IntN(2)), math.Log1p(float64(1 + rng.IntN(12))), rng.Float64()*2 - 1}
	}
	var xs []retFeatures
	var ys []bool
	for range 4000 {
		x := draw()
		xs = append(xs, x)
		ys = append(ys, rng.Float64() < truth.score(x))
	}
	fitted := retrievalCal{w: fitLogistic(xs, ys)}
	var worst float64
	for range 200 {
		x := draw()
		worst = max(worst, math.Abs(fitted.score(x)-truth.score(x)))
	}
	if worst > 0.1 {
		t.Errorf("fitted probabilities differ from the true ones by up to %.3f, want at most 0.1 (fitted %v)", worst, fitted.w)
	}
}

func TestRetrievalCalState(t *testing.T) {
	t.Parallel()
	c := retrievalCal{w: [nRetFeatures + 1]float64{-1.5, 2, 3, 0.25, -0.5, 1e-9, 0.75}}
	got, err := unmarshalRetrievalCal(c.marshal())
	if err != nil || got != c {
		t.Fatalf("round trip = %v, %v; want %v", got, err, c)
	}
	for _, bad := range [][]byte{nil, []byte("FLRC2"), append(c.marshal(), 0), []byte("FLRK1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")} {
		if _, err := unmarshalRetrievalCal(bad); frontline.ErrorCode(err) != frontline.EInvalid {
			t.Errorf("unmarshal(%q) error = %v, want EInvalid", bad, err)
		}
	}
}

// TestRetrievalScoresNonIncreasing checks that a lower-ranked article never
// outscores a higher one, whatever its own signals.
func TestRetrievalScoresNonIncreasing(t *testing.T) {
	t.Parallel()
	ranked := []rankedArticle{{articleID: "a", cosine: 0.2}, {articleID: "b", cosine: 0.6}, {articleID: "c", cosine: 0.1}}
	scores := defaultRetrievalCal.retrievalScores(ranked, nil, "where is my parcel")
	for i := 1; i < len(scores); i++ {
		if scores[i] > scores[i-1] {
			t.Errorf("scores = %v, want non-increasing", scores)
		}
	}
}
