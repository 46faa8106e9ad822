package kb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	frontline "github.com/frontlinehq/frontline"
)

// SearchQuery is a customer's question. Text must already be masked.
type SearchQuery struct {
	Text string
	// Locale restricts the search to articles in that language and picks
	// the full-text language; "" searches every locale with the default
	// language's full-text rules.
	Locale string
	// Audience is who asks: "public" (anonymous, the default) sees public
	// articles; "customers" (signed in) sees public and customer articles.
	Audience string
	// Limit is the most hits returned, one per article. Default 5, max 50.
	Limit int
}

// Hit is one article found for a query, represented by its best passage.
type Hit struct {
	ArticleID  string  `json:"article_id"`
	RevisionID string  `json:"revision_id"`
	Slug       string  `json:"slug"`
	Title      string  `json:"title"`
	Passage    string  `json:"passage"` // Markdown of the best chunk
	URL        string  `json:"url"`
	Score      float64 `json:"score"` // calibrated, in [0,1]
}

// SearchResult is what Search found. Hits are ordered by fused rank, best
// first. When Abstained is set the top hit scored below Threshold: there is
// no confident match and the bot must not answer from Hits (they are still
// returned so editors can see what was near).
type SearchResult struct {
	Hits      []Hit   `json:"hits"`
	Abstained bool    `json:"abstained"`
	Threshold float64 `json:"threshold"`
	TopScore  float64 `json:"top_score"`
}

// MaxSuggestions is the most articles the bot offers ("Is it one of
// these?") when it is not confident enough to answer.
const MaxSuggestions = 3

// DefaultSuggestMin is the least score of the best hit for the bot to
// offer suggestions. A score is the probability that the article is the
// right one: below this the offer is more noise than help, and it keeps
// most questions no article answers from getting offers.
const DefaultSuggestMin = 0.05

// Suggestions returns the hits to offer when the result abstains: the best
// MaxSuggestions hits, when the best scores at least that (the others come
// with it: a customer tells related articles apart at a glance), else none.
func (r SearchResult) Suggestions(least float64) []Hit {
	if len(r.Hits) == 0 || r.Hits[0].Score < least {
		return nil
	}
	return r.Hits[:min(len(r.Hits), MaxSuggestions)]
}

// Search finds the published articles that best answer q. Candidates come
// from two retrievers over the passage index: vector (cosine over
// embeddings, HNSW on Postgres) and full text (language-aware); they are
// fused by reciprocal rank fusion at the article level (each article is
// represented by its best passage in each list), and each hit gets a
// calibrated score: the estimated probability that it is the right
// article (see confidence.go and selfcal.go). Only published articles of the query's
// audience (and locale, if given) are considered. Every decision is logged.
// EInvalid for empty or oversized text or an unknown audience; EUnavailable
// when the embedder fails.
func (s *Service) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	res := SearchResult{Threshold: s.opts.Threshold, Abstained: true}
	text, err := validText("text", q.Text)
	if err != nil {
		return res, err
	}
	audiences, err := audiencesFor(q.Audience)
	if err != nil {
		return res, err
	}
	if err := checkFilterText("locale", q.Locale); err != nil {
		return res, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 5
	}
	limit = min(limit, 50)
	if err := s.ensureReady(ctx); err != nil {
		return res, err
	}
	vmatches, tmatches, err := s.retrieve(ctx, s.store, text, audiences, q.Locale, s.opts.Candidates)
	if err != nil {
		return res, fmt.Errorf("search: %w", err)
	}
	var ranked []rankedArticle
	var scores []float64
	if rk := s.rk.Load(); rk != nil {
		ranked, scores, err = s.rankByModel(ctx, rk, text, vmatches, tmatches, audiences, q.Locale, limit, s.opts.Ranking)
		if err != nil {
			return res, fmt.Errorf("search: %w", err)
		}
	} else {
		ranked = fuse(vmatches, tmatches, s.opts.Votes)
		scores = s.rc.Load().retrievalScores(ranked, tmatches, text)
	}
	for i, r := range ranked {
		if i == limit {
			break
		}
		passage, err := s.displayPassage(ctx, r)
		if err != nil {
			return res, fmt.Errorf("search: %w", err)
		}
		res.Hits = append(res.Hits, Hit{
			ArticleID:  r.articleID,
			RevisionID: r.best.RevisionID,
			Slug:       r.best.Slug,
			Title:      r.best.Title,
			Passage:    passage,
			URL:        s.opts.ArticleURLPrefix + r.best.Slug,
			Score:      scores[i],
		})
	}
	if len(res.Hits) > 0 {
		res.TopScore = res.Hits[0].Score
	}
	res.Abstained = res.TopScore < s.opts.Threshold
	// The decision at info; the customer's words only at debug (they may
	// come unmasked, e.g. from the help centre's search box).
	s.log.DebugContext(ctx, "kb search query", "query", text)
	s.log.InfoContext(ctx, "kb search",
		"top_score", round3(res.TopScore),
		"threshold", s.opts.Threshold,
		"abstained", res.Abstained,
		"top_slug", topSlug(res.Hits),
		"hits", len(res.Hits))
	s.log.DebugContext(ctx, "kb search query", "query", text)
	return res, nil
}

