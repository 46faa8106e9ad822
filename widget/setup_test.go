package widget

import (
	"context"
	"encoding/json"
	"github.com/frontlinehq/frontline/bot/guard"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/obligation"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

const (
	testSite     = "acme"
	testOrigin   = "https://shop.example"
	testIdentity = "identity-secret-for-tests"
	// wait bounds how long a test waits for an expected frame before failing;
	// it is a failure deadline, not a sleep.
	wait = 10 * time.Second
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

type bundle struct {
	srv       *Server
	http      *httptest.Server
	store     frontline.Log
	bus       frontline.Bus
	handoff   *fakeHandoff
	responder *fakeResponder
	sites     frontline.SiteSettingsStore
}

type setupOpts struct {
	now     func() time.Time // the server's clock (default time.Now)
	limits  Limits
	proxies []netip.Prefix
	// hours are the first-line team's (nil: always open); the fake
	// hand-off answers TeamHours and queue positions from them.
	hours     *frontline.BusinessHours
	noHandoff bool
	// noWorker runs no bot worker: the node that stored a message died
	// before answering it.
	noWorker bool
	// wrapLog, when set, wraps the store the server sees.
	wrapLog func(frontline.Log) frontline.Log
	// postgres runs on a fresh schema of the real database and its
	// LISTEN/NOTIFY bus instead of the in-memory store.
	postgres bool
	// frameCharged is the server's test signal: a frame was counted
	// against the rate limits.
	frameCharged func()
	// connReleased is the per-address limiter's test signal: a connection
	// was given back.
	connReleased func()
	adminToken   string
	// origins are allowed for the test site besides testOrigin and the
	// server's own (a page served by another test server).
	origins []string
	// sites are configured besides the test site.
	sites []Site
}

func setup(t testing.TB, opts ...func(*setupOpts)) *bundle {
	t.Helper()
	o := setupOpts{}
	for _, f := range opts {
		f(&o)
	}
	var (
		store frontline.Log
		bus   frontline.Bus
		sites frontline.SiteSettingsStore
	)
	if o.postgres {
		db := pgtest.NewDB(t)
		pgBus := postgres.NewBus(db)
		if err := pgBus.Start(context.Background()); err != nil {
			t.Fatalf("start bus: %v", err)
		}
		t.Cleanup(pgBus.Close)
		store, bus = db, pgBus
		sites = postgres.NewSiteStore(db)
	} else {
		memBus := memory.NewBus()
		store, bus = memory.NewStore(memBus), memBus
		sites = memory.NewSiteStore()
	}
	b := &bundle{store: store, bus: bus, sites: sites}
	clock := o.now
	if clock == nil {
		clock = time.Now
	}
	b.handoff = &fakeHandoff{log: store, bus: bus, agentNames: map[string]string{}, hours: o.hours, now: clock}
	b.responder = &fakeResponder{log: store, handoff: b.handoff}
	var log frontline.Log = store
	if o.wrapLog != nil {
		log = o.wrapLog(store)
	}
	deps := Deps{Log: log, Bus: bus, Handoff: b.handoff, Hours: b.handoff, Guard: guard.New(guard.Config{}), Now: o.now,
		Sites: sites, Articles: testArticles}
	if o.noHandoff {
		deps.Handoff, deps.Hours = nil, nil
	}
	// Listen first: the demo page's origin is this server's, allowed as
	// configuration (never read from the request's Host).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{
		Sites: append([]Site{{
			Key: testSite, Name: "Acme Outfitters", AllowedOrigins: append([]string{testOrigin, "http://" + ln.Addr().String()}, o.origins...),
			IdentitySecret: testIdentity,
		}}, o.sites...),
		TokenSecret:    testSecret,
		DemoSiteKey:    testSite,
		Limits:         o.limits,
		TrustedProxies: o.proxies,
		AdminToken:     o.adminToken,
	}, deps)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv.frameCharged = o.frameCharged
	srv.ips.released = o.connReleased
	b.srv = srv
	b.http = httptest.NewUnstartedServer(srv.Handler())
	b.http.Listener.Close()
	b.http.Listener = ln
	b.http.Start()
	// The bot's worker, as cmd/frontline runs it beside the widget.
	if !o.noWorker {
		b.startWorker(t)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = srv.Shutdown(ctx)
		b.http.Close()
	})
	return b
}

