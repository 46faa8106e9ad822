// Package handofftest is the one conformance suite every handoff.Store must
// pass (internal/memory and internal/postgres). It drives the store through
// handoff.Service, as the bot and the console do.
package handofftest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/storetest"
)

// Store is what the suite tests: a queue beside the conversation log it
// changes, and the bus both wake.
type Store struct {
	Log   frontline.Log
	Bus   frontline.Bus
	Queue handoff.Store
}

// RunTests runs the suite; newStore returns a fresh, empty store per test.
func RunTests(t *testing.T, newStore func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b bundle)
	}{
		{"EnqueueQueuesConversation", testEnqueue},
		{"EnqueueIsIdempotent", testEnqueueIdempotent},
		{"EnqueueAllOrNothing", testEnqueueAllOrNothing},
		{"EnqueueValidation", testEnqueueValidation},
		{"EnqueueWakesQueue", testEnqueueWakesQueue},
		{"PrivacyMakesConversationPrivate", testPrivate},
		{"PositionsFollowPriorityThenDue", testPositions},
		{"WaitingPlacesAgreeWithQueueRank", testWaitingPlaces},
		{"ConcurrentEnqueuesGetDistinctPositions", testConcurrentEnqueues},
		{"ConcurrentEnqueuesOfOneConversationStoreOnce", testConcurrentSameConversation},
		{"ClaimSilencesBotUntilHandBack", testClaimAndHandBack},
		{"ConcurrentClaimsHaveOneWinner", testConcurrentClaims},
		{"ListingInQueueOrder", testListing},
		{"PacketRoundTrips", testPacketRoundTrip},
		{"ClaimNextRespectsCapacityAndEligibility", testClaimNext},
		{"RouteOffersTheLeastLoaded", testRoute},
		{"TransferRetargetsOrChangesNothing", testTransfer},
		{"TimersFireOnceAndStaleOnesDoNothing", testTimersOnce},
		{"NoAnswerPassesItOn", testNoAnswer},
		{"LateFirstResponseIsABreach", testLateFirstResponse},
		{"DirectoryRoundTrips", testDirectory},
		{"NextResponseClock", testNextResponse},
		{"PlacementKeepsQueueOrder", testPlacementOrder},
		{"TeamHoursFollowTheConversationsTeam", testTeamHours},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			tt.fn(t, bundle{Store: s, svc: handoff.NewService(s.Queue, s.Log, s.Bus, handoff.Config{AverageHandleTime: 3 * time.Minute})})
		})
	}
}

type bundle struct {
	Store
	svc *handoff.Service
}