// retrieve runs both retrievers over st for text: the vector and the
// full-text candidates, limit of each.
func (s *Service) retrieve(ctx context.Context, st Store, text string, audiences []Audience, locale string, limit int) (vector, fulltext []PassageMatch, err error) {
	textQuery, vecQuery := s.queries(text)
	vecs, err := s.emb.Embed(ctx, []string{vecQuery})
	if err != nil {
		return nil, nil, err
	}
	return s.retrieveEmbedded(ctx, st, textQuery, vecs[0], audiences, locale, limit)
}

// queries returns what the full-text and the vector retrievers look for:
// text with the lexicon's synonyms where Options.Expansion says.
func (s *Service) queries(text string) (textQuery, vecQuery string) {
	textQuery, vecQuery = text, text
	if s.opts.Expansion != ExpandOff {
		textQuery = expandQuery(text)
		if s.opts.Expansion == ExpandBoth {
			vecQuery = textQuery
		}
	}
	return textQuery, vecQuery
}

// retrieveEmbedded is retrieve with the vector query already embedded.
// The two retrievers run at once (on Postgres, two connections and two
// round trips in parallel), except in a transaction, which is one
// connection.
func (s *Service) retrieveEmbedded(ctx context.Context, st Store, textQuery string, vec []float32, audiences []Audience, locale string, limit int) (vector, fulltext []PassageMatch, err error) {
	searchText := func() ([]PassageMatch, error) {
		return st.SearchText(ctx, TextQuery{Text: textQuery, Locale: locale, Audiences: audiences, Limit: limit})
	}
	type textResult struct {
		matches []PassageMatch
		err     error
	}
	var textCh chan textResult
	if !s.inTx && st == s.store {
		textCh = make(chan textResult, 1)
		go func() {
			m, err := searchText()
			textCh <- textResult{m, err}
		}()
	}
	vector, err = st.SearchVector(ctx, VectorQuery{Vector: vec, Locale: locale, Audiences: audiences, Limit: limit})
	if textCh != nil {
		r := <-textCh
		fulltext, err = r.matches, errors.Join(err, r.err)
	} else if err == nil {
		fulltext, err = searchText()
	}
	if err != nil {
		return nil, nil, err
	}
	return vector, fulltext, nil
}

