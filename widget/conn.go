package widget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/frontlinehq/frontline"
)

// outbound is one item for a connection's writer: a frame to write and/or a
// change of what the writer follows. The writer alone reads the Log for
// pushes, so it alone knows the last seq it sent.
type outbound struct {
	frame any // a *…Frame with a serverHeader
	// follow, when set, makes the writer follow this conversation and
	// replay everything after followAfter.
	follow      string
	followAfter int64
	// watchQueue makes the connection watch its conversation's place in
	// the human queue (queueWatch pushes it).
	watchQueue bool
	// stored is a message this connection just appended: when it is next
	// in seq, the writer pushes it without reading the Log back.
	stored *frontline.Message
	// settles marks the outcome (ack or error) of an append counted in
	// conn.appending.
	settles bool
}

type framer interface{ header() *serverHeader }

func (h *serverHeader) header() *serverHeader { return h }

// conn is one customer websocket. readLoop reads and counts frames as they
// arrive and queues them; one worker at a time handles the queue in order
// and owns the session fields; writeLoop owns the follow fields.
type conn struct {
	s       *Server
	ws      *websocket.Conn
	site    *Site
	ip      *ipEntry
	limiter *rate.Limiter
	send    chan *outbound // pointers: a small buffer per idle connection

	closeOnce  sync.Once
	closing    chan struct{}
	closeCode  int // 0: tear down without a close frame (peer gone)
	closeText  string
	readerDone chan struct{}
	gotFrame   bool // owned by readLoop

	// Frames read and counted, waiting for the worker (under inMu).
	inMu    sync.Mutex
	inbox   [][]byte
	working bool // a worker goroutine is running

	// Session, owned by the worker.
	helloDone bool
	tok       visitorToken
	verified  bool
	conv      *frontline.Conversation
	badRun    int
	// prevCustomer is the customer's last message here, masked: the
	// context the next one is masked in.
	prevCustomer string

	// registeredConv is where Server.byConv lists this connection (under Server.mu).
	registeredConv string

	// appending counts this connection's appends whose ack or error the
	// writer has not sent yet (the reader adds, the writer subtracts). The
	// bus wakes the writer for such a message before its ack is queued;
	// reading it back then would make the ack wait for a round trip to
	// the store, so the writer defers that until the ack is out.
	appending atomic.Int32

	// Followed streams, owned by writeLoop.
	followedConv string
	lastSent     int64
	convNotes    <-chan frontline.Notification
	convCancel   func()
	// A wake-up deferred while appends were in flight: catch up to at
	// least deferredSeq (or everything, on deferredResync) once they settle.
	deferredSeq    int64
	deferredResync bool
}

func newConn(s *Server, ws *websocket.Conn, site *Site, ip *ipEntry) *conn {
	return &conn{
		s:          s,
		ws:         ws,
		site:       site,
		ip:         ip,
		limiter:    rate.NewLimiter(rate.Limit(s.limits.FramesPerSecond), s.limits.FrameBurst),
		send:       make(chan *outbound, s.limits.SendBuffer),
		closing:    make(chan struct{}),
		readerDone: make(chan struct{}),
	}
}

// close asks the writer to end the connection with code (0: no close frame).
// The first call wins.
func (c *conn) close(code int, text string) {
	c.closeOnce.Do(func() {
		if len(text) > closeReasonMaxBytes {
			text = text[:closeReasonMaxBytes]
		}
		c.closeCode, c.closeText = code, text
		close(c.closing)
	})
}

// push queues an item for the writer. A connection whose buffer is full is
// too slow: it is dropped (it will reconnect and replay) rather than waited on.
func (c *conn) push(o outbound) {
	select {
	case c.send <- &o:
	case <-c.closing:
	default:
		c.close(CloseSlowConsumer, "send buffer full")
	}
}

func (c *conn) pushError(id string, err error, closeCode int) {
	c.pushErrorFrame(id, err, closeCode, false)
}