// user returns a signed-in agent with a profile that works every tier of
// the suite's teams, offline (so routing leaves claims to the test) and
// with room for everything.
func (b bundle) user(t *testing.T, id string) *frontline.User {
	t.Helper()
	if _, err := b.Queue.FindAgent(ctx(t), id); frontline.ErrorCode(err) == frontline.ENotFound {
		a := handoff.Agent{UserID: id, Name: "Agent " + id, Tiers: frontline.Tiers, Capacity: 100,
			Teams: []string{"general", "billing", "support", "security", "privacy"}}
		if err := b.Queue.PutAgent(ctx(t), a); err != nil {
			t.Fatal(err)
		}
	}
	return &frontline.User{ID: id, Name: "Agent " + id, Roles: []frontline.Role{frontline.RoleAgent}}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func packet(conv string, tier frontline.Tier, team string, p frontline.Priority) frontline.HandoffPacket {
	return frontline.HandoffPacket{ConversationID: conv, Tier: tier, Team: team, Priority: p, Reason: "asked for a person", Summary: "test"}
}

func mustEnqueue(t *testing.T, b bundle, p frontline.HandoffPacket) *frontline.QueueEntry {
	t.Helper()
	e, err := b.svc.Enqueue(ctx(t), p)
	if err != nil {
		t.Fatalf("Enqueue(%s): %v", p.ConversationID, err)
	}
	return e
}

func mustPosition(t *testing.T, b bundle, conv string) frontline.QueuePosition {
	t.Helper()
	qp, err := b.svc.QueuePosition(ctx(t), conv)
	if err != nil {
		t.Fatalf("QueuePosition(%s): %v", conv, err)
	}
	return qp
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := frontline.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func events(t *testing.T, log frontline.Log, conv string, kind frontline.EventKind) []frontline.Event {
	t.Helper()
	evs, err := log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: conv, Kinds: []frontline.EventKind{kind}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func status(t *testing.T, log frontline.Log, conv string) *frontline.Conversation {
	t.Helper()
	c, err := log.FindConversationByID(ctx(t), conv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testEnqueue(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	e := mustEnqueue(t, b, packet(c.ID, frontline.Tier2, "billing", frontline.PriorityHigh))
	if e.Status != frontline.QueueWaiting || e.Tier != frontline.Tier2 || e.Team != "billing" || e.Priority != frontline.PriorityHigh {
		t.Fatalf("entry = %+v, want waiting t2/billing/high", e)
	}
	if got, want := e.DueAt.Sub(e.EnqueuedAt), time.Hour; got != want {
		t.Fatalf("due - enqueued = %v, want the high SLA %v", got, want)
	}
	if e.Packet.Profile["name"] != "Ada" {
		t.Fatalf("packet profile = %v, want it completed from the conversation", e.Packet.Profile)
	}
	got := status(t, b.Log, c.ID)
	if got.Status != frontline.StatusQueued || got.Private {
		t.Fatalf("conversation status %q private %v, want queued and not private", got.Status, got.Private)
	}
	evs := events(t, b.Log, c.ID, frontline.EventHandoff)
	if len(evs) != 1 {
		t.Fatalf("%d handoff events, want 1", len(evs))
	}
	var data handoff.HandoffData
	if err := json.Unmarshal(evs[0].Data, &data); err != nil || data.Team != "billing" || data.Tier != frontline.Tier2 {
		t.Fatalf("handoff event data = %s (%v), want tier t2 team billing", evs[0].Data, err)
	}
	qp := mustPosition(t, b, c.ID)
	if qp.Position != 1 || qp.Status != frontline.QueueWaiting || qp.ETA != 3*time.Minute {
		t.Fatalf("position = %+v, want 1st, waiting, eta 3m", qp)
	}
	// While queued the bot may still answer (the customer keeps their place).
	storetest.MustAppend(t, b.Log, frontline.Message{ConversationID: c.ID, Author: frontline.AuthorBot, Body: "Our hours are 9-5."})
	if got := status(t, b.Log, c.ID); got.Status != frontline.StatusQueued {
		t.Fatalf("status after a bot answer while queued = %q, want still queued", got.Status)
	}
}

func testEnqueueIdempotent(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	first := mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))
	second := mustEnqueue(t, b, packet(c.ID, frontline.Tier3, "security", frontline.PriorityUrgent))
	if second.Tier != first.Tier || second.Team != first.Team || !second.EnqueuedAt.Equal(first.EnqueuedAt) {
		t.Fatalf("second enqueue returned %+v, want the existing entry %+v", second, first)
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventHandoff)); n != 1 {
		t.Fatalf("%d handoff events after two enqueues, want 1", n)
	}
	if _, err := b.svc.Claim(ctx(t), b.user(t, "agent_1"), c.ID); err != nil {
		t.Fatal(err)
	}
	third := mustEnqueue(t, b, packet(c.ID, frontline.Tier2, "billing", frontline.PriorityHigh))
	if third.Status != frontline.QueueAssigned || third.AssigneeID != "agent_1" {
		t.Fatalf("enqueue while assigned returned %+v, want the assigned entry unchanged", third)
	}
}

func testEnqueueAllOrNothing(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	e := &frontline.QueueEntry{ConversationID: c.ID, Tier: frontline.Tier1, Team: "general", Priority: frontline.PriorityNormal,
		Status: frontline.QueueWaiting, EnqueuedAt: time.Now().UTC(), DueAt: time.Now().UTC().Add(time.Hour),
		Packet: packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal)}
	bad := []frontline.Event{
		{ConversationID: c.ID, Kind: frontline.EventHandoff, Data: json.RawMessage(`{}`)},
		{ConversationID: c.ID, Kind: ""}, // invalid: the whole enqueue must fail
	}
	if _, _, err := b.Queue.Enqueue(ctx(t), e, bad, nil, nil); err == nil {
		t.Fatal("Enqueue with an invalid event succeeded, want an error")
	}
	if got := status(t, b.Log, c.ID); got.Status != frontline.StatusBot {
		t.Fatalf("status after a failed enqueue = %q, want bot", got.Status)
	}
	if _, err := b.Queue.FindQueueEntry(ctx(t), c.ID); frontline.ErrorCode(err) != frontline.ENotFound {
		t.Fatalf("FindQueueEntry after a failed enqueue = %v, want not found", err)
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventHandoff)); n != 0 {
		t.Fatalf("%d handoff events after a failed enqueue, want 0", n)
	}
}

func testEnqueueValidation(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	cases := []struct {
		name string
		p    frontline.HandoffPacket
		code string
	}{
		{"unknown conversation", packet("c_missing", frontline.Tier1, "general", frontline.PriorityNormal), frontline.ENotFound},
		{"bad id", packet("c missing", frontline.Tier1, "general", frontline.PriorityNormal), frontline.EInvalid},
		{"no tier", packet(c.ID, "", "general", frontline.PriorityNormal), frontline.EInvalid},
		{"bad priority", packet(c.ID, frontline.Tier1, "general", "asap"), frontline.EInvalid},
		{"no team", packet(c.ID, frontline.Tier1, " ", frontline.PriorityNormal), frontline.EInvalid},
	}
	for _, tc := range cases {
		_, err := b.svc.Enqueue(ctx(t), tc.p)
		if got := frontline.ErrorCode(err); got != tc.code {
			t.Errorf("%s: error code %q (%v), want %q", tc.name, got, err, tc.code)
		}
	}
	_, err := b.svc.QueuePosition(ctx(t), c.ID)
	wantCode(t, err, frontline.ENotFound)
}

func testEnqueueWakesQueue(t *testing.T, b bundle) {
	ch, cancel := b.Bus.Subscribe(frontline.TopicQueue)
	defer cancel()
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))
	select {
	case n := <-ch:
		if n.Topic != frontline.TopicQueue {
			t.Fatalf("woken on %q, want %q", n.Topic, frontline.TopicQueue)
		}
	case <-ctx(t).Done():
		t.Fatal("no queue wake-up after Enqueue")
	}
}

func testPrivate(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	p := packet(c.ID, frontline.Tier2, "privacy", frontline.PriorityHigh)
	p.Private = true
	mustEnqueue(t, b, p)
	if got := status(t, b.Log, c.ID); !got.Private {
		t.Fatal("conversation is not private after a private hand-off")
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventPrivacy)); n != 1 {
		t.Fatalf("%d privacy events, want 1", n)
	}
}