// startWorker runs the bot's obligation worker on the bundle's store, as
// cmd/frontline runs it beside the widget, until the test ends.
func (b *bundle) startWorker(t testing.TB) {
	w := obligation.New(b.store, b.responder, obligation.Options{Typing: b.srv.BotTyping})
	w.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = w.Stop(ctx)
	})
}

// holdReplies keeps the bot from answering until the test ends.
func (b *bundle) holdReplies(t testing.TB) {
	gate := make(chan struct{})
	b.responder.mu.Lock()
	b.responder.gate = gate
	b.responder.mu.Unlock()
	t.Cleanup(func() { close(gate) })
}

// fakeResponder answers every customer message with a cited bot reply, and
// hands off on an explicit request, as the bot does.
type fakeResponder struct {
	log     frontline.Log
	handoff *fakeHandoff
	// gate, when set, is received from before each reply: tests hold replies
	// in flight with it.
	gate chan struct{}
	mu   sync.Mutex
	seen []int64
}

func (r *fakeResponder) HandleMessage(ctx context.Context, conv *frontline.Conversation, msg frontline.Message) error {
	r.mu.Lock()
	r.seen = append(r.seen, msg.Seq)
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if msg.Meta.Kind == KindRequestHuman {
		_, err := r.handoff.Enqueue(ctx, frontline.HandoffPacket{ConversationID: conv.ID, Reason: "asked for a person"})
		return err
	}
	if !conv.Status.BotMaySend() {
		return nil
	}
	_, err := r.log.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
		ConversationID: conv.ID,
		Author:         frontline.AuthorBot,
		Body:           "Answer to: " + msg.Body,
		Meta: frontline.MessageMeta{Kind: "answer", ReplyTo: msg.Seq, Citations: []frontline.Citation{{
			ArticleID: "a1", RevisionID: "r1", Title: "Returns and exchanges", URL: "https://help.acme.example/returns",
		}}},
	}, Answers: msg.Seq})
	return err
}

// testArticles are the help centre's published public articles in the
// widget's tests; "members-only" exists but is not public.
var testArticles = fakeArticles{
	"returns":        "Returns and exchanges",
	"shipping-times": "Shipping times",
	"sizing":         "Sizing <guide> & fit",
}

type fakeArticles map[string]string

func (f fakeArticles) PublicArticle(ctx context.Context, slug string) (string, string, error) {
	title, ok := f[slug]
	if !ok {
		return "", "", frontline.Errorf(frontline.ENotFound, "no article %s", slug)
	}
	return title, "https://help.acme.example/kb/" + slug, nil
}

// fakeHandoff is a FIFO queue with a fixed ETA per place in line.
type fakeHandoff struct {
	log        frontline.Log
	bus        frontline.Bus
	mu         sync.Mutex
	waiting    []string
	assigned   map[string]bool
	agentNames map[string]string
	hours      *frontline.BusinessHours // the one team's
	now        func() time.Time
}

// TeamHours answers from the one team's hours, as handoff.Service does.
func (h *fakeHandoff) TeamHours(ctx context.Context, conversationID string) (frontline.TeamHours, error) {
	now := h.now()
	th := frontline.TeamHours{Team: "support", Open: h.hours.IsOpen(now), Hours: h.hours}
	if !th.Open {
		th.OpensAt = h.hours.NextOpen(now)
	}
	return th, nil
}

