package kb

import (
	"strings"
	"time"
	"unicode/utf8"

	frontline "github.com/frontlinehq/frontline"
)

// State is where an article is in the editorial workflow.
type State string

const (
	// StateDraft: being written; never searchable.
	StateDraft State = "draft"
	// StateReview: waiting for an editor's review; never searchable.
	StateReview State = "review"
	// StatePublished: its current revision is indexed and searchable.
	StatePublished State = "published"
	// StateArchived: withdrawn; its passages are removed from the index.
	StateArchived State = "archived"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	switch s {
	case StateDraft, StateReview, StatePublished, StateArchived:
		return true
	}
	return false
}

// Audience says who may be shown an article.
type Audience string

const (
	// AudiencePublic: anyone, including anonymous visitors.
	AudiencePublic Audience = "public"
	// AudienceCustomers: only signed-in (verified) customers.
	AudienceCustomers Audience = "customers"
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool { return a == AudiencePublic || a == AudienceCustomers }

// Limits on what an editor or an import may store. They keep one bad file
// from filling the index or the page.
const (
	MaxSlugLen    = 128
	MaxTitleLen   = 300
	MaxBodyBytes  = 1 << 20 // 1 MiB of Markdown per article
	MaxTags       = 32
	MaxTagLen     = 64
	MaxPhrasing   = 1000 // bytes in one phrasing or question
	DefaultLocale = "en"
)

// Article is one knowledge-base article. Title, Body and Tags are the working
// copy an editor changes; what customers see is the published revision
// (PublishedRevisionID), which is immutable.
type Article struct {
	ID       string   `json:"id"`
	Slug     string   `json:"slug"` // unique across the KB; used in URLs and imports
	Title    string   `json:"title"`
	Body     string   `json:"body"` // Markdown
	Tags     []string `json:"tags"`
	Locale   string   `json:"locale"` // BCP 47 language, e.g. "en", "de"
	Audience Audience `json:"audience"`
	State    State    `json:"state"`
	// PublishedRevisionID is the revision customers see; empty until the
	// first publish. Archiving keeps it so the article can be republished.
	PublishedRevisionID string    `json:"published_revision_id,omitempty"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// Revision is an immutable snapshot of an article made by publishing it.
// Rolling back publishes an old revision's content again as a new revision,
// so the history only grows.
type Revision struct {
	ID        string    `json:"id"`
	ArticleID string    `json:"article_id"`
	Number    int       `json:"number"` // 1, 2, 3… per article
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Tags      []string  `json:"tags"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// PhrasingSource says where a phrasing came from.
type PhrasingSource string

const (
	SourceEditor     PhrasingSource = "editor"
	SourceUnanswered PhrasingSource = "unanswered" // attached from the unanswered-questions report
	SourceImport     PhrasingSource = "import"
	// SourceLearned: a customer's question accepted from the candidates
	// the site's own traffic proposed (see learn.go).
	SourceLearned PhrasingSource = "learned"
)

// Valid reports whether s is a known source.
func (s PhrasingSource) Valid() bool {
	return s == SourceEditor || s == SourceUnanswered || s == SourceImport || s == SourceLearned
}

// Phrasing is a customer question an article answers. Phrasings of a
// published article are indexed as passages of their own, so a customer who
// asks the same thing in the same words finds the article.
type Phrasing struct {
	ID        string         `json:"id"`
	ArticleID string         `json:"article_id"`
	Text      string         `json:"text"`
	Source    PhrasingSource `json:"source"`
	CreatedAt time.Time      `json:"created_at"`
}

// ArticleFilter selects articles for the editor's list. Zero fields match all.
type ArticleFilter struct {
	State    State
	Locale   string
	Audience Audience
	Tag      string
	// Query matches a case-insensitive substring of the title or slug.
	Query  string
	Limit  int // 0 means no limit
	Offset int
}

// ArticleUpdate changes an article's working copy. Nil fields are kept.
// Changing the working copy of a published article does not change what
// customers see until it is published again.
type ArticleUpdate struct {
	Slug     *string
	Title    *string
	Body     *string
	Tags     *[]string
	Locale   *string
	Audience *Audience
	// State may move between draft and review only; use Publish, Archive
	// and Rollback for the other transitions.
	State *State
}

// Validate checks an article's fields and normalises tags and locale. It
// returns an EInvalid or ETooLarge error naming the field.
func (a *Article) Validate() error {
	a.Slug = strings.TrimSpace(a.Slug)
	a.Title = strings.TrimSpace(a.Title)
	if err := ValidateSlug(a.Slug); err != nil {
		return err
	}
	if a.Title == "" {
		return frontline.Errorf(frontline.EInvalid, "title: required")
	}
	if utf8.RuneCountInString(a.Title) > MaxTitleLen {
		return frontline.Errorf(frontline.EInvalid, "title: longer than %d characters", MaxTitleLen)
	}
	if len(a.Body) > MaxBodyBytes {
		return frontline.Errorf(frontline.ETooLarge, "body: %d bytes, more than the limit of %d", len(a.Body), MaxBodyBytes)
	}
	if !utf8.ValidString(a.Body) || !utf8.ValidString(a.Title) {
		return frontline.Errorf(frontline.EInvalid, "body: not valid UTF-8")
	}
	if strings.IndexByte(a.Body, 0) >= 0 || strings.IndexByte(a.Title, 0) >= 0 {
		return frontline.Errorf(frontline.EInvalid, "body: holds a NUL character")
	}
	tags, err := normaliseTags(a.Tags)
	if err != nil {
		return err
	}
	a.Tags = tags
	if a.Locale == "" {
		a.Locale = DefaultLocale
	}
	a.Locale = strings.ToLower(strings.TrimSpace(a.Locale))
	if !validLocale(a.Locale) {
		return frontline.Errorf(frontline.EInvalid, "locale: %q is not a language tag such as \"en\" or \"pt-br\"", a.Locale)
	}
	if a.Audience == "" {
		a.Audience = AudiencePublic
	}
	if !a.Audience.Valid() {
		return frontline.Errorf(frontline.EInvalid, "audience: %q is not public or customers", a.Audience)
	}
	if a.State == "" {
		a.State = StateDraft
	}
	if !a.State.Valid() {
		return frontline.Errorf(frontline.EInvalid, "state: %q is not draft, review, published or archived", a.State)
	}
	return nil
}

// ValidateSlug checks that s is a usable slug: 1 to MaxSlugLen lowercase
// letters, digits, '-' and '_', starting with a letter or digit.
func ValidateSlug(s string) error {
	if s == "" {
		return frontline.Errorf(frontline.EInvalid, "slug: required")
	}
	if len(s) > MaxSlugLen {
		return frontline.Errorf(frontline.EInvalid, "slug: longer than %d characters", MaxSlugLen)
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (i > 0 && (r == '-' || r == '_'))
		if !ok {
			return frontline.Errorf(frontline.EInvalid, "slug: %q may hold only lowercase letters, digits, '-' and '_'", s)
		}
	}
	return nil
}

func normaliseTags(tags []string) ([]string, error) {
	if len(tags) > MaxTags {
		return nil, frontline.Errorf(frontline.EInvalid, "tags: more than %d", MaxTags)
	}
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTagLen {
			return nil, frontline.Errorf(frontline.EInvalid, "tags: %q is longer than %d characters", t, MaxTagLen)
		}
		if !utf8.ValidString(t) || strings.IndexByte(t, 0) >= 0 {
			return nil, frontline.Errorf(frontline.EInvalid, "tags: %q is not valid text", t)
		}
		seen[t] = true
		out = append(out, t)
	}
	return out, nil
}

func validLocale(s string) bool {
	if len(s) < 2 || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// validText checks a phrasing or question text.
func validText(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", frontline.Errorf(frontline.EInvalid, "%s: required", field)
	}
	if len(s) > MaxPhrasing {
		return "", frontline.Errorf(frontline.EInvalid, "%s: longer than %d bytes", field, MaxPhrasing)
	}
	if !utf8.ValidString(s) {
		return "", frontline.Errorf(frontline.EInvalid, "%s: not valid UTF-8", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", frontline.Errorf(frontline.EInvalid, "%s: holds a NUL character", field)
	}
	return s, nil
}
