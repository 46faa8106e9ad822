package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline/handoff"
)

// Bench agents work the human queue over the agent socket
// (handoff/PROTOCOL.md) as a person at the console would: online, they
// answer each conversation assigned to them after --agent-delay, then
// resolve it. When their node goes away they reconnect to the next one,
// where the queue frame tells them what they still hold; replies carry a
// client message id, so answering again after a reconnect never
// duplicates. Each counts what it saw, for the final check.

var convIDs = regexp.MustCompile(`c_[a-z0-9]+`)

// benchAgentResult is what the agents did and saw (--json: "agents").
type benchAgentResult struct {
	Agents int `json:"agents"`
	// Assigned: hand-offs assigned to the agents (a conversation handed
	// off again after its resolution counts again); AssignedTwice: of the
	// conversations, those held by two agents in the run (a new hand-off
	// may go to another agent).
	Assigned      int64 `json:"assigned"`
	AssignedTwice int64 `json:"assigned_twice"`
	Replied       int64 `json:"replied"`  // replies acknowledged
	Resolved      int64 `json:"resolved"` // conversations resolved
	// Unfinished: assigned and not resolved at the end; Queued: still
	// waiting or assigned in some agent's last queue frame.
	Unfinished int64            `json:"unfinished"`
	Queued     int64            `json:"queued"`
	SLAFrames  int64            `json:"sla_frames"` // "sla" frames received (warnings and breaches)
	Reconnects int64            `json:"reconnects"`
	Errors     map[string]int64 `json:"errors,omitempty"`
}

type benchAgents struct {
	b      *bench
	agents []*benchAgent

	mu     sync.Mutex
	errors map[string]int64
}

type benchAgent struct {
	all     *benchAgents
	n       int
	token   string
	node    atomic.Int64 // server(node); moves on when a reconnect fails
	stopped atomic.Bool

	wmu sync.Mutex // one writer at a time

	mu     sync.Mutex
	ws     *websocket.Conn // nil while disconnected
	userID string
	// Queue frames list the whole visible queue and come on every change
	// of it: only the first after a connect is read at once (what the
	// agent still holds); of the others the latest is kept, unread, for
	// waitSettled. New work comes in "assigned" frames.
	resumed    bool
	latest     []byte
	work       map[string]*benchWork // conversation id → the current hand-off's progress
	done       []*benchWork          // earlier hand-offs of conversations handed off again
	lastQueue  int                   // entries (waiting or assigned) in the latest queue frame
	slaFrames  int64
	reconnects int64
}

// benchWork is one hand-off an agent holds.
type benchWork struct {
	due               time.Time // when the agent answers
	msgID             string    // the reply's client message id: one reply per hand-off
	replied, resolved bool
	// sentOn is the socket the last action went out on: it is not sent
	// again until it is answered or that socket is gone (queue frames
	// come on every change of the queue; resending on each floods it).
	sentOn *websocket.Conn
}

// startAgents reads the tokens and connects one agent per token, going
// online. An agent that cannot connect fails the bench.
func (b *bench) startAgents(ctx context.Context) error {
	raw, err := os.ReadFile(b.o.agentTokens)
	if err != nil {
		return fmt.Errorf("bench: --agent-tokens: %w", err)
	}
	all := &benchAgents{b: b, errors: map[string]int64{}}
	for _, line := range strings.Split(string(raw), "\n") {
		if tok := strings.TrimSpace(line); tok != "" {
			a := &benchAgent{all: all, n: len(all.agents), token: tok, work: map[string]*benchWork{}}
			// Agents start one node along from customers with the same n.
			a.node.Store(int64(a.n + 1))
			all.agents = append(all.agents, a)
		}
	}
	if len(all.agents) == 0 {
		return fmt.Errorf("bench: --agent-tokens %s: no tokens", b.o.agentTokens)
	}
	for _, a := range all.agents {
		if err := a.dial(ctx); err != nil {
			return fmt.Errorf("bench: agent %d: %w", a.n, err)
		}
	}
	b.agents = all
	return nil
}

func (b *bench) stopAgents() {
	for _, a := range b.agents.agents {
		a.stopped.Store(true)
		a.mu.Lock()
		ws := a.ws
		a.mu.Unlock()
		if ws != nil {
			ws.Close()
		}
	}
}

func (all *benchAgents) fail(kind string) {
	all.mu.Lock()
	all.errors[kind]++
	all.mu.Unlock()
}

