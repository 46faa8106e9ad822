package widget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/apierror"
)

// ArticleFinder resolves the help-centre articles a site suggests.
type ArticleFinder interface {
	// PublicArticle returns the title and absolute URL of the published
	// article slug that anyone may read; ENotFound for any other.
	PublicArticle(ctx context.Context, slug string) (title, url string, err error)
}

// Look is what a site's widget shows before and as it opens: the site
// settings made ready for the page, with suggested articles resolved to
// their titles and links. Every string is plain text (widget.js sets it
// with textContent) or a URL checked by frontline.SiteSettings.Validate.
type Look struct {
	// Name heads the panel; empty means the widget's own "Chat with us".
	Name string `json:"name,omitempty"`
	// Accent and AccentText are the colours of the launcher, header and the
	// customer's bubbles (AccentText: white or near-black, whichever reads
	// better on Accent); empty for the widget's defaults.
	Accent     string `json:"accent,omitempty"`
	AccentText string `json:"accent_text,omitempty"`
	Greeting   string `json:"greeting,omitempty"`
	Avatar     string `json:"avatar,omitempty"`
	// Position is frontline.LauncherBottomRight or LauncherBottomLeft.
	Position    string       `json:"position"`
	Suggestions []Suggestion `json:"suggestions,omitempty"`
}

// Suggestion is one article offered with the greeting.
type Suggestion struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// lookTTL bounds how long a node shows settings another node changed if
// the bus lost the wake-up (and how long a renamed or unpublished
// suggested article keeps its old title).
const lookTTL = 30 * time.Second

// looks caches each site's Look; the bus (frontline.TopicSiteSettings)
// empties it when any node changes settings.
type looks struct {
	s     *Server
	start sync.Once
	reads singleflight.Group

	mu      sync.Mutex
	entries map[string]lookEntry
	gen     uint64 // counts forgets: a read begun before one is not kept
}

type lookEntry struct {
	look Look
	at   time.Time
}

// look returns the site's Look, from the cache or built afresh.
func (s *Server) look(ctx context.Context, site *Site) Look {
	l := s.looks
	l.start.Do(l.follow)
	now := s.now()
	l.mu.Lock()
	e, ok := l.entries[site.Key]
	l.mu.Unlock()
	if ok && now.Sub(e.at) < lookTTL {
		return e.look
	}
	// One read per site at a time: the hellos that arrive meanwhile (a
	// crowd reconnecting after a deploy) share it.
	v, _, _ := l.reads.Do(site.Key, func() (any, error) {
		l.mu.Lock()
		gen := l.gen
		l.mu.Unlock()
		look, err := s.buildLook(ctx, site)
		if err != nil {
			// The defaults, not cached: the next hello tries again.
			s.logger.Warn("widget: read site settings", "site", site.Key, "err", err)
			return look, nil
		}
		l.mu.Lock()
		if l.gen == gen {
			l.entries[site.Key] = lookEntry{look: look, at: now}
		}
		l.mu.Unlock()
		return look, nil
	})
	return v.(Look)
}

// follow empties the cache on every settings change, on any node.
func (l *looks) follow() {
	if l.s.siteStore == nil {
		return
	}
	ch, cancel := l.s.bus.Subscribe(frontline.TopicSiteSettings)
	go func() {
		defer cancel()
		for {
			select {
			case <-ch:
				l.forget()
			case <-l.s.baseCtx.Done():
				return
			}
		}
	}()
}

func (l *looks) forget() {
	l.mu.Lock()
	clear(l.entries)
	l.gen++
	l.mu.Unlock()
}

// buildLook reads the site's stored settings (defaults when none) and
// resolves its suggested articles; an article no longer published is left
// out.
func (s *Server) buildLook(ctx context.Context, site *Site) (Look, error) {
	look := Look{Name: site.Name, Position: frontline.LauncherBottomRight}
	if s.siteStore == nil {
		return look, nil
	}
	st, err := s.siteStore.FindSiteSettings(ctx, site.Key)
	if frontline.ErrorCode(err) == frontline.ENotFound {
		return look, nil
	}
	if err != nil {
		return look, err
	}
	look.Greeting, look.Avatar = st.Greeting, st.AvatarURL
	if st.DisplayName != "" {
		look.Name = st.DisplayName
	}
	if st.AccentColor != "" {
		look.Accent, look.AccentText = st.AccentColor, textOn(st.AccentColor)
	}
	if st.LauncherPosition != "" {
		look.Position = st.LauncherPosition
	}
	if s.articles != nil {
		for _, slug := range st.SuggestedArticles {
			title, url, err := s.articles.PublicArticle(ctx, slug)
			if err != nil {
				if frontline.ErrorCode(err) != frontline.ENotFound {
					return look, err
				}
				continue
			}
			look.Suggestions = append(look.Suggestions, Suggestion{Title: title, URL: url})
		}
	}
	return look, nil
}