func (h *fakeHandoff) Enqueue(ctx context.Context, p frontline.HandoffPacket) (*frontline.QueueEntry, error) {
	// The conversation is queued before its place shows, as the real
	// service does both in one commit: a customer told they wait in line
	// finds their conversation queued when they come back.
	st := frontline.StatusQueued
	if _, err := h.log.UpdateConversation(ctx, p.ConversationID, frontline.ConversationUpdate{Status: &st}); err != nil {
		return nil, err
	}
	h.mu.Lock()
	queued := false
	for _, id := range h.waiting {
		queued = queued || id == p.ConversationID
	}
	if !queued {
		h.waiting = append(h.waiting, p.ConversationID)
	}
	h.mu.Unlock()
	_ = h.bus.Publish(ctx, frontline.TopicQueue, 0)
	return &frontline.QueueEntry{ConversationID: p.ConversationID, Status: frontline.QueueWaiting}, nil
}

// WatchQueue follows the bus's queue topic: the fake keeps no cache.
func (h *fakeHandoff) WatchQueue(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	notes, cancel := h.bus.Subscribe(frontline.TopicQueue)
	go func() {
		defer close(out)
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case <-notes:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out
}

func (h *fakeHandoff) QueuePosition(ctx context.Context, id string) (frontline.QueuePosition, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if name, ok := h.agentNames[id]; ok {
		return frontline.QueuePosition{ConversationID: id, Status: frontline.QueueAssigned, AgentName: name}, nil
	}
	for i, w := range h.waiting {
		if w == id {
			qp := frontline.QueuePosition{ConversationID: id, Status: frontline.QueueWaiting, Position: i + 1, ETA: time.Duration(i+1) * 3 * time.Minute}
			if now := h.now(); !h.hours.IsOpen(now) {
				qp.OpensAt = h.hours.NextOpen(now)
			}
			return qp, nil
		}
	}
	return frontline.QueuePosition{}, frontline.Errorf(frontline.ENotFound, "not queued")
}

// assign gives the conversation to an agent and posts their greeting.
func (h *fakeHandoff) assign(t testing.TB, convID, agentName string) {
	t.Helper()
	h.mu.Lock()
	for i, w := range h.waiting {
		if w == convID {
			h.waiting = append(h.waiting[:i], h.waiting[i+1:]...)
			break
		}
	}
	h.agentNames[convID] = agentName
	h.mu.Unlock()
	ctx := context.Background()
	st := frontline.StatusAssigned
	if _, err := h.log.UpdateConversation(ctx, convID, frontline.ConversationUpdate{Status: &st}); err != nil {
		t.Fatalf("assign: %v", err)
	}
	if _, err := h.log.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
		ConversationID: convID, Author: frontline.AuthorAgent, AuthorID: "agent1", AuthorName: agentName, Body: "Hi, I am " + agentName + ".",
	}}); err != nil {
		t.Fatalf("assign: agent message: %v", err)
	}
	_ = h.bus.Publish(ctx, frontline.TopicQueue, 0)
}

// gatedLog holds customer appends while armed: each held append reports on
// arrived and waits for release. It makes "in flight" a fact, not a timing.
type gatedLog struct {
	frontline.Log
	mu      sync.Mutex
	armed   bool
	arrived chan struct{}
	release chan struct{}
}

func newGatedLog(l frontline.Log) *gatedLog {
	return &gatedLog{Log: l, arrived: make(chan struct{}, 16), release: make(chan struct{})}
}

func (g *gatedLog) arm() {
	g.mu.Lock()
	g.armed = true
	g.mu.Unlock()
}

// open disarms the gate and lets every held append through.
func (g *gatedLog) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.armed {
		g.armed = false
		close(g.release)
	}
}

func (g *gatedLog) AppendMessage(ctx context.Context, req frontline.AppendRequest) (frontline.AppendResult, error) {
	g.mu.Lock()
	armed, release := g.armed, g.release
	g.mu.Unlock()
	if armed && req.Message.Author == frontline.AuthorCustomer {
		g.arrived <- struct{}{}
		<-release
	}
	return g.Log.AppendMessage(ctx, req)
}

// killConnections drops every customer socket without a close frame, as a
// crashed proxy or a pulled cable would.
func (b *bundle) killConnections() int {
	b.srv.mu.Lock()
	defer b.srv.mu.Unlock()
	for c := range b.srv.conns {
		_ = c.ws.UnderlyingConn().Close()
	}
	return len(b.srv.conns)
}

