package kb

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// rankerSetup returns a small three-article training set.
func rankerSetup(t *testing.T) ([]string, []rankerExample) {
	t.Helper()
	classes := []string{"art_refund", "art_password", "art_delivery"}
	texts := [][]string{
		{"how do i get a refund", "refund for my order", "i want my refund", "refund to my card please", "when will my refund arrive"},
		{"i forgot my password", "reset password link", "password reset email missing", "change my password", "password does not work"},
		{"where is my delivery", "delivery is late", "when does delivery arrive", "track my delivery", "delivery to another address"},
	}
	var ex []rankerExample
	for c, ts := range texts {
		for _, s := range ts {
			ex = append(ex, rankerExample{text: s, class: c})
		}
	}
	return classes, ex
}

func TestRankerDeterministic(t *testing.T) {
	t.Parallel()
	classes, ex := rankerSetup(t)
	a := trainRanker(classes, ex, nil, defaultRankerOptions)
	b := trainRanker(classes, ex, nil, defaultRankerOptions)
	if !slices.Equal(a.w, b.w) || !slices.Equal(a.b, b.b) {
		t.Fatal("two trainings on the same data gave different weights")
	}
	if string(a.marshal()) != string(b.marshal()) {
		t.Error("two trainings on the same data marshal differently")
	}
}

func TestRankerRanks(t *testing.T) {
	t.Parallel()
	classes, ex := rankerSetup(t)
	r := trainRanker(classes, ex, nil, defaultRankerOptions)
	tests := []struct{ q, want string }{
		{"refund please", "art_refund"},
		{"forgot password", "art_password"},
		{"late delivery", "art_delivery"},
	}
	for _, tt := range tests {
		p := r.probs(tt.q)
		if got := classes[argmax(p)]; got != tt.want {
			t.Errorf("%q: top %s (probs %v), want %s", tt.q, got, p, tt.want)
		}
	}
}

func TestRankerMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	classes, ex := rankerSetup(t)
	r := trainRanker(classes, ex, setupFolds(ex), defaultRankerOptions)
	got, err := unmarshalRanker(r.marshal())
	if err != nil {
		t.Fatal(err)
	}
	q := "my refund has not arrived"
	c, score := r.top(q)
	if a, b := r.probs(q), got.probs(q); !slices.Equal(a, b) || got.conf != r.conf {
		t.Errorf("restored model gives %v conf %v, want %v conf %v", b, got.conf, a, r.conf)
	}
	if gc, gs := got.top(q); gc != c || gs != score {
		t.Errorf("restored model: top %d score %v, want %d %v", gc, gs, c, score)
	}
	for _, bad := range [][]byte{nil, []byte("nope"), r.marshal()[:40]} {
		if _, err := unmarshalRanker(bad); err == nil {
			t.Errorf("unmarshal of %d corrupt bytes: no error", len(bad))
		}
	}
}

// setupFolds puts the examples of rankerSetup in three folds.
func setupFolds(ex []rankerExample) []int {
	fold := make([]int, len(ex))
	for i := range fold {
		fold[i] = i % 3
	}
	return fold
}

// TestRankerConfidence checks that the cross-fitted confidence model is
// fitted, stays a probability, and is surer of a question like the
// phrasings than of one about nothing in the KB.
func TestRankerConfidence(t *testing.T) {
	t.Parallel()
	classes, ex := rankerSetup(t)
	r := trainRanker(classes, ex, setupFolds(ex), defaultRankerOptions)
	if r.conf == defaultConfModel {
		t.Fatal("confidence model not fitted from the folds")
	}
	_, in := r.top("i forgot my password")
	_, out := r.top("what colour is the sky on mars")
	if !(in > out) || in >= 1 || out <= 0 || math.IsNaN(in) {
		t.Errorf("score in scope %.3f, out of scope %.3f: want 0 < out < in < 1", in, out)
	}
	if got := trainRanker(classes, ex, make([]int, len(ex)), defaultRankerOptions).conf; got != defaultConfModel {
		t.Errorf("confidence with one fold = %v, want the default %v", got, defaultConfModel)
	}
}

func TestExpandQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q         string
		want, not []string
	}{
		{q: "I want my money back", want: []string{"refund"}},
		{q: "where is my parcel", want: []string{"package", "delivery"}},
		{q: "I can't sign in", want: []string{"login"}},
		{q: "I was charged twice", want: []string{"duplicate"}},
		{q: "the weather is nice", not: []string{"\n"}},
	}
	for _, tt := range tests {
		got := expandQuery(tt.q)
		if !strings.HasPrefix(got, tt.q) {
			t.Errorf("expandQuery(%q) = %q, want the question first", tt.q, got)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("expandQuery(%q) = %q, want it to contain %q", tt.q, got, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(got, w) {
				t.Errorf("expandQuery(%q) = %q, want no expansion", tt.q, got)
			}
		}
	}
}

// TestArticleRanker checks that a KB without phrasings gets a ranker
// trained on its articles' sentences, marked article-only, and that the
// mark survives the round trip through the store.
func TestArticleRanker(t *testing.T) {
	t.Parallel()
	var items []reindexItem
	for i, body := range []string{
		"## Refunds\n\nWe refund to your card within five days. Refunds for gifts go to store credit.",
		"## Reset\n\nForgot your password? Use the reset link on the sign-in page.",
	} {
		a := &Article{ID: "art_" + string(rune('a'+i)), Slug: string(rune('a' + i))}
		items = append(items, reindexItem{a: a, rev: &Revision{Title: "Article", Body: body}})
	}
	r := trainKBRanker(items, DefaultChunkRunes, defaultRankerOptions)
	if r == nil || !r.articleOnly {
		t.Fatalf("ranker %v: want an article-only ranker", r)
	}
	if got := r.classes[argmax(r.probs("i forgot my password"))]; got != "art_b" {
		t.Errorf("top class %s, want art_b", got)
	}
	back, err := unmarshalRanker(r.marshal())
	if err != nil || !back.articleOnly {
		t.Errorf("round trip: %v, articleOnly %v", err, back != nil && back.articleOnly)
	}
}
