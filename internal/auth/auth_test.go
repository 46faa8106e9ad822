package auth_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/authtest"
)

// bundle is what setup returns: a server with the auth routes and one
// route per role, the people, and the fixture behind them.
type bundle struct {
	srv   *httptest.Server
	f     *authtest.Fixture
	admin *frontline.User
	ann   *frontline.User // an agent
}

// probe routes answer who called them, so a test sees the handler ran.
func probe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := frontline.UserFromContext(r.Context())
		auth.WriteJSON(w, http.StatusOK, map[string]string{"reached_as": u.Email})
	})
}

func setup(t *testing.T, opts auth.Options) *bundle {
	t.Helper()
	f := authtest.NewFixture(t, opts)
	admin := f.User(t, "admin@example.com", "Ada Admin", frontline.RoleAdmin)
	ann := f.User(t, "ann@example.com", "Ann Agent", frontline.RoleAgent)
	srv := f.Serve(t,
		frontline.Route{Method: "GET", Pattern: "/probe/agent", Roles: []frontline.Role{frontline.RoleAgent}, Handler: probe()},
		frontline.Route{Method: "POST", Pattern: "/probe/agent", Roles: []frontline.Role{frontline.RoleAgent}, Handler: probe()},
	)
	return &bundle{srv: srv, f: f, admin: admin, ann: ann}
}

// req describes one request.
type req struct {
	method, path string
	body         any
	cookie       string // session token
	bearer       string
	header       map[string]string
}

type resp struct {
	status int
	body   map[string]any
	header http.Header
}

func (r resp) code() string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (r resp) message() string {
	e, _ := r.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// sessionCookie returns the session token the response set, or "" and
// whether it asked the browser to forget it.
func (r resp) sessionCookie() (value string, cleared bool) {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == auth.SessionCookie {
			return c.Value, c.MaxAge < 0
		}
	}
	return "", false
}

func (b *bundle) do(t *testing.T, q req) resp {
	t.Helper()
	var body io.Reader
	if q.body != nil {
		raw, err := json.Marshal(q.body)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	r, err := http.NewRequest(q.method, b.srv.URL+q.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if q.body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if q.cookie != "" {
		r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: q.cookie})
	}
	if q.bearer != "" {
		r.Header.Set("Authorization", "Bearer "+q.bearer)
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{status: res.StatusCode, header: res.Header}
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %q", q.method, q.path, raw)
		}
	}
	return out
}

// login signs in through the API and returns the session token.
func (b *bundle) login(t *testing.T, email, password string) (string, resp) {
	t.Helper()
	r := b.do(t, req{method: "POST", path: "/api/login", body: map[string]string{"email": email, "password": password}})
	token, _ := r.sessionCookie()
	return token, r
}

func mustLogin(t *testing.T, b *bundle, email string) string {
	t.Helper()
	token, r := b.login(t, email, authtest.Password)
	if r.status != http.StatusOK || token == "" {
		t.Fatalf("sign in as %s = %d %v, want 200 and a cookie", email, r.status, r.body)
	}
	return token
}

