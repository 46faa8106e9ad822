package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/storetest"
)

// queueOf enqueues n conversations, alternating two teams, through svc.
func queueOf(tb testing.TB, svc *handoff.Service, log frontline.Log, n int) []string {
	tb.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	prios := []frontline.Priority{frontline.PriorityLow, frontline.PriorityNormal, frontline.PriorityHigh, frontline.PriorityUrgent}
	for i := range ids {
		c := storetest.MustCreateConversation(tb, log, fmt.Sprintf("v_%d", i))
		team := []string{"billing", "support"}[i%2]
		if _, err := svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: team,
			Priority: prios[i%len(prios)], Reason: "asked for a person"}); err != nil {
			tb.Fatal(err)
		}
		ids[i] = c.ID
	}
	return ids
}

// TestClaimRace: 50 agents, each on a connection of their own, race to
// claim 1,000 hand-offs: no conversation is claimed twice, no agent holds
// more than their capacity, and none is left waiting while any agent has
// room.
func TestClaimRace(t *testing.T) {
	t.Parallel()
	const agents, handoffs = 50, 1000
	db := pgtest.NewDB(t)
	svc := handoff.NewService(postgres.NewHandoffStore(db), db, nil, handoff.Config{})
	ids := queueOf(t, svc, db, handoffs)

	// The agents' own pool: one connection each.
	adb, err := postgres.Open(context.Background(), postgres.Options{URL: pgtest.URL(), Schema: db.Schema(), MaxConns: agents})
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	asvc := handoff.NewService(postgres.NewHandoffStore(adb), adb, nil, handoff.Config{})
	capacity := map[string]int{}
	total := 0
	for i := range agents {
		a := handoff.Agent{UserID: fmt.Sprintf("agent_%02d", i), Name: fmt.Sprintf("Agent %d", i), Tiers: []frontline.Tier{frontline.Tier1},
			Teams: []string{"billing", "support"}, Capacity: 10 + i%10}
		if err := asvc.Store().PutAgent(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		capacity[a.UserID] = a.Capacity
		total += a.Capacity
	}

	var claims atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for id := range capacity {
		u := &frontline.User{ID: id, Roles: []frontline.Role{frontline.RoleAgent}}
		wg.Go(func() {
			<-start
			for {
				_, err := asvc.ClaimNext(context.Background(), u)
				switch frontline.ErrorCode(err) {
				case "":
					claims.Add(1)
					continue
				case frontline.EConflict, frontline.ENotFound: // full, or nothing left
				default:
					t.Error(err)
				}
				return
			}
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(began)

	// Count from the audit trail and the queue.
	perConv := map[string]int{}
	perAgent := map[string]int{}
	evs, err := db.FindEvents(context.Background(), frontline.EventFilter{Kinds: []frontline.EventKind{frontline.EventClaim}, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		perConv[ev.ConversationID]++
		perAgent[ev.Actor]++
	}
	for conv, n := range perConv {
		if n != 1 {
			t.Errorf("%s claimed %d times", conv, n)
		}
	}
	held := 0
	for id, n := range perAgent {
		if n > capacity[id] {
			t.Errorf("%s holds %d, capacity %d", id, n, capacity[id])
		}
		held += n
	}
	waiting := 0
	for _, id := range ids {
		e, err := svc.Entry(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		switch e.Status {
		case frontline.QueueWaiting:
			waiting++
		case frontline.QueueAssigned:
			if perConv[id] != 1 {
				t.Errorf("%s assigned with %d claim events", id, perConv[id])
			}
		}
	}
	if held != total || waiting != handoffs-total || int(claims.Load()) != total {
		t.Errorf("claimed %d (events %d), waiting %d; want every seat (%d) taken and %d waiting", claims.Load(), held, waiting, total, handoffs-total)
	}
	t.Logf("%d agents, %d hand-offs, capacity %d: %d claimed, %d claimed twice, %d agents over capacity, %d waiting; %.0f claims/s",
		agents, handoffs, total, held, countOver(perConv, 1), countOverCapacity(perAgent, capacity), waiting, float64(held)/elapsed.Seconds())
}

func countOver(m map[string]int, limit int) int {
	n := 0
	for _, v := range m {
		if v > limit {
			n++
		}
	}
	return n
}

func countOverCapacity(held, capacity map[string]int) int {
	n := 0
	for id, v := range held {
		if v > capacity[id] {
			n++
		}
	}
	return n
}

// BenchmarkClaimNext measures claims per second by agent count: each agent
// pulls the next conversation of their line until b.N are taken.
func BenchmarkClaimNext(b *testing.B) {
	for _, agents := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("agents=%d", agents), func(b *testing.B) {
			db := pgtest.NewDB(b)
			svc := handoff.NewService(postgres.NewHandoffStore(db), db, nil, handoff.Config{})
			queueOf(b, svc, db, b.N)
			users := make(chan *frontline.User, agents)
			for i := range agents {
				id := fmt.Sprintf("agent_%d", i)
				if err := svc.Store().PutAgent(context.Background(), handoff.Agent{UserID: id, Name: id, Tiers: []frontline.Tier{frontline.Tier1},
					Teams: []string{"billing", "support"}, Capacity: 100}); err != nil {
					b.Fatal(err)
				}
				users <- &frontline.User{ID: id, Roles: []frontline.Role{frontline.RoleAgent}}
			}
			b.SetParallelism(max(1, agents/2)) // GOMAXPROCS(2) × this = agents
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var u *frontline.User
				select {
				case u = <-users:
				default:
					u = &frontline.User{ID: "agent_0", Roles: []frontline.Role{frontline.RoleAgent}}
				}
				for pb.Next() {
					if _, err := svc.ClaimNext(context.Background(), u); err != nil && frontline.ErrorCode(err) != frontline.EConflict {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
		})
	}
}
