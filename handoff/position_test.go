package handoff_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
)

// countingStore counts the reads of places in line: the store work a queue
// change costs.
type countingStore struct {
	handoff.Store
	ranks atomic.Int32
}

func (s *countingStore) QueueRank(ctx context.Context, id string) (*frontline.QueueEntry, int, error) {
	s.ranks.Add(1)
	return s.Store.QueueRank(ctx, id)
}

func (s *countingStore) WaitingPlaces(ctx context.Context) (map[string]handoff.WaitingPlace, error) {
	s.ranks.Add(1)
	return s.Store.WaitingPlaces(ctx)
}

// waitingLine queues n conversations, a millisecond of *now apart, on a
// service whose clock is *now; the store counts its reads of places.
func waitingLine(t *testing.T, n int, now *time.Time) (*handoff.Service, *countingStore, []string) {
	t.Helper()
	ctx := context.Background()
	bus := memory.NewBus()
	log := memory.NewStore(bus)
	store := &countingStore{Store: memory.NewHandoffStore(log)}
	cfg := handoff.DefaultConfig()
	cfg.Now = func() time.Time { return *now }
	svc := handoff.NewService(store, log, bus, cfg)
	convs := make([]string, n)
	for i := range convs {
		c := &frontline.Conversation{VisitorID: "v"}
		if err := log.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityNormal}); err != nil {
			t.Fatal(err)
		}
		*now = now.Add(time.Millisecond) // arrival order decides places
		convs[i] = c.ID
	}
	store.ranks.Store(0)
	return svc, store, convs
}

// Waiting customers re-ask their place on every queue change; within the
// cache's lifetime a node answers from memory, and a change made through the
// node itself shows at once.
func TestQueuePositionIsCachedBriefly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	svc, store, convs := waitingLine(t, 2, &now)
	position := func() int {
		t.Helper()
		qp, err := svc.QueuePosition(ctx, convs[1])
		if err != nil {
			t.Fatal(err)
		}
		return qp.Position
	}
	if got := position(); got != 2 {
		t.Fatalf("position = %d, want 2", got)
	}
	for range 10 {
		position()
	}
	if n := store.ranks.Load(); n != 1 {
		t.Fatalf("11 asks within the cache's life read the store %d times, want 1", n)
	}
	agent := handoff.Agent{UserID: "agent_1", Name: "Dana", Tiers: frontline.Tiers, Teams: []string{"support"}, Capacity: 5}
	if err := svc.Store().PutAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	user := &frontline.User{ID: "agent_1", Roles: []frontline.Role{frontline.RoleAgent}}
	if _, err := svc.Claim(ctx, user, convs[0]); err != nil {
		t.Fatal(err)
	}
	if got := position(); got != 1 {
		t.Fatalf("position after the one ahead was claimed = %d, want 1 at once", got)
	}
	now = now.Add(time.Second)
	before := store.ranks.Load()
	position()
	if store.ranks.Load() != before+1 {
		t.Fatal("an answer older than the cache's life was not refreshed")
	}
}

// However many waiting customers ask at once after a queue change, the node
// reads the line once and each gets its own place.
func TestWaitingCustomersShareOneRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const n = 50
	svc, store, convs := waitingLine(t, n, &now)
	places := make([]int, n)
	var wg sync.WaitGroup
	for i, id := range convs {
		wg.Go(func() {
			qp, err := svc.QueuePosition(ctx, id)
			if err != nil {
				t.Error(err)
			}
			places[i] = qp.Position
		})
	}
	wg.Wait()
	if got := store.ranks.Load(); got != 1 {
		t.Errorf("%d customers asking at once read the store %d times, want 1", n, got)
	}
	for i, p := range places {
		if p != i+1 {
			t.Fatalf("places = %v, want 1..%d in arrival order", places, n)
		}
	}
}

// A change made through another node (another Service on the same store
// and bus) shows in this node's places as soon as WatchQueue signals it,
// however young the cached answer: the clock here never moves, so only the
// bus note can empty the cache.
func TestWatchQueueSignalsAfterAnotherNodesChange(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	bus := memory.NewBus()
	log := memory.NewStore(bus)
	store := memory.NewHandoffStore(log)
	cfg := handoff.DefaultConfig()
	cfg.Now = func() time.Time { return now }
	here, there := handoff.NewService(store, log, bus, cfg), handoff.NewService(store, log, bus, cfg)
	var convs []string
	for range 2 {
		c := &frontline.Conversation{VisitorID: "v"}
		if err := log.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := there.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityNormal}); err != nil {
			t.Fatal(err)
		}
		convs = append(convs, c.ID)
	}
	changes := here.WatchQueue(ctx)
	drain := func() {
		for {
			select {
			case <-changes:
			case <-time.After(50 * time.Millisecond):
				return
			}
		}
	}
	drain()
	position := func() int {
		t.Helper()
		qp, err := here.QueuePosition(ctx, convs[1])
		if err != nil {
			t.Fatal(err)
		}
		return qp.Position
	}
	if got := position(); got != 2 {
		t.Fatalf("position = %d, want 2", got)
	}
	agent := handoff.Agent{UserID: "agent_1", Name: "Dana", Tiers: frontline.Tiers, Teams: []string{"support"}, Capacity: 5}
	if err := there.Store().PutAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	drain()
	user := &frontline.User{ID: "agent_1", Roles: []frontline.Role{frontline.RoleAgent}}
	if _, err := there.Claim(ctx, user, convs[0]); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
	case <-time.After(10 * time.Second):
		t.Fatal("no signal for the other node's claim")
	}
	if got := position(); got != 1 {
		t.Fatalf("position after the other node's claim = %d, want 1 (a stale cached place)", got)
	}
	cancel()
	select {
	case _, ok := <-changes:
		for ok {
			_, ok = <-changes
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WatchQueue's channel stayed open after its context ended")
	}
}
