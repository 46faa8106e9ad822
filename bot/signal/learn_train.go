package signal

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"

	"github.com/frontlinehq/frontline"
)

// Labelled is one conversation with its labels, for TrainDetectors. Turns
// should be masked the way the pipeline masks them.
type Labelled struct {
	ID           string
	Turns        []string
	Frustration  bool
	HumanRequest bool
	Severity     frontline.Severity
}

// Candidate is one setting the cross-validation tries.
type Candidate struct {
	Features FeatureOptions `json:"features"`
	// L2 is the ridge penalty on the mean log-loss.
	L2 float64 `json:"l2"`
	// Multinomial trains severity as one softmax over none and the
	// topics, rather than a logistic regression per topic.
	Multinomial bool `json:"multinomial,omitempty"`
}

// TrainConfig sets TrainDetectors up; DefaultTrainConfig is the shipped one.
type TrainConfig struct {
	Candidates []Candidate
	Folds      int
	// Iterations bounds each L-BFGS fit.
	Iterations int
	Note       string
	// Progress, when set, gets a line per candidate.
	Progress io.Writer
}

// DefaultTrainConfig is the grid the shipped model was chosen from.
func DefaultTrainConfig() TrainConfig {
	// Character n-grams (CharN 5) scored no better in earlier runs and cost
	// several times the training time; they stay an option.
	var cs []Candidate
	for _, scale := range []float64{3, 5, 8} {
		cs = append(cs, Candidate{Features: FeatureOptions{Bits: 18, Bigrams: true, Decay: 0.5, Cues: true, Whole: true, TextScale: scale}, L2: 1e-4, Multinomial: true})
	}
	return TrainConfig{Candidates: cs, Folds: 5, Iterations: 300}
}

// Figures are the scores of one set of predictions.
type Figures struct {
	FrustrationF1   float64 `json:"frustration_f1"`
	HumanRequestF1  float64 `json:"human_request_f1"`
	SeverityMacroF1 float64 `json:"severity_macro_f1"`
	HandoffAccuracy float64 `json:"handoff_accuracy"`
}

// mean is what the cross-validation maximises.
func (f Figures) mean() float64 {
	return (f.FrustrationF1 + f.HumanRequestF1 + f.SeverityMacroF1 + f.HandoffAccuracy) / 4
}

// CVResult is one candidate's cross-validated figures, with the thresholds
// chosen on its out-of-fold probabilities.
type CVResult struct {
	Candidate  Candidate  `json:"candidate"`
	Thresholds Thresholds `json:"thresholds"`
	Figures    Figures    `json:"figures"`
	// OOF holds each conversation's out-of-fold probabilities, one per
	// head (HeadNames order), for error analysis.
	OOF [][]float64 `json:"-"`
}

// HeadNames are the learned heads, in the order of CVResult.OOF.
func HeadNames() []string {
	out := []string{string(frontline.SignalFrustration), string(frontline.SignalHumanRequest), string(frontline.SeverityNone)}
	for _, s := range frontline.Severities {
		out = append(out, string(s))
	}
	return out
}