// textOn is the text colour that reads better on the accent colour hex
// ("#rgb" or "#rrggbb"): white, or near-black when white's WCAG contrast
// ratio would be under 4.5.
func textOn(hex string) string {
	h := hex[1:]
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	lin := func(i int) float64 {
		v, _ := strconv.ParseUint(h[i:i+2], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	lum := 0.2126*lin(0) + 0.7152*lin(2) + 0.0722*lin(4)
	if 1.05/(lum+0.05) >= 4.5 {
		return "#ffffff"
	}
	return "#1d2330"
}

// serveLook answers GET /widget/settings?site=KEY: the site's Look as
// JSON, which widget.js reads to dress the launcher before any socket is
// opened. Pages on the site's allowed origins may read it cross-origin.
func (s *Server) serveLook(w http.ResponseWriter, r *http.Request) {
	site, ok := s.sites[r.URL.Query().Get("site")]
	if !ok {
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.ENotFound, "unknown site key (query parameter site)"))
		return
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if origin := r.Header.Get("Origin"); origin != "" && originAllowed(site, origin) {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=60")
	_ = json.NewEncoder(w).Encode(s.look(r.Context(), site))
}

// SiteAdminPath is where admins read and change the sites' settings.
const SiteAdminPath = "/api/admin/sites"

// maxSiteRequestBytes bounds a settings request body.
const maxSiteRequestBytes = 16 << 10

// siteView is one site as the admin API shows it: its configured origins
// (read-only: they come from the server's configuration) and its settings,
// stored or empty.
type siteView struct {
	Key      string                  `json:"key"`
	Origins  []string                `json:"origins"`
	Stored   bool                    `json:"stored"`
	Settings *frontline.SiteSettings `json:"settings"`
	Look     Look                    `json:"look"`
}

// AdminRoutes are the admin API of the sites' settings, for internal/auth
// to mount (admins only):
//
//	GET    /api/admin/sites        every configured site with its settings
//	GET    /api/admin/sites/{key}  one
//	PUT    /api/admin/sites/{key}  replace its settings (frontline.SiteSettings JSON, key from the path)
//	DELETE /api/admin/sites/{key}  back to the widget's defaults
func (s *Server) AdminRoutes() []frontline.Route {
	admins := []frontline.Role{frontline.RoleAdmin}
	route := func(method, pattern string, f http.HandlerFunc) frontline.Route {
		return frontline.Route{Method: method, Pattern: pattern, Roles: admins, Handler: f}
	}
	return []frontline.Route{
		route("GET", SiteAdminPath, s.adminListSites),
		route("GET", SiteAdminPath+"/{key}", s.adminGetSite),
		route("PUT", SiteAdminPath+"/{key}", s.adminPutSite),
		route("DELETE", SiteAdminPath+"/{key}", s.adminDeleteSite),
	}
}

func (s *Server) siteView(ctx context.Context, site *Site) (siteView, error) {
	v := siteView{Key: site.Key, Origins: site.AllowedOrigins, Settings: &frontline.SiteSettings{SiteKey: site.Key, SuggestedArticles: []string{}}}
	if s.siteStore != nil {
		st, err := s.siteStore.FindSiteSettings(ctx, site.Key)
		switch {
		case err == nil:
			v.Settings, v.Stored = st, true
		case frontline.ErrorCode(err) != frontline.ENotFound:
			return v, err
		}
	}
	look, err := s.buildLook(ctx, site)
	v.Look = look
	return v, err
}

func (s *Server) adminListSites(w http.ResponseWriter, r *http.Request) {
	out := []siteView{}
	for _, site := range s.cfg.Sites {
		v, err := s.siteView(r.Context(), s.sites[site.Key])
		if err != nil {
			apierror.Write(w, r, s.logger, err)
			return
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sites": out})
}

func (s *Server) adminSite(w http.ResponseWriter, r *http.Request) (*Site, bool) {
	site, ok := s.sites[r.PathValue("key")]
	if !ok {
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.ENotFound,
			"no widget site %q: sites and their origins come from FRONTLINE_SITES or FRONTLINE_SITES_CONFIG", r.PathValue("key")))
	}
	return site, ok
}

// writeSiteView answers with the site's stored settings and its look.
func (s *Server) writeSiteView(w http.ResponseWriter, r *http.Request, site *Site) {
	v, err := s.siteView(r.Context(), site)
	if err != nil {
		apierror.Write(w, r, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) adminGetSite(w http.ResponseWriter, r *http.Request) {
	site, ok := s.adminSite(w, r)
	if !ok {
		return
	}
	s.writeSiteView(w, r, site)
}

func (s *Server) adminPutSite(w http.ResponseWriter, r *http.Request) {
	site, ok := s.adminSite(w, r)
	if !ok {
		return
	}
	var in frontline.SiteSettings
	dec := json.NewDecoder(io.LimitReader(r.Body, maxSiteRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.EInvalid, "request body: %v", err))
		return
	}
	if in.SiteKey != "" && in.SiteKey != site.Key {
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.EInvalid, "site_key: %q differs from the path's %q", in.SiteKey, site.Key))
		return
	}
	in.SiteKey = site.Key
	in.UpdatedBy = frontline.UserIDFromContext(r.Context())
	if err := s.PutSiteSettings(r.Context(), &in, true); err != nil {
		apierror.Write(w, r, s.logger, err)
		return
	}
	s.writeSiteView(w, r, site)
}

func (s *Server) adminDeleteSite(w http.ResponseWriter, r *http.Request) {
	site, ok := s.adminSite(w, r)
	if !ok {
		return
	}
	if s.siteStore == nil {
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.EUnavailable, "no settings store is configured"))
		return
	}
	err := s.siteStore.DeleteSiteSettings(r.Context(), site.Key)
	if err != nil && frontline.ErrorCode(err) != frontline.ENotFound {
		apierror.Write(w, r, s.logger, err)
		return
	}
	s.settingsChanged(r.Context())
	w.WriteHeader(http.StatusNoContent)
}

