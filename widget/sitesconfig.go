package widget

import (
	"fmt"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/strictyaml"
)

// SitesConfig is the sites config file (FRONTLINE_SITES_CONFIG): the
// widget sites, who may embed each, and how each looks.
//
//	sites:
//	  - key: acme
//	    origins: [https://shop.acme.example]
//	    display_name: Acme Outfitters
//	    accent_color: "#2f4a3a"
//	    greeting: Hi! Ask us about orders, returns or sizing.
//	    avatar_url: https://shop.acme.example/logo.png
//	    launcher_position: bottom-left
//	    suggested_articles: [start-a-return, order-status, shipping-options]
type SitesConfig struct {
	Sites []SiteConfig `yaml:"sites"`
}

// SiteConfig is one site of the file: its origins and its settings.
type SiteConfig struct {
	// Origins may embed the site, as in FRONTLINE_SITES.
	Origins []string `yaml:"origins"`
	// HasLook is set when the entry gives any setting beyond its origins:
	// only then are its settings stored at start-up.
	HasLook                bool `yaml:"-"`
	frontline.SiteSettings `yaml:",inline"`
}

// LoadSitesConfig reads and checks a sites config file: unknown fields,
// a key listed twice and any invalid setting are errors naming the entry.
func LoadSitesConfig(path string) (SitesConfig, error) {
	var c SitesConfig
	if err := strictyaml.ReadFile(path, &c); err != nil {
		return c, err
	}
	seen := map[string]bool{}
	for i := range c.Sites {
		s := &c.Sites[i]
		s.Normalize()
		if err := s.Validate(); err != nil {
			return c, fmt.Errorf("%s: sites[%d]: %s", path, i, frontline.ErrorMessage(err))
		}
		if seen[s.SiteKey] {
			return c, fmt.Errorf("%s: sites[%d]: key %q is listed twice", path, i, s.SiteKey)
		}
		seen[s.SiteKey] = true
		for j, o := range s.Origins {
			if _, err := parseOrigin(o); err != nil {
				return c, fmt.Errorf("%s: site %q: origins[%d]: %w", path, s.SiteKey, j, err)
			}
		}
		s.HasLook = s.DisplayName != "" || s.AccentColor != "" || s.Greeting != "" || s.AvatarURL != "" ||
			s.LauncherPosition != "" || len(s.SuggestedArticles) > 0
	}
	return c, nil
}