func TestLoginSetsAStrictCookie(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{})
	r := b.do(t, req{method: "POST", path: "/api/login", body: map[string]string{"email": "  ANN@example.com ", "password": authtest.Password}})
	if r.status != http.StatusOK {
		t.Fatalf("login = %d %v", r.status, r.body)
	}
	var c *http.Cookie
	for _, k := range (&http.Response{Header: r.header}).Cookies() {
		if k.Name == auth.SessionCookie {
			c = k
		}
	}
	if c == nil || len(c.Value) < 40 || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Fatalf("session cookie = %+v, want a long random value, HttpOnly, SameSite=Lax, Path=/, not Secure on plain HTTP", c)
	}
	if u := r.body["user"].(map[string]any); u["email"] != "ann@example.com" || u["name"] != "Ann Agent" {
		t.Errorf("login answered user %v", u)
	}
	if got := b.do(t, req{method: "GET", path: "/probe/agent", cookie: c.Value}); got.status != http.StatusOK || got.body["reached_as"] != "ann@example.com" {
		t.Errorf("the new session on an agent route = %d %v", got.status, got.body)
	}
	// Signing in again from the same browser ends the older session.
	again := b.do(t, req{method: "POST", path: "/api/login", cookie: c.Value, body: map[string]string{"email": "ann@example.com", "password": authtest.Password}})
	if fresh, _ := again.sessionCookie(); again.status != http.StatusOK || fresh == "" || fresh == c.Value {
		t.Fatalf("signing in again = %d, cookie %q; want a new session", again.status, fresh)
	}
	if got := b.do(t, req{method: "GET", path: "/probe/agent", cookie: c.Value}); got.status != http.StatusUnauthorized {
		t.Errorf("the older session after signing in again = %d, want 401", got.status)
	}

	secure := setup(t, auth.Options{SecureCookies: true})
	_, r = secure.login(t, "ann@example.com", authtest.Password)
	for _, k := range (&http.Response{Header: r.header}).Cookies() {
		if k.Name == auth.SessionCookie && !k.Secure {
			t.Errorf("with SecureCookies the cookie is not Secure: %+v", k)
		}
	}
}

// Every kind of bad session is refused with 401 in the one error shape,
// and the browser is told to forget the cookie.
func TestBadSessions(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{SessionTTL: time.Hour})

	expired := mustLogin(t, b, "ann@example.com")
	b.f.Clock.Advance(time.Hour) // exactly the TTL: over
	loggedOut := mustLogin(t, b, "ann@example.com")
	if r := b.do(t, req{method: "POST", path: "/logout", cookie: loggedOut}); r.status != http.StatusNoContent {
		t.Fatalf("logout = %d %v", r.status, r.body)
	}
	passwordReset := mustLogin(t, b, "ann@example.com")
	if err := b.f.Service.SetPassword(t.Context(), b.ann.ID, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	if err := b.f.Service.SetPassword(t.Context(), b.ann.ID, authtest.Password); err != nil {
		t.Fatal(err)
	}
	live := mustLogin(t, b, "ann@example.com")

	cases := []struct {
		name, cookie string
	}{
		{"forged", "dGhpcyBpcyBub3QgYSBzZXNzaW9uIHRva2VuIGF0IGFsbA"},
		{"expired", expired},
		{"logged out", loggedOut},
		{"ended by a password reset", passwordReset},
		{"a session's hash instead of its token", "0000000000000000000000000000000000000000000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{"GET", "POST"} {
				r := b.do(t, req{method: method, path: "/probe/agent", cookie: tc.cookie})
				if r.status != http.StatusUnauthorized || r.code() != frontline.EUnauthorized || r.message() == "" {
					t.Errorf("%s with a %s session = %d %v, want 401 unauthorized with a message", method, tc.name, r.status, r.body)
				}
				if _, cleared := r.sessionCookie(); !cleared {
					t.Errorf("%s with a %s session: the cookie was not cleared", method, tc.name)
				}
			}
		})
	}
	if r := b.do(t, req{method: "GET", path: "/probe/agent", cookie: live}); r.status != http.StatusOK {
		t.Errorf("the live session after all that = %d %v", r.status, r.body)
	}
	// A browser navigation is sent to the sign-in page instead, to return.
	r := b.do(t, req{method: "GET", path: "/probe/agent?x=1", cookie: expired, header: map[string]string{"Accept": "text/html"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Fprobe%2Fagent%3Fx%3D1" {
		t.Errorf("a page with an expired session = %d to %q, want 303 to the sign-in page", r.status, r.header.Get("Location"))
	}
}

// A state-changing request from another origin is refused before it is
// authenticated or handled, with the session cookie or without; state is
// unchanged.
func TestCrossOriginRequests(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{TrustedOrigins: []string{"https://support.example.com"}})
	admin := mustLogin(t, b, "admin@example.com")
	cases := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"another site (fetch metadata)", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"a sibling subdomain", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.support.example.com"}, http.StatusForbidden},
		{"another origin (old browser)", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"the null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"the trusted public URL", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://support.example.com"}, http.StatusCreated},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusCreated},
		{"no browser headers (a script)", nil, http.StatusCreated},
	}
	for i, tc := range cases {
		before, _ := b.f.Service.Users(t.Context())
		r := b.do(t, req{method: "POST", path: "/api/users", cookie: admin, header: tc.header,
			body: map[string]any{"email": "new" + strconv.Itoa(i) + "@example.com", "roles": []string{"agent"}}})
		if r.status != tc.want {
			t.Errorf("%s: POST /api/users = %d %v, want %d", tc.name, r.status, r.body, tc.want)
		}
		after, _ := b.f.Service.Users(t.Context())
		if tc.want == http.StatusForbidden {
			if r.code() != frontline.EForbidden || !strings.Contains(r.message(), "cross-origin") {
				t.Errorf("%s: error %v, want forbidden, cross-origin", tc.name, r.body)
			}
			if len(after) != len(before) {
				t.Errorf("%s: a refused request created a user", tc.name)
			}
		}
	}
	// Signing in from another site (login CSRF) is refused too, and a GET
	// from anywhere is not a state change.
	r := b.do(t, req{method: "POST", path: "/api/login", header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		body: map[string]string{"email": "ann@example.com", "password": authtest.Password}})
	if token, _ := r.sessionCookie(); r.status != http.StatusForbidden || token != "" {
		t.Errorf("cross-site sign-in = %d, cookie %q; want 403 and none", r.status, token)
	}
	if r := b.do(t, req{method: "GET", path: "/api/users", cookie: admin, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}); r.status != http.StatusOK {
		t.Errorf("cross-site GET = %d, want 200 (reads change nothing)", r.status)
	}
}