// pushErrorFrame is pushError; settles marks the outcome of an append.
func (c *conn) pushErrorFrame(id string, err error, closeCode int, settles bool) {
	code := frontline.ErrorCode(err)
	var fe *frameError
	if errors.As(err, &fe) {
		code = fe.Code
	}
	if code == frontline.EInternal {
		c.s.logger.Error("widget: request failed", "site", c.site.Key, "conversation", c.tok.ConversationID, "err", err)
	}
	msg := frontline.ErrorMessage(err)
	if fe != nil {
		msg = fe.Message
	}
	f := &errorFrame{serverHeader: hdr(TypeError), ID: id, Code: code, Message: msg, Close: closeCode}
	if code == frontline.ERateLimited {
		f.RetryAfterMs = int64(time.Second / time.Millisecond)
	}
	c.push(outbound{frame: f, settles: settles})
	if closeCode != 0 {
		c.close(closeCode, msg)
	}
}

func hdr(typ string) serverHeader { return serverHeader{V: ProtocolVersion, Type: typ} }

func (c *conn) readLoop() {
	defer close(c.readerDone)
	defer c.close(0, "")
	c.ws.SetReadLimit(c.s.limits.MaxFrameBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(HelloTimeout))
	c.ws.SetPongHandler(c.pong)
	for {
		// The loop itself keeps a small frame: an idle connection's reader
		// sits here, and its stack is most of what the connection costs.
		// It never waits for the store, so frames are counted against the
		// rate limits when they arrive, not when a stalled store lets the
		// connection get to them.
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			c.readFailed(err)
			return
		}
		c.arrived(typ, data)
	}
}

func (c *conn) pong(string) error { return c.ws.SetReadDeadline(time.Now().Add(PongWait)) }

//go:noinline
func (c *conn) readFailed(err error) {
	var ne interface{ Timeout() bool }
	if !c.gotFrame && errors.As(err, &ne) && ne.Timeout() {
		c.close(CloseHelloTimeout, "no hello")
	}
}

// arrived checks one frame as it comes in, charges the rate limits for it
// and queues it for the worker.
//
//go:noinline
func (c *conn) arrived(typ int, data []byte) {
	select {
	case <-c.closing:
		return // draining until the client answers our close
	default:
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(PongWait))
	c.gotFrame = true
	now := c.s.now()
	if !c.limiter.AllowN(now, 1) || !c.ip.frames.AllowN(now, 1) {
		c.pushError("", frontline.Errorf(frontline.ERateLimited, "too many frames; slow down"), CloseRateLimited)
		return
	}
	if c.s.frameCharged != nil {
		c.s.frameCharged()
	}
	switch {
	case typ != websocket.TextMessage:
		c.pushError("", badFrame("binary frames are not accepted; send JSON text"), CloseUnsupportedData)
		return
	case !utf8.Valid(data):
		c.pushError("", badFrame("the frame is not valid UTF-8"), CloseInvalidText)
		return
	}
	c.inMu.Lock()
	if len(c.inbox) >= c.s.maxWaiting {
		c.inMu.Unlock()
		c.pushError("", frontline.Errorf(frontline.EUnavailable, "the server is not keeping up; reconnect later and resend what was not acknowledged"), CloseTryAgainLater)
		return
	}
	c.inbox = append(c.inbox, data)
	start := !c.working
	c.working = true
	c.inMu.Unlock()
	if start {
		go c.work()
	}
}

// work handles the queued frames in order, then ends: an idle connection
// keeps no worker.
func (c *conn) work() {
	for {
		c.inMu.Lock()
		if len(c.inbox) == 0 {
			c.inbox, c.working = nil, false
			c.inMu.Unlock()
			return
		}
		data := c.inbox[0]
		c.inbox[0] = nil
		c.inbox = c.inbox[1:]
		c.inMu.Unlock()
		c.onFrame(data)
	}
}

// onFrame handles one frame from the client.
func (c *conn) onFrame(data []byte) {
	select {
	case <-c.closing:
		return // the connection is ending; unacked messages are resent
	default:
	}
	f, err := decodeFrame(data, c.s.limits.MaxBodyBytes)
	if err != nil {
		var fe *frameError
		closeCode := 0
		if errors.As(err, &fe) {
			closeCode = fe.CloseCode
		}
		if !c.helloDone && closeCode == 0 {
			closeCode = CloseBadHandshake
		}
		c.badRun++
		if closeCode == 0 && c.badRun >= maxBadFrames {
			closeCode = CloseTooManyErrors
		}
		c.pushError(frameID(data), err, closeCode)
		return
	}
	c.badRun = 0
	if !c.helloDone {
		if f.Hello == nil {
			c.pushError("", badFrame("the first frame must be hello"), CloseBadHandshake)
			return
		}
		c.helloDone = c.hello(f.Hello)
		return
	}
	c.handle(f)
}