// dial connects to the agent's node, reads the welcome, goes online and
// starts the reader.
func (a *benchAgent) dial(ctx context.Context) error {
	srv := a.all.b.server(int(a.node.Load()))
	h := http.Header{"Origin": {srv.url}, "Authorization": {"Bearer " + a.token}}
	d := &websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	ws, resp, err := d.DialContext(ctx, "ws"+strings.TrimPrefix(srv.url, "http")+handoff.SocketPath, h)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("agent dial: HTTP %d", resp.StatusCode)
		}
		return errors.New("agent dial: " + errorKind(err))
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var w struct {
		Type string
		User struct{ ID string }
	}
	if err := ws.ReadJSON(&w); err != nil || w.Type != "welcome" || w.User.ID == "" {
		ws.Close()
		return fmt.Errorf("agent welcome: got %q (%v)", w.Type, errorKind(err))
	}
	_ = ws.SetReadDeadline(time.Time{})
	a.mu.Lock()
	a.ws, a.userID, a.resumed = ws, w.User.ID, false
	a.mu.Unlock()
	if err := a.write(ws, map[string]any{"type": "presence", "id": fmt.Sprintf("p%d-%d", a.n, rand.Uint32()), "presence": "online"}); err != nil {
		ws.Close()
		return errors.New("agent presence: " + errorKind(err))
	}
	go a.read(ws)
	return nil
}

func (a *benchAgent) write(ws *websocket.Conn, f map[string]any) error {
	f["v"] = handoff.SocketProtocolVersion
	a.wmu.Lock()
	defer a.wmu.Unlock()
	_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return ws.WriteJSON(f)
}

// agentFrame is the part of an agent socket frame the bench reads.
type agentFrame struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Handoffs []struct {
		ConversationID string `json:"conversation_id"`
		Status         string `json:"status"`
		AssigneeID     string `json:"assignee_id"`
	} `json:"handoffs"`
	Entry struct {
		ConversationID string `json:"conversation_id"`
	} `json:"entry"`
}

func (a *benchAgent) read(ws *websocket.Conn) {
	for {
		var f agentFrame
		_, raw, err := ws.ReadMessage()
		if err == nil && isQueueFrame(raw) {
			a.mu.Lock()
			skip := a.resumed && a.ws == ws
			a.resumed = a.resumed || a.ws == ws
			if skip {
				a.latest = raw
			}
			a.mu.Unlock()
			if skip {
				continue
			}
		}
		if err == nil {
			err = json.Unmarshal(raw, &f)
		}
		if err != nil {
			ws.Close()
			a.mu.Lock()
			if a.ws == ws {
				a.ws = nil
			}
			a.mu.Unlock()
			if !a.stopped.Load() {
				a.all.fail("agent read: " + errorKind(err))
				a.reconnect()
			}
			return
		}
		a.onFrame(ws, f)
	}
}

// reconnect dials the next node, with back-off, until it works or the
// bench ends.
func (a *benchAgent) reconnect() {
	ctx := a.all.b.ctx
	a.mu.Lock()
	a.reconnects++
	a.mu.Unlock()
	backoff := 100 * time.Millisecond
	for !a.stopped.Load() && ctx.Err() == nil {
		time.Sleep(time.Duration(rand.Int64N(int64(backoff))))
		if err := a.dial(ctx); err == nil {
			return
		}
		a.node.Add(1)
		backoff = min(backoff*2, 2*time.Second)
	}
}

func (a *benchAgent) onFrame(ws *websocket.Conn, f agentFrame) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch f.Type {
	case "assigned":
		a.take(f.Entry.ConversationID, true)
	case "queue":
		a.applyQueue(f)
	case "sla":
		a.slaFrames++
	case "ack":
		if id, ok := strings.CutPrefix(f.ID, "r-"); ok && a.work[id] != nil {
			a.work[id].replied, a.work[id].sentOn = true, nil
			go a.step(id)
		} else if id, ok := strings.CutPrefix(f.ID, "x-"); ok && a.work[id] != nil {
			a.work[id].resolved = true
		}
	case "error":
		// Grouped by action and message, without the conversation's id.
		action, id, _ := strings.Cut(f.ID, "-")
		a.all.fail("agent error frame: " + action + ": " + f.Code + ": " + convIDs.ReplaceAllString(f.Message, "c_…"))
		if w := a.work[id]; w != nil {
			w.sentOn = nil
			// Resolving again after a reconnect (the ack was lost with the
			// node) finds it resolved already. (A reply refused so would
			// mean someone else resolved it: the replies are counted.)
			if f.Code == "conflict" && strings.Contains(f.Message, "resolved") {
				w.resolved = true
			}
		}
	}
}

