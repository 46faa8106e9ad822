package widget

import (
	"testing"
)

// A message acknowledged by a node that died before its bot answered is
// answered by any live node's worker: the customer who stayed connected
// sees the answer arrive, and one who comes back later finds it.
func TestAnswerOutlivesTheNodeThatStoredIt(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *setupOpts) { o.noWorker = true })
	c := b.dial(t)
	c.hello("", 0)
	c.send(map[string]any{"type": "message", "id": "m1", "body": "Where is my parcel?"})
	var token string
	c.until(TypeAck, func(f frame) {
		if f.Type == TypeToken {
			token = f.Token
		}
	})
	gone := b.dial(t) // a second tab that closes before the answer
	gone.hello(token, 1)
	gone.close()

	b.startWorker(t) // another node, or this one restarted
	for {
		f := c.until(TypeMessages, nil)
		if len(f.Messages) > 0 && f.Messages[0].Author == "bot" {
			if m := f.Messages[0]; m.Seq != 2 || m.ReplyTo != 1 {
				t.Fatalf("answer at seq %d replying to %d, want 2 replying to 1", m.Seq, m.ReplyTo)
			}
			break
		}
	}
	c.close()
	back := b.dial(t)
	defer back.close()
	back.hello(token, 1)
	f := back.until(TypeMessages, nil)
	if len(f.Messages) != 1 || f.Messages[0].Author != "bot" || f.Messages[0].Seq != 2 {
		t.Fatalf("a returning customer got %+v, want the answer at seq 2", f.Messages)
	}
	b.responder.mu.Lock()
	defer b.responder.mu.Unlock()
	if len(b.responder.seen) != 1 {
		t.Fatalf("the bot was called %d times (seqs %v), want once", len(b.responder.seen), b.responder.seen)
	}
}