// frameID recovers the id of a rejected frame so the client can match the
// error to its request; it is only echoed when it is a valid id.
func frameID(data []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &v) == nil && frontline.ValidID(v.ID) {
		return v.ID
	}
	return ""
}

func (c *conn) storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.s.baseCtx, StoreTimeout)
}

// hello establishes the session: who the visitor is and which conversation
// they continue. It reports whether the connection may go on.
func (c *conn) hello(h *helloFrame) bool {
	s := c.s
	now := s.now()
	customerID := ""
	if h.UserID != "" {
		if err := verifyUser(c.site.IdentitySecret, h.UserID, h.UserHash); err != nil {
			c.pushError("", err, CloseForbidden)
			return false
		}
		customerID = h.UserID
	}
	tok := visitorToken{VisitorID: frontline.NewID("v_")}
	if h.Token != "" {
		t, err := parseToken(s.cfg.TokenSecret, h.Token, c.site.Key, now)
		if err != nil {
			c.pushError("", err, CloseTokenRejected)
			return false
		}
		// A token made for another signed-in customer, or for a signed-in
		// customer on a page where nobody is signed in now, is not reused:
		// that browser's next person must not see the thread.
		if t.CustomerID == "" || t.CustomerID == customerID {
			tok = t
		}
	}
	tok.SiteKey = c.site.Key
	tok.CustomerID = customerID
	tok.Expires = now.Add(s.cfg.TokenTTL).Unix()

	ctx, cancel := c.storeCtx()
	defer cancel()
	lastSeq := h.LastSeq
	reset := false
	status := frontline.StatusBot
	if tok.ConversationID == "" && h.Token != "" {
		// The visitor may have started their conversation on a connection
		// that dropped before its token frame arrived: look for it.
		tok.ConversationID = s.conversationIDFor(tok.VisitorID)
	}
	if tok.ConversationID != "" {
		conv, err := s.log.FindConversationByID(ctx, tok.ConversationID)
		switch {
		case frontline.ErrorCode(err) == frontline.ENotFound:
			tok.ConversationID = ""
		case err != nil:
			c.pushError("", err, CloseInternal)
			return false
		case conv.VisitorID != tok.VisitorID || conv.SiteKey != c.site.Key:
			c.pushError("", frontline.Errorf(frontline.EUnauthorized, "visitor token: conversation does not belong to this visitor"), CloseTokenRejected)
			return false
		default:
			c.conv = conv
			status = conv.Status
			c.s.follow(c, conv.ID)
		}
	}
	if c.conv == nil || lastSeq > c.conv.LastSeq {
		reset = lastSeq != 0
		lastSeq = 0
	}
	c.tok, c.verified = tok, customerID != ""
	look := s.look(ctx, c.site)

	// Out of the team's hours the customer is told when they will be
	// answered (and widget.js offers an email field). Before a hand-off
	// that is the first-line team; once queued, the conversation's own.
	asked := ""
	if status == frontline.StatusQueued || status == frontline.StatusAssigned {
		asked = tok.ConversationID
	}
	hours := s.teamHours(ctx, asked)
	w := &welcomeFrame{
		serverHeader:   hdr(TypeWelcome),
		VisitorID:      tok.VisitorID,
		ConversationID: tok.ConversationID,
		Token:          signToken(s.cfg.TokenSecret, tok),
		Status:         string(status),
		Verified:       c.verified,
		SiteName:       look.Name,
		Look:           &look,
		AfterHours:     !hours.Open,
		Hours:          hours.Hours.String(),
		OpensAt:        rfc3339(hours.OpensAt),
		MaxBody:        s.limits.MaxBodyBytes,
		Reset:          reset,
	}
	c.push(outbound{frame: w, follow: tok.ConversationID, followAfter: lastSeq,
		watchQueue: status == frontline.StatusQueued || status == frontline.StatusAssigned})
	return true
}

