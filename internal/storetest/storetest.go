// Package storetest is the one conformance suite every implementation of the
// conversation log and bus must pass (internal/memory and internal/postgres).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

// Store is what the suite tests: a log and the bus its appends wake.
type Store struct {
	Log frontline.Log
	Bus frontline.Bus
}

// RunTests runs the suite; newStore returns a fresh, empty store per test.
func RunTests(t *testing.T, newStore func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"CreateAndFindConversation", testCreateAndFind},
		{"AppendReturnsStoredMessage", testAppendReturnsStored},
		{"AppendIdempotentByClientID", testAppendIdempotent},
		{"AppendValidation", testAppendValidation},
		{"ConcurrentAppendsHaveNoGaps", testConcurrentAppends},
		{"ConcurrentDuplicatesStoreOnce", testConcurrentDuplicates},
		{"ReadAfterSeq", testReadAfterSeq},
		{"EventsCommitWithMessage", testEventsWithMessage},
		{"BotSilentWhileHumanOwns", testBotSilentWhileHumanOwns},
		{"UpdateConversation", testUpdateConversation},
		{"ListingIsPerVisitor", testListingIsPerVisitor},
		{"FindEvents", testFindEvents},
		{"AppendWakesBus", testAppendWakesBus},
		{"StartCreatesWithFirstMessage", testStart},
		{"StartIsRefusedForAnotherVisitor", testStartOtherVisitor},
		{"ConcurrentStartsCreateOnce", testConcurrentStarts},
		{"ObligationCommitsWithMessage", testObligationCommitsWithMessage},
		{"ReplyCompletesObligation", testReplyCompletesObligation},
		{"DropObligation", testDropObligation},
		{"ConcurrentCompletionsOnce", testConcurrentCompletionsOnce},
		{"ConcurrentClaimsTakeEachOnce", testConcurrentClaimsTakeEachOnce},
		{"LeaseExpiryReturnsClaim", testLeaseExpiryReturnsClaim},
		{"ObligationsInConversationOrder", testObligationsInConversationOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// MustCreateConversation creates a conversation for visitor.
func MustCreateConversation(tb testing.TB, log frontline.Log, visitor string) *frontline.Conversation {
	tb.Helper()
	c := &frontline.Conversation{VisitorID: visitor, SiteKey: "site_1", Profile: map[string]string{"name": "Ada"}}
	if err := log.CreateConversation(context.Background(), c); err != nil {
		tb.Fatalf("CreateConversation: %v", err)
	}
	return c
}

// MustAppend appends a message and fails the test on error.
func MustAppend(tb testing.TB, log frontline.Log, m frontline.Message, events ...frontline.Event) frontline.AppendResult {
	tb.Helper()
	res, err := log.AppendMessage(context.Background(), frontline.AppendRequest{Message: m, Events: events})
	if err != nil {
		tb.Fatalf("AppendMessage(%.40q): %v", m.Body, err)
	}
	return res
}

func customerMsg(conv, clientID, body string) frontline.Message {
	return frontline.Message{ConversationID: conv, ClientMsgID: clientID, Author: frontline.AuthorCustomer, Body: body}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := frontline.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testCreateAndFind(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	if c.ID == "" || c.Status != frontline.StatusBot || c.LastSeq != 0 || c.CreatedAt.IsZero() {
		t.Fatalf("created conversation not filled in: %+v", c)
	}
	got, err := s.Log.FindConversationByID(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.VisitorID != "v_1" || got.SiteKey != "site_1" || got.Profile["name"] != "Ada" || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("found %+v, want the created %+v", got, c)
	}
	_, err = s.Log.FindConversationByID(ctx(t), "c_missing")
	wantCode(t, err, frontline.ENotFound)

	err = s.Log.CreateConversation(ctx(t), &frontline.Conversation{ID: c.ID, VisitorID: "v_2"})
	wantCode(t, err, frontline.EConflict)
	err = s.Log.CreateConversation(ctx(t), &frontline.Conversation{})
	wantCode(t, err, frontline.EInvalid)
}

func testAppendReturnsStored(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	conf := 0.8
	m := frontline.Message{
		ConversationID: c.ID, Author: frontline.AuthorBot, Body: "Here is how returns work.",
		Meta: frontline.MessageMeta{Kind: "answer", Confidence: &conf, ReplyTo: 1,
			Citations: []frontline.Citation{{ArticleID: "a_1", RevisionID: "r_1", Title: "Returns", Score: 0.8}}},
	}
	first := MustAppend(t, s.Log, customerMsg(c.ID, "m1", "how do returns work?"))
	second := MustAppend(t, s.Log, m)
	if first.Message.Seq != 1 || second.Message.Seq != 2 || first.Duplicate || second.Duplicate {
		t.Fatalf("seqs = %d, %d (dup %v %v), want 1, 2 and not duplicates", first.Message.Seq, second.Message.Seq, first.Duplicate, second.Duplicate)
	}
	if second.Message.CreatedAt.IsZero() {
		t.Fatal("appended message has no created time")
	}
	msgs, err := s.Log.ReadMessages(ctx(t), c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("read %d messages, want 2", len(msgs))
	}
	got := msgs[1]
	if got.Body != m.Body || got.Author != frontline.AuthorBot || got.Meta.Kind != "answer" ||
		got.Meta.Confidence == nil || *got.Meta.Confidence != 0.8 || len(got.Meta.Citations) != 1 ||
		got.Meta.Citations[0].RevisionID != "r_1" || got.Meta.ReplyTo != 1 {
		t.Fatalf("read back %+v, want %+v", got, m)
	}
	if !got.CreatedAt.Equal(second.Message.CreatedAt) {
		t.Fatalf("read created_at %v, append returned %v", got.CreatedAt, second.Message.CreatedAt)
	}
	conv, err := s.Log.FindConversationByID(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if conv.LastSeq != 2 {
		t.Fatalf("conversation last seq = %d, want 2", conv.LastSeq)
	}
}

func testAppendIdempotent(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	orig := MustAppend(t, s.Log, customerMsg(c.ID, "client-1", "where is my parcel?"))
	MustAppend(t, s.Log, customerMsg(c.ID, "client-2", "order 100455"))
	again := MustAppend(t, s.Log, customerMsg(c.ID, "client-1", "where is my parcel? (resent)"))
	if !again.Duplicate || again.Message.Seq != orig.Message.Seq || again.Message.Body != orig.Message.Body {
		t.Fatalf("resend = %+v, want the original seq %d body %q marked duplicate", again, orig.Message.Seq, orig.Message.Body)
	}
	msgs, err := s.Log.ReadMessages(ctx(t), c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("stored %d messages after a resend, want 2", len(msgs))
	}
	// The same client id in another conversation is another message.
	other := MustCreateConversation(t, s.Log, "v_2")
	if res := MustAppend(t, s.Log, customerMsg(other.ID, "client-1", "hello")); res.Duplicate || res.Message.Seq != 1 {
		t.Fatalf("client id reused in another conversation: %+v, want a new message with seq 1", res)
	}
}

func testAppendValidation(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	tests := []struct {
		name string
		msg  frontline.Message
		code string
	}{
		{"oversized body", customerMsg(c.ID, "", strings.Repeat("a", frontline.MaxBodyBytes+1)), frontline.ETooLarge},
		{"empty body", customerMsg(c.ID, "", "   "), frontline.EInvalid},
		{"invalid utf8", customerMsg(c.ID, "", "\xff\xfe"), frontline.EInvalid},
		{"unknown author", frontline.Message{ConversationID: c.ID, Author: "robot", Body: "x"}, frontline.EInvalid},
		{"bad client id", customerMsg(c.ID, "has space", "x"), frontline.EInvalid},
		{"unknown conversation", customerMsg("c_nope", "", "x"), frontline.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Log.AppendMessage(ctx(t), frontline.AppendRequest{Message: tt.msg})
			wantCode(t, err, tt.code)
		})
	}
	// The largest allowed body is stored whole.
	big := strings.Repeat("é", frontline.MaxBodyBytes/2)
	if res := MustAppend(t, s.Log, customerMsg(c.ID, "", big)); res.Message.Seq != 1 {
		t.Fatalf("seq = %d after refused appends, want 1 (refusals must not use up seqs)", res.Message.Seq)
	}
}

// testConcurrentAppends: 50 writers at once, some resending each other's ids.
// Seqs must be exactly 1..N, each client id stored once.
func testConcurrentAppends(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	const writers, perWriter = 50, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*2)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("w%d-%d", w, i)
				for range 2 { // every message is sent twice, as a flaky client would
					if _, err := s.Log.AppendMessage(context.Background(), frontline.AppendRequest{
						Message: customerMsg(c.ID, id, "message "+id),
					}); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent append: %v", err)
	}
	msgs, err := s.Log.ReadMessages(ctx(t), c.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != writers*perWriter {
		t.Fatalf("stored %d messages, want %d (a client id was duplicated or lost)", len(msgs), writers*perWriter)
	}
	seen := map[string]bool{}
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Fatalf("message %d has seq %d: gap or repeat", i, m.Seq)
		}
		if seen[m.ClientMsgID] {
			t.Fatalf("client id %s stored twice", m.ClientMsgID)
		}
		seen[m.ClientMsgID] = true
	}
	conv, err := s.Log.FindConversationByID(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if conv.LastSeq != writers*perWriter {
		t.Fatalf("last seq = %d, want %d", conv.LastSeq, writers*perWriter)
	}
}

func testConcurrentDuplicates(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	const senders = 50
	results := make([]frontline.AppendResult, senders)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range senders {
		wg.Go(func() {
			res, err := s.Log.AppendMessage(context.Background(), frontline.AppendRequest{Message: customerMsg(c.ID, "same", "hi")})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			results[i] = res
		})
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	created := 0
	for _, r := range results {
		if !r.Duplicate {
			created++
		}
		if r.Message.Seq != 1 {
			t.Fatalf("a sender got seq %d, want every sender to get seq 1", r.Message.Seq)
		}
	}
	if created != 1 {
		t.Fatalf("%d senders were told they created the message, want exactly 1", created)
	}
}

func testReadAfterSeq(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	for i := range 10 {
		MustAppend(t, s.Log, customerMsg(c.ID, fmt.Sprint("m", i), fmt.Sprint("message ", i+1)))
	}
	tests := []struct {
		after    int64
		limit    int
		wantSeqs []int64
	}{
		{0, 0, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{7, 0, []int64{8, 9, 10}},
		{3, 2, []int64{4, 5}},
		{10, 0, nil},
		{42, 0, nil},
		{-5, 2, []int64{1, 2}},
	}
	for _, tt := range tests {
		msgs, err := s.Log.ReadMessages(ctx(t), c.ID, tt.after, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, m := range msgs {
			got = append(got, m.Seq)
			if want := fmt.Sprint("message ", m.Seq); m.Body != want {
				t.Fatalf("seq %d has body %q, want %q", m.Seq, m.Body, want)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.wantSeqs) {
			t.Errorf("ReadMessages(after %d, limit %d) seqs = %v, want %v", tt.after, tt.limit, got, tt.wantSeqs)
		}
	}
	_, err := s.Log.ReadMessages(ctx(t), "c_missing", 0, 0)
	wantCode(t, err, frontline.ENotFound)
}

func testEventsWithMessage(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	sig := frontline.Signal{Kind: frontline.SignalFrustration, Confidence: 0.9,
		Evidence: []frontline.Evidence{{Turn: 0, Text: "this is useless", Rule: "useless"}}}
	res := MustAppend(t, s.Log, customerMsg(c.ID, "m1", "this is useless"),
		frontline.Event{Kind: frontline.EventSignal, Actor: "bot", Data: frontline.MustJSON(sig)},
		frontline.Event{Kind: frontline.EventSearch, Actor: "bot", Data: frontline.MustJSON(map[string]any{"abstained": true})})
	events, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: c.ID, Kinds: []frontline.EventKind{frontline.EventSignal, frontline.EventSearch}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Kind != frontline.EventSignal || events[1].Kind != frontline.EventSearch {
		t.Fatalf("events = %+v, want the signal then the search", events)
	}
	for _, e := range events {
		if e.Seq != res.Message.Seq || e.ID == 0 || e.CreatedAt.IsZero() || e.ConversationID != c.ID {
			t.Fatalf("event %+v not tied to message seq %d", e, res.Message.Seq)
		}
	}
	if !strings.Contains(string(events[0].Data), "this is useless") {
		t.Fatalf("signal event data = %s, want the evidence", events[0].Data)
	}
	// A resend records nothing new.
	MustAppend(t, s.Log, customerMsg(c.ID, "m1", "this is useless"), frontline.Event{Kind: frontline.EventSignal})
	// A refused append records nothing: same commit, all or nothing.
	_, err = s.Log.AppendMessage(ctx(t), frontline.AppendRequest{
		Message: customerMsg(c.ID, "m2", strings.Repeat("x", frontline.MaxBodyBytes+1)),
		Events:  []frontline.Event{{Kind: frontline.EventSignal}},
	})
	wantCode(t, err, frontline.ETooLarge)
	events, err = s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: c.ID, Kinds: []frontline.EventKind{frontline.EventSignal}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("%d signal events after a resend and a refused append, want 1", len(events))
	}
}

func testBotSilentWhileHumanOwns(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	bot := frontline.Message{ConversationID: c.ID, Author: frontline.AuthorBot, Body: "Let me look that up."}
	MustAppend(t, s.Log, bot)
	// While queued the bot still answers what it can: the customer keeps
	// their place in line.
	queued := frontline.StatusQueued
	if _, err := s.Log.UpdateConversation(ctx(t), c.ID, frontline.ConversationUpdate{Status: &queued}); err != nil {
		t.Fatal(err)
	}
	whileQueued := bot
	whileQueued.Body = "Our opening hours are 9 to 5."
	MustAppend(t, s.Log, whileQueued)
	for _, st := range []frontline.ConversationStatus{frontline.StatusAssigned} {
		if _, err := s.Log.UpdateConversation(ctx(t), c.ID, frontline.ConversationUpdate{Status: &st}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Log.AppendMessage(ctx(t), frontline.AppendRequest{Message: bot,
			Events: []frontline.Event{{Kind: frontline.EventSearch}}})
		if !errors.Is(err, frontline.ErrHumanOwns) && frontline.ErrorCode(err) != frontline.EConflict {
			t.Fatalf("bot append while %s: err = %v, want %v", st, err, frontline.ErrHumanOwns)
		}
		// Agents and customers still write.
		MustAppend(t, s.Log, frontline.Message{ConversationID: c.ID, Author: frontline.AuthorAgent, AuthorID: "a_1", Body: "Hi, I'm Dana."})
	}
	back := frontline.StatusBot
	if _, err := s.Log.UpdateConversation(ctx(t), c.ID, frontline.ConversationUpdate{Status: &back}); err != nil {
		t.Fatal(err)
	}
	if res := MustAppend(t, s.Log, bot); res.Message.Seq != 4 {
		t.Fatalf("bot message after hand-back has seq %d, want 4 (refusals must not use seqs)", res.Message.Seq)
	}
	events, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: c.ID, Kinds: []frontline.EventKind{frontline.EventSearch}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Fatalf("refused bot appends recorded %d events, want 0", len(events))
	}
}

func testUpdateConversation(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	st, private, agent := frontline.StatusAssigned, true, "a_7"
	got, err := s.Log.UpdateConversation(ctx(t), c.ID, frontline.ConversationUpdate{
		Status: &st, Private: &private, AssigneeID: &agent,
		Profile: map[string]string{"plan": "pro"},
		Events:  []frontline.Event{{Kind: frontline.EventClaim, Actor: agent}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != st || !got.Private || got.AssigneeID != agent || got.Profile["plan"] != "pro" || got.Profile["name"] != "Ada" {
		t.Fatalf("updated = %+v", got)
	}
	if !got.UpdatedAt.After(c.UpdatedAt) && !got.UpdatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("updated_at went back: %v < %v", got.UpdatedAt, c.UpdatedAt)
	}
	events, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: c.ID, Kinds: []frontline.EventKind{frontline.EventClaim}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Actor != agent {
		t.Fatalf("claim events = %+v", events)
	}
	bad := frontline.ConversationStatus("lost")
	_, err = s.Log.UpdateConversation(ctx(t), c.ID, frontline.ConversationUpdate{Status: &bad})
	wantCode(t, err, frontline.EInvalid)
	_, err = s.Log.UpdateConversation(ctx(t), "c_missing", frontline.ConversationUpdate{Status: &st})
	wantCode(t, err, frontline.ENotFound)
}

func testListingIsPerVisitor(t *testing.T, s Store) {
	mine1 := MustCreateConversation(t, s.Log, "v_me")
	MustCreateConversation(t, s.Log, "v_other")
	mine2 := MustCreateConversation(t, s.Log, "v_me")
	verified := &frontline.Conversation{VisitorID: "v_other2", CustomerID: "cust_9"}
	if err := s.Log.CreateConversation(ctx(t), verified); err != nil {
		t.Fatal(err)
	}
	got, err := s.Log.FindConversations(ctx(t), frontline.ConversationFilter{VisitorID: "v_me"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("visitor sees %d conversations, want 2", len(got))
	}
	for _, c := range got {
		if c.VisitorID != "v_me" || (c.ID != mine1.ID && c.ID != mine2.ID) {
			t.Fatalf("visitor v_me was shown %+v", c)
		}
	}
	got, err = s.Log.FindConversations(ctx(t), frontline.ConversationFilter{CustomerID: "cust_9"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != verified.ID {
		t.Fatalf("customer listing = %+v, want only %s", got, verified.ID)
	}
	got, err = s.Log.FindConversations(ctx(t), frontline.ConversationFilter{VisitorID: "v_nobody"})
	if err != nil || len(got) != 0 {
		t.Fatalf("unknown visitor listing = %v, %v; want none", got, err)
	}
	_, err = s.Log.FindConversations(ctx(t), frontline.ConversationFilter{SiteKey: "site_1"})
	wantCode(t, err, frontline.EInvalid)
	got, err = s.Log.FindConversations(ctx(t), frontline.ConversationFilter{VisitorID: "v_me", Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("limited listing = %v, %v; want 1", got, err)
	}
}

func testFindEvents(t *testing.T, s Store) {
	a := MustCreateConversation(t, s.Log, "v_1")
	b := MustCreateConversation(t, s.Log, "v_2")
	if _, err := s.Log.AppendEvents(ctx(t),
		frontline.Event{ConversationID: a.ID, Kind: frontline.EventCSAT, Data: frontline.MustJSON(map[string]int{"score": 5})},
		frontline.Event{ConversationID: b.ID, Kind: frontline.EventCSAT, Data: frontline.MustJSON(map[string]int{"score": 2})},
	); err != nil {
		t.Fatal(err)
	}
	all, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Kind != frontline.EventConversationStarted || all[1].Kind != frontline.EventCSAT {
		t.Fatalf("events of a = %+v, want started then csat", all)
	}
	after, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: a.ID, AfterID: all[0].ID})
	if err != nil || len(after) != 1 {
		t.Fatalf("events after %d = %v, %v; want 1", all[0].ID, after, err)
	}
	_, err = s.Log.AppendEvents(ctx(t), frontline.Event{ConversationID: "c_missing", Kind: frontline.EventCSAT})
	wantCode(t, err, frontline.ENotFound)
	_, err = s.Log.AppendEvents(ctx(t), frontline.Event{ConversationID: a.ID, Kind: frontline.EventCSAT, Data: []byte("{nope")})
	wantCode(t, err, frontline.EInvalid)
	_, err = s.Log.FindEvents(ctx(t), frontline.EventFilter{})
	wantCode(t, err, frontline.EInvalid)
}

func testAppendWakesBus(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	ch, cancel := s.Bus.Subscribe(frontline.ConversationTopic(c.ID))
	defer cancel()
	other, cancelOther := s.Bus.Subscribe(frontline.ConversationTopic("c_someone_else"))
	defer cancelOther()
	MustAppend(t, s.Log, customerMsg(c.ID, "m1", "hello"))
	n := WaitNotification(t, ch)
	if n.Topic != frontline.ConversationTopic(c.ID) || n.Seq != 1 {
		t.Fatalf("notification = %+v, want seq 1 on %s", n, frontline.ConversationTopic(c.ID))
	}
	if err := s.Bus.Publish(ctx(t), frontline.TopicQueue, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-other:
		t.Fatalf("another conversation's subscriber was woken: %+v", n)
	default:
	}
}

// WaitNotification waits for one notification or fails after 10 seconds.
func WaitNotification(tb testing.TB, ch <-chan frontline.Notification) frontline.Notification {
	tb.Helper()
	select {
	case n := <-ch:
		return n
	case <-time.After(10 * time.Second):
		tb.Fatal("no notification within 10s")
		return frontline.Notification{}
	}
}

func startReq(conv, visitor, clientID, body string) frontline.AppendRequest {
	return frontline.AppendRequest{
		Message: customerMsg(conv, clientID, body),
		Start:   &frontline.Conversation{VisitorID: visitor, SiteKey: "site_1", Profile: map[string]string{"name": "Ada"}},
	}
}

func testStart(t *testing.T, s Store) {
	id := frontline.NewID("c_")
	res, err := s.Log.AppendMessage(ctx(t), startReq(id, "v_1", "m1", "where is my parcel?"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Started || res.Duplicate || res.Message.Seq != 1 {
		t.Fatalf("first message = %+v, want started, seq 1", res)
	}
	c, err := s.Log.FindConversationByID(ctx(t), id)
	if err != nil {
		t.Fatalf("the started conversation: %v", err)
	}
	if c.VisitorID != "v_1" || c.SiteKey != "site_1" || c.Status != frontline.StatusBot || c.LastSeq != 1 || c.Profile["name"] != "Ada" {
		t.Errorf("started conversation = %+v", c)
	}
	evs, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: id, Kinds: []frontline.EventKind{frontline.EventConversationStarted}})
	if err != nil || len(evs) != 1 {
		t.Errorf("conversation_started events = %d (%v), want 1", len(evs), err)
	}
	// The same visitor again (another tab): appended, not started.
	res, err = s.Log.AppendMessage(ctx(t), startReq(id, "v_1", "m2", "order 100455"))
	if err != nil || res.Started || res.Message.Seq != 2 {
		t.Fatalf("second start append = %+v, %v; want seq 2, not started", res, err)
	}
	// A resend is a duplicate, whichever path it takes.
	res, err = s.Log.AppendMessage(ctx(t), startReq(id, "v_1", "m1", "where is my parcel?"))
	if err != nil || !res.Duplicate || res.Message.Seq != 1 {
		t.Fatalf("resent first message = %+v, %v; want the duplicate of seq 1", res, err)
	}
	bad := startReq(frontline.NewID("c_"), "", "m1", "hi")
	_, err = s.Log.AppendMessage(ctx(t), bad)
	wantCode(t, err, frontline.EInvalid)
	bad = startReq(frontline.NewID("c_"), "v_1", "m1", "hi")
	bad.Start.ID = frontline.NewID("c_")
	_, err = s.Log.AppendMessage(ctx(t), bad)
	wantCode(t, err, frontline.EInvalid)
	bad = startReq(frontline.NewID("c_"), "v_1", "m1", strings.Repeat("a", frontline.MaxBodyBytes+1))
	_, err = s.Log.AppendMessage(ctx(t), bad)
	wantCode(t, err, frontline.ETooLarge)
	if _, err := s.Log.FindConversationByID(ctx(t), bad.Message.ConversationID); frontline.ErrorCode(err) != frontline.ENotFound {
		t.Errorf("a refused first message left its conversation behind: %v", err)
	}
}

func testStartOtherVisitor(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_owner")
	MustAppend(t, s.Log, customerMsg(c.ID, "m1", "my address is private"))
	for _, req := range []frontline.AppendRequest{
		startReq(c.ID, "v_intruder", "m2", "hello"),
		startReq(c.ID, "v_intruder", "m1", "resend of someone else's id"),
		{Message: customerMsg(c.ID, "m3", "other site"), Start: &frontline.Conversation{VisitorID: "v_owner", SiteKey: "site_2"}},
	} {
		res, err := s.Log.AppendMessage(ctx(t), req)
		if !errors.Is(err, frontline.ErrNotTheirs) {
			t.Errorf("append by %s on %s = %+v, %v; want ErrNotTheirs", req.Start.VisitorID, req.Start.SiteKey, res, err)
		}
	}
	msgs, err := s.Log.ReadMessages(ctx(t), c.ID, 0, 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("owner's conversation has %d messages (%v), want 1", len(msgs), err)
	}
}

func testConcurrentStarts(t *testing.T, s Store) {
	id := frontline.NewID("c_")
	const tabs = 8
	results := make([]frontline.AppendResult, tabs)
	errs := make([]error, tabs)
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Go(func() {
			results[i], errs[i] = s.Log.AppendMessage(ctx(t), startReq(id, "v_1", fmt.Sprintf("tab-%d", i), "hello"))
		})
	}
	wg.Wait()
	started := 0
	seqs := map[int64]bool{}
	for i, res := range results {
		if errs[i] != nil {
			t.Fatalf("tab %d: %v", i, errs[i])
		}
		if res.Started {
			started++
		}
		seqs[res.Message.Seq] = true
	}
	if started != 1 || len(seqs) != tabs {
		t.Fatalf("%d tabs starting at once: %d started it, %d distinct seqs; want 1 and %d", tabs, started, len(seqs), tabs)
	}
	for seq := int64(1); seq <= tabs; seq++ {
		if !seqs[seq] {
			t.Fatalf("seqs %v have a gap at %d", seqs, seq)
		}
	}
}
