package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

// RunSiteSettingsTests is the conformance suite of frontline.SiteSettingsStore;
// newStore returns a fresh, empty store per test.
func RunSiteSettingsTests(t *testing.T, newStore func(t *testing.T) frontline.SiteSettingsStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s frontline.SiteSettingsStore)
	}{
		{"PutAndFind", testSitePutAndFind},
		{"PutReplaces", testSitePutReplaces},
		{"UnknownSiteIsNotFound", testSiteNotFound},
		{"ListedByKey", testSiteListedByKey},
		{"Delete", testSiteDelete},
		{"TextRoundTrips", testSiteTextRoundTrips},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func acmeSettings() *frontline.SiteSettings {
	return &frontline.SiteSettings{
		SiteKey: "acme", DisplayName: "Acme Outfitters", AccentColor: "#2f4a3a",
		Greeting: "Hi! Ask us about orders,\nreturns or sizing.", AvatarURL: "https://shop.acme.example/logo.png",
		LauncherPosition: frontline.LauncherBottomLeft, SuggestedArticles: []string{"returns", "shipping_times", "sizing-guide"},
		UpdatedBy: "u_admin",
	}
}

func mustPutSite(t *testing.T, s frontline.SiteSettingsStore, site *frontline.SiteSettings) {
	t.Helper()
	if err := s.PutSiteSettings(ctx(t), site); err != nil {
		t.Fatalf("PutSiteSettings(%s): %v", site.SiteKey, err)
	}
}

func sameSite(t *testing.T, got, want *frontline.SiteSettings) {
	t.Helper()
	if g, w := string(frontline.MustJSON(got)), string(frontline.MustJSON(want)); g != w {
		t.Errorf("site settings read back:\n got %s\nwant %s", g, w)
	}
}

func testSitePutAndFind(t *testing.T, s frontline.SiteSettingsStore) {
	before := time.Now().Add(-time.Minute)
	in := acmeSettings()
	mustPutSite(t, s, in)
	if in.UpdatedAt.Before(before) || in.UpdatedAt.After(time.Now().Add(time.Minute)) {
		t.Errorf("UpdatedAt = %v, want about now", in.UpdatedAt)
	}
	got, err := s.FindSiteSettings(ctx(t), "acme")
	if err != nil {
		t.Fatal(err)
	}
	sameSite(t, got, in)
	// The caller's copy is not the stored one.
	got.SuggestedArticles[0] = "changed"
	again, _ := s.FindSiteSettings(ctx(t), "acme")
	if again.SuggestedArticles[0] != "returns" {
		t.Errorf("changing a returned copy changed the store: %v", again.SuggestedArticles)
	}
}

func testSitePutReplaces(t *testing.T, s frontline.SiteSettingsStore) {
	mustPutSite(t, s, acmeSettings())
	first, _ := s.FindSiteSettings(ctx(t), "acme")
	next := &frontline.SiteSettings{SiteKey: "acme", DisplayName: "Acme", AccentColor: "#abc"}
	mustPutSite(t, s, next)
	got, err := s.FindSiteSettings(ctx(t), "acme")
	if err != nil {
		t.Fatal(err)
	}
	want := *next
	want.SuggestedArticles = []string{}
	sameSite(t, got, &want)
	if got.Greeting != "" || got.AvatarURL != "" || len(got.SuggestedArticles) != 0 || got.UpdatedBy != "" {
		t.Errorf("a put kept fields of the earlier settings: %+v", got)
	}
	if got.UpdatedAt.Before(first.UpdatedAt) {
		t.Errorf("UpdatedAt went back: %v after %v", got.UpdatedAt, first.UpdatedAt)
	}
}

func testSiteNotFound(t *testing.T, s frontline.SiteSettingsStore) {
	_, err := s.FindSiteSettings(ctx(t), "nobody")
	wantCode(t, err, frontline.ENotFound)
	all, err := s.FindAllSiteSettings(ctx(t))
	if err != nil || len(all) != 0 {
		t.Errorf("FindAllSiteSettings on an empty store = %v, %v; want none", all, err)
	}
}

func testSiteListedByKey(t *testing.T, s frontline.SiteSettingsStore) {
	for _, k := range []string{"zeta", "Beta", "alpha", "a_b", "a-b"} {
		mustPutSite(t, s, &frontline.SiteSettings{SiteKey: k, DisplayName: "Site " + k})
	}
	all, err := s.FindAllSiteSettings(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range all {
		keys = append(keys, a.SiteKey)
	}
	// Byte order, the same in every store and locale.
	if want := "[Beta a-b a_b alpha zeta]"; fmt.Sprint(keys) != want {
		t.Errorf("keys listed %v, want %s", keys, want)
	}
}

func testSiteDelete(t *testing.T, s frontline.SiteSettingsStore) {
	mustPutSite(t, s, acmeSettings())
	if err := s.DeleteSiteSettings(ctx(t), "acme"); err != nil {
		t.Fatal(err)
	}
	_, err := s.FindSiteSettings(ctx(t), "acme")
	wantCode(t, err, frontline.ENotFound)
	wantCode(t, s.DeleteSiteSettings(ctx(t), "acme"), frontline.ENotFound)
}

// Text a page must escape is stored as given: escaping is the page's job.
func testSiteTextRoundTrips(t *testing.T, s frontline.SiteSettingsStore) {
	in := &frontline.SiteSettings{SiteKey: "x", DisplayName: `<img src=x onerror=alert(1)> "Ünïcødé" 🚀`,
		Greeting: "Line one\n\tline two & <b>three</b>"}
	mustPutSite(t, s, in)
	got, err := s.FindSiteSettings(ctx(t), "x")
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != in.DisplayName || got.Greeting != in.Greeting {
		t.Errorf("text changed on the way: %q / %q", got.DisplayName, got.Greeting)
	}
}
