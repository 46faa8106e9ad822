package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

// The bot's obligations (DESIGN.md invariant 8): each customer message owes
// one answer, committed with it, completed by exactly one reply or drop.

// longLease outlasts any test: a claim under it never comes back by itself.
const longLease = time.Hour

// MustClaim claims up to limit obligations and fails the test on error.
func MustClaim(tb testing.TB, log frontline.Log, limit int, lease time.Duration) []frontline.Obligation {
	tb.Helper()
	obs, err := log.ClaimObligations(context.Background(), frontline.ClaimOpts{Limit: limit, Lease: lease})
	if err != nil {
		tb.Fatalf("ClaimObligations: %v", err)
	}
	return obs
}

func keysOf(obs []frontline.Obligation) []frontline.ObligationKey {
	out := make([]frontline.ObligationKey, len(obs))
	for i, o := range obs {
		out[i] = o.Key()
	}
	return out
}

func reply(conv string, answers int64, clientID string) frontline.AppendRequest {
	return frontline.AppendRequest{
		Message: frontline.Message{ConversationID: conv, ClientMsgID: clientID, Author: frontline.AuthorBot, Body: "Here is how.",
			Meta: frontline.MessageMeta{Kind: "answer", ReplyTo: answers}},
		Events:  []frontline.Event{{Kind: frontline.EventSearch, Actor: "bot"}},
		Answers: answers,
	}
}

func testObligationCommitsWithMessage(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	if obs := MustClaim(t, s.Log, 10, longLease); len(obs) != 0 {
		t.Fatalf("a new conversation owes %d answers, want 0", len(obs))
	}
	stored := MustAppend(t, s.Log, customerMsg(c.ID, "m1", "where is my parcel?"))
	MustAppend(t, s.Log, customerMsg(c.ID, "m1", "where is my parcel?")) // a resend owes nothing more
	obs := MustClaim(t, s.Log, 10, longLease)
	if len(obs) != 1 {
		t.Fatalf("after one customer message (sent twice) %d obligations are due, want 1", len(obs))
	}
	o := obs[0]
	if o.Message.Seq != stored.Message.Seq || o.Message.Body != "where is my parcel?" || o.Message.Author != frontline.AuthorCustomer || o.Attempt != 1 {
		t.Fatalf("claimed %+v (attempt %d), want the stored message at its first attempt", o.Message, o.Attempt)
	}
	if o.Conversation == nil || o.Conversation.ID != c.ID || o.Conversation.Status != frontline.StatusBot || o.Conversation.VisitorID != "v_1" {
		t.Fatalf("claimed with conversation %+v, want %s", o.Conversation, c.ID)
	}
	// Nobody else owes an answer: not the bot, an agent or the system.
	d := MustCreateConversation(t, s.Log, "v_2")
	for _, a := range []frontline.Author{frontline.AuthorBot, frontline.AuthorAgent, frontline.AuthorSystem} {
		MustAppend(t, s.Log, frontline.Message{ConversationID: d.ID, Author: a, AuthorID: "x", Body: "hello"})
	}
	if obs := MustClaim(t, s.Log, 10, longLease); len(obs) != 0 {
		t.Fatalf("%d obligations due for messages that are not the customer's, want 0: %+v", len(obs), obs)
	}
	// A conversation started by its first message owes its answer too.
	if _, err := s.Log.AppendMessage(ctx(t), startReq("c_started", "v_3", "s1", "hi")); err != nil {
		t.Fatal(err)
	}
	if obs := MustClaim(t, s.Log, 10, longLease); len(obs) != 1 || obs[0].Message.ConversationID != "c_started" {
		t.Fatalf("after a starting message, claimed %+v; want its obligation", obs)
	}
}

