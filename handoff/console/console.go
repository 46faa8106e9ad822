// Package console serves the human half's pages: the agent console
// (/console/), the supervisor view (/console/supervisor) and the reports
// (/console/reports), with the small JSON API they need beside the agent
// API of package handoff (KB search and article insert for agents, the
// supervisor's overview, the reports with CSV export and SVG charts).
//
// Its routes are a table for internal/auth, which signs people in and
// checks roles. The pages are static (they hold no data until the APIs
// and the agent socket answer) and strict: a Content-Security-Policy
// allows only their own scripts and styles, and everything customers
// wrote (names, messages, emails, tags) is put in the page as text.
package console

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/pageasset"
	"github.com/frontlinehq/frontline/kb"
)

// Paths the console serves.
const (
	PagePrefix     = "/console/"
	SupervisorPath = "/console/supervisor"
	ReportsPath    = "/console/reports"
)

var (
	agentRoles = []frontline.Role{frontline.RoleAgent, frontline.RoleSupervisor, frontline.RoleAdmin}
	bossRoles  = []frontline.Role{frontline.RoleSupervisor, frontline.RoleAdmin}
)

// Deps are the services the pages read and act through.
type Deps struct {
	Handoff *handoff.Service
	KB      *kb.Service
	// Log reads a customer's earlier conversations.
	Log frontline.Log
	// Reports computes the figures of the reports page.
	Reports handoff.ReportStore
}

// Options configure the console.
type Options struct {
	// ArticleURLPrefix is where customers read an article by slug
	// (the help centre, e.g. https://support.example.com/kb/).
	ArticleURLPrefix string
	// EditorPath links unanswered questions to the KB editor.
	EditorPath string
	// Logger receives internal errors. Default: discard.
	Logger *slog.Logger
	// Now is the clock of the reports' default period. Default time.Now.
	Now func() time.Time
}

// Routes returns the pages and their API, for auth's Mount.
func Routes(d Deps, opts Options) []frontline.Route {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.EditorPath == "" {
		opts.EditorPath = "/editor/"
	}
	h := &handler{d: d, opts: opts, log: opts.Logger, assets: loadAssets()}
	r := func(method, pattern string, roles []frontline.Role, f http.HandlerFunc) frontline.Route {
		return frontline.Route{Method: method, Pattern: pattern, Roles: roles, Handler: f}
	}
	return []frontline.Route{
		r("GET", PagePrefix+"{$}", agentRoles, h.assets.Page("console.html")),
		r("GET", SupervisorPath, bossRoles, h.assets.Page("supervisor.html")),
		r("GET", ReportsPath, bossRoles, h.assets.Page("reports.html")),
		// Scripts and styles hold no data: public, cached for good.
		{Method: "GET", Pattern: PagePrefix + "assets/{name}", Public: true, Handler: http.HandlerFunc(h.assets.ServeAsset)},
		{Method: "GET", Pattern: "/console", Public: true, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, PagePrefix, http.StatusFound)
		})},

		r("GET", "/api/agent/kb/search", agentRoles, h.searchKB),
		r("GET", "/api/agent/teams", agentRoles, h.teams),
		r("GET", "/api/agent/conversations/{id}/history", agentRoles, h.history),
		r("POST", "/api/agent/conversations/{id}/article", agentRoles, h.insertArticle),
		r("GET", "/api/supervisor/overview", bossRoles, h.overview),
		r("GET", "/api/reports", bossRoles, h.report),
		r("GET", "/api/reports/export.csv", bossRoles, h.reportCSV),
		r("GET", "/api/reports/charts/{name}", bossRoles, h.chart),
	}
}

type handler struct {
	d      Deps
	opts   Options
	log    *slog.Logger
	assets *pageasset.Set
}
