package kb

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	frontline "github.com/frontlinehq/frontline"
)

// PublicPrefix is where published articles are shown to customers; the bot's
// citations link here.
const PublicPrefix = "/kb/"

// PublicHandler serves the help centre: GET /kb/ lists the published public
// articles and GET /kb/{slug} shows one, from its published revision only
// (drafts and unpublished edits never show). Articles for signed-in
// customers are not shown to anonymous readers. Markdown is rendered and
// sanitised by RenderMarkdown; everything else goes through html/template.
func PublicHandler(svc *Service, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &publicHandler{svc: svc, logger: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PublicPrefix+"{$}", h.index)
	mux.HandleFunc("GET "+PublicPrefix+"{slug}", h.article)
	return mux
}

type publicHandler struct {
	svc    *Service
	logger *slog.Logger
}

func (h *publicHandler) index(w http.ResponseWriter, r *http.Request) {
	articles, err := h.svc.Articles(r.Context(), ArticleFilter{State: StatePublished, Audience: AudiencePublic})
	if err != nil {
		h.fail(w, err)
		return
	}
	h.render(w, http.StatusOK, publicPage{Title: "Help centre", Articles: articles})
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
	h.render(w, http.StatusOK, publicPage{Title: rev.Title, Body: RenderMarkdown(rev.Body), Updated: rev.CreatedAt.Format("2 January 2006")})
}

func (h *publicHandler) fail(w http.ResponseWriter, err error) {
	status := frontline.ErrorStatus(err)
	if status == http.StatusInternalServerError {
		h.logger.Error("help centre", "err", err)
	}
	h.render(w, status, publicPage{Title: "Not found", Notice: frontline.ErrorMessage(err)})
}

type publicPage struct {
	Title    string
	Body     template.HTML // sanitised by RenderMarkdown
	Updated  string
	Notice   string
	Articles []*Article
}

func (h *publicHandler) render(w http.ResponseWriter, status int, p publicPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	w.WriteHeader(status)
	if err := publicTemplate.Execute(w, p); err != nil {
		h.logger.Warn("help centre: render", "err", err)
	}
}

var publicTemplate = template.Must(template.New("public").Funcs(template.FuncMap{"lower": strings.ToLower}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{margin:0;font:16px/1.6 system-ui,sans-serif;color:#1d232a;background:#fafafa}
main{max-width:720px;margin:0 auto;padding:32px 20px}
a{color:#1f5f99} h1{line-height:1.25} .updated,.notice{color:#5b6570}
li{margin:.3em 0} pre,code{background:#eef1f4;border-radius:4px;padding:0 .2em}
</style></head>
<body><main>
<p><a href="/kb/">Help centre</a></p>
<h1>{{.Title}}</h1>
{{with .Notice}}<p class="notice">{{.}}</p>{{end}}
{{with .Updated}}<p class="updated">Updated {{.}}</p>{{end}}
{{.Body}}
{{with .Articles}}<ul>{{range .}}<li><a href="/kb/{{.Slug}}">{{.Title}}</a></li>{{end}}</ul>{{end}}
</main></body></html>
`))
