package kb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	frontline "github.com/frontlinehq/frontline"
)

// Learning from the site's own traffic. Every resolved question is a
// candidate phrasing of the article that resolved it: a customer who picked
// an article from the bot's suggestions, an agent who answered with an
// article (the console calls ProposeFromAgent), an editor who attached an
// unanswered question (AttachQuestions, accepted at once: the editor
// reviewed it). Candidates wait for an editor's one-click review in the
// editor, or are accepted at once when Options.AutoAccept names their
// source. An accepted candidate becomes a phrasing through AddPhrasings:
// its article is re-indexed at once and the ranker's neighbour vote learns
// it in place (see learnPhrasings), so the next customer who asks the same
// finds it within the same request, with no retraining; the next Reindex
// folds it into the trained model.

// CandidateSource says what resolved the question a candidate came from.
type CandidateSource string

const (
	// CandidatePicked: the customer picked the article from the bot's
	// suggestions ("Is it one of these?").
	CandidatePicked CandidateSource = "picked"
	// CandidateAgent: an agent answered with (inserted or linked) the
	// article.
	CandidateAgent CandidateSource = "agent"
)

// Valid reports whether s is a known source.
func (s CandidateSource) Valid() bool { return s == CandidatePicked || s == CandidateAgent }

// CandidateState is an editor's decision on a candidate.
type CandidateState string

const (
	CandidatePending  CandidateState = "pending"
	CandidateAccepted CandidateState = "accepted"
	CandidateRejected CandidateState = "rejected"
)

