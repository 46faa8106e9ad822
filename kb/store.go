package kb

import (
	"context"
	"time"
)

// PassageKind says what an indexed passage was cut from.
type PassageKind string

const (
	// KindChunk is a piece of a published revision's body.
	KindChunk PassageKind = "chunk"
	// KindPhrasing is one phrasing of a published article.
	KindPhrasing PassageKind = "phrasing"
)

// Passage is one searchable unit: a chunk of a published revision or one of
// its article's phrasings, with its embedding. Only published articles have
// passages.
type Passage struct {
	ID         string      `json:"id"`
	ArticleID  string      `json:"article_id"`
	RevisionID string      `json:"revision_id"`
	Kind       PassageKind `json:"kind"`
	Ordinal    int         `json:"ordinal"` // position within the article, chunks first
	Heading    string      `json:"heading,omitempty"`
	// Text is what a reader is shown: the chunk's Markdown, or the phrasing.
	Text string `json:"text"`
	// IndexText is what is embedded and full-text indexed: the title and
	// heading carried in front of Text, so a chunk is findable by them.
	IndexText string    `json:"-"`
	Locale    string    `json:"locale"`
	Audience  Audience  `json:"audience"`
	Embedding []float32 `json:"-"`
}

// PassageMatch is a passage found by one retriever, with its raw score:
// cosine similarity in [-1,1] for vector search, a text-rank score (higher is
// better, not comparable across stores) for full-text search.
type PassageMatch struct {
	Passage
	Slug  string  `json:"slug"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

// VectorQuery asks for the passages nearest to Vector by cosine distance.
type VectorQuery struct {
	Vector    []float32
	Locale    string     // "" matches every locale
	Audiences []Audience // passages of these audiences only; required
	Limit     int
	// Exact asks for an exhaustive scan instead of the approximate index
	// (for measuring the index's recall).
	Exact bool
}

// TextQuery asks for passages matching Text by full-text search, parsed
// with the language of Locale ("" means the default language).
type TextQuery struct {
	Text      string
	Locale    string
	Audiences []Audience
	Limit     int
}

// QuestionRecord is one customer question the bot searched for, kept for the
// unanswered-questions and article-use reports. Text is already masked.
type QuestionRecord struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Text           string    `json:"text"`
	Abstained      bool      `json:"abstained"`
	ArticleIDs     []string  `json:"article_ids,omitempty"` // articles cited in the answer
	CreatedAt      time.Time `json:"created_at"`
	// HandedOff is set by the store when the conversation was handed to a
	// human at or after the question.
	HandedOff bool `json:"handed_off"`
	// ResolvedArticleID is set once an editor attached the question to an
	// article; resolved questions leave the unanswered list.
	ResolvedArticleID string `json:"resolved_article_id,omitempty"`
	// HandoffSignals are the signals (frontline.SignalKind: human_request,
	// frustration, severity) for which the bot handed the conversation to
	// a person at this question instead of answering. Such a question is a
	// hand-off trigger, not a gap in the KB, whatever search found.
	HandoffSignals []string `json:"handoff_signals,omitempty"`
}

// QuestionFilter selects recorded questions.
type QuestionFilter struct {
	// Unanswered keeps the questions the KB failed on: search abstained or
	// the conversation was handed off afterwards, the question was not
	// itself handed off for a signal (no HandoffSignals), and no editor
	// resolved it.
	Unanswered bool
	// HandedOffForSignal keeps only questions with HandoffSignals.
	HandedOffForSignal bool
	Since              time.Time
	Limit              int
}

// Vote is a reader's answer to "Was this helpful?" under an article.
type Vote struct {
	ArticleID string    `json:"article_id"`
	Helpful   bool      `json:"helpful"`
	CreatedAt time.Time `json:"created_at"`
}

// ArticleStat is how an article is used by the bot.
type ArticleStat struct {
	ArticleID string `json:"article_id"`
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	// Cited counts questions whose answer cited the article.
	Cited int `json:"cited"`
	// HandedOffAfter counts those whose conversation was then handed off.
	HandedOffAfter int `json:"handed_off_after"`
	// Helpful and NotHelpful count the help centre's votes on the article.
	Helpful    int `json:"helpful"`
	NotHelpful int `json:"not_helpful"`
}

// Store keeps articles, revisions, phrasings, the passage index and the
// feedback records. internal/postgres and internal/memory implement it and
// pass internal/kbtest. Errors are domain errors: ENotFound for a missing
// id or slug, EConflict for a duplicate slug; anything else is internal.
// Every method is safe for concurrent use.
type Store interface {
	// WithTx runs fn with a Store whose writes commit together when fn
	// returns nil and are all discarded when it returns an error. Readers
	// outside the transaction never see its writes half-done.
	WithTx(ctx context.Context, fn func(tx Store) error) error

	// CreateArticle inserts a, whose ID, timestamps and fields are set by
	// the caller. EConflict if the slug is taken.
	CreateArticle(ctx context.Context, a *Article) error
	// UpdateArticle replaces the stored working copy and state of a (by
	// ID). ENotFound if missing, EConflict if the new slug is taken.
	UpdateArticle(ctx context.Context, a *Article) error
	// FindArticleByID returns the article or ENotFound.
	FindArticleByID(ctx context.Context, id string) (*Article, error)
	// FindArticleBySlug returns the article or ENotFound.
	FindArticleBySlug(ctx context.Context, slug string) (*Article, error)
	// FindArticles lists articles matching f, ordered by slug.
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, error)

	// PublishRevision stores rev as the next revision of its article
	// (setting rev.Number), makes it the published revision, copies its
	// title, body and tags into the working copy, sets the state to
	// published and replaces the article's passages with passages, all in
	// one transaction. ENotFound if the article is missing.
	PublishRevision(ctx context.Context, rev *Revision, passages []Passage) error
	// FindRevisions lists an article's revisions, newest first.
	FindRevisions(ctx context.Context, articleID string) ([]*Revision, error)
	// FindRevisionByID returns the revision or ENotFound.
	FindRevisionByID(ctx context.Context, id string) (*Revision, error)

	// ReplacePassages atomically swaps an article's passages: readers see
	// either the old set or the new one, never a mix or none.
	ReplacePassages(ctx context.Context, articleID string, passages []Passage) error
	// FindPassages lists an article's passages by ordinal, without their
	// embeddings.
	FindPassages(ctx context.Context, articleID string) ([]Passage, error)
	// CountPassages returns how many passages are indexed.
	CountPassages(ctx context.Context) (int, error)
	// SearchVector returns up to q.Limit passages by descending cosine
	// similarity. EInvalid if the vector's dimension differs from the
	// index's.
	SearchVector(ctx context.Context, q VectorQuery) ([]PassageMatch, error)
	// SearchText returns up to q.Limit passages matching any of the query's
	// words, by descending text rank.
	SearchText(ctx context.Context, q TextQuery) ([]PassageMatch, error)

	// AddPhrasings inserts phrasings (IDs set by the caller). ENotFound if
	// an article is missing.
	AddPhrasings(ctx context.Context, ps []*Phrasing) error
	// DeletePhrasing removes a phrasing. ENotFound if missing.
	DeletePhrasing(ctx context.Context, id string) error
	// FindPhrasings lists an article's phrasings, oldest first.
	FindPhrasings(ctx context.Context, articleID string) ([]*Phrasing, error)
	// FindPhrasingByID returns the phrasing or ENotFound.
	FindPhrasingByID(ctx context.Context, id string) (*Phrasing, error)

	// SaveIndexState stores opaque index-wide state under name (the
	// offline embedder's learned weights).
	SaveIndexState(ctx context.Context, name string, data []byte) error
	// LoadIndexState returns what SaveIndexState stored, or ENotFound.
	LoadIndexState(ctx context.Context, name string) ([]byte, error)

	// RecordQuestion appends a question record.
	RecordQuestion(ctx context.Context, q *QuestionRecord) error
	// RecordHandoff notes that a conversation was handed to a human at t.
	RecordHandoff(ctx context.Context, conversationID string, t time.Time) error
	// FindQuestions lists question records matching f, newest first.
	FindQuestions(ctx context.Context, f QuestionFilter) ([]*QuestionRecord, error)
	// ResolveQuestions marks questions as attached to articleID.
	// ENotFound if one of them is missing.
	ResolveQuestions(ctx context.Context, ids []string, articleID string) error
	// RecordVote appends a help-centre vote. ENotFound if the article is
	// missing.
	RecordVote(ctx context.Context, v *Vote) error
	// ArticleStats returns the use of every article that was cited or
	// voted on at least once, most cited first, then by slug.
	ArticleStats(ctx context.Context) ([]ArticleStat, error)

	// ProposeCandidate stores c as a candidate phrasing, or, when one of
	// the same article with the same TextKey exists (in any state), adds
	// one to its Count and returns it instead (c is then filled from the
	// stored one): a flood of the same question is one candidate.
	// ENotFound if the article is missing.
	ProposeCandidate(ctx context.Context, c *Candidate) error
	// FindCandidates lists candidates matching f, most proposed first,
	// then newest first.
	FindCandidates(ctx context.Context, f CandidateFilter) ([]*Candidate, error)
	// FindCandidateByID returns the candidate or ENotFound.
	FindCandidateByID(ctx context.Context, id string) (*Candidate, error)
	// SetCandidateState records an editor's decision (and the phrasing an
	// accepted candidate became). ENotFound if missing.
	SetCandidateState(ctx context.Context, id string, state CandidateState, phrasingID string, at time.Time) error
}
