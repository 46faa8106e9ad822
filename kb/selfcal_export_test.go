package kb

import "context"

// HeldOutPseudoPrecision fits the article-only calibration on the even
// pseudo-questions of s's published articles and reports, on the odd ones
// at threshold t: the share answered, the mean score of those answered (the
// estimated precision) and the share of them that were right (the observed
// precision).
func HeldOutPseudoPrecision(ctx context.Context, s *Service, t float64) (answered, estimated, observed float64, err error) {
	arts, err := s.store.FindArticles(ctx, ArticleFilter{State: StatePublished})
	if err != nil {
		return 0, 0, 0, err
	}
	var items []reindexItem
	chunks := map[string][]Passage{}
	for _, a := range arts {
		rev, err := s.store.FindRevisionByID(ctx, a.PublishedRevisionID)
		if err != nil {
			return 0, 0, 0, err
		}
		items = append(items, reindexItem{a: a, rev: rev})
		chunks[a.ID] = Chunk(rev.Title, rev.Body, s.opts.ChunkRunes)
	}
	xs, ys, err := s.askPseudoQuestions(ctx, s.store, pseudoQuestions(items, chunks))
	if err != nil {
		return 0, 0, 0, err
	}
	var fitX, testX []retFeatures
	var fitY, testY []bool
	for i := range xs {
		if i%2 == 0 {
			fitX, fitY = append(fitX, xs[i]), append(fitY, ys[i])
		} else {
			testX, testY = append(testX, xs[i]), append(testY, ys[i])
		}
	}
	c := retrievalCal{w: fitLogistic(fitX, fitY)}
	var n, right int
	var sum float64
	for i, x := range testX {
		if p := c.score(x); p >= t {
			n++
			sum += p
			if testY[i] {
				right++
			}
		}
	}
	if n == 0 {
		return 0, 0, 0, nil
	}
	return float64(n) / float64(len(testX)), sum / float64(n), float64(right) / float64(n), nil
}
