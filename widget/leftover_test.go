package widget

import (
	"context"
	"sync"
	"testing"
	"time"
)

// A message stored and acknowledged on a node that died before its bot
// answered is answered when the customer comes back; a recent one is left
// to the bot that may still be writing, and an answered one is not
// answered twice.
func TestReturningCustomerGetsLeftoverAnswered(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var ahead time.Duration // how far the server's clock is ahead
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(ahead) }
	b := setup(t, func(o *setupOpts) { o.now = now })
	b.responder.mu.Lock()
	b.responder.drops = 1
	b.responder.mu.Unlock()

	c := b.dial(t)
	c.hello("", 0)
	c.send(map[string]any{"type": "message", "id": "m1", "body": "Where is my parcel?"})
	var token string
	c.until(TypeAck, func(f frame) {
		if f.Type == TypeToken {
			token = f.Token
		}
	})
	c.close()

	// Back at once: the answer may still be on its way elsewhere.
	again := b.dial(t)
	again.hello(token, 1)
	again.close()
	idle := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.srv.dispatch.wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	idle() // a hello hands the bot its leftover before its welcome
	b.responder.mu.Lock()
	if n := len(b.responder.seen); n != 1 {
		t.Fatalf("a return seconds later called the bot again (%d calls): the first may still be writing", n)
	}
	b.responder.mu.Unlock()
	mu.Lock()
	ahead = time.Minute
	mu.Unlock()

	back := b.dial(t)
	defer back.close()
	back.hello(token, 1)
	for {
		f := back.until(TypeMessages, nil)
		if len(f.Messages) > 0 && f.Messages[0].Author == "bot" {
			if f.Messages[0].Seq != 2 {
				t.Fatalf("answer at seq %d, want 2", f.Messages[0].Seq)
			}
			break
		}
	}
	later := b.dial(t)
	later.hello(token, 2)
	later.close()
	idle()
	b.responder.mu.Lock()
	seen := append([]int64(nil), b.responder.seen...)
	b.responder.mu.Unlock()
	if len(seen) != 2 || seen[0] != 1 || seen[1] != 1 {
		t.Fatalf("the bot was called for seqs %v, want [1 1]: once dropped, once on the return a minute later", seen)
	}
}