func testPositions(t *testing.T, b bundle) {
	prios := []frontline.Priority{frontline.PriorityNormal, frontline.PriorityUrgent, frontline.PriorityLow, frontline.PriorityHigh, frontline.PriorityNormal}
	ids := make([]string, len(prios))
	for i, p := range prios {
		c := storetest.MustCreateConversation(t, b.Log, fmt.Sprintf("v_%d", i))
		ids[i] = c.ID
		mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", p))
	}
	// Another team's line does not count.
	other := storetest.MustCreateConversation(t, b.Log, "v_other")
	mustEnqueue(t, b, packet(other.ID, frontline.Tier1, "billing", frontline.PriorityUrgent))

	want := []int{3, 1, 5, 2, 4} // urgent, high, then the normals in arrival order, then low
	for i, id := range ids {
		if got := mustPosition(t, b, id).Position; got != want[i] {
			t.Errorf("%s (%s) position = %d, want %d", id, prios[i], got, want[i])
		}
	}
	if got := mustPosition(t, b, other.ID).Position; got != 1 {
		t.Errorf("other team's position = %d, want 1", got)
	}
	// Claiming the first moves everyone up.
	if _, err := b.svc.Claim(ctx(t), b.user(t, "agent_1"), ids[1]); err != nil {
		t.Fatal(err)
	}
	if got := mustPosition(t, b, ids[2]).Position; got != 4 {
		t.Errorf("low position after a claim = %d, want 4", got)
	}
	qp := mustPosition(t, b, ids[1])
	if qp.Position != 0 || qp.Status != frontline.QueueAssigned || qp.ETA != 0 || qp.AgentName == "" {
		t.Errorf("claimed position = %+v, want assigned, position 0, no eta, an agent", qp)
	}
}