func (c *conn) handle(f clientFrame) {
	switch {
	case f.Message != nil:
		c.appendCustomer(f.Message.ID, f.Message.Body, "")
	case f.Request != nil:
		if c.appendCustomer(f.Request.ID, "I would like to talk to a person.", KindRequestHuman) {
			c.push(outbound{watchQueue: true})
		}
	case f.Typing != nil:
		c.s.relayCustomerTyping(c.conv, f.Typing.On)
	case f.CSAT != nil:
		c.recordCSAT(f.CSAT)
	case f.Contact != nil:
		c.saveContact(f.Contact)
	case f.History != nil:
		c.sendHistory(f.History.ID)
	case f.Transcript != nil:
		c.sendTranscript(f.Transcript)
	case f.Hello != nil:
		c.pushError("", badFrame("hello was already sent"), 0)
	}
}

// KindRequestHuman marks the customer message the "talk to a human" button
// sends: an explicit request the bot hands off on without judging it.
const KindRequestHuman = frontline.KindRequestHuman

// ensureConversation creates the visitor's conversation on first need, so
// page views that never write cost nothing, and tells the client its new token.
func (c *conn) ensureConversation(ctx context.Context) (*frontline.Conversation, error) {
	if c.conv != nil {
		return c.conv, nil
	}
	conv := c.newConversation()
	err := c.s.log.CreateConversation(ctx, conv)
	if frontline.ErrorCode(err) == frontline.EConflict {
		// Another connection of this visitor (a second tab, or one that
		// dropped) created it first, maybe on another node: continue it.
		conv, err = c.s.log.FindConversationByID(ctx, conv.ID)
		if err == nil && (conv.VisitorID != c.tok.VisitorID || conv.SiteKey != c.site.Key) {
			err = frontline.ErrNotTheirs
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create conversation: %w", err)
	}
	c.adopt(conv)
	return conv, nil
}

// newConversation is the visitor's conversation, not yet stored.
func (c *conn) newConversation() *frontline.Conversation {
	return &frontline.Conversation{
		ID:         c.s.conversationIDFor(c.tok.VisitorID),
		SiteKey:    c.site.Key,
		VisitorID:  c.tok.VisitorID,
		CustomerID: c.tok.CustomerID,
	}
}

// adopt makes conv this connection's conversation and tells the client its
// token.
func (c *conn) adopt(conv *frontline.Conversation) {
	c.conv = conv
	c.tok.ConversationID = conv.ID
	c.s.follow(c, conv.ID) // before its first message is handed to the bot, so typing reaches this tab
	c.push(outbound{
		frame:  &tokenFrame{serverHeader: hdr(TypeToken), Token: signToken(c.s.cfg.TokenSecret, c.tok), ConversationID: conv.ID},
		follow: conv.ID,
	})
}

// prepare masks a customer's message, read with their previous one on this
// connection when the guard can (a reconnect starts without it).
func (c *conn) prepare(body string) (string, []string, error) {
	cg, ok := c.s.guard.(ContextGuard)
	if !ok {
		return c.s.guard.Prepare(body)
	}
	masked, redactions, err := cg.PrepareAfter(c.prevCustomer, body)
	if err == nil {
		c.prevCustomer = masked
	}
	return masked, redactions, err
}

// appendCustomer stores a customer message and acks it once committed. It
// reports whether the message is stored.
func (c *conn) appendCustomer(id, body, kind string) bool {
	if !c.s.beginAppend() {
		c.pushError(id, frontline.Errorf(frontline.EUnavailable, "server restarting; resend after reconnecting"), 0)
		return false
	}
	defer c.s.inflight.Done()
	ctx, cancel := c.storeCtx()
	defer cancel()
	// Mask before anything else sees the text: the log, the bus, the bot.
	masked, redactions, err := c.prepare(body)
	if err != nil {
		c.pushError(id, err, 0)
		return false
	}
	// The visitor's first message creates their conversation in the same
	// commit: one round trip to the acknowledgement.
	conv, start := c.conv, (*frontline.Conversation)(nil)
	if conv == nil {
		start = c.newConversation()
		conv = start
	}
	c.appending.Add(1) // settled by the ack or error frame pushed below
	res, err := c.s.log.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
		ConversationID: conv.ID,
		ClientMsgID:    id,
		Author:         frontline.AuthorCustomer,
		AuthorID:       c.tok.VisitorID,
		Body:           masked,
		Meta:           frontline.MessageMeta{Kind: kind, Redactions: redactions},
	}, Start: start})
	if err != nil {
		c.pushErrorFrame(id, err, 0, true)
		return false
	}
	if start != nil {
		if !res.Started {
			// Another tab started it first: continue the stored one.
			if stored, err := c.s.log.FindConversationByID(ctx, conv.ID); err == nil {
				conv = stored
			}
		}
		c.adopt(conv)
	}
	// The bot's obligation to answer committed with the message: a worker
	// on some node answers it (internal/obligation).
	c.push(outbound{frame: &ackFrame{serverHeader: hdr(TypeAck), ID: id, MsgSeq: res.Message.Seq, Duplicate: res.Duplicate}, stored: &res.Message, settles: true})
	return true
}

