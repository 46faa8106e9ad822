package console

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/kb"
)

// maxRequestBytes bounds a JSON request body.
const maxRequestBytes = 64 << 10

func user(r *http.Request) *frontline.User { return frontline.UserFromContext(r.Context()) }

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	auth.WriteError(w, r, h.log, err)
}

func (h *handler) json(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	auth.WriteJSON(w, status, v)
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return frontline.Errorf(frontline.EInvalid, "request body: %v", err)
	}
	return nil
}

func convID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !frontline.ValidID(id) {
		return "", frontline.Errorf(frontline.EInvalid, "conversation id: not a valid id")
	}
	return id, nil
}

// mayWork checks that the caller may work conversations at all (an agent
// profile, or a supervisor or admin).
func (h *handler) mayWork(r *http.Request) error {
	_, err := h.d.Handoff.Me(r.Context(), user(r))
	if frontline.ErrorCode(err) == frontline.ENotFound && user(r).HasRole(bossRoles...) {
		return nil
	}
	return err
}

// SearchHit is an article an agent may send, with a plain-text excerpt.
type SearchHit struct {
	ArticleID string  `json:"article_id"`
	Slug      string  `json:"slug"`
	Title     string  `json:"title"`
	Excerpt   string  `json:"excerpt"`
	URL       string  `json:"url"`
	Score     float64 `json:"score"`
}

