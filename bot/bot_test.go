package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
)

var phrasings = map[string][]string{
	"reset-password":  {"how do I reset my password", "I forgot my password"},
	"start-a-return":  {"how do I start a return"},
	"payment-methods": {"which payment methods do you accept", "can I pay with PayPal"},
}

// demoKB is the demo knowledge base, imported once per test binary into an
// in-memory store (import and indexing dominate a test's cost; searches
// never change it).
var demoKB = sync.OnceValues(newDemoKB)

// newDemoKB imports the demo knowledge base into a store of its own: for
// tests that read the KB's reports, which the shared one mixes with every
// other test's questions.
func newDemoKB() (*kb.Service, error) {
	svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	arts, err := kb.ReadDir(demo.Articles())
	if err != nil {
		return nil, err
	}
	if _, err := kb.Import(context.Background(), svc, arts); err != nil {
		return nil, err
	}
	// A few customer phrasings, as editors attach them from the
	// unanswered-questions report: they make these questions clear matches
	// whatever the retrieval tuning.
	for slug, texts := range phrasings {
		a, err := svc.ArticleBySlug(context.Background(), slug)
		if err != nil {
			return nil, err
		}
		if _, err := svc.AddPhrasings(context.Background(), a.ID, texts, kb.SourceEditor); err != nil {
			return nil, err
		}
	}
	return svc, nil
}

func mustDemoKB(tb testing.TB) *kb.Service {
	tb.Helper()
	svc, err := demoKB()
	if err != nil {
		tb.Fatalf("demo KB: %v", err)
	}
	return svc
}

// fixture is a bot over one conversation log, queue and knowledge base.
type fixture struct {
	bot     *bot.Bot
	log     frontline.Log
	handoff *handoff.Service
	kb      *kb.Service
}

type stores struct {
	log   frontline.Log
	bus   frontline.Bus
	queue handoff.Store
}

func memoryStores(t testing.TB) stores {
	bus := memory.NewBus()
	log := memory.NewStore(bus)
	return stores{log: log, bus: bus, queue: memory.NewHandoffStore(log)}
}

// withOwnKB gives the fixture a demo KB of its own.
func withOwnKB(t testing.TB) func(*bot.Config, *bot.Deps) {
	t.Helper()
	svc, err := newDemoKB()
	if err != nil {
		t.Fatalf("demo KB: %v", err)
	}
	return func(_ *bot.Config, d *bot.Deps) { d.KB = svc }
}

func setup(t testing.TB, opts ...func(*bot.Config, *bot.Deps)) fixture {
	t.Helper()
	return setupOn(t, memoryStores(t), opts...)
}

func setupOn(t testing.TB, s stores, opts ...func(*bot.Config, *bot.Deps)) fixture {
	t.Helper()
	svc := mustDemoKB(t)
	hs := handoff.NewService(s.queue, s.log, s.bus, handoff.Config{AverageHandleTime: 4 * time.Minute})
	cfg := bot.DefaultConfig()
	deps := bot.Deps{Log: s.log, KB: svc, Handoff: hs}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	b, err := bot.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{bot: b, log: s.log, handoff: hs, kb: deps.KB}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func (f fixture) newConversation(t testing.TB) *frontline.Conversation {
	t.Helper()
	c := &frontline.Conversation{VisitorID: "v_1", SiteKey: "site_1",
		Profile: map[string]string{"name": "Ada", "page": "/account/orders"}}
	if err := f.log.CreateConversation(ctx(t), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// say stores a customer message the way the widget does (masked through
// Prepare) and runs the bot on it; it returns what was appended after it.
func (f fixture) say(t testing.TB, c *frontline.Conversation, text string) []frontline.Message {
	t.Helper()
	masked, kinds, err := f.bot.Prepare(text)
	if err != nil {
		t.Fatalf("Prepare(%q): %v", text, err)
	}
	res, err := f.log.AppendMessage(ctx(t), frontline.AppendRequest{Message: frontline.Message{
		ConversationID: c.ID, Author: frontline.AuthorCustomer, AuthorID: c.VisitorID, Body: masked,
		Meta: frontline.MessageMeta{Redactions: kinds},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// As the widget does: the conversation as it is now.
	if err := f.bot.HandleMessage(ctx(t), f.conversation(t, c.ID), res.Message); err != nil {
		t.Fatalf("HandleMessage(%q): %v", text, err)
	}
	after, err := f.log.ReadMessages(ctx(t), c.ID, res.Message.Seq, 0)
	if err != nil {
		t.Fatal(err)
	}
	return after
}

func (f fixture) conversation(t testing.TB, id string) *frontline.Conversation {
	t.Helper()
	c, err := f.log.FindConversationByID(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f fixture) events(t testing.TB, conv string, kind frontline.EventKind) []frontline.Event {
	t.Helper()
	evs, err := f.log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: conv, Kinds: []frontline.EventKind{kind}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func onlyReply(t testing.TB, msgs []frontline.Message) frontline.Message {
	t.Helper()
	if len(msgs) != 1 {
		t.Fatalf("got %d replies %s, want 1", len(msgs), describe(msgs))
	}
	return msgs[0]
}

func describe(msgs []frontline.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n  %d %s/%s: %.120q", m.Seq, m.Author, m.Meta.Kind, m.Body)
	}
	return b.String()
}
