package obligation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/storetest"
)

// onBothStores runs test on a fresh log of each store, in parallel.
func onBothStores(t *testing.T, test func(t *testing.T, log frontline.Log)) {
	t.Parallel()
	stores := map[string]func(t *testing.T) frontline.Log{
		"memory":   func(*testing.T) frontline.Log { return memory.NewStore(memory.NewBus()) },
		"postgres": func(t *testing.T) frontline.Log { return pgtest.NewDB(t) },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, open(t))
		})
	}
}

// answerer replies to each message, failing the first failures attempts,
// and checks that a message is handled only once every earlier one of its
// conversation is answered (a conversation is handled one message at a
// time, in order).
type answerer struct {
	log      frontline.Log
	failures int
	hold     chan struct{} // when set, each call waits for it (or its ctx)

	mu       sync.Mutex
	busy     map[string]bool // a call is in this conversation (see TestNextMessageFollowsWithoutPolling)
	order    map[string][]int64
	attempts map[frontline.ObligationKey]int
	overlap  string
}

func newAnswerer(log frontline.Log) *answerer {
	return &answerer{log: log, busy: map[string]bool{}, order: map[string][]int64{}, attempts: map[frontline.ObligationKey]int{}}
}

func (a *answerer) HandleMessage(ctx context.Context, conv *frontline.Conversation, msg frontline.Message) error {
	key := frontline.ObligationKey{ConversationID: conv.ID, Seq: msg.Seq}
	a.mu.Lock()
	a.busy[conv.ID] = true
	a.attempts[key]++
	attempt := a.attempts[key]
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.busy[conv.ID] = false
		a.mu.Unlock()
	}()
	if earlier, err := a.log.ReadMessages(ctx, conv.ID, 0, 0); err == nil {
		replied := map[int64]bool{}
		for _, m := range earlier {
			if m.Author == frontline.AuthorBot {
				replied[m.Meta.ReplyTo] = true
			}
		}
		for _, m := range earlier {
			if m.Author == frontline.AuthorCustomer && m.Seq < msg.Seq && !replied[m.Seq] {
				a.mu.Lock()
				a.overlap = fmt.Sprintf("%s: seq %d before seq %d was answered", conv.ID, msg.Seq, m.Seq)
				a.mu.Unlock()
			}
		}
	}
	if a.hold != nil {
		select {
		case <-a.hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if attempt <= a.failures {
		return errors.New("model unavailable")
	}
	_, err := a.log.AppendMessage(ctx, frontline.AppendRequest{
		Message: frontline.Message{ConversationID: conv.ID, Author: frontline.AuthorBot, Body: "answer",
			Meta: frontline.MessageMeta{Kind: "answer", ReplyTo: msg.Seq}},
		Answers: msg.Seq,
	})
	if errors.Is(err, frontline.ErrNotOwed) {
		err = nil
	}
	if err == nil {
		a.mu.Lock()
		a.order[conv.ID] = append(a.order[conv.ID], msg.Seq)
		a.mu.Unlock()
	}
	return err
}

// startWorker starts a worker whose settled calls are sent on the returned
// channel; it is stopped when the test ends.
func startWorker(t *testing.T, log frontline.Log, r frontline.Responder, opts Options) (*Worker, <-chan frontline.Obligation) {
	t.Helper()
	w := New(log, r, opts)
	settled := make(chan frontline.Obligation, 1000)
	w.settled = func(o frontline.Obligation, err error) { settled <- o }
	w.Start()
	t.Cleanup(func() { _ = w.Stop(context.Background()) })
	return w, settled
}

func waitSettled(t *testing.T, settled <-chan frontline.Obligation, n int) []frontline.Obligation {
	t.Helper()
	var out []frontline.Obligation
	timeout := time.After(30 * time.Second)
	for len(out) < n {
		select {
		case o := <-settled:
			out = append(out, o)
		case <-timeout:
			t.Fatalf("%d of %d obligations handled within 30s", len(out), n)
		}
	}
	return out
}

func customer(conv, clientID string) frontline.Message {
	return frontline.Message{ConversationID: conv, ClientMsgID: clientID, Author: frontline.AuthorCustomer, AuthorID: "v", Body: "where is my parcel?"}
}

// Two nodes' workers on one log: every customer message gets exactly one
// reply, a conversation's messages in order and never two at once.
func TestEveryMessageAnsweredOnceAcrossNodes(t *testing.T) {
	onBothStores(t, func(t *testing.T, log frontline.Log) {
		const convs, perConv = 12, 4
		a := newAnswerer(log)
		var ids []string
		for i := range convs {
			ids = append(ids, storetest.MustCreateConversation(t, log, fmt.Sprintf("v_%d", i)).ID)
		}
		_, settledA := startWorker(t, log, a, Options{Workers: 3, Poll: 20 * time.Millisecond})
		_, settledB := startWorker(t, log, a, Options{Workers: 3, Poll: 20 * time.Millisecond})
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() {
				for j := range perConv {
					storetest.MustAppend(t, log, customer(id, fmt.Sprintf("m%d", j)))
				}
			})
		}
		wg.Wait()
		merged := make(chan frontline.Obligation, 2*convs*perConv)
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case o := <-settledA:
					merged <- o
				case o := <-settledB:
					merged <- o
				case <-done:
					return
				}
			}
		}()
		waitSettled(t, merged, convs*perConv)
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.overlap != "" {
			t.Errorf("out of turn: %s", a.overlap)
		}
		for _, id := range ids {
			msgs, err := log.ReadMessages(context.Background(), id, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			// The order answered is the order the replies committed in
			// (the responder's own record is taken after its commit, so
			// two nodes may note theirs in either order).
			replies, questions, answered := map[int64]int{}, []int64{}, []int64{}
			for _, m := range msgs {
				if m.Author == frontline.AuthorBot {
					replies[m.Meta.ReplyTo]++
					answered = append(answered, m.Meta.ReplyTo)
				} else {
					questions = append(questions, m.Seq)
				}
			}
			for _, q := range questions {
				if replies[q] != 1 {
					t.Errorf("%s: message %d has %d replies, want 1", id, q, replies[q])
				}
			}
			if fmt.Sprint(answered) != fmt.Sprint(questions) {
				t.Errorf("%s answered in order %v, want %v", id, answered, questions)
			}
		}
	})
}