// searchKB is the agent's KB search: published articles for signed-in
// customers' eyes (public and customer articles), best first.
func (h *handler) searchKB(w http.ResponseWriter, r *http.Request) {
	if err := h.mayWork(r); err != nil {
		h.fail(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		h.json(w, r, http.StatusOK, map[string]any{"hits": []SearchHit{}}, nil)
		return
	}
	res, err := h.d.KB.Search(r.Context(), kb.SearchQuery{Text: q, Audience: string(kb.AudienceCustomers), Limit: 8})
	hits := []SearchHit{}
	for _, hit := range res.Hits {
		hits = append(hits, SearchHit{ArticleID: hit.ArticleID, Slug: hit.Slug, Title: hit.Title,
			Excerpt: excerpt(hit.Passage, 280), URL: hit.URL, Score: math.Round(hit.Score*1000) / 1000})
	}
	h.json(w, r, http.StatusOK, map[string]any{"hits": hits}, err)
}

// insertArticle sends a published article to the customer: the agent's
// words (or a default line), the article's title and excerpt and its
// link, with the article as the message's citation.
func (h *handler) insertArticle(w http.ResponseWriter, r *http.Request) {
	id, err := convID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body struct {
		ArticleID   string `json:"article_id"`
		Body        string `json:"body"`
		ClientMsgID string `json:"client_msg_id"`
	}
	if err := decode(r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.d.KB.Article(r.Context(), body.ArticleID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if a.PublishedRevisionID == "" || a.State != kb.StatePublished {
		h.fail(w, r, frontline.Errorf(frontline.EInvalid, "article %q is not published: customers cannot read it", a.Slug))
		return
	}
	rev, err := h.d.KB.Revision(r.Context(), a.PublishedRevisionID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	url := h.opts.ArticleURLPrefix + a.Slug
	intro := strings.TrimSpace(body.Body)
	if intro == "" {
		intro = "This article should help:"
	}
	text := intro + "\n\n" + rev.Title + ": " + excerpt(rev.Body, 280) + "\n" + url
	m, err := h.d.Handoff.Reply(r.Context(), user(r), id, handoff.ReplyRequest{Body: text, ClientMsgID: body.ClientMsgID,
		// The agent chose it; the score is not a retrieval's.
		Citations: []frontline.Citation{{ArticleID: a.ID, RevisionID: rev.ID, Slug: a.Slug, Title: rev.Title, URL: url, Score: 1}}})
	h.json(w, r, http.StatusCreated, m, err)
}

// excerpt is Markdown made plain: the first paragraphs that are not
// headings, without emphasis and link markup, cut at max runes.
func excerpt(md string, max int) string {
	var parts []string
	n := 0
	for _, para := range strings.Split(md, "\n\n") {
		p := strings.TrimSpace(para)
		if p == "" || strings.HasPrefix(p, "#") || strings.HasPrefix(p, "```") || strings.HasPrefix(p, "<") || strings.HasPrefix(p, "|") {
			continue
		}
		p = strings.Join(strings.Fields(p), " ")
		p = strings.NewReplacer("**", "", "__", "", "`", "").Replace(p)
		p = plainLinks(p)
		parts = append(parts, p)
		n += utf8.RuneCountInString(p)
		if n >= max {
			break
		}
	}
	s := strings.Join(parts, " ")
	if utf8.RuneCountInString(s) > max {
		s = strings.TrimSpace(string([]rune(s)[:max-1])) + "…"
	}
	return s
}

// plainLinks turns [text](url) into text.
func plainLinks(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "[")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "](")
		k := -1
		if j > 0 {
			k = strings.Index(s[i+j:], ")")
		}
		if j < 0 || k < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString(s[i+1 : i+j])
		s = s[i+j+k+1:]
	}
	b.WriteString(s)
	return b.String()
}

// teams lists the teams a conversation may be transferred to.
func (h *handler) teams(w http.ResponseWriter, r *http.Request) {
	if err := h.mayWork(r); err != nil {
		h.fail(w, r, err)
		return
	}
	teams, err := h.d.Handoff.Store().FindTeams(r.Context())
	type team struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	out := []team{}
	for _, t := range teams {
		out = append(out, team{ID: t.ID, Name: t.Name})
	}
	h.json(w, r, http.StatusOK, map[string]any{"teams": out, "tiers": frontline.Tiers}, err)
}

// Earlier is one of the customer's earlier conversations.
type Earlier struct {
	ID        string                       `json:"id"`
	Status    frontline.ConversationStatus `json:"status"`
	CreatedAt time.Time                    `json:"created_at"`
	Messages  int64                        `json:"messages"`
	// First is the customer's first message (masked, as stored).
	First  string `json:"first,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// history lists the customer's earlier conversations: by their verified
// customer id, else by their visitor id. Private ones the caller may not
// read are left out.
func (h *handler) history(w http.ResponseWriter, r *http.Request) {
	id, err := convID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx, u := r.Context(), user(r)
	if _, err := h.d.Handoff.Events(ctx, u, id, math.MaxInt64); err != nil {
		h.fail(w, r, err) // not theirs to read
		return
	}
	conv, err := h.d.Log.FindConversationByID(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := frontline.ConversationFilter{VisitorID: conv.VisitorID, SiteKey: conv.SiteKey, Limit: 11}
	if conv.CustomerID != "" {
		f = frontline.ConversationFilter{CustomerID: conv.CustomerID, SiteKey: conv.SiteKey, Limit: 11}
	}
	convs, err := h.d.Log.FindConversations(ctx, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []Earlier{}
	for _, c := range convs {
		if c.ID == id || len(out) == 10 {
			continue
		}
		e := Earlier{ID: c.ID, Status: c.Status, CreatedAt: c.CreatedAt, Messages: c.LastSeq}
		if entry, err := h.d.Handoff.Entry(ctx, c.ID); err == nil {
			if _, err := h.d.Handoff.Events(ctx, u, c.ID, math.MaxInt64); err != nil && c.Private {
				continue
			}
			e.Reason = entry.Packet.Reason
		} else if c.Private {
			continue
		}
		msgs, err := h.d.Log.ReadMessages(ctx, c.ID, 0, 10)
		if err == nil {
			if i := slices.IndexFunc(msgs, func(m frontline.Message) bool { return m.Author == frontline.AuthorCustomer }); i >= 0 {
				e.First = excerpt(msgs[i].Body, 160)
			}
		}
		out = append(out, e)
	}
	h.json(w, r, http.StatusOK, map[string]any{"conversations": out, "customer_id": conv.CustomerID}, nil)
}