// 100 wrong passwords in a row: the first ones are told the password is
// wrong, the rest are refused without a check, the right password too,
// until the window passes; nothing about the account changes.
func TestHundredWrongPasswords(t *testing.T) {
	t.Parallel()
	limits := auth.LoginLimits{Account: 10, Address: 50, Window: 15 * time.Minute}
	b := setup(t, auth.Options{Limits: limits})
	before, hashBefore, err := b.f.Store.FindUserByEmail(t.Context(), "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	live := mustLogin(t, b, "ann@example.com")

	counts := map[int]int{}
	for i := range 100 {
		token, r := b.login(t, "ann@example.com", "wrong password number "+string(rune('a'+i%26)))
		counts[r.status]++
		if token != "" {
			t.Fatalf("attempt %d set a session cookie", i+1)
		}
		wantStatus, wantCode := http.StatusUnauthorized, frontline.EUnauthorized
		if i >= limits.Account {
			wantStatus, wantCode = http.StatusTooManyRequests, frontline.ERateLimited
		}
		if r.status != wantStatus || r.code() != wantCode {
			t.Fatalf("attempt %d = %d %v, want %d %s", i+1, r.status, r.body, wantStatus, wantCode)
		}
		if wantStatus == http.StatusTooManyRequests && (r.header.Get("Retry-After") != "900" || !strings.Contains(r.message(), "try again in 15 minutes")) {
			t.Fatalf("attempt %d: Retry-After %q, %v; want 900 s and advice to wait 15 minutes (the clock stands still)", i+1, r.header.Get("Retry-After"), r.body)
		}
	}
	t.Logf("100 wrong passwords: %d refused as wrong, %d rate limited", counts[401], counts[429])

	if _, r := b.login(t, "ann@example.com", authtest.Password); r.status != http.StatusTooManyRequests {
		t.Errorf("the right password inside the window = %d, want 429", r.status)
	}
	after, hashAfter, _ := b.f.Store.FindUserByEmail(t.Context(), "ann@example.com")
	if hashAfter != hashBefore || after.Disabled != before.Disabled || len(after.Roles) != len(before.Roles) {
		t.Errorf("the account changed under the attack: %+v → %+v", before, after)
	}
	if r := b.do(t, req{method: "GET", path: "/probe/agent", cookie: live}); r.status != http.StatusOK {
		t.Errorf("Ann's session from before the attack = %d, want it still valid", r.status)
	}
	// Others are not locked out by Ann's attacker (different address).
	if _, r := b.login(t, "admin@example.com", authtest.Password); r.status != http.StatusOK {
		t.Errorf("another account during the attack = %d, want 200", r.status)
	}

	b.f.Clock.Advance(limits.Window)
	if token, r := b.login(t, "ann@example.com", authtest.Password); r.status != http.StatusOK || token == "" {
		t.Errorf("the right password after the window = %d %v, want 200 and a session", r.status, r.body)
	}
}

// One address trying many accounts is stopped by the per-address limit.
func TestManyAccountsFromOneAddress(t *testing.T) {
	t.Parallel()
	limits := auth.LoginLimits{Account: 10, Address: 25, Window: time.Minute}
	addr := "198.51.100.7"
	b := setup(t, auth.Options{Limits: limits, ClientAddr: func(r *http.Request) string {
		if a := r.Header.Get("X-Test-Addr"); a != "" {
			return a
		}
		return addr
	}})
	for i := range limits.Address {
		email := strings.Repeat("x", i%5+1) + string(rune('a'+i/5)) + "@example.com"
		if _, r := b.login(t, email, "guess"); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d, want 401", i+1, r.status)
		}
	}
	if _, r := b.login(t, "ann@example.com", authtest.Password); r.status != http.StatusTooManyRequests {
		t.Errorf("from the guessing address, Ann's right password = %d, want 429", r.status)
	}
	r := b.do(t, req{method: "POST", path: "/api/login", header: map[string]string{"X-Test-Addr": "203.0.113.9"},
		body: map[string]string{"email": "ann@example.com", "password": authtest.Password}})
	if r.status != http.StatusOK {
		t.Errorf("Ann from her own address = %d, want 200", r.status)
	}
}

func TestLoginBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{})
	cases := []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"unknown email", "", `{"email":"nobody@example.com","password":"whatever it is"}`, 401, frontline.EUnauthorized},
		{"wrong password", "", `{"email":"ann@example.com","password":"whatever it is"}`, 401, frontline.EUnauthorized},
		{"empty password", "", `{"email":"ann@example.com","password":""}`, 401, frontline.EUnauthorized},
		{"no email", "", `{"password":"x"}`, 401, frontline.EUnauthorized},
		{"huge password", "", `{"email":"ann@example.com","password":"` + strings.Repeat("p", 5000) + `"}`, 401, frontline.EUnauthorized},
		{"body too large", "", `{"email":"ann@example.com","password":"` + strings.Repeat("p", 20000) + `"}`, 413, frontline.ETooLarge},
		{"form post", "application/x-www-form-urlencoded", `email=ann@example.com&password=x`, 400, frontline.EInvalid},
		{"malformed", "", `{"email":`, 400, frontline.EInvalid},
		{"unknown field", "", `{"email":"ann@example.com","password":"x","remember":true}`, 400, frontline.EInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("POST", b.srv.URL+"/api/login", strings.NewReader(tc.body))
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			r.Header.Set("Content-Type", ct)
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out auth.ErrorBody
			if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
				t.Fatalf("error body: %v", err)
			}
			if res.StatusCode != tc.status || out.Error.Code != tc.code || out.Error.Message == "" {
				t.Errorf("= %d %+v, want %d %s", res.StatusCode, out, tc.status, tc.code)
			}
			for _, c := range res.Cookies() {
				if c.Name == auth.SessionCookie && c.Value != "" {
					t.Errorf("a failed sign-in set a session cookie")
				}
			}
		})
	}
	// The unknown email and the wrong password read the same.
	_, a := b.login(t, "nobody@example.com", "x")
	_, w := b.login(t, "ann@example.com", "x")
	if a.message() != w.message() {
		t.Errorf("unknown email says %q, wrong password %q: they must not differ", a.message(), w.message())
	}
}

