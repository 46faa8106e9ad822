package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// socketNode is one server's people and hand-off services, with the agent
// socket wired as cmd/frontline wires it.
type socketNode struct {
	people *auth.Service
	queue  *handoff.Service
	wsURL  string
}

// testClock is a clock the test moves (session expiry).
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

// socketNodes returns two nodes on one store: on Postgres two of
// everything over one database, as two processes would be; in memory two
// services over the one process's stores.
func socketNodes(t *testing.T, store string, clock *testClock) [2]*socketNode {
	var (
		people handoffStores
		nodes  [2]*socketNode
	)
	if store == "postgres" {
		db := pgtest.NewDB(t)
		people = handoffStores{auth: func() auth.Store { return postgres.NewAuthStore(db) },
			queue: func() handoff.Store { return postgres.NewHandoffStore(db) }, log: db}
	} else {
		log := memory.NewStore(nil)
		as, hs := memory.NewAuthStore(), memory.NewHandoffStore(log)
		people = handoffStores{auth: func() auth.Store { return as }, queue: func() handoff.Store { return hs }, log: log}
	}
	for i := range nodes {
		p, err := auth.New(people.auth(), auth.Options{Now: clock.now, Password: auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		q := handoff.NewService(people.queue(), people.log, nil, handoff.Config{})
		srv := httptest.NewServer(q.Socket(func(r *http.Request) (*frontline.User, error) {
			return p.Authenticate(r, handoff.SocketRoles...)
		}, nil))
		t.Cleanup(srv.Close)
		nodes[i] = &socketNode{people: p, queue: q, wsURL: "ws" + strings.TrimPrefix(srv.URL, "http") + handoff.SocketPath}
	}
	return nodes
}

type handoffStores struct {
	auth  func() auth.Store
	queue func() handoff.Store
	log   frontline.Log
}

// TestAgentSocketSessionEnds: every agent socket message is authorized
// afresh. A session or token ended on node A (logout, expiry, a role
// taken away, the account disabled, a password reset, a revoked token)
// is refused at its socket's very next message on node B, with
// unauthorized and close 4401, and the refused message changes nothing.
// A role narrowed but not removed refuses what it no longer allows and
// keeps the socket. On both stores.
func TestAgentSocketSessionEnds(t *testing.T) {
	t.Parallel()
	const password = "correct horse battery staple"
	type endFunc func(ctx context.Context, a *socketNode, u *frontline.User, cred string, clock *testClock) error
	cases := []struct {
		name  string
		roles []frontline.Role
		token bool // an API token instead of a session cookie
		end   endFunc
	}{
		{name: "logged out", end: func(ctx context.Context, a *socketNode, _ *frontline.User, cred string, _ *testClock) error {
			return a.people.Logout(ctx, cred)
		}},
		{name: "expired", end: func(_ context.Context, _ *socketNode, _ *frontline.User, _ string, clock *testClock) error {
			clock.add(auth.DefaultSessionTTL + time.Second)
			return nil
		}},
		{name: "role revoked", end: func(ctx context.Context, a *socketNode, u *frontline.User, _ string, _ *testClock) error {
			_, err := a.people.UpdateUser(ctx, nil, u.ID, auth.UserUpdate{Roles: &[]frontline.Role{frontline.RoleEditor}})
			return err
		}},
		{name: "account disabled", end: func(ctx context.Context, a *socketNode, u *frontline.User, _ string, _ *testClock) error {
			yes := true
			_, err := a.people.UpdateUser(ctx, nil, u.ID, auth.UserUpdate{Disabled: &yes})
			return err
		}},
		{name: "password reset by an admin", end: func(ctx context.Context, a *socketNode, u *frontline.User, _ string, _ *testClock) error {
			return a.people.SetPassword(ctx, u.ID, "a brand new passphrase")
		}},
		{name: "API token revoked", token: true, end: func(ctx context.Context, a *socketNode, u *frontline.User, _ string, _ *testClock) error {
			toks, err := a.people.APITokens(ctx, u)
			if err != nil || len(toks) != 1 {
				return fmt.Errorf("tokens %v: %v", toks, err)
			}
			return a.people.RevokeAPIToken(ctx, u, toks[0].ID)
		}},
	}
	for _, store := range []string{"memory", "postgres"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					// Each case its own clock and nodes: expiry moves time.
					clock := &testClock{at: time.Now().UTC()}
					nodes := socketNodes(t, store, clock)
					a, b := nodes[0], nodes[1]
					ctx := context.Background()
					u, err := a.people.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("agent%d@example.com", i), Name: "Ann", Roles: []frontline.Role{frontline.RoleAgent}, Password: password})
					if err != nil {
						t.Fatal(err)
					}
					if err := a.queue.PutAgent(ctx, handoff.Agent{UserID: u.ID, Name: "Ann", Tiers: frontline.Tiers, Teams: []string{"support"}, Capacity: 2}); err != nil {
						t.Fatal(err)
					}
					h := http.Header{}
					var cred string
					if c.token {
						_, cred, err = a.people.CreateAPIToken(ctx, u, "console script", 0)
						h.Set("Authorization", "Bearer "+cred)
					} else {
						_, cred, err = a.people.Login(ctx, u.Email, password, "192.0.2.1")
						h.Set("Cookie", auth.SessionCookie+"="+cred)
					}
					if err != nil {
						t.Fatal(err)
					}
					ws := dialSocket(t, b.wsURL, h)
					if r := socketCall(t, ws, map[string]any{"type": "presence", "id": "p1", "presence": "away"}); r["type"] != "ack" {
						t.Fatalf("before: %v, want an ack", r)
					}
					if err := c.end(ctx, a, u, cred, clock); err != nil {
						t.Fatal(err)
					}
					r := socketCall(t, ws, map[string]any{"type": "presence", "id": "p2", "presence": "online"})
					if r["type"] != "error" || r["code"] != frontline.EUnauthorized {
						t.Fatalf("the next message after %s: %v, want unauthorized", c.name, r)
					}
					if code := closeCodeOf(t, ws); code != handoff.CloseSessionEnded {
						t.Fatalf("closed with %d, want %d (session ended)", code, handoff.CloseSessionEnded)
					}
					if ag, err := b.queue.Store().FindAgent(ctx, u.ID); err != nil || ag.Presence != frontline.PresenceAway {
						t.Fatalf("presence %v (err %v) after the refused message, want still away", ag, err)
					}
				})
			}

			t.Run("role narrowed", func(t *testing.T) {
				clock := &testClock{at: time.Now().UTC()}
				nodes := socketNodes(t, store, clock)
				a, b := nodes[0], nodes[1]
				ctx := context.Background()
				u, err := a.people.CreateUser(ctx, auth.NewUser{Email: "sue@example.com", Roles: []frontline.Role{frontline.RoleSupervisor}, Password: password})
				if err != nil {
					t.Fatal(err)
				}
				_, token, err := a.people.Login(ctx, u.Email, password, "192.0.2.1")
				if err != nil {
					t.Fatal(err)
				}
				ws := dialSocket(t, b.wsURL, http.Header{"Cookie": {auth.SessionCookie + "=" + token}})
				reassign := map[string]any{"type": "reassign", "id": "r1", "conversation_id": "c_nosuchconversation", "agent_id": "u_x"}
				if r := socketCall(t, ws, reassign); r["code"] != frontline.ENotFound {
					t.Fatalf("reassign as a supervisor: %v, want not_found (allowed, nothing there)", r)
				}
				if _, err := a.people.UpdateUser(ctx, nil, u.ID, auth.UserUpdate{Roles: &[]frontline.Role{frontline.RoleAgent}}); err != nil {
					t.Fatal(err)
				}
				reassign["id"] = "r2"
				if r := socketCall(t, ws, reassign); r["code"] != frontline.EForbidden {
					t.Fatalf("reassign once only an agent: %v, want forbidden", r)
				}
				if r := socketCall(t, ws, map[string]any{"type": "claim_next", "id": "c1"}); r["code"] == frontline.EUnauthorized || r["code"] == frontline.EForbidden && strings.Contains(fmt.Sprint(r["message"]), "role") {
					t.Fatalf("claim_next as an agent: %v, want it let through", r)
				}
			})
		})
	}
}

func dialSocket(t *testing.T, url string, h http.Header) *websocket.Conn {
	t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial the agent socket: %v (HTTP %d)", err, status)
	}
	ws.SetCloseHandler(func(int, string) error { return nil }) // read by the test
	t.Cleanup(func() { ws.Close() })
	return ws
}

// socketCall sends one message and returns its ack or error.
func socketCall(t *testing.T, ws *websocket.Conn, f map[string]any) map[string]any {
	t.Helper()
	f["v"] = handoff.SocketProtocolVersion
	if err := ws.WriteJSON(f); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		var r map[string]any
		if err := ws.ReadJSON(&r); err != nil {
			t.Fatalf("waiting for the answer to %v: %v", f["id"], err)
		}
		// An error ending the session names no id: it answers whatever came.
		if (r["type"] == "ack" || r["type"] == "error") && (r["id"] == f["id"] || r["id"] == nil) {
			return r
		}
	}
}

// closeCodeOf reads until the server closes and returns its close code.
func closeCodeOf(t *testing.T, ws *websocket.Conn) int {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("want a close frame, got %v", err)
			}
			return ce.Code
		}
	}
}
