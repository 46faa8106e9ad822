package widget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/apierror"
)

// Connection timing. Browsers answer pings by themselves.
const (
	// HelloTimeout is how long a new connection may take to send hello.
	HelloTimeout = 10 * time.Second
	// PongWait is how long a connection may stay silent (no frame, no pong).
	PongWait = 60 * time.Second
	// PingPeriod must be shorter than PongWait.
	PingPeriod = PongWait * 9 / 10
	// WriteWait bounds one write to a client; a client that cannot take a
	// frame in this time is dropped.
	WriteWait = 10 * time.Second
	// CloseGrace is how long the server waits for the client's close reply
	// before closing the TCP connection.
	CloseGrace = time.Second
	// StoreTimeout bounds one call to the Log on behalf of a customer.
	StoreTimeout = 10 * time.Second
	// maxTranscript bounds a transcript download.
	maxTranscript = 5000
	// maxBadFrames in a row end a connection (CloseTooManyErrors).
	maxBadFrames = 10
)

// Server is the customer channel: the widget's assets, demo page and
// websocket endpoint.
type Server struct {
	cfg       Config
	limits    Limits
	sites     map[string]*Site
	log       frontline.Log
	bus       frontline.Bus
	handoff   frontline.Handoff
	hours     TeamHours
	guard     Guard
	siteStore frontline.SiteSettingsStore
	articles  ArticleFinder
	looks     *looks
	logger    *slog.Logger
	now       func() time.Time
	upgrader  websocket.Upgrader
	assets    *assets
	ips       *ipLimiter
	queue     *queueWatch
	baseCtx   context.Context
	hardStop  context.CancelFunc
	connCount atomic.Int64
	// maxWaiting bounds the frames one connection has read and not yet
	// handled (Limits: twice its burst and what its rate allows during one
	// StoreTimeout); a store stalled longer closes with CloseTryAgainLater.
	maxWaiting int
	// frameCharged, when set (by tests), is called once a frame has been
	// counted against the rate limits.
	frameCharged func()

	mu           sync.Mutex
	shuttingDown bool
	inflight     sync.WaitGroup // appends in progress; Add only under mu while !shuttingDown
	conns        map[*conn]struct{}
	byConv       map[string]map[*conn]struct{}
	typingStops  map[string]chan struct{} // per followed conversation: stops its agent-typing relay
	connsGone    chan struct{}            // closed when conns empties during shutdown
}

// New checks cfg and returns a server. deps.Log and deps.Bus are required.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if deps.Log == nil || deps.Bus == nil || deps.Guard == nil {
		return nil, errors.New("widget: Deps.Log, Deps.Bus and Deps.Guard are required")
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 30 * 24 * time.Hour
	}
	s := &Server{
		cfg:         cfg,
		limits:      cfg.Limits.withDefaults(),
		sites:       map[string]*Site{},
		log:         deps.Log,
		bus:         deps.Bus,
		handoff:     deps.Handoff,
		hours:       deps.Hours,
		guard:       deps.Guard,
		siteStore:   deps.Sites,
		articles:    deps.Articles,
		logger:      deps.Logger,
		now:         deps.Now,
		conns:       map[*conn]struct{}{},
		byConv:      map[string]map[*conn]struct{}{},
		typingStops: map[string]chan struct{}{},
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	for i := range cfg.Sites {
		s.sites[cfg.Sites[i].Key] = &cfg.Sites[i]
	}
	s.baseCtx, s.hardStop = context.WithCancel(context.Background())
	s.upgrader = websocket.Upgrader{
		// Small buffers and a shared write-buffer pool keep an idle
		// connection's memory low; frames larger than a buffer still work.
		ReadBufferSize:  512,
		WriteBufferSize: 2048,
		WriteBufferPool: &sync.Pool{},
		// The origin is checked against the site's allowlist before upgrading.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	s.ips = newIPLimiter(s.limits, s.now)
	s.maxWaiting = 2 * (s.limits.FrameBurst + int(s.limits.FramesPerSecond*StoreTimeout.Seconds()))
	s.queue = newQueueWatch(s)
	s.looks = &looks{s: s, entries: map[string]lookEntry{}}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s.assets = a
	return s, nil
}

// Routes registers the widget's endpoints on mux:
//
//	GET /                       demo page (when Config.DemoSiteKey is set)
//	GET /widget.js              the script, short cache (for embedding)
//	GET /widget/{hash}/widget.js the script, cached for a year
//	GET /widget/ws?site=KEY     the customer websocket (PROTOCOL.md)
//	GET /widget/settings?site=KEY the site's look (name, colour, launcher...), JSON
//	GET /debug/widget/stats     connections and memory (admin token; off without one)
func (s *Server) Routes(mux *http.ServeMux) {
	if s.cfg.DemoSiteKey != "" {
		mux.HandleFunc("GET /{$}", s.serveDemo)
	}
	mux.HandleFunc("GET /widget.js", s.serveScriptAlias)
	mux.HandleFunc("GET /widget/{hash}/widget.js", s.serveScript)
	mux.HandleFunc("GET /widget/ws", s.serveWS)
	mux.HandleFunc("GET /widget/settings", s.serveLook)
	mux.Handle("GET /debug/widget/stats", s.AdminOnly(http.HandlerFunc(s.serveStats)))
}

// Handler returns a mux with only the widget's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Routes(mux)
	return mux
}