func TestDisabledUser(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{})
	admin := mustLogin(t, b, "admin@example.com")
	annSession := mustLogin(t, b, "ann@example.com")
	annToken := b.f.Token(t, b.ann)

	r := b.do(t, req{method: "PATCH", path: "/api/users/" + b.ann.ID, cookie: admin, body: map[string]any{"disabled": true}})
	if r.status != http.StatusOK || r.body["disabled"] != true {
		t.Fatalf("disable Ann = %d %v", r.status, r.body)
	}
	if r := b.do(t, req{method: "GET", path: "/probe/agent", cookie: annSession}); r.status != http.StatusUnauthorized {
		t.Errorf("Ann's session after she was disabled = %d, want 401 (ended)", r.status)
	}
	if r := b.do(t, req{method: "GET", path: "/probe/agent", bearer: annToken}); r.status != http.StatusForbidden || !strings.Contains(r.message(), "disabled") {
		t.Errorf("Ann's API token after she was disabled = %d %v, want 403 disabled", r.status, r.body)
	}
	if token, r := b.login(t, "ann@example.com", authtest.Password); r.status != http.StatusForbidden || token != "" {
		t.Errorf("Ann signing in while disabled = %d %v, want 403 and no session", r.status, r.body)
	}
	if _, err := b.f.Service.Authenticate(authedRequest(t, "", annToken)); frontline.ErrorCode(err) != frontline.EForbidden {
		t.Errorf("Authenticate with a disabled person's token = %v, want forbidden", err)
	}

	// An admin cannot disable themselves or drop their own admin role.
	if r := b.do(t, req{method: "PATCH", path: "/api/users/" + b.admin.ID, cookie: admin, body: map[string]any{"disabled": true}}); r.status != http.StatusBadRequest {
		t.Errorf("admin disabling themselves = %d, want 400", r.status)
	}
	if r := b.do(t, req{method: "PATCH", path: "/api/users/" + b.admin.ID, cookie: admin, body: map[string]any{"roles": []string{"agent"}}}); r.status != http.StatusBadRequest {
		t.Errorf("admin dropping their own admin role = %d, want 400", r.status)
	}

	r = b.do(t, req{method: "PATCH", path: "/api/users/" + b.ann.ID, cookie: admin, body: map[string]any{"disabled": false}})
	if r.status != http.StatusOK {
		t.Fatalf("enable Ann = %d", r.status)
	}
	if _, r := b.login(t, "ann@example.com", authtest.Password); r.status != http.StatusOK {
		t.Errorf("Ann signing in once enabled = %d", r.status)
	}
	if r := b.do(t, req{method: "GET", path: "/probe/agent", bearer: annToken}); r.status != http.StatusOK {
		t.Errorf("Ann's API token once enabled = %d", r.status)
	}
}

func TestUsersAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{})
	admin := mustLogin(t, b, "admin@example.com")

	r := b.do(t, req{method: "POST", path: "/api/users", cookie: admin, body: map[string]any{"email": "Bo@Example.com", "name": "  Bo   Sup ", "roles": []string{"supervisor", "agent", "agent"}}})
	if r.status != http.StatusCreated {
		t.Fatalf("create = %d %v", r.status, r.body)
	}
	bo := r.body["user"].(map[string]any)
	password, _ := r.body["password"].(string)
	if bo["email"] != "bo@example.com" || bo["name"] != "Bo Sup" || len(password) < auth.MinPasswordLen {
		t.Errorf("created %v with password %q; want a normalised email and name and a generated password", bo, password)
	}
	if roles := bo["roles"].([]any); len(roles) != 2 || roles[0] != "agent" || roles[1] != "supervisor" {
		t.Errorf("roles = %v, want [agent supervisor]", roles)
	}
	boSession := mustLoginWith(t, b, "bo@example.com", password)

	bad := []struct {
		name string
		body map[string]any
		code int
		msg  string
	}{
		{"taken email", map[string]any{"email": "ANN@example.com", "roles": []string{"agent"}}, 409, "exists"},
		{"no roles", map[string]any{"email": "x@example.com", "roles": []string{}}, 400, "roles"},
		{"unknown role", map[string]any{"email": "x@example.com", "roles": []string{"root"}}, 400, "roles"},
		{"bad email", map[string]any{"email": "not an email", "roles": []string{"agent"}}, 400, "email"},
		{"short password", map[string]any{"email": "x@example.com", "roles": []string{"agent"}, "password": "short"}, 400, "password"},
		{"control characters in the name", map[string]any{"email": "x@example.com", "name": "a\u0000b", "roles": []string{"agent"}}, 400, "name"},
	}
	for _, tc := range bad {
		r := b.do(t, req{method: "POST", path: "/api/users", cookie: admin, body: tc.body})
		if r.status != tc.code || !strings.Contains(r.message(), tc.msg) {
			t.Errorf("%s: = %d %v, want %d mentioning %q", tc.name, r.status, r.body, tc.code, tc.msg)
		}
	}
	if users, _ := b.f.Service.Users(t.Context()); len(users) != 3 {
		t.Errorf("%d users after the refused creates, want 3", len(users))
	}

	id := bo["id"].(string)
	r = b.do(t, req{method: "PATCH", path: "/api/users/" + id, cookie: admin, body: map[string]any{"name": "Bo Boss", "roles": []string{"supervisor"}}})
	if r.status != http.StatusOK || r.body["name"] != "Bo Boss" || len(r.body["roles"].([]any)) != 1 {
		t.Errorf("update = %d %v", r.status, r.body)
	}
	if r := b.do(t, req{method: "PATCH", path: "/api/users/u_missing", cookie: admin, body: map[string]any{"name": "X"}}); r.status != http.StatusNotFound {
		t.Errorf("update a missing user = %d, want 404", r.status)
	}
	if r := b.do(t, req{method: "GET", path: "/api/users/" + id, cookie: admin}); r.status != http.StatusOK || r.body["name"] != "Bo Boss" {
		t.Errorf("get = %d %v", r.status, r.body)
	}

	r = b.do(t, req{method: "POST", path: "/api/users/" + id + "/password", cookie: admin, body: map[string]any{}})
	newPassword, _ := r.body["password"].(string)
	if r.status != http.StatusOK || newPassword == "" || newPassword == password {
		t.Fatalf("reset = %d %v", r.status, r.body)
	}
	if r := b.do(t, req{method: "GET", path: "/api/me", cookie: boSession}); r.status != http.StatusUnauthorized {
		t.Errorf("Bo's session after a reset = %d, want 401", r.status)
	}
	if _, r := b.login(t, "bo@example.com", password); r.status != http.StatusUnauthorized {
		t.Errorf("the old password after a reset = %d, want 401", r.status)
	}
	boSession = mustLoginWith(t, b, "bo@example.com", newPassword)
	if r := b.do(t, req{method: "GET", path: "/api/me", cookie: boSession}); r.status != http.StatusOK || r.body["email"] != "bo@example.com" {
		t.Errorf("/api/me = %d %v", r.status, r.body)
	}
	r = b.do(t, req{method: "POST", path: "/api/me/password", cookie: boSession, body: map[string]any{"current_password": "wrong", "new_password": "another good passphrase"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("own password change with a wrong current one = %d", r.status)
	}
	r = b.do(t, req{method: "POST", path: "/api/me/password", cookie: boSession, body: map[string]any{"current_password": newPassword, "new_password": "another good passphrase"}})
	if r.status != http.StatusNoContent {
		t.Errorf("own password change = %d %v", r.status, r.body)
	}
	mustLoginWith(t, b, "bo@example.com", "another good passphrase")
}

func mustLoginWith(t *testing.T, b *bundle, email, password string) string {
	t.Helper()
	token, r := b.login(t, email, password)
	if r.status != http.StatusOK || token == "" {
		t.Fatalf("sign in as %s = %d %v", email, r.status, r.body)
	}
	return token
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{})
	ann := mustLogin(t, b, "ann@example.com")
	r := b.do(t, req{method: "POST", path: "/api/tokens", cookie: ann, body: map[string]any{"name": "nightly export", "expires_in_days": 1}})
	if r.status != http.StatusCreated {
		t.Fatalf("create token = %d %v", r.status, r.body)
	}
	token := r.body["token"].(string)
	id := r.body["api_token"].(map[string]any)["id"].(string)
	if !strings.HasPrefix(token, auth.APITokenPrefix) {
		t.Errorf("token %q lacks the prefix", token)
	}
	if r := b.do(t, req{method: "GET", path: "/probe/agent", bearer: token}); r.status != http.StatusOK || r.body["reached_as"] != "ann@example.com" {
		t.Errorf("with the token = %d %v", r.status, r.body)
	}
	list := b.do(t, req{method: "GET", path: "/api/tokens", bearer: token})
	raw, _ := json.Marshal(list.body)
	if list.status != http.StatusOK || len(list.body["tokens"].([]any)) != 1 || strings.Contains(string(raw), token) || strings.Contains(string(raw), "hash") {
		t.Errorf("token list = %s; want one entry without the token or its hash", raw)
	}
	// Others cannot see or revoke it.
	admin := mustLogin(t, b, "admin@example.com")
	if r := b.do(t, req{method: "DELETE", path: "/api/tokens/" + id, cookie: admin}); r.status != http.StatusNotFound {
		t.Errorf("admin revoking Ann's token = %d, want 404", r.status)
	}
	for _, bad := range []map[string]any{{"name": ""}, {"name": "x", "expires_in_days": -1}, {"name": strings.Repeat("n", 101)}} {
		if r := b.do(t, req{method: "POST", path: "/api/tokens", cookie: ann, body: bad}); r.status != http.StatusBadRequest {
			t.Errorf("create token %v = %d, want 400", bad, r.status)
		}
	}
	b.f.Clock.Advance(25 * time.Hour)
	if r := b.do(t, req{method: "GET", path: "/probe/agent", bearer: token}); r.status != http.StatusUnauthorized {
		t.Errorf("an expired token = %d, want 401", r.status)
	}
	fresh := b.f.Token(t, b.ann)
	tokens, _ := b.f.Service.APITokens(t.Context(), b.ann)
	var freshID string
	for _, tk := range tokens {
		if tk.ID != id {
			freshID = tk.ID
		}
	}
	if r := b.do(t, req{method: "DELETE", path: "/api/tokens/" + freshID, bearer: fresh}); r.status != http.StatusNoContent {
		t.Errorf("revoke = %d %v", r.status, r.body)
	}
	if r := b.do(t, req{method: "GET", path: "/probe/agent", bearer: fresh}); r.status != http.StatusUnauthorized {
		t.Errorf("a revoked token = %d, want 401", r.status)
	}
	for _, h := range []string{"Basic " + fresh, "Bearer", "Token " + fresh} {
		r := b.do(t, req{method: "GET", path: "/probe/agent", header: map[string]string{"Authorization": h}})
		if r.status != http.StatusUnauthorized {
			t.Errorf("Authorization %q = %d, want 401", h, r.status)
		}
	}
}

