package widget

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/apierror"
)

func acmeLook() *frontline.SiteSettings {
	return &frontline.SiteSettings{SiteKey: testSite, DisplayName: "Acme <b>Outfitters</b>", AccentColor: "#F5C518",
		Greeting: "Hi! Ask us about orders,\nreturns or sizing.", AvatarURL: "https://cdn.acme.example/logo.png",
		LauncherPosition: frontline.LauncherBottomLeft, SuggestedArticles: []string{"sizing", "returns", "shipping-times"}}
}

func getLook(t *testing.T, b *bundle, site, origin string) (*http.Response, Look) {
	t.Helper()
	req, _ := http.NewRequest("GET", b.http.URL+"/widget/settings?site="+site, nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l Look
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
			t.Fatal(err)
		}
	}
	return resp, l
}

func TestSiteLookDefaultsThenSettings(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(o *setupOpts) { o.postgres = pg })
			_, l := getLook(t, b, testSite, testOrigin)
			if want := (Look{Name: "Acme Outfitters", Position: frontline.LauncherBottomRight}); fmt.Sprint(l) != fmt.Sprint(want) {
				t.Fatalf("look with nothing stored = %+v, want the defaults %+v", l, want)
			}
			if err := b.srv.PutSiteSettings(context.Background(), acmeLook(), true); err != nil {
				t.Fatal(err)
			}
			resp, l := getLook(t, b, testSite, testOrigin)
			want := Look{Name: "Acme <b>Outfitters</b>", Accent: "#f5c518", AccentText: "#1d2330",
				Greeting: "Hi! Ask us about orders,\nreturns or sizing.", Avatar: "https://cdn.acme.example/logo.png",
				Position: frontline.LauncherBottomLeft, Suggestions: []Suggestion{
					{"Sizing <guide> & fit", "https://help.acme.example/kb/sizing"},
					{"Returns and exchanges", "https://help.acme.example/kb/returns"},
					{"Shipping times", "https://help.acme.example/kb/shipping-times"}}}
			if fmt.Sprint(l) != fmt.Sprint(want) {
				t.Errorf("look = %+v\nwant %+v", l, want)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != testOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q for an allowed origin, want it echoed", got)
			}
			// The welcome frame carries the same look.
			c := b.dial(t)
			defer c.close()
			w := c.hello("", 0)
			if w.SiteName != want.Name || w.Look == nil || fmt.Sprint(*w.Look) != fmt.Sprint(want) {
				t.Errorf("welcome site_name %q look %+v, want %q %+v", w.SiteName, w.Look, want.Name, want)
			}
		})
	}
}

func TestSiteLookRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	resp, _ := getLook(t, b, testSite, "https://evil.example")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin: status %d, Access-Control-Allow-Origin %q; want 200 without the header (a browser then hides the answer)",
			resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, _ = getLook(t, b, "nope", testOrigin)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown site: status %d, want 404", resp.StatusCode)
	}
}

func TestTextOnAccent(t *testing.T) {
	t.Parallel()
	for accent, want := range map[string]string{"#2357d9": "#ffffff", "#000": "#ffffff", "#fff": "#1d2330", "#f5c518": "#1d2330", "#2f4a3a": "#ffffff", "#777777": "#1d2330"} {
		if got := textOn(accent); got != want {
			t.Errorf("textOn(%s) = %s, want %s", accent, got, want)
		}
	}
}

