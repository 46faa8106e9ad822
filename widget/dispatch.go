package widget

import (
	"context"
	"sync"

	"github.com/frontlinehq/frontline"
)

// dispatcher calls the Responder for each stored customer message: in order
// and one at a time per conversation, and at most workers at once overall,
// so a burst of questions queues here instead of crowding the store's
// connections that acknowledgements need.
type dispatcher struct {
	s         *Server
	responder frontline.Responder
	workers   int

	mu      sync.Mutex
	queues  map[string][]frontline.Message // pending messages per conversation
	ready   []string                       // conversations with pending messages and no call running
	busy    map[string]bool                // conversations with a call running
	running int                            // worker goroutines
	idle    sync.WaitGroup                 // one per worker goroutine
}

func newDispatcher(s *Server, r frontline.Responder, workers int) *dispatcher {
	return &dispatcher{s: s, responder: r, workers: workers, queues: map[string][]frontline.Message{}, busy: map[string]bool{}}
}

func (d *dispatcher) enqueue(convID string, msg frontline.Message) {
	if d.responder == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, pending := d.queues[convID]
	d.queues[convID] = append(d.queues[convID], msg)
	if !pending && !d.busy[convID] {
		d.ready = append(d.ready, convID)
	}
	if d.running < d.workers && len(d.ready) > 0 {
		d.running++
		d.idle.Add(1)
		go d.work()
	}
}

// work answers ready conversations until none is left.
func (d *dispatcher) work() {
	defer d.idle.Done()
	d.mu.Lock()
	for len(d.ready) > 0 {
		convID := d.ready[0]
		d.ready = d.ready[1:]
		q := d.queues[convID]
		msg := q[0]
		if len(q) == 1 {
			delete(d.queues, convID)
		} else {
			d.queues[convID] = q[1:]
		}
		d.busy[convID] = true
		d.mu.Unlock()

		d.respond(convID, msg)

		d.mu.Lock()
		delete(d.busy, convID)
		if _, more := d.queues[convID]; more {
			d.ready = append(d.ready, convID)
		}
	}
	d.running--
	d.mu.Unlock()
}

func (d *dispatcher) respond(convID string, msg frontline.Message) {
	// The server's context, not the customer's connection: a customer who
	// closes the tab still gets the answer when they come back.
	ctx, cancel := context.WithTimeout(d.s.baseCtx, StoreTimeout)
	defer cancel()
	conv, err := d.s.log.FindConversationByID(ctx, convID)
	if err != nil {
		d.s.logger.Error("widget: responder: find conversation", "conversation", convID, "err", err)
		return
	}
	botMay := conv.Status.BotMaySend()
	if botMay {
		d.s.broadcast(convID, func() *outbound { return typing("bot", true) })
	}
	if err := d.responder.HandleMessage(ctx, conv, msg); err != nil {
		d.s.logger.Error("widget: responder failed", "conversation", convID, "seq", msg.Seq, "err", err)
	}
	if botMay {
		d.s.broadcast(convID, func() *outbound { return typing("bot", false) })
	}
}

func typing(who string, on bool) *outbound {
	return &outbound{frame: &typingServerFrame{serverHeader: hdr(TypeTyping), Who: who, On: on}}
}

// wait returns when no responder call is running or queued, or when ctx ends.
func (d *dispatcher) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { d.idle.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
