package bot_test

import (
	"context"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

func postgresStores(t testing.TB) stores {
	db := pgtest.NewDB(t)
	bus := postgres.NewBus(db)
	if err := bus.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	return stores{log: db, bus: bus, queue: postgres.NewHandoffStore(db)}
}

// TestBotSilentWhileHumanOwns: once handed off and claimed, the bot says
// nothing (signals are still recorded for the agent); after the agent hands
// back, it answers again.
func TestBotSilentWhileHumanOwns(t *testing.T) {
	t.Parallel()
	for name, newStores := range map[string]func(testing.TB) stores{"memory": memoryStores, "postgres": postgresStores} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := setupOn(t, newStores(t))
			c := f.newConversation(t)
			if notice := onlyReply(t, f.say(t, c, "I want to talk to a person")); notice.Meta.Kind != bot.KindHandoff {
				t.Fatalf("first reply kind %q, want handoff", notice.Meta.Kind)
			}
			if msgs := f.say(t, c, "How do I reset my password?"); len(msgs) != 0 {
				t.Fatalf("bot spoke while queued:%s", describe(msgs))
			}
			if _, err := f.handoff.Claim(ctx(t), c.ID, "agent_1"); err != nil {
				t.Fatal(err)
			}
			if msgs := f.say(t, c, "This is useless, I am SO angry!!!"); len(msgs) != 0 {
				t.Fatalf("bot spoke while an agent owns the conversation:%s", describe(msgs))
			}
			if !hasSignalEvent(t, f, c.ID, frontline.SignalFrustration) {
				t.Fatal("frustration while assigned was not recorded")
			}
			if _, err := f.handoff.HandBack(ctx(t), c.ID, "agent_1"); err != nil {
				t.Fatal(err)
			}
			reply := onlyReply(t, f.say(t, c, "How do I reset my password?"))
			if reply.Author != frontline.AuthorBot || reply.Meta.Kind != bot.KindAnswer {
				t.Fatalf("after hand-back: %s/%s %q, want a bot answer", reply.Author, reply.Meta.Kind, reply.Body)
			}
		})
	}
}
