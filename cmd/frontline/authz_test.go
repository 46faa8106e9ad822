package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/authtest"
)

// rule is who may call a route.
type rule struct {
	public bool
	roles  []frontline.Role
	// adminToken: only the operator's admin token (FRONTLINE_ADMIN_TOKEN)
	// opens it, no person's session or API token (the /debug/ routes).
	adminToken bool
}

var (
	public      = rule{public: true}
	everyone    = rule{roles: frontline.Roles}
	admins      = rule{roles: []frontline.Role{frontline.RoleAdmin}}
	editors     = rule{roles: []frontline.Role{frontline.RoleEditor, frontline.RoleAdmin}}
	supervisors = rule{roles: []frontline.Role{frontline.RoleSupervisor, frontline.RoleAdmin}}
	agents      = rule{roles: []frontline.Role{frontline.RoleAgent, frontline.RoleSupervisor, frontline.RoleAdmin}}
	operators   = rule{adminToken: true}
)

// routeRules is the authorization matrix's expectation: who may call each
// route the server mounts. A route mounted without a row here fails
// TestAuthorizationMatrix, so adding a route means stating its rule here
// too, where a reviewer sees it.
var routeRules = map[string]rule{
	"GET /login":               public,
	"GET /login/assets/{name}": public,
	"POST /api/login":          public,
	"POST /logout":             public,
	"GET /api/me":              everyone,
	"POST /api/me/password":    everyone,
	"GET /api/tokens":          everyone,
	"POST /api/tokens":         everyone,
	"DELETE /api/tokens/{id}":  everyone,

	"GET /api/users":                admins,
	"POST /api/users":               admins,
	"GET /api/users/{id}":           admins,
	"PATCH /api/users/{id}":         admins,
	"POST /api/users/{id}/password": admins,

	"GET /editor/{$}":                      editors,
	"GET /editor/assets/{name}":            public,
	"GET /editor/":                         public, // a redirect to /editor/
	"GET /api/kb/articles":                 editors,
	"POST /api/kb/articles":                editors,
	"GET /api/kb/articles/{id}":            editors,
	"PATCH /api/kb/articles/{id}":          editors,
	"POST /api/kb/articles/{id}/submit":    editors,
	"POST /api/kb/articles/{id}/publish":   editors,
	"POST /api/kb/articles/{id}/archive":   editors,
	"GET /api/kb/articles/{id}/revisions":  editors,
	"POST /api/kb/articles/{id}/rollback":  editors,
	"POST /api/kb/articles/{id}/phrasings": editors,
	"DELETE /api/kb/phrasings/{id}":        editors,
	"POST /api/kb/preview":                 editors,
	"POST /api/kb/ask":                     editors,
	"GET /api/kb/unanswered":               editors,
	"POST /api/kb/unanswered/attach":       editors,
	"GET /api/kb/stats":                    editors,
	"GET /api/kb/candidates":               editors,
	"POST /api/kb/candidates/{id}/accept":  editors,
	"POST /api/kb/candidates/{id}/reject":  editors,
	"* /api/kb/":                           editors, // JSON 404 for unknown editor endpoints

	// The widget's sites: their look (widget.Server.AdminRoutes).
	"GET /api/admin/sites":          admins,
	"GET /api/admin/sites/{key}":    admins,
	"PUT /api/admin/sites/{key}":    admins,
	"DELETE /api/admin/sites/{key}": admins,

	"GET /api/handoffs":      supervisors,
	"GET /api/handoffs/{$}":  supervisors,
	"GET /api/handoffs/{id}": supervisors,

	// The agent side (handoff.Service.Routes): which conversations a caller
	// may see or change is then the hand-off service's own check.
	"GET /api/agent/me":                               agents,
	"PUT /api/agent/me/presence":                      agents,
	"GET /api/agent/queue":                            agents,
	"POST /api/agent/claim":                           agents,
	"GET /api/agent/canned":                           agents,
	"GET /api/agent/conversations/{id}":               agents,
	"GET /api/agent/conversations/{id}/messages":      agents,
	"POST /api/agent/conversations/{id}/claim":        agents,
	"POST /api/agent/conversations/{id}/messages":     agents,
	"POST /api/agent/conversations/{id}/typing":       agents,
	"POST /api/agent/conversations/{id}/notes":        agents,
	"PUT /api/agent/conversations/{id}/tags":          agents,
	"POST /api/agent/conversations/{id}/transfer":     agents,
	"POST /api/agent/conversations/{id}/handback":     agents,
	"POST /api/agent/conversations/{id}/resolve":      agents,
	"POST /api/agent/conversations/{id}/reopen":       agents,
	"POST /api/agent/conversations/{id}/csat-request": agents,
	"POST /api/agent/conversations/{id}/reassign":     supervisors,
	"GET /api/admin/agents":                           supervisors,
	"PUT /api/admin/agents/{id}":                      admins,
	"DELETE /api/admin/agents/{id}":                   admins,
	"GET /api/admin/teams":                            supervisors,
	"PUT /api/admin/teams/{id}":                       admins,
	"DELETE /api/admin/teams/{id}":                    admins,
	"GET /api/admin/sla-policies":                     supervisors,
	"PUT /api/admin/sla-policies/{priority}":          admins,
	"PUT /api/admin/canned/{id}":                      admins,
	"DELETE /api/admin/canned/{id}":                   admins,
	// The console pages and their API (handoff/console).
	"GET /console/{$}":                           agents,
	"GET /console/supervisor":                    supervisors,
	"GET /console/reports":                       supervisors,
	"GET /console/assets/{name}":                 public,
	"GET /console":                               public,
	"GET /api/agent/kb/search":                   agents,
	"GET /api/agent/teams":                       agents,
	"GET /api/agent/conversations/{id}/history":  agents,
	"POST /api/agent/conversations/{id}/article": agents,
	"GET /api/supervisor/overview":               supervisors,
	"GET /api/reports":                           supervisors,
	"GET /api/reports/export.csv":                supervisors,
	"GET /api/reports/charts/{name}":             supervisors,

	// The profiler (net/http/pprof), beside /debug/widget/stats.
	"GET /debug/pprof/":        operators,
	"GET /debug/pprof/cmdline": operators,
	"GET /debug/pprof/profile": operators,
	"GET /debug/pprof/symbol":  operators,
	"GET /debug/pprof/trace":   operators,
}