// frame is any server frame, decoded loosely for assertions.
type frame struct {
	V              int                `json:"v"`
	Type           string             `json:"type"`
	Seq            int64              `json:"seq"`
	ID             string             `json:"id"`
	Token          string             `json:"token"`
	VisitorID      string             `json:"visitor_id"`
	ConversationID string             `json:"conversation_id"`
	Status         string             `json:"status"`
	Verified       bool               `json:"verified"`
	AfterHours     bool               `json:"after_hours"`
	Hours          string             `json:"hours"`
	OpensAt        string             `json:"opens_at"`
	Reset          bool               `json:"reset"`
	MsgSeq         int64              `json:"msg_seq"`
	Duplicate      bool               `json:"duplicate"`
	Messages       []wireMessage      `json:"messages"`
	Conversations  []wireConversation `json:"conversations"`
	Code           string             `json:"code"`
	Message        string             `json:"message"`
	Close          int                `json:"close"`
	Position       int                `json:"position"`
	ETASeconds     int64              `json:"eta_seconds"`
	AgentName      string             `json:"agent_name"`
	Who            string             `json:"who"`
	On             bool               `json:"on"`
	Name           string             `json:"name"`
	SiteName       string             `json:"site_name"`
	Look           *Look              `json:"look"`
}

type client struct {
	t  testing.TB
	ws *websocket.Conn
}

func (b *bundle) wsURL() string {
	return "ws" + strings.TrimPrefix(b.http.URL, "http") + "/widget/ws?site=" + testSite
}

// dial opens a socket with the allowed origin; it fails the test otherwise.
func (b *bundle) dial(t testing.TB) *client {
	t.Helper()
	c, resp, err := b.tryDial(testOrigin)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	return &client{t: t, ws: c}
}

func (b *bundle) tryDial(origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, resp, err := websocket.DefaultDialer.Dial(b.wsURL(), h)
	if c != nil {
		// Close frames are read by the test, not answered automatically.
		c.SetCloseHandler(func(int, string) error { return nil })
	}
	return c, resp, err
}

func (c *client) send(f map[string]any) {
	c.t.Helper()
	if _, ok := f["v"]; !ok {
		f["v"] = ProtocolVersion
	}
	if err := c.ws.WriteJSON(f); err != nil {
		c.t.Fatalf("send %v: %v", f["type"], err)
	}
}

func (c *client) sendRaw(s string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("send raw: %v", err)
	}
}

// next returns the next frame, or the close error when the server closed.
func (c *client) next() (frame, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return frame{}, err
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("server sent bad JSON %q: %v", data, err)
	}
	if f.V != ProtocolVersion {
		c.t.Fatalf("server frame %s: v = %d, want %d", f.Type, f.V, ProtocolVersion)
	}
	return f, nil
}

// until reads frames until one of type typ arrives, passing others to seen.
func (c *client) until(typ string, seen func(frame)) frame {
	c.t.Helper()
	for {
		f, err := c.next()
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", typ, err)
		}
		if f.Type == typ {
			return f
		}
		if seen != nil {
			seen(f)
		}
	}
}

// closeCode reads until the server closes and returns the close code.
func (c *client) closeCode() int {
	c.t.Helper()
	for {
		_, err := c.next()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if ok := asCloseError(err, &ce); ok {
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(ce.Code, ""), time.Now().Add(time.Second))
			return ce.Code
		}
		c.t.Fatalf("want a close frame, got %v", err)
	}
}

func asCloseError(err error, target **websocket.CloseError) bool {
	ce, ok := err.(*websocket.CloseError)
	if ok {
		*target = ce
	}
	return ok
}

func (c *client) hello(token string, lastSeq int64) frame {
	c.t.Helper()
	f := map[string]any{"type": "hello", "last_seq": lastSeq}
	if token != "" {
		f["token"] = token
	}
	c.send(f)
	return c.until(TypeWelcome, nil)
}

func (c *client) close() { _ = c.ws.Close() }

func websocketDial(url string, h http.Header) (*websocket.Conn, *http.Response, error) {
	return websocket.DefaultDialer.Dial(url, h)
}
