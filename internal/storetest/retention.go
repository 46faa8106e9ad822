package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/kb"
)

// RetentionStores is what the retention suite tests: a log, the queue and
// knowledge base beside it, and the purger over them.
type RetentionStores struct {
	Log    frontline.Log
	Queue  handoff.Store
	KB     kb.Store
	Purger frontline.Purger
	// Timers counts a conversation's SLA timers not fired yet.
	Timers func(t *testing.T, conversationID string) int
}

// RunRetentionTests runs the retention suite; newStores returns fresh,
// empty stores per test.
func RunRetentionTests(t *testing.T, newStores func(t *testing.T) RetentionStores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s RetentionStores)
	}{
		{"OldGoneWithEverythingTiedRecentAndOpenKept", testRetentionSweep},
		{"PurgeNeedsALimit", testPurgeLimit},
		{"OldCandidatesGoAcceptedStay", testRetentionCandidates},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStores(t))
		})
	}
}

// seedConversation makes a conversation with a customer message (owing
// the bot's answer), an event, a recorded question and, when status is
// not bot, a hand-off with an SLA timer an hour away; resolved when
// status says so.
func seedConversation(t *testing.T, s RetentionStores, visitor string, status frontline.ConversationStatus) *frontline.Conversation {
	t.Helper()
	c := MustCreateConversation(t, s.Log, visitor)
	MustAppend(t, s.Log, frontline.Message{ConversationID: c.ID, Author: frontline.AuthorCustomer, AuthorID: visitor, Body: "where is my parcel, " + visitor + "?"},
		frontline.Event{ConversationID: c.ID, Kind: frontline.EventSignal, Actor: "bot", Data: []byte(`{"kind":"frustration"}`)})
	now := time.Now().UTC()
	if err := s.KB.RecordQuestion(ctx(t), &kb.QuestionRecord{ID: frontline.NewID("q_"), ConversationID: c.ID, Text: "where is my parcel", Abstained: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if status == frontline.StatusBot {
		return c
	}
	if err := s.KB.RecordHandoff(ctx(t), c.ID, now); err != nil {
		t.Fatal(err)
	}
	e := &frontline.QueueEntry{ConversationID: c.ID, Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityNormal,
		EnqueuedAt: now, DueAt: now.Add(time.Hour), Packet: frontline.HandoffPacket{ConversationID: c.ID, Reason: "asked for a person", Tier: frontline.Tier1, Team: "support"}}
	timer := handoff.Timer{ConversationID: c.ID, Kind: handoff.TimerBreach, Target: "first_response", At: now.Add(time.Hour)}
	if _, _, err := s.Queue.Enqueue(ctx(t), e, []frontline.Event{{ConversationID: c.ID, Kind: frontline.EventHandoff, Actor: "bot"}}, []handoff.Timer{timer}, nil); err != nil {
		t.Fatal(err)
	}
	if status == frontline.StatusResolved {
		_, err := s.Queue.Update(ctx(t), c.ID, func(cur *frontline.QueueEntry) (*handoff.Change, error) {
			e := *cur
			e.Status, e.ResolvedAt = frontline.QueueResolved, time.Now().UTC()
			return &handoff.Change{Entry: e, Conversation: frontline.StatusResolved,
				Events: []frontline.Event{{ConversationID: c.ID, Kind: frontline.EventResolution, Actor: "u_agent"}}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// lastActivity is the later of a conversation's update and its last event.
func lastActivity(t *testing.T, s RetentionStores, id string) time.Time {
	t.Helper()
	c, err := s.Log.FindConversationByID(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	last := c.UpdatedAt
	evs, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.CreatedAt.After(last) {
			last = e.CreatedAt
		}
	}
	return last
}

func testRetentionSweep(t *testing.T, s RetentionStores) {
	oldBot := seedConversation(t, s, "v_old_bot", frontline.StatusBot)
	oldResolved := seedConversation(t, s, "v_old_resolved", frontline.StatusResolved)
	oldOpen := seedConversation(t, s, "v_old_open", frontline.StatusQueued)
	var cutoff time.Time
	for _, c := range []*frontline.Conversation{oldBot, oldResolved, oldOpen} {
		if at := lastActivity(t, s, c.ID); at.After(cutoff) {
			cutoff = at
		}
	}
	cutoff = cutoff.Add(time.Millisecond)
	for !time.Now().After(cutoff) { // what follows is recent: after the cutoff on any clock of this machine
		time.Sleep(time.Millisecond)
	}
	recent := seedConversation(t, s, "v_recent", frontline.StatusResolved)
	if n := s.Timers(t, oldResolved.ID); n != 1 {
		t.Fatalf("the resolved conversation has %d pending SLA timers before the purge, want 1", n)
	}

	// One conversation per step: the cursor walks the whole log.
	deleted, steps := 0, 0
	req := frontline.PurgeRequest{Before: cutoff, Limit: 1}
	for {
		res, err := s.Purger.PurgeConversations(ctx(t), req)
		if err != nil {
			t.Fatal(err)
		}
		deleted += res.Deleted
		steps++
		if res.Next == "" {
			break
		}
		if res.Next <= req.After || steps > 10 {
			t.Fatalf("the cursor did not advance: %q after %q", res.Next, req.After)
		}
		req.After = res.Next
	}
	if deleted != 2 {
		t.Errorf("purged %d conversations, want 2 (the old bot and resolved ones)", deleted)
	}

	for _, gone := range []*frontline.Conversation{oldBot, oldResolved} {
		if _, err := s.Log.FindConversationByID(ctx(t), gone.ID); frontline.ErrorCode(err) != frontline.ENotFound {
			t.Errorf("old conversation %s: %v, want not found", gone.VisitorID, err)
		}
		if _, err := s.Log.ReadMessages(ctx(t), gone.ID, 0, 0); frontline.ErrorCode(err) != frontline.ENotFound {
			t.Errorf("old conversation %s's messages: %v, want not found", gone.VisitorID, err)
		}
		if evs, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: gone.ID}); err != nil || len(evs) != 0 {
			t.Errorf("old conversation %s's events: %d (%v), want none", gone.VisitorID, len(evs), err)
		}
		if n := s.Timers(t, gone.ID); n != 0 {
			t.Errorf("old conversation %s has %d SLA timers left", gone.VisitorID, n)
		}
	}
	if _, err := s.Queue.FindQueueEntry(ctx(t), oldResolved.ID); frontline.ErrorCode(err) != frontline.ENotFound {
		t.Errorf("the old resolved hand-off: %v, want not found", err)
	}
	qs, err := s.KB.FindQuestions(ctx(t), kb.QuestionFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	for _, q := range qs {
		asked = append(asked, q.ConversationID)
	}
	for _, gone := range []string{oldBot.ID, oldResolved.ID} {
		if slices.Contains(asked, gone) {
			t.Errorf("the KB still holds a question of purged conversation %s", gone)
		}
	}
	obligations, err := s.Log.ClaimObligations(ctx(t), frontline.ClaimOpts{Limit: 100, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obligations {
		if o.Message.ConversationID == oldBot.ID || o.Message.ConversationID == oldResolved.ID {
			t.Errorf("the bot still owes an answer in purged conversation %s", o.Message.ConversationID)
		}
	}

	// The recent conversation and the old one a person holds are whole.
	for _, kept := range []*frontline.Conversation{recent, oldOpen} {
		if msgs, err := s.Log.ReadMessages(ctx(t), kept.ID, 0, 0); err != nil || len(msgs) != 1 {
			t.Errorf("kept conversation %s: %d messages (%v), want 1", kept.VisitorID, len(msgs), err)
		}
		if _, err := s.Queue.FindQueueEntry(ctx(t), kept.ID); err != nil {
			t.Errorf("kept conversation %s's hand-off: %v", kept.VisitorID, err)
		}
		if !slices.Contains(asked, kept.ID) {
			t.Errorf("kept conversation %s lost its recorded question", kept.VisitorID)
		}
	}
	if n := s.Timers(t, oldOpen.ID); n != 1 {
		t.Errorf("the open hand-off has %d SLA timers, want its 1", n)
	}
}

func testPurgeLimit(t *testing.T, s RetentionStores) {
	_, err := s.Purger.PurgeConversations(ctx(t), frontline.PurgeRequest{Before: time.Now()})
	if frontline.ErrorCode(err) != frontline.EInvalid {
		t.Errorf("a purge with no limit: %v, want invalid", err)
	}
}

// testRetentionCandidates: phrasing candidates (customers' questions)
// last proposed before the cutoff go unless an editor accepted them.
func testRetentionCandidates(t *testing.T, s RetentionStores) {
	now := time.Now().UTC()
	a := &kb.Article{ID: frontline.NewID("art_"), Slug: "returns-" + strings.ToLower(frontline.NewID("")), Title: "Returns",
		Body: "Send it back.", Locale: "en", Audience: kb.AudiencePublic, State: kb.StateDraft, CreatedAt: now, UpdatedAt: now}
	if err := s.KB.CreateArticle(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	cutoff := now.Add(-24 * time.Hour)
	propose := func(text string, state kb.CandidateState, at time.Time) *kb.Candidate {
		t.Helper()
		c := &kb.Candidate{ID: frontline.NewID("cand_"), ArticleID: a.ID, Text: text, TextKey: text, Source: kb.CandidatePicked,
			Count: 1, State: state, CreatedAt: at, UpdatedAt: at}
		if err := s.KB.ProposeCandidate(ctx(t), c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	oldPending := propose("can i send my boots back", kb.CandidatePending, cutoff.Add(-time.Hour))
	oldRejected := propose("boots back how", kb.CandidateRejected, cutoff.Add(-time.Hour))
	oldAccepted := propose("how do i return boots", kb.CandidateAccepted, cutoff.Add(-time.Hour))
	recent := propose("return my jacket", kb.CandidatePending, now)
	n, err := s.Purger.PurgeCandidates(ctx(t), cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("purged %d candidates, want 2 (the old pending and rejected ones)", n)
	}
	left, err := s.KB.FindCandidates(ctx(t), kb.CandidateFilter{ArticleID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range left {
		got[c.ID] = true
	}
	if got[oldPending.ID] || got[oldRejected.ID] || !got[oldAccepted.ID] || !got[recent.ID] || len(left) != 2 {
		t.Errorf("after the purge: %v; want only the accepted and the recent candidates", got)
	}
}
