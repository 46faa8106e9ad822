package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"

	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/bot/signal"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/handoff/console"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/obligation"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/retention"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
	"github.com/frontlinehq/frontline/kb/editor"
	"github.com/frontlinehq/frontline/widget"
)

// demoSiteKey is the site the demo page embeds; the demo is on when
// --sites lists it (the default does).
const demoSiteKey = "demo"

// wire builds the product on the opened store: the knowledge base, the
// hand-off queue, the bot and the widget, and the routes that serve them.
func (s *Server) wire(ctx context.Context) (http.Handler, error) {
	if s.settings["business-hours"] != "" {
		// One source of hours: a second writer (this, beside the YAML and
		// the admin API) would have no clear winner across restarts and
		// nodes, and this format cannot say holidays. Refused before any
		// work, rather than ignored.
		return nil, fmt.Errorf("--business-hours (FRONTLINE_BUSINESS_HOURS) was removed: business hours are per team now, with holidays; give the first-line team (%q by default) hours in --people-config (README: People config) and unset it", bot.DefaultPolicy().HumanRequest.Team)
	}
	var (
		kbStore      kb.Store
		handoffStore handoff.Store
		reports      handoff.ReportStore
	)
	if s.db != nil {
		kbStore, handoffStore, reports = postgres.NewKBStore(s.db), postgres.NewHandoffStore(s.db), postgres.NewReportStore(s.db)
	} else {
		kbStore, handoffStore = memory.NewKBStore(), memory.NewHandoffStore(s.log.(*memory.Store))
		reports = memory.NewReportStore(s.log.(*memory.Store))
	}

	if c := s.settings["help-centre-color"]; !kb.ValidAccent(c) {
		return nil, fmt.Errorf("--help-centre-color: %q is not a colour such as #1f5f99", c)
	}
	knowledge, err := s.newKB(ctx, kbStore)
	if err != nil {
		return nil, err
	}
	botCfg := bot.DefaultConfig()
	if path := s.settings["bot-config"]; path != "" {
		if botCfg, err = bot.LoadConfig(path); err != nil {
			return nil, err
		}
	}
	// The parts write through observed decorators: /metrics counts what
	// they commit without any of them knowing about Prometheus.
	log := s.metrics.Log(s.log)
	hcfg := handoff.DefaultConfig()
	hcfg.Logger = s.logger.With("part", "handoff")
	// Before a hand-off, the widget's after-hours notice follows the team
	// a customer asking for a person goes to.
	hcfg.FirstLineTeam = botCfg.Policy.HumanRequest.Team
	queue := handoff.NewService(s.metrics.HandoffStore(handoffStore), log, s.bus, hcfg)
	if err := s.metrics.Queue(handoffStore); err != nil {
		return nil, err
	}
	retentionDays, err := s.settings.count("retention-days")
	if err != nil {
		return nil, err
	}
	keep := retention.Days(retentionDays)
	keep.Logger = s.logger.With("part", "retention")
	var timers handoff.TimerRunner
	if s.db != nil {
		// The retention sweep is a periodic job on the node's River
		// client: whichever node leads schedules it, once per period.
		var periodic []postgres.Periodic
		if retentionDays > 0 {
			periodic = append(periodic, postgres.Periodic{Name: "retention", Every: retention.Interval, Run: func(ctx context.Context) error {
				_, err := keep.Sweep(ctx, s.db)
				return err
			}})
		}
		timers = postgres.NewTimerRunner(s.db, postgres.TimerOptions{Logger: s.logger.With("part", "sla"), Periodic: periodic})
	} else {
		timers = memory.NewTimerRunner(handoffStore.(*memory.HandoffStore), nil, 0)
	}
	// The timers outlive ctx (start-up's): they stop at shutdown, after
	// the ones being fired finish (River stops hard when its context ends).
	if err := timers.Start(context.WithoutCancel(ctx), queue.Fire); err != nil {
		return nil, err
	}
	sweepCtx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	go queue.RunIdleSweep(sweepCtx, time.Minute) // idle agents go away
	if retentionDays > 0 && s.db == nil {
		purger := memory.NewPurger(s.log.(*memory.Store), handoffStore.(*memory.HandoffStore), kbStore.(*memory.KBStore))
		go keep.Run(sweepCtx, purger, retention.Interval)
	}
	s.onShutdown(func(ctx context.Context) {
		stopSweep()
		if err := timers.Stop(ctx); err != nil {
			s.logger.Warn("sla timers: stop", "err", err)
		}
	})

	botCfg.LLM.BaseURL = firstNonEmpty(s.settings["llm-url"], botCfg.LLM.BaseURL)
	botCfg.LLM.Model = firstNonEmpty(s.settings["llm-model"], botCfg.LLM.Model)
	botCfg.LLM.APIKey = s.settings["llm-key"]
	deps := bot.Deps{Log: log, KB: knowledge, Handoff: queue, Logger: s.logger.With("part", "bot")}
	if path := s.settings["signal-config"]; path != "" {
		cfg, err := signal.LoadConfig(path)
		if err != nil {
			return nil, err
		}
		detector, err := signal.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		deps.Detector = bot.SignalDetector(detector)
	}
	responder, err := bot.New(botCfg, deps)
	if err != nil {
		return nil, err
	}

	// The admin token only opens /debug/* to callers off the machine;
	// people sign in with their accounts.
	adminToken := s.settings["admin-token"]
	if adminToken != "" && len(adminToken) < minAdminToken {
		return nil, fmt.Errorf("--admin-token: use at least 16 characters")
	}
	var sitesFile widget.SitesConfig
	if path := s.settings["sites-config"]; path != "" {
		if sitesFile, err = widget.LoadSitesConfig(path); err != nil {
			return nil, fmt.Errorf("--sites-config: %w", err)
		}
	}
	widgetCfg, err := s.widgetConfig(adminToken, sitesFile)
	if err != nil {
		return nil, err
	}
	if !s.demoOn() {
		// The Acme shop page belongs with the Acme articles; a real
		// deployment gets a plain home page instead (home.go).
		widgetCfg.DemoSiteKey = ""
	}
	var siteStore frontline.SiteSettingsStore = memory.NewSiteStore()
	if s.db != nil {
		siteStore = postgres.NewSiteStore(s.db)
	}
	customers, err := widget.New(widgetCfg, widget.Deps{
		Log: log, Bus: s.bus, Guard: responder, Handoff: queue, Hours: queue,
		Sites:    siteStore,
		Articles: publicArticles{kb: knowledge, prefix: strings.TrimRight(s.publicURL(), "/") + kb.PublicPrefix},
		Logger:   s.logger.With("part", "widget"),
	})
	if err != nil {
		return nil, err
	}
	if err := s.seedSites(ctx, customers, siteStore, sitesFile); err != nil {
		return nil, err
	}
	// The bot answers what the Log says it owes, whichever node stored it;
	// stopped after the widget (its last appends owe answers too), before
	// the store closes.
	if err := s.metrics.Connections(customers.Connections, queue.SocketConnections); err != nil {
		return nil, err
	}
	worker := obligation.New(log, s.metrics.Responder(responder), obligation.Options{
		Typing: customers.BotTyping, Logger: s.logger.With("part", "bot"),
	})
	worker.Start()
	s.onShutdown(func(ctx context.Context) {
		if err := worker.Stop(ctx); err != nil {
			s.logger.Warn("bot worker stop: answers still running are left to the next start or another node", "err", err)
		}
	})
	s.onShutdown(func(ctx context.Context) {
		if err := customers.Shutdown(ctx); err != nil {
			s.logger.Warn("widget shutdown", "err", err)
		}
	})

	people, err := s.newAuth(widgetCfg.TrustedProxies)
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	// Customers' routes: the widget checks its own visitors and origins.
	customers.Routes(mux)
	// The profiler, for operators, behind the same admin token.
	for _, rt := range debugRoutes() {
		mux.Handle(rt.pattern, customers.AdminOnly(rt.handler))
	}
	helpCentre, err := kb.NewPublicHandler(knowledge, kb.PublicOptions{
		Logger: s.logger.With("part", "help-centre"),
		Name:   s.helpCentreName(), Accent: s.settings["help-centre-color"],
		ClientAddr: func(r *http.Request) string { return widget.ClientIP(r, widgetCfg.TrustedProxies) },
	})
	if err != nil {
		return nil, fmt.Errorf("--help-centre-color: %w", err)
	}
	mux.Handle(kb.PublicPrefix, helpCentre)
	if !s.demoOn() {
		mux.Handle("GET /{$}", homePage(s.helpCentreName(), s.settings["help-centre-color"], customers.ScriptURL(), homeSiteKey(widgetCfg, s.publicURL())))
	}
	// People's routes: every one through the one authorization check.
	routes := slices.Concat(
		people.Routes(),
		editor.Routes(knowledge, editor.Options{Logger: s.logger.With("part", "editor")}),
		handoff.APIRoutes(queue, s.logger.With("part", "handoff")),
		customers.AdminRoutes(),
		queue.Routes(s.logger.With("part", "agent-api")),
		console.Routes(console.Deps{Handoff: queue, KB: knowledge, Log: log, Reports: reports}, console.Options{
			ArticleURLPrefix: strings.TrimRight(s.publicURL(), "/") + kb.PublicPrefix,
			EditorPath:       editor.PagePrefix,
			Logger:           s.logger.With("part", "console"),
		}),
	)
	if err := people.Mount(mux, routes); err != nil {
		return nil, err
	}
	// The agent socket authenticates at the upgrade, with the same check.
	mux.Handle("GET "+handoff.SocketPath, queue.Socket(func(r *http.Request) (*frontline.User, error) {
		return people.Authenticate(r, handoff.SocketRoles...)
	}, s.logger.With("part", "agent-socket")))
	s.people = people
	var demoAgents map[string]string
	if s.db == nil {
		if demoAgents, err = s.createDemoPeople(ctx, people); err != nil {
			return nil, err
		}
	} else if users, err := people.Users(ctx); err == nil && len(users) == 0 {
		s.logger.Warn("nobody can sign in yet: create the first admin with `frontline user add --role admin --email you@example.com`")
	}
	if err := s.seedPeople(ctx, queue, demoAgents); err != nil {
		return nil, err
	}
	return securityHeaders(mux), nil
}