func routeKey(rt frontline.Route) string {
	m := rt.Method
	if m == "" {
		m = "*"
	}
	return m + " " + rt.Pattern
}

// methods are what a route is called with: its method, or for a route of
// every method a read and a write.
func methods(rt frontline.Route) []string {
	if rt.Method == "" {
		return []string{"GET", "POST", "DELETE"}
	}
	return []string{rt.Method}
}

var wildcard = regexp.MustCompile(`\{[A-Za-z_]+(\.\.\.)?\}`)

// concretePath fills a pattern's wildcards: {$} with nothing, others with
// an id that exists nowhere; a subtree pattern ("/editor/") gets a path
// below it, which no more specific pattern takes.
func concretePath(pattern string) string {
	if strings.HasSuffix(pattern, "/") {
		pattern += "x_missing"
	}
	return wildcard.ReplaceAllString(strings.ReplaceAll(pattern, "{$}", ""), "x_missing")
}

// principal is one kind of caller.
type principal struct {
	name   string
	cookie string
	bearer string
	role   frontline.Role // "" when none: refused everywhere but public routes
	want   int            // status on a route it may not call: 401 or 403
}

func isState(method string) bool {
	return method != "GET" && method != "HEAD" && method != "OPTIONS"
}

// TestAuthorizationMatrix checks every route the server mounts against
// routeRules, then calls every route as every kind of caller: each role
// by session and by API token, nobody, a forged, an expired and a
// logged-out session, a disabled person's session and token, and a
// customer's widget token. The routes are called twice: remounted with a
// probe handler on a fixture whose clock the test moves (so "allowed"
// means the handler ran, and sessions can expire), and on the real server
// (where every refusal must come, in the one error shape, before any
// handler), signed in as the people the in-memory demo prints.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	srv, printed := startDemoServer(t, "--admin-token", matrixAdminToken)
	sessions := demoSessions(t, srv, printed)
	mounted := srv.people.Mounted()
	seen := map[string]bool{}
	for _, rt := range debugRoutes() {
		seen[rt.pattern] = true
		if want, ok := routeRules[rt.pattern]; !ok || !want.adminToken {
			t.Errorf("debug route %s is mounted without an operators row in routeRules", rt.pattern)
		}
	}
	for _, rt := range mounted {
		key := routeKey(rt)
		seen[key] = true
		want, ok := routeRules[key]
		if !ok {
			t.Errorf("route %s is mounted with no rule in routeRules: say who may call it", key)
			continue
		}
		if want.public != rt.Public || !slices.Equal(want.roles, rt.Roles) {
			t.Errorf("route %s is mounted for public=%v roles=%v; routeRules says public=%v roles=%v", key, rt.Public, rt.Roles, want.public, want.roles)
		}
	}
	for key := range routeRules {
		if !seen[key] {
			t.Errorf("routeRules names %s, which is not mounted", key)
		}
	}
	customerToken := widgetToken(t, srv)
	t.Run("probe", func(t *testing.T) { matrixOnProbes(t, mounted, customerToken) })
	t.Run("server", func(t *testing.T) { matrixOnServer(t, srv, mounted, sessions, customerToken) })
	t.Run("debug", func(t *testing.T) { matrixOnDebugRoutes(t, srv, sessions, customerToken) })
}

