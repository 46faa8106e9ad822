package kb

import (
	"html"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/time/rate"

	frontline "github.com/frontlinehq/frontline"
)

// category is a group of the help centre's index: the articles whose first
// tag it is.
type category struct {
	ID       string // the tag, as a fragment: /kb/#billing
	Name     string
	Articles []categoryArticle
}

type categoryArticle struct{ Slug, Title string }

// otherCategory holds articles without tags.
const otherCategory = "other"

// categoryOf is the category of an article with these tags: its first
// tag, so an article sits in exactly one place.
func categoryOf(tags []string) category {
	tag := otherCategory
	if len(tags) > 0 && strings.TrimSpace(tags[0]) != "" {
		tag = strings.ToLower(strings.TrimSpace(tags[0]))
	}
	return category{ID: tag, Name: displayName(tag)}
}

// displayName capitalises a tag for a heading: "acme plus" → "Acme plus".
func displayName(tag string) string {
	r, n := utf8.DecodeRuneInString(tag)
	return string(unicode.ToUpper(r)) + tag[n:]
}

// categories groups the published public articles by category, each
// sorted by title; categories by name, "Other" last. Titles and tags come
// from the published revisions, never from unpublished edits.
func (h *publicHandler) categories(r *http.Request) ([]category, error) {
	articles, err := h.svc.Articles(r.Context(), ArticleFilter{State: StatePublished, Audience: AudiencePublic})
	if err != nil {
		return nil, err
	}
	byID := map[string]*category{}
	for _, a := range articles {
		if a.PublishedRevisionID == "" {
			continue
		}
		rev, err := h.svc.Revision(r.Context(), a.PublishedRevisionID)
		if err != nil {
			return nil, err
		}
		c := categoryOf(rev.Tags)
		if byID[c.ID] == nil {
			byID[c.ID] = &c
		}
		byID[c.ID].Articles = append(byID[c.ID].Articles, categoryArticle{Slug: a.Slug, Title: rev.Title})
	}
	out := make([]category, 0, len(byID))
	for _, c := range byID {
		slices.SortFunc(c.Articles, func(a, b categoryArticle) int {
			return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
		})
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b category) int {
		if (a.ID == otherCategory) != (b.ID == otherCategory) {
			if a.ID == otherCategory {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// searchResult is one article found, with a plain-text excerpt of its best
// passage.
type searchResult struct {
	Slug, Title, Category, Excerpt string
}

// maxSearchResults is how many articles a search page lists; nearestShown
// how many when none is a confident match.
const (
	maxSearchResults = 10
	nearestShown     = 3
)

// search runs the bot's own search (Service.Search, anonymous audience)
// and lists the articles it found, best first. Below the confidence
// threshold it still shows the nearest, saying so.
func (h *publicHandler) search(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		http.Redirect(w, r, PublicPrefix, http.StatusSeeOther)
		return
	}
	page := publicPage{Title: "Search results for “" + q + "”", Query: q, Searched: true}
	if !h.searches.allow(h.opts.ClientAddr(r)) {
		page.Searched, page.Notice = false, "Too many searches from your address. Please wait a minute and try again."
		w.Header().Set("Retry-After", "60")
		h.render(w, http.StatusTooManyRequests, page)
		return
	}
	res, err := h.svc.Search(r.Context(), SearchQuery{Text: q, Audience: string(AudiencePublic), Limit: maxSearchResults})
	if err != nil {
		status := frontline.ErrorStatus(err)
		if status == http.StatusInternalServerError {
			h.logger.Error("help centre: search", "err", err)
		}
		page.Searched, page.Notice = false, "We could not search for that: "+frontline.ErrorMessage(err)
		h.render(w, status, page)
		return
	}
	// The confident hits; when there are none, the nearest few, said so.
	hits := slices.DeleteFunc(slices.Clone(res.Hits), func(h Hit) bool { return h.Score < res.Threshold })
	if len(hits) == 0 {
		hits = res.Hits[:min(len(res.Hits), nearestShown)]
		page.Abstained = len(hits) > 0
	}
	for _, hit := range hits {
		sr := searchResult{Slug: hit.Slug, Title: hit.Title, Excerpt: excerpt(hit.Passage, 240)}
		if a, err := h.svc.ArticleBySlug(r.Context(), hit.Slug); err == nil && a.PublishedRevisionID == hit.RevisionID {
			if rev, err := h.svc.Revision(r.Context(), hit.RevisionID); err == nil {
				sr.Category = categoryOf(rev.Tags).Name
			}
		}
		page.Results = append(page.Results, sr)
	}
	h.render(w, http.StatusOK, page)
}

// tableBreaks marks the ends of table cells and rows, before the tags go,
// with private-use characters no article contains.
var tableBreaks = strings.NewReplacer("</th>", "\ue000", "</td>", "\ue000", "</tr>", "\ue001")

// rowEnd is a row's last cell mark with the row's end: a full stop.
var rowEnd = regexp.MustCompile(`\s*\x{E000}?\s*\x{E001}\s*`)

// cellEnd is a cell's end within a row.
var cellEnd = regexp.MustCompile(`\s*\x{E000}\s*`)

// plainText strips every tag; it keeps the text.
var plainText = bluemonday.StrictPolicy()

// excerpt is the first max bytes (at a word boundary) of a passage's text,
// without Markdown.
func excerpt(md string, max int) string {
	// Table cells and rows keep a separator, or a row reads as one run-on
	// phrase ("Placed We have your order Cancel it").
	rendered := tableBreaks.Replace(string(RenderMarkdown(md)))
	text := html.UnescapeString(plainText.Sanitize(rendered))
	endsInTable := strings.HasSuffix(strings.TrimSpace(text), "\ue001")
	text = rowEnd.ReplaceAllString(text, ". ")
	text = strings.ReplaceAll(text, ".. ", ". ") // a cell that ended its own sentence
	text = cellEnd.ReplaceAllString(text, " · ")
	text = strings.Join(strings.Fields(text), " ")
	if endsInTable {
		text = strings.TrimSuffix(text, ".") // the last row's stop is not the text's
	}
	if len(text) <= max {
		return text
	}
	cut := strings.LastIndexByte(text[:max], ' ')
	if cut < max/2 {
		cut = max
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	}
	return strings.TrimRight(text[:cut], " ,.;:") + "…"
}

// vote records "Was this helpful?" and sends the reader back to the
// article, which then thanks them. Votes are limited per address, and a
// form posted from another site is refused.
func (h *publicHandler) vote(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if crossSite(r) {
		h.render(w, http.StatusForbidden, publicPage{Title: "Not allowed", Notice: "Votes are taken from this help centre's own pages only."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1024)
	var helpful bool
	switch r.PostFormValue("helpful") {
	case "yes":
		helpful = true
	case "no":
	default:
		h.render(w, http.StatusBadRequest, publicPage{Title: "Was this helpful?", Notice: "Choose Yes or No."})
		return
	}
	if !h.votes.allow(h.opts.ClientAddr(r)) {
		w.Header().Set("Retry-After", "3600")
		h.render(w, http.StatusTooManyRequests, publicPage{Title: "Thank you", Notice: "We have had many votes from your address; please try again later."})
		return
	}
	if err := h.svc.Vote(r.Context(), slug, helpful); err != nil {
		h.fail(w, err)
		return
	}
	http.Redirect(w, r, articleURL(slug)+"?voted=1#helpful", http.StatusSeeOther)
}

// crossSite reports whether the browser says the request comes from
// another site (Sec-Fetch-Site, or an Origin naming another host).
func crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// addrLimiter is a token bucket per address. Addresses idle for an hour
// are forgotten once many are held.
type addrLimiter struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	m     map[string]*addrBucket
}

type addrBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxTrackedAddrs bounds the limiter's memory before a sweep.
const maxTrackedAddrs = 10000

func newAddrLimiter(perSecond float64, burst int) *addrLimiter {
	return &addrLimiter{every: rate.Limit(perSecond), burst: burst, m: map[string]*addrBucket{}}
}

func (l *addrLimiter) allow(addr string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m[addr]
	if b == nil {
		if len(l.m) >= maxTrackedAddrs {
			for a, old := range l.m {
				if now.Sub(old.seen) > time.Hour {
					delete(l.m, a)
				}
			}
			if len(l.m) >= maxTrackedAddrs {
				// Under a flood from many addresses, forget them all
				// rather than grow without bound.
				clear(l.m)
			}
		}
		b = &addrBucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.m[addr] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