func authedRequest(t *testing.T, cookie, bearer string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("GET", "http://support.example.com/agent/ws", nil)
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: cookie})
	}
	if bearer != "" {
		r.Header.Set("Authorization", "Bearer "+bearer)
	}
	return r
}

// Authenticate is what the agent websocket calls on its upgrade request.
func TestAuthenticate(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{})
	ann := b.f.Session(t, b.ann)
	annToken := b.f.Token(t, b.ann)
	editor := b.f.Session(t, b.f.User(t, "ed@example.com", "Ed", frontline.RoleEditor))

	sameOrigin := authedRequest(t, ann, "")
	sameOrigin.Header.Set("Origin", "http://support.example.com")
	crossSite := authedRequest(t, ann, "")
	crossSite.Header.Set("Origin", "https://evil.example")
	crossSiteMeta := authedRequest(t, ann, "")
	crossSiteMeta.Header.Set("Sec-Fetch-Site", "cross-site")
	customer := authedRequest(t, "", "v1.eyJ2IjoidmlzaXRvciJ9.c2lnbmF0dXJl") // a widget visitor's token

	cases := []struct {
		name string
		r    *http.Request
		want string // error code, "" for Ann
	}{
		{"Ann's session, same origin", sameOrigin, ""},
		{"Ann's API token", authedRequest(t, "", annToken), ""},
		{"Ann's session from another site", crossSite, frontline.EForbidden},
		{"Ann's session, cross-site by fetch metadata", crossSiteMeta, frontline.EForbidden},
		{"nothing", authedRequest(t, "", ""), frontline.EUnauthorized},
		{"a customer's widget token", customer, frontline.EUnauthorized},
		{"a forged session", authedRequest(t, "forged", ""), frontline.EUnauthorized},
		{"an editor on the agent socket", authedRequest(t, editor, ""), frontline.EForbidden},
	}
	for _, tc := range cases {
		u, err := b.f.Service.Authenticate(tc.r, frontline.RoleAgent, frontline.RoleSupervisor)
		if got := frontline.ErrorCode(err); got != tc.want {
			t.Errorf("%s: error %v, want code %q", tc.name, err, tc.want)
			continue
		}
		if tc.want == "" && (u == nil || u.ID != b.ann.ID) {
			t.Errorf("%s: user %+v, want Ann", tc.name, u)
		}
	}
}

