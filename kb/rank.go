package kb

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	frontline "github.com/frontlinehq/frontline"
)

// Ranking modes for Options.Ranking.
const (
	// RankingModel ranks articles by the per-KB ranker (see ranker.go)
	// when the KB has phrasings, and by fused retrieval otherwise.
	RankingModel = "model"
	// RankingFused adds the ranker's order as a third list to the
	// reciprocal rank fusion of the vector and full-text retrievers.
	RankingFused = "fused"
	// RankingRetrieval never trains a ranker: fused retrieval only.
	RankingRetrieval = "retrieval"
)

// rankerStateName is where Reindex keeps the trained ranker; an empty value
// means the KB has too few phrasings for one.
const rankerStateName = "ranker:v2"

// reindexItem is one published article as Reindex sees it.
type reindexItem struct {
	a   *Article
	rev *Revision
	phr []*Phrasing
}

// trainKBRanker trains the ranker on the KB's articles (classes) with their
// chunks and phrasings as examples. The phrasings of articles with enough
// of them are cut into folds (the i-th phrasing of an article in fold i mod
// folds) to fit the confidence model on out-of-fold predictions. It returns
// nil when fewer than two articles have enough phrasings to learn from:
// such a KB is ranked by retrieval alone.
func trainKBRanker(items []reindexItem, chunkRunes int, o rankerOptions) *ranker {
	withPhrasings := 0
	for _, it := range items {
		if len(it.phr) >= o.calMinPhrasings {
			withPhrasings++
		}
	}
	if withPhrasings < 2 {
		return trainArticleRanker(items, chunkRunes, o)
	}
	sorted := slices.Clone(items)
	// By slug, not by id: ids are random, and the examples' order steers
	// the training, so the same KB must list them in the same order.
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].a.Slug < sorted[j].a.Slug })
	classes := make([]string, len(sorted))
	var examples []rankerExample
	var fold []int
	for c, it := range sorted {
		classes[c] = it.a.ID
		for _, ch := range Chunk(it.rev.Title, it.rev.Body, chunkRunes) {
			examples = append(examples, rankerExample{text: ch.IndexText, class: c})
			fold = append(fold, -1)
		}
		for i, p := range it.phr {
			examples = append(examples, rankerExample{text: p.Text, class: c})
			f := -1
			if len(it.phr) >= o.calMinPhrasings {
				f = i % o.folds
			}
			fold = append(fold, f)
		}
	}
	return trainRanker(classes, examples, fold, o)
}

// trainArticleRanker trains a ranker for a KB without phrasings on its
// articles' own words: the title, each heading and each prose sentence of
// an article is one example of it, so the model learns which words tell the
// articles apart. It has no confidence model (nothing is held out): it
// only orders, fused with the retrievers as a third list (see articleOnly),
// and scores come from the article-only calibration. On questions written
// for the demo KB apart from its test set (testdata/devquestions.csv) this
// raised ranking top-1 from 0.625 to 0.681.
func trainArticleRanker(items []reindexItem, chunkRunes int, o rankerOptions) *ranker {
	if len(items) < 2 {
		return nil
	}
	sorted := slices.Clone(items)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].a.Slug < sorted[j].a.Slug })
	classes := make([]string, len(sorted))
	var examples []rankerExample
	for c, it := range sorted {
		classes[c] = it.a.ID
		examples = append(examples, rankerExample{text: it.rev.Title, class: c})
		for _, ch := range Chunk(it.rev.Title, it.rev.Body, chunkRunes) {
			examples = append(examples, rankerExample{text: ch.IndexText, class: c})
			if ch.Heading != "" {
				examples = append(examples, rankerExample{text: ch.Heading, class: c})
			}
			for _, sn := range proseSentences(ch.Text) {
				examples = append(examples, rankerExample{text: sn, class: c})
			}
		}
	}
	r := trainRanker(classes, examples, make([]int, len(examples)), o)
	r.articleOnly = true
	return r
}

