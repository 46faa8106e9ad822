package memory

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

// loadLocked counts what each agent holds; log.mu must be held.
func (s *HandoffStore) loadLocked() map[string]int {
	load := map[string]int{}
	for _, it := range s.entries {
		if it.e.Status == frontline.QueueAssigned {
			load[it.e.AssigneeID]++
		}
	}
	return load
}

// Claim implements handoff.Store.
func (s *HandoffStore) Claim(ctx context.Context, req handoff.ClaimRequest) (*frontline.QueueEntry, error) {
	s.log.mu.Lock()
	ai, ok := s.agents[req.AgentID]
	if !ok {
		s.log.mu.Unlock()
		return nil, frontline.Errorf(frontline.ENotFound, "no agent %s", req.AgentID)
	}
	load := s.loadLocked()[req.AgentID]
	var it *queueItem
	if req.ConversationID != "" {
		var err error
		if it, _, err = s.entryLocked(req.ConversationID); err == nil {
			switch {
			case it.e.Status != frontline.QueueWaiting:
				err = frontline.Errorf(frontline.EConflict, "conversation %s is %s, not waiting", req.ConversationID, it.e.Status)
			case !ai.a.Eligible(it.e.Tier, it.e.Team):
				err = frontline.Errorf(frontline.EForbidden, "agent %s does not work the %s queue of team %s", req.AgentID, it.e.Tier, it.e.Team)
			}
		}
		if err != nil {
			s.log.mu.Unlock()
			return nil, err
		}
	}
	if load >= ai.a.Capacity {
		s.log.mu.Unlock()
		return nil, frontline.Errorf(frontline.EConflict, "you hold %d conversations, your capacity", load)
	}
	if it == nil {
		it = s.nextForLocked(&ai.a)
		if it == nil {
			s.log.mu.Unlock()
			return nil, frontline.Errorf(frontline.ENotFound, "no conversation is waiting for you")
		}
	}
	out := s.assignLocked(ctx, it, ai, load, req.Plan)
	s.log.mu.Unlock()
	s.wakeQueue(ctx, it.id)
	return out, nil
}

// nextForLocked is the first waiting entry in queue order a may take.
func (s *HandoffStore) nextForLocked(a *handoff.Agent) *queueItem {
	var best *queueItem
	for _, it := range s.entries {
		if it.e.Status == frontline.QueueWaiting && a.Eligible(it.e.Tier, it.e.Team) &&
			!slices.Contains(it.e.Declined, a.UserID) && (best == nil || before(it, best)) {
			best = it
		}
	}
	return best
}

func (s *HandoffStore) assignLocked(ctx context.Context, it *queueItem, ai *agentItem, load int, plan handoff.ClaimPlan) *frontline.QueueEntry {
	a := ai.a
	a.Load = load
	c := plan(cloneEntry(&it.e), &a)
	s.applyLocked(it, &c)
	ai.lastAssigned = s.log.now()
	return cloneEntry(&it.e)
}

// applyLocked writes a change; log.mu must be held.
func (s *HandoffStore) applyLocked(it *queueItem, c *handoff.Change) {
	cv := s.log.conversations[it.e.ConversationID]
	it.e = *cloneEntry(&c.Entry)
	cv.c.Status = c.Conversation
	cv.c.AssigneeID = ""
	if c.Entry.Status == frontline.QueueAssigned {
		cv.c.AssigneeID = c.Entry.AssigneeID
	}
	cv.c.UpdatedAt = s.log.now()
	s.log.appendEventsLocked(withConversation(c.Events, it.e.ConversationID, cv.c.LastSeq))
	s.addTimersLocked(c.Timers)
}

// Offer implements handoff.Store.
func (s *HandoffStore) Offer(ctx context.Context, plan handoff.ClaimPlan, limit int) ([]*frontline.QueueEntry, error) {
	s.log.mu.Lock()
	var waiting []*queueItem
	for _, it := range s.entries {
		if it.e.Status == frontline.QueueWaiting {
			waiting = append(waiting, it)
		}
	}
	slices.SortFunc(waiting, queueOrder)
	load := s.loadLocked()
	var out []*frontline.QueueEntry
	var ids []int64
	for _, it := range waiting {
		if len(out) >= limit {
			break
		}
		best := s.bestAgentLocked(it, load)
		if best == nil {
			continue
		}
		out = append(out, s.assignLocked(ctx, it, best, load[best.a.UserID], plan))
		ids = append(ids, it.id)
		load[best.a.UserID]++
	}
	s.log.mu.Unlock()
	for _, id := range ids {
		s.wakeQueue(ctx, id)
	}
	return out, nil
}

