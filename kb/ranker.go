package kb

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	frontline "github.com/frontlinehq/frontline"
)

// The ranker is a per-KB supervised model: a multinomial logistic regression
// (softmax over articles) on sparse TF-IDF features of words, word pairs and
// character n-grams, learned at Reindex from the KB's own phrasings and
// chunks (article = class). Where editors have attached phrasings it ranks
// far better than raw cosine, because it learns which words tell this KB's
// articles apart. Its probabilities, mapped through a calibrator fitted on
// phrasings held out from training, give the search score.

// rankerOptions are the ranker's hyperparameters. They were picked on a
// held-out part of the training rows of public intent sets (never on their
// test rows) and are not tied to any KB.
type rankerOptions struct {
	epochs     int
	lambda     float64    // L2 penalty per example
	lr0        float64    // initial learning rate
	famWeights [3]float64 // words, word pairs, character n-grams
	minGram    int
	maxGram    int
	// calEvery holds out every calEvery-th phrasing of an article (with at
	// least calMinPhrasings) to fit the calibrator.
	calEvery        int
	calMinPhrasings int
	seed            uint64
}

var defaultRankerOptions = rankerOptions{
	epochs:          10,
	lambda:          1e-5,
	lr0:             5,
	famWeights:      [3]float64{1, 0.5, 0.8},
	minGram:         3,
	maxGram:         5,
	calEvery:        5,
	calMinPhrasings: 3,
	seed:            1,
}

// rankerExample is one training text and the index of its article.
type rankerExample struct {
	text  string
	class int
}

// sparse is a feature vector: vocabulary indices and values.
type sparse struct {
	idx []int32
	val []float32
}

// ranker is a trained model. It is immutable once built.
type ranker struct {
	opts    rankerOptions
	classes []string // article IDs, sorted
	vocab   map[uint64]int32
	idf     []float32 // by vocabulary index
	w       []float32 // weights, feature-major: w[f*k+c]
	b       []float32 // bias per class
	cal     calibrator
}

// newVocab indexes every feature of the examples and learns its IDF.
func newVocab(texts []string, o rankerOptions) (map[uint64]int32, []float32) {
	df := map[uint64]int{}
	for _, t := range texts {
		for _, fam := range textFeatures(Terms(t), o.minGram, o.maxGram) {
			for h := range fam {
				df[h]++
			}
		}
	}
	hashes := make([]uint64, 0, len(df))
	for h := range df {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes) // deterministic indices
	vocab := make(map[uint64]int32, len(hashes))
	idf := make([]float32, len(hashes))
	n := float64(len(texts))
	for i, h := range hashes {
		vocab[h] = int32(i)
		idf[i] = float32(math.Log((n+1)/(float64(df[h])+1)) + 1)
	}
	return vocab, idf
}

// vectorize turns text into the model's L2-normalised feature vector: per
// family sublinear TF times IDF, each family normalised and weighted, so a
// long text of many character n-grams does not drown its words.
func vectorize(text string, vocab map[uint64]int32, idf []float32, o rankerOptions) sparse {
	var out sparse
	for fi, fam := range textFeatures(Terms(text), o.minGram, o.maxGram) {
		start := len(out.idx)
		var norm2 float64
		for h, tf := range fam {
			i, ok := vocab[h]
			if !ok {
				continue
			}
			x := (1 + math.Log(float64(tf))) * float64(idf[i])
			out.idx = append(out.idx, i)
			out.val = append(out.val, float32(x))
			norm2 += x * x
		}
		if norm2 == 0 {
			continue
		}
		scale := float32(o.famWeights[fi] / math.Sqrt(norm2))
		for j := start; j < len(out.val); j++ {
			out.val[j] *= scale
		}
	}
	var norm2 float64
	for _, v := range out.val {
		norm2 += float64(v) * float64(v)
	}
	if norm2 > 0 {
		inv := float32(1 / math.Sqrt(norm2))
		for j := range out.val {
			out.val[j] *= inv
		}
	}
	// Map iteration order is random: sort so that sums are reproducible.
	sort.Sort(byIndex(out))
	return out
}

type byIndex sparse

func (s byIndex) Len() int           { return len(s.idx) }
func (s byIndex) Less(i, j int) bool { return s.idx[i] < s.idx[j] }
func (s byIndex) Swap(i, j int) {
	s.idx[i], s.idx[j] = s.idx[j], s.idx[i]
	s.val[i], s.val[j] = s.val[j], s.val[i]
}

// trainRanker learns a ranker over classes from train, then fits its
// calibrator on cal (texts the model did not see), if any.
func trainRanker(classes []string, train, cal []rankerExample, o rankerOptions) *ranker {
	texts := make([]string, len(train))
	for i, ex := range train {
		texts[i] = ex.text
	}
	vocab, idf := newVocab(texts, o)
	r := &ranker{opts: o, classes: classes, vocab: vocab, idf: idf, cal: defaultCalibrator}
	xs := make([]sparse, len(train))
	ys := make([]int, len(train))
	for i, ex := range train {
		xs[i], ys[i] = vectorize(ex.text, vocab, idf, o), ex.class
	}
	r.w, r.b = trainSoftmax(xs, ys, len(classes), len(idf), o)
	if len(cal) > 0 {
		var pts []calPoint
		for _, ex := range cal {
			p := r.probs(ex.text)
			top := argmax(p)
			pts = append(pts, calPoint{features: calFeatures(p, top), correct: top == ex.class})
		}
		r.cal = fitCalibrator(pts)
	}
	return r
}

