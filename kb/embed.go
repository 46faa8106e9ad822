package kb

import (
	"context"
	"math"
)

// Embedder turns texts into dense vectors whose cosine similarity says how
// close their meanings are. Implementations: NewOfflineEmbedder (built in,
// the default) and NewOpenAIEmbedder (any OpenAI-compatible endpoint).
type Embedder interface {
	// Embed returns one vector of length Dimension() per text, in order.
	// Errors are domain errors: EInvalid for bad input, EUnavailable when
	// a remote endpoint cannot be reached or answers wrongly,
	// EUnauthorized when it rejects the key.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	// Dimension is the length of every vector Embed returns.
	Dimension() int
	// Name identifies the embedder and its settings; vectors made by
	// embedders with different names are not comparable.
	Name() string
}

// FitDoc is one indexed text an embedder may learn from, with the article it
// belongs to.
type FitDoc struct {
	Text      string
	ArticleID string
}

// Fitter is an Embedder that learns weights from the indexed corpus (such as
// the offline embedder's IDF). The Service fits it on a full Reindex, saves
// its state in the Store, and loads that state before the first search, so
// every node embeds queries exactly as the stored passages were embedded.
type Fitter interface {
	Embedder
	// Fit learns from docs, replacing what was learned before.
	Fit(docs []FitDoc)
	// MarshalState returns what was learned.
	MarshalState() ([]byte, error)
	// UnmarshalState restores what MarshalState returned.
	UnmarshalState(data []byte) error
}

// Cosine returns the cosine similarity of a and b (0 when either is zero).
func Cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// normalize scales v to unit length in place (a zero vector stays zero).
func normalize(v []float32) {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range v {
		v[i] *= inv
	}
}