// TrainDetectors cross-validates every candidate on data (Folds folds,
// stratified by severity and deterministic), picks the first (candidates
// go from the most regularised) whose mean of frustration F1, human-request
// F1, severity macro-F1 and hand-off accuracy is within candidateTolerance
// of the best, with the strictest thresholds within thresholdTolerance of
// the best on the pooled out-of-fold probabilities, then trains it on all
// of data. It returns the
// model file and every candidate's figures, the chosen one first. The same
// data in the same order give the same bytes.
func TrainDetectors(data []Labelled, cfg TrainConfig) ([]byte, []CVResult, error) {
	if len(data) < 2*cfg.Folds || cfg.Folds < 2 {
		return nil, nil, fmt.Errorf("signal train: %d conversations are too few for %d folds", len(data), cfg.Folds)
	}
	if len(cfg.Candidates) == 0 {
		return nil, nil, fmt.Errorf("signal train: no candidates")
	}
	ft := make([][]folded, len(data))
	cues := make([]Result, len(data))
	for i, c := range data {
		if len(c.Turns) == 0 {
			return nil, nil, fmt.Errorf("signal train: %s has no turns", c.ID)
		}
		if c.Severity != frontline.SeverityNone && c.Severity.Rank() == 0 {
			return nil, nil, fmt.Errorf("signal train: %s: unknown severity %q", c.ID, c.Severity)
		}
		ft[i] = make([]folded, len(c.Turns))
		for j, t := range c.Turns {
			ft[i][j] = fold(truncate(t, maxTurnBytes))
		}
		cues[i] = defaultRules.detect(ft[i])
	}
	cueSeen := make([]float64, len(data))
	humanCue := make([]float64, len(data))
	for i := range data {
		if frustrationCueSeen(defaultRules, ft[i]) {
			cueSeen[i] = 1
		}
		if cues[i].HumanRequest {
			humanCue[i] = 1
		}
	}
	labels := headLabels(data)
	fold := assignFolds(data, cfg.Folds)

	var results []CVResult
	for _, cand := range cfg.Candidates {
		rows := buildRows(ft, cues, cand.Features)
		oof := make([][]float64, len(data))
		for k := range cfg.Folds {
			var train, test []int
			for i := range data {
				if fold[i] == k {
					test = append(test, i)
				} else {
					train = append(train, i)
				}
			}
			m := fitHeads(rows, labels, train, cand, cfg.Iterations)
			for _, i := range test {
				// The heads' probabilities, then whether a frustration
				// cue was seen (1 or 0), for the decisions.
				oof[i] = append(m.probs(rows.features(i)), cueSeen[i], humanCue[i])
			}
		}
		th, fig := chooseThresholds(oof, data, cand.Multinomial)
		r := CVResult{Candidate: cand, Thresholds: th, Figures: fig, OOF: oof}
		results = append(results, r)
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%s\n", r)
		}
	}
	// The candidates run from the most to the least regularised; the
	// first within candidateTolerance of the best mean is chosen (the
	// "one standard error" rule: a difference that small is noise on 600
	// conversations, and the simpler model generalises better).
	top := 0.0
	for _, r := range results {
		top = math.Max(top, r.Figures.mean())
	}
	best := 0
	for i, r := range results {
		if r.Figures.mean() >= top-candidateTolerance {
			best = i
			break
		}
	}
	chosen := results[best]
	all := make([]int, len(data))
	for i := range all {
		all[i] = i
	}
	m := fitHeads(buildRows(ft, cues, chosen.Candidate.Features), labels, all, chosen.Candidate, cfg.Iterations)
	m.Thresholds = chosen.Thresholds
	m.Note = cfg.Note
	var buf bytes.Buffer
	if err := m.write(&buf); err != nil {
		return nil, nil, err
	}
	out := append([]CVResult{chosen}, append(results[:best:best], results[best+1:]...)...)
	return buf.Bytes(), out, nil
}

func (r CVResult) String() string {
	f := r.Candidate.Features
	return fmt.Sprintf("char_n=%d bigrams=%v decay=%.2f cues=%v whole=%v text_scale=%g l2=%g multinomial=%v: frustration F1 %.3f, human request F1 %.3f, severity macro-F1 %.3f, hand-off accuracy %.3f (thresholds: frustration %.3f, without a cue %.3f, human request %.3f (or the cues: %v), severity %.3f argmax=%v)",
		f.CharN, f.Bigrams, f.Decay, f.Cues, f.Whole, f.TextScale, r.Candidate.L2, r.Candidate.Multinomial, r.Figures.FrustrationF1, r.Figures.HumanRequestF1, r.Figures.SeverityMacroF1, r.Figures.HandoffAccuracy,
		r.Thresholds.Frustration, r.Thresholds.FrustrationAlone, r.Thresholds.HumanRequest, r.Thresholds.HumanCue, r.Thresholds.Severity, r.Thresholds.Argmax)
}

