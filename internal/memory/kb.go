package memory

import (
	"context"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/kb"
)

var _ kb.Store = (*KBStore)(nil)

// KBStore is the in-memory knowledge base: articles, revisions, phrasings,
// and a brute-force passage index (exact cosine, BM25 full text). Writers are
// serialised; a transaction works on a copy of the state that replaces the
// live one on commit, so readers never wait for it nor see it half-done.
type KBStore struct {
	txMu sync.Mutex   // serialises writers: single writes and transactions
	mu   sync.RWMutex // guards st
	st   *kbState
	inTx bool // a transaction's view: st is private to it, no locking
}

type kbState struct {
	articles   map[string]*kb.Article // by id; values are never mutated
	slugs      map[string]string      // slug → id
	revisions  map[string]*kb.Revision
	revsOf     map[string][]string // article id → revision ids, oldest first
	phrasings  map[string]*kb.Phrasing
	phrOf      map[string][]string // article id → phrasing ids, oldest first
	passages   map[string][]indexedPassage
	df         map[string]int // term → passages containing it
	totalLen   int            // sum of passage lengths in terms
	nPassages  int
	indexState map[string][]byte
	questions  []*kb.QuestionRecord // oldest first; values are never mutated
	handoffs   map[string][]time.Time
	votes      []kb.Vote
	candidates map[string]*kb.Candidate // by id; values are never mutated
}

type indexedPassage struct {
	kb.Passage
	tf   map[string]int
	len  int
	norm float64 // of Embedding, so a search computes only dot products
}

// NewKBStore returns an empty knowledge base.
func NewKBStore() *KBStore {
	return &KBStore{st: &kbState{
		articles:   map[string]*kb.Article{},
		slugs:      map[string]string{},
		revisions:  map[string]*kb.Revision{},
		revsOf:     map[string][]string{},
		phrasings:  map[string]*kb.Phrasing{},
		phrOf:      map[string][]string{},
		passages:   map[string][]indexedPassage{},
		df:         map[string]int{},
		indexState: map[string][]byte{},
		handoffs:   map[string][]time.Time{},
		candidates: map[string]*kb.Candidate{},
	}}
}

func (st *kbState) clone() *kbState {
	c := *st
	c.articles = maps.Clone(st.articles)
	c.slugs = maps.Clone(st.slugs)
	c.revisions = maps.Clone(st.revisions)
	c.revsOf = maps.Clone(st.revsOf)
	c.phrasings = maps.Clone(st.phrasings)
	c.phrOf = maps.Clone(st.phrOf)
	c.passages = maps.Clone(st.passages)
	c.df = maps.Clone(st.df)
	c.indexState = maps.Clone(st.indexState)
	c.questions = slices.Clone(st.questions)
	c.handoffs = maps.Clone(st.handoffs)
	c.votes = slices.Clone(st.votes)
	c.candidates = maps.Clone(st.candidates)
	return &c
}

func (s *KBStore) read() func() {
	if s.inTx {
		return func() {}
	}
	s.mu.RLock()
	return s.mu.RUnlock
}

func (s *KBStore) write() func() {
	if s.inTx {
		return func() {}
	}
	s.txMu.Lock()
	s.mu.Lock()
	return func() { s.mu.Unlock(); s.txMu.Unlock() }
}

