package kb

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"

	frontline "github.com/frontlinehq/frontline"
)

// The ranker is a per-KB supervised model: a multinomial logistic regression
// (softmax over articles) on sparse TF-IDF features of words, word pairs and
// character n-grams, learned at Reindex from the KB's own phrasings and
// chunks (article = class). Where editors have attached phrasings it ranks
// far better than raw cosine, because it learns which words tell this KB's
// articles apart. Its probabilities are mixed with a nearest-neighbour vote
// over the same examples, and a confidence model fitted on out-of-fold
// predictions (confidence.go) turns them into the search score.

// rankerOptions are the ranker's hyperparameters. They were picked on
// development rows carved out of the training rows of public intent sets
// (never their test or validation rows; see TestTuneRanker) and are not tied
// to any KB.
type rankerOptions struct {
	epochs     int
	lambda     float64    // L2 penalty per example
	lr0        float64    // initial learning rate
	famWeights [3]float64 // words, word pairs, character n-grams
	minGram    int
	maxGram    int
	// knnK neighbours vote; knnWeight is the vote's share of the mixed
	// class probabilities (the regression has the rest).
	knnK      int
	knnWeight float64
	// folds is how many parts the phrasings are cut into to fit the
	// confidence model on out-of-fold predictions; only articles with at
	// least calMinPhrasings phrasings are held out.
	folds           int
	calMinPhrasings int
	// avgFrom > 0 returns the average of avgSnaps snapshots of the weights
	// taken over the last avgFrom share of the steps instead of the last
	// weights (tail averaging: less noise from the last steps).
	avgFrom  float64
	avgSnaps int
	seed     uint64
}

var defaultRankerOptions = rankerOptions{
	epochs:          5,
	lambda:          1e-5,
	lr0:             5,
	famWeights:      [3]float64{1, 0.5, 0.8},
	minGram:         3,
	maxGram:         5,
	knnK:            10,
	knnWeight:       0.3,
	folds:           3,
	calMinPhrasings: 3,
	avgFrom:         0.5,
	avgSnaps:        50,
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
	// The training examples, kept for the neighbour vote (the index is
	// rebuilt from them when the model is loaded).
	texts  []string
	labels []int32
	knn    *knnIndex
	conf   confModel
	// articleOnly marks a ranker trained on article text alone (the KB has
	// no phrasings): it is fused with the retrievers, not trusted alone.
	articleOnly bool
}

