package metrics_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/metrics"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// value reads one series of the registry, e.g.
// `frontline_sla_breaches_total{target="first_response"}`.
func value(t *testing.T, m *metrics.Metrics, name, labels string) float64 {
	t.Helper()
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			var got []string
			for _, l := range s.GetLabel() {
				got = append(got, l.GetName()+"="+l.GetValue())
			}
			if labels != "" && strings.Join(got, ",") != labels {
				continue
			}
			switch {
			case s.Counter != nil:
				sum += s.GetCounter().GetValue()
			case s.Gauge != nil:
				sum += s.GetGauge().GetValue()
			case s.Histogram != nil:
				sum += float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}

// SLA warnings and breaches are counted from what the timers commit, by
// target; a stale timer (which changes nothing) counts nothing.
func TestSLAWarningsAndBreaches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := metrics.New()
	log := memory.NewStore(memory.NewBus())
	store := memory.NewHandoffStore(log)
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	cfg := handoff.DefaultConfig()
	cfg.Now = clk.Now
	svc := handoff.NewService(m.HandoffStore(store), m.Log(log), nil, cfg)
	c := storetest.MustCreateConversation(t, log, "v_1")
	if _, err := svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: "support",
		Priority: frontline.PriorityUrgent, Reason: "asked for a person",
		Signals: []frontline.Signal{{Kind: frontline.SignalHumanRequest}, {Kind: frontline.SignalFrustration}, {Kind: frontline.SignalHumanRequest}}}); err != nil {
		t.Fatal(err)
	}
	if got := value(t, m, "frontline_handoffs_total", "reason=human_request"); got != 1 {
		t.Errorf("hand-offs for human_request = %v, want 1 (a kind counts once per hand-off)", got)
	}
	if got := value(t, m, "frontline_handoffs_total", "reason=frustration"); got != 1 {
		t.Errorf("hand-offs for frustration = %v, want 1", got)
	}
	timers := store.PendingTimers()
	if len(timers) == 0 {
		t.Fatal("the urgent hand-off set no SLA timers")
	}
	fired := map[handoff.TimerKind]int{}
	for _, tm := range timers {
		if tm.Target != handoff.TargetFirstResponse || (tm.Kind != handoff.TimerWarn && tm.Kind != handoff.TimerBreach) {
			continue
		}
		clk.Set(tm.At.Add(time.Second))
		if err := svc.Fire(ctx, tm); err != nil {
			t.Fatal(err)
		}
		fired[tm.Kind]++
	}
	if fired[handoff.TimerWarn] != 1 || fired[handoff.TimerBreach] != 1 {
		t.Fatalf("fired %v, want one first-response warning and one breach", fired)
	}
	if got := value(t, m, "frontline_sla_warnings_total", "target=first_response"); got != 1 {
		t.Errorf("first-response warnings = %v, want 1", got)
	}
	if got := value(t, m, "frontline_sla_breaches_total", "target=first_response"); got != 1 {
		t.Errorf("first-response breaches = %v, want 1", got)
	}
	// The same timers again are stale (the entry moved on): nothing more.
	for _, tm := range timers {
		if err := svc.Fire(ctx, tm); err != nil {
			t.Fatal(err)
		}
	}
	if got := value(t, m, "frontline_sla_breaches_total", ""); got != 1 {
		t.Errorf("breaches after stale timers = %v, want still 1", got)
	}
}

// The queue gauge is read from the store: a node that saw none of the
// traffic reports the same line as the node that took it.
func TestQueueGaugeReadsTheStore(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		log := memory.NewStore(memory.NewBus())
		store := memory.NewHandoffStore(log)
		queueSeenByTwoNodes(t, log, store, store)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db, schema := pgtest.NewUnmigratedDB(t)
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		other := pgtest.OpenSchema(t, schema) // a second node on the same database
		t.Cleanup(other.Close)
		queueSeenByTwoNodes(t, db, postgres.NewHandoffStore(db), postgres.NewHandoffStore(other))
	})
}

