package widget

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/frontlinehq/frontline"
)

// readCountingLog counts the writer's reads of the Log; it passes
// RecentMessages through when the store has it.
type readCountingLog struct {
	frontline.Log
	reads atomic.Int32
}

func (l *readCountingLog) ReadMessages(ctx context.Context, conv string, after int64, limit int) ([]frontline.Message, error) {
	l.reads.Add(1)
	return l.Log.ReadMessages(ctx, conv, after, limit)
}

func (l *readCountingLog) RecentMessages(conv string, after, upTo int64) ([]frontline.Message, bool) {
	if rl, ok := l.Log.(recentLog); ok {
		return rl.RecentMessages(conv, after, upTo)
	}
	return nil, false
}

// A customer's own messages come back with their acks and, on Postgres,
// the bot's replies from the node's recent appends: the connection does not
// read the Log again for each of them (a read before the ack made the ack
// wait for a round trip).
func TestDeliveryDoesNotReadBackEachMessage(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(fmt.Sprint("postgres=", pg), func(t *testing.T) {
			t.Parallel()
			var counted *readCountingLog
			b := setup(t, func(o *setupOpts) {
				o.postgres = pg
				o.wrapLog = func(l frontline.Log) frontline.Log { counted = &readCountingLog{Log: l}; return counted }
			})
			if !pg {
				b.holdReplies(t) // memory: only the customer's own messages
			}
			c := b.dial(t)
			defer c.close()
			c.hello("", 0)
			const n = 8
			for i := range n {
				id := fmt.Sprint("m", i)
				c.send(map[string]any{"type": "message", "id": id, "body": "where is my parcel?"})
				var seen []int64
				ack := c.until(TypeAck, func(f frame) {
					for _, m := range f.Messages {
						seen = append(seen, m.Seq)
					}
				})
				if ack.ID != id {
					t.Fatalf("ack for %q, want %q", ack.ID, id)
				}
				want := 1 // the echo of the message, then (Postgres) the bot's reply
				if pg {
					want = 2
				}
				for len(seen) < want {
					f, err := c.next()
					if err != nil {
						t.Fatal(err)
					}
					for _, m := range f.Messages {
						seen = append(seen, m.Seq)
					}
				}
			}
			// One read when the first message starts the conversation.
			if got := counted.reads.Load(); got > 1 {
				t.Errorf("%d messages read the Log %d times, want at most 1", n, got)
			}
		})
	}
}
