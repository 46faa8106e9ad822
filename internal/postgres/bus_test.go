package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/storetest"
)

// Two nodes (two pools, two listeners) on one database see each other's
// appends.
func TestBusAcrossNodes(t *testing.T) {
	t.Parallel()
	nodeA, schema := pgtest.NewUnmigratedDB(t)
	if _, err := nodeA.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	nodeB := pgtest.OpenSchema(t, schema)
	busA, busB := mustStartBus(t, nodeA), mustStartBus(t, nodeB)

	conv := storetest.MustCreateConversation(t, nodeA, "v_1")
	onA, cancelA := busA.Subscribe(frontline.ConversationTopic(conv.ID))
	defer cancelA()
	onB, cancelB := busB.Subscribe(frontline.ConversationTopic(conv.ID))
	defer cancelB()

	res := storetest.MustAppend(t, nodeA, frontline.Message{ConversationID: conv.ID, Author: frontline.AuthorCustomer, Body: "hello from A"})
	for name, ch := range map[string]<-chan frontline.Notification{"A": onA, "B": onB} {
		if n := storetest.WaitNotification(t, ch); n.Seq != res.Message.Seq {
			t.Fatalf("node %s woken with seq %d, want %d", name, n.Seq, res.Message.Seq)
		}
	}
	// Node B reads the row itself: the payload carries only the position.
	msgs, err := nodeB.ReadMessages(context.Background(), conv.ID, 0, 0)
	if err != nil || len(msgs) != 1 || msgs[0].Body != "hello from A" {
		t.Fatalf("node B read %v, %v", msgs, err)
	}
	// And the other way round, through Publish.
	onQueueA, cancelQ := busA.Subscribe(frontline.TopicQueue)
	defer cancelQ()
	if err := busB.Publish(context.Background(), frontline.TopicQueue, 7); err != nil {
		t.Fatal(err)
	}
	if n := storetest.WaitNotification(t, onQueueA); n.Topic != frontline.TopicQueue || n.Seq != 7 {
		t.Fatalf("queue notification = %+v", n)
	}
}

// When the listening connection dies, the bus reconnects, tells subscribers
// to resync, and delivers again.
func TestBusReconnects(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	bus := postgres.NewBus(db)
	connected := make(chan struct{}, 10)
	bus.SetTestConnected(func() { connected <- struct{}{} })
	if err := bus.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	<-connected

	conv := storetest.MustCreateConversation(t, db, "v_1")
	ch, cancel := bus.Subscribe(frontline.ConversationTopic(conv.ID))
	defer cancel()

	// Kill the listener's backend, as a failover or idle timeout would.
	if _, err := db.Pool().Exec(context.Background(),
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		 WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN %' AND datname = current_database()
		   AND query LIKE '%' || $1 || '%'`, db.NotifyChannel()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-connected:
	case <-time.After(15 * time.Second):
		t.Fatal("bus did not reconnect within 15s")
	}
	if n := storetest.WaitNotification(t, ch); !n.Resync {
		t.Fatalf("after reconnecting got %+v, want a resync notification", n)
	}
	res := storetest.MustAppend(t, db, frontline.Message{ConversationID: conv.ID, Author: frontline.AuthorCustomer, Body: "still there?"})
	if n := storetest.WaitNotification(t, ch); n.Seq != res.Message.Seq {
		t.Fatalf("after reconnect got %+v, want seq %d", n, res.Message.Seq)
	}
}

func mustStartBus(t testing.TB, db *postgres.DB) *postgres.Bus {
	t.Helper()
	b := postgres.NewBus(db)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}
