package kb

import (
	"math"
	"slices"
)

// The ranker's confidence. A class probability alone separates right from
// wrong answers poorly: a question far from everything the KB was taught can
// still get a peaked softmax. So the score is a logistic model over several
// signals of one question (see confFeatures), among them a k-nearest-
// neighbour vote over the KB's phrasings, which agrees with the regression
// when the question is like ones editors attached and sees how close the
// nearest of them is. The model is fitted by cross-fitting: the phrasings
// are cut into folds, and each fold is asked of a ranker trained on the
// others (out-of-fold predictions, so its signals look like a new
// question's), some of them with their own article taken out (questions the
// KB cannot answer). The ranker kept is then trained on every phrasing.

// knnIndex is an inverted index of the training examples' feature vectors
// for the nearest-neighbour vote: postings of feature f are
// doc[start[f]:start[f+1]] with their values.
type knnIndex struct {
	start []int32
	doc   []int32
	val   []float32
	class []int32 // by document
	// Examples learned since training (see withExamples), scanned one by
	// one: few, and folded into the index at the next Reindex.
	extra      []sparse
	extraClass []int32
	extraID    []string // phrasing ids
}

// dot is the inner product of two sparse vectors sorted by index.
func dot(a, b sparse) float32 {
	var s float32
	for i, j := 0, 0; i < len(a.idx) && j < len(b.idx); {
		switch {
		case a.idx[i] < b.idx[j]:
			i++
		case a.idx[i] > b.idx[j]:
			j++
		default:
			s += a.val[i] * b.val[j]
			i++
			j++
		}
	}
	return s
}

func newKNNIndex(xs []sparse, classes []int, nfeat int) *knnIndex {
	ix := &knnIndex{start: make([]int32, nfeat+1), class: make([]int32, len(xs))}
	for _, x := range xs {
		for _, f := range x.idx {
			ix.start[f+1]++
		}
	}
	for f := 0; f < nfeat; f++ {
		ix.start[f+1] += ix.start[f]
	}
	n := ix.start[nfeat]
	ix.doc, ix.val = make([]int32, n), make([]float32, n)
	next := slices.Clone(ix.start[:nfeat])
	for d, x := range xs {
		ix.class[d] = int32(classes[d])
		for j, f := range x.idx {
			p := next[f]
			ix.doc[p], ix.val[p] = int32(d), x.val[j]
			next[f]++
		}
	}
	return ix
}

// knnVote is what the nearest examples of one question say.
type knnVote struct {
	share  []float64 // per class: its share of the k nearest examples' similarity
	maxSim []float64 // per class: cosine of its nearest example
}

// knnScratch is the working memory of votes asked one after another (one
// per goroutine): reusing it keeps training on a large KB from allocating
// a buffer per held-out question.
type knnScratch struct {
	acc     []float32 // per example: similarity accumulated so far
	touched []int32   // examples with a non-zero acc
	best    []knnNeighbour
}

type knnNeighbour struct {
	d int32
	s float32
}

// vote scores x against every example not skipped (cosine: the vectors are
// unit length) and returns the vote of the k nearest. sc may be nil (one
// question) or reused between calls of one goroutine.
func (ix *knnIndex) vote(x sparse, k, nclass int, skip func(doc int) bool, sc *knnScratch) knnVote {
	if sc == nil {
		sc = &knnScratch{}
	}
	if len(sc.acc) < len(ix.class) {
		sc.acc = make([]float32, len(ix.class))
	}
	acc := sc.acc
	touched := sc.touched[:0]
	for j, f := range x.idx {
		xv := x.val[j]
		for p := ix.start[f]; p < ix.start[f+1]; p++ {
			d := ix.doc[p]
			if acc[d] == 0 {
				touched = append(touched, d)
			}
			acc[d] += xv * ix.val[p]
		}
	}
	sc.touched = touched
	v := knnVote{share: make([]float64, nclass), maxSim: make([]float64, nclass)}
	type nb = knnNeighbour
	best := sc.best[:0]
	for _, d := range touched {
		s := acc[d]
		acc[d] = 0
		if s <= 0 || (skip != nil && skip(int(d))) {
			continue
		}
		c := ix.class[d]
		v.maxSim[c] = max(v.maxSim[c], float64(s))
		if len(best) == k && (s < best[k-1].s || (s == best[k-1].s && d > best[k-1].d)) {
			continue
		}
		// Insert in order (similarity down, then document up: deterministic).
		i := len(best)
		best = append(best, nb{d, s})
		for i > 0 && (best[i-1].s < s || (best[i-1].s == s && best[i-1].d > d)) {
			best[i] = best[i-1]
			i--
		}
		best[i] = nb{d, s}
		if len(best) > k {
			best = best[:k]
		}
	}
	n := int32(len(ix.class))
	for e, ex := range ix.extra {
		s, d := dot(x, ex), n+int32(e)
		if s <= 0 {
			continue
		}
		c := ix.extraClass[e]
		v.maxSim[c] = max(v.maxSim[c], float64(s))
		if len(best) == k && s <= best[k-1].s {
			continue
		}
		i := len(best)
		best = append(best, nb{d, s})
		for i > 0 && best[i-1].s < s {
			best[i] = best[i-1]
			i--
		}
		best[i] = nb{d, s}
		if len(best) > k {
			best = best[:k]
		}
	}
	sc.best = best
	var sum float64
	for _, b := range best {
		v.share[ix.classOf(b.d)] += float64(b.s)
		sum += float64(b.s)
	}
	if sum > 0 {
		for c := range v.share {
			v.share[c] /= sum
		}
	}
	return v
}