// seedSites stores the looks the sites config file gives (replacing what
// the admin API set for those sites), and on the demo a look for the demo
// shop unless one is stored.
func (s *Server) seedSites(ctx context.Context, customers *widget.Server, store frontline.SiteSettingsStore, file widget.SitesConfig) error {
	for _, site := range file.Sites {
		if !site.HasLook {
			continue
		}
		settings := site.SiteSettings
		settings.UpdatedBy = "sites-config"
		if err := customers.PutSiteSettings(ctx, &settings, false); err != nil {
			return fmt.Errorf("--sites-config: site %q: %w", site.SiteKey, err)
		}
	}
	if slices.ContainsFunc(file.Sites, func(c widget.SiteConfig) bool { return c.SiteKey == demoSiteKey && c.HasLook }) {
		return nil // the file dressed the demo
	}
	return s.seedDemoLook(ctx, customers, store)
}

// seedDemoLook dresses the demo shop's widget, when the demo is on and no
// look is stored for it.
func (s *Server) seedDemoLook(ctx context.Context, customers *widget.Server, store frontline.SiteSettingsStore) error {
	if !s.demoOn() {
		return nil
	}
	_, err := store.FindSiteSettings(ctx, demoSiteKey)
	if frontline.ErrorCode(err) != frontline.ENotFound {
		return err
	}
	look := demoLook
	look.SuggestedArticles = slices.Clone(demoLook.SuggestedArticles)
	if err := customers.PutSiteSettings(ctx, &look, true); err != nil && frontline.ErrorCode(err) != frontline.ENotFound {
		return fmt.Errorf("demo site look: %w", err)
	}
	return nil
}