// ScriptURL is the hashed, long-cached path of widget.js.
func (s *Server) ScriptURL() string { return s.assets.scriptPath }

// Shutdown stops accepting connections, lets appends in flight commit,
// closes every websocket with 1001 (clients reconnect, to this node after a
// restart or to another). When ctx ends first it cancels what is left and
// returns ctx's error. The bot's work is not the widget's: its obligations
// are in the Log, for any node's worker.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shuttingDown = true
	s.connsGone = make(chan struct{})
	if len(s.conns) == 0 {
		close(s.connsGone)
	}
	s.mu.Unlock()

	appendsDone := make(chan struct{})
	go func() { s.inflight.Wait(); close(appendsDone) }()
	select {
	case <-appendsDone:
	case <-ctx.Done():
	}
	s.mu.Lock()
	for c := range s.conns {
		c.close(CloseGoingAway, "server shutting down")
	}
	gone := s.connsGone
	s.mu.Unlock()

	var err error
	select {
	case <-gone:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.hardStop()
	if err != nil {
		return fmt.Errorf("widget: shutdown: %w", err)
	}
	return nil
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	site, ok := s.sites[r.URL.Query().Get("site")]
	if !ok {
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.EForbidden, "unknown site key (query parameter site)"))
		return
	}
	if !originAllowed(site, r.Header.Get("Origin")) {
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.EForbidden, "origin not allowed for this site"))
		return
	}
	ip := clientIP(r, s.cfg.TrustedProxies)
	ipEntry, verdict := s.ips.connect(ip)
	switch verdict {
	case connectTooFast:
		w.Header().Set("Retry-After", "1")
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.ERateLimited, "your address opens connections too fast"))
		return
	case connectTooMany:
		s.refuse(w, r, CloseTooManyConnections, "too many connections from your address")
		return
	}
	s.mu.Lock()
	down := s.shuttingDown
	s.mu.Unlock()
	if down {
		s.ips.release(ipEntry)
		apierror.Write(w, r, s.logger, frontline.Errorf(frontline.EUnavailable, "shutting down"))
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.ips.release(ipEntry)
		return // the upgrader wrote the HTTP error
	}
	c := newConn(s, ws, site, ipEntry)
	if !s.register(c) {
		s.ips.release(ipEntry)
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
		_ = ws.Close()
		return
	}
	go c.writeLoop()
	go c.readLoop()
}

// refuse upgrades the request only to close it at once with code: a
// browser sees close codes, never the HTTP status of a failed upgrade.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, text string) {
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader wrote the HTTP error
	}
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(WriteWait))
	_ = ws.Close()
}

func (s *Server) register(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown {
		return false
	}
	s.conns[c] = struct{}{}
	s.connCount.Add(1)
	return true
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	s.connCount.Add(-1)
	if c.registeredConv != "" {
		s.unfollowLocked(c, c.registeredConv)
	}
	if s.shuttingDown && len(s.conns) == 0 {
		select {
		case <-s.connsGone:
		default:
			close(s.connsGone)
		}
	}
}

// follow lists c under its conversation for broadcasts (typing), unless it
// is already closed.
func (s *Server) follow(c *conn, convID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, open := s.conns[c]; !open {
		return
	}
	c.registeredConv = convID
	set := s.byConv[convID]
	if set == nil {
		set = map[*conn]struct{}{}
		s.byConv[convID] = set
		stop := make(chan struct{})
		s.typingStops[convID] = stop
		go s.followAgentTyping(convID, stop)
	}
	set[c] = struct{}{}
}

func (s *Server) unfollowLocked(c *conn, convID string) {
	if set := s.byConv[convID]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(s.byConv, convID)
			if stop := s.typingStops[convID]; stop != nil {
				close(stop)
				delete(s.typingStops, convID)
			}
		}
	}
}