// A change made through one node shows on another at its next hello, not
// after the cache's lifetime: the bus wakes every node.
func TestSiteSettingsChangeReachesOtherNodes(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(o *setupOpts) { o.postgres = pg })
			other, err := New(b.srv.cfg, Deps{Log: b.store, Bus: b.bus, Guard: b.srv.guard, Sites: b.sites, Articles: testArticles})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = other.Shutdown(context.Background()) })
			site := other.site(testSite)
			if got := other.look(context.Background(), site).Name; got != "Acme Outfitters" {
				t.Fatalf("other node's look before = %q", got)
			}
			if err := b.srv.PutSiteSettings(context.Background(), &frontline.SiteSettings{SiteKey: testSite, DisplayName: "Renamed"}, true); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(wait)
			for other.look(context.Background(), site).Name != "Renamed" {
				if time.Now().After(deadline) {
					t.Fatalf("the other node still shows the old name after %v (cache lifetime %v)", wait, lookTTL)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// adminCall calls one of the admin routes as admin u_admin, as
// internal/auth would after checking the role.
func adminCall(t *testing.T, b *bundle, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range b.srv.AdminRoutes() {
		if fmt.Sprint(rt.Roles) != "[admin]" || rt.Public {
			t.Fatalf("route %s %s is for %v (public %v), want admins only", rt.Method, rt.Pattern, rt.Roles, rt.Public)
		}
		mux.Handle(rt.Method+" "+rt.Pattern, rt.Handler)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req = req.WithContext(frontline.NewContextWithUser(req.Context(), &frontline.User{ID: "u_admin", Roles: []frontline.Role{frontline.RoleAdmin}}))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

func TestSiteAdminAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := adminCall(t, b, "PUT", "/api/admin/sites/acme", `{"display_name":" Acme ","accent_color":"#2F4A3A","greeting":"Hello","launcher_position":"bottom-left","suggested_articles":["returns"]}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	var v siteView
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if !v.Stored || v.Settings.DisplayName != "Acme" || v.Settings.AccentColor != "#2f4a3a" || v.Settings.UpdatedBy != "u_admin" ||
		v.Look.Suggestions[0].Title != "Returns and exchanges" || fmt.Sprint(v.Origins) != fmt.Sprint(b.srv.site(testSite).AllowedOrigins) {
		t.Errorf("PUT answered %+v (settings %+v)", v, v.Settings)
	}
	if _, l := getLook(t, b, testSite, testOrigin); l.Name != "Acme" || l.Accent != "#2f4a3a" {
		t.Errorf("the widget's look after PUT = %+v", l)
	}
	rec = adminCall(t, b, "GET", "/api/admin/sites", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"display_name":"Acme"`) {
		t.Errorf("GET list: %d %s", rec.Code, rec.Body)
	}

	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		code, about              string
	}{
		{"bad colour", "PUT", "/api/admin/sites/acme", `{"accent_color":"red"}`, 400, "invalid", "accent_color"},
		{"script avatar", "PUT", "/api/admin/sites/acme", `{"avatar_url":"javascript:alert(1)"}`, 400, "invalid", "avatar_url"},
		{"long greeting", "PUT", "/api/admin/sites/acme", `{"greeting":"` + strings.Repeat("x", 501) + `"}`, 400, "invalid", "greeting"},
		{"unpublished article", "PUT", "/api/admin/sites/acme", `{"suggested_articles":["members-only"]}`, 400, "invalid", "members-only"},
		{"four articles", "PUT", "/api/admin/sites/acme", `{"suggested_articles":["a","b","c","d"]}`, 400, "invalid", "suggested_articles"},
		{"unknown field", "PUT", "/api/admin/sites/acme", `{"origins":["https://evil.example"]}`, 400, "invalid", "origins"},
		{"other key in the body", "PUT", "/api/admin/sites/acme", `{"site_key":"demo"}`, 400, "invalid", "site_key"},
		{"not JSON", "PUT", "/api/admin/sites/acme", `display_name=x`, 400, "invalid", "request body"},
		{"unknown site", "PUT", "/api/admin/sites/nope", `{}`, 404, "not_found", "FRONTLINE_SITES"},
		{"get unknown site", "GET", "/api/admin/sites/nope", ``, 404, "not_found", "nope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adminCall(t, b, tt.method, tt.path, tt.body)
			var e apierror.Body
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
			if rec.Code != tt.status || e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.about) {
				t.Errorf("%s %s %s: %d %s; want %d %s about %q", tt.method, tt.path, tt.body, rec.Code, rec.Body, tt.status, tt.code, tt.about)
			}
		})
	}
	// Refused changes lost nothing.
	if _, l := getLook(t, b, testSite, testOrigin); l.Name != "Acme" || l.Accent != "#2f4a3a" || l.Greeting != "Hello" {
		t.Errorf("a refused PUT changed the look: %+v", l)
	}
	if rec := adminCall(t, b, "DELETE", "/api/admin/sites/acme", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	if _, l := getLook(t, b, testSite, testOrigin); l.Name != "Acme Outfitters" || l.Accent != "" || l.Position != frontline.LauncherBottomRight {
		t.Errorf("look after DELETE = %+v, want the defaults", l)
	}
}

// The demo page previews another configured site's look (?site=KEY),
// never chatting; an unknown key shows the demo's own widget.
func TestDemoPagePreview(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *setupOpts) {
		o.noWorker = true
		o.sites = []Site{{Key: "other", AllowedOrigins: []string{"https://other.example"}}}
	})
	for query, want := range map[string]string{
		"?site=other":              `data-site-key="other" data-preview="true" data-open="true"`,
		"?site=nope":               `data-site-key="acme" async`,
		"?site=%22%3E%3Cscript%3E": `data-site-key="acme" async`,
		"":                         `data-site-key="acme" async`,
	} {
		resp, err := http.Get(b.http.URL + "/" + query)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), want) {
			t.Errorf("/%s: the page does not embed %s", query, want)
		}
	}
}