func testWaitingPlaces(t *testing.T, b bundle) {
	prios := []frontline.Priority{frontline.PriorityLow, frontline.PriorityUrgent, frontline.PriorityNormal, frontline.PriorityNormal, frontline.PriorityHigh}
	var ids []string
	for i, p := range prios {
		for _, team := range []string{"general", "billing"} {
			c := storetest.MustCreateConversation(t, b.Log, fmt.Sprintf("v_%d_%s", i, team))
			ids = append(ids, c.ID)
			mustEnqueue(t, b, packet(c.ID, frontline.Tier1, team, p))
		}
	}
	t2 := storetest.MustCreateConversation(t, b.Log, "v_t2")
	ids = append(ids, t2.ID)
	mustEnqueue(t, b, packet(t2.ID, frontline.Tier2, "general", frontline.PriorityLow))
	if _, err := b.svc.Claim(ctx(t), b.user(t, "agent_1"), ids[2]); err != nil {
		t.Fatal(err)
	}
	places, err := b.Queue.WaitingPlaces(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(places) != len(ids)-1 {
		t.Errorf("WaitingPlaces has %d entries, want %d (all but the claimed one)", len(places), len(ids)-1)
	}
	for _, id := range ids {
		_, rank, err := b.Queue.QueueRank(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		if place, waiting := places[id]; place.Place != rank || waiting != (rank > 0) {
			t.Errorf("%s: WaitingPlaces says %d (listed %v), QueueRank says %d", id, place.Place, waiting, rank)
		}
	}
	if places[t2.ID].Place != 1 {
		t.Errorf("alone in tier 2's line at place %d, want 1", places[t2.ID].Place)
	}
}

func testConcurrentEnqueues(t *testing.T, b bundle) {
	const n = 20
	ids := make([]string, n)
	for i := range ids {
		ids[i] = storetest.MustCreateConversation(t, b.Log, fmt.Sprintf("v_%d", i)).ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, id := range ids {
		wg.Go(func() {
			_, err := b.svc.Enqueue(ctx(t), packet(id, frontline.Tier1, "general", frontline.PriorityNormal))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var got []int
	for _, id := range ids {
		got = append(got, mustPosition(t, b, id).Position)
	}
	slices.Sort(got)
	for i, p := range got {
		if p != i+1 {
			t.Fatalf("positions = %v, want 1..%d each once", got, n)
		}
	}
}

func testConcurrentSameConversation(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := b.svc.Enqueue(ctx(t), packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(events(t, b.Log, c.ID, frontline.EventHandoff)); n != 1 {
		t.Fatalf("%d handoff events after 10 racing enqueues, want 1", n)
	}
}

func testClaimAndHandBack(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	_, err := b.svc.Claim(ctx(t), b.user(t, "agent_1"), c.ID)
	wantCode(t, err, frontline.ENotFound)
	mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))

	if _, err := b.svc.Claim(ctx(t), b.user(t, "agent_1"), c.ID); err != nil {
		t.Fatal(err)
	}
	got := status(t, b.Log, c.ID)
	if got.Status != frontline.StatusAssigned || got.AssigneeID != "agent_1" {
		t.Fatalf("after claim: status %q assignee %q, want assigned to agent_1", got.Status, got.AssigneeID)
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventClaim)); n != 1 {
		t.Fatalf("%d claim events, want 1", n)
	}
	bot := frontline.Message{ConversationID: c.ID, Author: frontline.AuthorBot, Body: "still here"}
	_, err = b.Log.AppendMessage(ctx(t), frontline.AppendRequest{Message: bot})
	wantCode(t, err, frontline.EConflict)

	_, err = b.svc.HandBack(ctx(t), b.user(t, "agent_2"), c.ID)
	wantCode(t, err, frontline.EForbidden)
	last := storetest.MustAppend(t, b.Log, frontline.Message{ConversationID: c.ID, Author: frontline.AuthorAgent, AuthorID: "agent_1", Body: "Done, back to the bot."})
	if _, err := b.svc.HandBack(ctx(t), b.user(t, "agent_1"), c.ID); err != nil {
		t.Fatal(err)
	}
	if evs := events(t, b.Log, c.ID, frontline.EventHandback); len(evs) != 1 || evs[0].Seq != last.Message.Seq {
		t.Fatalf("handback events = %+v, want one at the last seq %d", evs, last.Message.Seq)
	}
	_, err = b.svc.HandBack(ctx(t), b.user(t, "agent_1"), c.ID)
	wantCode(t, err, frontline.EConflict)
	got = status(t, b.Log, c.ID)
	if got.Status != frontline.StatusBot || got.AssigneeID != "" {
		t.Fatalf("after hand-back: status %q assignee %q, want bot and nobody", got.Status, got.AssigneeID)
	}
	storetest.MustAppend(t, b.Log, bot)

	// Handed off again later, it queues anew.
	again := mustEnqueue(t, b, packet(c.ID, frontline.Tier2, "billing", frontline.PriorityHigh))
	if again.Status != frontline.QueueWaiting || again.Team != "billing" {
		t.Fatalf("re-enqueue after hand-back = %+v, want a new waiting billing entry", again)
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventHandoff)); n != 2 {
		t.Fatalf("%d handoff events after a second hand-off, want 2", n)
	}
}

func testConcurrentClaims(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))
	const agents = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var winners []string
	for i := range agents {
		agent := fmt.Sprintf("agent_%d", i)
		wg.Go(func() {
			_, err := b.svc.Claim(ctx(t), b.user(t, agent), c.ID)
			switch frontline.ErrorCode(err) {
			case "":
				mu.Lock()
				winners = append(winners, agent)
				mu.Unlock()
			case frontline.EConflict:
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("winners = %v, want exactly one", winners)
	}
	if got := status(t, b.Log, c.ID); got.AssigneeID != winners[0] {
		t.Fatalf("assignee = %q, want the winner %q", got.AssigneeID, winners[0])
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventClaim)); n != 1 {
		t.Fatalf("%d claim events, want 1", n)
	}
}

func testListing(t *testing.T, b bundle) {
	var ids []string
	for i, p := range []frontline.Priority{frontline.PriorityLow, frontline.PriorityUrgent, frontline.PriorityNormal} {
		c := storetest.MustCreateConversation(t, b.Log, fmt.Sprintf("v_%d", i))
		ids = append(ids, c.ID)
		mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", p))
	}
	if _, err := b.svc.Claim(ctx(t), b.user(t, "agent_1"), ids[2]); err != nil {
		t.Fatal(err)
	}
	all, err := b.svc.Entries(ctx(t), handoff.QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range all {
		got = append(got, e.ConversationID)
	}
	if want := []string{ids[1], ids[2], ids[0]}; !slices.Equal(got, want) {
		t.Fatalf("listing = %v, want %v (urgent, normal, low)", got, want)
	}
	waiting, err := b.svc.Entries(ctx(t), handoff.QueueFilter{Status: frontline.QueueWaiting, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(waiting) != 1 || waiting[0].ConversationID != ids[1] {
		t.Fatalf("first waiting = %v, want only %s", waiting, ids[1])
	}
	_, err = b.svc.Entries(ctx(t), handoff.QueueFilter{Status: "lost"})
	wantCode(t, err, frontline.EInvalid)
}

func testPacketRoundTrip(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	conf := 0.4
	p := packet(c.ID, frontline.Tier3, "security", frontline.PriorityUrgent)
	p.Severity = frontline.SeveritySecurity
	p.Signals = []frontline.Signal{{Kind: frontline.SignalSeverity, Topic: frontline.SeveritySecurity, Confidence: 0.9,
		Evidence: []frontline.Evidence{{Turn: 0, Text: "hacked", Rule: "account_takeover"}}, Reason: "account takeover"}}
	p.Transcript = []frontline.Message{{ConversationID: c.ID, Seq: 1, Author: frontline.AuthorCustomer, Body: "someone hacked my account",
		Meta: frontline.MessageMeta{Confidence: &conf}}}
	p.ArticlesTried = []frontline.ArticleTried{{ArticleID: "art_1", RevisionID: "rev_1", Title: "Unauthorized access", Score: 0.7}}
	p.FailedAnswers = []string{"I'm not sure."}
	p.Profile = map[string]string{"page": "/account"}
	mustEnqueue(t, b, p)
	got, err := b.svc.Entry(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	gp := got.Packet
	if gp.Severity != p.Severity || len(gp.Signals) != 1 || gp.Signals[0].Evidence[0].Text != "hacked" ||
		len(gp.Transcript) != 1 || gp.Transcript[0].Body != p.Transcript[0].Body || *gp.Transcript[0].Meta.Confidence != conf ||
		len(gp.ArticlesTried) != 1 || gp.ArticlesTried[0].Score != 0.7 || gp.FailedAnswers[0] != "I'm not sure." ||
		gp.Profile["page"] != "/account" || gp.CreatedAt.IsZero() {
		t.Fatalf("stored packet = %+v, want %+v", gp, p)
	}
}

func agentUser(id string) *frontline.User {
	return &frontline.User{ID: id, Roles: []frontline.Role{frontline.RoleAgent}}
}

func putAgent(t *testing.T, b bundle, id string, capacity int, presence frontline.Presence, teams ...string) *frontline.User {
	t.Helper()
	a := handoff.Agent{UserID: id, Name: "Agent " + id, Tiers: []frontline.Tier{frontline.Tier1}, Teams: teams, Capacity: capacity, Presence: presence}
	if err := b.Queue.PutAgent(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	if err := b.Queue.SetPresence(ctx(t), id, presence, time.Now()); err != nil {
		t.Fatal(err)
	}
	return agentUser(id)
}

func testClaimNext(t *testing.T, b bundle) {
	ana := putAgent(t, b, "ana", 1, frontline.PresenceAway, "general")
	var ids []string
	for i, p := range []frontline.Priority{frontline.PriorityLow, frontline.PriorityHigh} {
		c := storetest.MustCreateConversation(t, b.Log, fmt.Sprintf("v_%d", i))
		ids = append(ids, c.ID)
		mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", p))
	}
	other := storetest.MustCreateConversation(t, b.Log, "v_other")
	mustEnqueue(t, b, packet(other.ID, frontline.Tier1, "billing", frontline.PriorityUrgent))

	e, err := b.svc.ClaimNext(ctx(t), ana)
	if err != nil || e.ConversationID != ids[1] || e.AssigneeID != "ana" || e.AssigneeName != "Agent ana" {
		t.Fatalf("ClaimNext = %+v, %v; want the high one (billing is not hers)", e, err)
	}
	_, err = b.svc.ClaimNext(ctx(t), ana)
	wantCode(t, err, frontline.EConflict) // at capacity
	_, err = b.svc.Claim(ctx(t), ana, ids[0])
	wantCode(t, err, frontline.EConflict)
	_, err = b.svc.Claim(ctx(t), ana, other.ID)
	wantCode(t, err, frontline.EForbidden)
	if _, err := b.svc.Resolve(ctx(t), ana, ids[1]); err != nil {
		t.Fatal(err)
	}
	if e, err := b.svc.ClaimNext(ctx(t), ana); err != nil || e.ConversationID != ids[0] {
		t.Fatalf("ClaimNext after resolving = %v, %v; want the low one", e, err)
	}
	if _, err := b.svc.Resolve(ctx(t), ana, ids[0]); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.ClaimNext(ctx(t), ana)
	wantCode(t, err, frontline.ENotFound)
	msgs, err := b.Log.ReadMessages(ctx(t), ids[1], 0, 0)
	if err != nil || len(msgs) == 0 || msgs[0].Meta.Kind != handoff.KindJoined || msgs[0].Meta.Extra["agent_name"] != "Agent ana" {
		t.Fatalf("messages after a claim = %+v (%v), want the joined notice with the agent's name", msgs, err)
	}
}

func testRoute(t *testing.T, b bundle) {
	putAgent(t, b, "ana", 2, frontline.PresenceOnline, "general")
	putAgent(t, b, "ben", 2, frontline.PresenceOnline, "general")
	putAgent(t, b, "off", 9, frontline.PresenceOffline, "general")
	var ids []string
	for i := range 5 {
		c := storetest.MustCreateConversation(t, b.Log, fmt.Sprintf("v_%d", i))
		ids = append(ids, c.ID)
		mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))
	}
	load := map[string]int{}
	var waiting []string
	for _, id := range ids {
		e, err := b.svc.Entry(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status == frontline.QueueWaiting {
			waiting = append(waiting, id)
		}
		load[e.AssigneeID]++
	}
	if load["ana"] != 2 || load["ben"] != 2 || len(waiting) != 1 || waiting[0] != ids[4] {
		t.Fatalf("load %v, waiting %v; want 2 each (the offline agent none) and the last one waiting", load, waiting)
	}
	first, _ := b.svc.Entry(ctx(t), ids[0])
	second, _ := b.svc.Entry(ctx(t), ids[1])
	if first.AssigneeID == second.AssigneeID {
		t.Errorf("the first two went both to %s, want one each (least loaded first)", first.AssigneeID)
	}
	// A seat frees: the waiting one is placed at once.
	if _, err := b.svc.Resolve(ctx(t), agentUser(first.AssigneeID), ids[0]); err != nil {
		t.Fatal(err)
	}
	if e, _ := b.svc.Entry(ctx(t), ids[4]); e.Status != frontline.QueueAssigned || e.AssigneeID != first.AssigneeID {
		t.Fatalf("after a seat freed: %+v, want assigned to %s", e, first.AssigneeID)
	}
}

func testTransfer(t *testing.T, b bundle) {
	if err := b.Queue.PutTeam(ctx(t), frontline.Team{ID: "billing"}); err != nil {
		t.Fatal(err)
	}
	ana := putAgent(t, b, "ana", 3, frontline.PresenceAway, "general")
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))
	before, err := b.svc.Claim(ctx(t), ana, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.Transfer(ctx(t), ana, c.ID, handoff.TransferRequest{Team: "nowhere", Reason: "wrong desk"})
	wantCode(t, err, frontline.EInvalid)
	if e, _ := b.svc.Entry(ctx(t), c.ID); e.Status != frontline.QueueAssigned || e.Team != "general" || e.Epoch != before.Epoch {
		t.Fatalf("after a refused transfer: %+v, want it unchanged", e)
	}
	e, err := b.svc.Transfer(ctx(t), ana, c.ID, handoff.TransferRequest{Team: "billing", Tier: frontline.Tier2, Reason: "refund over the limit"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != frontline.QueueWaiting || e.Team != "billing" || e.Tier != frontline.Tier2 || e.AssigneeID != "" || e.Epoch <= before.Epoch {
		t.Fatalf("after transfer: %+v, want waiting in t2 billing with a new epoch", e)
	}
	if got := status(t, b.Log, c.ID); got.Status != frontline.StatusQueued || got.AssigneeID != "" {
		t.Fatalf("conversation after transfer: %s %q, want queued, nobody", got.Status, got.AssigneeID)
	}
	evs := events(t, b.Log, c.ID, frontline.EventTransfer)
	var d handoff.TransferData
	if len(evs) != 1 || json.Unmarshal(evs[0].Data, &d) != nil || d.Reason != "refund over the limit" || d.FromTier != frontline.Tier1 || evs[0].Actor != "ana" {
		t.Fatalf("transfer events = %+v, want one with who, why and from where", evs)
	}
	_, err = b.svc.Reply(ctx(t), ana, c.ID, handoff.ReplyRequest{Body: "still mine?"})
	wantCode(t, err, frontline.EForbidden) // t2 billing is not hers any more
}

func testTimersOnce(t *testing.T, b bundle) {
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	e := mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityUrgent))
	breach := handoff.Timer{ConversationID: c.ID, Kind: handoff.TimerBreach, Target: handoff.TargetFirstResponse, Epoch: e.Epoch, At: e.DueAt}
	stale := breach
	stale.Epoch = e.Epoch - 1
	if err := b.svc.Fire(ctx(t), stale); err != nil {
		t.Fatal(err)
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventSLABreach)); n != 0 {
		t.Fatalf("a stale timer recorded %d breaches", n)
	}
	for range 3 { // delivered again: no second effect
		if err := b.svc.Fire(ctx(t), breach); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventSLABreach)); n != 1 {
		t.Fatalf("%d breaches after three deliveries, want 1", n)
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventEscalation)); n != 1 {
		t.Fatalf("%d escalations, want 1", n)
	}
	got, _ := b.svc.Entry(ctx(t), c.ID)
	if got.Tier != frontline.Tier2 { // urgent escalates up a tier by default
		t.Fatalf("after an urgent breach: tier %s, want t2", got.Tier)
	}
}

// A first response after its deadline is a breach even when the breach
// timer has not fired (a node died holding it; River fires it a minute
// later, stale by then): the reply records it, once.
func testLateFirstResponse(t *testing.T, b bundle) {
	now := time.Now().UTC()
	svc := handoff.NewService(b.Queue, b.Log, b.Bus, handoff.Config{AverageHandleTime: 3 * time.Minute, Now: func() time.Time { return now }})
	ana := putAgent(t, b, "ana", 2, frontline.PresenceAway, "general")
	late := storetest.MustCreateConversation(t, b.Log, "v_1")
	onTime := storetest.MustCreateConversation(t, b.Log, "v_2")
	var entries []*frontline.QueueEntry
	for _, c := range []*frontline.Conversation{late, onTime} {
		e, err := svc.Enqueue(ctx(t), packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Claim(ctx(t), ana, c.ID); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if _, err := svc.Reply(ctx(t), ana, onTime.ID, handoff.ReplyRequest{Body: "In time"}); err != nil {
		t.Fatal(err)
	}
	now = entries[0].DueAt.Add(time.Minute)
	if _, err := svc.Reply(ctx(t), ana, late.ID, handoff.ReplyRequest{Body: "Sorry for the wait"}); err != nil {
		t.Fatal(err)
	}
	// The timer, fired late, is stale and adds nothing.
	if err := svc.Fire(ctx(t), handoff.Timer{ConversationID: late.ID, Kind: handoff.TimerBreach, Target: handoff.TargetFirstResponse, Epoch: entries[0].Epoch, At: entries[0].DueAt}); err != nil {
		t.Fatal(err)
	}
	evs := events(t, b.Log, late.ID, frontline.EventSLABreach)
	var d handoff.SLAData
	if len(evs) != 1 || json.Unmarshal(evs[0].Data, &d) != nil || d.Target != handoff.TargetFirstResponse {
		t.Fatalf("breaches of the late answer = %+v, want one of first_response", evs)
	}
	if n := len(events(t, b.Log, onTime.ID, frontline.EventSLABreach)); n != 0 {
		t.Fatalf("%d breaches of the answer in time, want none", n)
	}
}

func testNoAnswer(t *testing.T, b bundle) {
	putAgent(t, b, "ana", 1, frontline.PresenceOnline, "general")
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityHigh))
	e, _ := b.svc.Entry(ctx(t), c.ID)
	if e.AssigneeID != "ana" {
		t.Fatalf("routed to %q, want ana", e.AssigneeID)
	}
	putAgent(t, b, "ben", 1, frontline.PresenceOnline, "general")
	if err := b.svc.Fire(ctx(t), handoff.Timer{ConversationID: c.ID, Kind: handoff.TimerNoAnswer, Epoch: e.Epoch, Agent: "ana"}); err != nil {
		t.Fatal(err)
	}
	e, _ = b.svc.Entry(ctx(t), c.ID)
	if e.AssigneeID != "ben" || !slices.Contains(e.Declined, "ana") {
		t.Fatalf("after ana did not answer: %+v, want it with ben", e)
	}
	if n := len(events(t, b.Log, c.ID, frontline.EventUnassign)); n != 1 {
		t.Fatalf("%d unassign events, want 1", n)
	}
	// Ben answers: his no-answer timer does nothing.
	if _, err := b.svc.Reply(ctx(t), agentUser("ben"), c.ID, handoff.ReplyRequest{Body: "Hello!"}); err != nil {
		t.Fatal(err)
	}
	cur, _ := b.svc.Entry(ctx(t), c.ID)
	if err := b.svc.Fire(ctx(t), handoff.Timer{ConversationID: c.ID, Kind: handoff.TimerNoAnswer, Epoch: cur.Epoch, Agent: "ben"}); err != nil {
		t.Fatal(err)
	}
	if e, _ := b.svc.Entry(ctx(t), c.ID); e.AssigneeID != "ben" || e.RespondedAt.IsZero() {
		t.Fatalf("after ben answered: %+v, want it still his", e)
	}
}

func testDirectory(t *testing.T, b bundle) {
	hours := &frontline.BusinessHours{TimeZone: "Europe/Berlin", Open: []frontline.OpenSpan{{Days: []string{"mon"}, From: "09:00", To: "17:00"}}, Holidays: []string{"2026-12-25"}}
	if err := b.Queue.PutTeam(ctx(t), frontline.Team{ID: "billing", Name: "Billing", Skills: []string{"refunds"}, Hours: hours}); err != nil {
		t.Fatal(err)
	}
	teams, err := b.Queue.FindTeams(ctx(t))
	if err != nil || len(teams) != 1 || teams[0].Hours == nil || teams[0].Hours.TimeZone != "Europe/Berlin" || teams[0].Skills[0] != "refunds" {
		t.Fatalf("teams = %+v (%v)", teams, err)
	}
	wantCode(t, b.Queue.DeleteTeam(ctx(t), "nowhere"), frontline.ENotFound)
	pol := handoff.DefaultPolicies()[0]
	if err := b.Queue.PutSLAPolicy(ctx(t), pol); err != nil {
		t.Fatal(err)
	}
	pols, err := b.Queue.FindSLAPolicies(ctx(t))
	if err != nil || len(pols) != 1 || pols[0].FirstResponse != pol.FirstResponse || pols[0].Escalation != pol.Escalation {
		t.Fatalf("policies = %+v (%v)", pols, err)
	}
	putAgent(t, b, "ana", 3, frontline.PresenceOnline, "billing")
	a, err := b.Queue.FindAgent(ctx(t), "ana")
	if err != nil || a.Capacity != 3 || a.Presence != frontline.PresenceOnline || a.Load != 0 {
		t.Fatalf("agent = %+v (%v)", a, err)
	}
	// Re-putting a profile keeps the presence.
	a.Capacity = 4
	a.Presence = ""
	if err := b.Queue.PutAgent(ctx(t), *a); err != nil {
		t.Fatal(err)
	}
	if a, _ = b.Queue.FindAgent(ctx(t), "ana"); a.Capacity != 4 || a.Presence != frontline.PresenceOnline {
		t.Fatalf("agent after update = %+v, want capacity 4 and still online", a)
	}
	_, err = b.Queue.FindAgent(ctx(t), "nobody")
	wantCode(t, err, frontline.ENotFound)
	if err := b.Queue.PutCannedReply(ctx(t), handoff.CannedReply{ID: "hi", Title: "Hi", Body: "Hi {{customer.name}}"}); err != nil {
		t.Fatal(err)
	}
	if cs, err := b.Queue.FindCannedReplies(ctx(t)); err != nil || len(cs) != 1 || cs[0].Body != "Hi {{customer.name}}" {
		t.Fatalf("canned = %+v (%v)", cs, err)
	}
}

// testTeamHours: what the widget tells a customer comes from the team the
// conversation would go to: the first-line team until it is queued, then
// its own; a holiday inside the weekly hours is closed, and the next
// opening skips it.
func testTeamHours(t *testing.T, b bundle) {
	christmas := time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC) // a Friday, 11:00 in Berlin
	var mu sync.Mutex
	now := christmas
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	svc := handoff.NewService(b.Queue, b.Log, b.Bus, handoff.Config{Now: clock, FirstLineTeam: "support"})
	hours := &frontline.BusinessHours{TimeZone: "Europe/Berlin",
		Open:     []frontline.OpenSpan{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "17:00"}},
		Holidays: []string{"2026-12-25"}}
	for _, team := range []frontline.Team{{ID: "support", Name: "Support", Hours: hours}, {ID: "billing", Name: "Billing"}} {
		if err := svc.PutTeam(ctx(t), team); err != nil {
			t.Fatal(err)
		}
	}
	monday := time.Date(2026, 12, 28, 8, 0, 0, 0, time.UTC) // 09:00 in Berlin
	toBilling := storetest.MustCreateConversation(t, b.Log, "v_1")
	toSupport := storetest.MustCreateConversation(t, b.Log, "v_2")
	neverQueued := storetest.MustCreateConversation(t, b.Log, "v_3")
	mustEnqueue(t, bundle{Store: b.Store, svc: svc}, packet(toBilling.ID, frontline.Tier1, "billing", frontline.PriorityNormal))
	mustEnqueue(t, bundle{Store: b.Store, svc: svc}, packet(toSupport.ID, frontline.Tier1, "support", frontline.PriorityNormal))

	for _, c := range []struct {
		name, conv, team string
		open             bool
		opensAt          time.Time
	}{
		{"no conversation yet: the first-line team", "", "support", false, monday},
		{"never queued: the first-line team", neverQueued.ID, "support", false, monday},
		{"not an id: the first-line team", "../x", "support", false, monday},
		{"queued for billing, which has no hours", toBilling.ID, "billing", true, time.Time{}},
		{"queued for support", toSupport.ID, "support", false, monday},
	} {
		th, err := svc.TeamHours(ctx(t), c.conv)
		if err != nil || th.Team != c.team || th.Open != c.open || !th.OpensAt.Equal(c.opensAt) {
			t.Errorf("%s: TeamHours = %+v (err %v), want team %s open %v opens at %v", c.name, th, err, c.team, c.open, c.opensAt)
		}
	}
	if th, _ := svc.TeamHours(ctx(t), ""); th.Hours == nil || th.Hours.String() != "Mon,Tue,Wed,Thu,Fri 09:00-17:00 Europe/Berlin" {
		t.Errorf("first-line hours = %v, want the team's", th.Hours)
	}
	// The queue says the same to the customer already waiting.
	if qp, err := svc.QueuePosition(ctx(t), toSupport.ID); err != nil || !qp.OpensAt.Equal(monday) {
		t.Errorf("queue position on the holiday = %+v (err %v), want opens at %v", qp, err, monday)
	}
	mu.Lock()
	now = monday
	mu.Unlock()
	if th, err := svc.TeamHours(ctx(t), ""); err != nil || !th.Open || !th.OpensAt.IsZero() {
		t.Errorf("Monday 09:00 in Berlin: %+v (err %v), want open", th, err)
	}
	// A resolved conversation goes back to the bot: the next hand-off is
	// the first-line team's again.
	ana := b.user(t, "ana")
	if _, err := svc.Claim(ctx(t), ana, toBilling.ID); err != nil {
		t.Fatal(err)
	}
	if th, err := svc.TeamHours(ctx(t), toBilling.ID); err != nil || th.Team != "billing" {
		t.Errorf("assigned: TeamHours = %+v (err %v), want its team, billing", th, err)
	}
	if _, err := svc.Resolve(ctx(t), ana, toBilling.ID); err != nil {
		t.Fatal(err)
	}
	if th, err := svc.TeamHours(ctx(t), toBilling.ID); err != nil || th.Team != "support" {
		t.Errorf("resolved: TeamHours = %+v (err %v), want the first-line team", th, err)
	}
}

func testNextResponse(t *testing.T, b bundle) {
	ana := putAgent(t, b, "ana", 2, frontline.PresenceAway, "general")
	c := storetest.MustCreateConversation(t, b.Log, "v_1")
	mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))
	if _, err := b.svc.Claim(ctx(t), ana, c.ID); err != nil {
		t.Fatal(err)
	}
	// Before the first answer the first-response clock runs; no next one.
	if err := b.svc.CustomerWrote(ctx(t), c.ID); err != nil {
		t.Fatal(err)
	}
	if e, _ := b.svc.Entry(ctx(t), c.ID); !e.NextDueAt.IsZero() {
		t.Fatalf("next response due %v before any answer, want none", e.NextDueAt)
	}
	if _, err := b.svc.Reply(ctx(t), ana, c.ID, handoff.ReplyRequest{Body: "Hi!"}); err != nil {
		t.Fatal(err)
	}
	answered, _ := b.svc.Entry(ctx(t), c.ID)
	if answered.RespondedAt.IsZero() {
		t.Fatal("first response not recorded")
	}
	if err := b.svc.CustomerWrote(ctx(t), c.ID); err != nil {
		t.Fatal(err)
	}
	waiting, _ := b.svc.Entry(ctx(t), c.ID)
	if waiting.NextDueAt.IsZero() || waiting.Epoch <= answered.Epoch {
		t.Fatalf("after the customer wrote: %+v, want a next-response deadline at a new epoch", waiting)
	}
	// A breach of it is recorded once; answering clears the deadline.
	tm := handoff.Timer{ConversationID: c.ID, Kind: handoff.TimerBreach, Target: handoff.TargetNextResponse, Epoch: waiting.Epoch}
	if err := b.svc.Fire(ctx(t), tm); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Reply(ctx(t), ana, c.ID, handoff.ReplyRequest{Body: "Sorry for the wait."}); err != nil {
		t.Fatal(err)
	}
	if e, _ := b.svc.Entry(ctx(t), c.ID); !e.NextDueAt.IsZero() {
		t.Fatalf("next response due %v after the answer, want none", e.NextDueAt)
	}
	evs := events(t, b.Log, c.ID, frontline.EventSLABreach)
	var d handoff.SLAData
	if len(evs) != 1 || json.Unmarshal(evs[0].Data, &d) != nil || d.Target != handoff.TargetNextResponse {
		t.Fatalf("breaches = %+v, want one of next_response", evs)
	}
}

