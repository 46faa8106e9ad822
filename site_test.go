package frontline_test

import (
	"strings"
	"testing"

	"github.com/frontlinehq/frontline"
)

func TestSiteSettingsValidate(t *testing.T) {
	t.Parallel()
	valid := func() frontline.SiteSettings {
		return frontline.SiteSettings{SiteKey: "acme", DisplayName: "Acme Outfitters", AccentColor: "#2f4a3a",
			Greeting: "Hi!\nAsk us anything.", AvatarURL: "https://cdn.acme.example/logo.png?v=2",
			LauncherPosition: frontline.LauncherBottomLeft, SuggestedArticles: []string{"returns", "shipping_times", "a1"}}
	}
	tests := []struct {
		name    string
		edit    func(s *frontline.SiteSettings)
		wantErr string // "" for valid
	}{
		{"everything set", func(s *frontline.SiteSettings) {}, ""},
		{"nothing but the key", func(s *frontline.SiteSettings) { *s = frontline.SiteSettings{SiteKey: "acme"} }, ""},
		{"short colour", func(s *frontline.SiteSettings) { s.AccentColor = "#0aF" }, ""},
		{"loopback http avatar", func(s *frontline.SiteSettings) { s.AvatarURL = "http://127.0.0.1:8080/logo.svg" }, ""},
		{"localhost http avatar", func(s *frontline.SiteSettings) { s.AvatarURL = "http://localhost/logo.svg" }, ""},
		{"bad key", func(s *frontline.SiteSettings) { s.SiteKey = "a b" }, "key"},
		{"empty key", func(s *frontline.SiteSettings) { s.SiteKey = "" }, "key"},
		{"colour name", func(s *frontline.SiteSettings) { s.AccentColor = "red" }, "accent_color"},
		{"colour without hash", func(s *frontline.SiteSettings) { s.AccentColor = "2f4a3a" }, "accent_color"},
		{"colour with CSS after it", func(s *frontline.SiteSettings) { s.AccentColor = "#fff;background:url(x)" }, "accent_color"},
		{"four-digit colour", func(s *frontline.SiteSettings) { s.AccentColor = "#ffff" }, "accent_color"},
		{"name too long", func(s *frontline.SiteSettings) { s.DisplayName = strings.Repeat("é", 61) }, "display_name"},
		{"name of 60 accented letters", func(s *frontline.SiteSettings) { s.DisplayName = strings.Repeat("é", 60) }, ""},
		{"newline in the name", func(s *frontline.SiteSettings) { s.DisplayName = "Acme\nOutfitters" }, "display_name"},
		{"invalid UTF-8", func(s *frontline.SiteSettings) { s.DisplayName = "Acme \xff" }, "display_name"},
		{"greeting too long", func(s *frontline.SiteSettings) { s.Greeting = strings.Repeat("a", 501) }, "greeting"},
		{"NUL in the greeting", func(s *frontline.SiteSettings) { s.Greeting = "hi\x00" }, "greeting"},
		{"javascript avatar", func(s *frontline.SiteSettings) { s.AvatarURL = "javascript:alert(1)" }, "avatar_url"},
		{"data avatar", func(s *frontline.SiteSettings) { s.AvatarURL = "data:image/svg+xml,<svg/onload=alert(1)>" }, "avatar_url"},
		{"relative avatar", func(s *frontline.SiteSettings) { s.AvatarURL = "/logo.png" }, "avatar_url"},
		{"protocol-relative avatar", func(s *frontline.SiteSettings) { s.AvatarURL = "//cdn.example/logo.png" }, "avatar_url"},
		{"plain http avatar", func(s *frontline.SiteSettings) { s.AvatarURL = "http://cdn.example/logo.png" }, "avatar_url"},
		{"avatar with a password", func(s *frontline.SiteSettings) { s.AvatarURL = "https://u:p@cdn.example/logo.png" }, "avatar_url"},
		{"avatar with a quote", func(s *frontline.SiteSettings) { s.AvatarURL = `https://cdn.example/a"b.png` }, "avatar_url"},
		{"avatar too long", func(s *frontline.SiteSettings) { s.AvatarURL = "https://cdn.example/" + strings.Repeat("a", 2048) }, "avatar_url"},
		{"unknown position", func(s *frontline.SiteSettings) { s.LauncherPosition = "top-left" }, "launcher_position"},
		{"four articles", func(s *frontline.SiteSettings) { s.SuggestedArticles = []string{"a", "b", "c", "d"} }, "suggested_articles"},
		{"an article twice", func(s *frontline.SiteSettings) { s.SuggestedArticles = []string{"a", "a"} }, "suggested_articles"},
		{"not a slug", func(s *frontline.SiteSettings) { s.SuggestedArticles = []string{"../admin"} }, "suggested_articles"},
		{"upper-case slug", func(s *frontline.SiteSettings) { s.SuggestedArticles = []string{"Returns"} }, "suggested_articles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := valid()
			tt.edit(&s)
			err := s.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Validate() = nil, want an error about %s", tt.wantErr)
			case tt.wantErr != "" && (frontline.ErrorCode(err) != frontline.EInvalid || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate() = %v, want EInvalid about %s", err, tt.wantErr)
			}
		})
	}
}

func TestSiteSettingsNormalize(t *testing.T) {
	t.Parallel()
	s := frontline.SiteSettings{SiteKey: "acme", DisplayName: "  Acme ", AccentColor: " #2F4A3A ", Greeting: "Hi\r\nthere\n",
		LauncherPosition: " bottom-left", SuggestedArticles: []string{" returns "}}
	s.Normalize()
	if s.DisplayName != "Acme" || s.AccentColor != "#2f4a3a" || s.Greeting != "Hi\nthere" || s.LauncherPosition != "bottom-left" || s.SuggestedArticles[0] != "returns" {
		t.Errorf("Normalize() gave %+v", s)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("normalized settings do not validate: %v", err)
	}
}
