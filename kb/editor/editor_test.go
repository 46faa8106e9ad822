package editor_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	frontline "github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/authtest"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/editor"
)

// fixture is what setup returns: a running editor over a memory KB, behind
// the sign-in, with an editor's API token.
type fixture struct {
	srv   *httptest.Server
	svc   *kb.Service
	auth  *authtest.Fixture
	token string // Ann Editor's API token
}

// setup starts the editor over a memory KB holding two published articles.
func setup(t *testing.T) *fixture {
	t.Helper()
	svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	arts := []kb.ImportedArticle{
		{Slug: "reset-password", Title: "Reset your password", Body: "Select **Forgot password?** and follow the link we email you. The link expires after 60 minutes.", File: "reset-password.md"},
		{Slug: "shipping-costs", Title: "Shipping costs", Body: "Standard shipping is free on orders over $50; otherwise it costs $5.95.", File: "shipping-costs.md"},
	}
	if _, err := kb.Import(t.Context(), svc, arts); err != nil {
		t.Fatalf("Import: %v", err)
	}
	af := authtest.NewFixture(t, auth.Options{})
	ann := af.User(t, "ann@example.com", "Ann Editor", frontline.RoleEditor)
	srv := af.Serve(t, editor.Routes(svc, editor.Options{})...)
	return &fixture{srv: srv, svc: svc, auth: af, token: af.Token(t, ann)}
}

// call sends a JSON request with the editor's token and returns the status
// and the decoded body.
func (f *fixture) call(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return f.do(t, req)
}

func (f *fixture) do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		return res.StatusCode, nil
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, want JSON; body %q", req.Method, req.URL.Path, ct, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v: %q", req.Method, req.URL.Path, err, raw)
	}
	return res.StatusCode, out
}

// mustCall is call that fails the test unless the status is want.
func (f *fixture) mustCall(t *testing.T, method, path string, body any, want int) map[string]any {
	t.Helper()
	got, out := f.call(t, method, path, body)
	if got != want {
		t.Fatalf("%s %s = %d %v, want %d", method, path, got, out, want)
	}
	return out
}

func errorOf(out map[string]any) (code, message string) {
	e, _ := out["error"].(map[string]any)
	code, _ = e["code"].(string)
	message, _ = e["message"].(string)
	return code, message
}

// TestOnlyEditorsAndAdmins checks every editor route lets editors and
// admins in, and nobody else.
func TestOnlyEditorsAndAdmins(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tokens := map[frontline.Role]string{}
	for _, r := range frontline.Roles {
		tokens[r] = f.auth.Token(t, f.auth.User(t, string(r)+"@example.com", "", r))
	}
	routes := []string{
		"GET /api/kb/articles", "POST /api/kb/articles", "GET /api/kb/articles/x", "PATCH /api/kb/articles/x",
		"POST /api/kb/articles/x/submit", "POST /api/kb/articles/x/publish", "POST /api/kb/articles/x/archive",
		"GET /api/kb/articles/x/revisions", "POST /api/kb/articles/x/rollback", "POST /api/kb/articles/x/phrasings",
		"DELETE /api/kb/phrasings/x", "POST /api/kb/preview", "POST /api/kb/ask", "GET /api/kb/unanswered",
		"POST /api/kb/unanswered/attach", "GET /api/kb/stats", "GET /api/kb/nothing-here", "PUT /api/kb/articles",
	}
	for _, route := range routes {
		method, path, _ := strings.Cut(route, " ")
		for _, who := range []string{"nobody", "forged", "agent", "supervisor", "editor", "admin"} {
			req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			want := http.StatusForbidden
			switch who {
			case "nobody":
				want = http.StatusUnauthorized
			case "forged":
				req.Header.Set("Authorization", "Bearer flt_forged")
				want = http.StatusUnauthorized
			default:
				req.Header.Set("Authorization", "Bearer "+tokens[frontline.Role(who)])
			}
			got, out := f.do(t, req)
			if who == "editor" || who == "admin" {
				if got == http.StatusUnauthorized || got == http.StatusForbidden {
					t.Errorf("%s as %s = %d %v, want it let through", route, who, got, out)
				}
				continue
			}
			if got != want {
				t.Errorf("%s as %s = %d, want %d", route, who, got, want)
			}
			wantCode := frontline.EForbidden
			if want == http.StatusUnauthorized {
				wantCode = frontline.EUnauthorized
			}
			if code, _ := errorOf(out); code != wantCode {
				t.Errorf("%s as %s: error code %q, want %q", route, who, code, wantCode)
			}
		}
	}
}

