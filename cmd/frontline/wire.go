package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/bot/signal"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
	"github.com/frontlinehq/frontline/kb/editor"
	"github.com/frontlinehq/frontline/widget"
)

// demoSiteKey is the site the demo page embeds.
const demoSiteKey = "demo"

// wire builds the product on the opened store: the knowledge base, the
// hand-off queue, the bot and the widget, and the routes that serve them.
func (s *Server) wire(ctx context.Context) (http.Handler, error) {
	var (
		kbStore      kb.Store
		handoffStore handoff.Store
	)
	if s.db != nil {
		kbStore, handoffStore = postgres.NewKBStore(s.db), postgres.NewHandoffStore(s.db)
	} else {
		kbStore, handoffStore = memory.NewKBStore(), memory.NewHandoffStore(s.log.(*memory.Store))
	}

	knowledge, err := s.newKB(ctx, kbStore)
	if err != nil {
		return nil, err
	}
	queue := handoff.NewService(handoffStore, s.log, s.bus, handoff.DefaultConfig())

	botCfg := bot.DefaultConfig()
	if path := s.settings["bot-config"]; path != "" {
		if botCfg, err = bot.LoadConfig(path); err != nil {
			return nil, err
		}
	}
	botCfg.LLM.BaseURL = firstNonEmpty(s.settings["llm-url"], botCfg.LLM.BaseURL)
	botCfg.LLM.Model = firstNonEmpty(s.settings["llm-model"], botCfg.LLM.Model)
	botCfg.LLM.APIKey = s.settings["llm-key"]
	deps := bot.Deps{Log: s.log, KB: knowledge, Handoff: queue, Logger: s.logger.With("part", "bot")}
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

	adminToken := s.settings["admin-token"]
	switch {
	case adminToken == "" && s.db == nil:
		// A throwaway demo: make a token and show it once so the editor
		// can be tried. It dies with the process, like everything else.
		adminToken = randomHex(16)
		fmt.Fprintf(s.stderr(), "frontline: no FRONTLINE_ADMIN_TOKEN set; the editor's token for this in-memory run is %s\n", adminToken)
	case adminToken == "":
		s.logger.Warn("no FRONTLINE_ADMIN_TOKEN set: the editor and the admin APIs are switched off")
	case len(adminToken) < 16:
		return nil, fmt.Errorf("--admin-token: use at least 16 characters")
	}
	widgetCfg, err := s.widgetConfig(adminToken)
	if err != nil {
		return nil, err
	}
	customers, err := widget.New(widgetCfg, widget.Deps{
		Log: s.log, Bus: s.bus, Responder: responder, Guard: responder, Handoff: queue,
		Logger: s.logger.With("part", "widget"),
	})
	if err != nil {
		return nil, err
	}
	s.onShutdown(func(ctx context.Context) {
		if err := customers.Shutdown(ctx); err != nil {
			s.logger.Warn("widget shutdown", "err", err)
		}
	})

	mux := http.NewServeMux()
	customers.Routes(mux)
	editorHandler := editor.New(knowledge, editor.Options{AdminToken: adminToken, Logger: s.logger.With("part", "editor")})
	mux.Handle(editor.PagePrefix, editorHandler)
	mux.Handle(editor.APIPrefix, editorHandler)
	mux.Handle("/api/handoffs", handoff.NewAPI(queue, adminToken, s.logger.With("part", "handoff")))
	mux.Handle("/api/handoffs/", handoff.NewAPI(queue, adminToken, s.logger.With("part", "handoff")))
	mux.Handle(kb.PublicPrefix, kb.PublicHandler(knowledge, s.logger.With("part", "help-centre")))
	return securityHeaders(mux), nil
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
	loadDemo := s.settings["demo-kb"]
	if loadDemo == "true" || (loadDemo == "auto" || loadDemo == "") && s.db == nil {
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

func (s *Server) publicURL() string {
	if u := s.settings["public-url"]; u != "" {
		return u
	}
	return s.URL()
}

// widgetConfig reads the sites, secrets and the demo site from settings.
func (s *Server) widgetConfig(adminToken string) (widget.Config, error) {
	sites, err := parseSites(s.settings["sites"])
	if err != nil {
		return widget.Config{}, err
	}
	if _, ok := sites[demoSiteKey]; !ok {
		sites[demoSiteKey] = nil
	}
	hours, err := widget.ParseBusinessHours(s.settings["business-hours"])
	if err != nil {
		return widget.Config{}, fmt.Errorf("--business-hours: %w", err)
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
	for key, origins := range sites {
		cfg.Sites = append(cfg.Sites, widget.Site{
			Key: key, Name: key, AllowedOrigins: origins,
			AllowSameHost:  key == demoSiteKey,
			IdentitySecret: s.settings["identity-secret"],
			Hours:          hours,
		})
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
	cfg.DemoSiteKey = demoSiteKey
	cfg.AdminToken = adminToken
	return cfg, nil
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