const matrixAdminToken = "authz-matrix-admin-token-0123456789"

// matrixOnDebugRoutes calls every operators route as every person (by
// session), nobody, a customer, and a wrong token: all 401 in the error
// shape; the admin token gets the page.
func matrixOnDebugRoutes(t *testing.T, srv *Server, sessions map[frontline.Role]string, customerToken string) {
	var callers []principal
	for _, r := range frontline.Roles {
		callers = append(callers, principal{name: string(r), cookie: sessions[r], role: r})
	}
	callers = append(callers,
		principal{name: "nobody"},
		principal{name: "a customer's widget token", bearer: customerToken},
		principal{name: "a wrong token", bearer: matrixAdminToken + "x"},
	)
	for key, rule := range routeRules {
		if !rule.adminToken {
			continue
		}
		path := strings.TrimPrefix(key, "GET ")
		for _, p := range callers {
			if status, body := call(t, srv.URL(), "GET", path, p, "same-origin"); status != http.StatusUnauthorized || errorCode(body) == "" {
				t.Errorf("GET %s as %s = %d %v, want 401 in the error shape", path, p.name, status, body)
			}
		}
		if path == "/debug/pprof/profile" || path == "/debug/pprof/trace" {
			path += "?seconds=1"
		}
		if status, _ := call(t, srv.URL(), "GET", path, principal{name: "operator", bearer: matrixAdminToken}, "same-origin"); status != http.StatusOK {
			t.Errorf("GET %s with the admin token = %d, want 200", path, status)
		}
	}
}

// widgetToken is a real customer's visitor token, from the widget's hello.
func widgetToken(t *testing.T, srv *Server) string {
	t.Helper()
	wsURL := "ws" + strings.TrimPrefix(srv.URL(), "http") + "/widget/ws?site=" + demoSiteKey
	ws, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Origin": {srv.URL()}})
	if err != nil {
		t.Fatalf("dial the widget: %v", err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"v": 1, "type": "hello"}); err != nil {
		t.Fatal(err)
	}
	var welcome map[string]any
	if err := ws.ReadJSON(&welcome); err != nil {
		t.Fatal(err)
	}
	token, _ := welcome["token"].(string)
	if token == "" {
		t.Fatalf("welcome %v has no token", welcome)
	}
	return token
}

