package handofftest

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

// ReportStore is what the report suite tests: a log, the reports over it,
// and a way to move what was written to the moments the test needs (both
// stores stamp rows with their own clock).
type ReportStore struct {
	Log     frontline.Log
	Reports handoff.ReportStore
	// SetEventTime and SetMessageTime change when an event or a message
	// was recorded.
	SetEventTime   func(t *testing.T, eventID int64, at time.Time)
	SetMessageTime func(t *testing.T, conversationID string, seq int64, at time.Time)
}

// RunReportTests holds a ReportStore to the figures of one scripted week:
// hand-offs by day, reason and severity, response and resolution times,
// SLA breaches, CSAT, deflection and unanswered questions.
func RunReportTests(t *testing.T, newStore func(t *testing.T) ReportStore) {
	t.Run("FiguresOfAScriptedPeriod", func(t *testing.T) {
		t.Parallel()
		testReportFigures(t, newStore(t))
	})
	t.Run("DaysFollowTheTimeZone", func(t *testing.T) {
		t.Parallel()
		testReportTimeZone(t, newStore(t))
	})
	t.Run("RefusesBadPeriods", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		for name, f := range map[string]handoff.ReportFilter{
			"empty":    {},
			"reversed": {From: day, To: day.AddDate(0, 0, -1)},
			"too long": {From: day, To: day.AddDate(2, 0, 0)},
		} {
			if _, err := s.Reports.Report(context.Background(), f); frontline.ErrorCode(err) != frontline.EInvalid {
				t.Errorf("%s period: err = %v, want EInvalid", name, err)
			}
		}
	})
}

// script writes the log of the scripted period and returns nothing: the
// figures are the test's want.
type script struct {
	t *testing.T
	s ReportStore
}

func (sc script) start(id string, at time.Time) {
	ctx := context.Background()
	c := &frontline.Conversation{ID: id, SiteKey: "demo", VisitorID: "v_" + id}
	if err := sc.s.Log.CreateConversation(ctx, c); err != nil {
		sc.t.Fatal(err)
	}
	evs, err := sc.s.Log.FindEvents(ctx, frontline.EventFilter{ConversationID: id, Kinds: []frontline.EventKind{frontline.EventConversationStarted}})
	if err != nil || len(evs) != 1 {
		sc.t.Fatalf("conversation.started of %s: %v (err %v)", id, evs, err)
	}
	sc.s.SetEventTime(sc.t, evs[0].ID, at)
}

func (sc script) event(id string, kind frontline.EventKind, at time.Time, data any) {
	evs, err := sc.s.Log.AppendEvents(context.Background(), frontline.Event{ConversationID: id, Kind: kind, Actor: "test", Data: frontline.MustJSON(data)})
	if err != nil {
		sc.t.Fatal(err)
	}
	sc.s.SetEventTime(sc.t, evs[0].ID, at)
}

func (sc script) message(id string, author frontline.Author, at time.Time) {
	res, err := sc.s.Log.AppendMessage(context.Background(), frontline.AppendRequest{Message: frontline.Message{
		ConversationID: id, Author: author, AuthorID: "agent-1", AuthorName: "Ann", Body: "a reply"}})
	if err != nil {
		sc.t.Fatal(err)
	}
	sc.s.SetMessageTime(sc.t, id, res.Message.Seq, at)
}

func (sc script) handoff(id string, at time.Time, sev frontline.Severity) {
	sc.event(id, frontline.EventHandoff, at, handoff.HandoffData{Tier: frontline.Tier1, Team: "billing", Priority: frontline.PriorityNormal, Severity: sev, Reason: "test"})
}

func (sc script) signal(id string, at time.Time, kind frontline.SignalKind) {
	sc.event(id, frontline.EventSignal, at, frontline.Signal{Kind: kind, Confidence: 0.9})
}

func (sc script) search(id string, at time.Time, q string, abstained bool) {
	sc.event(id, frontline.EventSearch, at, map[string]any{"question": q, "abstained": abstained, "decision": "fallback"})
}

