package handoff

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
)

// SocketProtocolVersion is the "v" of every agent socket frame (PROTOCOL.md).
const SocketProtocolVersion = 1

// SocketPath is where the agent socket is served.
const SocketPath = "/api/agent/ws"

// Agent socket timing and limits.
const (
	socketPongWait     = 60 * time.Second
	socketPingPeriod   = socketPongWait * 9 / 10
	socketWriteWait    = 10 * time.Second
	socketReadLimit    = 64 << 10
	socketSendBuffer   = 128
	socketStoreTimeout = 10 * time.Second
	// CloseSessionEnded: the session or token is no longer valid (logged
	// out, expired, role removed, account disabled); sign in again before
	// reconnecting.
	CloseSessionEnded = 4401
	// CloseTryAgain: the session could not be checked (the store did not
	// answer); reconnect after a pause.
	CloseTryAgain = websocket.CloseTryAgainLater
	// CloseSlowConsumer: the agent fell behind; reconnect and re-open.
	CloseSlowConsumer = 4409
	// CloseBadVersion: unsupported protocol version; terminal.
	CloseBadVersion = 4426
)

// MessageRoles is the one table of who may send each client message type
// of the agent socket; a type missing from it is refused for everyone.
// What a message may touch (which conversation) is decided by the service
// as for the HTTP routes.
var MessageRoles = map[string][]frontline.Role{
	"open":         agentRoles,
	"close":        agentRoles,
	"claim":        agentRoles,
	"claim_next":   agentRoles,
	"reply":        agentRoles,
	"typing":       agentRoles,
	"note":         agentRoles,
	"tags":         agentRoles,
	"transfer":     agentRoles,
	"hand_back":    agentRoles,
	"resolve":      agentRoles,
	"reopen":       agentRoles,
	"request_csat": agentRoles,
	"presence":     agentRoles,
	"reassign":     bossRoles,
}

// SocketRoles may open the agent socket at all.
var SocketRoles = agentRoles

// Authenticator returns the signed-in user of a request (internal/auth's
// session or API token check), or an error.
type Authenticator func(*http.Request) (*frontline.User, error)

// Socket returns the agent websocket handler (PROTOCOL.md). authn
// identifies the caller at the upgrade; the page must be same-host.
func (s *Service) Socket(authn Authenticator, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096,
		CheckOrigin: func(r *http.Request) bool { return sameHost(r) }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := authn(r)
		if err == nil && (u == nil || !u.HasRole(SocketRoles...)) {
			err = frontline.Errorf(frontline.EForbidden, "the agent socket is for agents and supervisors")
		}
		if err != nil {
			if frontline.ErrorCode(err) == frontline.EInternal {
				err = frontline.Errorf(frontline.EUnauthorized, "sign in first")
			}
			http.Error(w, frontline.ErrorMessage(err), frontline.ErrorStatus(err))
			return
		}
		if !sameHost(r) {
			http.Error(w, "cross-origin agent socket refused", http.StatusForbidden)
			return
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &agentConn{svc: s, ws: ws, logger: logger, send: make(chan any, socketSendBuffer),
			authn: authn, req: r,
			open: map[string]*openConv{}, known: map[string]frontline.QueueEntry{}}
		c.user.Store(u)
		c.ctx, c.cancel = context.WithCancel(context.Background())
		s.sockets.Add(1)
		defer s.sockets.Add(-1)
		go c.writeLoop()
		c.readLoop()
	})
}

// SocketConnections is the number of agent websockets open on this node
// (the metrics read it at scrape time).
func (s *Service) SocketConnections() int64 { return s.sockets.Load() }

// SocketRoute is the agent socket as a route for the route table: mounted
// behind internal/auth, the authenticator can read the user it put in the
// request's context (UserOfRequest).
func (s *Service) SocketRoute(logger *slog.Logger) frontline.Route {
	return frontline.Route{Method: "GET", Pattern: SocketPath, Roles: SocketRoles, Handler: s.Socket(UserOfRequest, logger)}
}

