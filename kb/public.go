package kb

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	frontline "github.com/frontlinehq/frontline"
)

// PublicPrefix is where published articles are shown to customers; the bot's
// citations link here.
const PublicPrefix = "/kb/"

// PublicOptions configure the help centre.
type PublicOptions struct {
	Logger *slog.Logger
	// Name heads every page, e.g. "Acme Outfitters help". Default
	// "Help centre".
	Name string
	// Accent is the colour of the header, links and buttons, "#rrggbb" or
	// "#rgb". Default #1f5f99.
	Accent string
	// ClientAddr returns the reader's address, for the per-address limits
	// on votes and searches. Default: the peer's address (behind a proxy,
	// pass one that believes the proxy's X-Forwarded-For).
	ClientAddr func(*http.Request) string
	// VotesPerHour is how many "Was this helpful?" votes one address may
	// cast per hour (burst of 5). Default 20.
	VotesPerHour int
	// SearchesPerMinute is how many searches one address may run per
	// minute (burst of 10). Default 30.
	SearchesPerMinute int
}

// DefaultPublicName and DefaultPublicAccent are the help centre's look
// when none is configured.
const (
	DefaultPublicName   = "Help centre"
	DefaultPublicAccent = "#1f5f99"
)

var accentRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// ValidAccent reports whether c is a colour the help centre accepts.
func ValidAccent(c string) bool { return accentRE.MatchString(c) }

// PublicHandler serves the help centre with the default look; see
// NewPublicHandler.
func PublicHandler(svc *Service, logger *slog.Logger) http.Handler {
	h, err := NewPublicHandler(svc, PublicOptions{Logger: logger})
	if err != nil {
		panic(err) // the defaults are valid
	}
	return h
}

// NewPublicHandler serves the help centre:
//
//	GET  /kb/                 the published public articles by category (first tag), by title
//	GET  /kb/?q=… or /kb/search?q=…   search, the bot's hybrid search, with excerpts
//	GET  /kb/{slug}           one article, from its published revision only
//	POST /kb/{slug}/vote      "Was this helpful?" (helpful=yes|no), for the article stats
//
// Drafts and unpublished edits never show; articles for signed-in
// customers are not shown to anonymous readers. Everything works without
// JavaScript; pages allow none. Markdown is rendered and sanitised by
// RenderMarkdown; everything else goes through html/template. EInvalid for
// a bad Accent.
func NewPublicHandler(svc *Service, opts PublicOptions) (http.Handler, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Name = strings.TrimSpace(opts.Name); opts.Name == "" {
		opts.Name = DefaultPublicName
	}
	if opts.Accent == "" {
		opts.Accent = DefaultPublicAccent
	}
	if !ValidAccent(opts.Accent) {
		return nil, frontline.Errorf(frontline.EInvalid, "help centre colour: %q is not #rrggbb", opts.Accent)
	}
	if opts.ClientAddr == nil {
		opts.ClientAddr = peerAddr
	}
	if opts.VotesPerHour <= 0 {
		opts.VotesPerHour = 20
	}
	if opts.SearchesPerMinute <= 0 {
		opts.SearchesPerMinute = 30
	}
	h := &publicHandler{
		svc: svc, logger: opts.Logger, opts: opts,
		site:     siteLook{Name: opts.Name, Accent: opts.Accent},
		votes:    newAddrLimiter(float64(opts.VotesPerHour)/3600, 5),
		searches: newAddrLimiter(float64(opts.SearchesPerMinute)/60, 10),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PublicPrefix+"{$}", h.index)
	mux.HandleFunc("GET "+PublicPrefix+"search", h.search)
	mux.HandleFunc("GET "+PublicPrefix+"{slug}", h.article)
	mux.HandleFunc("POST "+PublicPrefix+"{slug}/vote", h.vote)
	return mux, nil
}

