package memory

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

var _ handoff.Store = (*HandoffStore)(nil)

// HandoffStore is handoff.Store in memory, beside a Store's conversation
// log: it takes the log's lock for every change, so a queue entry, the
// conversation's status and the events commit together as in Postgres.
type HandoffStore struct {
	log *Store
	// Guarded by log.mu.
	entries map[string]*queueItem
	nextID  int64
	agents  map[string]*agentItem
	teams   map[string]frontline.Team
	pols    map[frontline.Priority]handoff.SLAPolicy
	canned  map[string]handoff.CannedReply
	timers  map[int64]*memTimer
	timerID int64
}

type agentItem struct {
	a            handoff.Agent
	lastAssigned time.Time
}

type memTimer struct {
	t     handoff.Timer
	taken bool // being fired
}

type queueItem struct {
	e  frontline.QueueEntry
	id int64 // insertion order, the last tie-break
}

// NewHandoffStore returns an empty queue beside log; changes wake log's bus.
func NewHandoffStore(log *Store) *HandoffStore {
	return &HandoffStore{log: log, entries: make(map[string]*queueItem), agents: map[string]*agentItem{},
		teams: map[string]frontline.Team{}, pols: map[frontline.Priority]handoff.SLAPolicy{},
		canned: map[string]handoff.CannedReply{}, timers: map[int64]*memTimer{}}
}

func cloneEntry(e *frontline.QueueEntry) *frontline.QueueEntry {
	out := *e
	p := &out.Packet
	p.Signals = slices.Clone(p.Signals)
	for i := range p.Signals {
		p.Signals[i].Evidence = slices.Clone(p.Signals[i].Evidence)
	}
	p.Transcript = slices.Clone(p.Transcript)
	for i := range p.Transcript {
		p.Transcript[i] = cloneMessage(p.Transcript[i])
	}
	p.ArticlesTried = slices.Clone(p.ArticlesTried)
	p.FailedAnswers = slices.Clone(p.FailedAnswers)
	p.Profile = maps.Clone(p.Profile)
	out.Tags = slices.Clone(e.Tags)
	out.Warned = slices.Clone(e.Warned)
	out.Breached = slices.Clone(e.Breached)
	out.Declined = slices.Clone(e.Declined)
	return &out
}

// wakeQueue publishes a queue change after the lock is released.
func (s *HandoffStore) wakeQueue(ctx context.Context, id int64) {
	if s.log.bus != nil {
		s.log.bus.Publish(ctx, frontline.TopicQueue, id)
	}
}

// Enqueue implements handoff.Store.
func (s *HandoffStore) Enqueue(ctx context.Context, e *frontline.QueueEntry, events []frontline.Event, timers []handoff.Timer, offer handoff.ClaimPlan) (*frontline.QueueEntry, bool, error) {
	for _, ev := range withConversation(events, e.ConversationID, 0) {
		if err := frontline.ValidateEvent(&ev); err != nil {
			return nil, false, err
		}
	}
	s.log.mu.Lock()
	cv, ok := s.log.conversations[e.ConversationID]
	if !ok {
		s.log.mu.Unlock()
		return nil, false, notFound(e.ConversationID)
	}
	if it, ok := s.entries[e.ConversationID]; ok && it.e.Status != frontline.QueueResolved {
		out := cloneEntry(&it.e)
		s.log.mu.Unlock()
		return out, false, nil
	}
	s.nextID++
	it := &queueItem{e: *cloneEntry(e), id: s.nextID}
	it.e.Status, it.e.AssigneeID = frontline.QueueWaiting, ""
	s.entries[e.ConversationID] = it
	cv.c.Status = frontline.StatusQueued
	cv.c.AssigneeID = ""
	cv.c.Private = cv.c.Private || e.Packet.Private
	cv.c.UpdatedAt = s.log.now()
	s.log.appendEventsLocked(withConversation(events, e.ConversationID, cv.c.LastSeq))
	s.addTimersLocked(timers)
	if offer != nil && s.aloneInLineLocked(it) {
		load := s.loadLocked()
		if best := s.bestAgentLocked(it, load); best != nil {
			s.assignLocked(ctx, it, best, load[best.a.UserID], offer)
		}
	}
	out := cloneEntry(&it.e)
	s.log.mu.Unlock()
	s.wakeQueue(ctx, it.id)
	return out, true, nil
}

