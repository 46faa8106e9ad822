package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/storetest"
)

// BenchmarkAppend measures one acknowledged append (its own commit) and, in
// the same run, the floor it is compared against: a bare single-row INSERT
// committed on its own, and the same in an explicit BEGIN/INSERT/COMMIT.
// Read the append as a ratio of the bare commit: both pay the same fsync.
func BenchmarkAppend(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE bare_insert (id bigserial PRIMARY KEY, conversation_id text NOT NULL, body text NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	conv := storetest.MustCreateConversation(b, db, "v_bench")

	b.Run("message", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if _, err := db.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
				ConversationID: conv.ID, ClientMsgID: fmt.Sprint("m", i), Author: frontline.AuthorCustomer, Body: "where is my parcel?",
			}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("message_with_signal_event", func(b *testing.B) {
		i := 0
		sig := frontline.MustJSON(frontline.Signal{Kind: frontline.SignalFrustration, Confidence: 0.9})
		for b.Loop() {
			i++
			if _, err := db.AppendMessage(ctx, frontline.AppendRequest{
				Message: frontline.Message{ConversationID: conv.ID, ClientMsgID: fmt.Sprint("e", i), Author: frontline.AuthorCustomer, Body: "this is useless"},
				Events:  []frontline.Event{{Kind: frontline.EventSignal, Actor: "bot", Data: sig}},
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare_insert_autocommit", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Pool().Exec(ctx, `INSERT INTO bare_insert (conversation_id, body) VALUES ($1, $2)`, conv.ID, "where is my parcel?"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare_insert_begin_commit", func(b *testing.B) {
		for b.Loop() {
			tx, err := db.Pool().Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO bare_insert (conversation_id, body) VALUES ($1, $2)`, conv.ID, "where is my parcel?"); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkNotifyToReceipt measures the bus across two pools (two nodes):
// from NOTIFY on node A to the subscriber on node B being woken.
func BenchmarkNotifyToReceipt(b *testing.B) {
	nodeA, schema := pgtest.NewUnmigratedDB(b)
	if _, err := nodeA.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	nodeB := pgtest.OpenSchema(b, schema)
	busA, busB := postgres.NewBus(nodeA), postgres.NewBus(nodeB)
	for _, bus := range []*postgres.Bus{busA, busB} {
		if err := bus.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(bus.Close)
	}
	ch, cancel := busB.Subscribe(frontline.TopicQueue)
	defer cancel()
	ctx := context.Background()
	var seq int64
	for b.Loop() {
		seq++
		if err := busA.Publish(ctx, frontline.TopicQueue, seq); err != nil {
			b.Fatal(err)
		}
		for n := range ch {
			if n.Seq >= seq {
				break
			}
		}
	}
}

// BenchmarkAppendParallel is the many-customers case: 32 writers at once,
// each on its own conversation, against bare single-row commits from 32
// writers in the same run. Commits that NOTIFY serialise under one lock, so
// this is where the bus's place (inside or after the commit) shows.
func BenchmarkAppendParallel(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE bare_insert (id bigserial PRIMARY KEY, conversation_id text NOT NULL, body text NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	const writers = 32
	convs := make(chan string, writers*4)
	for range writers * 4 {
		convs <- storetest.MustCreateConversation(b, db, "v_bench").ID
	}
	b.Run("message", func(b *testing.B) {
		b.SetParallelism(writers / 2) // 2 CPUs × 16
		b.RunParallel(func(pb *testing.PB) {
			conv := <-convs
			defer func() { convs <- conv }()
			i := 0
			for pb.Next() {
				i++
				if _, err := db.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
					ConversationID: conv, Author: frontline.AuthorCustomer, Body: "where is my parcel?",
				}}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("bare_insert_autocommit", func(b *testing.B) {
		b.SetParallelism(writers / 2)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := db.Pool().Exec(ctx, `INSERT INTO bare_insert (conversation_id, body) VALUES ($1, $2)`, "c", "where is my parcel?"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkCustomerMessageStatements is one customer message's life in the
// Log, as the widget and the bot's worker drive it on one node: the
// append, the claim, the bot's read of the conversation, its reply (which
// ends the obligation) and the worker's drop, then the customer's tab
// reading past its last message (an empty page). It reports the round
// trips and statements per message, which the machine's load does not
// change; ns/op is one client's serial latency.
func BenchmarkCustomerMessageStatements(b *testing.B) {
	db, counter := newCountedDB(b)
	ctx := context.Background()
	conv := storetest.MustCreateConversation(b, db, "v_bench")
	trips, stmts := counter.now()
	i := 0
	for b.Loop() {
		i++
		res, err := db.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
			ConversationID: conv.ID, ClientMsgID: fmt.Sprint("m", i), Author: frontline.AuthorCustomer, Body: "where is my parcel?",
		}})
		if err != nil {
			b.Fatal(err)
		}
		obs, err := db.ClaimObligations(ctx, frontline.ClaimOpts{Limit: 8, Lease: 10 * time.Second})
		if err != nil || len(obs) != 1 {
			b.Fatalf("claimed %d (%v), want 1", len(obs), err)
		}
		if _, err := db.ReadMessages(ctx, conv.ID, max(res.Message.Seq-20, 0), 0); err != nil {
			b.Fatal(err)
		}
		reply, err := db.AppendMessage(ctx, frontline.AppendRequest{Answers: res.Message.Seq, Message: frontline.Message{
			ConversationID: conv.ID, Author: frontline.AuthorBot, Body: "It is on its way.", Meta: frontline.MessageMeta{ReplyTo: res.Message.Seq},
		}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.DropObligation(ctx, obs[0].Key()); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ReadMessages(ctx, conv.ID, reply.Message.Seq, 0); err != nil {
			b.Fatal(err)
		}
	}
	counter.report(b, trips, stmts)
}