// broadcast offers f to every local connection following convID. It is for
// frames that may be lost (typing): a full buffer skips that connection.
func (s *Server) broadcast(convID string, f func() *outbound) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.byConv[convID] {
		select {
		case c.send <- f():
		default:
		}
	}
}

// BotTyping shows (on) or hides the bot's typing indicator to the customers
// of convID connected to this node; the obligation worker calls it while
// the bot answers. Customers on other nodes see the answer without it.
func (s *Server) BotTyping(convID string, on bool) {
	s.broadcast(convID, func() *outbound { return typing("bot", on) })
}

func typing(who string, on bool) *outbound {
	return &outbound{frame: &typingServerFrame{serverHeader: hdr(TypeTyping), Who: who, On: on}}
}

// beginAppend admits one store write unless the server is shutting down.
func (s *Server) beginAppend() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown {
		return false
	}
	s.inflight.Add(1)
	return true
}

func (s *Server) site(key string) *Site { return s.sites[key] }

// Connections is the number of customer websockets open on this node
// (the metrics read it at scrape time).
func (s *Server) Connections() int64 { return s.connCount.Load() }

// Stats is what /debug/widget/stats returns.
type Stats struct {
	Connections int64  `json:"connections"`
	Goroutines  int    `json:"goroutines"`
	HeapInuse   uint64 `json:"heap_inuse"`
	HeapAlloc   uint64 `json:"heap_alloc"`
	StackInuse  uint64 `json:"stack_inuse"`
	Sys         uint64 `json:"sys"`
	NumGC       uint32 `json:"num_gc"`
	// The process's CPU seconds and voluntary context switches since it
	// started (0 where the OS does not say), for per-message costs.
	CPUUserSeconds float64 `json:"cpu_user_seconds"`
	CPUSysSeconds  float64 `json:"cpu_sys_seconds"`
	Wakeups        int64   `json:"voluntary_context_switches"`
}

// ReadStats reads the live connection count and runtime memory after gc
// garbage collections (0..5), so heap figures reflect live data. Each
// collection also halves goroutine stacks that use under a quarter of
// theirs, so a few show what long-lived idle connections settle at.
func (s *Server) ReadStats(gc int) Stats {
	for range min(gc, 5) {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	user, sys, waits := processUsage()
	return Stats{
		CPUUserSeconds: user, CPUSysSeconds: sys, Wakeups: waits,
		Connections: s.connCount.Load(),
		Goroutines:  runtime.NumGoroutine(),
		HeapInuse:   m.HeapInuse,
		HeapAlloc:   m.HeapAlloc,
		StackInuse:  m.StackInuse,
		Sys:         m.Sys,
		NumGC:       m.NumGC,
	}
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	gc, _ := strconv.Atoi(r.URL.Query().Get("gc"))
	_ = json.NewEncoder(w).Encode(s.ReadStats(gc))
}

// AdminOnly guards an operator's endpoint under /debug/ (the stats here,
// the profiler the server mounts) with the admin token: 404 while no token
// is configured, 401 without it, whoever calls.
func (s *Server) AdminOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.AdminToken == "" {
			http.NotFound(w, r) // off: no admin token is configured
			return
		}
		if !s.statsAllowed(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="frontline"`)
			apierror.Write(w, r, s.logger, frontline.Errorf(frontline.EUnauthorized, "/debug/ needs the admin token (Authorization: Bearer <token>)"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// statsAllowed reports whether r carries the admin token. Where a request
// comes from proves nothing: a proxy on the same host makes every caller
// look local.
func (s *Server) statsAllowed(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && s.cfg.AdminToken != "" && constantTimeEqual(strings.TrimSpace(got), s.cfg.AdminToken)
}

// ClientIP is the caller's address as the widget's per-address limits see
// it, for other parts that limit by address (sign-in): the peer's, or
// behind trusted proxies the first untrusted hop of X-Forwarded-For.
func ClientIP(r *http.Request, trusted []netip.Prefix) string { return clientIP(r, trusted) }

// clientIP is the customer's address: the peer's, unless the peer is a
// trusted proxy, in which case X-Forwarded-For is read from the right (the
// nearest hop) and the first address that is not a trusted proxy is the
// customer's. Addresses further left are the client's own claims and are
// never believed over a trusted hop's.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: trust nothing beyond it
		}
		if !isTrusted(a, trusted) {
			return a.Unmap().String()
		}
		peer = a
	}
	return peer.Unmap().String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
