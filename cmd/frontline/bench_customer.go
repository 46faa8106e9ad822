package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline/widget"
)

// A bench customer is a widget client that survives its server: when the
// socket drops it reconnects with its visitor token, resumes after the last
// seq it holds and resends what was not acknowledged under the same ids, as
// widget.js does. It keeps what it saw, so that at the end every customer
// can count, from its own view, what was lost, duplicated, out of order or
// not answered exactly once.
type benchCustomer struct {
	b         *bench
	dialer    *websocket.Dialer
	n         int
	handedOff atomic.Bool // the current visit's conversation went to a person
	// node counts up from n: the customer talks to server(node) and moves
	// to the next node when a reconnect fails.
	node    atomic.Int64
	stopped atomic.Bool // closeAll: no more reconnects

	wmu sync.Mutex // one writer at a time on the socket

	mu     sync.Mutex
	conn   *benchConn    // nil while disconnected
	visit  *benchVisit   // the current conversation
	visits []*benchVisit // all of them, for the final count
	idle   chan struct{} // closed by the reader when nothing is outstanding
	// done is closed when the customer gives up for good (it never
	// reconnected before the bench's context ended).
	done     chan struct{}
	doneOnce sync.Once
}

// benchConn is one socket of a customer; retired when the customer leaves
// it on purpose (a new visit), so its reader does not reconnect.
type benchConn struct {
	ws      *websocket.Conn
	visit   *benchVisit
	retired atomic.Bool
}

// benchVisit is one visitor's conversation as its client sees it.
type benchVisit struct {
	token   string
	lastSeq int64 // the highest seq received in order
	// Messages sent and not acknowledged, in send order, with their body
	// and first send time.
	unacked []string
	pending map[string]benchSend
	acked   map[string]int64    // client id → seq acknowledged
	waiting map[int64]time.Time // acknowledged seq → send time, until answered
	seen    map[int64]benchSeen // messages received, by seq
	replies map[int64]int       // customer seq → replies received live
	// repliedAt is when a reply came for a seq not acknowledged yet (the
	// ack was lost with a socket; the resend's ack follows).
	repliedAt map[int64]time.Time
	// handoffAt is the customer seq the first hand-off notice answered:
	// later messages are a person's to answer.
	handoffAt  int64
	outOfOrder int64 // seqs received with a gap or twice
	dupAcks    int64 // one client id acknowledged at two seqs
}

type benchSend struct {
	body  string
	human bool // the "talk to a human" button, not a typed message
	at    time.Time
}

type benchSeen struct {
	author, clientID, kind string
	replyTo                int64
}

func newBenchVisit() *benchVisit {
	return &benchVisit{pending: map[string]benchSend{}, acked: map[string]int64{}, waiting: map[int64]time.Time{},
		seen: map[int64]benchSeen{}, replies: map[int64]int{}, repliedAt: map[int64]time.Time{}}
}

// outstanding counts what the visit still waits for: acks, and replies to
// acknowledged messages that the bot (not a person) owes.
func (v *benchVisit) outstanding() int {
	n := len(v.pending)
	for seq := range v.waiting {
		if v.handoffAt == 0 || seq <= v.handoffAt {
			n++
		}
	}
	return n
}

func (b *bench) connect(ctx context.Context, dialer *websocket.Dialer, n int) (*benchCustomer, error) {
	c := &benchCustomer{b: b, n: n, dialer: dialer, done: make(chan struct{})}
	c.node.Store(int64(n))
	c.visit = newBenchVisit()
	c.visits = []*benchVisit{c.visit}
	if err := c.dial(ctx); err != nil {
		return nil, err
	}
	if !b.o.idle || b.o.idleMessage {
		c.send()
	}
	return c, nil
}

// errVisitChanged ends a reconnect loop whose visit was left (renew).
var errVisitChanged = errors.New("dial: the visit changed meanwhile")

// dial connects for the current visit, resuming it when it has a token,
// resends its unacknowledged messages and starts the reader.
func (c *benchCustomer) dial(ctx context.Context) error {
	c.mu.Lock()
	v := c.visit
	c.mu.Unlock()
	return c.dialVisit(ctx, v)
}