// newVocab indexes every feature of the examples and learns its IDF.
func newVocab(texts [][]string, o rankerOptions) (map[uint64]int32, []float32) {
	df := map[uint64]int{}
	for _, t := range texts {
		for _, fam := range textFeatures(t, o.minGram, o.maxGram) {
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
	return vectorizeTerms(Terms(text), vocab, idf, o)
}

func vectorizeTerms(terms []string, vocab map[uint64]int32, idf []float32, o rankerOptions) sparse {
	var out sparse
	for fi, fam := range textFeatures(terms, o.minGram, o.maxGram) {
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

// trainRanker learns a ranker over classes from examples. fold[i] is the
// cross-fitting fold of example i, or -1 for one always trained on (article
// text, and phrasings of articles with too few to hold any out). The
// confidence model is fitted on out-of-fold predictions (see
// confidence.go); the model kept is trained on every example.
func trainRanker(classes []string, examples []rankerExample, fold []int, o rankerOptions) *ranker {
	r := &ranker{opts: o, classes: classes, conf: defaultConfModel}
	terms := make([][]string, len(examples))
	r.texts = make([]string, len(examples))
	r.labels = make([]int32, len(examples))
	for i, ex := range examples {
		terms[i], r.texts[i], r.labels[i] = Terms(ex.text), ex.text, int32(ex.class)
	}
	r.vocab, r.idf = newVocab(terms, o)
	xs := make([]sparse, len(examples))
	ys := make([]int, len(examples))
	for i, ex := range examples {
		xs[i], ys[i] = vectorizeTerms(terms[i], r.vocab, r.idf, o), ex.class
	}
	r.knn = newKNNIndex(xs, ys, len(r.idf))
	// The model kept trains alongside the folds' models.
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.w, r.b = trainSoftmax(xs, ys, len(classes), len(r.idf), o)
	}()
	if fx, fy := r.crossFit(xs, ys, terms, fold); len(fx) > 0 {
		r.conf = fitConfModel(fx, fy)
	}
	<-done
	return r
}

// crossFit returns the confidence signals of every held-out example, each
// predicted by a model trained without its fold, and whether the top class
// was right. Every pseudoUnanswerable-th is asked with its own class taken
// out of the choices (its probability zeroed, its examples out of the
// vote): a question the KB cannot answer, so that a score means the same
// as on the article-only path, the probability that the top article is
// right among questions of which some have no article.
func (r *ranker) crossFit(xs []sparse, ys []int, terms [][]string, fold []int) ([][nConfFeatures]float64, []bool) {
	k := len(r.classes)
	nfold := 0
	for _, f := range fold {
		nfold = max(nfold, f+1)
	}
	if nfold < 2 {
		return nil, nil
	}
	// Words seen outside each fold: a word only a held-out example has is
	// unknown to the model that predicts it.
	wordFolds := map[uint64]uint32{}
	for i, ts := range terms {
		bit := ^uint32(0)
		if fold[i] >= 0 {
			bit = 1 << fold[i]
		}
		for _, t := range ts {
			wordFolds[hashFeature('w', t)] |= bit
		}
	}
	// Folds are independent: train them side by side. Each writes only
	// its own slots, numbered in fold order, so the result does not
	// depend on scheduling.
	first := make([]int, nfold+1) // first[f]: slot of fold f's first example
	for _, f := range fold {
		if f >= 0 {
			first[f+1]++
		}
	}
	for f := 0; f < nfold; f++ {
		first[f+1] += first[f]
	}
	fx := make([][nConfFeatures]float64, first[nfold])
	fy := make([]bool, first[nfold])
	parallel(nfold, func(f int) {
		var tx []sparse
		var ty []int
		for i := range xs {
			if fold[i] != f {
				tx, ty = append(tx, xs[i]), append(ty, ys[i])
			}
		}
		w, b := trainSoftmax(tx, ty, k, len(r.idf), r.opts)
		sc := &knnScratch{}
		z := make([]float64, k)
		n := first[f]
		for i := range xs {
			if fold[i] != f {
				continue
			}
			y := ys[i]
			unanswerable := (n+1)%pseudoUnanswerable == 0
			skip := func(d int) bool { return fold[d] == f || (unanswerable && ys[d] == y) }
			v := r.knn.vote(xs[i], r.opts.knnK, k, skip, sc)
			logits(w, b, xs[i], 1, z)
			softmaxInPlace(z)
			p := slices.Clone(z)
			if unanswerable {
				rest := 1 - p[y]
				p[y] = 0
				for c := range p {
					if rest > 0 {
						p[c] /= rest
					}
				}
			}
			p = mixVote(p, v.share, r.opts.knnWeight)
			top := argmax(p)
			unknown := unknownShare(terms[i], func(h uint64) bool { return wordFolds[h]&^(1<<f) != 0 })
			fx[n] = confFeatures(p, v, top, unknown, math.Log1p(float64(len(terms[i]))))
			fy[n] = !unanswerable && top == y
			n++
		}
	})
	return fx, fy
}

// parallel runs fn(0) … fn(n−1) on up to GOMAXPROCS goroutines and waits.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}

// mixVote mixes the regression's probabilities p with the neighbours' vote
// shares (in place): (1−weight)·p + weight·share. With no neighbour at all
// p is kept.
func mixVote(p, share []float64, weight float64) []float64 {
	var sum float64
	for _, s := range share {
		sum += s
	}
	if sum == 0 || weight == 0 {
		return p
	}
	for c := range p {
		p[c] = (1-weight)*p[c] + weight*share[c]
	}
	return p
}

// unknownShare is the share of the question's words that known says the
// model never saw (1 for a question without words).
func unknownShare(terms []string, known func(h uint64) bool) float64 {
	if len(terms) == 0 {
		return 1
	}
	var n int
	for _, t := range terms {
		if !known(hashFeature('w', t)) {
			n++
		}
	}
	return float64(n) / float64(len(terms))
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
	total := o.epochs * len(xs)
	var avgW, avgB []float32
	snapEvery, snapFrom, snaps := 0, total, 0
	if o.avgFrom > 0 && o.avgSnaps > 0 {
		snapFrom = total - int(o.avgFrom*float64(total))
		snapEvery = max(1, (total-snapFrom)/o.avgSnaps)
		avgW, avgB = make([]float32, len(w)), make([]float32, k)
	}
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
			if avgW != nil && t > snapFrom && (t-snapFrom)%snapEvery == 0 {
				for i, v := range w {
					avgW[i] += v * float32(scale)
				}
				for c, v := range b {
					avgB[c] += v
				}
				snaps++
			}
		}
	}
	if snaps > 0 {
		inv := 1 / float32(snaps)
		for i := range w {
			w[i] = avgW[i] * inv
		}
		for c := range b {
			b[c] = avgB[c] * inv
		}
		return w, b
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

// rankerView is the ranker's reading of one question.
type rankerView struct {
	p             []float64 // mixed class probabilities
	vote          knnVote
	unknown, qlen float64
}

// view reads text: the regression's probabilities mixed with the
// neighbours' vote, and the signals the confidence model needs.
func (r *ranker) view(text string) rankerView {
	terms := Terms(text)
	k := len(r.classes)
	z := make([]float64, k)
	if k == 0 {
		return rankerView{p: z, vote: knnVote{share: z, maxSim: z}}
	}
	x := vectorizeTerms(terms, r.vocab, r.idf, r.opts)
	logits(r.w, r.b, x, 1, z)
	softmaxInPlace(z)
	v := r.knn.vote(x, r.opts.knnK, k, nil, nil)
	unknown := unknownShare(terms, func(h uint64) bool { _, ok := r.vocab[h]; return ok })
	return rankerView{p: mixVote(z, v.share, r.opts.knnWeight), vote: v, unknown: unknown, qlen: math.Log1p(float64(len(terms)))}
}

// score is the estimated probability that class c is the right answer.
func (r *ranker) score(v rankerView, c int) float64 {
	return r.conf.score(confFeatures(v.p, v.vote, c, v.unknown, v.qlen))
}

// probs returns the model's mixed probability of each class for text.
func (r *ranker) probs(text string) []float64 { return r.view(text).p }

// top returns the best class for text and its score.
func (r *ranker) top(text string) (int, float64) {
	v := r.view(text)
	c := argmax(v.p)
	return c, r.score(v, c)
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

const rankerStateMagic = "FLRK2"

// marshal encodes the model for the Store's index state. The neighbour
// index is not stored: it is rebuilt from the examples' texts.
func (r *ranker) marshal() []byte {
	var buf bytes.Buffer
	buf.WriteString(rankerStateMagic)
	put := func(v any) { _ = binary.Write(&buf, binary.LittleEndian, v) }
	putString := func(s string) {
		put(int32(len(s)))
		buf.WriteString(s)
	}
	put(r.opts.famWeights)
	put([3]int32{int32(r.opts.minGram), int32(r.opts.maxGram), int32(r.opts.knnK)})
	put(r.opts.knnWeight)
	put(r.articleOnly)
	put(r.conf.w)
	put(int32(len(r.classes)))
	for _, c := range r.classes {
		putString(c)
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
	put(int32(len(r.texts)))
	put(r.labels)
	for _, t := range r.texts {
		putString(t)
	}
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
	// count reads a length that must fit in what is left at per bytes each.
	count := func(per int64) int {
		var n int32
		get(&n)
		if err == nil && (n < 0 || int64(n)*per > int64(rd.Len())) {
			err = bad
		}
		return int(n)
	}
	getString := func() string {
		b := make([]byte, count(1))
		get(b)
		return string(b)
	}
	r := &ranker{opts: defaultRankerOptions}
	var ints [3]int32
	get(&r.opts.famWeights)
	get(&ints)
	get(&r.opts.knnWeight)
	get(&r.articleOnly)
	get(&r.conf.w)
	r.opts.minGram, r.opts.maxGram, r.opts.knnK = int(ints[0]), int(ints[1]), int(ints[2])
	r.classes = make([]string, count(4))
	for i := range r.classes {
		r.classes[i] = getString()
	}
	nf := count(int64(12 + 4*len(r.classes)))
	hashes := make([]uint64, nf)
	r.idf = make([]float32, nf)
	r.w = make([]float32, nf*len(r.classes))
	r.b = make([]float32, len(r.classes))
	get(hashes)
	get(r.idf)
	get(r.w)
	get(r.b)
	r.labels = make([]int32, count(8))
	get(r.labels)
	r.texts = make([]string, len(r.labels))
	for i := range r.texts {
		r.texts[i] = getString()
	}
	if err != nil || rd.Len() != 0 {
		return nil, bad
	}
	r.vocab = make(map[uint64]int32, nf)
	for i, h := range hashes {
		r.vocab[h] = int32(i)
	}
	xs := make([]sparse, len(r.texts))
	ys := make([]int, len(r.texts))
	for i, t := range r.texts {
		if ys[i] = int(r.labels[i]); ys[i] < 0 || ys[i] >= len(r.classes) {
			return nil, bad
		}
		xs[i] = vectorize(t, r.vocab, r.idf, r.opts)
	}
	r.knn = newKNNIndex(xs, ys, nf)
	return r, nil
}