func (ix *knnIndex) classOf(d int32) int32 {
	if n := int32(len(ix.class)); d >= n {
		return ix.extraClass[d-n]
	}
	return ix.class[d]
}

// nConfFeatures is the length of confFeatures' vector.
const nConfFeatures = 9

// confFeatures are the signals for "class c is the right answer": its
// probability and lead over the next class, how peaked the distribution is
// (1 − normalised entropy), its share of the neighbours' vote and whether
// it wins that vote, the cosine of its nearest example and the lead of that
// over other classes' nearest, the share of the question's words the model
// never saw, and the question's length.
func confFeatures(p []float64, v knnVote, c int, unknown, qlen float64) [nConfFeatures]float64 {
	other, otherSim, ent := 0.0, 0.0, 0.0
	voteTop := argmax(v.share)
	for j, q := range p {
		if j != c {
			other = max(other, q)
			otherSim = max(otherSim, v.maxSim[j])
		}
		if q > 0 {
			ent -= q * math.Log(q)
		}
	}
	peak := 1.0
	if len(p) > 1 {
		peak = 1 - ent/math.Log(float64(len(p)))
	}
	agree := 0.0
	if voteTop == c && v.share[c] > 0 {
		agree = 1
	}
	return [nConfFeatures]float64{p[c], p[c] - other, peak, v.share[c], agree, v.maxSim[c], v.maxSim[c] - otherSim, unknown, qlen}
}

// confModel maps confFeatures to the probability that the class is right:
// sigmoid(w0 + w·f).
type confModel struct{ w [nConfFeatures + 1]float64 }

// defaultConfModel is used when nothing could be held out to fit one: a
// cautious map on probability and lead that reaches 0.5 only for a clear
// winner.
var defaultConfModel = confModel{w: [nConfFeatures + 1]float64{-4, 4, 4}}

func (m confModel) score(f [nConfFeatures]float64) float64 {
	z := m.w[0]
	for i, x := range f {
		z += m.w[i+1] * x
	}
	return sigmoid(z)
}

// fitConfModel fits the model on out-of-fold points by Newton's method on
// the logistic loss with Platt's smoothed targets and a small ridge.
func fitConfModel(xs [][nConfFeatures]float64, ys []bool) confModel {
	rows := make([][]float64, len(xs))
	for i, x := range xs {
		rows[i] = x[:]
	}
	var m confModel
	copy(m.w[:], fitLogisticN(rows, ys, 1e-2))
	return m
}

// fitLogisticN fits sigmoid(w0 + w·x) by Newton's method on the logistic
// loss with Platt's smoothed targets (so a sample with no mistakes does not
// give an infinitely sure map) and a ridge on the slopes.
func fitLogisticN(xs [][]float64, ys []bool, ridge float64) []float64 {
	if len(xs) == 0 {
		return nil
	}
	n := len(xs[0]) + 1
	var pos, neg float64
	for _, y := range ys {
		if y {
			pos++
		} else {
			neg++
		}
	}
	hi, lo := (pos+1)/(pos+2), 1/(neg+2)
	theta := make([]float64, n)
	x := make([]float64, n)
	for iter := 0; iter < 100; iter++ {
		g := make([]float64, n)
		h := make([][]float64, n)
		for i := range h {
			h[i] = make([]float64, n)
		}
		for k, f := range xs {
			x[0] = 1
			copy(x[1:], f)
			z := 0.0
			for i := range x {
				z += theta[i] * x[i]
			}
			q := sigmoid(z)
			t := lo
			if ys[k] {
				t = hi
			}
			for i := range x {
				g[i] += (q - t) * x[i]
				for j := range x {
					h[i][j] += q * (1 - q) * x[i] * x[j]
				}
			}
		}
		for i := 1; i < n; i++ {
			g[i] += ridge * theta[i]
			h[i][i] += ridge
		}
		h[0][0] += 1e-9
		d, ok := solveLinear(h, g)
		if !ok {
			break
		}
		var step float64
		for i := range theta {
			theta[i] -= d[i]
			step = max(step, math.Abs(d[i]))
		}
		if step < 1e-9 {
			break
		}
	}
	return theta
}