type publicHandler struct {
	svc      *Service
	logger   *slog.Logger
	opts     PublicOptions
	site     siteLook
	votes    *addrLimiter
	searches *addrLimiter
}

// siteLook is the configured name and colour every page carries.
type siteLook struct {
	Name   string
	Accent string
}

func (h *publicHandler) index(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSpace(r.URL.Query().Get("q")) != "" {
		h.search(w, r)
		return
	}
	cats, err := h.categories(r)
	if err != nil {
		h.fail(w, err)
		return
	}
	h.render(w, http.StatusOK, publicPage{Home: true, Title: "How can we help?", Categories: cats})
}

func (h *publicHandler) article(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if ValidateSlug(slug) != nil {
		// Never a slug: answered before any query, so text such as a NUL or
		// invalid UTF-8 cannot reach the database.
		h.render(w, http.StatusNotFound, publicPage{Title: "Not found", Notice: "There is no such article."})
		return
	}
	a, err := h.svc.ArticleBySlug(r.Context(), slug)
	if err == nil && (a.State != StatePublished || a.PublishedRevisionID == "") {
		err = frontline.Errorf(frontline.ENotFound, "no published article %q", slug)
	}
	if err == nil && a.Audience != AudiencePublic {
		h.render(w, http.StatusForbidden, publicPage{Title: "Signed-in customers only",
			Notice: "This article is for signed-in customers. Sign in on our site and open it from the chat."})
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	rev, err := h.svc.Revision(r.Context(), a.PublishedRevisionID)
	if err != nil {
		h.fail(w, err)
		return
	}
	p := publicPage{Title: rev.Title, Body: RenderMarkdown(rev.Body), Updated: rev.CreatedAt.Format("2 January 2006"),
		VoteSlug: a.Slug, Voted: r.URL.Query().Get("voted") != ""}
	if len(rev.Tags) > 0 {
		c := categoryOf(rev.Tags)
		p.Crumb = &c
	}
	h.render(w, http.StatusOK, p)
}

func (h *publicHandler) fail(w http.ResponseWriter, err error) {
	status := frontline.ErrorStatus(err)
	title := "Not found"
	if status == http.StatusInternalServerError {
		h.logger.Error("help centre", "err", err)
		title = "Something went wrong"
	}
	h.render(w, status, publicPage{Title: title, Notice: frontline.ErrorMessage(err)})
}

type publicPage struct {
	Site       siteLook
	Home       bool // the index: the site's name is the whole <title>
	Title      string
	Crumb      *category     // the article's category, linked above its title
	Body       template.HTML // sanitised by RenderMarkdown
	Updated    string
	Notice     string
	Categories []category

	// Search.
	Query     string
	Searched  bool
	Results   []searchResult
	Abstained bool

	// The "Was this helpful?" form under an article.
	VoteSlug string
	Voted    bool
}

// csp allows no script at all: the help centre works without it. Forms
// post to the help centre itself.
const csp = "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

func (h *publicHandler) render(w http.ResponseWriter, status int, p publicPage) {
	p.Site = h.site
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	if err := publicTemplate.Execute(w, p); err != nil {
		h.logger.Warn("help centre: render", "err", err)
	}
}

// articleURL is the help-centre path of slug.
func articleURL(slug string) string { return PublicPrefix + url.PathEscape(slug) }

var publicTemplate = template.Must(template.New("public").Funcs(template.FuncMap{"articleURL": articleURL}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Home}}{{.Site.Name}}{{else}}{{.Title}} · {{.Site.Name}}{{end}}</title>
<style>
:root{--accent:{{.Site.Accent}}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232a;background:#f6f7f9}
header{background:var(--accent);color:#fff}
header .bar{max-width:760px;margin:0 auto;padding:14px 20px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header a.site{color:#fff;text-decoration:none;font-weight:650;font-size:1.15rem;flex:1 1 auto}
form.search{display:flex;gap:6px;flex:1 1 280px;max-width:420px}
form.search input{flex:1;min-width:0;padding:8px 10px;border:1px solid #c9d0d8;border-radius:6px;font:inherit}
button{font:inherit;padding:7px 14px;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
header button{border-color:#fff}
button.secondary{background:#fff;color:var(--accent)}
main{max-width:760px;margin:0 auto;padding:24px 20px 48px}
a{color:var(--accent)} h1{line-height:1.25;margin:.2em 0 .5em}
.crumb{margin:0;font-size:.9rem} .updated,.notice,.muted{color:#5b6570}
.categories{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:16px}
.category,.result,.vote{background:#fff;border:1px solid #e1e5ea;border-radius:8px;padding:14px 18px}
.category h2{font-size:1.05rem;margin:0 0 .4em;border-bottom:2px solid var(--accent);padding-bottom:.3em}
.category ul{list-style:none;margin:0;padding:0} .category li{margin:.35em 0}
.results{list-style:none;padding:0;margin:0;display:grid;gap:12px}
.result h2{font-size:1.05rem;margin:0} .result p{margin:.3em 0 0} .result .cat{font-size:.85rem}
article.body{background:#fff;border:1px solid #e1e5ea;border-radius:8px;padding:4px 24px 16px}
table{border-collapse:collapse;margin:1em 0;width:100%;display:block;overflow-x:auto}
th,td{border:1px solid #c9d0d8;padding:6px 10px;text-align:left;vertical-align:top}
th{background:#eef1f4}
pre,code{background:#eef1f4;border-radius:4px;padding:0 .2em} pre{padding:10px;overflow-x:auto}
.vote{margin-top:20px;display:flex;gap:10px;align-items:center;flex-wrap:wrap} .vote p{margin:0;flex:1 1 auto}
</style></head>
<body>
<header><div class="bar">
<a class="site" href="/kb/">{{.Site.Name}}</a>
<form class="search" role="search" method="get" action="/kb/search">
<input type="search" name="q" value="{{.Query}}" placeholder="Search articles" aria-label="Search articles" maxlength="1000">
<button type="submit">Search</button>
</form>
</div></header>
<main>
{{with .Crumb}}<p class="crumb"><a href="/kb/#{{.ID}}">{{.Name}}</a></p>{{end}}
<h1>{{.Title}}</h1>
{{with .Notice}}<p class="notice">{{.}}</p>{{end}}
{{if .Searched}}
  {{if .Results}}
    {{if .Abstained}}<p class="muted">These are the closest articles we found. If none of them answers your question, ask us in the chat.</p>{{end}}
    <ol class="results">{{range .Results}}
      <li class="result"><h2><a href="{{articleURL .Slug}}">{{.Title}}</a></h2>{{with .Category}}<div class="cat muted">{{.}}</div>{{end}}<p>{{.Excerpt}}</p></li>{{end}}
    </ol>
  {{else}}<p class="muted">No articles found. Try other words, or ask us in the chat.</p>{{end}}
{{end}}
{{with .Updated}}<p class="updated">Updated {{.}}</p>{{end}}
{{if .Body}}<article class="body">{{.Body}}</article>{{end}}
{{with .Categories}}<div class="categories">{{range .}}
  <section class="category" id="{{.ID}}"><h2>{{.Name}}</h2><ul>{{range .Articles}}<li><a href="{{articleURL .Slug}}">{{.Title}}</a></li>{{end}}</ul></section>{{end}}
</div>{{end}}
{{with .VoteSlug}}{{if $.Voted}}<div class="vote" id="helpful"><p>Thanks for telling us.</p></div>{{else}}
<form class="vote" id="helpful" method="post" action="{{articleURL .}}/vote">
<p>Was this helpful?</p>
<button type="submit" name="helpful" value="yes">Yes</button>
<button type="submit" name="helpful" value="no" class="secondary">No</button>
</form>{{end}}{{end}}
</main></body></html>
`))
