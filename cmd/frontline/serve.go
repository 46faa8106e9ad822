package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/guard"
	"github.com/frontlinehq/frontline/internal/apierror"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/metrics"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// Server is one running frontline node. End-to-end tests start it on :0.
type Server struct {
	settings  settings
	logger    *slog.Logger
	logOutput io.Writer
	metrics   *metrics.Metrics // served at /metrics

	ln         net.Listener
	httpServer *http.Server
	app        atomic.Pointer[http.Handler] // nil until the store is ready
	notReady   atomic.Pointer[string]       // why /readyz fails; nil when ready

	// Set once the store is up.
	log    frontline.Log
	bus    frontline.Bus
	db     *postgres.DB
	people *auth.Service // signs people in; every route it mounted

	mu       sync.Mutex
	stoppers []func(context.Context) // run in reverse order at shutdown
}

const serveUsage = `Usage: frontline [serve] [flags]

Runs the server: the chat widget and its demo page, the help centre (/kb/),
the editor (/editor/) and the APIs. With no DATABASE_URL it runs in memory
with the demo knowledge base, and keeps nothing. Every flag can be set by
the environment variable named after it; the flag wins.
`

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", serveUsage)
	var s settings
	err := routeFlagOutput(fs, stdout, stderr, func() (err error) {
		s, err = parseSettings(fs, args, getenv)
		return err
	})
	if err != nil {
		return err
	}
	srv, err := NewServer(s, stderr)
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return srv.Shutdown()
}

// NewServer validates settings and builds the logger; Start does the rest.
func NewServer(s settings, logOutput io.Writer) (*Server, error) {
	logger, err := newLogger(s, logOutput)
	if err != nil {
		return nil, err
	}
	return &Server{settings: s, logger: logger, logOutput: logOutput, metrics: metrics.New()}, nil
}

// Addr is the address the server listens on, once started.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the server's base URL, once started.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Listen binds the address and serves /healthz and /readyz at once;
// everything else answers 503 until Start has wired the product. It logs
// nothing: "listening" comes from Start once the store is accepted, so a
// server that refuses its database never said it was listening.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.settings["addr"])
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.settings["addr"], err)
	}
	s.ln = ln
	starting := "starting"
	s.notReady.Store(&starting)
	s.httpServer = &http.Server{
		Handler:           s.metrics.HTTP(s.routes()),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("http server stopped", "err", err)
		}
	}()
	return nil
}

// Start opens the store (waiting for the database when asked to) and wires
// the product. It returns when the server is ready, or with the reason it
// cannot be.
func (s *Server) Start(ctx context.Context) error {
	if err := s.openStore(ctx); err != nil {
		s.httpServer.Close()
		return err
	}
	s.logger.Info("listening", "addr", s.URL())
	handler, err := s.wire(ctx)
	if err != nil {
		s.Shutdown()
		return err
	}
	s.app.Store(&handler)
	s.notReady.Store(nil)
	s.logger.Info("ready", "store", s.storeName())
	return nil
}

// stderr is where the server writes what the operator must see once.
func (s *Server) stderr() io.Writer { return s.logOutput }

func (s *Server) storeName() string {
	if s.db != nil {
		return "postgres"
	}
	return "memory"
}

// onShutdown registers f to run at shutdown, after the listener closed and
// before anything registered earlier.
func (s *Server) onShutdown(f func(context.Context)) {
	s.mu.Lock()
	s.stoppers = append(s.stoppers, f)
	s.mu.Unlock()
}

// openStore connects to Postgres (or falls back to memory when no
// database is configured), migrates when asked and refuses a schema that
// does not match this binary.
func (s *Server) openStore(ctx context.Context) error {
	url := s.settings["database-url"]
	if url == "" {
		s.logger.Warn("NO DATABASE CONFIGURED: running on the in-memory store. Nothing is durable: every conversation, article and queue entry is lost when this process stops. Set DATABASE_URL to run on PostgreSQL.")
		bus := memory.NewBus()
		s.log, s.bus = memory.NewStore(bus), bus
		return nil
	}
	wait, err := s.settings.bool("wait-for-db")
	if err != nil {
		return err
	}
	migrate, err := s.settings.bool("migrate")
	if err != nil {
		return err
	}
	db, err := s.connect(ctx, url, wait)
	if err != nil {
		return err
	}
	if migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return err
		}
		if len(applied) > 0 {
			s.logger.Info("migrated database", "applied", applied, "version", postgres.LatestVersion())
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return fmt.Errorf("refusing to serve: %w", err)
	}
	bus := postgres.NewBus(db)
	if err := bus.Start(ctx); err != nil {
		db.Close()
		return err
	}
	s.db, s.log, s.bus = db, db, bus
	s.onShutdown(func(context.Context) { db.Close() })
	s.onShutdown(func(context.Context) { bus.Close() })
	return nil
}