// demoLook is the Acme demo shop's widget: its name, colour, greeting
// and three articles from the demo knowledge base.
var demoLook = frontline.SiteSettings{
	SiteKey: demoSiteKey, DisplayName: demo.ShopName, AccentColor: "#2f4a3a",
	Greeting:          "Hi! I'm Acme's assistant. Ask me about orders, returns, delivery or sizing; a person from our team can take over at any time.",
	SuggestedArticles: []string{"start-a-return", "order-status", "shipping-options"},
	UpdatedBy:         "demo",
}

// publicArticles shows the widget the help centre's articles: published,
// readable by anyone, titled as published.
type publicArticles struct {
	kb     *kb.Service
	prefix string // absolute URL of the help centre, ending in /
}

func (p publicArticles) PublicArticle(ctx context.Context, slug string) (string, string, error) {
	a, err := p.kb.ArticleBySlug(ctx, slug)
	if err != nil {
		return "", "", err
	}
	if a.State != kb.StatePublished || a.PublishedRevisionID == "" || a.Audience != kb.AudiencePublic {
		return "", "", frontline.Errorf(frontline.ENotFound, "no published public article %q", slug)
	}
	rev, err := p.kb.Revision(ctx, a.PublishedRevisionID)
	if err != nil {
		return "", "", err
	}
	return rev.Title, p.prefix + a.Slug, nil
}