// A browser that is not signed in is sent to the sign-in page, and back.
func TestPageNeedsSignIn(t *testing.T) {
	t.Parallel()
	f := setup(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", f.srv.URL+"/editor/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Feditor%2F" {
		t.Errorf("GET /editor/ signed out = %d to %q, want 303 to /login?next=%%2Feditor%%2F", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		status      int
		code        string
		message     string // substring
	}{
		{"missing title", "POST", "/api/kb/articles", "", `{"slug":"a","body":"x"}`, 400, frontline.EInvalid, "title: required"},
		{"missing slug", "POST", "/api/kb/articles", "", `{"title":"A"}`, 400, frontline.EInvalid, "slug: required"},
		{"bad slug", "POST", "/api/kb/articles", "", `{"slug":"Not A Slug","title":"A"}`, 400, frontline.EInvalid, "slug:"},
		{"taken slug", "POST", "/api/kb/articles", "", `{"slug":"reset-password","title":"A"}`, 409, frontline.EConflict, ""},
		{"bad audience", "POST", "/api/kb/articles", "", `{"slug":"a","title":"A","audience":"staff"}`, 400, frontline.EInvalid, "audience"},
		{"created published", "POST", "/api/kb/articles", "", `{"slug":"a","title":"A","state":"published"}`, 400, frontline.EInvalid, "state"},
		{"unknown field", "POST", "/api/kb/articles", "", `{"slug":"a","title":"A","colour":"red"}`, 400, frontline.EInvalid, `unknown field "colour"`},
		{"wrong type", "POST", "/api/kb/articles", "", `{"slug":"a","title":"A","tags":"x"}`, 400, frontline.EInvalid, "tags: must be a list"},
		{"malformed JSON", "POST", "/api/kb/articles", "", `{"slug":`, 400, frontline.EInvalid, "JSON"},
		{"syntax error", "POST", "/api/kb/articles", "", `{"slug" "a"}`, 400, frontline.EInvalid, "malformed JSON"},
		{"two values", "POST", "/api/kb/articles", "", `{"slug":"a","title":"A"}{}`, 400, frontline.EInvalid, "more than one"},
		{"empty body", "POST", "/api/kb/articles", "", ``, 400, frontline.EInvalid, "empty"},
		{"not JSON", "POST", "/api/kb/articles", "text/plain", `{"slug":"a","title":"A"}`, 400, frontline.EInvalid, "Content-Type"},
		{"form post", "POST", "/api/kb/articles", "application/x-www-form-urlencoded", `slug=a&title=A`, 400, frontline.EInvalid, "Content-Type"},
		{"body too large", "POST", "/api/kb/articles", "", `{"slug":"a","title":"A","body":"` + strings.Repeat("x", kb.MaxBodyBytes+1) + `"}`, 413, frontline.ETooLarge, "body"},
		{"request too large", "POST", "/api/kb/preview", "", `{"markdown":"` + strings.Repeat("x", 3<<20) + `"}`, 413, frontline.ETooLarge, "request body"},
		{"missing article", "GET", "/api/kb/articles/art_missing", "", ``, 404, frontline.ENotFound, ""},
		{"update missing article", "PATCH", "/api/kb/articles/art_missing", "", `{"title":"x"}`, 404, frontline.ENotFound, ""},
		{"publish names no author: it is the account's", "POST", "/api/kb/articles/art_missing/publish", "", `{"author":"Mallory"}`, 400, frontline.EInvalid, `unknown field "author"`},
		{"rollback without revision", "POST", "/api/kb/articles/art_missing/rollback", "", `{}`, 400, frontline.EInvalid, "revision_id: required"},
		{"empty question", "POST", "/api/kb/ask", "", `{"question":"  "}`, 400, frontline.EInvalid, "question: required"},
		{"bad ask audience", "POST", "/api/kb/ask", "", `{"question":"hi","audience":"staff"}`, 400, frontline.EInvalid, "audience"},
		{"bad ask limit", "POST", "/api/kb/ask", "", `{"question":"hi","limit":500}`, 400, frontline.EInvalid, "limit"},
		{"empty phrasing", "POST", "/api/kb/articles/art_missing/phrasings", "", `{"text":""}`, 400, frontline.EInvalid, "phrasing: required"},
		{"attach nothing", "POST", "/api/kb/unanswered/attach", "", `{"article_id":"art_x","question_ids":[]}`, 400, frontline.EInvalid, "question_ids"},
		{"attach without article", "POST", "/api/kb/unanswered/attach", "", `{"question_ids":["q_1"]}`, 400, frontline.EInvalid, "article_id"},
		{"bad state filter", "GET", "/api/kb/articles?state=live", "", ``, 400, frontline.EInvalid, "state"},
		{"unknown endpoint", "GET", "/api/kb/nope", "", ``, 404, frontline.ENotFound, "no API endpoint"},
		{"delete missing phrasing", "DELETE", "/api/kb/phrasings/phr_missing", "", ``, 404, frontline.ENotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tt.method, f.srv.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+f.token)
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			got, out := f.do(t, req)
			if got != tt.status {
				t.Errorf("status = %d, want %d (%v)", got, tt.status, out)
			}
			code, msg := errorOf(out)
			if code != tt.code {
				t.Errorf("code = %q, want %q", code, tt.code)
			}
			if !strings.Contains(msg, tt.message) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.message)
			}
		})
	}
}

