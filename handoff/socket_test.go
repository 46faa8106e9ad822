package handoff_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/storetest"
)

func dialAgent(t *testing.T, d *desk, u *frontline.User) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	srv := httptest.NewServer(d.svc.Socket(func(*http.Request) (*frontline.User, error) {
		if u == nil {
			return nil, frontline.Errorf(frontline.EUnauthorized, "sign in first")
		}
		return u, nil
	}, nil))
	t.Cleanup(srv.Close)
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+handoff.SocketPath, nil)
}

// next reads frames until one of typ arrives.
func next(t *testing.T, ws *websocket.Conn, typ string) map[string]any {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var f map[string]any
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if f["type"] == typ {
			return f
		}
	}
}

// An agent on the socket claims, opens the conversation and sees the
// customer's later message live; a message type their role lacks is
// refused.
func TestAgentSocket(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ws, _, err := dialAgent(t, d, ana)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	next(t, ws, "welcome")
	if q := next(t, ws, "queue"); len(q["handoffs"].([]any)) != 1 {
		t.Fatalf("queue = %v, want the one waiting", q)
	}
	send := func(f map[string]any) {
		f["v"] = 1
		if err := ws.WriteJSON(f); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "claim", "id": "1", "conversation_id": d.conv})
	if a := next(t, ws, "assigned"); a["entry"].(map[string]any)["assignee_id"] != ana.ID {
		t.Fatalf("assigned = %v", a)
	}
	send(map[string]any{"type": "open", "id": "2", "conversation_id": d.conv})
	next(t, ws, "messages")
	storetest.MustAppend(t, d.log, frontline.Message{ConversationID: d.conv, Author: frontline.AuthorCustomer, Body: "still there?"})
	for {
		m := next(t, ws, "messages")
		msgs := m["messages"].([]any)
		if msgs[len(msgs)-1].(map[string]any)["body"] == "still there?" {
			break
		}
	}
	send(map[string]any{"type": "reassign", "id": "3", "conversation_id": d.conv, "agent_id": "u_cara"})
	if e := next(t, ws, "error"); e["code"] != frontline.EForbidden || e["id"] != "3" {
		t.Fatalf("reassign by an agent = %v, want forbidden", e)
	}
	send(map[string]any{"type": "resolve", "id": "4", "conversation_id": d.conv})
	if a := next(t, ws, "ack"); a["id"] != "4" {
		t.Fatalf("ack = %v", a)
	}
	if e, _ := d.svc.Entry(context.Background(), d.conv); e.Status != frontline.QueueResolved {
		t.Fatalf("status = %s, want resolved", e.Status)
	}
}

// No user (a customer's visitor token, an expired session) and an editor
// are refused before the upgrade.
func TestAgentSocketRefuses(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	for _, tc := range []struct {
		u    *frontline.User
		want int
	}{{nil, http.StatusUnauthorized}, {eddie, http.StatusForbidden}} {
		_, resp, err := dialAgent(t, d, tc.u)
		if err == nil || resp == nil || resp.StatusCode != tc.want {
			t.Errorf("user %v: err %v resp %v, want status %d", tc.u, err, resp, tc.want)
		}
	}
}

// A session that ends (logout, expiry) ends the socket at the caller's
// very next frame: the roles table alone is not enough once the session
// is gone. (TestAgentSocketSessionEnds in cmd/frontline runs the real
// sessions across two nodes.)
func TestAgentSocketEndsWithTheSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := memory.NewStore(nil)
	bus := memory.NewBus()
	svc := handoff.NewService(memory.NewHandoffStore(log), log, bus, handoff.Config{})
	if err := svc.PutAgent(ctx, handoff.Agent{UserID: ana.ID, Name: "Ana", Tiers: frontline.Tiers, Teams: []string{"billing"}, Capacity: 1}); err != nil {
		t.Fatal(err)
	}
	var loggedOut atomic.Bool
	srv := httptest.NewServer(svc.Socket(func(*http.Request) (*frontline.User, error) {
		if loggedOut.Load() {
			return nil, frontline.Errorf(frontline.EUnauthorized, "session ended")
		}
		return ana, nil
	}, nil))
	defer srv.Close()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	next(t, ws, "welcome")
	send := func(f map[string]any) {
		f["v"] = 1
		if err := ws.WriteJSON(f); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "presence", "id": "1", "presence": "away"})
	if a := next(t, ws, "ack"); a["id"] != "1" {
		t.Fatalf("ack = %v", a)
	}
	loggedOut.Store(true)
	send(map[string]any{"type": "presence", "id": "2", "presence": "online"})
	if e := next(t, ws, "error"); e["code"] != frontline.EUnauthorized {
		t.Fatalf("after logout: %v, want unauthorized", e)
	}
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != handoff.CloseSessionEnded {
				t.Fatalf("closed with %v, want %d", err, handoff.CloseSessionEnded)
			}
			break
		}
	}
	if a, _ := svc.Store().FindAgent(ctx, ana.ID); a.Presence != frontline.PresenceAway {
		t.Fatalf("presence %s after the refused frame, want still away", a.Presence)
	}
}