// WithTx implements kb.Store. A nested call joins the outer transaction.
func (s *KBStore) WithTx(ctx context.Context, fn func(tx kb.Store) error) error {
	if s.inTx {
		return fn(s)
	}
	s.txMu.Lock()
	defer s.txMu.Unlock()
	s.mu.RLock()
	tx := &KBStore{st: s.st.clone(), inTx: true}
	s.mu.RUnlock()
	if err := fn(tx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.st = tx.st
	s.mu.Unlock()
	return nil
}

func cloneArticle(a *kb.Article) *kb.Article {
	c := *a
	c.Tags = slices.Clone(a.Tags)
	return &c
}

// CreateArticle implements kb.Store.
func (s *KBStore) CreateArticle(ctx context.Context, a *kb.Article) error {
	defer s.write()()
	if _, ok := s.st.slugs[a.Slug]; ok {
		return frontline.Errorf(frontline.EConflict, "slug %q is taken", a.Slug)
	}
	if _, ok := s.st.articles[a.ID]; ok {
		return frontline.Errorf(frontline.EConflict, "article %s exists", a.ID)
	}
	s.st.articles[a.ID] = cloneArticle(a)
	s.st.slugs[a.Slug] = a.ID
	return nil
}

// UpdateArticle implements kb.Store.
func (s *KBStore) UpdateArticle(ctx context.Context, a *kb.Article) error {
	defer s.write()()
	old, ok := s.st.articles[a.ID]
	if !ok {
		return frontline.Errorf(frontline.ENotFound, "article %s not found", a.ID)
	}
	if id, ok := s.st.slugs[a.Slug]; ok && id != a.ID {
		return frontline.Errorf(frontline.EConflict, "slug %q is taken", a.Slug)
	}
	delete(s.st.slugs, old.Slug)
	s.st.slugs[a.Slug] = a.ID
	c := cloneArticle(a)
	c.CreatedAt = old.CreatedAt
	s.st.articles[a.ID] = c
	return nil
}

// FindArticleByID implements kb.Store.
func (s *KBStore) FindArticleByID(ctx context.Context, id string) (*kb.Article, error) {
	defer s.read()()
	a, ok := s.st.articles[id]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "article %s not found", id)
	}
	return cloneArticle(a), nil
}

// FindArticleBySlug implements kb.Store.
func (s *KBStore) FindArticleBySlug(ctx context.Context, slug string) (*kb.Article, error) {
	defer s.read()()
	id, ok := s.st.slugs[slug]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "article %q not found", slug)
	}
	return cloneArticle(s.st.articles[id]), nil
}

// FindArticles implements kb.Store.
func (s *KBStore) FindArticles(ctx context.Context, f kb.ArticleFilter) ([]*kb.Article, error) {
	defer s.read()()
	var out []*kb.Article
	q := strings.ToLower(f.Query)
	for _, a := range s.st.articles {
		if f.State != "" && a.State != f.State ||
			f.Locale != "" && a.Locale != f.Locale ||
			f.Audience != "" && a.Audience != f.Audience ||
			f.Tag != "" && !slices.Contains(a.Tags, f.Tag) ||
			q != "" && !strings.Contains(strings.ToLower(a.Title), q) && !strings.Contains(a.Slug, q) {
			continue
		}
		out = append(out, cloneArticle(a))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return page(out, f.Offset, f.Limit), nil
}

func page[T any](xs []T, offset, limit int) []T {
	if offset > 0 {
		if offset >= len(xs) {
			return nil
		}
		xs = xs[offset:]
	}
	if limit > 0 && len(xs) > limit {
		xs = xs[:limit]
	}
	return xs
}

// PublishRevision implements kb.Store.
func (s *KBStore) PublishRevision(ctx context.Context, rev *kb.Revision, passages []kb.Passage) error {
	defer s.write()()
	a, ok := s.st.articles[rev.ArticleID]
	if !ok {
		return frontline.Errorf(frontline.ENotFound, "article %s not found", rev.ArticleID)
	}
	rev.Number = len(s.st.revsOf[a.ID]) + 1
	r := *rev
	r.Tags = slices.Clone(rev.Tags)
	s.st.revisions[r.ID] = &r
	s.st.revsOf[a.ID] = append(slices.Clone(s.st.revsOf[a.ID]), r.ID)
	c := cloneArticle(a)
	c.Title, c.Body, c.Tags = r.Title, r.Body, slices.Clone(r.Tags)
	c.State = kb.StatePublished
	c.PublishedRevisionID = r.ID
	c.UpdatedAt = r.CreatedAt
	s.st.articles[a.ID] = c
	s.replacePassagesLocked(a.ID, passages)
	return nil
}

// FindRevisions implements kb.Store.
func (s *KBStore) FindRevisions(ctx context.Context, articleID string) ([]*kb.Revision, error) {
	defer s.read()()
	ids := s.st.revsOf[articleID]
	out := make([]*kb.Revision, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		r := *s.st.revisions[ids[i]]
		out = append(out, &r)
	}
	return out, nil
}

// FindRevisionByID implements kb.Store.
func (s *KBStore) FindRevisionByID(ctx context.Context, id string) (*kb.Revision, error) {
	defer s.read()()
	r, ok := s.st.revisions[id]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "revision %s not found", id)
	}
	c := *r
	return &c, nil
}

