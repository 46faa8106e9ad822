package retention_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/retention"
	"github.com/frontlinehq/frontline/internal/storetest"
)

// A sweep walks the whole log batch by batch and deletes what the policy
// no longer keeps; a month later everything but the open hand-off goes.
func TestSweepWalksEveryBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := memory.NewStore(memory.NewBus())
	queue := memory.NewHandoffStore(log)
	purger := memory.NewPurger(log, queue, nil)
	for i := range 7 {
		c := storetest.MustCreateConversation(t, log, "v_"+string(rune('a'+i)))
		storetest.MustAppend(t, log, frontline.Message{ConversationID: c.ID, Author: frontline.AuthorCustomer, AuthorID: c.VisitorID, Body: "hello"})
	}
	open := storetest.MustCreateConversation(t, log, "v_open")
	now := time.Now().UTC()
	if _, _, err := queue.Enqueue(ctx, &frontline.QueueEntry{ConversationID: open.ID, Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityNormal,
		EnqueuedAt: now, DueAt: now.Add(time.Hour), Packet: frontline.HandoffPacket{ConversationID: open.ID}}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}

	p := retention.Days(30)
	p.Batch = 3
	if n, err := p.Sweep(ctx, purger); err != nil || n != 0 {
		t.Fatalf("a sweep today deleted %d (%v), want 0", n, err)
	}
	p.Now = func() time.Time { return now.Add(31 * 24 * time.Hour) }
	n, err := p.Sweep(ctx, purger)
	if err != nil || n != 7 {
		t.Fatalf("a sweep a month later deleted %d (%v), want the 7 bot conversations", n, err)
	}
	if _, err := log.FindConversationByID(ctx, open.ID); err != nil {
		t.Errorf("the open hand-off: %v", err)
	}
}
