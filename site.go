package frontline

import (
	"context"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SiteSettings are how one site's chat widget looks and greets: what a
// site owner sets in the sites config or the admin API. Every field is
// optional; the widget falls back to its defaults. Which origins may embed
// a site stays in the server's configuration, not here.
type SiteSettings struct {
	// SiteKey is the widget site these settings dress (Config.Sites).
	SiteKey string `json:"site_key" yaml:"key"`
	// DisplayName heads the chat panel ("Acme Outfitters"); default the key.
	DisplayName string `json:"display_name" yaml:"display_name"`
	// AccentColor is "#rrggbb" or "#rgb": the launcher, header and the
	// customer's bubbles.
	AccentColor string `json:"accent_color" yaml:"accent_color"`
	// Greeting is shown, as plain text, when the panel opens on an empty
	// conversation.
	Greeting string `json:"greeting" yaml:"greeting"`
	// AvatarURL is an https image (a logo or a face) shown in the header
	// and on the launcher; http only for a loopback host.
	AvatarURL string `json:"avatar_url" yaml:"avatar_url"`
	// LauncherPosition is LauncherBottomRight (default) or LauncherBottomLeft.
	LauncherPosition string `json:"launcher_position" yaml:"launcher_position"`
	// SuggestedArticles are up to three help-centre article slugs offered
	// with the greeting.
	SuggestedArticles []string `json:"suggested_articles" yaml:"suggested_articles"`
	// UpdatedAt and UpdatedBy are set by the store and the admin API.
	UpdatedAt time.Time `json:"updated_at" yaml:"-"`
	UpdatedBy string    `json:"updated_by,omitempty" yaml:"-"`
}

// Launcher positions.
const (
	LauncherBottomRight = "bottom-right"
	LauncherBottomLeft  = "bottom-left"
)

// Limits on SiteSettings fields, in characters (runes), and URLs in bytes.
const (
	MaxSiteDisplayName   = 60
	MaxSiteGreeting      = 500
	MaxSiteAvatarURL     = 2048
	MaxSuggestedArticles = 3
)

var (
	accentColorRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	// articleSlugRE is the help centre's slug shape (kb.ValidateSlug).
	articleSlugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// ValidAccentColor reports whether c is "#rgb" or "#rrggbb".
func ValidAccentColor(c string) bool { return accentColorRE.MatchString(c) }

// Normalize trims the text fields and lower-cases the colour, so equal
// settings compare and store equal.
func (s *SiteSettings) Normalize() {
	s.DisplayName = strings.TrimSpace(s.DisplayName)
	s.AccentColor = strings.ToLower(strings.TrimSpace(s.AccentColor))
	s.Greeting = strings.TrimSpace(strings.ReplaceAll(s.Greeting, "\r\n", "\n"))
	s.AvatarURL = strings.TrimSpace(s.AvatarURL)
	s.LauncherPosition = strings.TrimSpace(s.LauncherPosition)
	for i, a := range s.SuggestedArticles {
		s.SuggestedArticles[i] = strings.TrimSpace(a)
	}
}

// Validate reports the first bad field as EInvalid. It checks shapes only
// (that suggested articles exist is the caller's check, against the KB).
func (s *SiteSettings) Validate() error {
	if !ValidID(s.SiteKey) {
		return Errorf(EInvalid, "key: %q is not 1 to 64 letters, digits, '_' or '-'", s.SiteKey)
	}
	if err := plainLine("display_name", s.DisplayName, MaxSiteDisplayName, false); err != nil {
		return err
	}
	if s.AccentColor != "" && !ValidAccentColor(s.AccentColor) {
		return Errorf(EInvalid, "accent_color: %q is not a colour such as #2f4a3a", s.AccentColor)
	}
	if err := plainLine("greeting", s.Greeting, MaxSiteGreeting, true); err != nil {
		return err
	}
	if s.AvatarURL != "" {
		if err := ValidateAvatarURL(s.AvatarURL); err != nil {
			return err
		}
	}
	switch s.LauncherPosition {
	case "", LauncherBottomRight, LauncherBottomLeft:
	default:
		return Errorf(EInvalid, "launcher_position: %q is not %s or %s", s.LauncherPosition, LauncherBottomRight, LauncherBottomLeft)
	}
	if len(s.SuggestedArticles) > MaxSuggestedArticles {
		return Errorf(EInvalid, "suggested_articles: %d given, at most %d", len(s.SuggestedArticles), MaxSuggestedArticles)
	}
	seen := map[string]bool{}
	for _, a := range s.SuggestedArticles {
		if len(a) > 128 || !articleSlugRE.MatchString(a) {
			return Errorf(EInvalid, "suggested_articles: %q is not an article slug such as returns-and-exchanges", a)
		}
		if seen[a] {
			return Errorf(EInvalid, "suggested_articles: %q is listed twice", a)
		}
		seen[a] = true
	}
	return nil
}

// plainLine checks that v is valid text of at most max runes with no
// control characters (newlines and tabs too unless multiline).
func plainLine(field, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return Errorf(EInvalid, "%s: not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return Errorf(EInvalid, "%s: %d characters, at most %d", field, n, max)
	}
	for _, r := range v {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return Errorf(EInvalid, "%s: holds a control character (U+%04X)", field, r)
		}
	}
	return nil
}

// ValidateAvatarURL accepts an absolute https URL with a host and no user
// information, or http for a loopback host (development). Anything else
// (javascript:, data:, relative paths) is EInvalid.
func ValidateAvatarURL(raw string) error {
	if len(raw) > MaxSiteAvatarURL {
		return Errorf(EInvalid, "avatar_url: %d bytes, at most %d", len(raw), MaxSiteAvatarURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return Errorf(EInvalid, "avatar_url: %q is not an absolute https URL", raw)
	}
	if u.User != nil {
		return Errorf(EInvalid, "avatar_url: must not carry a user name or password")
	}
	if strings.ContainsAny(raw, " \t\r\n\"'<>\\`") {
		return Errorf(EInvalid, "avatar_url: holds characters a URL must escape")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}
	}
	return Errorf(EInvalid, "avatar_url: %q: only https URLs (http only for localhost)", raw)
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// SiteSettingsStore keeps SiteSettings durably. Implementations:
// internal/postgres and internal/memory, tested by storetest.RunSiteSettingsTests.
type SiteSettingsStore interface {
	// PutSiteSettings stores s (validated by the caller), replacing the
	// site's earlier settings, and sets s.UpdatedAt.
	PutSiteSettings(ctx context.Context, s *SiteSettings) error
	// FindSiteSettings returns one site's settings, or ENotFound when
	// none were ever stored for key.
	FindSiteSettings(ctx context.Context, key string) (*SiteSettings, error)
	// FindAllSiteSettings returns every site's stored settings, by key.
	FindAllSiteSettings(ctx context.Context) ([]*SiteSettings, error)
	// DeleteSiteSettings drops a site's settings (the widget's defaults
	// apply again); ENotFound when there were none.
	DeleteSiteSettings(ctx context.Context, key string) error
}

// TopicSiteSettings is woken when any site's settings change, so every
// node drops its cached copy.
const TopicSiteSettings = "site-settings"