// FindQueueEntry implements handoff.Store.
func (s *HandoffStore) FindQueueEntry(ctx context.Context, conversationID string) (*frontline.QueueEntry, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	it, ok := s.entries[conversationID]
	if !ok {
		return nil, neverQueued(conversationID)
	}
	return cloneEntry(&it.e), nil
}

func neverQueued(id string) error {
	return frontline.Errorf(frontline.ENotFound, "conversation %s was never handed off", id)
}

// before reports whether a comes before b in queue order.
func before(a, b *queueItem) bool {
	if ra, rb := a.e.Priority.Rank(), b.e.Priority.Rank(); ra != rb {
		return ra > rb
	}
	if !a.e.DueAt.Equal(b.e.DueAt) {
		return a.e.DueAt.Before(b.e.DueAt)
	}
	if !a.e.EnqueuedAt.Equal(b.e.EnqueuedAt) {
		return a.e.EnqueuedAt.Before(b.e.EnqueuedAt)
	}
	return a.id < b.id
}

// queueOrder compares by before, for sorting.
func queueOrder(a, b *queueItem) int {
	switch {
	case a.id == b.id:
		return 0
	case before(a, b):
		return -1
	}
	return 1
}

// QueueRank implements handoff.Store.
func (s *HandoffStore) QueueRank(ctx context.Context, conversationID string) (*frontline.QueueEntry, int, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	it, ok := s.entries[conversationID]
	if !ok {
		return nil, 0, neverQueued(conversationID)
	}
	pos := 0
	if it.e.Status == frontline.QueueWaiting {
		for _, o := range s.entries {
			if o.e.Status == frontline.QueueWaiting && o.e.Tier == it.e.Tier && o.e.Team == it.e.Team && !before(it, o) {
				pos++ // o is it, or ahead of it
			}
		}
	}
	e := it.e
	e.Packet = frontline.HandoffPacket{}
	return &e, pos, nil
}

// WaitingPlaces implements handoff.Store.
func (s *HandoffStore) WaitingPlaces(ctx context.Context) (map[string]handoff.WaitingPlace, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	type line struct {
		tier frontline.Tier
		team string
	}
	lines := map[line][]*queueItem{}
	for _, it := range s.entries {
		if it.e.Status == frontline.QueueWaiting {
			l := line{it.e.Tier, it.e.Team}
			lines[l] = append(lines[l], it)
		}
	}
	places := make(map[string]handoff.WaitingPlace)
	for l, items := range lines {
		slices.SortFunc(items, queueOrder)
		for i, it := range items {
			places[it.e.ConversationID] = handoff.WaitingPlace{Place: i + 1, Tier: l.tier, Team: l.team}
		}
	}
	return places, nil
}

// FindQueueEntries implements handoff.Store.
func (s *HandoffStore) FindQueueEntries(ctx context.Context, f handoff.QueueFilter) ([]*frontline.QueueEntry, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	var items []*queueItem
	for _, it := range s.entries {
		e := &it.e
		if (f.Status != "" && e.Status != f.Status) || (f.Tier != "" && e.Tier != f.Tier) ||
			(f.Team != "" && e.Team != f.Team) || (!f.Since.IsZero() && e.EnqueuedAt.Before(f.Since)) {
			continue
		}
		items = append(items, it)
	}
	slices.SortFunc(items, queueOrder)
	items = truncate(items, f.Limit)
	out := make([]*frontline.QueueEntry, len(items))
	for i, it := range items {
		out[i] = cloneEntry(&it.e)
	}
	return out, nil
}

// entryLocked finds the conversation and its entry; log.mu must be held.
func (s *HandoffStore) entryLocked(conversationID string) (*queueItem, *conversation, error) {
	cv, ok := s.log.conversations[conversationID]
	if !ok {
		return nil, nil, notFound(conversationID)
	}
	it, ok := s.entries[conversationID]
	if !ok {
		return nil, nil, neverQueued(conversationID)
	}
	return it, cv, nil
}
