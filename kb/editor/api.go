package editor

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	frontline "github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/apierror"
	"github.com/frontlinehq/frontline/kb"
)

// maxRequestBytes bounds a JSON request: the largest article body plus room
// for the other fields and JSON escaping.
const maxRequestBytes = kb.MaxBodyBytes*2 + 64<<10

func (h *handler) apiRoutes() []frontline.Route {
	api := func(method, path string, f http.HandlerFunc) frontline.Route {
		return frontline.Route{Method: method, Pattern: APIPrefix + path, Roles: Roles, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			apiHeaders(w)
			f(w, r)
		})}
	}
	return []frontline.Route{
		api("GET", "articles", h.listArticles),
		api("POST", "articles", h.createArticle),
		api("GET", "articles/{id}", h.getArticle),
		api("PATCH", "articles/{id}", h.updateArticle),
		api("POST", "articles/{id}/submit", h.submitArticle),
		api("POST", "articles/{id}/publish", h.publishArticle),
		api("POST", "articles/{id}/archive", h.archiveArticle),
		api("GET", "articles/{id}/revisions", h.listRevisions),
		api("POST", "articles/{id}/rollback", h.rollbackArticle),
		api("POST", "articles/{id}/phrasings", h.addPhrasing),
		api("DELETE", "phrasings/{id}", h.deletePhrasing),
		api("POST", "preview", h.preview),
		api("POST", "ask", h.ask),
		api("GET", "unanswered", h.unanswered),
		api("POST", "unanswered/attach", h.attachQuestions),
		api("GET", "stats", h.stats),
		api("GET", "candidates", h.listCandidates),
		api("POST", "candidates/{id}/accept", h.acceptCandidate),
		api("POST", "candidates/{id}/reject", h.rejectCandidate),
		// Any other method and path under the prefix: a JSON 404 for
		// editors (others are refused before they learn what exists).
		api("", "", func(w http.ResponseWriter, r *http.Request) {
			h.writeError(w, r, frontline.Errorf(frontline.ENotFound, "no API endpoint %s %s", r.Method, r.URL.Path))
		}),
	}
}

func apiHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
}

// writeError answers with err's status and safe message in the one error
// shape of every API (internal/apierror); internal errors are logged and
// shown only as "internal error".
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	apierror.Write(w, r, h.log.With("part", "kb editor"), err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v) // the client is gone if this fails
}

// decode reads one JSON object into v: the request must say it is JSON, be
// at most maxRequestBytes, and hold only known fields.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return frontline.Errorf(frontline.EInvalid, "request body: Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return frontline.Errorf(frontline.EInvalid, "request body: more than one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var (
		maxErr    *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return frontline.Errorf(frontline.ETooLarge, "request body: larger than %d bytes", maxErr.Limit)
	case errors.As(err, &syntaxErr):
		return frontline.Errorf(frontline.EInvalid, "request body: malformed JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		return frontline.Errorf(frontline.EInvalid, "%s: must be %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
	case errors.Is(err, io.EOF):
		return frontline.Errorf(frontline.EInvalid, "request body: empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return frontline.Errorf(frontline.EInvalid, "request body: JSON ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return frontline.Errorf(frontline.EInvalid, "request body: unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return frontline.Errorf(frontline.EInvalid, "request body: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	case "float64", "int":
		return "a number"
	}
	return "a " + k
}

// articleSummary is one row of the article list.
type articleSummary struct {
	ID                  string      `json:"id"`
	Slug                string      `json:"slug"`
	Title               string      `json:"title"`
	State               kb.State    `json:"state"`
	Tags                []string    `json:"tags"`
	Locale              string      `json:"locale"`
	Audience            kb.Audience `json:"audience"`
	PublishedRevisionID string      `json:"published_revision_id,omitempty"`
	UpdatedAt           time.Time   `json:"updated_at"`
	Cited               int         `json:"cited"`
	HandedOffAfter      int         `json:"handed_off_after"`
}

func (h *handler) statsByArticle(r *http.Request) (map[string]kb.ArticleStat, error) {
	stats, err := h.svc.ArticleStats(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]kb.ArticleStat, len(stats))
	for _, s := range stats {
		m[s.ArticleID] = s
	}
	return m, nil
}