// Between messages the socket checks the session every SocketIdleCheck:
// a quiet socket whose session ended is closed too (its pushes stop); one
// whose session cannot be checked (the store is down) is closed to be
// retried, not trusted.
func TestAgentSocketIdleCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		err       error
		wantCode  string
		wantClose int
	}{
		{"logged out", frontline.Errorf(frontline.EUnauthorized, "your session has ended; sign in again"), frontline.EUnauthorized, handoff.CloseSessionEnded},
		{"store down", errors.New("connection refused"), frontline.EUnavailable, handoff.CloseTryAgain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log := memory.NewStore(nil)
			svc := handoff.NewService(memory.NewHandoffStore(log), log, memory.NewBus(), handoff.Config{SocketIdleCheck: 20 * time.Millisecond})
			var ended atomic.Bool
			srv := httptest.NewServer(svc.Socket(func(*http.Request) (*frontline.User, error) {
				if ended.Load() {
					return nil, tc.err
				}
				return ana, nil
			}, nil))
			defer srv.Close()
			ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			next(t, ws, "welcome")
			ended.Store(true) // and the caller sends nothing more
			if e := next(t, ws, "error"); e["code"] != tc.wantCode {
				t.Fatalf("idle after the session ended: %v, want %s", e, tc.wantCode)
			}
			_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					var ce *websocket.CloseError
					if !errors.As(err, &ce) || ce.Code != tc.wantClose {
						t.Fatalf("closed with %v, want %d", err, tc.wantClose)
					}
					break
				}
			}
		})
	}
}