// headLabels gives each head's 0/1 labels.
func headLabels(data []Labelled) [][]float64 {
	y := make([][]float64, numHeads)
	for h := range y {
		y[h] = make([]float64, len(data))
	}
	for i, c := range data {
		if c.Frustration {
			y[headFrustration][i] = 1
		}
		if c.HumanRequest {
			y[headHuman][i] = 1
		}
		if r := slices.Index(frontline.Severities, c.Severity); r >= 0 {
			y[headTopics+r][i] = 1
		} else {
			y[headNone][i] = 1
		}
	}
	return y
}

// assignFolds deals the conversations to folds in order within each
// severity (frustration and human request next), so every fold has its
// share of each class.
func assignFolds(data []Labelled, k int) []int {
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	b := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, c := data[i], data[j]
		if a.Severity != c.Severity {
			return a.Severity.Rank() - c.Severity.Rank()
		}
		if a.Frustration != c.Frustration {
			return b(a.Frustration) - b(c.Frustration)
		}
		return b(a.HumanRequest) - b(c.HumanRequest)
	})
	fold := make([]int, len(data))
	for r, i := range order {
		fold[i] = r % k
	}
	return fold
}

// rows is the data's features in compressed rows.
type rows struct {
	ptr    []int
	bucket []uint32
	value  []float32
	bits   int
}

func buildRows(ft [][]folded, cues []Result, opts FeatureOptions) *rows {
	r := &rows{ptr: []int{0}, bits: opts.Bits}
	for i := range ft {
		f := extract(ft[i], opts, defaultRules, cues[i])
		r.bucket = append(r.bucket, f.bucket...)
		r.value = append(r.value, f.value...)
		r.ptr = append(r.ptr, len(r.bucket))
	}
	return r
}

func (r *rows) features(i int) *features {
	return &features{bucket: r.bucket[r.ptr[i]:r.ptr[i+1]], value: r.value[r.ptr[i]:r.ptr[i+1]]}
}

// fitHeads trains every head on the rows in idx and quantises the weights
// to int8, as the model ships, so cross-validation scores what ships.
func fitHeads(r *rows, y [][]float64, idx []int, cand Candidate, iters int) *learnedModel {
	dims := 1 << r.bits
	m := &learnedModel{modelHeader: modelHeader{
		Features: cand.Features,
		Bias:     make([]float64, numHeads),
		Scale:    make([]float64, numHeads),
	}, w: make([]int8, dims*numHeads)}
	m.Heads = HeadNames()
	m.Multinomial = cand.Multinomial
	quantise := func(h int, w []float64, bias float64) {
		maxAbs := 0.0
		for _, x := range w {
			maxAbs = math.Max(maxAbs, math.Abs(x))
		}
		scale := maxAbs / 127
		if scale == 0 {
			scale = 1
		}
		m.Bias[h], m.Scale[h] = bias, scale
		for j, x := range w {
			m.w[j*numHeads+h] = int8(math.Round(x / scale))
		}
	}
	heads := []int{headFrustration, headHuman}
	if !cand.Multinomial {
		for h := headTopics; h < numHeads; h++ {
			heads = append(heads, h)
		}
	}
	// Two fits at a time: each is independent and deterministic.
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, h := range heads {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			w, bias := fitLogistic(r, y[h], idx, cand.L2, iters)
			quantise(h, w, bias)
		}()
	}
	if cand.Multinomial {
		ws, biases := fitSoftmax(r, y[headNone:], idx, cand.L2, iters)
		for k := range ws {
			quantise(headNone+k, ws[k], biases[k])
		}
	}
	wg.Wait()
	return m
}