// newAuth builds the sign-in service on the store: cookies are Secure when
// the public URL is HTTPS, and that URL's origin may post state changes
// even when a proxy rewrites Host.
func (s *Server) newAuth(trustedProxies []netip.Prefix) (*auth.Service, error) {
	opts := auth.Options{
		ClientAddr: func(r *http.Request) string { return widget.ClientIP(r, trustedProxies) },
		Logger:     s.logger.With("part", "auth"),
	}
	var store auth.Store
	if s.db != nil {
		store = postgres.NewAuthStore(s.db)
	} else {
		// The in-memory demo's hashes live beside everything they guard
		// and die with the process; its people have random 128-bit
		// passwords. Lighter costs there start the demo (and the tests
		// that run it) faster and protect nothing less.
		store = memory.NewAuthStore()
		opts.Password = demoPasswordParams
	}
	if pub := s.settings["public-url"]; pub != "" {
		u, err := url.Parse(pub)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("--public-url: %q is not an absolute URL", pub)
		}
		opts.SecureCookies = u.Scheme == "https"
		opts.TrustedOrigins = []string{u.Scheme + "://" + u.Host}
	}
	return auth.New(store, opts)
}

// demoPasswordParams are argon2id's costs on the in-memory store: 4 MiB,
// one pass (the default is 19 MiB, two passes).
var demoPasswordParams = auth.PasswordParams{Memory: 4 * 1024, Time: 1, Threads: 1}

// demoPeople are the accounts of an in-memory run, one per role.
var demoPeople = []struct {
	role        frontline.Role
	email, name string
}{
	{frontline.RoleAgent, "agent@example.com", "Alex Agent"},
	{frontline.RoleSupervisor, "supervisor@example.com", "Sam Supervisor"},
	{frontline.RoleEditor, "editor@example.com", "Eddie Editor"},
	{frontline.RoleAdmin, "admin@example.com", "Ada Admin"},
}

// createDemoPeople makes one person per role with a fresh random password
// and prints their sign-ins once, with the pages to open. They die with the
// process, like everything else in memory. It returns the agents and
// supervisors by user id with their names, for the demo desk.
func (s *Server) createDemoPeople(ctx context.Context, people *auth.Service) (map[string]string, error) {
	agents := map[string]string{}
	var b strings.Builder
	base := strings.TrimRight(s.publicURL(), "/")
	fmt.Fprintf(&b, "frontline: in-memory demo: sign in at %s%s as (passwords are new at every start)\n", base, auth.LoginPath)
	for _, p := range demoPeople {
		password := auth.GeneratePassword()
		u, err := people.CreateUser(ctx, auth.NewUser{Email: p.email, Name: p.name, Roles: []frontline.Role{p.role}, Password: password})
		if err != nil {
			return nil, fmt.Errorf("demo people: %w", err)
		}
		if u.HasRole(frontline.RoleAgent, frontline.RoleSupervisor) {
			agents[u.ID] = u.Name
		}
		fmt.Fprintf(&b, "  %-10s  %-22s  %s\n", p.role, p.email, password)
	}
	fmt.Fprintf(&b, "frontline: pages: %s/ (shop with the widget), %s%s (help centre), %s%s (agent console), %s%s (supervisor), %s%s (reports), %s%s (KB editor)\n",
		base, base, kb.PublicPrefix, base, console.PagePrefix, base, console.SupervisorPath, base, console.ReportsPath, base, editor.PagePrefix)
	_, err := io.WriteString(s.stderr(), b.String())
	return agents, err
}

