package kb_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
)

func TestPublicHandler(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	mustPublish := func(a kb.Article) *kb.Article {
		t.Helper()
		created, err := svc.CreateArticle(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if a.State == kb.StatePublished || a.State == "" {
			if _, err := svc.Publish(ctx, created.ID, "editor"); err != nil {
				t.Fatal(err)
			}
		}
		return created
	}
	returns := mustPublish(kb.Article{Slug: "returns", Title: "Returns <b>policy</b>", Body: "# Returns\n\nSend it back within **30 days**.\n\n<script>window.x=1</script><img src=x onerror=alert(1)>", Audience: kb.AudiencePublic})
	mustPublish(kb.Article{Slug: "vip", Title: "VIP perks", Body: "Members only.", Audience: kb.AudienceCustomers})
	draft, err := svc.CreateArticle(ctx, kb.Article{Slug: "secret-draft", Title: "Draft", Body: "not yet", Audience: kb.AudiencePublic})
	if err != nil {
		t.Fatal(err)
	}
	// An unpublished edit of a published article never shows.
	newBody := "EDITED BUT NOT PUBLISHED"
	if _, err := svc.UpdateArticle(ctx, returns.ID, kb.ArticleUpdate{Body: &newBody}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(kb.PublicHandler(svc, nil))
	t.Cleanup(srv.Close)

	tests := []struct {
		path       string
		status     int
		want, dont []string
	}{
		{"/kb/returns", 200, []string{"Returns &lt;b&gt;policy&lt;/b&gt;", "<strong>30 days</strong>"}, []string{"<script", "onerror", "EDITED"}},
		{"/kb/", 200, []string{`href="/kb/returns"`}, []string{"vip", draft.Slug}},
		{"/kb/vip", 403, []string{"signed-in customers"}, []string{"Members only"}},
		{"/kb/" + draft.Slug, 404, nil, []string{"not yet"}},
		{"/kb/nope", 404, nil, nil},
	}
	for _, tt := range tests {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: CSP = %q, want scripts off", tt.path, csp)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("GET %s: body lacks %q", tt.path, w)
			}
		}
		for _, d := range tt.dont {
			if strings.Contains(string(body), d) {
				t.Errorf("GET %s: body contains %q", tt.path, d)
			}
		}
	}
}