// fitLogistic minimises the mean log-loss of the rows in idx plus
// l2/2·‖w‖² (the bias is not penalised) with L-BFGS. Only the buckets the
// rows use can move from 0, so it works in those alone.
func fitLogistic(r *rows, y []float64, idx []int, l2 float64, iters int) ([]float64, float64) {
	used, ptr, col, val := compactRows(r, idx)
	dims := len(used)
	n := float64(len(idx))
	fg := func(x, g []float64) float64 {
		clear(g)
		w, b := x[:dims], x[dims]
		loss := 0.0
		for row, i := range idx {
			z := b
			for k := ptr[row]; k < ptr[row+1]; k++ {
				z += w[col[k]] * val[k]
			}
			if z > 0 {
				loss += z + math.Log1p(math.Exp(-z)) - y[i]*z
			} else {
				loss += math.Log1p(math.Exp(z)) - y[i]*z
			}
			d := (1/(1+math.Exp(-z)) - y[i]) / n
			g[dims] += d
			for k := ptr[row]; k < ptr[row+1]; k++ {
				g[col[k]] += d * val[k]
			}
		}
		loss /= n
		for j := range dims {
			loss += l2 / 2 * w[j] * w[j]
			g[j] += l2 * w[j]
		}
		return loss
	}
	x := make([]float64, dims+1) // the bias last
	lbfgs(x, fg, iters)
	w := make([]float64, 1<<r.bits)
	for j, b := range used {
		w[b] = x[j]
	}
	return w, x[dims]
}

// compactRows renumbers the buckets the rows in idx use as 0..len(used)-1
// (sorted, so deterministic) and returns the rows over those columns.
func compactRows(r *rows, idx []int) (used []uint32, ptr []int, col []int32, val []float64) {
	compact := map[uint32]int32{}
	for _, i := range idx {
		for k := r.ptr[i]; k < r.ptr[i+1]; k++ {
			if _, ok := compact[r.bucket[k]]; !ok {
				compact[r.bucket[k]] = 0
				used = append(used, r.bucket[k])
			}
		}
	}
	slices.Sort(used)
	for j, b := range used {
		compact[b] = int32(j)
	}
	ptr = []int{0}
	for _, i := range idx {
		for k := r.ptr[i]; k < r.ptr[i+1]; k++ {
			col = append(col, compact[r.bucket[k]])
			val = append(val, float64(r.value[k]))
		}
		ptr = append(ptr, len(col))
	}
	return used, ptr, col, val
}

// fitSoftmax minimises the mean cross-entropy of a softmax over the
// classes (y[k][i] is 1 when row i is of class k) plus l2/2·‖W‖², with
// L-BFGS, in the buckets the rows use.
func fitSoftmax(r *rows, y [][]float64, idx []int, l2 float64, iters int) ([][]float64, []float64) {
	used, ptr, col, val := compactRows(r, idx)
	dims, k := len(used), len(y)
	n := float64(len(idx))
	stride := dims + 1 // each class's weights, then its bias
	z := make([]float64, k)
	fg := func(x, g []float64) float64 {
		clear(g)
		loss := 0.0
		for row, i := range idx {
			for c := range k {
				w := x[c*stride : c*stride+dims]
				zc := x[c*stride+dims]
				for e := ptr[row]; e < ptr[row+1]; e++ {
					zc += w[col[e]] * val[e]
				}
				z[c] = zc
			}
			top := slices.Max(z)
			sum := 0.0
			for c := range z {
				sum += math.Exp(z[c] - top)
			}
			lse := top + math.Log(sum)
			for c := range k {
				p := math.Exp(z[c] - lse)
				loss -= y[c][i] * (z[c] - lse)
				d := (p - y[c][i]) / n
				g[c*stride+dims] += d
				gw := g[c*stride : c*stride+dims]
				for e := ptr[row]; e < ptr[row+1]; e++ {
					gw[col[e]] += d * val[e]
				}
			}
		}
		loss /= n
		for c := range k {
			w, gw := x[c*stride:c*stride+dims], g[c*stride:c*stride+dims]
			for j := range w {
				loss += l2 / 2 * w[j] * w[j]
				gw[j] += l2 * w[j]
			}
		}
		return loss
	}
	x := make([]float64, k*stride)
	lbfgs(x, fg, iters)
	ws := make([][]float64, k)
	biases := make([]float64, k)
	for c := range k {
		ws[c] = make([]float64, 1<<r.bits)
		for j, b := range used {
			ws[c][b] = x[c*stride+j]
		}
		biases[c] = x[c*stride+dims]
	}
	return ws, biases
}

