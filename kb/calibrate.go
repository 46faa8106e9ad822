package kb

import "math"

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// calibrator maps the ranker's view of one article to the probability that
// it is the right answer: sigmoid(a + b·p + c·margin), where p is the
// article's class probability and margin is p minus the best other
// article's. It is Platt scaling fitted on phrasings the ranker did not
// train on, so a score means the same thing in every KB: of the questions
// scored 0.8, about 8 in 10 get the right article. b and c are never
// negative, so the score rises with p and with the lead.
type calibrator struct{ a, b, c float64 }

// defaultCalibrator is used when no phrasing could be held out: a cautious
// map that reaches 0.5 only for a clear winner.
var defaultCalibrator = calibrator{a: -4, b: 4, c: 4}

// calPoint is one held-out question: its features and whether the ranker's
// top article was right.
type calPoint struct {
	features [2]float64
	correct  bool
}

// calFeatures returns (p, margin) for class i of the probabilities p.
func calFeatures(p []float64, i int) [2]float64 {
	other := 0.0
	for j, v := range p {
		if j != i && v > other {
			other = v
		}
	}
	return [2]float64{p[i], p[i] - other}
}

func (c calibrator) score(f [2]float64) float64 {
	return sigmoid(c.a + c.b*f[0] + c.c*f[1])
}

// fitCalibrator fits the calibrator by Newton's method on the logistic
// loss, with Platt's smoothed targets (so a slice with no mistakes does not
// give an infinitely sure map) and a small ridge.
func fitCalibrator(pts []calPoint) calibrator {
	var pos, neg float64
	for _, p := range pts {
		if p.correct {
			pos++
		} else {
			neg++
		}
	}
	hi, lo := (pos+1)/(pos+2), 1/(neg+2)
	theta := [3]float64{}
	const ridge = 1e-3
	for iter := 0; iter < 50; iter++ {
		var g [3]float64
		var h [3][3]float64
		for _, p := range pts {
			x := [3]float64{1, p.features[0], p.features[1]}
			q := sigmoid(theta[0] + theta[1]*x[1] + theta[2]*x[2])
			t := lo
			if p.correct {
				t = hi
			}
			for i := range x {
				g[i] += (q - t) * x[i]
				for j := range x {
					h[i][j] += q * (1 - q) * x[i] * x[j]
				}
			}
		}
		for i := range g {
			g[i] += ridge * theta[i]
			h[i][i] += ridge
		}
		d, ok := solve3(h, g)
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
	return calibrator{a: theta[0], b: max(theta[1], 0), c: max(theta[2], 0)}
}

// solve3 solves h·x = g by Gaussian elimination with partial pivoting.
func solve3(h [3][3]float64, g [3]float64) ([3]float64, bool) {
	for col := 0; col < 3; col++ {
		piv := col
		for r := col + 1; r < 3; r++ {
			if math.Abs(h[r][col]) > math.Abs(h[piv][col]) {
				piv = r
			}
		}
		if math.Abs(h[piv][col]) < 1e-12 {
			return g, false
		}
		h[col], h[piv] = h[piv], h[col]
		g[col], g[piv] = g[piv], g[col]
		for r := col + 1; r < 3; r++ {
			f := h[r][col] / h[col][col]
			for c := col; c < 3; c++ {
				h[r][c] -= f * h[col][c]
			}
			g[r] -= f * g[col]
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := g[r]
		for c := r + 1; c < 3; c++ {
			s -= h[r][c] * x[c]
		}
		x[r] = s / h[r][r]
	}
	return x, true
}