// GET /api/kb/articles?state=&tag=&q=&audience=&locale=
func (h *handler) listArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := kb.ArticleFilter{
		State:    kb.State(q.Get("state")),
		Tag:      strings.ToLower(strings.TrimSpace(q.Get("tag"))),
		Query:    strings.TrimSpace(q.Get("q")),
		Audience: kb.Audience(q.Get("audience")),
		Locale:   q.Get("locale"),
	}
	if f.State != "" && !f.State.Valid() {
		h.writeError(w, r, frontline.Errorf(frontline.EInvalid, "state: %q is not draft, review, published or archived", f.State))
		return
	}
	if f.Audience != "" && !f.Audience.Valid() {
		h.writeError(w, r, frontline.Errorf(frontline.EInvalid, "audience: %q is not public or customers", f.Audience))
		return
	}
	arts, err := h.svc.Articles(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	stats, err := h.statsByArticle(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]articleSummary, len(arts))
	for i, a := range arts {
		st := stats[a.ID]
		out[i] = articleSummary{
			ID: a.ID, Slug: a.Slug, Title: a.Title, State: a.State, Tags: nonNil(a.Tags), Locale: a.Locale,
			Audience: a.Audience, PublishedRevisionID: a.PublishedRevisionID, UpdatedAt: a.UpdatedAt,
			Cited: st.Cited, HandedOffAfter: st.HandedOffAfter,
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": out})
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// articleInput is the body of create and update. Nil fields are kept on
// update; on create they take their defaults.
type articleInput struct {
	Slug     *string      `json:"slug"`
	Title    *string      `json:"title"`
	Body     *string      `json:"body"`
	Tags     *[]string    `json:"tags"`
	Locale   *string      `json:"locale"`
	Audience *kb.Audience `json:"audience"`
	State    *kb.State    `json:"state"`
}

// POST /api/kb/articles
func (h *handler) createArticle(w http.ResponseWriter, r *http.Request) {
	var in articleInput
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	var a kb.Article
	set(&a.Slug, in.Slug)
	set(&a.Title, in.Title)
	set(&a.Body, in.Body)
	set(&a.Tags, in.Tags)
	set(&a.Locale, in.Locale)
	set(&a.Audience, in.Audience)
	set(&a.State, in.State)
	created, err := h.svc.CreateArticle(r.Context(), a)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, created)
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// articleDetail is one article with what the edit view shows beside it.
type articleDetail struct {
	Article   *kb.Article    `json:"article"`
	Phrasings []*kb.Phrasing `json:"phrasings"`
	Stats     kb.ArticleStat `json:"stats"`
}

// GET /api/kb/articles/{id}
func (h *handler) getArticle(w http.ResponseWriter, r *http.Request) {
	d, err := h.detail(r, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (h *handler) detail(r *http.Request, id string) (*articleDetail, error) {
	a, err := h.svc.Article(r.Context(), id)
	if err != nil {
		return nil, err
	}
	ps, err := h.svc.Phrasings(r.Context(), id)
	if err != nil {
		return nil, err
	}
	stats, err := h.statsByArticle(r)
	if err != nil {
		return nil, err
	}
	st := stats[id]
	st.ArticleID, st.Slug, st.Title = a.ID, a.Slug, a.Title
	a.Tags = nonNil(a.Tags)
	return &articleDetail{Article: a, Phrasings: nonNil(ps), Stats: st}, nil
}

// PATCH /api/kb/articles/{id}
func (h *handler) updateArticle(w http.ResponseWriter, r *http.Request) {
	var in articleInput
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.svc.UpdateArticle(r.Context(), r.PathValue("id"), kb.ArticleUpdate{
		Slug: in.Slug, Title: in.Title, Body: in.Body, Tags: in.Tags, Locale: in.Locale, Audience: in.Audience, State: in.State,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// POST /api/kb/articles/{id}/submit moves a draft to review.
func (h *handler) submitArticle(w http.ResponseWriter, r *http.Request) {
	review := kb.StateReview
	a, err := h.svc.UpdateArticle(r.Context(), r.PathValue("id"), kb.ArticleUpdate{State: &review})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// author is the name recorded on a revision: the signed-in person's.
func author(r *http.Request) string {
	if u := frontline.UserFromContext(r.Context()); u != nil {
		return u.Name
	}
	return ""
}

// POST /api/kb/articles/{id}/publish {} publishes the working copy as a
// revision by the signed-in editor.
func (h *handler) publishArticle(w http.ResponseWriter, r *http.Request) {
	var in struct{}
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	rev, err := h.svc.Publish(r.Context(), r.PathValue("id"), author(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rev)
}

// POST /api/kb/articles/{id}/rollback {"revision_id": …}
func (h *handler) rollbackArticle(w http.ResponseWriter, r *http.Request) {
	var in struct {
		RevisionID string `json:"revision_id"`
	}
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if in.RevisionID == "" {
		h.writeError(w, r, frontline.Errorf(frontline.EInvalid, "revision_id: required"))
		return
	}
	rev, err := h.svc.Rollback(r.Context(), r.PathValue("id"), in.RevisionID, author(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rev)
}

// POST /api/kb/articles/{id}/archive
func (h *handler) archiveArticle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := h.svc.Archive(r.Context(), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.svc.Article(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// GET /api/kb/articles/{id}/revisions
func (h *handler) listRevisions(w http.ResponseWriter, r *http.Request) {
	revs, err := h.svc.Revisions(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"revisions": nonNil(revs)})
}

// POST /api/kb/articles/{id}/phrasings {"text": …}
func (h *handler) addPhrasing(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text string `json:"text"`
	}
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	p, err := h.svc.AddPhrasing(r.Context(), r.PathValue("id"), in.Text, kb.SourceEditor)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

// DELETE /api/kb/phrasings/{id}
func (h *handler) deletePhrasing(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeletePhrasing(r.Context(), r.PathValue("id")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// POST /api/kb/preview {"markdown": …} → {"html": …}, rendered and
// sanitized exactly as customers will see it.
func (h *handler) preview(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Markdown string `json:"markdown"`
	}
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(in.Markdown) > kb.MaxBodyBytes {
		h.writeError(w, r, frontline.Errorf(frontline.ETooLarge, "markdown: %d bytes, more than the limit of %d", len(in.Markdown), kb.MaxBodyBytes))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"html": string(kb.RenderMarkdown(in.Markdown))})
}

// POST /api/kb/ask {"question": …, "audience": …, "locale": …} shows what
// the bot would retrieve. It records nothing: editors' questions are not
// customers' questions.
func (h *handler) ask(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Question string `json:"question"`
		Audience string `json:"audience"`
		Locale   string `json:"locale"`
		Limit    int    `json:"limit"`
	}
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if in.Limit < 0 || in.Limit > 20 {
		h.writeError(w, r, frontline.Errorf(frontline.EInvalid, "limit: must be between 0 and 20"))
		return
	}
	res, err := h.svc.Search(r.Context(), kb.SearchQuery{Text: in.Question, Audience: in.Audience, Locale: in.Locale, Limit: in.Limit})
	if err != nil {
		if frontline.ErrorCode(err) == frontline.EInvalid && strings.HasPrefix(frontline.ErrorMessage(err), "text:") {
			err = frontline.Errorf(frontline.EInvalid, "question:%s", strings.TrimPrefix(frontline.ErrorMessage(err), "text:"))
		}
		h.writeError(w, r, err)
		return
	}
	res.Hits = nonNil(res.Hits)
	writeJSON(w, http.StatusOK, res)
}

// GET /api/kb/unanswered → {"groups": […], "handed_off": […]}: the KB's
// gaps, grouped, and apart from them the latest questions handed to a
// person for a signal (not gaps).
func (h *handler) unanswered(w http.ResponseWriter, r *http.Request) {
	groups, err := h.svc.UnansweredQuestions(r.Context(), kb.UnansweredOptions{})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	for i := range groups {
		groups[i].Suggested = nonNil(groups[i].Suggested)
	}
	handed, err := h.svc.HandedOffQuestions(r.Context(), 50)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": nonNil(groups), "handed_off": nonNil(handed)})
}

// POST /api/kb/unanswered/attach {"article_id": …, "question_ids": […]}
func (h *handler) attachQuestions(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ArticleID   string   `json:"article_id"`
		QuestionIDs []string `json:"question_ids"`
	}
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if in.ArticleID == "" {
		h.writeError(w, r, frontline.Errorf(frontline.EInvalid, "article_id: required"))
		return
	}
	ps, err := h.svc.AttachQuestions(r.Context(), in.ArticleID, in.QuestionIDs)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"phrasings": nonNil(ps)})
}

// GET /api/kb/stats → {"stats": […]}, most cited first.
func (h *handler) stats(w http.ResponseWriter, r *http.Request) {
	stats, err := h.svc.ArticleStats(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"stats": nonNil(stats)})
}

// candidateView is a candidate phrasing with its article's title.
type candidateView struct {
	*kb.Candidate
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// GET /api/kb/candidates[?state=pending|accepted|rejected] → {"candidates":
// […]}, most proposed first (pending by default).
func (h *handler) listCandidates(w http.ResponseWriter, r *http.Request) {
	state := kb.CandidateState(r.URL.Query().Get("state"))
	if state == "" {
		state = kb.CandidatePending
	}
	if state != kb.CandidatePending && state != kb.CandidateAccepted && state != kb.CandidateRejected {
		h.writeError(w, r, frontline.Errorf(frontline.EInvalid, "state: %q is not pending, accepted or rejected", state))
		return
	}
	cs, err := h.svc.Candidates(r.Context(), kb.CandidateFilter{State: state, Limit: 200})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]candidateView, 0, len(cs))
	titles := map[string]*kb.Article{}
	for _, c := range cs {
		a, ok := titles[c.ArticleID]
		if !ok {
			if a, err = h.svc.Article(r.Context(), c.ArticleID); err != nil {
				h.writeError(w, r, err)
				return
			}
			titles[c.ArticleID] = a
		}
		out = append(out, candidateView{Candidate: c, Slug: a.Slug, Title: a.Title})
	}
	writeJSON(w, http.StatusOK, map[string]any{"candidates": out})
}

// POST /api/kb/candidates/{id}/accept → {"candidate": …}: the question
// becomes a phrasing of its article, searchable at once.
func (h *handler) acceptCandidate(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.AcceptCandidate(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"candidate": c})
}

// POST /api/kb/candidates/{id}/reject → {"candidate": …}
func (h *handler) rejectCandidate(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.RejectCandidate(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"candidate": c})
}
