package kb

import "math"

// Calibration constants. See calibrate.
const (
	calCenter = 0.5 // cosine at which a clear-margin hit scores 0.5
	calSlope  = 10  // how fast the score rises with cosine
	calMargin = 10  // weight of the lead over the runner-up article
)

// calibrate maps each ranked article to a score in [0,1] from two signals
// that do not depend on the size of the KB nor on the fusion ranks (which
// change with the number of candidates): how similar its best passage is to
// the question (cosine of unit vectors) and how far it leads the best other
// article (margin):
//
//	score = sigmoid(10·(cosine − 0.5) + 10·margin)
//
// so a passage at cosine 0.5 with no runner-up close to it scores 0.5, and
// every 0.1 of cosine or of lead adds one logit. A question that matches one
// article clearly scores high; one that matches nothing, or several articles
// equally, scores low. The constants are fixed (not fitted per KB), so one
// threshold means the same cosine/margin trade-off in every KB with the same
// embedder; `frontline eval retrieval --pick-threshold-on` picks the
// operating point on a labelled held-out set.
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