// lbfgs minimises fg from x in place: limited-memory BFGS (8 pairs) with a
// backtracking line search. Deterministic.
func lbfgs(x []float64, fg func(x, g []float64) float64, iters int) {
	const memory = 8
	n := len(x)
	g := make([]float64, n)
	f := fg(x, g)
	var ss, ys [][]float64
	var rhos []float64
	d := make([]float64, n)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	alpha := make([]float64, memory)
	for it := 0; it < iters; it++ {
		// Direction: -H·g by the two-loop recursion.
		copy(d, g)
		for i := len(ss) - 1; i >= 0; i-- {
			alpha[i] = rhos[i] * dot(ss[i], d)
			axpy(-alpha[i], ys[i], d)
		}
		if k := len(ss) - 1; k >= 0 {
			gamma := dot(ss[k], ys[k]) / dot(ys[k], ys[k])
			for j := range d {
				d[j] *= gamma
			}
		} else {
			gn := math.Sqrt(dot(g, g))
			if gn == 0 {
				return
			}
			for j := range d {
				d[j] /= gn
			}
		}
		for i := range ss {
			beta := rhos[i] * dot(ys[i], d)
			axpy(alpha[i]-beta, ss[i], d)
		}
		for j := range d {
			d[j] = -d[j]
		}
		slope := dot(g, d)
		if slope >= 0 { // not a descent direction: start over
			ss, ys, rhos = nil, nil, nil
			continue
		}
		step := 1.0
		var fNew float64
		ok := false
		for range 30 {
			for j := range x {
				xNew[j] = x[j] + step*d[j]
			}
			fNew = fg(xNew, gNew)
			if fNew <= f+1e-4*step*slope {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			return
		}
		s := make([]float64, n)
		yv := make([]float64, n)
		for j := range x {
			s[j] = xNew[j] - x[j]
			yv[j] = gNew[j] - g[j]
		}
		copy(x, xNew)
		copy(g, gNew)
		converged := math.Abs(f-fNew) <= 1e-9*math.Max(1, math.Abs(f))
		f = fNew
		if converged {
			return
		}
		if sy := dot(s, yv); sy > 1e-12 {
			if len(ss) == memory {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
			ss, ys, rhos = append(ss, s), append(ys, yv), append(rhos, 1/sy)
		}
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

// candidateTolerance: how much cross-validated mean score a more
// regularised candidate may give up.
const candidateTolerance = 0.01

// thresholdTolerance: how much cross-validated F1 a stricter threshold may
// give up.
const thresholdTolerance = 0.01

// chooseThresholds picks, on the pooled out-of-fold probabilities, the
// frustration and human-request thresholds that maximise their F1, and the
// severity threshold and rule (precedence or most probable) that maximise
// the severity macro-F1, then scores them.
func chooseThresholds(p [][]float64, data []Labelled, multinomial bool) (Thresholds, Figures) {
	var grid []float64
	for t := 0.1; t < 0.9001; t += 0.025 {
		grid = append(grid, math.Round(t*1000)/1000)
	}

	// Of the thresholds within thresholdTolerance of the best score, the
	// highest: the product sees more conversations that need no one than
	// the training file, so among near-equal choices the stricter one.
	pick := func(score func(t float64) float64) float64 {
		scores := make([]float64, len(grid))
		best := -1.0
		for i, t := range grid {
			scores[i] = score(t)
			best = math.Max(best, scores[i])
		}
		for i := len(grid) - 1; i >= 0; i-- {
			if scores[i] >= best-thresholdTolerance {
				return grid[i]
			}
		}
		return grid[0]
	}
	var th Thresholds
	// Frustration: the best pair (with a cue, without one), then the
	// strictest pair within the tolerance.
	frF1 := func(with, alone float64) float64 {
		var tp, fp, fn int
		cand := Thresholds{Frustration: with, FrustrationAlone: alone}
		for i, c := range data {
			count(c.Frustration, cand.frustrated(p[i][headFrustration], p[i][numHeads] == 1), &tp, &fp, &fn)
		}
		return f1(tp, fp, fn)
	}
	bestFr := -1.0
	for _, with := range grid {
		for _, alone := range grid {
			bestFr = math.Max(bestFr, frF1(with, alone))
		}
	}
	for i := len(grid) - 1; i >= 0 && th.Frustration == 0; i-- {
		for j := len(grid) - 1; j >= 0; j-- {
			if frF1(grid[j], grid[i]) >= bestFr-thresholdTolerance {
				th.Frustration, th.FrustrationAlone = grid[j], grid[i]
				break
			}
		}
	}
	humanF1 := func(t float64, cue bool) float64 {
		var tp, fp, fn int
		cand := Thresholds{HumanRequest: t, HumanCue: cue}
		for i, c := range data {
			count(c.HumanRequest, cand.human(p[i][headHuman], p[i][numHeads+1] == 1), &tp, &fp, &fn)
		}
		return f1(tp, fp, fn)
	}
	bestWith, bestWithout := -1.0, -1.0
	for _, t := range grid {
		bestWith, bestWithout = math.Max(bestWith, humanF1(t, true)), math.Max(bestWithout, humanF1(t, false))
	}
	th.HumanCue = bestWith > bestWithout
	th.HumanRequest = pick(func(t float64) float64 { return humanF1(t, th.HumanCue) })
	bestRule, bestS := false, -1.0
	for _, argmax := range []bool{false, true} {
		for _, t := range grid {
			if v := severityMacroF1(p, data, Thresholds{Severity: t, Argmax: argmax, NoneCompetes: multinomial && argmax}); v > bestS {
				bestS, bestRule = v, argmax
			}
		}
	}
	th.Argmax, th.NoneCompetes = bestRule, multinomial && bestRule
	th.Severity = pick(func(t float64) float64 {
		return severityMacroF1(p, data, Thresholds{Severity: t, Argmax: th.Argmax, NoneCompetes: th.NoneCompetes})
	})
	return th, Score(p, data, th)
}

// Score gives the figures of probabilities p (one row of head
// probabilities per conversation) decided with th.
func Score(p [][]float64, data []Labelled, th Thresholds) Figures {
	var fig Figures
	var ftp, ffp, ffn, htp, hfp, hfn, right int
	for i, c := range data {
		fr, hr := th.frustrated(p[i][headFrustration], p[i][numHeads] == 1), th.human(p[i][headHuman], p[i][numHeads+1] == 1)
		sev := topSeverity(p[i], th)
		count(c.Frustration, fr, &ftp, &ffp, &ffn)
		count(c.HumanRequest, hr, &htp, &hfp, &hfn)
		if (c.Frustration || c.HumanRequest || c.Severity != frontline.SeverityNone) == (fr || hr || sev != frontline.SeverityNone) {
			right++
		}
	}
	fig.FrustrationF1 = f1(ftp, ffp, ffn)
	fig.HumanRequestF1 = f1(htp, hfp, hfn)
	fig.SeverityMacroF1 = severityMacroF1(p, data, th)
	fig.HandoffAccuracy = float64(right) / float64(len(data))
	return fig
}

func topSeverity(p []float64, th Thresholds) frontline.Severity {
	if t := decideTopics(p, th); len(t) > 0 {
		return t[0]
	}
	return frontline.SeverityNone
}

// severityMacroF1 averages F1 over the classes present in the labels,
// none included.
func severityMacroF1(p [][]float64, data []Labelled, th Thresholds) float64 {
	type prf struct{ tp, fp, fn int }
	classes := append([]frontline.Severity{frontline.SeverityNone}, frontline.Severities...)
	per := make([]*prf, len(classes))
	for _, c := range data {
		if i := slices.Index(classes, c.Severity); per[i] == nil {
			per[i] = &prf{}
		}
	}
	for i, c := range data {
		got := topSeverity(p[i], th)
		for k, x := range per {
			if x != nil {
				count(c.Severity == classes[k], got == classes[k], &x.tp, &x.fp, &x.fn)
			}
		}
	}
	sum, n := 0.0, 0
	for _, x := range per {
		if x != nil {
			sum += f1(x.tp, x.fp, x.fn)
			n++
		}
	}
	return sum / float64(n)
}

func count(want, got bool, tp, fp, fn *int) {
	switch {
	case want && got:
		*tp++
	case got:
		*fp++
	case want:
		*fn++
	}
}

func f1(tp, fp, fn int) float64 {
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}