// TestArticleLifecycle drives create, edit, review, publish, ask, rollback
// and archive through the API.
func TestArticleLifecycle(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.mustCall(t, "POST", "/api/kb/articles", map[string]any{
		"slug": "gift-wrap", "title": "Gift wrapping", "body": "We wrap gifts in recycled kraft paper for $4.", "tags": []string{"Orders", "gifts"},
	}, http.StatusCreated)
	id := a["id"].(string)
	if a["state"] != "draft" {
		t.Errorf("new article state = %v, want draft", a["state"])
	}

	// A draft is never found.
	res := f.mustCall(t, "POST", "/api/kb/ask", map[string]any{"question": "do you wrap gifts in kraft paper"}, http.StatusOK)
	for _, h := range res["hits"].([]any) {
		if h.(map[string]any)["slug"] == "gift-wrap" {
			t.Errorf("ask found the draft gift-wrap: %v", h)
		}
	}

	f.mustCall(t, "POST", "/api/kb/articles/"+id+"/submit", map[string]any{}, http.StatusOK)
	d := f.mustCall(t, "GET", "/api/kb/articles/"+id, nil, http.StatusOK)
	if got := d["article"].(map[string]any)["state"]; got != "review" {
		t.Errorf("state after submit = %v, want review", got)
	}
	rev1 := f.mustCall(t, "POST", "/api/kb/articles/"+id+"/publish", map[string]any{}, http.StatusOK)
	if rev1["number"] != float64(1) || rev1["author"] != "Ann Editor" {
		t.Errorf("first revision = %v, want number 1 by Ann Editor (the token's owner)", rev1)
	}
	res = f.mustCall(t, "POST", "/api/kb/ask", map[string]any{"question": "do you wrap gifts in kraft paper"}, http.StatusOK)
	hits := res["hits"].([]any)
	if len(hits) == 0 || hits[0].(map[string]any)["slug"] != "gift-wrap" {
		t.Fatalf("ask after publish: hits %v, want gift-wrap first", hits)
	}
	for _, k := range []string{"abstained", "threshold", "top_score"} {
		if _, ok := res[k]; !ok {
			t.Errorf("ask result lacks %q: %v", k, res)
		}
	}

	f.mustCall(t, "PATCH", "/api/kb/articles/"+id, map[string]any{"body": "Gift wrapping is no longer offered."}, http.StatusOK)
	f.mustCall(t, "POST", "/api/kb/articles/"+id+"/publish", map[string]any{}, http.StatusOK)
	revs := f.mustCall(t, "GET", "/api/kb/articles/"+id+"/revisions", nil, http.StatusOK)["revisions"].([]any)
	if len(revs) != 2 {
		t.Fatalf("%d revisions, want 2", len(revs))
	}
	rev3 := f.mustCall(t, "POST", "/api/kb/articles/"+id+"/rollback", map[string]any{"revision_id": rev1["id"]}, http.StatusOK)
	if rev3["number"] != float64(3) || rev3["body"] != "We wrap gifts in recycled kraft paper for $4." {
		t.Errorf("rollback revision = %v, want #3 with the first body", rev3)
	}
	d = f.mustCall(t, "GET", "/api/kb/articles/"+id, nil, http.StatusOK)
	if got := d["article"].(map[string]any)["body"]; got != rev3["body"] {
		t.Errorf("working copy after rollback = %q, want %q", got, rev3["body"])
	}

	// Phrasings: add, find by it, delete.
	p := f.mustCall(t, "POST", "/api/kb/articles/"+id+"/phrasings", map[string]any{"text": "can u make my present look nice"}, http.StatusCreated)
	res = f.mustCall(t, "POST", "/api/kb/ask", map[string]any{"question": "can u make my present look nice"}, http.StatusOK)
	if hits := res["hits"].([]any); len(hits) == 0 || hits[0].(map[string]any)["slug"] != "gift-wrap" {
		t.Errorf("ask by phrasing: hits %v, want gift-wrap first", hits)
	}
	if got, _ := f.call(t, "DELETE", "/api/kb/phrasings/"+p["id"].(string), nil); got != http.StatusNoContent {
		t.Errorf("DELETE phrasing = %d, want 204", got)
	}

	// Rolling back to a revision of another article is refused.
	other := f.mustCall(t, "GET", "/api/kb/articles?q=reset", nil, http.StatusOK)["articles"].([]any)[0].(map[string]any)
	got, out := f.call(t, "POST", "/api/kb/articles/"+other["id"].(string)+"/rollback", map[string]any{"revision_id": rev1["id"]})
	if got != http.StatusNotFound {
		t.Errorf("rollback to another article's revision = %d %v, want 404", got, out)
	}

	f.mustCall(t, "POST", "/api/kb/articles/"+id+"/archive", map[string]any{}, http.StatusOK)
	res = f.mustCall(t, "POST", "/api/kb/ask", map[string]any{"question": "do you wrap gifts in kraft paper"}, http.StatusOK)
	for _, h := range res["hits"].([]any) {
		if h.(map[string]any)["slug"] == "gift-wrap" {
			t.Errorf("ask found the archived gift-wrap")
		}
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mustCall(t, "POST", "/api/kb/articles", map[string]any{"slug": "draft-one", "title": "A draft", "tags": []string{"Billing"}}, http.StatusCreated)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"draft-one", "reset-password", "shipping-costs"}},
		{"state=draft", []string{"draft-one"}},
		{"state=published", []string{"reset-password", "shipping-costs"}},
		{"tag=billing", []string{"draft-one"}},
		{"tag=BILLING", []string{"draft-one"}},
		{"q=SHIPPING", []string{"shipping-costs"}},
		{"q=nothing-like-this", nil},
	}
	for _, tt := range tests {
		out := f.mustCall(t, "GET", "/api/kb/articles?"+tt.query, nil, http.StatusOK)
		var got []string
		for _, a := range out["articles"].([]any) {
			got = append(got, a.(map[string]any)["slug"].(string))
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("GET articles?%s = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestUnansweredAndStats(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	conv := frontline.NewID("c_")
	reset, err := f.svc.ArticleBySlug(ctx, "reset-password")
	if err != nil {
		t.Fatal(err)
	}
	records := []kb.QuestionRecord{
		{ConversationID: conv, Text: "can I pay with crypto coins", Abstained: true},
		{ConversationID: frontline.NewID("c_"), Text: "can i pay using crypto coins?", Abstained: true},
		{ConversationID: conv, Text: "forgot my password", ArticleIDs: []string{reset.ID}},
	}
	for _, q := range records {
		if err := f.svc.RecordQuestion(ctx, q); err != nil {
			t.Fatalf("RecordQuestion: %v", err)
		}
	}
	if err := f.svc.RecordHandoff(ctx, conv); err != nil {
		t.Fatalf("RecordHandoff: %v", err)
	}
	// A question handed to a person for a signal is no gap in the KB.
	trigger := frontline.NewID("c_")
	if err := f.svc.RecordQuestion(ctx, kb.QuestionRecord{ConversationID: trigger, Text: "I would like to talk to a person.", Abstained: true, HandoffSignals: []string{"human_request"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordHandoff(ctx, trigger); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Vote(ctx, "reset-password", false); err != nil {
		t.Fatal(err)
	}

	stats := f.mustCall(t, "GET", "/api/kb/stats", nil, http.StatusOK)["stats"].([]any)
	if len(stats) != 1 {
		t.Fatalf("stats = %v, want one article", stats)
	}
	if s := stats[0].(map[string]any); s["slug"] != "reset-password" || s["cited"] != float64(1) || s["handed_off_after"] != float64(1) || s["not_helpful"] != float64(1) || s["helpful"] != float64(0) {
		t.Errorf("stats = %v, want reset-password cited 1, handed off after 1, one not-helpful vote", s)
	}
	un := f.mustCall(t, "GET", "/api/kb/unanswered", nil, http.StatusOK)
	handed := un["handed_off"].([]any)
	if len(handed) != 1 || handed[0].(map[string]any)["text"] != "I would like to talk to a person." {
		t.Errorf("handed_off = %v, want the request for a person", handed)
	}
	for _, g := range un["groups"].([]any) {
		for _, q := range g.(map[string]any)["questions"].([]any) {
			if strings.Contains(q.(map[string]any)["text"].(string), "person") {
				t.Errorf("the gap list holds the hand-off trigger %v", q)
			}
		}
	}
	d := f.mustCall(t, "GET", "/api/kb/articles/"+reset.ID, nil, http.StatusOK)
	if s := d["stats"].(map[string]any); s["cited"] != float64(1) || s["handed_off_after"] != float64(1) {
		t.Errorf("article detail stats = %v, want cited 1, handed off after 1", s)
	}

	groups := f.mustCall(t, "GET", "/api/kb/unanswered", nil, http.StatusOK)["groups"].([]any)
	var crypto map[string]any
	for _, g := range groups {
		g := g.(map[string]any)
		for _, q := range g["questions"].([]any) {
			if strings.Contains(q.(map[string]any)["text"].(string), "crypto") {
				crypto = g
			}
		}
	}
	if crypto == nil {
		t.Fatalf("unanswered groups %v hold no crypto question", groups)
	}
	var ids []string
	for _, q := range crypto["questions"].([]any) {
		ids = append(ids, q.(map[string]any)["id"].(string))
	}
	if len(ids) != 2 {
		t.Errorf("crypto group has %d questions, want the 2 similar ones", len(ids))
	}
	shipping, err := f.svc.ArticleBySlug(ctx, "shipping-costs")
	if err != nil {
		t.Fatal(err)
	}
	f.mustCall(t, "POST", "/api/kb/unanswered/attach", map[string]any{"article_id": shipping.ID, "question_ids": ids}, http.StatusOK)
	d = f.mustCall(t, "GET", "/api/kb/articles/"+shipping.ID, nil, http.StatusOK)
	if ps := d["phrasings"].([]any); len(ps) != len(ids) {
		t.Errorf("shipping-costs has %d phrasings after attach, want %d", len(ps), len(ids))
	}
	groups = f.mustCall(t, "GET", "/api/kb/unanswered", nil, http.StatusOK)["groups"].([]any)
	for _, g := range groups {
		for _, q := range g.(map[string]any)["questions"].([]any) {
			if strings.Contains(q.(map[string]any)["text"].(string), "crypto") {
				t.Errorf("attached question still unanswered: %v", q)
			}
		}
	}
}

// xssArticle tries every usual way of getting script into a page.
const xssArticle = `# Hello

<script>window.__xss = 1</script>

<img src="x" onerror="window.__xss = 2">

<a href="javascript:window.__xss=3">click</a> [link](javascript:window.__xss=4)

<iframe src="https://evil.example"></iframe>

<svg onload="window.__xss=5"><circle r="1"/></svg>

<p style="background:url(javascript:alert(1))" onclick="alert(1)">styled</p>

<form action="https://evil.example"><input name="x"></form>
`

// unsafe matches anything in rendered HTML that could run script or load
// another page.
var unsafe = regexp.MustCompile(`(?i)<script|<iframe|<svg|<form|<input|\son\w+\s*=|javascript:|style=`)

func TestPreviewSanitizes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	out := f.mustCall(t, "POST", "/api/kb/preview", map[string]any{"markdown": xssArticle}, http.StatusOK)
	html := out["html"].(string)
	if m := unsafe.FindString(html); m != "" {
		t.Errorf("preview HTML holds %q:\n%s", m, html)
	}
	for _, want := range []string{"<h1", "Hello", "click", "link"} {
		if !strings.Contains(html, want) {
			t.Errorf("preview HTML lost %q:\n%s", want, html)
		}
	}
}

func TestPageHeaders(t *testing.T) {
	t.Parallel()
	f := setup(t)
	req, _ := http.NewRequest("GET", f.srv.URL+"/editor/", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /editor/ = %d", res.StatusCode)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q allows inline or eval", csp)
	}
	if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
	assets := regexp.MustCompile(`/editor/assets/app\.[0-9a-f]{12}\.(js|css)`).FindAllString(string(page), -1)
	if len(assets) != 2 {
		t.Fatalf("page links %q, want a hashed app.js and app.css", assets)
	}
	for _, a := range assets {
		res, err := f.srv.Client().Get(f.srv.URL + a)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s = %d, Cache-Control %q; want 200, immutable", a, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	res, err = f.srv.Client().Get(f.srv.URL + "/editor/assets/app.000000000000.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET a stale asset hash = %d, want 404", res.StatusCode)
	}
}

// TestCandidateReview: a proposed question is listed for review with its
// article; accept makes it a phrasing, reject keeps it out; a decision on a
// missing candidate is a 404.
func TestCandidateReview(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a, err := f.svc.ArticleBySlug(t.Context(), "shipping-costs")
	if err != nil {
		t.Fatal(err)
	}
	keep, err := f.svc.Propose(t.Context(), kb.Proposal{ArticleID: a.ID, Text: "how much is postage", Source: kb.CandidatePicked})
	if err != nil {
		t.Fatal(err)
	}
	drop, err := f.svc.Propose(t.Context(), kb.Proposal{ArticleID: a.ID, Text: "asdf qwer", Source: kb.CandidatePicked})
	if err != nil {
		t.Fatal(err)
	}
	code, body := f.call(t, "GET", "/api/kb/candidates", nil)
	list, _ := body["candidates"].([]any)
	if code != http.StatusOK || len(list) != 2 || list[0].(map[string]any)["title"] != "Shipping costs" {
		t.Fatalf("GET candidates = %d %v, want two with their article's title", code, body)
	}
	if code, body := f.call(t, "POST", "/api/kb/candidates/"+keep.ID+"/accept", nil); code != http.StatusOK || body["candidate"].(map[string]any)["state"] != "accepted" {
		t.Fatalf("accept = %d %v", code, body)
	}
	if code, body := f.call(t, "POST", "/api/kb/candidates/"+drop.ID+"/reject", nil); code != http.StatusOK || body["candidate"].(map[string]any)["state"] != "rejected" {
		t.Fatalf("reject = %d %v", code, body)
	}
	ps, err := f.svc.Phrasings(t.Context(), a.ID)
	if err != nil || len(ps) != 1 || ps[0].Text != "how much is postage" {
		t.Fatalf("phrasings = %+v, %v; want the accepted question only", ps, err)
	}
	if code, body := f.call(t, "GET", "/api/kb/candidates", nil); code != http.StatusOK || len(body["candidates"].([]any)) != 0 {
		t.Fatalf("pending after review = %d %v, want none", code, body)
	}
	if code, _ := f.call(t, "POST", "/api/kb/candidates/cand_missing/accept", nil); code != http.StatusNotFound {
		t.Errorf("accept missing = %d, want 404", code)
	}
	if code, _ := f.call(t, "GET", "/api/kb/candidates?state=bogus", nil); code != http.StatusBadRequest {
		t.Errorf("bad state = %d, want 400", code)
	}
}