// helpCentre is a help centre over a few published articles, with tags.
func helpCentre(t *testing.T, opts kb.PublicOptions) (*kb.Service, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	for _, a := range []kb.Article{
		{Slug: "zz-refunds", Title: "Refunds to your card", Tags: []string{"billing", "refunds"}, Body: "Refunds reach your card within **5 to 10 business days** after we receive the return.\n\n| method | days |\n| --- | --- |\n| card | 5-10 |\n| gift card | 1 |"},
		{Slug: "aa-invoices", Title: "Invoices and receipts", Tags: []string{"Billing"}, Body: "Download invoices from your account page under Orders."},
		{Slug: "track", Title: "Track your package", Tags: []string{"delivery"}, Body: "Use the tracking link in your shipping email to follow the parcel."},
		{Slug: "untagged", Title: "About us", Body: "We sell outdoor gear."},
		{Slug: "members", Title: "Members lounge", Tags: []string{"vip"}, Body: "Members only.", Audience: kb.AudienceCustomers},
	} {
		if a.Audience == "" {
			a.Audience = kb.AudiencePublic
		}
		created, err := svc.CreateArticle(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Publish(ctx, created.ID, "editor"); err != nil {
			t.Fatal(err)
		}
	}
	h, err := kb.NewPublicHandler(svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return svc, srv
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// inOrder reports whether the strings occur in body in this order.
func inOrder(body string, ss ...string) bool {
	at := 0
	for _, s := range ss {
		i := strings.Index(body[at:], s)
		if i < 0 {
			return false
		}
		at += i + len(s)
	}
	return true
}

func TestHelpCentreCategories(t *testing.T) {
	t.Parallel()
	svc, srv := helpCentre(t, kb.PublicOptions{Name: "Acme <help>", Accent: "#aa3300"})
	// An unpublished title edit never shows.
	a, err := svc.ArticleBySlug(context.Background(), "track")
	if err != nil {
		t.Fatal(err)
	}
	draftTitle := "UNPUBLISHED TITLE"
	if _, err := svc.UpdateArticle(context.Background(), a.ID, kb.ArticleUpdate{Title: &draftTitle}); err != nil {
		t.Fatal(err)
	}
	code, body := fetch(t, srv.URL+"/kb/")
	if code != 200 {
		t.Fatalf("GET /kb/ = %d", code)
	}
	// Categories by name, "Other" last; articles by title, not slug.
	if !inOrder(body, `id="billing"`, ">Billing<", "Invoices and receipts", "Refunds to your card", `id="delivery"`, "Track your package", `id="other"`, "About us") {
		t.Errorf("index is not grouped by category and sorted by title:\n%s", body)
	}
	for _, dont := range []string{"Members lounge", draftTitle, "<help>", "ZgotmplZ"} {
		if strings.Contains(body, dont) {
			t.Errorf("index shows %q", dont)
		}
	}
	for _, want := range []string{"Acme &lt;help&gt;", "--accent:#aa3300", `action="/kb/search"`} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %q", want)
		}
	}

	code, body = fetch(t, srv.URL+"/kb/zz-refunds")
	if code != 200 {
		t.Fatalf("GET /kb/zz-refunds = %d", code)
	}
	// The category above the title, the site's name once in the header:
	// no "Help centre" breadcrumb over a "Help centre" heading.
	if !inOrder(body, `<a href="/kb/#billing">Billing</a>`, "<h1>Refunds to your card</h1>", "<table>", "<th>method</th>", "Was this helpful?") {
		t.Errorf("article page lacks its category, title, table or vote:\n%s", body)
	}
	main := body[strings.Index(body, "<main>"):]
	if strings.Contains(main, "Acme") {
		t.Errorf("the site's name is repeated below the header:\n%s", main)
	}
	if !strings.Contains(body, "th,td{border:1px solid") {
		t.Error("tables have no borders")
	}
}

func TestHelpCentreDefaultsAndBadColour(t *testing.T) {
	t.Parallel()
	_, srv := helpCentre(t, kb.PublicOptions{})
	_, body := fetch(t, srv.URL+"/kb/")
	if !strings.Contains(body, "<title>Help centre</title>") || !strings.Contains(body, "--accent:"+kb.DefaultPublicAccent) {
		t.Errorf("default look missing:\n%s", body)
	}
	for _, c := range []string{"red", "#12345", "#1234567", "#abc;}body{display:none", "url(x)"} {
		if _, err := kb.NewPublicHandler(nil, kb.PublicOptions{Accent: c}); err == nil {
			t.Errorf("accent %q accepted", c)
		}
	}
}

func TestHelpCentreSearch(t *testing.T) {
	t.Parallel()
	_, srv := helpCentre(t, kb.PublicOptions{})
	for _, path := range []string{"/kb/search?q=when+will+my+refund+reach+my+card", "/kb/?q=when+will+my+refund+reach+my+card"} {
		code, body := fetch(t, srv.URL+path)
		if code != 200 {
			t.Fatalf("GET %s = %d", path, code)
		}
		if !inOrder(body, `value="when will my refund reach my card"`, `<ol class="results">`, `href="/kb/zz-refunds">Refunds to your card</a>`, "Billing", "Refunds reach your card within 5 to 10 business days") {
			t.Errorf("GET %s: the refunds article with its category and a plain-text excerpt is not the first result:\n%s", path, body)
		}
		if strings.Contains(body, "**") || strings.Contains(body, "Members") {
			t.Errorf("GET %s: excerpt keeps Markdown or shows a customers-only article", path)
		}
	}
	// The query is shown escaped.
	_, body := fetch(t, srv.URL+"/kb/search?q="+url.QueryEscape(`<script>alert(1)</script> refund`))
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("query not escaped:\n%s", body)
	}
	// Nothing found is said plainly.
	_, body = fetch(t, srv.URL+"/kb/search?q=xyzzy")
	if !strings.Contains(body, "No article") && !strings.Contains(body, "closest") {
		t.Errorf("a search with no match says nothing:\n%s", body)
	}
	// An empty search goes back to the index; an oversized one is refused.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/kb/search?q=+")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/kb/" {
		t.Errorf("empty search = %d → %q, want 303 to /kb/", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code, _ := fetch(t, srv.URL+"/kb/search?q="+strings.Repeat("a", kb.MaxPhrasing+1)); code != 400 {
		t.Errorf("oversized search = %d, want 400", code)
	}
}

func TestHelpCentreSearchLimit(t *testing.T) {
	t.Parallel()
	_, srv := helpCentre(t, kb.PublicOptions{SearchesPerMinute: 1})
	codes := map[int]int{}
	for range 12 { // burst of 10, then the limit
		code, _ := fetch(t, srv.URL+"/kb/search?q=refund")
		codes[code]++
	}
	if codes[200] != 10 || codes[429] != 2 {
		t.Errorf("12 searches from one address: %v, want 10 answered and 2 refused", codes)
	}
}

func TestHelpCentreVote(t *testing.T) {
	t.Parallel()
	svc, srv := helpCentre(t, kb.PublicOptions{VotesPerHour: 1})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path, helpful string, header map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(url.Values{"helpful": {helpful}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := post("/kb/zz-refunds/vote", "yes", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/kb/zz-refunds?voted=1#helpful" {
		t.Fatalf("vote = %d → %q, want 303 back to the article", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := fetch(t, srv.URL+"/kb/zz-refunds?voted=1"); !strings.Contains(body, "Thanks for telling us") || strings.Contains(body, `name="helpful"`) {
		t.Error("after voting the article does not thank the reader")
	}
	post("/kb/zz-refunds/vote", "no", map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"})
	for _, tt := range []struct {
		name, path, helpful string
		header              map[string]string
		want                int
	}{
		{"another site's form", "/kb/zz-refunds/vote", "yes", map[string]string{"Origin": "https://evil.example"}, 403},
		{"cross-site fetch", "/kb/zz-refunds/vote", "yes", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"neither yes nor no", "/kb/zz-refunds/vote", "maybe", nil, 400},
		{"customers-only article", "/kb/members/vote", "yes", nil, 404},
		{"missing article", "/kb/nope/vote", "yes", nil, 404},
	} {
		if resp := post(tt.path, tt.helpful, tt.header); resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	stats, err := svc.ArticleStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Slug != "zz-refunds" || stats[0].Helpful != 1 || stats[0].NotHelpful != 1 {
		t.Fatalf("stats = %+v, want zz-refunds with one vote each way", stats)
	}
	// The burst is 5 votes per address; then it waits (1 per hour here).
	limited := 0
	for range 6 {
		if post("/kb/track/vote", "yes", nil).StatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("votes from one address are not limited")
	}
}