// UserOfRequest is the Authenticator of a socket mounted behind
// internal/auth: the user it authenticated, or EUnauthorized.
func UserOfRequest(r *http.Request) (*frontline.User, error) {
	if u := frontline.UserFromContext(r.Context()); u != nil {
		return u, nil
	}
	return nil, frontline.Errorf(frontline.EUnauthorized, "sign in first")
}

// sameHost reports whether the request's Origin (when any) is this host.
func sameHost(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true // not a browser page: an API client with a token
	}
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, r.Host)
}

type agentConn struct {
	svc   *Service
	authn Authenticator
	req   *http.Request // the upgrade's, to check its session again
	// user is the caller as last authenticated; every check replaces it.
	user   atomic.Pointer[frontline.User]
	ws     *websocket.Conn
	logger *slog.Logger
	send   chan any
	ctx    context.Context
	cancel context.CancelFunc

	mu    sync.Mutex // guards open, known and the reads that update them
	open  map[string]*openConv
	known map[string]frontline.QueueEntry // the last queue pushed, by conversation
	once  sync.Once
}

type openConv struct {
	lastSeq, lastEvent int64
	cancel             func()
}

// clientFrame is any client message; which fields apply depends on Type.
type clientFrame struct {
	V              int                `json:"v"`
	Type           string             `json:"type"`
	ID             string             `json:"id,omitempty"`
	ConversationID string             `json:"conversation_id,omitempty"`
	LastSeq        int64              `json:"last_seq,omitempty"`
	LastEventID    int64              `json:"last_event_id,omitempty"`
	Body           string             `json:"body,omitempty"`
	ClientMsgID    string             `json:"client_msg_id,omitempty"`
	CannedID       string             `json:"canned_id,omitempty"`
	Vars           map[string]string  `json:"vars,omitempty"`
	On             bool               `json:"on,omitempty"`
	Tags           []string           `json:"tags,omitempty"`
	Team           string             `json:"team,omitempty"`
	Tier           frontline.Tier     `json:"tier,omitempty"`
	Reason         string             `json:"reason,omitempty"`
	Presence       frontline.Presence `json:"presence,omitempty"`
	AgentID        string             `json:"agent_id,omitempty"`
}

type frame map[string]any

func out(typ string, kv ...any) frame {
	f := frame{"v": SocketProtocolVersion, "type": typ}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i].(string)] = kv[i+1]
	}
	return f
}

// closeAfter, queued behind frames, closes the socket once they are written.
type closeAfter struct {
	code   int
	reason string
}

func (c *agentConn) push(f any) {
	select {
	case c.send <- f:
	default:
		c.closeWith(CloseSlowConsumer, "fell behind")
	}
}

func (c *agentConn) closeWith(code int, reason string) {
	c.once.Do(func() {
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		c.cancel()
		_ = c.ws.Close()
	})
}

func (c *agentConn) writeLoop() {
	ping := time.NewTicker(socketPingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case f := <-c.send:
			if ca, ok := f.(closeAfter); ok {
				c.closeWith(ca.code, ca.reason)
				return
			}
			_ = c.ws.SetWriteDeadline(time.Now().Add(socketWriteWait))
			if err := c.ws.WriteJSON(f); err != nil {
				c.closeWith(websocket.CloseInternalServerErr, "write failed")
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(socketWriteWait)); err != nil {
				c.closeWith(websocket.CloseInternalServerErr, "ping failed")
				return
			}
		}
	}
}