// The bad input of TestAgentBadInput, over the socket: an agent of another
// team and one without the private skill are refused the conversation, a
// claimed conversation cannot be claimed again, a transfer to a team that
// does not exist and a second resolve are refused, each with a clear
// error, and nothing is half-written.
func TestAgentSocketBadInput(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	private := &frontline.Conversation{VisitorID: "v_2"}
	if err := d.log.CreateConversation(ctx, private); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: private.ID, Tier: frontline.Tier1, Team: "billing",
		Priority: frontline.PriorityHigh, Reason: "delete my data", Private: true}); err != nil {
		t.Fatal(err)
	}
	sockets := map[*frontline.User]*websocket.Conn{}
	for _, u := range []*frontline.User{ana, ben, cara} {
		ws, _, err := dialAgent(t, d, u)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		next(t, ws, "welcome")
		sockets[u] = ws
	}
	call := func(u *frontline.User, f map[string]any) map[string]any {
		t.Helper()
		f["v"] = 1
		ws := sockets[u]
		if err := ws.WriteJSON(f); err != nil {
			t.Fatal(err)
		}
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			var r map[string]any
			if err := ws.ReadJSON(&r); err != nil {
				t.Fatalf("waiting for the answer to %v: %v", f["id"], err)
			}
			if (r["type"] == "ack" || r["type"] == "error") && r["id"] == f["id"] {
				return r
			}
		}
	}
	if r := call(ana, map[string]any{"type": "claim", "id": "c1", "conversation_id": d.conv}); r["type"] != "ack" {
		t.Fatalf("claim = %v", r)
	}
	for i, c := range []struct {
		name  string
		u     *frontline.User
		frame map[string]any
		code  string
	}{
		{"agent of another team opens it", ben, map[string]any{"type": "open", "conversation_id": d.conv}, frontline.EForbidden},
		{"agent of another team replies", ben, map[string]any{"type": "reply", "conversation_id": d.conv, "body": "hi"}, frontline.EForbidden},
		{"a private conversation without the skill", ana, map[string]any{"type": "open", "conversation_id": private.ID}, frontline.EForbidden},
		{"claiming a claimed conversation", cara, map[string]any{"type": "claim", "conversation_id": d.conv}, frontline.EConflict},
		{"transfer to a team that does not exist", ana, map[string]any{"type": "transfer", "conversation_id": d.conv, "team": "astrology", "reason": "wrong desk"}, frontline.EInvalid},
		{"bad conversation id", ana, map[string]any{"type": "open", "conversation_id": "a b"}, frontline.EInvalid},
		{"unknown conversation", ana, map[string]any{"type": "open", "conversation_id": "c_nope"}, frontline.ENotFound},
	} {
		c.frame["id"] = fmt.Sprint("b", i)
		if r := call(c.u, c.frame); r["type"] != "error" || r["code"] != c.code || r["message"] == "" {
			t.Errorf("%s: %v, want %s with a message", c.name, r, c.code)
		}
	}
	if r := call(ana, map[string]any{"type": "resolve", "id": "r1", "conversation_id": d.conv}); r["type"] != "ack" {
		t.Fatalf("resolve = %v", r)
	}
	if r := call(ana, map[string]any{"type": "resolve", "id": "r2", "conversation_id": d.conv}); r["code"] != frontline.EConflict {
		t.Errorf("second resolve = %v, want conflict", r)
	}
	e, _ := d.svc.Entry(ctx, d.conv)
	if d.events(t, frontline.EventClaim) != 1 || d.events(t, frontline.EventResolution) != 1 || d.events(t, frontline.EventTransfer) != 0 ||
		e.Status != frontline.QueueResolved || e.Team != "billing" || e.AssigneeID != ana.ID {
		t.Errorf("state after bad input: %+v", e)
	}
	if p, _ := d.svc.Entry(ctx, private.ID); p.Status != frontline.QueueWaiting {
		t.Errorf("the private conversation is %s, want still waiting", p.Status)
	}
}

// listCountingStore counts the queue listings: what a change costs the
// store.
type listCountingStore struct {
	handoff.Store
	lists atomic.Int32
}

func (s *listCountingStore) FindQueueEntries(ctx context.Context, f handoff.QueueFilter) ([]*frontline.QueueEntry, error) {
	s.lists.Add(1)
	return s.Store.FindQueueEntries(ctx, f)
}

// Every agent socket on a node is pushed its own view of a queue change,
// from one shared read of the queue: the store's cost of a change does not
// grow with the agents online.
func TestAgentSocketsShareOneQueueRead(t *testing.T) {
	t.Parallel()
	counting := &listCountingStore{}
	d := newDeskWith(t, func(s handoff.Store) handoff.Store { counting.Store = s; return counting })
	type sock struct {
		ws   *websocket.Conn
		sees bool // billing, where the new hand-off goes
	}
	var socks []sock
	for range 4 {
		for _, u := range []*frontline.User{ana, cara, ben} {
			ws, _, err := dialAgent(t, d, u)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			next(t, ws, "welcome")
			next(t, ws, "queue")
			socks = append(socks, sock{ws, u != ben})
		}
	}
	time.Sleep(200 * time.Millisecond) // past every socket's push spacing
	counting.lists.Store(0)
	c := &frontline.Conversation{VisitorID: "v_2"}
	if err := d.log.CreateConversation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Enqueue(context.Background(), frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1,
		Team: "billing", Priority: frontline.PriorityNormal, Reason: "refund"}); err != nil {
		t.Fatal(err)
	}
	for i, s := range socks {
		for {
			q := next(t, s.ws, "queue")
			got := fmt.Sprint(q["handoffs"])
			if strings.Contains(got, c.ID) != s.sees {
				if !s.sees {
					t.Fatalf("socket %d (technical) was shown the billing hand-off", i)
				}
				continue // an older push
			}
			break
		}
	}
	if n := counting.lists.Load(); n > 4 {
		t.Fatalf("one hand-off with %d agent sockets open listed the queue %d times, want one read per status (2; 4 if two notes)", len(socks), n)
	}
}