func matrixOnProbes(t *testing.T, mounted []frontline.Route, customerToken string) {
	f := authtest.NewFixture(t, auth.Options{})
	probes := make([]frontline.Route, len(mounted))
	for i, rt := range mounted {
		rt.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			who := ""
			if u := frontline.UserFromContext(r.Context()); u != nil {
				who = u.Email
			}
			auth.WriteJSON(w, http.StatusOK, map[string]string{"reached": routeKey(rt), "as": who})
		})
		probes[i] = rt
	}
	mux := http.NewServeMux()
	if err := f.Service.Mount(mux, probes); err != nil {
		t.Fatal(err)
	}
	srvURL := serveMux(t, mux)

	// A session of someone holding every role, expired: made first, then
	// the clock moves past its end.
	gone := f.User(t, "gone@example.com", "", frontline.Roles...)
	expired := f.Session(t, gone)
	f.Clock.Advance(auth.DefaultSessionTTL)
	var people []principal
	for _, r := range frontline.Roles {
		u := f.User(t, string(r)+"@example.com", "", r)
		people = append(people,
			principal{name: string(r) + " (session)", cookie: f.Session(t, u), role: r, want: http.StatusForbidden},
			principal{name: string(r) + " (API token)", bearer: f.Token(t, u), role: r, want: http.StatusForbidden})
	}
	loggedOut := f.Session(t, gone)
	if err := f.Service.Logout(t.Context(), loggedOut); err != nil {
		t.Fatal(err)
	}
	disabled := f.User(t, "disabled@example.com", "", frontline.Roles...)
	disabledSession, disabledToken := f.Session(t, disabled), f.Token(t, disabled)
	yes := true
	if _, err := f.Service.UpdateUser(t.Context(), nil, disabled.ID, auth.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	people = append(people,
		principal{name: "nobody", want: http.StatusUnauthorized},
		principal{name: "a forged session", cookie: "Zm9yZ2VkLXNlc3Npb24tdG9rZW4tdGhhdC1pcy1sb25n", want: http.StatusUnauthorized},
		principal{name: "a forged API token", bearer: auth.APITokenPrefix + "Zm9yZ2VkLXRva2Vu", want: http.StatusUnauthorized},
		principal{name: "an expired session (every role)", cookie: expired, want: http.StatusUnauthorized},
		principal{name: "a logged-out session (every role)", cookie: loggedOut, want: http.StatusUnauthorized},
		principal{name: "a disabled person's session", cookie: disabledSession, want: http.StatusUnauthorized},
		principal{name: "a disabled person's API token", bearer: disabledToken, want: http.StatusForbidden},
		principal{name: "a customer's widget token", bearer: customerToken, want: http.StatusUnauthorized},
		principal{name: "a customer's widget token as a cookie", cookie: customerToken, want: http.StatusUnauthorized},
	)

	checked := 0
	for _, rt := range mounted {
		rule := routeRules[routeKey(rt)]
		for _, method := range methods(rt) {
			for _, p := range people {
				allowed := rule.public || p.role != "" && slices.Contains(rule.roles, p.role)
				status, body := call(t, srvURL, method, concretePath(rt.Pattern), p, "same-origin")
				checked++
				reached := body["reached"] == routeKey(rt)
				switch {
				case allowed && (status != http.StatusOK || !reached):
					t.Errorf("%s %s as %s = %d %v, want it let through", method, rt.Pattern, p.name, status, body)
				case !allowed && (status != p.want || reached || errorCode(body) == ""):
					t.Errorf("%s %s as %s = %d %v, want %d in the error shape, handler not run", method, rt.Pattern, p.name, status, body, p.want)
				}
				// From another site, no state change runs, whoever asks.
				if isState(method) {
					status, body := call(t, srvURL, method, concretePath(rt.Pattern), p, "cross-site")
					checked++
					if status != http.StatusForbidden || body["reached"] != nil || errorCode(body) != frontline.EForbidden {
						t.Errorf("cross-site %s %s as %s = %d %v, want 403 forbidden, handler not run", method, rt.Pattern, p.name, status, body)
					}
				}
			}
		}
	}
	t.Logf("authorization matrix: %d routes × %d callers, %d requests", len(mounted), len(people), checked)
}