// seedPeople stores the --people-config desk, or on the in-memory demo a
// default one whose agents are the demo's agent and supervisor.
func (s *Server) seedPeople(ctx context.Context, svc *handoff.Service, demoAgents map[string]string) error {
	if path := s.settings["people-config"]; path != "" {
		c, err := handoff.LoadPeopleConfig(path)
		if err != nil {
			return fmt.Errorf("--people-config: %w", err)
		}
		return svc.Seed(ctx, c)
	}
	if s.db != nil {
		return nil
	}
	return svc.Seed(ctx, handoff.DemoPeople(demoAgents))
}

// newKB builds the knowledge base with the configured embedder, loading the
// demo articles when asked to (by default only on the in-memory store).
func (s *Server) newKB(ctx context.Context, store kb.Store) (*kb.Service, error) {
	// The same builder as `frontline kb import`, so the index and the
	// searches always embed the same way.
	emb, err := embedderFromEnv(s.settings.env)
	if err != nil {
		return nil, err
	}
	threshold, _, err := s.settings.float("search-threshold")
	if err != nil {
		return nil, err
	}
	autoAccept := map[kb.CandidateSource]bool{}
	for _, src := range strings.Split(s.settings["kb-auto-accept"], ",") {
		switch src := kb.CandidateSource(strings.TrimSpace(src)); {
		case src == "":
		case src.Valid():
			autoAccept[src] = true
		default:
			return nil, fmt.Errorf("kb-auto-accept: %q is not agent or picked", src)
		}
	}
	svc := kb.NewService(store, emb, kb.Options{
		AutoAccept:       autoAccept,
		Threshold:        threshold,
		Logger:           s.logger.With("part", "kb"),
		ArticleURLPrefix: strings.TrimRight(s.publicURL(), "/") + kb.PublicPrefix,
	})
	if s.demoOn() {
		articles, err := kb.ReadDir(demo.Articles())
		if err != nil {
			return nil, fmt.Errorf("demo knowledge base: %w", err)
		}
		report, err := kb.Import(ctx, svc, articles)
		if err != nil {
			return nil, fmt.Errorf("demo knowledge base: %w", err)
		}
		s.logger.Info("loaded the demo knowledge base", "articles", len(articles), "report", report)
	}
	return svc, nil
}

// demoOn reports whether this is a demo: the bundled Acme knowledge base
// is loaded (by default only on the in-memory store) and / shows the Acme
// demo shop.
func (s *Server) demoOn() bool {
	v := s.settings["demo-kb"]
	return v == "true" || (v == "auto" || v == "") && s.db == nil
}

// helpCentreName is the help centre's name: the setting, else the demo
// shop's on the demo, else the generic one.
func (s *Server) helpCentreName() string {
	switch {
	case s.settings["help-centre-name"] != "":
		return s.settings["help-centre-name"]
	case s.demoOn():
		return demo.ShopName + " help"
	}
	return "Help centre"
}

func (s *Server) publicURL() string {
	if u := s.settings["public-url"]; u != "" {
		return u
	}
	return s.URL()
}