func (c *agentConn) readLoop() {
	defer c.closeWith(websocket.CloseNormalClosure, "")
	defer c.closeAll()
	c.ws.SetReadLimit(socketReadLimit)
	_ = c.ws.SetReadDeadline(time.Now().Add(socketPongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(socketPongWait)) })

	me, _ := c.svc.authorize(c.ctx, c.me(), nil, ActRead)
	c.push(out("welcome", "user", c.me(), "agent", me, "protocol", SocketProtocolVersion))
	go c.followQueue()
	go c.recheckWhileIdle()

	var touched time.Time
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(socketPongWait))
		// Every message is authorized afresh, before it is even read: a
		// session ended on any node (logout, expiry, disabled, a role
		// taken away) is refused at its very next message. One indexed
		// read (see BenchmarkAgentSocketMessage).
		if !c.reauthenticate() {
			select { // let the writer send the error and the close code
			case <-c.ctx.Done():
			case <-time.After(socketWriteWait):
			}
			return
		}
		if time.Since(touched) > touchEvery {
			touched = time.Now()
			if err := c.svc.Touch(c.ctx, c.me().ID); err != nil && frontline.ErrorCode(err) != frontline.ENotFound {
				c.logger.Warn("agent socket: record activity", "err", err)
			}
		}
		var f clientFrame
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			c.push(out("error", "code", frontline.EInvalid, "message", "malformed frame: "+err.Error()))
			continue
		}
		if f.V != SocketProtocolVersion {
			c.push(out("error", "id", f.ID, "code", "unsupported_version", "message", "use v 1"))
			c.closeWith(CloseBadVersion, "unsupported version")
			return
		}
		roles, known := MessageRoles[f.Type]
		switch {
		case !known:
			c.push(out("error", "id", f.ID, "code", "unknown_type", "message", "unknown type "+f.Type))
			continue
		case !c.me().HasRole(roles...):
			c.push(out("error", "id", f.ID, "code", frontline.EForbidden, "message", f.Type+" is not allowed for your role"))
			continue
		}
		result, err := c.handle(&f)
		if err != nil {
			if frontline.ErrorCode(err) == frontline.EInternal {
				c.logger.Error("agent socket", "type", f.Type, "err", err)
			}
			c.push(out("error", "id", f.ID, "code", frontline.ErrorCode(err), "message", frontline.ErrorMessage(err)))
			continue
		}
		c.push(out("ack", "id", f.ID, "result", result))
	}
}

// me is the caller as last authenticated.
func (c *agentConn) me() *frontline.User { return c.user.Load() }

// reauthenticate checks the upgrade's session or token again, reading the
// store (so a change made through any node counts): a logout, an expiry,
// a disabled account or a lost role ends the socket (CloseSessionEnded);
// a store that cannot answer ends it too, to be retried (CloseTryAgain),
// never letting the message through unchecked.
func (c *agentConn) reauthenticate() bool {
	u, err := c.authn(c.req)
	switch {
	case frontline.ErrorCode(err) == frontline.EInternal:
		c.logger.Warn("agent socket: check the session", "err", err)
		c.push(out("error", "code", frontline.EUnavailable, "message", "could not check your session; reconnect in a moment"))
		c.push(closeAfter{CloseTryAgain, "session check failed"})
		return false
	case err == nil && (u == nil || !u.HasRole(SocketRoles...)):
		err = frontline.Errorf(frontline.EUnauthorized, "your roles no longer include agent or supervisor; sign in again")
	}
	if err != nil {
		msg := frontline.ErrorMessage(err)
		if frontline.ErrorCode(err) == frontline.EUnauthorized && !strings.Contains(msg, "sign in") {
			msg += "; sign in again"
		}
		c.push(out("error", "code", frontline.EUnauthorized, "message", msg))
		c.push(closeAfter{CloseSessionEnded, "session ended"}) // after the error frame
		return false
	}
	c.user.Store(u)
	return true
}

// recheckWhileIdle checks the session every Config.SocketIdleCheck while
// the caller sends nothing, so an ended session also stops the pushes
// (queue, messages) to a socket left open and quiet.
func (c *agentConn) recheckWhileIdle() {
	t := time.NewTicker(c.svc.cfg.SocketIdleCheck)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			if !c.reauthenticate() {
				return
			}
		}
	}
}

