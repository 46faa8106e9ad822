package metrics

import (
	"context"
	"encoding/json"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

// The bot's reply kinds (bot.KindAnswer...), as stored in MessageMeta.Kind.
// Named here rather than imported: metrics observes the log, not the bot.
const (
	kindAnswer   = "answer"
	kindClarify  = "clarify"
	kindFallback = "fallback"
	kindHandoff  = "handoff"
)

// Log counts what is appended through it: messages by author, the bot's
// decisions (its replies and hand-off notices answering a customer
// message, and its drops) and the commit time of customer messages.
func (m *Metrics) Log(log frontline.Log) frontline.Log { return &observedLog{Log: log, m: m} }

type observedLog struct {
	frontline.Log
	m *Metrics
}

func (l *observedLog) AppendMessage(ctx context.Context, req frontline.AppendRequest) (frontline.AppendResult, error) {
	start := time.Now()
	res, err := l.Log.AppendMessage(ctx, req)
	if err != nil || res.Duplicate {
		return res, err
	}
	author := req.Message.Author
	count(l.m.messages, author, frontline.AuthorSystem)
	switch {
	case author == frontline.AuthorCustomer:
		l.m.ack.Observe(time.Since(start).Seconds())
	case req.Answers != 0 && (author == frontline.AuthorBot || author == frontline.AuthorSystem):
		count(l.m.decisions, decision(req.Message.Meta.Kind), other)
	}
	return res, nil
}

func decision(kind string) string {
	switch kind {
	case kindAnswer:
		return OutcomeAnswered
	case kindClarify:
		return OutcomeClarified
	case kindFallback:
		return OutcomeFallback
	case kindHandoff:
		return OutcomeHandedOff
	}
	return other
}

// recentLog is the widget's optional fast path (internal/postgres keeps
// this node's latest appends in memory): the decorator must not hide it.
type recentLog interface {
	RecentMessages(conversationID string, afterSeq, upToSeq int64) ([]frontline.Message, bool)
}

// RecentMessages forwards to the decorated Log's cache when it has one;
// without one it holds nothing, and readers read the Log.
func (l *observedLog) RecentMessages(conversationID string, afterSeq, upToSeq int64) ([]frontline.Message, bool) {
	if rl, ok := l.Log.(recentLog); ok {
		return rl.RecentMessages(conversationID, afterSeq, upToSeq)
	}
	return nil, false
}

func (l *observedLog) DropObligation(ctx context.Context, key frontline.ObligationKey, events ...frontline.Event) (bool, error) {
	dropped, err := l.Log.DropObligation(ctx, key, events...)
	if err == nil && dropped {
		l.m.decisions[OutcomeDropped].Inc()
	}
	return dropped, err
}

// Responder times the bot's handling of each customer message, from the
// message's commit to the bot being done with it.
func (m *Metrics) Responder(r frontline.Responder) frontline.Responder {
	return &observedResponder{Responder: r, m: m}
}

type observedResponder struct {
	frontline.Responder
	m *Metrics
}

func (r *observedResponder) HandleMessage(ctx context.Context, conv *frontline.Conversation, msg frontline.Message) error {
	err := r.Responder.HandleMessage(ctx, conv, msg)
	if err == nil && !msg.CreatedAt.IsZero() {
		r.m.botReply.Observe(time.Since(msg.CreatedAt).Seconds())
	}
	return err
}

// HandoffStore counts new hand-offs by reason, SLA warnings and breaches,
// and times the wait from queue to assignment, from what the store
// committed.
func (m *Metrics) HandoffStore(s handoff.Store) handoff.Store { return &observedQueue{Store: s, m: m} }

type observedQueue struct {
	handoff.Store
	m *Metrics
}

func (q *observedQueue) Enqueue(ctx context.Context, e *frontline.QueueEntry, events []frontline.Event, timers []handoff.Timer, offer handoff.ClaimPlan) (*frontline.QueueEntry, bool, error) {
	stored, created, err := q.Store.Enqueue(ctx, e, events, timers, offer)
	if err != nil || !created {
		return stored, created, err
	}
	q.countHandoff(&e.Packet)
	q.assigned(stored)
	return stored, created, nil
}

func (q *observedQueue) countHandoff(p *frontline.HandoffPacket) {
	var seen [8]frontline.SignalKind // a packet holds a few signals: no allocation
	n := 0
outer:
	for _, s := range p.Signals {
		for _, k := range seen[:n] {
			if k == s.Kind {
				continue outer
			}
		}
		count(q.m.handoffs, s.Kind, other)
		if n < len(seen) {
			seen[n] = s.Kind
			n++
		}
	}
	if len(p.Signals) == 0 {
		q.m.handoffs[other].Inc()
	}
}

// assigned observes the wait of an entry the store just assigned.
func (q *observedQueue) assigned(e *frontline.QueueEntry) {
	if e == nil || e.Status != frontline.QueueAssigned || e.AssignedAt.IsZero() || e.EnqueuedAt.IsZero() {
		return
	}
	q.m.claimWait.Observe(max(e.AssignedAt.Sub(e.EnqueuedAt), 0).Seconds())
}

func (q *observedQueue) Claim(ctx context.Context, req handoff.ClaimRequest) (*frontline.QueueEntry, error) {
	e, err := q.Store.Claim(ctx, req)
	if err == nil {
		q.assigned(e)
	}
	return e, err
}

func (q *observedQueue) Offer(ctx context.Context, plan handoff.ClaimPlan, limit int) ([]*frontline.QueueEntry, error) {
	es, err := q.Store.Offer(ctx, plan, limit)
	for _, e := range es {
		q.assigned(e)
	}
	return es, err
}

func (q *observedQueue) Update(ctx context.Context, conversationID string, decide func(cur *frontline.QueueEntry) (*handoff.Change, error)) (*frontline.QueueEntry, error) {
	// decide may run more than once; the last run is what committed.
	var last *handoff.Change
	var wasWaiting bool
	e, err := q.Store.Update(ctx, conversationID, func(cur *frontline.QueueEntry) (*handoff.Change, error) {
		c, err := decide(cur)
		last, wasWaiting = c, cur.Status == frontline.QueueWaiting
		return c, err
	})
	if err != nil || last == nil {
		return e, err
	}
	if wasWaiting {
		q.assigned(e) // a supervisor's reassignment of a waiting entry
	}
	for _, ev := range last.Events {
		switch ev.Kind {
		case frontline.EventSLAWarning:
			count(q.m.warnings, slaTarget(ev.Data), other)
		case frontline.EventSLABreach:
			count(q.m.breaches, slaTarget(ev.Data), other)
		}
	}
	return e, nil
}

// slaTarget reads the target of an SLA event (rare: parsing costs nothing
// on the message path).
func slaTarget(data json.RawMessage) string {
	var d struct {
		Target string `json:"target"`
	}
	_ = json.Unmarshal(data, &d)
	return d.Target
}
