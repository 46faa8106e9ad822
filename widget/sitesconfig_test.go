package widget

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSitesConfig(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, yaml string) string {
		path := filepath.Join(t.TempDir(), "sites.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	c, err := LoadSitesConfig(write(t, `
sites:
  - key: acme
    origins: [https://shop.acme.example]
    display_name: " Acme "
    accent_color: "#2F4A3A"
    suggested_articles: [returns]
  - key: plain
    origins: [https://plain.example]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sites) != 2 || c.Sites[0].DisplayName != "Acme" || c.Sites[0].AccentColor != "#2f4a3a" || !c.Sites[0].HasLook || c.Sites[1].HasLook {
		t.Fatalf("loaded %+v", c.Sites)
	}
	for name, tt := range map[string]struct{ yaml, want string }{
		"bad colour":        {"sites:\n  - key: a\n    origins: [https://a.example]\n    accent_color: red\n", "sites[0]: accent_color"},
		"script avatar":     {"sites:\n  - key: a\n    origins: [https://a.example]\n    avatar_url: javascript:alert(1)\n", "avatar_url"},
		"unknown field":     {"sites:\n  - key: a\n    origins: [https://a.example]\n    colour: red\n", "colour"},
		"key twice":         {"sites:\n  - key: a\n    origins: [https://a.example]\n  - key: a\n    origins: [https://b.example]\n", "listed twice"},
		"bad origin":        {"sites:\n  - key: a\n    origins: [shop.example]\n", "origins[0]"},
		"four articles":     {"sites:\n  - key: a\n    origins: [https://a.example]\n    suggested_articles: [a, b, c, d]\n", "suggested_articles"},
		"greeting too long": {"sites:\n  - key: a\n    origins: [https://a.example]\n    greeting: " + strings.Repeat("x", 501) + "\n", "greeting"},
		"bad position":      {"sites:\n  - key: a\n    origins: [https://a.example]\n    launcher_position: middle\n", "launcher_position"},
		"no key":            {"sites:\n  - origins: [https://a.example]\n", "key"},
		"updated_at":        {"sites:\n  - key: a\n    updated_at: 2020-01-01\n", "updated_at"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadSitesConfig(write(t, tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "sites.yaml") {
				t.Errorf("LoadSitesConfig = %v, want an error naming the file and %s", err, tt.want)
			}
		})
	}
}