func (c *benchCustomer) dialVisit(ctx context.Context, v *benchVisit) error {
	c.mu.Lock()
	switch {
	case c.visit != v:
		c.mu.Unlock()
		return errVisitChanged
	case c.conn != nil && c.conn.visit == v:
		c.mu.Unlock()
		return nil // another loop reconnected it
	}
	hello := map[string]any{"v": widget.ProtocolVersion, "type": "hello", "token": v.token, "last_seq": v.lastSeq}
	c.mu.Unlock()
	srv := c.b.server(int(c.node.Load()))
	ws, resp, err := c.dialer.DialContext(ctx, c.b.wsURL(srv), http.Header{"Origin": {srv.origin}})
	if err != nil {
		if resp != nil {
			return fmt.Errorf("dial: HTTP %d", resp.StatusCode)
		}
		return errors.New("dial: " + errorKind(err))
	}
	if err := ws.WriteJSON(hello); err != nil {
		ws.Close()
		return errors.New("hello: " + errorKind(err))
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var w struct {
		Type, Code, Token string
		Reset             bool
	}
	if err := ws.ReadJSON(&w); err != nil || w.Type != "welcome" {
		ws.Close()
		return fmt.Errorf("welcome: got %q %q %v", w.Type, w.Code, errorKind(err))
	}
	_ = ws.SetReadDeadline(time.Time{})
	conn := &benchConn{ws: ws, visit: v}
	c.mu.Lock()
	if c.visit != v {
		c.mu.Unlock()
		ws.Close()
		return errVisitChanged
	}
	v.token = w.Token
	if w.Reset {
		// The server holds fewer messages than this client saw: some were lost.
		c.b.fail("welcome: reset")
		v.lastSeq = 0
	}
	c.conn = conn
	resend := make([]string, 0, len(v.unacked))
	for _, id := range v.unacked {
		resend = append(resend, id)
	}
	c.mu.Unlock()
	go c.read(conn)
	for _, id := range resend {
		c.write(id)
	}
	return nil
}

// reconnect dials visit v again, with back-off, until it succeeds, the
// customer moves on to another visit, or the bench ends.
func (c *benchCustomer) reconnect(ctx context.Context, v *benchVisit) {
	c.b.reconnects.Add(1)
	backoff := 100 * time.Millisecond
	for !c.stopped.Load() {
		select {
		case <-ctx.Done():
			c.doneOnce.Do(func() { close(c.done) })
			return
		case <-time.After(time.Duration(rand.Int64N(int64(backoff)))):
		}
		switch err := c.dialVisit(ctx, v); {
		case err == nil, errors.Is(err, errVisitChanged):
			return
		}
		c.node.Add(1) // that node may be gone: try the next

		backoff = min(backoff*2, 2*time.Second)
	}
}

// renew replaces a customer whose conversation went to the human queue (the
// bot is silent there) with a new visitor, so the bot keeps working. The
// old visit is kept for the final count. A visit with messages still
// unacknowledged (the server was away) is kept until they are.
func (c *benchCustomer) renew(ctx context.Context) error {
	c.mu.Lock()
	if len(c.visit.pending) > 0 {
		c.mu.Unlock()
		return nil
	}
	if conn := c.conn; conn != nil {
		conn.retired.Store(true)
		_ = conn.ws.Close()
	}
	c.conn = nil
	c.b.renewed.Add(1)
	v := newBenchVisit()
	c.visit = v
	c.visits = append(c.visits, v)
	c.mu.Unlock()
	c.handedOff.Store(false)
	if err := c.dialVisit(ctx, v); err != nil {
		// The server is away: the visit's messages wait, unacknowledged,
		// for as long as the bench runs (not just the load).
		go c.reconnect(c.b.ctx, v)
	}
	return nil
}

// send sends a new message; while disconnected it waits, unacknowledged,
// for the reconnect to send it.
func (c *benchCustomer) send() {
	id := fmt.Sprintf("b%d-%d", c.n, rand.Uint64())
	c.b.sent.Add(1)
	body := c.b.o.message
	if body == "" {
		body = benchQuestions[(c.n+int(c.b.sent.Load()))%len(benchQuestions)]
	}
	human := c.b.o.askHuman > 0 && rand.Float64() < c.b.o.askHuman
	c.mu.Lock()
	c.visit.unacked = append(c.visit.unacked, id)
	c.visit.pending[id] = benchSend{body: body, human: human, at: time.Now()}
	c.mu.Unlock()
	c.write(id)
}

// write sends message id if it is still unacknowledged and a socket is up.
func (c *benchCustomer) write(id string) {
	c.mu.Lock()
	s, ok := c.visit.pending[id]
	conn := c.conn
	c.mu.Unlock()
	if !ok || conn == nil {
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = conn.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	f := map[string]any{"v": widget.ProtocolVersion, "type": widget.TypeMessage, "id": id, "body": s.body}
	if s.human {
		f = map[string]any{"v": widget.ProtocolVersion, "type": widget.TypeRequestHuman, "id": id}
	}
	if err := conn.ws.WriteJSON(f); err != nil {
		_ = conn.ws.Close() // the reader sees it and reconnects
	}
}

// serverFrame is the part of a server frame the bench reads.
type serverFrame struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	MsgSeq   int64  `json:"msg_seq"`
	Code     string `json:"code"`
	Token    string `json:"token"`
	Messages []struct {
		Seq         int64  `json:"seq"`
		Author      string `json:"author"`
		ClientMsgID string `json:"client_msg_id"`
		ReplyTo     int64  `json:"reply_to"`
		Kind        string `json:"kind"`
	} `json:"messages"`
}

func (c *benchCustomer) read(conn *benchConn) {
	for {
		var f serverFrame
		if err := conn.ws.ReadJSON(&f); err != nil {
			c.mu.Lock()
			if c.conn == conn {
				c.conn = nil
			}
			c.mu.Unlock()
			if conn.retired.Load() || c.stopped.Load() {
				return
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.b.fail(fmt.Sprintf("closed %d", ce.Code))
			} else if !errors.Is(err, net.ErrClosed) {
				c.b.fail("read: " + errorKind(err))
			}
			conn.ws.Close()
			c.reconnect(c.b.ctx, conn.visit)
			return
		}
		c.onFrame(conn.visit, f)
	}
}

// onFrame applies a frame to the visit of the socket it came on: a frame
// still buffered on a socket left for a new visit belongs to the old one.
func (c *benchCustomer) onFrame(v *benchVisit, f serverFrame) {
	now := time.Now()
	var retry string
	c.mu.Lock()
	switch f.Type {
	case "ack":
		if s, ok := v.pending[f.ID]; ok {
			delete(v.pending, f.ID)
			v.unacked = removeID(v.unacked, f.ID)
			v.acked[f.ID] = f.MsgSeq
			c.b.mu.Lock()
			c.b.acks = append(c.b.acks, now.Sub(s.at))
			if t, answered := v.repliedAt[f.MsgSeq]; answered {
				c.b.replies = append(c.b.replies, t.Sub(s.at))
			} else {
				v.waiting[f.MsgSeq] = s.at
			}
			c.b.mu.Unlock()
		} else if seq, ok := v.acked[f.ID]; ok && f.MsgSeq != 0 && seq != f.MsgSeq {
			v.dupAcks++
		}
	case "token":
		v.token = f.Token
	case "messages":
		for _, m := range f.Messages {
			switch {
			case m.Seq == v.lastSeq+1:
				v.lastSeq = m.Seq
			default:
				v.outOfOrder++
				v.lastSeq = max(v.lastSeq, m.Seq)
			}
			v.seen[m.Seq] = benchSeen{author: m.Author, clientID: m.ClientMsgID, kind: m.Kind, replyTo: m.ReplyTo}
			if (m.Author != "bot" && m.Author != "system") || m.ReplyTo == 0 {
				continue
			}
			v.replies[m.ReplyTo]++
			if m.Kind == "handoff" {
				c.handedOff.Store(true)
				if v.handoffAt == 0 {
					v.handoffAt = m.ReplyTo
				}
			}
			t, ok := v.waiting[m.ReplyTo]
			if !ok && v.replies[m.ReplyTo] == 1 {
				v.repliedAt[m.ReplyTo] = now
			}
			if ok {
				delete(v.waiting, m.ReplyTo)
				c.b.mu.Lock()
				c.b.replies = append(c.b.replies, now.Sub(t))
				if m.Kind == "handoff" {
					c.b.handoffs = append(c.b.handoffs, now.Sub(t))
				}
				c.b.mu.Unlock()
			}
		}
	case "error":
		c.b.fail("error frame: " + f.Code)
		if _, ok := v.pending[f.ID]; ok {
			retry = f.ID // refused for now (a stalled store, a restart): send again
		}
	}
	if c.idle != nil && c.visit.outstanding() == 0 {
		close(c.idle)
		c.idle = nil
	}
	c.mu.Unlock()
	if retry != "" {
		time.AfterFunc(time.Second, func() { c.write(retry) })
	}
}

func removeID(ids []string, id string) []string {
	for i, x := range ids {
		if x == id {
			return append(ids[:i], ids[i+1:]...)
		}
	}
	return ids
}

// waitIdle returns a channel closed once the customer waits for nothing.
func (c *benchCustomer) waitIdle() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	if c.visit.outstanding() == 0 {
		close(ch)
	} else {
		c.idle = ch
	}
	return ch
}

