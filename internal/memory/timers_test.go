package memory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/storetest"
)

// The in-process runner fires a due timer once, on the clock it is given,
// and leaves timers not yet due.
func TestTimerRunnerFiresDueTimersOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	log := memory.NewStore(nil)
	store := memory.NewHandoffStore(log)
	svc := handoff.NewService(store, log, nil, handoff.Config{Now: clock})
	c := storetest.MustCreateConversation(t, log, "v_1")
	if _, err := svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityUrgent}); err != nil {
		t.Fatal(err)
	}
	pending := len(store.PendingTimers())
	if pending == 0 {
		t.Fatal("no timers set by a hand-off")
	}
	fired := make(chan handoff.Timer, 16)
	r := memory.NewTimerRunner(store, clock, time.Hour) // only Kick wakes it
	if err := r.Start(ctx, func(ctx context.Context, tm handoff.Timer) error {
		err := svc.Fire(ctx, tm)
		fired <- tm
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx)

	mu.Lock()
	now = now.Add(13 * time.Minute) // urgent: warning at 12m, breach at 15m
	mu.Unlock()
	r.Kick()
	if tm := <-fired; tm.Kind != handoff.TimerWarn || tm.Target != handoff.TargetFirstResponse {
		t.Fatalf("fired %+v, want the first-response warning", tm)
	}
	mu.Lock()
	now = now.Add(3 * time.Minute)
	mu.Unlock()
	r.Kick()
	if tm := <-fired; tm.Kind != handoff.TimerBreach {
		t.Fatalf("fired %+v, want the breach", tm)
	}
	// The breach moved it up a tier with fresh timers: none is due yet.
	for _, tm := range store.PendingTimers() {
		if !tm.At.After(clock()) {
			t.Fatalf("timer %+v is due and was not fired", tm)
		}
	}
	evs, err := log.FindEvents(ctx, frontline.EventFilter{ConversationID: c.ID, Kinds: []frontline.EventKind{frontline.EventSLAWarning, frontline.EventSLABreach}})
	if err != nil || len(evs) != 2 {
		t.Fatalf("events %v (%v), want one warning and one breach", evs, err)
	}
}