// connect opens the database; with wait it retries with capped exponential
// backoff until ctx ends, saying why on /readyz meanwhile.
func (s *Server) connect(ctx context.Context, url string, wait bool) (*postgres.DB, error) {
	backoff := 250 * time.Millisecond
	for {
		db, err := postgres.Open(ctx, postgres.Options{URL: url, Logger: s.logger})
		if err == nil {
			return db, nil
		}
		if !wait || ctx.Err() != nil {
			return nil, err
		}
		reason := "waiting for the database: " + err.Error()
		s.notReady.Store(&reason)
		s.logger.Warn("database unreachable; retrying", "err", err, "retry_in", backoff, "health", s.URL()+"/readyz")
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

// routes serves health at once and everything else once wired.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.handleReady)
	mux.Handle(metricsRoute, s.adminOnly(s.metrics.Handler()))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := s.app.Load()
		if h == nil {
			w.Header().Set("Retry-After", "2")
			http.Error(w, "frontline is starting", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	})
	return mux
}

// minAdminToken is the shortest admin token accepted.
const minAdminToken = 16

// metricsRoute serves Prometheus' text format to the admin token.
const metricsRoute = "GET /metrics"

// adminTokenRoutes are the routes the server itself mounts behind the admin
// token (adminOnly) rather than behind people's sign-in; the authorization
// matrix checks them (widget's /debug/widget/stats uses the same token).
var adminTokenRoutes = []string{metricsRoute}

// adminOnly lets through requests bearing the admin token. Without an admin
// token configured the route does not exist (404); where a request comes
// from proves nothing (a proxy on the same host makes every caller look
// local), so loopback gets no exception.
func (s *Server) adminOnly(next http.Handler) http.Handler {
	token := s.settings["admin-token"]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(token) < minAdminToken { // off, or too short to serve (Start refuses it)
			http.NotFound(w, r)
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="frontline"`)
			apierror.Write(w, r, s.logger, frontline.Errorf(frontline.EUnauthorized, "this needs the admin token (Authorization: Bearer <token>)"))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if reason := s.notReady.Load(); reason != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, *reason+"\n")
		return
	}
	if s.db != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.db.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unreachable\n")
			return
		}
		if err := s.db.CheckSchema(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, err.Error()+"\n")
			return
		}
		io.WriteString(w, "ok (postgres)\n")
		return
	}
	io.WriteString(w, "ok (memory store: not durable)\n")
}

// Shutdown drains: stop accepting, let requests finish and websockets close
// with "going away" (1001), let pending writes commit, then close the store;
// all within the shutdown timeout.
func (s *Server) Shutdown() error {
	timeout, err := s.settings.duration("shutdown-timeout")
	if err != nil || timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	draining := "shutting down"
	s.notReady.Store(&draining)
	s.logger.Info("shutting down", "timeout", timeout)
	var shutdownErr error
	if s.httpServer != nil {
		if err := s.httpServer.Shutdown(ctx); err != nil {
			shutdownErr = fmt.Errorf("http shutdown: %w", err)
			s.httpServer.Close()
		}
	}
	s.mu.Lock()
	stoppers := s.stoppers
	s.stoppers = nil
	s.mu.Unlock()
	for i := len(stoppers) - 1; i >= 0; i-- {
		stoppers[i](ctx)
	}
	if shutdownErr != nil {
		s.logger.Warn("shutdown did not finish cleanly", "err", shutdownErr)
	}
	s.logger.Info("stopped")
	return nil
}

// newLogger builds the process logger: level and format from settings, and
// configured secrets scrubbed from every attribute.
func newLogger(s settings, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s["log-level"])); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not debug, info, warn or error", s["log-level"])
	}
	secrets := s.secretValues()
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() == slog.KindString || a.Value.Kind() == slog.KindAny {
			str := a.Value.String()
			for _, secret := range secrets {
				if strings.Contains(str, secret) {
					str = strings.ReplaceAll(str, secret, "[secret]")
					a.Value = slog.StringValue(str)
				}
			}
		}
		return a
	}}
	var h slog.Handler
	switch s["log-format"] {
	case "text", "":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("--log-format: %q is not text or json", s["log-format"])
	}
	// Card numbers, passwords and the like are masked in every message and
	// attribute, whichever part logs them.
	return slog.New(guard.NewHandler(h, guard.New(guard.Config{}))), nil
}
