package handoff

import (
	"context"
	"time"

	"github.com/frontlinehq/frontline"
)

// Fire runs a due timer: a warning, a breach and its escalation, or the
// loss of a conversation its assignee did not answer. A timer of an older
// epoch than the entry's, or whose target was met, does nothing. The
// timer runners call it with the timer marked in ctx (ContextWithFiring),
// so the effect and the timer's completion commit together: each fires
// once, across nodes and restarts.
func (s *Service) Fire(ctx context.Context, t Timer) error {
	reroute := false
	_, err := s.update(ctx, t.ConversationID, func(cur *frontline.QueueEntry, pol SLAPolicy) (*Change, error) {
		if cur.Epoch != t.Epoch || cur.Status == frontline.QueueResolved {
			return nil, nil
		}
		switch t.Kind {
		case TimerWarn:
			return s.warn(cur, t)
		case TimerBreach:
			c, err := s.breach(ctx, cur, t, pol)
			reroute = c != nil && c.Entry.Status == frontline.QueueWaiting
			return c, err
		case TimerNoAnswer:
			if cur.Status != frontline.QueueAssigned || cur.AssigneeID != t.Agent || !cur.LastReplyAt.Before(cur.AssignedAt) {
				return nil, nil
			}
			e := unassign(cur)
			e.Declined = append(e.Declined, cur.AssigneeID)
			return &Change{Entry: e, Conversation: frontline.StatusQueued,
				Events: []frontline.Event{unassignEvent(cur, "sla", "no answer in time")}, Timers: s.timers(&e, pol)}, nil
		}
		return nil, nil
	})
	if frontline.ErrorCode(err) == frontline.ENotFound {
		return nil // the conversation is gone: nothing to do
	}
	if err != nil {
		return err
	}
	if reroute || t.Kind == TimerNoAnswer {
		s.Route(ctx)
	}
	return nil
}

// met reports whether the target of t was met (or no longer runs).
func met(cur *frontline.QueueEntry, target string) bool {
	switch target {
	case TargetFirstResponse:
		return !cur.RespondedAt.IsZero()
	case TargetNextResponse:
		return cur.NextDueAt.IsZero()
	}
	return false
}

func due(cur *frontline.QueueEntry, target string) time.Time {
	switch target {
	case TargetFirstResponse:
		return cur.DueAt
	case TargetNextResponse:
		return cur.NextDueAt
	}
	return cur.ResolveDueAt
}

func (s *Service) warn(cur *frontline.QueueEntry, t Timer) (*Change, error) {
	if met(cur, t.Target) || contains(cur.Warned, t.Target) || contains(cur.Breached, t.Target) {
		return nil, nil
	}
	e := *cur
	e.Warned = append(e.Warned, t.Target)
	ev := frontline.Event{ConversationID: e.ConversationID, Kind: frontline.EventSLAWarning, Actor: "sla",
		Data: frontline.MustJSON(SLAData{Target: t.Target, DueAt: due(cur, t.Target), Assignee: cur.AssigneeID})}
	return &Change{Entry: e, Conversation: convStatus(&e), Events: []frontline.Event{ev}}, nil
}

// breach records the breach and escalates as the policy says: reassign
// (an assigned conversation goes to another agent; a waiting one has no
// one to take it from, so supervisors are told), up a tier (back in line
// one tier higher, with fresh deadlines there), or notify.
func (s *Service) breach(ctx context.Context, cur *frontline.QueueEntry, t Timer, pol SLAPolicy) (*Change, error) {
	if met(cur, t.Target) || contains(cur.Breached, t.Target) {
		return nil, nil
	}
	e := *cur
	e.Breached = append(e.Breached, t.Target)
	esc := pol.Escalation
	events := []frontline.Event{{ConversationID: e.ConversationID, Kind: frontline.EventSLABreach, Actor: "sla",
		Data: frontline.MustJSON(SLAData{Target: t.Target, DueAt: due(cur, t.Target), Assignee: cur.AssigneeID, Escalation: esc})}}
	var timers []Timer
	switch {
	case esc == EscalateReassign && cur.Status == frontline.QueueAssigned:
		e = unassign(&e)
		e.Declined = append(e.Declined, cur.AssigneeID)
		events = append(events, unassignEvent(cur, "sla", "SLA "+t.Target+" breached"))
		timers = s.timers(&e, pol)
	case esc == EscalateTierUp && cur.Tier.Next() != cur.Tier:
		e = unassign(&e)
		e.Tier = cur.Tier.Next()
		e.Warned, e.Breached = nil, nil
		var err error
		if timers, err = s.target(ctx, &e, s.now(), true); err != nil {
			return nil, err
		}
	default:
		esc = EscalateNotify
	}
	events = append(events, frontline.Event{ConversationID: e.ConversationID, Kind: frontline.EventEscalation, Actor: "sla",
		Data: frontline.MustJSON(map[string]any{"target": t.Target, "escalation": esc, "from_tier": cur.Tier, "to_tier": e.Tier,
			"team": e.Team, "from_assignee": cur.AssigneeID})})
	return &Change{Entry: e, Conversation: convStatus(&e), Events: events, Timers: timers}, nil
}