// ReplacePassages implements kb.Store.
func (s *KBStore) ReplacePassages(ctx context.Context, articleID string, passages []kb.Passage) error {
	defer s.write()()
	if _, ok := s.st.articles[articleID]; !ok {
		return frontline.Errorf(frontline.ENotFound, "article %s not found", articleID)
	}
	s.replacePassagesLocked(articleID, passages)
	return nil
}

func (s *KBStore) replacePassagesLocked(articleID string, passages []kb.Passage) {
	for _, p := range s.st.passages[articleID] {
		for t := range p.tf {
			if s.st.df[t]--; s.st.df[t] == 0 {
				delete(s.st.df, t)
			}
		}
		s.st.totalLen -= p.len
		s.st.nPassages--
	}
	if len(passages) == 0 {
		delete(s.st.passages, articleID)
		return
	}
	idx := make([]indexedPassage, len(passages))
	for i, p := range passages {
		terms := kb.Terms(p.IndexText)
		tf := make(map[string]int, len(terms))
		for _, t := range terms {
			tf[t]++
		}
		for t := range tf {
			s.st.df[t]++
		}
		p.ArticleID = articleID
		p.Embedding = slices.Clone(p.Embedding)
		idx[i] = indexedPassage{Passage: p, tf: tf, len: len(terms), norm: norm(p.Embedding)}
		s.st.totalLen += len(terms)
		s.st.nPassages++
	}
	s.st.passages[articleID] = idx
}

// FindPassages implements kb.Store.
func (s *KBStore) FindPassages(ctx context.Context, articleID string) ([]kb.Passage, error) {
	defer s.read()()
	ps := s.st.passages[articleID]
	out := make([]kb.Passage, len(ps))
	for i, p := range ps {
		out[i] = p.Passage
		out[i].Embedding = nil
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Ordinal < out[j].Ordinal })
	return out, nil
}

// CountPassages implements kb.Store.
func (s *KBStore) CountPassages(ctx context.Context) (int, error) {
	defer s.read()()
	return s.st.nPassages, nil
}

func language(locale string) string {
	lang, _, _ := strings.Cut(locale, "-")
	return lang
}

// eligible reports whether p passes a query's locale and audience filters.
func eligible(p *indexedPassage, locale string, audiences []kb.Audience) bool {
	if locale != "" && language(p.Locale) != language(locale) {
		return false
	}
	return slices.Contains(audiences, p.Audience)
}

func (s *KBStore) match(p *indexedPassage, score float64) kb.PassageMatch {
	a := s.st.articles[p.ArticleID]
	m := kb.PassageMatch{Passage: p.Passage, Slug: a.Slug, Title: a.Title, Score: score}
	m.Embedding = nil // as Postgres: searches do not return vectors
	return m
}

func norm(v []float32) float64 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	return math.Sqrt(n)
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// scoredPassage is a candidate before it becomes a PassageMatch: matches
// are built only for the passages kept.
type scoredPassage struct {
	p     *indexedPassage
	score float64
}