// widgetConfig reads the sites, secrets and the demo site from settings.
// The demo (its site key and the page at /) is on only when the sites list
// the demo key; the demo page's own origin, from the public URL, is then
// allowed for it. Origins come from configuration only, never from a
// request's Host header.
func (s *Server) widgetConfig(adminToken string, file widget.SitesConfig) (widget.Config, error) {
	sites, err := parseSites(s.settings["sites"])
	if err != nil {
		return widget.Config{}, err
	}
	limits, err := widget.ParseLimits(s.settings["widget-limits"])
	if err != nil {
		return widget.Config{}, fmt.Errorf("--widget-limits: %w", err)
	}
	proxies, err := widget.ParseTrustedProxies(s.settings["trusted-proxies"])
	if err != nil {
		return widget.Config{}, fmt.Errorf("--trusted-proxies: %w", err)
	}
	cfg := widget.Config{Limits: limits, TrustedProxies: proxies}
	// The sites config file's sites join --sites; a key in both has the
	// origins of both.
	for _, site := range file.Sites {
		if _, ok := sites[site.SiteKey]; !ok {
			sites[site.SiteKey] = []string{}
		}
		for _, o := range site.Origins {
			if !slices.Contains(sites[site.SiteKey], o) {
				sites[site.SiteKey] = append(sites[site.SiteKey], o)
			}
		}
	}
	for key, origins := range sites {
		if key == demoSiteKey {
			own, err := originOf(s.publicURL())
			if err != nil {
				return widget.Config{}, fmt.Errorf("--public-url: %w", err)
			}
			if !slices.Contains(origins, own) {
				origins = append(origins, own)
			}
			cfg.DemoSiteKey = demoSiteKey
		}
		name := "" // the widget's own "Chat with us"
		if key == demoSiteKey && s.demoOn() {
			name = demo.ShopName // the widget's title on the demo shop's page
		}
		cfg.Sites = append(cfg.Sites, widget.Site{
			Key: key, Name: name, AllowedOrigins: origins,
			IdentitySecret: s.settings["identity-secret"],
		})
	}
	if len(cfg.Sites) == 0 {
		return widget.Config{}, fmt.Errorf("--sites: no widget site configured (list at least one key=origin)")
	}
	secret := s.settings["token-secret"]
	if secret == "" {
		secret = randomHex(32)
		if s.db != nil {
			s.logger.Warn("no FRONTLINE_TOKEN_SECRET set: visitor tokens are signed with a key of this process only; visitors lose their conversation on restart or on another node")
		}
	}
	if len(secret) < 32 {
		return widget.Config{}, fmt.Errorf("--token-secret: use at least 32 characters")
	}
	cfg.TokenSecret = []byte(secret)
	cfg.AdminToken = adminToken
	return cfg, nil
}

// originOf is the web origin (scheme://host[:port]) of an absolute URL.
func originOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return strings.ToLower(u.Scheme) + "://" + u.Host, nil
}

// securityHeaders sets the headers every page and API answer carries;
// pages add their own Content-Security-Policy.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		next.ServeHTTP(w, r)
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// homeSiteKey is the widget site the plain home page embeds: one whose
// allowed origins include the page's own (the demo site when listed), or
// "" for none, when the page shows only the help-centre link.
func homeSiteKey(cfg widget.Config, publicURL string) string {
	own, err := originOf(publicURL)
	if err != nil {
		return ""
	}
	var keys []string
	for _, site := range cfg.Sites {
		if slices.Contains(site.AllowedOrigins, own) {
			keys = append(keys, site.Key)
		}
	}
	switch {
	case len(keys) == 0:
		return ""
	case slices.Contains(keys, demoSiteKey):
		return demoSiteKey
	}
	return slices.Min(keys)
}

type debugRoute struct {
	pattern string
	handler http.Handler
}

// debugRoutes are net/http/pprof's endpoints, mounted here behind the
// admin token (the package also registers them on http.DefaultServeMux,
// which nothing serves). `go tool pprof` reads them with the token: see
// the README.
func debugRoutes() []debugRoute {
	return []debugRoute{
		{"GET /debug/pprof/", http.HandlerFunc(pprof.Index)},
		{"GET /debug/pprof/cmdline", http.HandlerFunc(pprof.Cmdline)},
		{"GET /debug/pprof/profile", http.HandlerFunc(pprof.Profile)},
		{"GET /debug/pprof/symbol", http.HandlerFunc(pprof.Symbol)},
		{"GET /debug/pprof/trace", http.HandlerFunc(pprof.Trace)},
	}
}
