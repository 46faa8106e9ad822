package postgres_test

import (
	"context"
	"testing"

	"github.com/frontlinehq/frontline"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.RunTests(t, func(t *testing.T) storetest.Store {
		db := pgtest.NewDB(t)
		bus := postgres.NewBus(db)
		if err := bus.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(bus.Close)
		return storetest.Store{Log: db, Bus: bus}
	})
}

// A message this node appended reads back from memory exactly as from the
// database; a run broken by another node's append is read from the database.
func TestRecentMessagesMatchTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, schema := pgtest.NewUnmigratedDB(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	other := pgtest.OpenSchema(t, schema) // a second node
	t.Cleanup(other.Close)
	c := storetest.MustCreateConversation(t, db, "v_1")
	conf := 0.87
	storetest.MustAppend(t, db, frontline.Message{ConversationID: c.ID, ClientMsgID: "m1", Author: frontline.AuthorCustomer, AuthorID: "v_1", Body: "where is my parcel?",
		Meta: frontline.MessageMeta{Redactions: []string{"email"}}})
	storetest.MustAppend(t, db, frontline.Message{ConversationID: c.ID, Author: frontline.AuthorBot, Body: "It is on its way.",
		Meta: frontline.MessageMeta{Kind: "answer", Confidence: &conf, ReplyTo: 1, Extra: map[string]string{"offered_human": "true"},
			Citations: []frontline.Citation{{ArticleID: "a_1", Title: "Delivery", Score: 0.9}}}})
	stored, err := db.ReadMessages(ctx, c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	recent, ok := db.RecentMessages(c.ID, 0, 2)
	if !ok {
		t.Fatal("RecentMessages does not hold the two messages this node just appended")
	}
	if a, b := frontline.MustJSON(recent), frontline.MustJSON(stored); string(a) != string(b) {
		t.Errorf("from memory:\n%s\nfrom the database:\n%s", a, b)
	}
	storetest.MustAppend(t, other, frontline.Message{ConversationID: c.ID, Author: frontline.AuthorAgent, Body: "Hi, Ada here."})
	storetest.MustAppend(t, db, frontline.Message{ConversationID: c.ID, Author: frontline.AuthorCustomer, Body: "thanks"})
	if got, ok := db.RecentMessages(c.ID, 2, 4); ok {
		t.Errorf("RecentMessages answered for seq 3, which another node appended: %+v", got)
	}
	if got, ok := db.RecentMessages(c.ID, 3, 4); !ok || len(got) != 1 || got[0].Body != "thanks" {
		t.Errorf("RecentMessages(3, 4) = %+v, %v; want this node's seq 4", got, ok)
	}
}

func TestSiteSettingsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunSiteSettingsTests(t, func(t *testing.T) frontline.SiteSettingsStore { return postgres.NewSiteStore(pgtest.NewDB(t)) })
}