func testPlacementOrder(t *testing.T, b bundle) {
	ana := putAgent(t, b, "ana", 1, frontline.PresenceOnline, "general")
	var ids []string
	for i := range 3 {
		c := storetest.MustCreateConversation(t, b.Log, fmt.Sprintf("v_%d", i))
		ids = append(ids, c.ID)
		e := mustEnqueue(t, b, packet(c.ID, frontline.Tier1, "general", frontline.PriorityNormal))
		if want := map[int]frontline.QueueStatus{0: frontline.QueueAssigned, 1: frontline.QueueWaiting, 2: frontline.QueueWaiting}[i]; e.Status != want {
			t.Fatalf("hand-off %d returned %s, want %s (placed at once only while someone has room)", i, e.Status, want)
		}
	}
	if _, err := b.svc.Resolve(ctx(t), ana, ids[0]); err != nil {
		t.Fatal(err)
	}
	first, _ := b.svc.Entry(ctx(t), ids[1])
	second, _ := b.svc.Entry(ctx(t), ids[2])
	if first.Status != frontline.QueueAssigned || second.Status != frontline.QueueWaiting {
		t.Fatalf("after a seat freed: %s then %s, want the older one placed first", first.Status, second.Status)
	}
	// A newer hand-off does not jump the one waiting ahead in its line.
	if _, err := b.svc.Resolve(ctx(t), ana, ids[1]); err != nil {
		t.Fatal(err)
	}
	if e, _ := b.svc.Entry(ctx(t), ids[2]); e.Status != frontline.QueueAssigned {
		t.Fatalf("the waiting one is %s after the next seat freed, want assigned", e.Status)
	}
}