func TestMountRefusesRoutesWithoutARule(t *testing.T) {
	t.Parallel()
	f := authtest.NewFixture(t, auth.Options{})
	h := probe()
	cases := []struct {
		name  string
		route frontline.Route
	}{
		{"no roles, not public", frontline.Route{Method: "GET", Pattern: "/x", Handler: h}},
		{"empty roles", frontline.Route{Method: "GET", Pattern: "/x", Roles: []frontline.Role{}, Handler: h}},
		{"public and roles", frontline.Route{Method: "GET", Pattern: "/x", Public: true, Roles: []frontline.Role{frontline.RoleAdmin}, Handler: h}},
		{"unknown role", frontline.Route{Method: "GET", Pattern: "/x", Roles: []frontline.Role{"root"}, Handler: h}},
		{"no handler", frontline.Route{Method: "GET", Pattern: "/x", Public: true}},
		{"lower-case method", frontline.Route{Method: "get", Pattern: "/x", Public: true, Handler: h}},
		{"method in the pattern", frontline.Route{Pattern: "GET /x", Public: true, Handler: h}},
	}
	for _, tc := range cases {
		mux := http.NewServeMux()
		ok := frontline.Route{Method: "GET", Pattern: "/fine", Public: true, Handler: h}
		if err := f.Service.Mount(mux, []frontline.Route{ok, tc.route}); err == nil {
			t.Errorf("%s: mounted, want an error", tc.name)
		}
		if _, pattern := mux.Handler(httptest.NewRequest("GET", "/fine", nil)); pattern != "" {
			t.Errorf("%s: the valid route before it was mounted anyway", tc.name)
		}
	}
	mux := http.NewServeMux()
	dup := frontline.Route{Method: "GET", Pattern: "/dup", Public: true, Handler: h}
	if err := f.Service.Mount(mux, []frontline.Route{dup, dup}); err == nil {
		t.Error("two routes with one pattern mounted, want an error (not a panic)")
	}
}

func TestLoginPage(t *testing.T) {
	t.Parallel()
	b := setup(t, auth.Options{})
	res, err := http.Get(b.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != http.StatusOK || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("GET /login = %d, CSP %q", res.StatusCode, csp)
	}
	for _, want := range []string{`id="login-email"`, `id="login-password"`, `autocomplete="current-password"`, "/login/assets/login."} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the sign-in page lacks %q", want)
		}
	}
}