// isQueueFrame tells a queue frame by its end: the server writes a
// frame's keys in order, so "type" and "v" come last.
func isQueueFrame(raw []byte) bool {
	return bytes.Contains(raw[max(0, len(raw)-40):], []byte(`"type":"queue"`))
}

// applyQueue takes what the frame says the agent holds (after a
// reconnect: what it still holds); called with a.mu held.
func (a *benchAgent) applyQueue(f agentFrame) {
	a.lastQueue = len(f.Handoffs)
	held := map[string]bool{}
	for _, h := range f.Handoffs {
		if h.Status == "assigned" && h.AssigneeID == a.userID {
			held[h.ConversationID] = true
			a.take(h.ConversationID, false)
		}
	}
	// Answered and no longer held: its resolution went through, and its
	// ack was lost with a node (the database check counts resolutions).
	for id, w := range a.work {
		if w.replied && !w.resolved && !held[id] {
			w.resolved = true
		}
	}
}

// readLatest applies the latest queue frame left unread; called with
// a.mu held.
func (a *benchAgent) readLatest() {
	if a.latest == nil {
		return
	}
	var f agentFrame
	if json.Unmarshal(a.latest, &f) == nil {
		a.applyQueue(f)
	}
	a.latest = nil
}

// take starts (or, after a reconnect, resumes) work on a conversation;
// assigned says the server just assigned it: a conversation resolved
// before is a new hand-off. Called with a.mu held.
func (a *benchAgent) take(id string, assigned bool) {
	if id == "" {
		return
	}
	w := a.work[id]
	if w != nil && w.resolved && assigned {
		a.done = append(a.done, w)
		w = nil
	}
	if w == nil {
		w = &benchWork{due: time.Now().Add(a.all.b.o.agentDelay), msgID: fmt.Sprintf("a%d-%d", a.n, rand.Uint64())}
		a.work[id] = w
		time.AfterFunc(a.all.b.o.agentDelay, func() { a.step(id) })
		return
	}
	if !w.resolved && time.Now().After(w.due) && w.sentOn != a.ws {
		go a.step(id)
	}
}

// step sends the next action on a conversation: the reply (under a
// client message id, so a resend is the same message), then the
// resolution.
func (a *benchAgent) step(id string) {
	a.mu.Lock()
	w, ws := a.work[id], a.ws
	if w == nil || ws == nil || w.resolved || w.sentOn == ws {
		a.mu.Unlock()
		return // no socket: the reconnect's queue frame resumes it
	}
	w.sentOn = ws
	replied := w.replied
	a.mu.Unlock()
	f := map[string]any{"type": "resolve", "id": "x-" + id, "conversation_id": id}
	if !replied {
		f = map[string]any{"type": "reply", "id": "r-" + id, "conversation_id": id, "client_msg_id": w.msgID,
			"body": "Thanks for waiting: I have sorted this out for you."}
	}
	if err := a.write(ws, f); err != nil {
		ws.Close() // the reader reconnects
	}
}

// waitSettled waits until every agent is connected, holds nothing
// unresolved and sees an empty queue, or max passes.
func (all *benchAgents) waitSettled(ctx context.Context, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if all.settled() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (all *benchAgents) settled() bool {
	for _, a := range all.agents {
		a.mu.Lock()
		a.readLatest()
		busy := a.ws == nil || a.lastQueue > 0
		for _, w := range a.work {
			busy = busy || !w.resolved
		}
		a.mu.Unlock()
		if busy {
			return false
		}
	}
	return true
}

func (all *benchAgents) result() *benchAgentResult {
	r := &benchAgentResult{Agents: len(all.agents), Errors: map[string]int64{}}
	holders := map[string]int{}
	for _, a := range all.agents {
		a.mu.Lock()
		a.readLatest()
		for id := range a.work {
			holders[id]++
		}
		works := append([]*benchWork(nil), a.done...)
		for _, w := range a.work {
			works = append(works, w)
		}
		for _, w := range works {
			r.Assigned++
			if w.replied {
				r.Replied++
			}
			if w.resolved {
				r.Resolved++
			} else {
				r.Unfinished++
			}
		}
		r.Queued = max(r.Queued, int64(a.lastQueue))
		r.SLAFrames += a.slaFrames
		r.Reconnects += a.reconnects
		a.mu.Unlock()
	}
	for _, n := range holders {
		if n > 1 {
			r.AssignedTwice++
		}
	}
	all.mu.Lock()
	for k, v := range all.errors {
		r.Errors[k] = v
	}
	all.mu.Unlock()
	return r
}