// SearchVector implements kb.Store by exact brute-force cosine.
func (s *KBStore) SearchVector(ctx context.Context, q kb.VectorQuery) ([]kb.PassageMatch, error) {
	defer s.read()()
	qn := norm(q.Vector)
	var out []scoredPassage
	for _, ps := range s.st.passages {
		for i := range ps {
			p := &ps[i]
			if !eligible(p, q.Locale, q.Audiences) {
				continue
			}
			if len(p.Embedding) != len(q.Vector) {
				return nil, frontline.Errorf(frontline.EInvalid, "query vector has %d dimensions, the index has %d", len(q.Vector), len(p.Embedding))
			}
			cos := 0.0
			if qn > 0 && p.norm > 0 {
				cos = float64(dot(q.Vector, p.Embedding)) / (qn * p.norm)
			}
			out = append(out, scoredPassage{p, cos})
		}
	}
	return s.topK(out, q.Limit), nil
}

// BM25 parameters: the usual defaults (Robertson and Zaragoza, 2009).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// SearchText implements kb.Store with BM25 over kb.Terms, any query word
// matching.
func (s *KBStore) SearchText(ctx context.Context, q kb.TextQuery) ([]kb.PassageMatch, error) {
	defer s.read()()
	terms := slices.Compact(slices.Sorted(slices.Values(kb.Terms(q.Text))))
	if len(terms) == 0 || s.st.nPassages == 0 {
		return nil, nil
	}
	n := float64(s.st.nPassages)
	avg := float64(s.st.totalLen) / n
	idf := make([]float64, len(terms))
	for i, t := range terms {
		df := float64(s.st.df[t])
		idf[i] = math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	var out []scoredPassage
	for _, ps := range s.st.passages {
		for i := range ps {
			p := &ps[i]
			if !eligible(p, q.Locale, q.Audiences) {
				continue
			}
			score := 0.0
			for j, t := range terms {
				tf := float64(p.tf[t])
				if tf == 0 {
					continue
				}
				score += idf[j] * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(p.len)/avg))
			}
			if score > 0 {
				out = append(out, scoredPassage{p, score})
			}
		}
	}
	return s.topK(out, q.Limit), nil
}

// topK orders candidates by score, then passage id, and returns the first
// limit as matches.
func (s *KBStore) topK(ms []scoredPassage, limit int) []kb.PassageMatch {
	less := func(a, b scoredPassage) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.p.ID, b.p.ID)
	}
	if limit > 0 && len(ms) > 4*limit {
		// Keep a bounded, sorted top list instead of sorting everything.
		top := make([]scoredPassage, 0, limit+1)
		for _, m := range ms {
			if len(top) == limit && less(m, top[limit-1]) >= 0 {
				continue
			}
			i, _ := slices.BinarySearchFunc(top, m, less)
			top = slices.Insert(top, i, m)
			if len(top) > limit {
				top = top[:limit]
			}
		}
		ms = top
	} else {
		slices.SortFunc(ms, less)
		if limit > 0 && len(ms) > limit {
			ms = ms[:limit]
		}
	}
	out := make([]kb.PassageMatch, len(ms))
	for i, m := range ms {
		out[i] = s.match(m.p, m.score)
	}
	return out
}

// AddPhrasings implements kb.Store.
func (s *KBStore) AddPhrasings(ctx context.Context, ps []*kb.Phrasing) error {
	defer s.write()()
	for _, p := range ps {
		if _, ok := s.st.articles[p.ArticleID]; !ok {
			return frontline.Errorf(frontline.ENotFound, "article %s not found", p.ArticleID)
		}
	}
	for _, p := range ps {
		c := *p
		s.st.phrasings[p.ID] = &c
		s.st.phrOf[p.ArticleID] = append(slices.Clone(s.st.phrOf[p.ArticleID]), p.ID)
	}
	return nil
}

