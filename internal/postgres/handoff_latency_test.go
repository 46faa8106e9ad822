package postgres_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/storetest"
)

// node is one server process: its own pool, bus and hand-off service.
func node(tb testing.TB, db *postgres.DB) *handoff.Service {
	tb.Helper()
	bus := postgres.NewBus(db)
	if err := bus.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(bus.Close)
	return handoff.NewService(postgres.NewHandoffStore(db), db, bus, handoff.Config{})
}

// BenchmarkHandoffToAgent measures the time from a hand-off on node A (the
// customer's) to the "assigned" frame on the agent's socket served by node
// B, both on one PostgreSQL: the hand-off's commit, routing to the online
// agent, the bus across nodes and the agent's queue read.
func BenchmarkHandoffToAgent(b *testing.B) {
	ctx := context.Background()
	dbA := pgtest.NewDB(b)
	dbB, err := postgres.Open(ctx, postgres.Options{URL: pgtest.URL(), Schema: dbA.Schema(), MaxConns: 10})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(dbB.Close)
	nodeA, nodeB := node(b, dbA), node(b, dbB)
	agent := &frontline.User{ID: "u_dana", Name: "Dana", Roles: []frontline.Role{frontline.RoleAgent}}
	if err := nodeA.Store().PutAgent(ctx, handoff.Agent{UserID: agent.ID, Name: "Dana", Tiers: frontline.Tiers,
		Teams: []string{"billing", "support"}, Capacity: 10, Presence: frontline.PresenceOnline}); err != nil {
		b.Fatal(err)
	}
	if err := nodeA.Store().SetPresence(ctx, agent.ID, frontline.PresenceOnline, time.Now()); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(nodeB.Socket(func(*http.Request) (*frontline.User, error) { return agent, nil }, nil))
	defer srv.Close()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	waitFor := func(conv string) {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			var f struct {
				Type  string `json:"type"`
				Entry struct {
					ConversationID string `json:"conversation_id"`
				} `json:"entry"`
			}
			if err := ws.ReadJSON(&f); err != nil {
				b.Fatalf("waiting for %s: %v", conv, err)
			}
			if f.Type == "assigned" && (conv == "" || f.Entry.ConversationID == conv) {
				return
			}
		}
	}
	var lat, enq []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		c := storetest.MustCreateConversation(b, dbA, fmt.Sprintf("v_%d", i))
		i++
		b.StartTimer()
		start := time.Now()
		if _, err := nodeA.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: "billing",
			Priority: frontline.PriorityNormal, Reason: "asked for a person"}); err != nil {
			b.Fatal(err)
		}
		enq = append(enq, time.Since(start))
		waitFor(c.ID)
		lat = append(lat, time.Since(start))
		b.StopTimer()
		if _, err := nodeA.Resolve(ctx, agent, c.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	slices.Sort(enq)
	b.ReportMetric(float64(enq[len(enq)/2].Microseconds())/1000, "enqueue_p50_ms")
}