// Candidate is a customer question proposed as a phrasing of an article.
// Text is masked by whoever proposes it (the bot and the console store
// masked text only).
type Candidate struct {
	ID        string `json:"id"`
	ArticleID string `json:"article_id"`
	Text      string `json:"text"`
	// TextKey is Text folded (lower case, single spaces, no punctuation at
	// the ends): the same question typed twice is one candidate.
	TextKey    string          `json:"-"`
	Source     CandidateSource `json:"source"`
	Locale     string          `json:"locale,omitempty"`
	Count      int             `json:"count"` // times proposed
	State      CandidateState  `json:"state"`
	PhrasingID string          `json:"phrasing_id,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// CandidateFilter selects candidates; zero fields match all.
type CandidateFilter struct {
	State     CandidateState
	ArticleID string
	Limit     int // 0: no limit
}

// Proposal is one resolved question offered as a candidate phrasing.
type Proposal struct {
	ArticleID string
	Text      string // masked
	Source    CandidateSource
	// Locale of the question ("" if unknown): a question in another
	// language than the article's is refused, since it would teach the
	// article words its readers do not use.
	Locale string
}

// foldText is a candidate's TextKey.
func foldText(s string) string {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// Propose records a resolved question as a candidate phrasing of its
// article and, if Options.AutoAccept names its source, accepts it at once.
// Outcomes: EInvalid for an empty or oversized text, an unknown source, a
// question in another language than the article, or an article that is not
// published (a learning signal for a withdrawn article teaches nothing);
// ENotFound for a missing (deleted) article. The same question proposed
// again counts on the existing candidate, whatever its state: a rejected
// one stays rejected.
func (s *Service) Propose(ctx context.Context, p Proposal) (*Candidate, error) {
	text, err := validText("text", p.Text)
	if err != nil {
		return nil, err
	}
	if !p.Source.Valid() {
		return nil, frontline.Errorf(frontline.EInvalid, "source: %q is not picked or agent", p.Source)
	}
	a, err := s.store.FindArticleByID(ctx, p.ArticleID)
	if err != nil {
		return nil, err
	}
	if a.State != StatePublished || a.PublishedRevisionID == "" {
		return nil, frontline.Errorf(frontline.EInvalid, "article %s is %s, not published: nothing to learn for it", a.Slug, a.State)
	}
	if p.Locale != "" && a.Locale != "" && langOf(p.Locale) != langOf(a.Locale) {
		return nil, frontline.Errorf(frontline.EInvalid, "locale: a %s question is not a phrasing of the %s article %s", p.Locale, a.Locale, a.Slug)
	}
	now := s.opts.Now().UTC()
	c := &Candidate{
		ID: frontline.NewID("cand_"), ArticleID: a.ID, Text: text, TextKey: foldText(text),
		Source: p.Source, Locale: p.Locale, Count: 1, State: CandidatePending, CreatedAt: now, UpdatedAt: now,
	}
	if c.TextKey == "" {
		return nil, frontline.Errorf(frontline.EInvalid, "text: nothing but punctuation")
	}
	if err := s.store.ProposeCandidate(ctx, c); err != nil {
		return nil, fmt.Errorf("propose phrasing: %w", err)
	}
	if c.State == CandidatePending && s.opts.AutoAccept[c.Source] {
		return s.AcceptCandidate(ctx, c.ID)
	}
	return c, nil
}

// ProposeFromAgent is the console's hook: an agent resolved a customer's
// question (masked) by inserting or linking the article. It is Propose
// with source CandidateAgent.
func (s *Service) ProposeFromAgent(ctx context.Context, articleID, question, locale string) (*Candidate, error) {
	return s.Propose(ctx, Proposal{ArticleID: articleID, Text: question, Source: CandidateAgent, Locale: locale})
}

// Candidates lists candidate phrasings matching f, most proposed first.
func (s *Service) Candidates(ctx context.Context, f CandidateFilter) ([]*Candidate, error) {
	return s.store.FindCandidates(ctx, f)
}

// AcceptCandidate makes a pending candidate a phrasing of its article (its
// article re-indexed at once, the ranker told) and marks it accepted, in
// one transaction. Accepting an accepted candidate returns it unchanged.
// ENotFound for a missing candidate or article, EConflict for a rejected
// one, EInvalid when its article is no longer published.
func (s *Service) AcceptCandidate(ctx context.Context, id string) (*Candidate, error) {
	var out *Candidate
	var learned []*Phrasing
	err := s.InTx(ctx, func(tx *Service) error {
		c, err := tx.store.FindCandidateByID(ctx, id)
		if err != nil {
			return err
		}
		switch c.State {
		case CandidateAccepted:
			out = c
			return nil
		case CandidateRejected:
			return frontline.Errorf(frontline.EConflict, "candidate %s was rejected", id)
		}
		a, err := tx.store.FindArticleByID(ctx, c.ArticleID)
		if err != nil {
			return err
		}
		if a.State != StatePublished {
			return frontline.Errorf(frontline.EInvalid, "article %s is %s, not published", a.Slug, a.State)
		}
		ps, err := tx.addPhrasings(ctx, c.ArticleID, []string{c.Text}, SourceLearned)
		if err != nil {
			return err
		}
		now := s.opts.Now().UTC()
		if err := tx.store.SetCandidateState(ctx, id, CandidateAccepted, ps[0].ID, now); err != nil {
			return err
		}
		c.State, c.PhrasingID, c.UpdatedAt = CandidateAccepted, ps[0].ID, now
		out, learned = c, ps
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.learnPhrasings(learned)
	return out, nil
}

// RejectCandidate marks a pending candidate rejected: it is never proposed
// again. ENotFound; EConflict for an accepted one (delete its phrasing
// instead).
func (s *Service) RejectCandidate(ctx context.Context, id string) (*Candidate, error) {
	var out *Candidate
	err := s.store.WithTx(ctx, func(tx Store) error {
		c, err := tx.FindCandidateByID(ctx, id)
		if err != nil {
			return err
		}
		switch c.State {
		case CandidateRejected:
			out = c
			return nil
		case CandidateAccepted:
			return frontline.Errorf(frontline.EConflict, "candidate %s is already a phrasing; delete the phrasing instead", id)
		}
		now := s.opts.Now().UTC()
		if err := tx.SetCandidateState(ctx, id, CandidateRejected, "", now); err != nil {
			return err
		}
		c.State, c.UpdatedAt = CandidateRejected, now
		out = c
		return nil
	})
	return out, err
}

// learnPhrasings tells the live ranker about phrasings just committed: each
// joins its neighbour vote, which weighs in the ranking and the confidence
// at once. The trained regression is left as it is until the next Reindex.
func (s *Service) learnPhrasings(ps []*Phrasing) {
	if len(ps) == 0 || s.rk.Load() == nil {
		return // no ranker yet: the first Reindex will train one on them
	}
	if n := s.learned.Add(int64(len(ps))); s.opts.RetrainEvery > 0 && n >= int64(s.opts.RetrainEvery) {
		s.retrainInBackground()
	}
	for {
		old := s.rk.Load()
		if old == nil {
			return
		}
		nw := old.withExamples(ps)
		if nw == old || s.rk.CompareAndSwap(old, nw) {
			return
		}
	}
}

func langOf(locale string) string {
	l, _, _ := strings.Cut(strings.ToLower(locale), "-")
	return l
}

// DefaultRetrainEvery is Options.RetrainEvery's default: retraining costs a
// Reindex (seconds on a KB of thousands of phrasings), and until then the
// neighbour vote already uses what was learned.
const DefaultRetrainEvery = 25

// retrainInBackground starts a Reindex unless one is running.
func (s *Service) retrainInBackground() {
	if !s.retraining.CompareAndSwap(false, true) {
		return
	}
	s.retrainWG.Add(1)
	go func() {
		defer s.retrainWG.Done()
		defer s.retraining.Store(false)
		if err := s.Reindex(context.Background()); err != nil {
			s.log.Error("kb: background retrain", "err", err)
		}
	}()
}

// WaitRetrain waits for a background retrain, if one is running.
func (s *Service) WaitRetrain() { s.retrainWG.Wait() }

// forgetPhrasing takes a phrasing learned since the last Reindex out of the
// live ranker's vote (a no-op for any other).
func (s *Service) forgetPhrasing(id string) {
	for {
		old := s.rk.Load()
		if old == nil {
			return
		}
		nw := old.withoutExample(id)
		if nw == old || s.rk.CompareAndSwap(old, nw) {
			return
		}
	}
}

// withExamples returns a copy of r whose neighbour vote also counts ps (of
// articles r knows; others wait for the next Reindex), or r itself when
// none is new to it. The trained weights are shared, not copied.
func (r *ranker) withExamples(ps []*Phrasing) *ranker {
	class := make(map[string]int32, len(r.classes))
	for c, id := range r.classes {
		class[id] = int32(c)
	}
	k := *r.knn
	k.extra, k.extraClass, k.extraID = slices.Clip(k.extra), slices.Clip(k.extraClass), slices.Clip(k.extraID)
	added := false
	for _, p := range ps {
		c, ok := class[p.ArticleID]
		if !ok || slices.Contains(k.extraID, p.ID) {
			continue
		}
		x := vectorize(p.Text, r.vocab, r.idf, r.opts)
		if len(x.idx) == 0 {
			continue // no word the model knows: nothing to vote with
		}
		k.extra, k.extraClass, k.extraID = append(k.extra, x), append(k.extraClass, c), append(k.extraID, p.ID)
		added = true
	}
	if !added {
		return r
	}
	nr := *r
	nr.knn = &k
	return &nr
}

// withoutExample returns a copy of r without the learned example id, or r
// when it has none such.
func (r *ranker) withoutExample(id string) *ranker {
	i := slices.Index(r.knn.extraID, id)
	if i < 0 {
		return r
	}
	k := *r.knn
	k.extra = slices.Delete(slices.Clone(k.extra), i, i+1)
	k.extraClass = slices.Delete(slices.Clone(k.extraClass), i, i+1)
	k.extraID = slices.Delete(slices.Clone(k.extraID), i, i+1)
	nr := *r
	nr.knn = &k
	return &nr
}

// catchUp adds to a ranker loaded from the store the phrasings learned since
// the Reindex that trained it (by this node before a restart, or by
// another node), so that every node votes with every accepted phrasing.
func (s *Service) catchUp(ctx context.Context, rk *ranker) (*ranker, error) {
	if rk == nil {
		return nil, nil
	}
	known := make(map[string]bool, len(rk.texts))
	for _, t := range rk.texts {
		known[t] = true
	}
	arts, err := s.store.FindArticles(ctx, ArticleFilter{State: StatePublished})
	if err != nil {
		return nil, err
	}
	var missing []*Phrasing
	for _, a := range arts {
		ps, err := s.store.FindPhrasings(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !known[p.Text] {
				missing = append(missing, p)
			}
		}
	}
	return rk.withExamples(missing), nil
}
