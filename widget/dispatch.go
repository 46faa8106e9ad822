package widget

import (
	"context"
	"sync"

	"github.com/frontlinehq/frontline"
)

// dispatcher calls the Responder for each stored customer message, in order
// per conversation and concurrently across conversations. A conversation
// has a goroutine only while it has messages waiting.
type dispatcher struct {
	s         *Server
	responder frontline.Responder
	mu        sync.Mutex
	queues    map[string][]frontline.Message
	running   sync.WaitGroup
}

func newDispatcher(s *Server, r frontline.Responder) *dispatcher {
	return &dispatcher{s: s, responder: r, queues: map[string][]frontline.Message{}}
}

func (d *dispatcher) enqueue(convID string, msg frontline.Message) {
	if d.responder == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	q, busy := d.queues[convID]
	d.queues[convID] = append(q, msg)
	if !busy {
		d.running.Add(1)
		go d.run(convID)
	}
}

func (d *dispatcher) run(convID string) {
	defer d.running.Done()
	for {
		d.mu.Lock()
		q := d.queues[convID]
		if len(q) == 0 {
			delete(d.queues, convID)
			d.mu.Unlock()
			return
		}
		msg := q[0]
		d.queues[convID] = q[1:]
		d.mu.Unlock()
		d.respond(convID, msg)
	}
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
		d.s.broadcast(convID, func() outbound { return typing("bot", true) })
	}
	if err := d.responder.HandleMessage(ctx, conv, msg); err != nil {
		d.s.logger.Error("widget: responder failed", "conversation", convID, "seq", msg.Seq, "err", err)
	}
	if botMay {
		d.s.broadcast(convID, func() outbound { return typing("bot", false) })
	}
}

func typing(who string, on bool) outbound {
	return outbound{frame: &typingServerFrame{serverHeader: hdr(TypeTyping), Who: who, On: on}}
}

// wait returns when no responder call is running or ctx ends.
func (d *dispatcher) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { d.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
