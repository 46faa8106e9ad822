package postgres_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// BenchmarkAgentSocketMessage is what authorizing every agent socket
// message costs on PostgreSQL. session_check is the check alone (hash the
// cookie, one indexed read of sessions joined with users, the role);
// message is one round trip of a message that does nothing else ("close"
// of a conversation not open) through the socket with that check, and
// message_unchecked the same through a socket whose authenticator
// returns a fixed user: the difference is the check's share.
func BenchmarkAgentSocketMessage(b *testing.B) {
	ctx := context.Background()
	db := pgtest.NewDB(b)
	people, err := auth.New(postgres.NewAuthStore(db), auth.Options{Password: auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	const password = "correct horse battery staple"
	u, err := people.CreateUser(ctx, auth.NewUser{Email: "ann@example.com", Roles: []frontline.Role{frontline.RoleAgent}, Password: password})
	if err != nil {
		b.Fatal(err)
	}
	_, token, err := people.Login(ctx, u.Email, password, "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	queue := handoff.NewService(postgres.NewHandoffStore(db), db, nil, handoff.Config{})
	if err := queue.PutAgent(ctx, handoff.Agent{UserID: u.ID, Name: "Ann", Tiers: frontline.Tiers, Teams: []string{"support"}, Capacity: 2}); err != nil {
		b.Fatal(err)
	}
	cookie := http.Header{"Cookie": {auth.SessionCookie + "=" + token}}

	b.Run("session_check", func(b *testing.B) {
		r := httptest.NewRequest("GET", "http://example.com"+handoff.SocketPath, nil)
		r.Header = cookie
		for b.Loop() {
			if _, err := people.Authenticate(r, handoff.SocketRoles...); err != nil {
				b.Fatal(err)
			}
		}
	})
	roundTrips := func(b *testing.B, authn handoff.Authenticator) {
		srv := httptest.NewServer(queue.Socket(authn, nil))
		defer srv.Close()
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), cookie)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		msg := map[string]any{"v": handoff.SocketProtocolVersion, "type": "close", "id": "m", "conversation_id": "c_benchmark"}
		for b.Loop() {
			if err := ws.WriteJSON(msg); err != nil {
				b.Fatal(err)
			}
			_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			for {
				var f map[string]any
				if err := ws.ReadJSON(&f); err != nil {
					b.Fatal(err)
				}
				if f["type"] == "error" {
					b.Fatalf("refused: %v", f)
				}
				if f["type"] == "ack" {
					break
				}
			}
		}
	}
	b.Run("message", func(b *testing.B) {
		roundTrips(b, func(r *http.Request) (*frontline.User, error) { return people.Authenticate(r, handoff.SocketRoles...) })
	})
	b.Run("message_unchecked", func(b *testing.B) {
		roundTrips(b, func(*http.Request) (*frontline.User, error) { return u, nil })
	})
}