// bestAgentLocked is the online eligible agent with room and the lowest
// load for it, or nil; log.mu must be held.
func (s *HandoffStore) bestAgentLocked(it *queueItem, load map[string]int) *agentItem {
	var best *agentItem
	for _, ai := range s.agents {
		a := &ai.a
		if a.Presence != frontline.PresenceOnline || !a.Eligible(it.e.Tier, it.e.Team) ||
			load[a.UserID] >= a.Capacity || slices.Contains(it.e.Declined, a.UserID) {
			continue
		}
		if best == nil || lessLoaded(ai, best, load) {
			best = ai
		}
	}
	return best
}

// aloneInLineLocked reports whether no other entry waits in its line.
func (s *HandoffStore) aloneInLineLocked(it *queueItem) bool {
	for _, o := range s.entries {
		if o != it && o.e.Status == frontline.QueueWaiting && o.e.Tier == it.e.Tier && o.e.Team == it.e.Team {
			return false
		}
	}
	return true
}

// lessLoaded orders agents for an offer: the lower share of capacity in
// use, then the longer since their last assignment, then the user id.
func lessLoaded(a, b *agentItem, load map[string]int) bool {
	la, lb := load[a.a.UserID]*b.a.Capacity, load[b.a.UserID]*a.a.Capacity
	if la != lb {
		return la < lb
	}
	if !a.lastAssigned.Equal(b.lastAssigned) {
		return a.lastAssigned.Before(b.lastAssigned)
	}
	return a.a.UserID < b.a.UserID
}

// Update implements handoff.Store.
func (s *HandoffStore) Update(ctx context.Context, conversationID string, decide func(cur *frontline.QueueEntry) (*handoff.Change, error)) (*frontline.QueueEntry, error) {
	s.log.mu.Lock()
	it, _, err := s.entryLocked(conversationID)
	if err != nil {
		s.log.mu.Unlock()
		return nil, err
	}
	c, err := decide(cloneEntry(&it.e))
	if err == nil && c != nil {
		for _, ev := range withConversation(c.Events, conversationID, 0) {
			if err = frontline.ValidateEvent(&ev); err != nil {
				break
			}
		}
	}
	if err != nil {
		s.log.mu.Unlock()
		return nil, err
	}
	if id, ok := handoff.FiringFromContext(ctx).(int64); ok {
		delete(s.timers, id) // completed with its effect
	}
	if c != nil {
		s.applyLocked(it, c)
	}
	out := cloneEntry(&it.e)
	s.log.mu.Unlock()
	if c != nil {
		s.wakeQueue(ctx, it.id)
	}
	return out, nil
}

func (s *HandoffStore) addTimersLocked(ts []handoff.Timer) {
	for _, t := range ts {
		s.timerID++
		s.timers[s.timerID] = &memTimer{t: t}
	}
}

// PendingTimers returns the timers not fired yet, in due order (for
// tests).
func (s *HandoffStore) PendingTimers() []handoff.Timer {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	var out []handoff.Timer
	for _, t := range s.timers {
		out = append(out, t.t)
	}
	// In due order, not the map's: firing them in this order is what a
	// clock moving forward does.
	slices.SortStableFunc(out, func(a, b handoff.Timer) int { return a.At.Compare(b.At) })
	return out
}

var _ handoff.TimerRunner = (*TimerRunner)(nil)

// TimerRunner fires the store's due timers in process: every Interval, or
// at once on Kick. Nothing survives a restart, like the rest of the
// memory store.
type TimerRunner struct {
	store    *HandoffStore
	now      func() time.Time
	interval time.Duration
	kick     chan struct{}

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewTimerRunner returns a runner of s's timers on the clock now (nil:
// time.Now), checking every interval (0: 100 ms).
func NewTimerRunner(s *HandoffStore, now func() time.Time, interval time.Duration) *TimerRunner {
	if now == nil {
		now = time.Now
	}
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	return &TimerRunner{store: s, now: now, interval: interval, kick: make(chan struct{}, 1)}
}

// Kick makes the runner look for due timers now (after a test moves its
// clock).
func (r *TimerRunner) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Start implements handoff.TimerRunner.
func (r *TimerRunner) Start(ctx context.Context, fire func(context.Context, handoff.Timer) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		tick := time.NewTicker(r.interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-r.kick:
			}
			r.fireDue(ctx, fire)
		}
	}()
	return nil
}

func (r *TimerRunner) fireDue(ctx context.Context, fire func(context.Context, handoff.Timer) error) {
	s := r.store
	now := r.now()
	s.log.mu.Lock()
	due := map[int64]handoff.Timer{}
	for id, t := range s.timers {
		if !t.taken && !t.t.At.After(now) {
			t.taken = true
			due[id] = t.t
		}
	}
	s.log.mu.Unlock()
	for id, t := range due {
		err := fire(handoff.ContextWithFiring(ctx, id), t)
		s.log.mu.Lock()
		if err != nil {
			if mt := s.timers[id]; mt != nil {
				mt.taken = false // try again next time
			}
		} else {
			delete(s.timers, id)
		}
		s.log.mu.Unlock()
	}
}

// Stop implements handoff.TimerRunner.
func (r *TimerRunner) Stop(ctx context.Context) error {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