func (c *conn) recordCSAT(f *csatFrame) {
	ctx, cancel := c.storeCtx()
	defer cancel()
	if c.conv == nil {
		c.pushError(f.ID, frontline.Errorf(frontline.EInvalid, "no conversation to rate yet"), 0)
		return
	}
	prior, err := c.s.log.FindEvents(ctx, frontline.EventFilter{ConversationID: c.conv.ID, Kinds: []frontline.EventKind{frontline.EventCSAT}})
	if err != nil {
		c.pushError(f.ID, err, 0)
		return
	}
	for _, e := range prior {
		var d csatData
		if json.Unmarshal(e.Data, &d) == nil && d.RequestID == f.ID {
			c.push(outbound{frame: &ackFrame{serverHeader: hdr(TypeAck), ID: f.ID, Duplicate: true}})
			return
		}
	}
	comment := f.Comment
	if comment != "" {
		if comment, _, err = c.s.guard.Prepare(comment); err != nil {
			c.pushError(f.ID, err, 0)
			return
		}
	}
	_, err = c.s.log.AppendEvents(ctx, frontline.Event{
		ConversationID: c.conv.ID,
		Kind:           frontline.EventCSAT,
		Actor:          c.tok.VisitorID,
		Data:           frontline.MustJSON(csatData{Rating: f.Rating, Comment: comment, RequestID: f.ID}),
	})
	if err != nil {
		c.pushError(f.ID, err, 0)
		return
	}
	// Agents who have the conversation open see the rating now; a lost
	// wake-up only delays it to their next refresh.
	_ = c.s.bus.Publish(ctx, frontline.ConversationTopic(c.conv.ID), c.conv.LastSeq)
	c.push(outbound{frame: &ackFrame{serverHeader: hdr(TypeAck), ID: f.ID}})
}

// csatData is the Data of an EventCSAT.
type csatData struct {
	Rating    int    `json:"rating"`
	Comment   string `json:"comment,omitempty"`
	RequestID string `json:"request_id"`
}

func (c *conn) saveContact(f *contactFrame) {
	ctx, cancel := c.storeCtx()
	defer cancel()
	conv, err := c.ensureConversation(ctx)
	if err != nil {
		c.pushError(f.ID, err, 0)
		return
	}
	if _, err := c.s.log.UpdateConversation(ctx, conv.ID, frontline.ConversationUpdate{Profile: map[string]string{"email": f.Email}}); err != nil {
		c.pushError(f.ID, err, 0)
		return
	}
	c.push(outbound{frame: &ackFrame{serverHeader: hdr(TypeAck), ID: f.ID}})
}

func (c *conn) sendHistory(id string) {
	if !c.verified {
		c.pushError(id, frontline.Errorf(frontline.EForbidden, "previous conversations are shown to signed-in customers only"), 0)
		return
	}
	ctx, cancel := c.storeCtx()
	defer cancel()
	convs, err := c.s.log.FindConversations(ctx, frontline.ConversationFilter{SiteKey: c.site.Key, CustomerID: c.tok.CustomerID, Limit: 50})
	if err != nil {
		c.pushError(id, err, 0)
		return
	}
	out := &historyServerFrame{serverHeader: hdr(TypeHistory), ID: id, Conversations: []wireConversation{}}
	for _, cv := range convs {
		if cv.SiteKey != c.site.Key || cv.CustomerID != c.tok.CustomerID {
			continue // defence in depth: never list another customer's thread
		}
		out.Conversations = append(out.Conversations, wireConversation{ID: cv.ID, Status: string(cv.Status), LastSeq: cv.LastSeq, CreatedAt: cv.CreatedAt, UpdatedAt: cv.UpdatedAt})
	}
	c.push(outbound{frame: out})
}