func (c *agentConn) handle(f *clientFrame) (any, error) {
	ctx, cancel := context.WithTimeout(c.ctx, socketStoreTimeout)
	defer cancel()
	u, id := c.me(), f.ConversationID
	if f.Type != "claim_next" && f.Type != "presence" && !frontline.ValidID(id) {
		return nil, frontline.Errorf(frontline.EInvalid, "conversation_id: not a valid id")
	}
	switch f.Type {
	case "open":
		return nil, c.openConv(ctx, id, f.LastSeq, f.LastEventID)
	case "close":
		c.closeConv(id)
		return nil, nil
	case "claim":
		return c.svc.Claim(ctx, u, id)
	case "claim_next":
		return c.svc.ClaimNext(ctx, u)
	case "reply":
		return c.svc.Reply(ctx, u, id, ReplyRequest{Body: f.Body, ClientMsgID: f.ClientMsgID, CannedID: f.CannedID, Vars: f.Vars})
	case "typing":
		return nil, c.svc.Typing(ctx, u, id, f.On)
	case "note":
		return c.svc.Note(ctx, u, id, f.Body)
	case "tags":
		return c.svc.SetTags(ctx, u, id, f.Tags)
	case "transfer":
		return c.svc.Transfer(ctx, u, id, TransferRequest{Team: f.Team, Tier: f.Tier, Reason: f.Reason})
	case "hand_back":
		return c.svc.HandBack(ctx, u, id)
	case "resolve":
		return c.svc.Resolve(ctx, u, id)
	case "reopen":
		return c.svc.Reopen(ctx, u, id)
	case "request_csat":
		return c.svc.RequestCSAT(ctx, u, id)
	case "presence":
		return c.svc.SetPresence(ctx, u, f.Presence)
	case "reassign":
		return c.svc.Reassign(ctx, u, id, f.AgentID)
	}
	return nil, frontline.Errorf(frontline.EInvalid, "unknown type %s", f.Type)
}

// followQueue pushes the caller's queue now and after every change. A
// change is pushed at once (an agent's new assignment must not wait);
// changes that come while a push is being read fold into the next one, so
// a burst costs as many pushes as the socket can make, not one per change.
func (c *agentConn) followQueue() {
	if c.svc.bus == nil {
		c.pushQueue()
		return
	}
	changes := c.svc.WatchQueue(c.ctx)
	// The first push reads the queue afresh: this node may not have heard
	// yet of a change the agent made through another node just before
	// connecting here (a conversation they resolved there would come back
	// as theirs to answer).
	c.svc.snapshot.clear()
	c.pushQueue()
	for {
		select {
		case <-c.ctx.Done():
			return
		case _, ok := <-changes:
			if !ok {
				return
			}
			c.pushQueue()
		}
	}
}

// agentQueueLimit bounds each status's entries in one agent's queue frame.
const agentQueueLimit = 200

// brief is an entry without the heavy part of its packet.
func brief(e *frontline.QueueEntry) frontline.QueueEntry {
	b := *e
	b.Packet = frontline.HandoffPacket{ConversationID: e.ConversationID, Reason: e.Packet.Reason, Severity: e.Packet.Severity,
		Summary: e.Packet.Summary, Private: e.Packet.Private, Signals: e.Packet.Signals, CreatedAt: e.Packet.CreatedAt}
	return b
}

