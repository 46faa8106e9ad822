package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// testClock is a clock a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func countEvents(t *testing.T, log frontline.Log, kind frontline.EventKind) map[string]int {
	t.Helper()
	evs, err := log.FindEvents(context.Background(), frontline.EventFilter{Kinds: []frontline.EventKind{kind}, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, ev := range evs {
		out[ev.ConversationID]++
	}
	return out
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// waitForEvents waits until kind was recorded want times in all (the
// timers fire on their own goroutines), failing after a few seconds.
func waitForEvents(t *testing.T, log frontline.Log, kind frontline.EventKind, want int) map[string]int {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := countEvents(t, log, kind)
		if total(got) >= want || time.Now().After(deadline) {
			if total(got) != want {
				t.Fatalf("%d %s events, want %d", total(got), kind, want)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSLATimersTwoNodesOneRestarted: two nodes on one database fire the
// SLA timers of 20 hand-offs on a clock the test moves; one node is
// stopped and a new one started half-way. Every warning and breach
// happens exactly once, and escalates as its policy says.
func TestSLATimersTwoNodesOneRestarted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	clock := &testClock{t: t0}
	db1 := pgtest.NewDB(t)
	db2, err := postgres.Open(ctx, postgres.Options{URL: pgtest.URL(), Schema: db1.Schema(), MaxConns: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	cfg := handoff.Config{Now: clock.Now}
	svc1 := handoff.NewService(postgres.NewHandoffStore(db1), db1, nil, cfg)
	svc2 := handoff.NewService(postgres.NewHandoffStore(db2), db2, nil, cfg)
	m := func(n int) handoff.Duration { return handoff.Duration(time.Duration(n) * time.Minute) }
	for _, p := range []handoff.SLAPolicy{
		{Priority: frontline.PriorityUrgent, FirstResponse: m(10), NextResponse: m(10), Resolution: m(240), WarnAt: 0.8, Escalation: handoff.EscalateTierUp},
		{Priority: frontline.PriorityNormal, FirstResponse: m(20), NextResponse: m(20), Resolution: m(240), WarnAt: 0.8, Escalation: handoff.EscalateNotify},
	} {
		if err := svc1.Store().PutSLAPolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	ids := queueOf(t, svc1, db1, 20) // low, normal, high, urgent in turn
	urgent, normal := 5, 5

	opts := postgres.TimerOptions{Now: clock.Now, PollInterval: 50 * time.Millisecond}
	r1 := postgres.NewTimerRunner(db1, opts)
	r2 := postgres.NewTimerRunner(db2, opts)
	for _, r := range []struct {
		r   *postgres.TimerRunner
		svc *handoff.Service
	}{{r1, svc1}, {r2, svc2}} {
		if err := r.r.Start(ctx, r.svc.Fire); err != nil {
			t.Fatal(err)
		}
	}
	defer r1.Stop(ctx)

	clock.Set(t0.Add(9 * time.Minute)) // urgent warnings (at 8m)
	waitForEvents(t, db1, frontline.EventSLAWarning, urgent)

	// Node 2 restarts.
	if err := r2.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	r2 = postgres.NewTimerRunner(db2, opts)
	if err := r2.Start(ctx, svc2.Fire); err != nil {
		t.Fatal(err)
	}
	defer r2.Stop(ctx)

	clock.Set(t0.Add(11 * time.Minute)) // urgent breaches: up to t2, due again at 21m
	waitForEvents(t, db1, frontline.EventSLABreach, urgent)
	clock.Set(t0.Add(22 * time.Minute)) // normal breaches (notify); urgent warned at 19m and breached at 21m in t2: up to t3
	got := waitForEvents(t, db1, frontline.EventEscalation, 2*urgent+normal)
	clock.Set(t0.Add(23 * time.Minute))
	waitTimersDone(t, db1, t0.Add(23*time.Minute)) // every due timer ran, stale ones included

	for i, id := range ids {
		want := map[int]int{1: 1, 3: 2}[i%4] // normal once, urgent twice
		if got[id] != want {
			t.Errorf("%s (%d): %d escalations, want %d", id, i, got[id], want)
		}
		e, err := svc1.Entry(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if i%4 == 3 && e.Tier != frontline.Tier3 {
			t.Errorf("urgent %s is at %s after two breaches, want t3", id, e.Tier)
		}
	}
	if n := total(countEvents(t, db1, frontline.EventEscalation)); n != 2*urgent+normal {
		t.Errorf("%d escalations after the clock moved on, want %d", n, 2*urgent+normal)
	}
}

// waitTimersDone waits until every timer due by at has completed.
func waitTimersDone(t *testing.T, db *postgres.DB, at time.Time) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var left int
		if err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM river_job
			WHERE kind = 'frontline_sla_timer' AND state <> 'completed' AND scheduled_at <= $1`, at).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d due timers not completed", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSLABreachOnTime: on the real clock a breach is recorded within a
// second of its deadline.
func TestSLABreachOnTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	svc := handoff.NewService(postgres.NewHandoffStore(db), db, nil, handoff.Config{})
	if err := svc.Store().PutSLAPolicy(ctx, handoff.SLAPolicy{Priority: frontline.PriorityUrgent,
		FirstResponse: handoff.Duration(time.Second), NextResponse: handoff.Duration(time.Minute), Resolution: handoff.Duration(time.Hour),
		Escalation: handoff.EscalateNotify}); err != nil {
		t.Fatal(err)
	}
	r := postgres.NewTimerRunner(db, postgres.TimerOptions{})
	if err := r.Start(ctx, svc.Fire); err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx)
	ids := queueOf(t, svc, db, 4) // one urgent
	e, err := svc.Entry(ctx, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	waitForEvents(t, db, frontline.EventSLABreach, 1)
	evs, err := db.FindEvents(ctx, frontline.EventFilter{ConversationID: ids[3], Kinds: []frontline.EventKind{frontline.EventSLABreach}})
	if err != nil || len(evs) != 1 {
		t.Fatalf("breach events %v (%v), want 1", evs, err)
	}
	late := evs[0].CreatedAt.Sub(e.DueAt)
	t.Logf("breach recorded %v after its deadline", late)
	if late < 0 || late > time.Second {
		t.Fatalf("breach recorded %v after its deadline, want within 1s", late)
	}
}