// matrixOnServer calls the real handlers: every refusal must happen before
// them, and a caller who may read a listing gets it.
func matrixOnServer(t *testing.T, srv *Server, mounted []frontline.Route, sessions map[frontline.Role]string, customerToken string) {
	var callers []principal
	for _, r := range frontline.Roles {
		callers = append(callers, principal{name: string(r), cookie: sessions[r], role: r, want: http.StatusForbidden})
	}
	callers = append(callers,
		principal{name: "nobody", want: http.StatusUnauthorized},
		principal{name: "a customer's widget token", bearer: customerToken, want: http.StatusUnauthorized},
	)
	for _, rt := range mounted {
		rule := routeRules[routeKey(rt)]
		if rule.public {
			continue
		}
		for _, method := range methods(rt) {
			for _, p := range callers {
				path := concretePath(rt.Pattern)
				status, body := call(t, srv.URL(), method, path, p, "same-origin")
				allowed := slices.Contains(rule.roles, p.role)
				if !allowed && (status != p.want || errorCode(body) == "") {
					t.Errorf("%s %s as %s = %d %v, want %d in the error shape", method, path, p.name, status, body, p.want)
				}
				// A person without an agent profile (the demo admin) has
				// no "me" on the agent side: let through, then not found.
				noProfile := rt.Pattern == "/api/agent/me" && status == http.StatusNotFound && errorCode(body) == frontline.ENotFound
				if allowed && rt.Method == "GET" && !strings.Contains(rt.Pattern, "{") && status != http.StatusOK && !noProfile {
					t.Errorf("%s %s as %s = %d %v, want 200", method, path, p.name, status, body)
				}
			}
		}
	}
}

func serveMux(t *testing.T, mux *http.ServeMux) string {
	t.Helper()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// call sends one request as p, with a JSON body for state changes, the
// way a browser on the given site would.
func call(t *testing.T, base, method, path string, p principal, fetchSite string) (int, map[string]any) {
	t.Helper()
	var body io.Reader
	if isState(method) {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Sec-Fetch-Site", fetchSite)
	if fetchSite == "cross-site" {
		req.Header.Set("Origin", "https://evil.example")
	}
	if p.cookie != "" {
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: p.cookie})
	}
	if p.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+p.bearer)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, &out)
	}
	return res.StatusCode, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// socketRules is the matrix's expectation for the agent socket's client
// messages, stated here as routeRules is for routes: a type in
// handoff.MessageRoles without a row here, or with other roles, fails.
var socketRules = map[string]rule{
	"open": agents, "close": agents, "claim": agents, "claim_next": agents,
	"reply": agents, "typing": agents, "note": agents, "tags": agents,
	"transfer": agents, "hand_back": agents, "resolve": agents, "reopen": agents,
	"request_csat": agents, "presence": agents,
	"reassign": supervisors,
}

// TestAgentSocketMatrix calls every client message type of the agent
// socket (handoff.MessageRoles) as every role, on the real server: the
// socket opens only for its roles, and inside it a message type answers
// forbidden exactly to the roles its row leaves out. A type without a row
// is refused for everyone.
func TestAgentSocketMatrix(t *testing.T) {
	t.Parallel()
	srv, printed := startDemoServer(t)
	sessions := demoSessions(t, srv, printed)
	wsURL := "ws" + strings.TrimPrefix(srv.URL(), "http") + handoff.SocketPath
	dial := func(cookie, bearer string) (*websocket.Conn, *http.Response, error) {
		h := http.Header{"Origin": {srv.URL()}}
		if cookie != "" {
			h.Set("Cookie", auth.SessionCookie+"="+cookie)
		}
		if bearer != "" {
			h.Set("Authorization", "Bearer "+bearer)
		}
		return websocket.DefaultDialer.Dial(wsURL, h)
	}
	for _, c := range []struct {
		name, cookie, bearer string
		want                 int
	}{
		{name: "nobody", want: http.StatusUnauthorized},
		{name: "a customer's widget token", bearer: widgetToken(t, srv), want: http.StatusUnauthorized},
		{name: "a forged session", cookie: "forged", want: http.StatusUnauthorized},
		{name: "editor", cookie: sessions[frontline.RoleEditor], want: http.StatusForbidden},
	} {
		ws, res, err := dial(c.cookie, c.bearer)
		if err == nil {
			ws.Close()
		}
		if res == nil || res.StatusCode != c.want {
			t.Errorf("agent socket as %s: err %v, response %v; want %d", c.name, err, res, c.want)
		}
	}
	for typ, roles := range handoff.MessageRoles {
		if want, ok := socketRules[typ]; !ok || !slices.Equal(want.roles, roles) {
			t.Errorf("agent socket message %s is allowed for %v; socketRules says %v", typ, roles, want.roles)
		}
	}
	types := slices.Sorted(maps.Keys(socketRules))
	checked := 0
	for _, role := range frontline.Roles {
		if !slices.ContainsFunc(handoff.SocketRoles, func(r frontline.Role) bool { return r == role }) {
			continue
		}
		ws, _, err := dial(sessions[role], "")
		if err != nil {
			t.Fatalf("agent socket as %s: %v", role, err)
		}
		u := &frontline.User{Roles: []frontline.Role{role}}
		for i, typ := range append(types, "no_such_type") {
			id := fmt.Sprintf("m%d", i)
			if err := ws.WriteJSON(map[string]any{"v": handoff.SocketProtocolVersion, "type": typ, "id": id, "conversation_id": "c_nosuchconversation"}); err != nil {
				t.Fatal(err)
			}
			reply := socketReplyTo(t, ws, id)
			checked++
			code, _ := reply["code"].(string)
			want, known := socketRules[typ]
			switch allowed := known && u.HasRole(want.roles...); {
			case !known && reply["type"] != "error":
				t.Errorf("%s as %s: %v, want an error (no rule, refused for everyone)", typ, role, reply)
			case known && !allowed && code != frontline.EForbidden:
				t.Errorf("%s as %s: %v, want forbidden", typ, role, reply)
			case allowed && code == frontline.EForbidden:
				t.Errorf("%s as %s: %v, want it let through (its own answer, not forbidden)", typ, role, reply)
			}
		}
		ws.Close()
	}
	t.Logf("agent socket matrix: %d message types × roles checked", checked)
}