// mayRead reports whether this session may read conv: its own thread, or a
// verified customer's earlier threads on the same site.
func (c *conn) mayRead(conv *frontline.Conversation) bool {
	if conv.SiteKey != c.site.Key {
		return false
	}
	if conv.ID == c.tok.ConversationID && conv.VisitorID == c.tok.VisitorID {
		return true
	}
	return c.verified && conv.CustomerID != "" && conv.CustomerID == c.tok.CustomerID
}

func (c *conn) sendTranscript(f *transcriptFrame) {
	id := f.ConversationID
	if id == "" {
		id = c.tok.ConversationID
	}
	notFound := frontline.Errorf(frontline.ENotFound, "conversation not found")
	if id == "" {
		c.pushError(f.ID, notFound, 0)
		return
	}
	ctx, cancel := c.storeCtx()
	defer cancel()
	conv, err := c.s.log.FindConversationByID(ctx, id)
	if frontline.ErrorCode(err) == frontline.ENotFound || (err == nil && !c.mayRead(conv)) {
		c.pushError(f.ID, notFound, 0) // same answer either way: existence is not revealed
		return
	}
	if err != nil {
		c.pushError(f.ID, err, 0)
		return
	}
	out := &transcriptServerFrame{serverHeader: hdr(TypeTranscript), ID: f.ID, ConversationID: id, Messages: []wireMessage{}}
	var after int64
	for len(out.Messages) < maxTranscript {
		msgs, err := c.s.log.ReadMessages(ctx, id, after, frontline.DefaultListLimit)
		if err != nil {
			c.pushError(f.ID, err, 0)
			return
		}
		for _, m := range msgs {
			out.Messages = append(out.Messages, toWire(m))
		}
		if len(msgs) < frontline.DefaultListLimit {
			break
		}
		after = msgs[len(msgs)-1].Seq
	}
	out.Truncated = len(out.Messages) >= maxTranscript
	c.push(outbound{frame: out})
}

// writeLoop is the only goroutine that writes to the socket. It also reads
// the Log when the bus wakes it, so pushes leave in seq order with no gaps.
func (c *conn) writeLoop() {
	ticker := time.NewTicker(PingPeriod)
	defer func() {
		ticker.Stop()
		c.unfollow()
		c.s.queue.remove(c)
		_ = c.ws.Close()
		c.s.unregister(c)
		c.s.ips.release(c.ip)
	}()
	for {
		select {
		case o := <-c.send:
			if err := c.process(o); err != nil {
				c.failed(err)
				return
			}
			if o.settles && c.appending.Add(-1) == 0 {
				if err := c.flushDeferred(); err != nil {
					c.failed(err)
					return
				}
			}
		case n := <-c.convNotes:
			if n.Seq > c.lastSent || n.Resync {
				if c.appending.Load() > 0 {
					// Most likely this connection's own message: its ack,
					// queued next, carries it without a read.
					c.deferredSeq, c.deferredResync = max(c.deferredSeq, n.Seq), c.deferredResync || n.Resync
					continue
				}
				var err error
				if n.Resync {
					err = c.catchUp()
				} else {
					err = c.deliverUpTo(n.Seq)
				}
				if err != nil {
					c.failed(err)
					return
				}
			}
		case <-ticker.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(WriteWait)); err != nil {
				c.close(0, "")
				return
			}
		case <-c.closing:
			c.finish()
			return
		}
	}
}

// failed ends the connection after a write or store error; the client
// reconnects and resumes by seq.
func (c *conn) failed(err error) {
	var we *writeError
	if errors.As(err, &we) {
		c.close(0, "") // the client is gone or stuck: nobody to tell
		return
	}
	c.s.logger.Error("widget: push failed", "conversation", c.followedConv, "err", err)
	c.close(CloseInternal, "internal error")
	c.finish()
}

// writeError is a failed write to the socket, as opposed to a failed read
// of the Log.
type writeError struct{ err error }

func (e *writeError) Error() string { return "write to client: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// finish writes what is queued (an error frame before its close), the close
// frame, and waits briefly for the client's close reply.
func (c *conn) finish() {
	if c.closeCode == 0 {
		return
	}
	for drained := false; !drained; {
		select {
		case o := <-c.send:
			if o.frame != nil && c.write(o.frame) != nil {
				return
			}
		default:
			drained = true
		}
	}
	msg := websocket.FormatCloseMessage(c.closeCode, c.closeText)
	if c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(WriteWait)) != nil {
		return
	}
	t := time.NewTimer(CloseGrace)
	defer t.Stop()
	select {
	case <-c.readerDone:
	case <-t.C:
	}
}