// loadRanker reads the trained ranker from the store (nil if none).
func loadRanker(ctx context.Context, st Store) (*ranker, error) {
	data, err := st.LoadIndexState(ctx, rankerStateName)
	switch {
	case frontline.ErrorCode(err) == frontline.ENotFound:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("load ranker: %w", err)
	case len(data) == 0:
		return nil, nil
	}
	return unmarshalRanker(data)
}

// eligibleArticle reports whether a is searchable by a query of these
// audiences and locale (the filters the retrievers apply to passages).
func eligibleArticle(a *Article, audiences []Audience, locale string) bool {
	if a.State != StatePublished || a.PublishedRevisionID == "" || !slices.Contains(audiences, a.Audience) {
		return false
	}
	lang := func(l string) string { x, _, _ := strings.Cut(strings.ToLower(l), "-"); return x }
	return locale == "" || lang(a.Locale) == lang(locale)
}

// rankByModel orders articles by the ranker's calibrated score. Articles
// among the retrieval candidates keep their best passages; others are
// looked up (and skipped if the query may not see them). Articles published
// since the ranker was trained are scored by the retrieval calibration and
// merged in by score. mode RankingFused orders by fusion of the ranker's
// order with the retrievers' instead, scores made non-increasing.
func (s *Service) rankByModel(ctx context.Context, rk *ranker, text string, vector, fulltext []PassageMatch, audiences []Audience, locale string, limit int, mode string) ([]rankedArticle, []float64, error) {
	fused := fuse(vector, fulltext, s.opts.Votes)
	retrievalScores := s.rc.Load().retrievalScores(fused, fulltext, text)
	cand := make(map[string]int, len(fused))
	for i, r := range fused {
		cand[r.articleID] = i
	}
	view := rk.view(text)
	probs := view.p
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return probs[order[i]] > probs[order[j]] })
	known := make(map[string]bool, len(rk.classes))
	for _, id := range rk.classes {
		known[id] = true
	}
	type scored struct {
		r     rankedArticle
		score float64
		rank  int // in the ranker's order
	}
	var out []scored
	// Look at more than limit so that fusion has material and skipped
	// (ineligible) articles do not shorten the list.
	want, lookups := limit+5, 0
	for rank, c := range order {
		if len(out) == want || lookups > want {
			break
		}
		id := rk.classes[c]
		score := rk.score(view, c)
		if i, ok := cand[id]; ok {
			out = append(out, scored{fused[i], score, rank})
			continue
		}
		lookups++
		a, err := s.store.FindArticleByID(ctx, id)
		if frontline.ErrorCode(err) == frontline.ENotFound {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if !eligibleArticle(a, audiences, locale) {
			continue
		}
		m := PassageMatch{Passage: Passage{ArticleID: a.ID, RevisionID: a.PublishedRevisionID}, Slug: a.Slug, Title: a.Title}
		out = append(out, scored{rankedArticle{articleID: a.ID, best: m}, score, rank})
	}
	for i, r := range fused {
		if !known[r.articleID] {
			out = append(out, scored{r, retrievalScores[i], len(order)})
		}
	}
	if mode == RankingFused || rk.articleOnly {
		rrf := func(x scored) float64 { return x.r.fused + 1/float64(rrfK+x.rank+1) }
		sort.SliceStable(out, func(i, j int) bool { return rrf(out[i]) > rrf(out[j]) })
		for i := 1; i < len(out); i++ {
			out[i].score = min(out[i].score, out[i-1].score)
		}
	} else {
		// The ranker's order (its probabilities), which is what the
		// confidence model was fitted on: the score of the first is the
		// probability that the ranker's choice is right.
		sort.SliceStable(out, func(i, j int) bool { return out[i].rank < out[j].rank })
		for i := 1; i < len(out); i++ {
			out[i].score = min(out[i].score, out[i-1].score)
		}
	}
	ranked := make([]rankedArticle, len(out))
	scores := make([]float64, len(out))
	for i, x := range out {
		ranked[i], scores[i] = x.r, x.score
	}
	if rk.articleOnly {
		// Trained on the articles' own sentences, the ranker is surest
		// exactly where retrieval already is: score the fused order by
		// the article-only calibration.
		scores = s.rc.Load().retrievalScores(ranked, fulltext, text)
	}
	return ranked, scores, nil
}
