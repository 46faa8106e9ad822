package bot_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
)

func lastMessage(t *testing.T, f fixture, conv string) frontline.Message {
	t.Helper()
	all, err := f.log.ReadMessages(ctx(t), conv, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return all[len(all)-1]
}

func dropReasons(t *testing.T, f fixture, conv string) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for _, e := range f.events(t, conv, frontline.EventObligationDropped) {
		var d frontline.DropData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[e.Seq]; dup {
			t.Fatalf("seq %d dropped twice", e.Seq)
		}
		out[e.Seq] = d.Reason
	}
	return out
}

// Handlers racing over one message (a retry on another node while the
// first is still writing) post one reply between them.
func TestConcurrentHandlersReplyOnce(t *testing.T) {
	onBothStores(t, func(t *testing.T, f fixture) {
		c := f.newConversation(t)
		res, err := f.log.AppendMessage(ctx(t), frontline.AppendRequest{Message: frontline.Message{
			ConversationID: c.ID, Author: frontline.AuthorCustomer, AuthorID: c.VisitorID, Body: "How do I reset my password?"}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if err := f.bot.HandleMessage(ctx(t), f.conversation(t, c.ID), res.Message); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		after, err := f.log.ReadMessages(ctx(t), c.ID, res.Message.Seq, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != 1 || after[0].Meta.ReplyTo != res.Message.Seq {
			t.Fatalf("four handlers of one message posted:%s\nwant one reply", describe(after))
		}
	})
}

// A message to a queued conversation that the bot cannot answer from the
// KB is left to the person in line: the bot's obligation is dropped with
// the reason, in the commit of its signals.
func TestBotDropsItsObligationWhileQueued(t *testing.T) {
	onBothStores(t, func(t *testing.T, f fixture) {
		c := f.newConversation(t)
		f.say(t, c, "I want to talk to a person")
		if msgs := f.say(t, c, "This is useless, I am SO angry!!!"); len(msgs) != 0 {
			t.Fatalf("bot spoke while queued:%s", describe(msgs))
		}
		question := lastMessage(t, f, c.ID)
		if got := dropReasons(t, f, c.ID); got[question.Seq] != frontline.DropQueued || len(got) != 1 {
			t.Fatalf("dropped obligations %v, want seq %d's, because it is queued with nothing to cite", got, question.Seq)
		}
		if !hasSignalEvent(t, f, c.ID, frontline.SignalFrustration) {
			t.Fatal("the signals of a dropped message were not recorded")
		}
		if obs, err := f.log.ClaimObligations(ctx(t), frontline.ClaimOpts{Limit: 10, Lease: 1e9}); err != nil || len(obs) != 0 {
			t.Fatalf("still owed after the bot handled everything: %+v, %v", obs, err)
		}
	})
}

// A node that queued the conversation and died before telling the customer
// leaves the notice owed: the next handler of the message posts it, once;
// later messages the KB cannot answer wait for the person.
func TestUnannouncedHandoffIsAnnounced(t *testing.T) {
	onBothStores(t, func(t *testing.T, f fixture) {
		c := f.newConversation(t)
		res, err := f.log.AppendMessage(ctx(t), frontline.AppendRequest{Message: frontline.Message{
			ConversationID: c.ID, Author: frontline.AuthorCustomer, AuthorID: c.VisitorID, Body: "I want to talk to a person"}})
		if err != nil {
			t.Fatal(err)
		}
		// What the dead node got to do: the conversation is queued.
		if _, err := f.handoff.Enqueue(ctx(t), frontline.HandoffPacket{ConversationID: c.ID, Reason: "asked for a person",
			Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityNormal}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := f.bot.HandleMessage(ctx(t), f.conversation(t, c.ID), res.Message); err != nil {
				t.Fatal(err)
			}
		}
		after, err := f.log.ReadMessages(ctx(t), c.ID, res.Message.Seq, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != 1 || after[0].Author != frontline.AuthorSystem || after[0].Meta.Kind != bot.KindHandoff || after[0].Meta.ReplyTo != res.Message.Seq {
			t.Fatalf("after the retried hand-off:%s\nwant one system hand-off notice answering seq %d", describe(after), res.Message.Seq)
		}
		// Still queued: what the KB cannot answer waits for the person.
		if msgs := f.say(t, c, "What is the capital of Mongolia?"); len(msgs) != 0 {
			t.Fatalf("a message after the notice got:%s\nwant nothing (the person in line answers it)", describe(msgs))
		}
	})
}

// When routing gave the conversation to an agent at once, before the node
// died, the notice is still owed and posted, once: the customer learns a
// person has it (the three-node kill test saw customers told nothing).
func TestUnannouncedHandoffToAnAgentIsAnnounced(t *testing.T) {
	onBothStores(t, func(t *testing.T, f fixture) {
		c := f.newConversation(t)
		res, err := f.log.AppendMessage(ctx(t), frontline.AppendRequest{Message: frontline.Message{
			ConversationID: c.ID, Author: frontline.AuthorCustomer, AuthorID: c.VisitorID, Body: "I want to talk to a person"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.handoff.Enqueue(ctx(t), frontline.HandoffPacket{ConversationID: c.ID, Reason: "asked for a person",
			Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityNormal}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.handoff.Claim(ctx(t), agent1(t, f), c.ID); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := f.bot.HandleMessage(ctx(t), f.conversation(t, c.ID), res.Message); err != nil {
				t.Fatal(err)
			}
		}
		after, err := f.log.ReadMessages(ctx(t), c.ID, res.Message.Seq, 0)
		if err != nil {
			t.Fatal(err)
		}
		notices := 0
		for _, m := range after {
			if m.Author == frontline.AuthorSystem && m.Meta.Kind == bot.KindHandoff && m.Meta.ReplyTo == res.Message.Seq {
				notices++
			}
		}
		if notices != 1 {
			t.Fatalf("after the retried hand-off:%s\nwant one system hand-off notice answering seq %d", describe(after), res.Message.Seq)
		}
	})
}
