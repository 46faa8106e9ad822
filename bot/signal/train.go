package signal

import (
	"fmt"
	"math"
	"slices"
)

// Example is one labelled conversation for TrainModel.
type Example struct {
	Turns []string
	Label bool
}

// TrainOptions are the trainer's settings; the zero value is not useful,
// start from DefaultTrainOptions.
type TrainOptions struct {
	// MinCount drops features seen in fewer conversations: a word met once
	// teaches the phrasing, not the feeling.
	MinCount int
	// L2 pulls every weight towards 0 (per example, on the mean loss).
	L2 float64
	// Steps of full-batch gradient descent, and their size.
	Steps        int
	LearningRate float64
	// Keep drops weights smaller than this from the saved model.
	Keep float64
	Note string
}

// DefaultTrainOptions are the settings the embedded model was trained with.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{MinCount: 2, L2: 0.003, Steps: 3000, LearningRate: 1, Keep: 0.01}
}

// TrainModel fits a logistic regression on examples, with the features the
// Default detector's model reads. It is deterministic: the same examples in
// the same order give the same weights, bit for bit (features are indexed in
// sorted order and summed in a fixed order; nothing is random).
func TrainModel(examples []Example, opts TrainOptions) (*Model, error) {
	if len(examples) == 0 {
		return nil, fmt.Errorf("signal train: no examples")
	}
	d := defaultRules
	// Each example's features by name, then a vocabulary of the names seen
	// in at least MinCount examples, in sorted order.
	raw := make([][]feature, len(examples))
	count := map[string]int{}
	for i, ex := range examples {
		if len(ex.Turns) == 0 {
			return nil, fmt.Errorf("signal train: example %d has no turns", i)
		}
		ft := make([]folded, len(ex.Turns))
		for j, t := range ex.Turns {
			ft[j] = fold(truncate(t, maxTurnBytes))
		}
		raw[i] = d.modelFeatures(ft, d.repetition(ft))
		for _, f := range raw[i] {
			count[f.name]++
		}
	}
	var vocab []string
	for name, n := range count {
		if n >= opts.MinCount {
			vocab = append(vocab, name)
		}
	}
	slices.Sort(vocab)
	index := make(map[string]int, len(vocab))
	for i, name := range vocab {
		index[name] = i
	}
	type entry struct {
		i int
		v float64
	}
	rows := make([][]entry, len(examples))
	y := make([]float64, len(examples))
	for i, fs := range raw {
		for _, f := range fs {
			if j, ok := index[f.name]; ok {
				rows[i] = append(rows[i], entry{j, f.value})
			}
		}
		slices.SortFunc(rows[i], func(a, b entry) int { return a.i - b.i })
		if examples[i].Label {
			y[i] = 1
		}
	}

	w := make([]float64, len(vocab))
	grad := make([]float64, len(vocab))
	bias := 0.0
	n := float64(len(examples))
	for range opts.Steps {
		clear(grad)
		gbias := 0.0
		for i, row := range rows {
			z := bias
			for _, e := range row {
				z += w[e.i] * e.v
			}
			diff := 1/(1+math.Exp(-z)) - y[i]
			gbias += diff
			for _, e := range row {
				grad[e.i] += diff * e.v
			}
		}
		bias -= opts.LearningRate * gbias / n
		for j := range w {
			w[j] -= opts.LearningRate * (grad[j]/n + opts.L2*w[j])
		}
	}

	m := &Model{Note: opts.Note, Bias: round4(bias), Weights: map[string]float64{}}
	for j, name := range vocab {
		if math.Abs(w[j]) >= opts.Keep {
			m.Weights[name] = round4(w[j])
		}
	}
	if len(m.Weights) == 0 {
		return nil, fmt.Errorf("signal train: no weight reached %g", opts.Keep)
	}
	return m, nil
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