// writeWeek is the scripted log: Monday 2 March 2026 to Wednesday 4 March
// (UTC), with a conversation before it.
func writeWeek(t *testing.T, s ReportStore) time.Time {
	sc := script{t, s}
	d1 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	d2, d3 := d1.AddDate(0, 0, 1), d1.AddDate(0, 0, 2)
	sec := func(t time.Time, n int) time.Time { return t.Add(time.Duration(n) * time.Second) }

	sc.start("c6", d1.AddDate(0, 0, -1)) // before the period
	sc.handoff("c6", sec(d1.AddDate(0, 0, -1), 10), frontline.SeverityOutage)

	// c1: asked for a person, answered in 60 s, resolved in 600 s, rated 5;
	// handed off again on day 3 for frustration, answered in 30 s.
	sc.start("c1", d1)
	sc.signal("c1", sec(d1, 10), frontline.SignalHumanRequest)
	sc.handoff("c1", sec(d1, 20), frontline.SeverityNone)
	sc.message("c1", frontline.AuthorAgent, sec(d1, 80))
	sc.event("c1", frontline.EventResolution, sec(d1, 620), map[string]string{"agent_id": "agent-1"})
	sc.event("c1", frontline.EventCSAT, sec(d1, 700), map[string]any{"rating": 5, "comment": "great"})

	// c2: frustrated about a double charge, handed off on day 2, answered
	// in 180 s after a first-response breach, resolved in an hour, rated 2.
	sc.start("c2", sec(d1, 30))
	sc.signal("c2", sec(d1, 40), frontline.SignalFrustration)
	sc.signal("c2", sec(d1, 41), frontline.SignalSeverity)
	sc.handoff("c2", d2.Add(-time.Hour), frontline.SeverityBillingError)
	sc.event("c2", frontline.EventSLABreach, sec(d2.Add(-time.Hour), 120), handoff.SLAData{Target: handoff.TargetFirstResponse})
	sc.message("c2", frontline.AuthorAgent, sec(d2.Add(-time.Hour), 180))
	sc.event("c2", frontline.EventResolution, sec(d2.Add(-time.Hour), 3600), map[string]string{"agent_id": "agent-1"})
	sc.event("c2", frontline.EventCSAT, sec(d2, 10), map[string]any{"rating": 2})

	// c3: the bot had no answer; handed off on day 3, never answered.
	sc.start("c3", d2)
	sc.handoff("c3", d3, frontline.SeverityNone)

	// c4 and c5: the bot coped (deflected), with unanswered questions.
	sc.start("c4", sec(d2, 5))
	sc.search("c4", sec(d2, 6), "Where is my parcel?", true)
	sc.search("c4", sec(d2, 7), "gift wrap", true)
	sc.search("c4", sec(d2, 8), "returns", false)
	sc.start("c5", sec(d3, 5))
	sc.search("c5", sec(d3, 6), "  where is my PARCEL? ", true)

	late := time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC) // 00:30 on the 5th in Berlin
	sc.signal("c1", late.Add(-time.Minute), frontline.SignalFrustration)
	sc.handoff("c1", late, frontline.SeverityNone)
	sc.message("c1", frontline.AuthorAgent, late.Add(30*time.Second))
	return d1
}

func testReportFigures(t *testing.T, s ReportStore) {
	d1 := writeWeek(t, s)
	from := time.Date(d1.Year(), d1.Month(), d1.Day(), 0, 0, 0, 0, time.UTC)
	rep, err := s.Reports.Report(context.Background(), handoff.ReportFilter{From: from, To: from.AddDate(0, 0, 3)})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("hand-offs", rep.Handoffs, 4)
	check("by reason", rep.ByReason, map[string]int{"frustration": 2, "human_request": 1, "no_answer": 1, "severity": 1})
	check("by severity", rep.BySeverity, map[string]int{"billing_error": 1, "none": 3})
	var days []string
	for _, d := range rep.Days {
		days = append(days, fmt.Sprintf("%s:%d:%v", d.Day, d.Handoffs, d.ByReason))
	}
	check("days", days, []string{"2026-03-02:1:map[human_request:1]", "2026-03-03:1:map[frustration:1 severity:1]",
		"2026-03-04:2:map[frustration:1 no_answer:1]"})
	check("first response", rep.FirstResponse, handoff.Durations{Count: 3, P50: 60, P90: 156})
	check("resolution count", rep.Resolution.Count, 2)
	approx(t, "resolution p50", rep.Resolution.P50, 2100)
	approx(t, "resolution p90", rep.Resolution.P90, 3300)
	check("SLA breaches", rep.SLABreaches, map[string]int{"first_response": 1})
	check("CSAT ratings", rep.CSAT.Ratings, [5]int{0, 1, 0, 0, 1})
	check("CSAT count", rep.CSAT.Count, 2)
	approx(t, "CSAT average", rep.CSAT.Average, 3.5)
	approx(t, "CSAT satisfied", rep.CSAT.Satisfied, 0.5)
	check("conversations", rep.Conversations, 5)
	check("deflected", rep.Deflected, 2)
	approx(t, "deflection rate", rep.DeflectionRate, 0.4)
	var qs []string
	for _, q := range rep.Unanswered {
		qs = append(qs, fmt.Sprintf("%s×%d", q.Question, q.Count))
	}
	check("unanswered", qs, []string{"where is my parcel?×2", "gift wrap×1"})

	// An empty period has every day, and zeros.
	empty, err := s.Reports.Report(context.Background(), handoff.ReportFilter{From: from.AddDate(0, 1, 0), To: from.AddDate(0, 1, 2)})
	if err != nil {
		t.Fatal(err)
	}
	check("empty period", fmt.Sprint(empty.Handoffs, len(empty.Days), empty.FirstResponse, empty.CSAT.Count, empty.Conversations, len(empty.Unanswered)), "0 2 {0 0 0} 0 0 0")
}

func testReportTimeZone(t *testing.T, s ReportStore) {
	writeWeek(t, s)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin)
	rep, err := s.Reports.Report(context.Background(), handoff.ReportFilter{From: from, To: from.AddDate(0, 0, 4), Location: berlin})
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, d := range rep.Days {
		days = append(days, fmt.Sprintf("%s:%d", d.Day, d.Handoffs))
	}
	if got, want := fmt.Sprint(days), "[2026-03-02:1 2026-03-03:1 2026-03-04:1 2026-03-05:1]"; got != want {
		t.Errorf("Berlin days = %s, want %s (23:30 UTC on the 4th is the 5th in Berlin)", got, want)
	}
	if rep.TimeZone != "Europe/Berlin" {
		t.Errorf("time zone = %q", rep.TimeZone)
	}
}

func approx(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-6 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