// DeletePhrasing implements kb.Store.
func (s *KBStore) DeletePhrasing(ctx context.Context, id string) error {
	defer s.write()()
	p, ok := s.st.phrasings[id]
	if !ok {
		return frontline.Errorf(frontline.ENotFound, "phrasing %s not found", id)
	}
	delete(s.st.phrasings, id)
	s.st.phrOf[p.ArticleID] = slices.DeleteFunc(slices.Clone(s.st.phrOf[p.ArticleID]), func(x string) bool { return x == id })
	return nil
}

// FindPhrasings implements kb.Store.
func (s *KBStore) FindPhrasings(ctx context.Context, articleID string) ([]*kb.Phrasing, error) {
	defer s.read()()
	ids := s.st.phrOf[articleID]
	out := make([]*kb.Phrasing, len(ids))
	for i, id := range ids {
		c := *s.st.phrasings[id]
		out[i] = &c
	}
	return out, nil
}

// FindPhrasingByID implements kb.Store.
func (s *KBStore) FindPhrasingByID(ctx context.Context, id string) (*kb.Phrasing, error) {
	defer s.read()()
	p, ok := s.st.phrasings[id]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "phrasing %s not found", id)
	}
	c := *p
	return &c, nil
}

// SaveIndexState implements kb.Store.
func (s *KBStore) SaveIndexState(ctx context.Context, name string, data []byte) error {
	defer s.write()()
	s.st.indexState[name] = slices.Clone(data)
	return nil
}

// LoadIndexState implements kb.Store.
func (s *KBStore) LoadIndexState(ctx context.Context, name string) ([]byte, error) {
	defer s.read()()
	d, ok := s.st.indexState[name]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "index state %q not found", name)
	}
	return slices.Clone(d), nil
}

// RecordQuestion implements kb.Store.
func (s *KBStore) RecordQuestion(ctx context.Context, q *kb.QuestionRecord) error {
	defer s.write()()
	c := *q
	c.ArticleIDs = slices.Clone(q.ArticleIDs)
	c.HandoffSignals = slices.Clone(q.HandoffSignals)
	s.st.questions = append(s.st.questions, &c)
	return nil
}

// RecordVote implements kb.Store.
func (s *KBStore) RecordVote(ctx context.Context, v *kb.Vote) error {
	defer s.write()()
	if _, ok := s.st.articles[v.ArticleID]; !ok {
		return frontline.Errorf(frontline.ENotFound, "article %s not found", v.ArticleID)
	}
	s.st.votes = append(s.st.votes, *v)
	return nil
}

// RecordHandoff implements kb.Store.
func (s *KBStore) RecordHandoff(ctx context.Context, conversationID string, t time.Time) error {
	defer s.write()()
	s.st.handoffs[conversationID] = append(slices.Clone(s.st.handoffs[conversationID]), t)
	return nil
}

func (st *kbState) handedOffAfter(q *kb.QuestionRecord) bool {
	for _, t := range st.handoffs[q.ConversationID] {
		if !t.Before(q.CreatedAt) {
			return true
		}
	}
	return false
}