func (c *agentConn) pushQueue() {
	ctx, cancel := context.WithTimeout(c.ctx, socketStoreTimeout)
	defer cancel()
	who, err := c.svc.caller(ctx, c.me())
	if err != nil {
		return
	}
	live, err := c.svc.liveQueue(ctx)
	if err != nil {
		return
	}
	var mine []*frontline.QueueEntry
	counts := map[frontline.QueueStatus]int{}
	for _, e := range live {
		if counts[e.Status] < agentQueueLimit && who.may(e, ActRead) == nil {
			mine = append(mine, e)
			counts[e.Status]++
		}
	}
	entries := make([]frontline.QueueEntry, 0, len(mine))
	c.mu.Lock()
	now := map[string]frontline.QueueEntry{}
	var fresh []*frontline.QueueEntry
	var sla []frame
	for _, e := range mine {
		entries = append(entries, brief(e))
		now[e.ConversationID] = *e
		old, seen := c.known[e.ConversationID]
		if e.Status == frontline.QueueAssigned && e.AssigneeID == c.me().ID && (!seen || old.AssigneeID != c.me().ID) {
			fresh = append(fresh, e)
		}
		if seen && (len(e.Warned) > len(old.Warned) || len(e.Breached) > len(old.Breached)) {
			sla = append(sla, out("sla", "conversation_id", e.ConversationID, "warned", e.Warned, "breached", e.Breached))
		}
	}
	c.known = now
	c.mu.Unlock()
	c.push(out("queue", "handoffs", entries))
	for _, e := range fresh {
		c.push(out("assigned", "entry", e))
	}
	for _, f := range sla {
		c.push(f)
	}
}

// openConv sends the conversation's messages after lastSeq and events
// after lastEvent, then follows it live (and the customer's typing).
func (c *agentConn) openConv(ctx context.Context, id string, lastSeq, lastEvent int64) error {
	if _, err := c.svc.Messages(ctx, c.me(), id, 0); err != nil {
		return err // not theirs to read
	}
	c.mu.Lock()
	if old := c.open[id]; old != nil {
		old.cancel()
	}
	oc := &openConv{lastSeq: lastSeq, lastEvent: lastEvent, cancel: func() {}}
	c.open[id] = oc
	c.mu.Unlock()
	if c.svc.bus != nil {
		notes, cancelConv := c.svc.bus.Subscribe(frontline.ConversationTopic(id))
		typing, cancelTyping := c.svc.bus.Subscribe(frontline.CustomerTypingTopic(id))
		done := make(chan struct{})
		oc.cancel = func() { cancelConv(); cancelTyping(); close(done) }
		go func() {
			for {
				select {
				case <-c.ctx.Done():
					return
				case <-done:
					return
				case <-notes:
					c.refresh(id)
				case n := <-typing:
					c.push(out("typing", "conversation_id", id, "who", "customer", "on", n.Seq > time.Now().UnixMilli()))
				}
			}
		}()
	}
	c.refresh(id)
	return nil
}

// refresh sends what is new in an open conversation.
func (c *agentConn) refresh(id string) {
	ctx, cancel := context.WithTimeout(c.ctx, socketStoreTimeout)
	defer cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	oc := c.open[id]
	if oc == nil {
		return
	}
	for {
		msgs, err := c.svc.Messages(ctx, c.me(), id, oc.lastSeq)
		if err != nil || len(msgs) == 0 {
			break
		}
		oc.lastSeq = msgs[len(msgs)-1].Seq
		c.push(out("messages", "conversation_id", id, "messages", msgs))
		if len(msgs) < frontline.DefaultListLimit {
			break
		}
	}
	evs, err := c.svc.Events(ctx, c.me(), id, oc.lastEvent)
	if err == nil && len(evs) > 0 {
		oc.lastEvent = evs[len(evs)-1].ID
		c.push(out("events", "conversation_id", id, "events", evs))
	}
}

func (c *agentConn) closeConv(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if oc := c.open[id]; oc != nil {
		oc.cancel()
		delete(c.open, id)
	}
}

func (c *agentConn) closeAll() {
	c.mu.Lock()
	ids := slices.Collect(func(yield func(string) bool) {
		for id := range c.open {
			if !yield(id) {
				return
			}
		}
	})
	c.mu.Unlock()
	for _, id := range ids {
		c.closeConv(id)
	}
}
