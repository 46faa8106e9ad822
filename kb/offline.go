package kb

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	frontline "github.com/frontlinehq/frontline"
)

// OfflineOptions tune the built-in embedder. Zero values take the defaults.
type OfflineOptions struct {
	// Dimension of the dense vectors. Default 512.
	Dimension int
	// Weights of the three feature families, each L2-normalised on its
	// own before they are mixed. Defaults: words 1, word pairs 0.5,
	// character n-grams 0.8.
	WordWeight, BigramWeight, CharWeight float64
	// MinGram and MaxGram bound the character n-grams. Defaults 3 and 5.
	MinGram, MaxGram int
}

// OfflineEmbedder is the built-in embedder: no model, no download, no
// network. A text becomes a bag of features (stemmed words, pairs of
// adjacent words, and character 3–5-grams of each word, which catch typos
// and word forms), each weighted by sublinear term frequency times the
// inverse document frequency learned from the indexed corpus (Fit). The
// three families are normalised separately and mixed, then folded into a
// fixed number of dimensions by signed feature hashing and L2-normalised,
// so cosine similarity is a weighted overlap of shared features and the
// vectors fit a pgvector column with an HNSW cosine index.
//
// Before the first Fit every feature has the same weight.
type OfflineEmbedder struct {
	opts OfflineOptions

	mu   sync.RWMutex
	docs uint32            // documents seen by Fit
	df   map[uint64]uint32 // feature hash → documents containing it
}

var _ Fitter = (*OfflineEmbedder)(nil)

// NewOfflineEmbedder returns an unfitted offline embedder.
func NewOfflineEmbedder(opts OfflineOptions) *OfflineEmbedder {
	if opts.Dimension <= 0 {
		opts.Dimension = 512
	}
	if opts.WordWeight == 0 && opts.BigramWeight == 0 && opts.CharWeight == 0 {
		opts.WordWeight, opts.BigramWeight, opts.CharWeight = 1, 0.5, 0.8
	}
	if opts.MinGram <= 0 {
		opts.MinGram = 3
	}
	if opts.MaxGram < opts.MinGram {
		opts.MaxGram = max(5, opts.MinGram)
	}
	return &OfflineEmbedder{opts: opts, df: map[uint64]uint32{}}
}

// Name encodes every setting that changes the vectors.
func (e *OfflineEmbedder) Name() string {
	o := e.opts
	return fmt.Sprintf("offline-v1-d%d-w%g-b%g-c%g-g%d%d", o.Dimension, o.WordWeight, o.BigramWeight, o.CharWeight, o.MinGram, o.MaxGram)
}

// Dimension returns the vector length.
func (e *OfflineEmbedder) Dimension() int { return e.opts.Dimension }

// Embed returns one L2-normalised vector per text. It never fails except on
// a cancelled context; an empty text gives a zero vector.
func (e *OfflineEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = e.embedOne(t)
	}
	return out, nil
}

// Fit learns document frequencies from docs, replacing earlier ones.
func (e *OfflineEmbedder) Fit(docs []FitDoc) {
	df := make(map[uint64]uint32)
	for _, d := range docs {
		for _, fam := range e.features(d.Text) {
			for h := range fam {
				df[h]++
			}
		}
	}
	e.mu.Lock()
	e.docs, e.df = uint32(len(docs)), df
	e.mu.Unlock()
}

// idf is smoothed inverse document frequency; a feature never seen in the
// corpus gets the weight of one seen once.
func (e *OfflineEmbedder) idf(h uint64) float64 {
	if e.docs == 0 {
		return 1
	}
	n := float64(e.docs)
	return math.Log((n+1)/(float64(e.df[h])+1)) + 1
}

func (e *OfflineEmbedder) embedOne(text string) []float32 {
	v := make([]float32, e.opts.Dimension)
	weights := [3]float64{e.opts.WordWeight, e.opts.BigramWeight, e.opts.CharWeight}
	for fi, fam := range e.features(text) {
		if weights[fi] == 0 || len(fam) == 0 {
			continue
		}
		var norm2 float64
		w := make(map[uint64]float64, len(fam))
		for h, tf := range fam {
			x := (1 + math.Log(float64(tf))) * e.idf(h)
			w[h] = x
			norm2 += x * x
		}
		scale := weights[fi] / math.Sqrt(norm2)
		for h, x := range w {
			idx := int(h % uint64(len(v)))
			sign := float32(1)
			if h>>63 == 1 {
				sign = -1
			}
			v[idx] += sign * float32(x*scale)
		}
	}
	normalize(v)
	return v
}

// features returns the hashed term counts of the three families: words,
// word pairs and character n-grams.
func (e *OfflineEmbedder) features(text string) [3]map[uint64]int {
	return textFeatures(Terms(text), e.opts.MinGram, e.opts.MaxGram)
}

