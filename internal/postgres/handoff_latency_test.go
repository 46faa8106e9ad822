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
	// The agent's frames are read as they come, each "assigned" stamped
	// on arrival (the hand-off's own call returns later: it posts the
	// customer's notice after routing).
	type arrival struct {
		conv string
		at   time.Time
	}
	arrivals := make(chan arrival, 16)
	go func() {
		for {
			var f struct {
				Type  string `json:"type"`
				Entry struct {
					ConversationID string `json:"conversation_id"`
				} `json:"entry"`
			}
			if err := ws.ReadJSON(&f); err != nil {
				close(arrivals)
				return
			}
			if f.Type == "assigned" {
				arrivals <- arrival{f.Entry.ConversationID, time.Now()}
			}
		}
	}()
	waitFor := func(conv string) time.Time {
		timeout := time.After(10 * time.Second)
		for {
			select {
			case a, ok := <-arrivals:
				if !ok {
					b.Fatal("agent socket closed")
				}
				if a.conv == conv {
					return a.at
				}
			case <-timeout:
				b.Fatalf("no assigned frame for %s", conv)
			}
		}
	}
	// A bare one-row commit timed in the same loop: the machine's floor,
	// to read the hand-off's latency against when the machine is busy.
	if _, err := dbA.Pool().Exec(ctx, `CREATE TABLE bare_commit (id bigserial PRIMARY KEY, v int)`); err != nil {
		b.Fatal(err)
	}
	var lat, enq, bare []time.Duration
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
		lat = append(lat, waitFor(c.ID).Sub(start))
		b.StopTimer()
		if _, err := nodeA.Resolve(ctx, agent, c.ID); err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		if _, err := dbA.Pool().Exec(ctx, `INSERT INTO bare_commit (v) VALUES (1)`); err != nil {
			b.Fatal(err)
		}
		bare = append(bare, time.Since(t))
		b.StartTimer()
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	slices.Sort(enq)
	b.ReportMetric(float64(enq[len(enq)/2].Microseconds())/1000, "enqueue_p50_ms")
	slices.Sort(bare)
	b.ReportMetric(float64(bare[len(bare)/2].Microseconds())/1000, "bare_commit_p50_ms")
}