func (c *conn) process(o *outbound) error {
	newConv := o.follow != "" && o.follow != c.followedConv
	if newConv {
		// Subscribe before reading, so no append between the read and the
		// subscription goes unnoticed.
		c.unfollow()
		c.followedConv = o.follow
		c.lastSent = o.followAfter
		c.convNotes, c.convCancel = c.s.bus.Subscribe(frontline.ConversationTopic(o.follow))
	}
	if o.frame != nil {
		if err := c.write(o.frame); err != nil {
			return err
		}
	}
	if newConv {
		if c.appending.Load() > 0 {
			c.deferredResync = true // after the ack of the message that started it
		} else if err := c.catchUp(); err != nil {
			return err
		}
	}
	if m := o.stored; m != nil && m.ConversationID == c.followedConv && m.Seq == c.lastSent+1 {
		c.lastSent = m.Seq
		out := &messagesFrame{serverHeader: hdr(TypeMessages), ConversationID: m.ConversationID, Messages: []wireMessage{toWire(*m)}}
		if err := c.write(out); err != nil {
			return err
		}
	}
	if o.watchQueue {
		c.s.queue.add(c, c.followedConv)
	}
	return nil
}

func (c *conn) unfollow() {
	if c.convCancel != nil {
		c.convCancel()
		c.convCancel, c.convNotes = nil, nil
	}
}

func (c *conn) write(f any) error {
	if fr, ok := f.(framer); ok {
		fr.header().Seq = c.lastSent
	}
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("marshal frame: %w", err)
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(WriteWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		return &writeError{err}
	}
	return nil
}

// flushDeferred delivers what wake-ups deferred while appends were in
// flight.
func (c *conn) flushDeferred() error {
	seq, resync := c.deferredSeq, c.deferredResync
	c.deferredSeq, c.deferredResync = 0, false
	switch {
	case resync:
		return c.catchUp()
	case seq > c.lastSent:
		return c.deliverUpTo(seq)
	}
	return nil
}

// recentLog is a Log that keeps this node's latest appends in memory
// (internal/postgres): a writer woken for one of them sends it without a
// round trip to read it back.
type recentLog interface {
	RecentMessages(conversationID string, afterSeq, upToSeq int64) ([]frontline.Message, bool)
}

// deliverUpTo sends the messages after lastSent up to at least seq: from
// this node's recent appends when it holds them all, else from the Log.
func (c *conn) deliverUpTo(seq int64) error {
	if rl, ok := c.s.log.(recentLog); ok {
		if msgs, ok := rl.RecentMessages(c.followedConv, c.lastSent, seq); ok {
			return c.sendMessages(msgs)
		}
	}
	return c.catchUp()
}

// catchUp sends every message after lastSent, in order.
func (c *conn) catchUp() error {
	ctx, cancel := c.storeCtx()
	defer cancel()
	for {
		msgs, err := c.s.log.ReadMessages(ctx, c.followedConv, c.lastSent, frontline.DefaultListLimit)
		if err != nil {
			return fmt.Errorf("read messages after %d: %w", c.lastSent, err)
		}
		if len(msgs) == 0 {
			return nil
		}
		if err := c.sendMessages(msgs); err != nil {
			return err
		}
		if len(msgs) < frontline.DefaultListLimit {
			return nil
		}
	}
}

// sendMessages sends msgs (the next ones after lastSent, in order) and,
// when a person or the hand-off shows up among them, starts following the
// queue.
func (c *conn) sendMessages(msgs []frontline.Message) error {
	out := &messagesFrame{serverHeader: hdr(TypeMessages), ConversationID: c.followedConv, Messages: make([]wireMessage, 0, len(msgs))}
	watch := false
	for _, m := range msgs {
		out.Messages = append(out.Messages, toWire(m))
		watch = watch || m.Author == frontline.AuthorSystem || m.Author == frontline.AuthorAgent || m.Meta.Kind == "handoff"
	}
	c.lastSent = msgs[len(msgs)-1].Seq
	if err := c.write(out); err != nil {
		return err
	}
	if watch {
		c.s.queue.add(c, c.followedConv)
	}
	return nil
}