// queueSeenByTwoNodes hands two conversations off through the busy node's
// store and reads the line from both nodes' metrics.
func queueSeenByTwoNodes(t *testing.T, log frontline.Log, busyStore, idleStore handoff.Store) {
	ctx := context.Background()
	busy, idle := metrics.New(), metrics.New()
	if err := busy.Queue(busyStore); err != nil {
		t.Fatal(err)
	}
	if err := idle.Queue(idleStore); err != nil {
		t.Fatal(err)
	}
	svc := handoff.NewService(busy.HandoffStore(busyStore), busy.Log(log), nil, handoff.DefaultConfig())
	for _, v := range []string{"v_1", "v_2"} {
		c := storetest.MustCreateConversation(t, log, v)
		if _, err := svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier2, Team: "billing", Priority: frontline.PriorityNormal, Reason: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	for name, m := range map[string]*metrics.Metrics{"busy": busy, "idle": idle} {
		if got := value(t, m, "frontline_queue_waiting", "team=billing,tier=t2"); got != 2 {
			t.Errorf("the %s node's billing t2 line = %v, want 2", name, got)
		}
	}
}

// noopLog answers appends at once, to weigh the decorator alone.
type noopLog struct{ frontline.Log }

func (noopLog) AppendMessage(ctx context.Context, req frontline.AppendRequest) (frontline.AppendResult, error) {
	return frontline.AppendResult{Message: req.Message}, nil
}

var customerMsg = frontline.AppendRequest{Message: frontline.Message{ConversationID: "c_1", Author: frontline.AuthorCustomer, Body: "hi"}}
var botReply = frontline.AppendRequest{Answers: 1, Message: frontline.Message{ConversationID: "c_1", Author: frontline.AuthorBot, Body: "hello",
	Meta: frontline.MessageMeta{Kind: "answer"}}}

// Counting a message allocates nothing: the counters are bound once.
func TestCountingAMessageAllocatesNothing(t *testing.T) {
	m := metrics.New()
	log := m.Log(noopLog{})
	ctx := context.Background()
	allocs := testing.AllocsPerRun(200, func() {
		log.AppendMessage(ctx, customerMsg)
		log.AppendMessage(ctx, botReply)
	})
	if allocs != 0 {
		t.Errorf("counting a customer message and a reply allocates %v times, want 0", allocs)
	}
	if got := value(t, m, "frontline_bot_decisions_total", "outcome=answered"); got < 200 {
		t.Errorf("answered = %v after 200 replies", got)
	}
}

func BenchmarkObservedAppend(b *testing.B) {
	m := metrics.New()
	log := m.Log(noopLog{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		log.AppendMessage(ctx, customerMsg)
	}
}

type recentNoop struct{ noopLog }

func (recentNoop) RecentMessages(string, int64, int64) ([]frontline.Message, bool) {
	return []frontline.Message{{Seq: 7}}, true
}

// The decorated Log keeps the widget's fast path to this node's recent
// appends (internal/postgres's RecentMessages).
func TestObservedLogForwardsRecentMessages(t *testing.T) {
	type recentLog interface {
		RecentMessages(string, int64, int64) ([]frontline.Message, bool)
	}
	rl, ok := metrics.New().Log(recentNoop{}).(recentLog)
	if !ok {
		t.Fatal("the observed Log hides RecentMessages")
	}
	if msgs, ok := rl.RecentMessages("c_1", 6, 7); !ok || len(msgs) != 1 || msgs[0].Seq != 7 {
		t.Errorf("RecentMessages = %v, %v; want the inner Log's answer", msgs, ok)
	}
	if _, ok := metrics.New().Log(noopLog{}).(recentLog).RecentMessages("c_1", 0, 1); ok {
		t.Error("RecentMessages answered for a Log that keeps no recent appends")
	}
}