func topSlug(h []Hit) string {
	if len(h) == 0 {
		return ""
	}
	return h[0].Slug
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// audiencesFor maps who is asking to the audiences they may see.
func audiencesFor(a string) ([]Audience, error) {
	switch Audience(a) {
	case "", AudiencePublic:
		return []Audience{AudiencePublic}, nil
	case AudienceCustomers:
		return []Audience{AudiencePublic, AudienceCustomers}, nil
	}
	return nil, frontline.Errorf(frontline.EInvalid, "audience: %q is not public or customers", a)
}

// displayPassage returns the Markdown to show for a hit: its best chunk. When
// the article was found through a phrasing, the chunk that best matched in
// the candidates is used, else the article's first chunk.
func (s *Service) displayPassage(ctx context.Context, r rankedArticle) (string, error) {
	if r.bestChunk != nil {
		return r.bestChunk.Text, nil
	}
	ps, err := s.store.FindPassages(ctx, r.articleID)
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if p.Kind == KindChunk {
			return p.Text, nil
		}
	}
	return r.best.Title, nil
}

// rrfK damps the weight of the very top ranks in reciprocal rank fusion;
// 60 is the value of Cormack et al. (2009) and works across collections.
const rrfK = 60

// rankedArticle is one article after fusion.
type rankedArticle struct {
	articleID string
	fused     float64
	// cosine is the best cosine similarity of any of its passages among
	// the vector candidates (0 if none).
	cosine    float64
	best      PassageMatch  // best passage overall (vector first, else text)
	bestChunk *PassageMatch // best chunk passage among the candidates
}

// fuse groups both candidate lists per article and orders articles by
// reciprocal rank fusion of their best ranks in each list. Ties are broken
// by cosine, then slug, then article id, so results are deterministic.
func fuse(vector, text []PassageMatch, votes int) []rankedArticle {
	if votes <= 0 {
		votes = 1
	}
	byID := make(map[string]*rankedArticle)
	get := func(m PassageMatch) *rankedArticle {
		r := byID[m.ArticleID]
		if r == nil {
			r = &rankedArticle{articleID: m.ArticleID, best: m}
			byID[m.ArticleID] = r
		}
		return r
	}
	addList := func(list []PassageMatch, isVector bool) {
		rank := 0
		seen := make(map[string]bool)
		for _, m := range byVotes(list, votes) {
			r := get(m)
			if m.Kind == KindChunk && r.bestChunk == nil {
				c := m
				r.bestChunk = &c
			}
			if seen[m.ArticleID] {
				continue
			}
			seen[m.ArticleID] = true
			rank++
			r.fused += 1 / float64(rrfK+rank)
			if isVector {
				r.best = m
			}
		}
	}
	addList(vector, true)
	addList(text, false)
	for _, m := range vector {
		if r := byID[m.ArticleID]; m.Score > r.cosine {
			r.cosine = m.Score
		}
	}
	out := make([]rankedArticle, 0, len(byID))
	for _, r := range byID {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.fused != b.fused {
			return a.fused > b.fused
		}
		if a.cosine != b.cosine {
			return a.cosine > b.cosine
		}
		if a.best.Slug != b.best.Slug {
			return a.best.Slug < b.best.Slug // stable across rebuilds, unlike ids
		}
		return a.articleID < b.articleID
	})
	return out
}

// byVotes reorders a retriever's passages so that articles come in the order
// of the summed scores of their best votes passages (a k-nearest-neighbour
// vote: an article several of whose phrasings are close beats one with a
// single close phrasing), each article's passages staying in their order.
func byVotes(list []PassageMatch, votes int) []PassageMatch {
	if votes <= 1 {
		return list
	}
	sum := map[string]float64{}
	n := map[string]int{}
	first := map[string]int{}
	for i, m := range list {
		if _, ok := first[m.ArticleID]; !ok {
			first[m.ArticleID] = i
		}
		if n[m.ArticleID] < votes {
			sum[m.ArticleID] += m.Score
			n[m.ArticleID]++
		}
	}
	out := slices.Clone(list)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].ArticleID, out[j].ArticleID
		if a == b {
			return false
		}
		if sum[a] != sum[b] {
			return sum[a] > sum[b]
		}
		return first[a] < first[b]
	})
	return out
}
