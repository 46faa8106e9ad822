package bot_test

import (
	"context"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// agent1 is a signed-in agent who works every queue (offline, so claims
// are the test's to make).
func agent1(t *testing.T, f fixture) *frontline.User {
	t.Helper()
	a := handoff.Agent{UserID: "agent_1", Name: "Dana", Tiers: frontline.Tiers, Capacity: 10,
		Teams: []string{"support", "billing", "security", "technical", "privacy", "orders", "accounts", "legal"}}
	if err := f.handoff.Store().PutAgent(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	return &frontline.User{ID: "agent_1", Name: "Dana", Roles: []frontline.Role{frontline.RoleAgent}}
}

func postgresStores(t testing.TB) stores {
	db := pgtest.NewDB(t)
	bus := postgres.NewBus(db)
	if err := bus.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	return stores{log: db, bus: bus, queue: postgres.NewHandoffStore(db)}
}

// TestBotSilentWhileHumanOwns: once handed off, the bot answers only what
// it can cite; once claimed, it says nothing (signals are still recorded for the agent); after the agent hands
// back, it answers again.
func TestBotSilentWhileHumanOwns(t *testing.T) {
	onBothStores(t, func(t *testing.T, f fixture) {
		c := f.newConversation(t)
		if notice := onlyReply(t, f.say(t, c, "I want to talk to a person")); notice.Meta.Kind != bot.KindHandoff {
			t.Fatalf("first reply kind %q, want handoff", notice.Meta.Kind)
		}
		// While queued, a question the bot can answer gets its answer (the
		// customer keeps their place); one it cannot gets silence, not a
		// second hand-off.
		if reply := onlyReply(t, f.say(t, c, "How do I reset my password?")); reply.Meta.Kind != bot.KindAnswer {
			t.Fatalf("while queued: %s/%s %q, want a bot answer", reply.Author, reply.Meta.Kind, reply.Body)
		}
		if msgs := f.say(t, c, "Zorblax quantum frobnication of my llama?"); len(msgs) != 0 {
			t.Fatalf("bot spoke while queued on a question it cannot answer:%s", describe(msgs))
		}
		if conv := f.conversation(t, c.ID); conv.Status != frontline.StatusQueued {
			t.Fatalf("status after questions while queued = %q, want still queued", conv.Status)
		}
		if _, err := f.handoff.Claim(ctx(t), agent1(t, f), c.ID); err != nil {
			t.Fatal(err)
		}
		if msgs := f.say(t, c, "This is useless, I am SO angry!!!"); len(msgs) != 0 {
			t.Fatalf("bot spoke while an agent owns the conversation:%s", describe(msgs))
		}
		if !hasSignalEvent(t, f, c.ID, frontline.SignalFrustration) {
			t.Fatal("frustration while assigned was not recorded")
		}
		if _, err := f.handoff.HandBack(ctx(t), agent1(t, f), c.ID); err != nil {
			t.Fatal(err)
		}
		reply := onlyReply(t, f.say(t, c, "How do I reset my password?"))
		if reply.Author != frontline.AuthorBot || reply.Meta.Kind != bot.KindAnswer {
			t.Fatalf("after hand-back: %s/%s %q, want a bot answer", reply.Author, reply.Meta.Kind, reply.Body)
		}
	})
}

// A message sent while an agent owned the conversation stays theirs: handed
// to the bot after the hand-back (a customer returning to the widget), it
// gets no bot reply.
func TestBotLeavesMessagesFromBeforeTheHandBack(t *testing.T) {
	onBothStores(t, func(t *testing.T, f fixture) {
		c := f.newConversation(t)
		f.say(t, c, "I want to talk to a person")
		if _, err := f.handoff.Claim(ctx(t), agent1(t, f), c.ID); err != nil {
			t.Fatal(err)
		}
		f.say(t, c, "How do I reset my password?") // the agent's to answer
		last, err := f.log.ReadMessages(ctx(t), c.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		question := last[len(last)-1]
		if _, err := f.handoff.HandBack(ctx(t), agent1(t, f), c.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.bot.HandleMessage(ctx(t), f.conversation(t, c.ID), question); err != nil {
			t.Fatal(err)
		}
		after, err := f.log.ReadMessages(ctx(t), c.ID, question.Seq, 0)
		if err != nil {
			t.Fatal(err)
		}
		var bot []frontline.Message
		for _, m := range after {
			if m.Author == frontline.AuthorBot {
				bot = append(bot, m)
			}
		}
		if len(bot) != 0 { // the hand-back notice (system) may follow
			t.Fatalf("the bot answered a message from the agent's time:%s", describe(bot))
		}
	})
}

// onBothStores runs test on a fixture over each store, in parallel.
func onBothStores(t *testing.T, test func(t *testing.T, f fixture)) {
	t.Parallel()
	for name, newStores := range map[string]func(testing.TB) stores{"memory": memoryStores, "postgres": postgresStores} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, setupOn(t, newStores(t)))
		})
	}
}
