package kb

import "math"

// Calibration constants. See calibrate.
const (
	calCenter = 0.5 // cosine at which a clear-margin hit scores 0.5
	calSlope  = 10  // how fast the score rises with cosine
	calMargin = 10  // weight of the lead over the runner-up article
)

// calibrate maps each ranked article to a score in [0,1] from two signals
// that mean the same thing in every KB: how similar its best passage is to
// the question (cosine) and how far it leads the best other article
// (margin). A question that matches one article clearly scores high; one
// that matches nothing, or matches several articles equally, scores low.
func calibrate(ranked []rankedArticle) []float64 {
	out := make([]float64, len(ranked))
	for i, r := range ranked {
		other := 0.0
		for j, o := range ranked {
			if j != i && o.cosine > other {
				other = o.cosine
			}
		}
		margin := r.cosine - other
		out[i] = sigmoid(calSlope*(r.cosine-calCenter) + calMargin*margin)
	}
	return out
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