// socketReplyTo reads frames until the ack or error answering id.
func socketReplyTo(t *testing.T, ws *websocket.Conn, id string) map[string]any {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var f map[string]any
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for the answer to %s: %v", id, err)
		}
		if f["id"] == id && (f["type"] == "ack" || f["type"] == "error") {
			return f
		}
	}
}

// adminTokenRules are the routes behind the operator's admin token (a
// bearer, FRONTLINE_ADMIN_TOKEN) instead of people's sign-in: no person's
// session or API token opens them, whatever their role, and without an
// admin token configured they do not exist. The server's own list
// (adminTokenRoutes) must match; the widget's stats route is checked too.
var adminTokenRules = map[string]bool{
	"GET /metrics":            true,
	"GET /debug/widget/stats": true,
}

func TestAdminTokenMatrix(t *testing.T) {
	t.Parallel()
	for _, key := range adminTokenRoutes {
		if !adminTokenRules[key] {
			t.Errorf("route %s is mounted behind the admin token with no row in adminTokenRules", key)
		}
	}
	const token = "matrix-admin-token-0123456789"
	srv, printed := startDemoServer(t, "--admin-token", token)
	sessions := demoSessions(t, srv, printed)
	type caller struct {
		name           string
		bearer, cookie string
		want           int
	}
	callers := []caller{
		{name: "nobody", want: http.StatusUnauthorized},
		{name: "a wrong bearer", bearer: "matrix-admin-token-0123456788", want: http.StatusUnauthorized},
		{name: "an admin's API token", bearer: adminAPIToken(t, srv), want: http.StatusUnauthorized},
		{name: "a customer's widget token", bearer: widgetToken(t, srv), want: http.StatusUnauthorized},
		{name: "the admin token", bearer: token, want: http.StatusOK},
	}
	for role, session := range sessions {
		callers = append(callers, caller{name: string(role) + "'s session", cookie: session, want: http.StatusUnauthorized})
	}
	for key := range adminTokenRules {
		method, path, _ := strings.Cut(key, " ")
		for _, c := range callers {
			req, _ := http.NewRequest(method, srv.URL()+path, nil)
			if c.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+c.bearer)
			}
			if c.cookie != "" {
				req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: c.cookie})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s as %s: HTTP %d, want %d", key, c.name, resp.StatusCode, c.want)
			}
		}
	}
	off, err := startServer(t, map[string]string{"FRONTLINE_DEMO_KB": "false"})
	if err != nil {
		t.Fatal(err)
	}
	for key := range adminTokenRules {
		_, path, _ := strings.Cut(key, " ")
		if code, _ := get(t, off.URL()+path); code != http.StatusNotFound {
			t.Errorf("%s with no admin token configured: HTTP %d, want 404", key, code)
		}
	}
}