// trainSoftmax fits multinomial logistic regression by stochastic gradient
// descent with an L2 penalty (applied lazily through a shared scale, so a
// step costs only the example's non-zero features) and a decaying learning
// rate (Bottou 2012). The example order is shuffled with a fixed seed, so
// the same data always gives the same weights.
func trainSoftmax(xs []sparse, ys []int, k, nfeat int, o rankerOptions) (w, b []float32) {
	w = make([]float32, nfeat*k)
	b = make([]float32, k)
	if len(xs) == 0 || k == 0 {
		return w, b
	}
	rng := rand.New(rand.NewPCG(o.seed, uint64(len(xs))))
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	z := make([]float64, k)
	scale := 1.0
	t := 0
	for ep := 0; ep < o.epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, n := range order {
			x, y := xs[n], ys[n]
			lr := o.lr0 / (1 + o.lr0*o.lambda*float64(t))
			t++
			logits(w, b, x, scale, z)
			softmaxInPlace(z)
			z[y] -= 1 // gradient of the loss by the logits: p − onehot(y)
			scale *= 1 - lr*o.lambda
			step := lr / scale
			for j, f := range x.idx {
				xv := float64(x.val[j]) * step
				row := w[int(f)*k : int(f)*k+k]
				for c, g := range z {
					row[c] -= float32(xv * g)
				}
			}
			for c, g := range z {
				b[c] -= float32(lr * g)
			}
			if scale < 1e-6 {
				for i := range w {
					w[i] *= float32(scale)
				}
				scale = 1
			}
		}
	}
	for i := range w {
		w[i] *= float32(scale)
	}
	return w, b
}

// logits writes b + scale·(x·W) into z.
func logits(w, b []float32, x sparse, scale float64, z []float64) {
	k := len(b)
	for c := range z {
		z[c] = 0
	}
	for j, f := range x.idx {
		xv := float64(x.val[j])
		row := w[int(f)*k : int(f)*k+k]
		for c, wv := range row {
			z[c] += xv * float64(wv)
		}
	}
	for c := range z {
		z[c] = z[c]*scale + float64(b[c])
	}
}

func softmaxInPlace(z []float64) {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	var sum float64
	for c, v := range z {
		z[c] = math.Exp(v - m)
		sum += z[c]
	}
	for c := range z {
		z[c] /= sum
	}
}

// probs returns the model's probability of each class for text.
func (r *ranker) probs(text string) []float64 {
	z := make([]float64, len(r.classes))
	if len(z) == 0 {
		return z
	}
	logits(r.w, r.b, vectorize(text, r.vocab, r.idf, r.opts), 1, z)
	softmaxInPlace(z)
	return z
}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

const rankerStateMagic = "FLRK1"

// marshal encodes the model for the Store's index state.
func (r *ranker) marshal() []byte {
	var buf bytes.Buffer
	buf.WriteString(rankerStateMagic)
	put := func(v any) { _ = binary.Write(&buf, binary.LittleEndian, v) }
	put(r.opts.famWeights)
	put([2]int32{int32(r.opts.minGram), int32(r.opts.maxGram)})
	put([3]float64{r.cal.a, r.cal.b, r.cal.c})
	put(int32(len(r.classes)))
	for _, c := range r.classes {
		put(int32(len(c)))
		buf.WriteString(c)
	}
	hashes := make([]uint64, len(r.idf))
	for h, i := range r.vocab {
		hashes[i] = h
	}
	put(int32(len(hashes)))
	put(hashes)
	put(r.idf)
	put(r.w)
	put(r.b)
	return buf.Bytes()
}

// unmarshalRanker decodes what marshal encoded. EInvalid if data is not
// such an encoding.
func unmarshalRanker(data []byte) (*ranker, error) {
	bad := frontline.Errorf(frontline.EInvalid, "ranker state: corrupt")
	if !bytes.HasPrefix(data, []byte(rankerStateMagic)) {
		return nil, bad
	}
	rd := bytes.NewReader(data[len(rankerStateMagic):])
	var err error
	get := func(v any) {
		if err == nil {
			err = binary.Read(rd, binary.LittleEndian, v)
		}
	}
	r := &ranker{opts: defaultRankerOptions}
	var grams [2]int32
	var cal [3]float64
	var n int32
	get(&r.opts.famWeights)
	get(&grams)
	get(&cal)
	get(&n)
	if err != nil || n < 0 || int(n) > rd.Len() {
		return nil, bad
	}
	r.opts.minGram, r.opts.maxGram = int(grams[0]), int(grams[1])
	r.cal = calibrator{a: cal[0], b: cal[1], c: cal[2]}
	r.classes = make([]string, n)
	for i := range r.classes {
		var l int32
		get(&l)
		if err != nil || l < 0 || int(l) > rd.Len() {
			return nil, bad
		}
		b := make([]byte, l)
		get(b)
		r.classes[i] = string(b)
	}
	var nf int32
	get(&nf)
	if err != nil || nf < 0 || int64(nf)*int64(12+4*len(r.classes)) > int64(rd.Len()) {
		return nil, bad
	}
	hashes := make([]uint64, nf)
	r.idf = make([]float32, nf)
	r.w = make([]float32, int(nf)*len(r.classes))
	r.b = make([]float32, len(r.classes))
	get(hashes)
	get(r.idf)
	get(r.w)
	get(r.b)
	if err != nil || rd.Len() != 0 {
		return nil, bad
	}
	r.vocab = make(map[uint64]int32, nf)
	for i, h := range hashes {
		r.vocab[h] = int32(i)
	}
	return r, nil
}