// PutSiteSettings validates and stores one site's settings and tells
// every node. The site must be one of Config.Sites. With checkArticles,
// every suggested article must be published for anyone to read (EInvalid
// otherwise); the sites config at start-up passes false, as its articles
// may not be imported yet, and a missing one is simply not shown.
func (s *Server) PutSiteSettings(ctx context.Context, in *frontline.SiteSettings, checkArticles bool) error {
	if s.siteStore == nil {
		return frontline.Errorf(frontline.EUnavailable, "no settings store is configured")
	}
	if _, ok := s.sites[in.SiteKey]; !ok {
		return frontline.Errorf(frontline.ENotFound, "no widget site %q", in.SiteKey)
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	if checkArticles && len(in.SuggestedArticles) > 0 {
		if s.articles == nil {
			return frontline.Errorf(frontline.EInvalid, "suggested_articles: no knowledge base to take them from")
		}
		for _, slug := range in.SuggestedArticles {
			if _, _, err := s.articles.PublicArticle(ctx, slug); err != nil {
				if frontline.ErrorCode(err) == frontline.ENotFound {
					return frontline.Errorf(frontline.EInvalid, "suggested_articles: %q is not a published article anyone may read", slug)
				}
				return err
			}
		}
	}
	if err := s.siteStore.PutSiteSettings(ctx, in); err != nil {
		return fmt.Errorf("widget: put site settings: %w", err)
	}
	s.settingsChanged(ctx)
	return nil
}

// settingsChanged drops this node's cached looks and wakes the others.
func (s *Server) settingsChanged(ctx context.Context) {
	s.looks.forget()
	if err := s.bus.Publish(ctx, frontline.TopicSiteSettings, 1); err != nil && !errors.Is(err, context.Canceled) {
		// Other nodes catch up within lookTTL.
		s.logger.Warn("widget: announce site settings change", "err", err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails
}