// A failed call is retried (after its back-off) until it answers.
func TestFailedCallIsRetried(t *testing.T) {
	onBothStores(t, func(t *testing.T, log frontline.Log) {
		a := newAnswerer(log)
		a.failures = 2
		var mu sync.Mutex
		var asked []int
		backoff := func(n int) time.Duration {
			mu.Lock()
			asked = append(asked, n)
			mu.Unlock()
			return 10 * time.Millisecond
		}
		_, settled := startWorker(t, log, a, Options{Poll: 20 * time.Millisecond, Backoff: backoff})
		c := storetest.MustCreateConversation(t, log, "v_1")
		storetest.MustAppend(t, log, customer(c.ID, "m1"))
		got := waitSettled(t, settled, 3)
		if got[2].Attempt != 3 {
			t.Errorf("answered at attempt %d, want 3", got[2].Attempt)
		}
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(asked) != "[1 2]" {
			t.Errorf("back-off asked for attempts %v, want [1 2]", asked)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		if fmt.Sprint(a.order[c.ID]) != "[1]" {
			t.Errorf("answered %v, want [1] once", a.order[c.ID])
		}
	})
}

// A claim left by a node that died is answered once its lease runs out.
func TestDeadNodesClaimIsAnswered(t *testing.T) {
	onBothStores(t, func(t *testing.T, log frontline.Log) {
		c := storetest.MustCreateConversation(t, log, "v_1")
		storetest.MustAppend(t, log, customer(c.ID, "m1"))
		if obs := storetest.MustClaim(t, log, 1, 200*time.Millisecond); len(obs) != 1 { // the dead node's
			t.Fatalf("claimed %d, want 1", len(obs))
		}
		a := newAnswerer(log)
		_, settled := startWorker(t, log, a, Options{Poll: 20 * time.Millisecond})
		if o := waitSettled(t, settled, 1)[0]; o.Attempt != 2 {
			t.Errorf("answered at attempt %d, want 2 (after the dead node's)", o.Attempt)
		}
	})
}

// noAnswer finishes without replying.
type noAnswer struct{}

func (noAnswer) HandleMessage(context.Context, *frontline.Conversation, frontline.Message) error {
	return nil
}

// A responder that finishes without answering leaves nothing owed, and the
// log says why.
func TestUnansweredIsDropped(t *testing.T) {
	onBothStores(t, func(t *testing.T, log frontline.Log) {
		_, settled := startWorker(t, log, noAnswer{}, Options{Poll: 20 * time.Millisecond})
		c := storetest.MustCreateConversation(t, log, "v_1")
		storetest.MustAppend(t, log, customer(c.ID, "m1"))
		waitSettled(t, settled, 1)
		evs, err := log.FindEvents(context.Background(), frontline.EventFilter{ConversationID: c.ID, Kinds: []frontline.EventKind{frontline.EventObligationDropped}})
		if err != nil {
			t.Fatal(err)
		}
		var d frontline.DropData
		if len(evs) != 1 || evs[0].Seq != 1 || json.Unmarshal(evs[0].Data, &d) != nil || d.Reason != frontline.DropNoReply {
			t.Fatalf("drop events %+v, want one for seq 1 saying the responder did not answer", evs)
		}
		if obs := storetest.MustClaim(t, log, 10, time.Hour); len(obs) != 0 {
			t.Fatalf("still owed: %+v", obs)
		}
	})
}

// Stopping cancels the calls still running after the grace, and leaves
// their obligations due at once for another node; the bot shows typing
// while it works.
func TestStopReleasesRunningCalls(t *testing.T) {
	onBothStores(t, func(t *testing.T, log frontline.Log) {
		a := newAnswerer(log)
		a.hold = make(chan struct{}) // never released
		typing := make(chan bool, 10)
		w, _ := startWorker(t, log, a, Options{Poll: 20 * time.Millisecond, Lease: time.Hour,
			Typing: func(_ string, on bool) { typing <- on }})
		c := storetest.MustCreateConversation(t, log, "v_1")
		storetest.MustAppend(t, log, customer(c.ID, "m1"))
		if on := <-typing; !on {
			t.Fatal("first typing call was off, want on")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := w.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want the grace to run out", err)
		}
		if on := <-typing; on {
			t.Fatal("typing stayed on after the call ended")
		}
		obs := storetest.MustClaim(t, log, 1, time.Hour)
		if len(obs) != 1 || obs[0].Attempt != 2 {
			t.Fatalf("after Stop claimed %+v; want the cancelled obligation due at once", obs)
		}
	})
}

// A conversation's next message, held back while the one before it was
// being answered, is taken as soon as that one is done, not at the next poll.
func TestNextMessageFollowsWithoutPolling(t *testing.T) {
	onBothStores(t, func(t *testing.T, log frontline.Log) {
		a := newAnswerer(log)
		a.hold = make(chan struct{})
		claims := make(chan int, 100)
		w := New(log, a, Options{Poll: time.Hour})
		settled := make(chan frontline.Obligation, 10)
		w.settled = func(o frontline.Obligation, err error) { settled <- o }
		w.claimed = func(n int) { claims <- n }
		c := storetest.MustCreateConversation(t, log, "v_1")
		storetest.MustAppend(t, log, customer(c.ID, "m1"))
		w.Start()
		t.Cleanup(func() { _ = w.Stop(context.Background()) })
		if n := <-claims; n != 1 {
			t.Fatalf("first claim took %d, want m1", n)
		}
		storetest.MustAppend(t, log, customer(c.ID, "m2"))
		if n := <-claims; n != 0 { // woken by m2, which waits for m1
			t.Fatalf("claim while m1 is answered took %d, want 0", n)
		}
		close(a.hold)
		got := waitSettled(t, settled, 2)
		if got[0].Message.Seq != 1 || got[1].Message.Seq != 2 {
			t.Fatalf("handled seqs %d, %d; want 1 then 2", got[0].Message.Seq, got[1].Message.Seq)
		}
	})
}
