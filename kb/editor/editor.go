// Package editor serves the knowledge-base editor: a JSON API under
// /api/kb/ and a page under /editor/ for the people who write and fix the
// articles the bot answers from.
//
// Its routes are a table (Routes) for internal/auth, which signs people in
// and lets only editors and admins through: the page and the API need a
// signed-in editor, the name on a published revision is the signed-in
// person's, and state-changing calls from other origins are refused. The
// page is static (it holds no data until the API answers) and strict: a
// Content-Security-Policy allows only its own script and style, every
// article, question and name is put in the page as text, and the only HTML
// it inserts is Markdown rendered and sanitized by the server.
package editor

import (
	"log/slog"
	"net/http"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/pageasset"
	"github.com/frontlinehq/frontline/kb"
)

// Paths the editor serves.
const (
	PagePrefix = "/editor/"
	APIPrefix  = "/api/kb/"
)

// Roles may use the editor.
var Roles = []frontline.Role{frontline.RoleEditor, frontline.RoleAdmin}

// Options configure the editor.
type Options struct {
	// Logger receives internal errors. Default: discard.
	Logger *slog.Logger
}

// Routes returns the editor page and its API, for auth's Mount.
func Routes(svc *kb.Service, opts Options) []frontline.Route {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{svc: svc, log: opts.Logger, assets: loadAssets()}
	page := func(pattern string, f http.HandlerFunc) frontline.Route {
		return frontline.Route{Method: "GET", Pattern: pattern, Roles: Roles, Handler: f}
	}
	routes := []frontline.Route{
		page(PagePrefix+"{$}", h.assets.Page("index.html")),
		// The scripts and styles hold no data: the sign-in page may load
		// them before anyone signs in, and browsers cache them for good.
		{Method: "GET", Pattern: PagePrefix + "assets/{name}", Public: true, Handler: http.HandlerFunc(h.assets.ServeAsset)},
		{Method: "GET", Pattern: PagePrefix, Public: true, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, PagePrefix, http.StatusFound)
		})},
	}
	return append(routes, h.apiRoutes()...)
}

type handler struct {
	svc    *kb.Service
	log    *slog.Logger
	assets *pageasset.Set
}