// textFeatures counts the hashed features of words in three families:
// words, pairs of adjacent words, and character n-grams of each word
// (between minGram and maxGram runes, with < and > marking its ends). The
// offline embedder and the ranker share it.
func textFeatures(words []string, minGram, maxGram int) [3]map[uint64]int {
	fams := [3]map[uint64]int{make(map[uint64]int, len(words)), make(map[uint64]int, len(words)), make(map[uint64]int, 8*len(words))}
	var starts []int // byte offsets of the runes of "<" + w + ">", and its end
	for i, w := range words {
		fams[0][hashFeature('w', w)]++
		if i > 0 {
			// hashFeature('b', words[i-1]+" "+w) without building the pair.
			h := fnvString(fnvString(fnvByte(fnvByte(fnvOffset64, 'b'), ':'), words[i-1]), " ")
			fams[1][avalanche(fnvString(h, w))]++
		}
		marked := "<" + w + ">"
		starts = starts[:0]
		for j := range marked {
			starts = append(starts, j)
		}
		starts = append(starts, len(marked))
		runes := len(starts) - 1
		for n := minGram; n <= maxGram; n++ {
			for j := 0; j+n <= runes; j++ {
				fams[2][hashFeature('c', marked[starts[j]:starts[j+n]])]++
			}
		}
	}
	return fams
}

// FNV-1a, 64 bits, computed in place: the same values as hash/fnv's
// New64a without its allocations (features are hashed by the million in a
// reindex, and the stored models index them by these values).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

func fnvByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime64 }

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime64
	}
	return h
}

func hashFeature(kind byte, s string) uint64 {
	return avalanche(fnvString(fnvByte(fnvByte(fnvOffset64, kind), ':'), s))
}

// avalanche finishes an FNV hash: FNV's high bit is poorly mixed for short
// keys, so a murmur-style finaliser makes both index and sign uniform.
func avalanche(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// Terms splits text into normalised, lightly stemmed words: Unicode
// compatibility-normalised, lowercased, accents removed, split on anything
// that is not a letter or digit (apostrophes inside words are dropped), and
// common English inflections stripped. The in-memory full-text index uses it
// too.
func Terms(text string) []string {
	text = norm.NFKD.String(text)
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, stem(cur.String()))
			cur.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Mn, r): // combining accent
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
		default:
			flush()
		}
	}
	flush()
	return words
}

// stem strips a few common English suffixes (plural, -ing, -ed, -ly) from
// words long enough that the rest is still a word. It is deliberately light:
// character n-grams cover what it misses, and a wrong cut costs little.
func stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 5 && strings.HasSuffix(w, "ing"):
		return undouble(w[:n-3])
	case n > 4 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed"):
		return undouble(w[:n-2])
	case n > 4 && strings.HasSuffix(w, "ly"):
		return w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		if strings.HasSuffix(w, "es") && n > 4 && strings.ContainsAny(w[n-3:n-2], "sxz") {
			return w[:n-2]
		}
		return w[:n-1]
	}
	return w
}

// undouble turns "stopp" into "stop".
func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouls", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

const offlineStateMagic = "FLOE1"

// MarshalState encodes the learned document frequencies.
func (e *OfflineEmbedder) MarshalState() ([]byte, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var buf bytes.Buffer
	buf.WriteString(offlineStateMagic)
	var tmp [12]byte
	binary.LittleEndian.PutUint32(tmp[:4], e.docs)
	binary.LittleEndian.PutUint32(tmp[4:8], uint32(len(e.df)))
	buf.Write(tmp[:8])
	for h, n := range e.df {
		binary.LittleEndian.PutUint64(tmp[:8], h)
		binary.LittleEndian.PutUint32(tmp[8:12], n)
		buf.Write(tmp[:12])
	}
	return buf.Bytes(), nil
}

// UnmarshalState restores what MarshalState encoded. EInvalid if data is
// not such an encoding.
func (e *OfflineEmbedder) UnmarshalState(data []byte) error {
	bad := frontline.Errorf(frontline.EInvalid, "offline embedder state: corrupt")
	if !bytes.HasPrefix(data, []byte(offlineStateMagic)) || len(data) < len(offlineStateMagic)+8 {
		return bad
	}
	data = data[len(offlineStateMagic):]
	docs := binary.LittleEndian.Uint32(data[:4])
	n := int(binary.LittleEndian.Uint32(data[4:8]))
	data = data[8:]
	if len(data) != n*12 {
		return bad
	}
	df := make(map[uint64]uint32, n)
	for i := 0; i < n; i++ {
		df[binary.LittleEndian.Uint64(data[i*12:])] = binary.LittleEndian.Uint32(data[i*12+8:])
	}
	e.mu.Lock()
	e.docs, e.df = docs, df
	e.mu.Unlock()
	return nil
}