// FindQuestions implements kb.Store.
func (s *KBStore) FindQuestions(ctx context.Context, f kb.QuestionFilter) ([]*kb.QuestionRecord, error) {
	defer s.read()()
	var out []*kb.QuestionRecord
	for i := len(s.st.questions) - 1; i >= 0; i-- {
		q := *s.st.questions[i]
		q.ArticleIDs = slices.Clone(q.ArticleIDs)
		q.HandoffSignals = slices.Clone(q.HandoffSignals)
		q.HandedOff = s.st.handedOffAfter(&q)
		if !f.Since.IsZero() && q.CreatedAt.Before(f.Since) {
			continue
		}
		if f.Unanswered && (q.ResolvedArticleID != "" || len(q.HandoffSignals) > 0 || !q.Abstained && !q.HandedOff) {
			continue
		}
		if f.HandedOffForSignal && len(q.HandoffSignals) == 0 {
			continue
		}
		out = append(out, &q)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}

// ResolveQuestions implements kb.Store.
func (s *KBStore) ResolveQuestions(ctx context.Context, ids []string, articleID string) error {
	defer s.write()()
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	found := 0
	for i, q := range s.st.questions {
		if want[q.ID] {
			c := *q
			c.ResolvedArticleID = articleID
			s.st.questions[i] = &c
			found++
		}
	}
	if found != len(want) {
		return frontline.Errorf(frontline.ENotFound, "%d of %d questions not found", len(want)-found, len(want))
	}
	return nil
}

// ArticleStats implements kb.Store.
func (s *KBStore) ArticleStats(ctx context.Context) ([]kb.ArticleStat, error) {
	defer s.read()()
	stats := map[string]*kb.ArticleStat{}
	for _, q := range s.st.questions {
		handed := s.st.handedOffAfter(q)
		for _, id := range slices.Compact(slices.Sorted(slices.Values(q.ArticleIDs))) {
			a, ok := s.st.articles[id]
			if !ok {
				continue
			}
			st := stats[id]
			if st == nil {
				st = &kb.ArticleStat{ArticleID: id, Slug: a.Slug, Title: a.Title}
				stats[id] = st
			}
			st.Cited++
			if handed {
				st.HandedOffAfter++
			}
		}
	}
	for _, v := range s.st.votes {
		a, ok := s.st.articles[v.ArticleID]
		if !ok {
			continue
		}
		st := stats[v.ArticleID]
		if st == nil {
			st = &kb.ArticleStat{ArticleID: a.ID, Slug: a.Slug, Title: a.Title}
			stats[v.ArticleID] = st
		}
		if v.Helpful {
			st.Helpful++
		} else {
			st.NotHelpful++
		}
	}
	out := make([]kb.ArticleStat, 0, len(stats))
	for _, st := range stats {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Cited != out[j].Cited {
			return out[i].Cited > out[j].Cited
		}
		return out[i].Slug < out[j].Slug
	})
	return out, nil
}

// ProposeCandidate implements kb.Store.
func (s *KBStore) ProposeCandidate(ctx context.Context, c *kb.Candidate) error {
	defer s.write()()
	if _, ok := s.st.articles[c.ArticleID]; !ok {
		return frontline.Errorf(frontline.ENotFound, "article %s not found", c.ArticleID)
	}
	for id, old := range s.st.candidates {
		if old.ArticleID == c.ArticleID && old.TextKey == c.TextKey {
			n := *old
			n.Count++
			n.UpdatedAt = c.UpdatedAt
			s.st.candidates[id] = &n
			*c = n
			return nil
		}
	}
	n := *c
	s.st.candidates[c.ID] = &n
	return nil
}

// FindCandidates implements kb.Store.
func (s *KBStore) FindCandidates(ctx context.Context, f kb.CandidateFilter) ([]*kb.Candidate, error) {
	defer s.read()()
	var out []*kb.Candidate
	for _, c := range s.st.candidates {
		if (f.State == "" || c.State == f.State) && (f.ArticleID == "" || c.ArticleID == f.ArticleID) {
			n := *c
			out = append(out, &n)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID > b.ID
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// FindCandidateByID implements kb.Store.
func (s *KBStore) FindCandidateByID(ctx context.Context, id string) (*kb.Candidate, error) {
	defer s.read()()
	c, ok := s.st.candidates[id]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "candidate %s not found", id)
	}
	n := *c
	return &n, nil
}

// SetCandidateState implements kb.Store.
func (s *KBStore) SetCandidateState(ctx context.Context, id string, state kb.CandidateState, phrasingID string, at time.Time) error {
	defer s.write()()
	c, ok := s.st.candidates[id]
	if !ok {
		return frontline.Errorf(frontline.ENotFound, "candidate %s not found", id)
	}
	n := *c
	n.State, n.PhrasingID, n.UpdatedAt = state, phrasingID, at
	s.st.candidates[id] = &n
	return nil
}
