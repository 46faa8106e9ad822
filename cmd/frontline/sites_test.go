package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/widget"
)

func writeSitesConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sites.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func siteLook(t *testing.T, srv *Server, key string) widget.Look {
	t.Helper()
	code, body := get(t, srv.URL()+"/widget/settings?site="+key)
	if code != 200 {
		t.Fatalf("/widget/settings?site=%s = %d %s", key, code, body)
	}
	var l widget.Look
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// The sites config file adds sites with their origins and look; the
// in-memory demo dresses the demo shop's widget unless the file does.
func TestSitesConfig(t *testing.T) {
	t.Parallel()
	path := writeSitesConfig(t, `
sites:
  - key: trailhead
    origins: [https://shop.trailhead.example]
    display_name: Trailhead Outdoor
    accent_color: "#AA3300"
    greeting: |
      Hello from Trailhead!
      Ask us anything.
    avatar_url: https://cdn.trailhead.example/logo.png
    launcher_position: bottom-left
    suggested_articles: [return-policy, no-such-article]
`)
	srv, err := startServer(t, map[string]string{"FRONTLINE_SITES_CONFIG": path})
	if err != nil {
		t.Fatal(err)
	}
	l := siteLook(t, srv, "trailhead")
	if l.Name != "Trailhead Outdoor" || l.Accent != "#aa3300" || l.Greeting != "Hello from Trailhead!\nAsk us anything." ||
		l.Avatar != "https://cdn.trailhead.example/logo.png" || l.Position != "bottom-left" {
		t.Errorf("trailhead look = %+v", l)
	}
	// An article the KB does not have is left out, not an error at start-up.
	if len(l.Suggestions) != 1 || l.Suggestions[0].Title != "Return policy" || l.Suggestions[0].URL != srv.URL()+"/kb/return-policy" {
		t.Errorf("trailhead suggestions = %+v, want only the return policy, linked in the help centre", l.Suggestions)
	}
	demo := siteLook(t, srv, "demo")
	if demo.Name != "Acme Outfitters" || demo.Accent != "#2f4a3a" || demo.Greeting == "" || len(demo.Suggestions) != 3 {
		t.Errorf("demo look = %+v, want the Acme shop's with three articles", demo)
	}
	// The file's origins are the site's: a page there may read its look.
	req := srv.URL() + "/widget/settings?site=trailhead"
	if got := corsOrigin(t, req, "https://shop.trailhead.example"); got != "https://shop.trailhead.example" {
		t.Errorf("Access-Control-Allow-Origin for the configured origin = %q", got)
	}
}

func corsOrigin(t *testing.T, url, origin string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Origin", origin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Access-Control-Allow-Origin")
}

// A bad sites config stops start-up with an error naming the setting and
// the field (the file's checks are widget.TestLoadSitesConfig's).
func TestSitesConfigRefusesBadFiles(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct{ yaml, want string }{
		"bad colour": {"sites:\n  - key: a\n    origins: [https://a.example]\n    accent_color: red\n", "accent_color"},
		"no origins": {"sites:\n  - key: lonely\n    display_name: Lonely\n", `site "lonely": no AllowedOrigins`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := startServer(t, map[string]string{"FRONTLINE_SITES_CONFIG": writeSitesConfig(t, tt.yaml), "FRONTLINE_DEMO_KB": "false"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("start = %v, want an error about %s", err, tt.want)
			}
		})
	}
}