func (c *benchCustomer) close() {
	c.stopped.Store(true)
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return
	}
	c.wmu.Lock()
	_ = conn.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = conn.ws.Close()
}

// benchCheck is what every client counts at the end, against its
// conversations as the server's log returns them (a transcript).
type benchCheck struct {
	// Lost: acknowledged messages missing, or at another seq.
	Lost int64 `json:"lost"`
	// Duplicated: a client message id stored twice, or acknowledged at two seqs.
	Duplicated int64 `json:"duplicated"`
	// OutOfOrder: seqs received live with a gap or twice, and transcripts
	// whose seqs are not 1, 2, 3...
	OutOfOrder int64 `json:"out_of_order"`
	// Unanswered: customer messages with no reply while the bot owned the
	// conversation; AnsweredTwice: with more than one.
	Unanswered    int64 `json:"unanswered"`
	AnsweredTwice int64 `json:"answered_twice"`
	// Unacked: messages never acknowledged (resent until the end).
	Unacked int64 `json:"unacked"`
	// Unchecked: conversations whose transcript could not be read.
	Unchecked int64 `json:"unchecked"`
}

func (k *benchCheck) add(o benchCheck) {
	k.Lost += o.Lost
	k.Duplicated += o.Duplicated
	k.OutOfOrder += o.OutOfOrder
	k.Unanswered += o.Unanswered
	k.AnsweredTwice += o.AnsweredTwice
	k.Unacked += o.Unacked
	k.Unchecked += o.Unchecked
}