func testReplyCompletesObligation(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	MustAppend(t, s.Log, customerMsg(c.ID, "m1", "how do returns work?"))
	MustClaim(t, s.Log, 1, longLease)

	res, err := s.Log.AppendMessage(ctx(t), reply(c.ID, 1, "bot_answer_1"))
	if err != nil || res.Message.Seq != 2 || res.Duplicate {
		t.Fatalf("reply: %+v, %v; want it stored at seq 2", res, err)
	}
	// The same reply again is a duplicate; another reply is refused.
	if res, err := s.Log.AppendMessage(ctx(t), reply(c.ID, 1, "bot_answer_1")); err != nil || !res.Duplicate || res.Message.Seq != 2 {
		t.Fatalf("resent reply: %+v, %v; want the stored one as a duplicate", res, err)
	}
	_, err = s.Log.AppendMessage(ctx(t), reply(c.ID, 1, "bot_fallback_1"))
	if !errors.Is(err, frontline.ErrNotOwed) {
		t.Fatalf("second reply to seq 1: err = %v, want ErrNotOwed", err)
	}
	// Nothing is owed to replies, to unknown seqs, or to a dropped message.
	for _, seq := range []int64{2, 99} {
		if _, err := s.Log.AppendMessage(ctx(t), reply(c.ID, seq, "")); !errors.Is(err, frontline.ErrNotOwed) {
			t.Fatalf("reply answering seq %d: err = %v, want ErrNotOwed", seq, err)
		}
	}
	if dropped, err := s.Log.DropObligation(ctx(t), frontline.ObligationKey{ConversationID: c.ID, Seq: 1}); err != nil || dropped {
		t.Fatalf("drop of an answered message: %v, %v; want false", dropped, err)
	}
	// A refused reply completes nothing: the obligation stays owed.
	MustAppend(t, s.Log, customerMsg(c.ID, "m2", "and refunds?"))
	assigned := frontline.StatusAssigned
	if _, err := s.Log.UpdateConversation(ctx(t), c.ID, frontline.ConversationUpdate{Status: &assigned}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Log.AppendMessage(ctx(t), reply(c.ID, 3, "bot_answer_3")); !errors.Is(err, frontline.ErrHumanOwns) {
		t.Fatalf("bot reply while assigned: err = %v, want ErrHumanOwns", err)
	}
	msgs, err := s.Log.ReadMessages(ctx(t), c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages stored, want 3 (two questions, one answer)", len(msgs))
	}
	obs := MustClaim(t, s.Log, 10, longLease)
	if len(obs) != 1 || obs[0].Message.Seq != 3 || obs[0].Conversation.Status != frontline.StatusAssigned {
		t.Fatalf("after a refused reply, claimed %+v; want seq 3 still owed, in an assigned conversation", obs)
	}
	// The hand-off notice (a system message) may answer it.
	notice := frontline.AppendRequest{Message: frontline.Message{ConversationID: c.ID, Author: frontline.AuthorSystem, Body: "A person will be with you.",
		Meta: frontline.MessageMeta{Kind: "handoff", ReplyTo: 3}}, Answers: 3}
	if _, err := s.Log.AppendMessage(ctx(t), notice); err != nil {
		t.Fatalf("hand-off notice answering seq 3: %v", err)
	}
	if _, err := s.Log.AppendMessage(ctx(t), notice); !errors.Is(err, frontline.ErrNotOwed) {
		t.Fatalf("second notice: err = %v, want ErrNotOwed", err)
	}
}

func testDropObligation(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	MustAppend(t, s.Log, customerMsg(c.ID, "m1", "hello?"))
	key := frontline.ObligationKey{ConversationID: c.ID, Seq: 1}
	why := frontline.Event{Kind: frontline.EventObligationDropped, Actor: "bot", Data: frontline.MustJSON(frontline.DropData{Reason: frontline.DropHumanOwns})}
	for i, want := range []bool{true, false} {
		dropped, err := s.Log.DropObligation(ctx(t), key, why)
		if err != nil || dropped != want {
			t.Fatalf("drop %d: %v, %v; want %v", i+1, dropped, err, want)
		}
	}
	events, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: c.ID, Kinds: []frontline.EventKind{frontline.EventObligationDropped}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Seq != 1 || events[0].Actor != "bot" {
		t.Fatalf("drop events %+v; want one, about seq 1 (the second drop records nothing)", events)
	}
	if _, err := s.Log.AppendMessage(ctx(t), reply(c.ID, 1, "")); !errors.Is(err, frontline.ErrNotOwed) {
		t.Fatalf("reply after a drop: err = %v, want ErrNotOwed", err)
	}
	if obs := MustClaim(t, s.Log, 10, longLease); len(obs) != 0 {
		t.Fatalf("a dropped obligation was claimed: %+v", obs)
	}
	if _, err := s.Log.DropObligation(ctx(t), key, frontline.Event{}); frontline.ErrorCode(err) != frontline.EInvalid {
		t.Fatalf("drop with an invalid event: err = %v, want invalid", err)
	}
}

// Racing replies and drops for one message, as from workers on several
// nodes: exactly one completes it.
func testConcurrentCompletionsOnce(t *testing.T, s Store) {
	const rounds, racers = 5, 8
	c := MustCreateConversation(t, s.Log, "v_1")
	for r := range rounds {
		q := MustAppend(t, s.Log, customerMsg(c.ID, fmt.Sprintf("q%d", r), "where is my parcel?"))
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range racers {
			wg.Go(func() {
				var ok bool
				var err error
				if i%4 == 3 {
					ok, err = s.Log.DropObligation(context.Background(), frontline.ObligationKey{ConversationID: c.ID, Seq: q.Message.Seq},
						frontline.Event{Kind: frontline.EventObligationDropped})
				} else {
					_, err = s.Log.AppendMessage(context.Background(), reply(c.ID, q.Message.Seq, fmt.Sprintf("r%d-%d", r, i)))
					ok = err == nil
					if errors.Is(err, frontline.ErrNotOwed) {
						err = nil
					}
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("racer %d: %v", i, err)
				}
				if ok {
					won++
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("round %d: %d racers completed the obligation, want exactly 1", r, won)
		}
	}
	msgs, err := s.Log.ReadMessages(ctx(t), c.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	replies := map[int64]int{}
	for _, m := range msgs {
		if m.Author == frontline.AuthorBot {
			replies[m.Meta.ReplyTo]++
		}
	}
	drops, err := s.Log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: c.ID, Kinds: []frontline.EventKind{frontline.EventObligationDropped}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range drops {
		replies[e.Seq]++
	}
	for seq, n := range replies {
		if n != 1 {
			t.Errorf("customer message %d has %d replies and drops, want 1", seq, n)
		}
	}
	if len(replies) != rounds {
		t.Errorf("%d messages completed, want %d", len(replies), rounds)
	}
}

// Claimers racing over many conversations never get the same obligation.
func testConcurrentClaimsTakeEachOnce(t *testing.T, s Store) {
	const convs, claimers = 30, 6
	for i := range convs {
		c := MustCreateConversation(t, s.Log, fmt.Sprintf("v_%d", i))
		MustAppend(t, s.Log, customerMsg(c.ID, "m1", "hello"))
	}
	var mu sync.Mutex
	claimed := map[frontline.ObligationKey]int{}
	var wg sync.WaitGroup
	for range claimers {
		wg.Go(func() {
			for {
				obs, err := s.Log.ClaimObligations(context.Background(), frontline.ClaimOpts{Limit: 3, Lease: longLease})
				if err != nil {
					t.Error(err)
					return
				}
				if len(obs) == 0 {
					return
				}
				mu.Lock()
				for _, o := range obs {
					claimed[o.Key()]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != convs {
		t.Errorf("%d obligations claimed, want %d", len(claimed), convs)
	}
	for k, n := range claimed {
		if n != 1 {
			t.Errorf("%v claimed %d times under one lease, want once", k, n)
		}
	}
}

// A claim whose lease runs out (its node died) is due again; a lease that
// is extended, or a retry that backs off, keeps it away meanwhile.
func testLeaseExpiryReturnsClaim(t *testing.T, s Store) {
	c := MustCreateConversation(t, s.Log, "v_1")
	MustAppend(t, s.Log, customerMsg(c.ID, "m1", "hello"))
	first := MustClaim(t, s.Log, 1, 50*time.Millisecond)
	if len(first) != 1 {
		t.Fatalf("claimed %d, want 1", len(first))
	}
	var again []frontline.Obligation
	deadline := time.Now().Add(10 * time.Second)
	for len(again) == 0 && time.Now().Before(deadline) {
		again = MustClaim(t, s.Log, 1, longLease)
	}
	if len(again) != 1 || again[0].Key() != first[0].Key() || again[0].Attempt != 2 {
		t.Fatalf("after the lease ran out, claimed %+v; want the same obligation at attempt 2", again)
	}
	// Extended and backed off: not due.
	if err := s.Log.ExtendObligations(ctx(t), keysOf(again), longLease); err != nil {
		t.Fatal(err)
	}
	if obs := MustClaim(t, s.Log, 1, longLease); len(obs) != 0 {
		t.Fatalf("claimed %+v under an extended lease", obs)
	}
	if err := s.Log.RetryObligation(ctx(t), again[0].Key(), longLease); err != nil {
		t.Fatal(err)
	}
	if obs := MustClaim(t, s.Log, 1, longLease); len(obs) != 0 {
		t.Fatalf("claimed %+v while it backs off", obs)
	}
	// Retried at once: due again.
	if err := s.Log.RetryObligation(ctx(t), again[0].Key(), 0); err != nil {
		t.Fatal(err)
	}
	if obs := MustClaim(t, s.Log, 1, longLease); len(obs) != 1 || obs[0].Attempt != 3 {
		t.Fatalf("after a retry with no delay claimed %+v, want it at attempt 3", obs)
	}
	if _, err := s.Log.ClaimObligations(ctx(t), frontline.ClaimOpts{Limit: 0, Lease: time.Second}); frontline.ErrorCode(err) != frontline.EInvalid {
		t.Fatalf("claim with limit 0: err = %v, want invalid", err)
	}
}

// A conversation's messages are claimable one at a time, in seq order.
func testObligationsInConversationOrder(t *testing.T, s Store) {
	a := MustCreateConversation(t, s.Log, "v_a")
	b := MustCreateConversation(t, s.Log, "v_b")
	for i := range 3 {
		MustAppend(t, s.Log, customerMsg(a.ID, fmt.Sprintf("a%d", i), "question"))
		MustAppend(t, s.Log, customerMsg(b.ID, fmt.Sprintf("b%d", i), "question"))
	}
	var order []frontline.ObligationKey
	for range 3 {
		obs := MustClaim(t, s.Log, 10, longLease)
		if len(obs) != 2 || obs[0].Message.ConversationID == obs[1].Message.ConversationID {
			t.Fatalf("claimed %v; want one obligation from each conversation", keysOf(obs))
		}
		if more := MustClaim(t, s.Log, 10, longLease); len(more) != 0 {
			t.Fatalf("claimed %v while the earlier messages of their conversations are owed", keysOf(more))
		}
		for _, o := range obs {
			order = append(order, o.Key())
			if o.Message.ConversationID == a.ID {
				// Answered.
				if _, err := s.Log.AppendMessage(ctx(t), reply(a.ID, o.Message.Seq, "")); err != nil {
					t.Fatal(err)
				}
			} else if _, err := s.Log.DropObligation(ctx(t), o.Key()); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string][]int64{}
	for _, k := range order {
		got[k.ConversationID] = append(got[k.ConversationID], k.Seq)
	}
	for _, id := range []string{a.ID, b.ID} {
		if fmt.Sprint(got[id]) != "[1 2 3]" {
			t.Errorf("conversation %s claimed in order %v, want [1 2 3]", id, got[id])
		}
	}
}