// check reads each of the customer's conversations back and counts.
func (c *benchCustomer) check(ctx context.Context) benchCheck {
	c.mu.Lock()
	visits := append([]*benchVisit(nil), c.visits...)
	c.mu.Unlock()
	var k benchCheck
	for _, v := range visits {
		c.mu.Lock()
		token, acked, lastSeq := v.token, len(v.acked), v.lastSeq
		k.OutOfOrder += v.outOfOrder
		k.Duplicated += v.dupAcks
		k.Unacked += int64(len(v.pending))
		c.mu.Unlock()
		if acked == 0 {
			continue
		}
		msgs, err := c.transcript(ctx, token, lastSeq)
		for try := 1; err != nil && try < len(c.b.o.servers); try++ {
			msgs, err = c.transcript(ctx, token, lastSeq) // on the next node
		}
		if err != nil {
			c.b.fail("check: " + err.Error())
			k.Unchecked++
			continue
		}
		c.mu.Lock()
		k.add(v.count(msgs))
		c.mu.Unlock()
	}
	return k
}

type benchMessage struct {
	Seq         int64  `json:"seq"`
	Author      string `json:"author"`
	ClientMsgID string `json:"client_msg_id"`
	ReplyTo     int64  `json:"reply_to"`
	Kind        string `json:"kind"`
}

// count compares the visit with its conversation as stored.
func (v *benchVisit) count(msgs []benchMessage) benchCheck {
	var k benchCheck
	bySeq := map[string]int64{}
	replies := map[int64]int{}
	handoffAt := int64(0)
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			k.OutOfOrder++
		}
		if m.ClientMsgID != "" && m.Author == "customer" {
			if _, dup := bySeq[m.ClientMsgID]; dup {
				k.Duplicated++
			} else {
				bySeq[m.ClientMsgID] = m.Seq
			}
		}
		if (m.Author == "bot" || m.Author == "system") && m.ReplyTo > 0 {
			replies[m.ReplyTo]++
			if m.Kind == "handoff" && handoffAt == 0 {
				handoffAt = m.ReplyTo
			}
		}
	}
	for id, seq := range v.acked {
		if got, ok := bySeq[id]; !ok || got != seq {
			k.Lost++
		}
	}
	for _, m := range msgs {
		if m.Author != "customer" {
			continue
		}
		switch n := replies[m.Seq]; {
		case n > 1:
			k.AnsweredTwice++
		case n == 0 && (handoffAt == 0 || m.Seq < handoffAt):
			k.Unanswered++
		}
	}
	return k
}

// transcript reads a conversation as the server's log holds it, on a
// connection of its own.
func (c *benchCustomer) transcript(ctx context.Context, token string, lastSeq int64) ([]benchMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	srv := c.b.server(int(c.node.Load()))
	ws, _, err := c.dialer.DialContext(ctx, c.b.wsURL(srv), http.Header{"Origin": {srv.origin}})
	if err != nil {
		c.node.Add(1)
		return nil, errors.New("dial: " + errorKind(err))
	}
	defer ws.Close()
	deadline, _ := ctx.Deadline()
	_ = ws.SetReadDeadline(deadline)
	if err := ws.WriteJSON(map[string]any{"v": widget.ProtocolVersion, "type": "hello", "token": token, "last_seq": lastSeq}); err != nil {
		return nil, errors.New("hello: " + errorKind(err))
	}
	if err := ws.WriteJSON(map[string]any{"v": widget.ProtocolVersion, "type": "transcript", "id": "check"}); err != nil {
		return nil, errors.New("transcript: " + errorKind(err))
	}
	for {
		var f struct {
			Type, ID, Code string
			Truncated      bool
			Messages       []benchMessage
		}
		if err := ws.ReadJSON(&f); err != nil {
			return nil, errors.New("transcript: " + errorKind(err))
		}
		switch {
		case f.Type == "transcript" && f.ID == "check":
			if f.Truncated {
				return nil, errors.New("transcript truncated")
			}
			return f.Messages, nil
		case f.Type == "error":
			return nil, errors.New("transcript: " + f.Code)
		}
	}
}
