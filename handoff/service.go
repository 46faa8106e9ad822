package handoff

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
)

var _ frontline.Handoff = (*Service)(nil)

// Service is the door from the bot to the humans: it queues hand-offs with
// their SLA deadline, tells customers where they stand, and lets an agent
// claim a conversation and hand it back. It is safe for concurrent use.
type Service struct {
	store Store
	log   frontline.Log
	bus   frontline.Bus
	cfg   Config

	positions positionCache
	snapshot  queueSnapshot
	watch     queueWatchers
	dir       dirCache
	waits     waitCache
	sockets   atomic.Int64 // agent websockets open on this node
}

// positionTTL bounds how long this node answers places from one read of
// the waiting line. Every waiting customer asks again on every queue
// change; within this time a node answers them all from one read (one
// query per node per burst of changes, not one per customer per change).
// A queue change seen on the bus, from any node, empties the cache at
// once (see WatchQueue), so the TTL only matters if a note is lost.
const positionTTL = 500 * time.Millisecond

// positionCache holds this node's recent view of the queue: the places of
// all waiting conversations from one read, and the last answer for
// conversations that were not waiting (assigned or resolved). Every entry
// carries the generation it was read in; clear starts a new one, so a read
// that began before a change cannot be cached after it.
type positionCache struct {
	refresh sync.Mutex // held while reading the line, so callers share one read

	mu     sync.Mutex
	gen    uint64                  // bumped by clear
	places map[string]WaitingPlace // waiting conversations' places
	at     time.Time               // when places was read
	others map[string]cachedPosition
}

type cachedPosition struct {
	pos frontline.QueuePosition
	at  time.Time
}

func fresh(at, now time.Time) bool {
	return !at.IsZero() && now.Sub(at) < positionTTL && !now.Before(at)
}

// generation is the cache's generation: read it before reading the store,
// and pass it to the put that caches what was read.
func (c *positionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// waiting returns the waiting line's places if they are fresh.
func (c *positionCache) waiting(now time.Time) (map[string]WaitingPlace, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.places, c.places != nil && fresh(c.at, now)
}

// putWaiting caches places read in generation gen, unless the queue has
// changed since.
func (c *positionCache) putWaiting(gen uint64, places map[string]WaitingPlace, now time.Time) {
	c.mu.Lock()
	if gen == c.gen {
		c.places, c.at = places, now
	}
	c.mu.Unlock()
}

func (c *positionCache) other(id string, now time.Time) (frontline.QueuePosition, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.others[id]
	if !ok || !fresh(p.at, now) {
		return frontline.QueuePosition{}, false
	}
	return p.pos, true
}

func (c *positionCache) putOther(gen uint64, id string, pos frontline.QueuePosition, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.others == nil || len(c.others) > 50_000 {
		c.others = make(map[string]cachedPosition) // bounded: forget everything rather than grow
	}
	c.others[id] = cachedPosition{pos, now}
}

// clear forgets everything: a queue change moves other customers' places
// too.
func (c *positionCache) clear() {
	c.mu.Lock()
	c.gen++
	c.places, c.at, c.others = nil, time.Time{}, nil
	c.mu.Unlock()
}

// WatchQueue implements frontline.Handoff. One goroutine per node (per
// Service) follows the queue topic while anyone watches; on every note it
// empties this node's caches of the queue and only then signals the
// watchers, so a reader woken by it never gets a view from before the
// change.
func (s *Service) WatchQueue(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	if s.bus == nil {
		close(out)
		return out
	}
	s.watch.add(s, out)
	go func() {
		<-ctx.Done()
		s.watch.remove(out)
		close(out)
	}()
	return out
}

// forgetQueue empties this node's caches of the queue (the customers'
// places and the agents' shared read): the queue changed.
func (s *Service) forgetQueue() {
	s.positions.clear()
	s.snapshot.clear()
}

// queueWatchers is the node's one subscription to the queue topic and
// the channels it signals.
type queueWatchers struct {
	mu     sync.Mutex
	chans  map[chan struct{}]bool
	cancel func() // ends the subscription; nil while nobody watches
}

func (w *queueWatchers) add(s *Service, ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.chans == nil {
		w.chans = map[chan struct{}]bool{}
	}
	w.chans[ch] = true
	if w.cancel != nil {
		return
	}
	notes, cancel := s.bus.Subscribe(frontline.TopicQueue)
	// Nobody heard the queue's notes before now: what the caches hold may
	// be older than the last change.
	s.forgetQueue()
	stop := make(chan struct{})
	w.cancel = func() { close(stop); cancel() }
	go func() {
		for {
			select {
			case <-stop:
				return
			case _, ok := <-notes:
				if !ok {
					return
				}
				s.forgetQueue()
				w.signal()
			}
		}
	}()
}

func (w *queueWatchers) remove(ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.chans, ch)
	if len(w.chans) == 0 && w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
}

func (w *queueWatchers) signal() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.chans {
		select {
		case ch <- struct{}{}:
		default: // one pending signal covers this change too
		}
	}
}

// NewService returns a Service over store. log completes packets (the
// customer's profile) and carries agents' messages; bus wakes a
// conversation's readers when its owner changes. It panics when cfg is
// invalid (check it with Config.Validate first): a bad configuration is a
// programming or start-up error.
func NewService(store Store, log frontline.Log, bus frontline.Bus, cfg Config) *Service {
	cfg, err := cfg.withDefaults()
	if err != nil {
		panic(err)
	}
	s := &Service{store: store, log: log, bus: bus, cfg: cfg}
	s.dir.store, s.dir.now = store, cfg.Now
	return s
}

// Store returns the service's store (for the admin API and seeding).
func (s *Service) Store() Store { return s.store }

// HandoffData is the Data of an EventHandoff: the routing without the
// transcript (which is in the log already).
type HandoffData struct {
	Tier     frontline.Tier     `json:"tier"`
	Team     string             `json:"team"`
	Priority frontline.Priority `json:"priority"`
	Severity frontline.Severity `json:"severity,omitempty"`
	Reason   string             `json:"reason"`
	Private  bool               `json:"private,omitempty"`
	DueAt    time.Time          `json:"due_at"`
}

// AgentData is the Data of EventClaim, EventHandback, EventUnassign,
// EventResolution and EventReopen.
type AgentData struct {
	AgentID string         `json:"agent_id"`
	Name    string         `json:"name,omitempty"`
	Tier    frontline.Tier `json:"tier"`
	Team    string         `json:"team"`
	// Reason says why (no answer, breach, reassigned by a supervisor).
	Reason string `json:"reason,omitempty"`
}

// TransferData is the Data of EventTransfer and EventEscalation.
type TransferData struct {
	FromTier frontline.Tier `json:"from_tier"`
	FromTeam string         `json:"from_team"`
	ToTier   frontline.Tier `json:"to_tier"`
	ToTeam   string         `json:"to_team"`
	Reason   string         `json:"reason"`
	DueAt    time.Time      `json:"due_at"`
}

// SLAData is the Data of EventSLAWarning and EventSLABreach.
type SLAData struct {
	Target     string     `json:"target"`
	DueAt      time.Time  `json:"due_at"`
	Assignee   string     `json:"assignee,omitempty"`
	Escalation Escalation `json:"escalation,omitempty"`
}

// now is the service clock at the precision both stores keep.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Enqueue implements frontline.Handoff. The packet's Tier, Team and
// Priority must be set; its SLA deadlines come from the priority's policy,
// counted in the team's business hours. Then the queue is offered to the
// agents. EInvalid for a bad id, tier, priority or team.
func (s *Service) Enqueue(ctx context.Context, p frontline.HandoffPacket) (*frontline.QueueEntry, error) {
	if err := validatePacket(&p); err != nil {
		return nil, err
	}
	if len(p.Profile) == 0 && s.log != nil {
		c, err := s.log.FindConversationByID(ctx, p.ConversationID)
		if err != nil {
			return nil, err
		}
		p.Profile = c.Profile
	}
	now := s.now()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	e := &frontline.QueueEntry{
		ConversationID: p.ConversationID,
		Tier:           p.Tier,
		Team:           p.Team,
		Priority:       p.Priority,
		Status:         frontline.QueueWaiting,
		EnqueuedAt:     now,
		Packet:         p,
		Epoch:          1,
	}
	if _, _, err := s.dir.load(ctx); err != nil {
		return nil, err
	}
	timers, err := s.target(ctx, e, now, true)
	if err != nil {
		return nil, err
	}
	events := []frontline.Event{{
		ConversationID: p.ConversationID, Kind: frontline.EventHandoff, Actor: "bot",
		Data: frontline.MustJSON(HandoffData{Tier: p.Tier, Team: p.Team, Priority: p.Priority,
			Severity: p.Severity, Reason: p.Reason, Private: p.Private, DueAt: e.DueAt}),
	}}
	if p.Private {
		events = append(events, frontline.Event{
			ConversationID: p.ConversationID, Kind: frontline.EventPrivacy, Actor: "bot",
			Data: frontline.MustJSON(map[string]string{"reason": p.Reason}),
		})
	}
	offer, err := s.claimPlan(ctx, "routing", "offered to the least-loaded agent")
	if err != nil {
		return nil, err
	}
	stored, created, err := s.store.Enqueue(ctx, e, events, timers, offer)
	if err != nil {
		return nil, wrap("enqueue", err)
	}
	if created {
		s.forgetQueue()
		if stored.Status != frontline.QueueAssigned {
			s.Route(ctx)
		}
		// Given to an agent in the hand-off's own commit, the conversation
		// gets no "joined" notice: it would land before the caller's
		// announcement of the hand-off, which names the agent instead.
		s.wake(ctx, p.ConversationID)
	}
	return stored, nil
}

func validatePacket(p *frontline.HandoffPacket) error {
	p.Team = strings.TrimSpace(p.Team)
	switch {
	case !frontline.ValidID(p.ConversationID):
		return frontline.Errorf(frontline.EInvalid, "conversation_id: %q is not a valid id", p.ConversationID)
	case p.Tier.Rank() == 0:
		return frontline.Errorf(frontline.EInvalid, "tier: %q is not one of t1, t2, t3, exec", p.Tier)
	case p.Priority.Rank() == 0:
		return frontline.Errorf(frontline.EInvalid, "priority: %q is not one of low, normal, high, urgent", p.Priority)
	case p.Team == "" || len(p.Team) > 64:
		return frontline.Errorf(frontline.EInvalid, "team: must be 1-64 characters")
	}
	return nil
}

// target (re)sets e's deadlines from now in its team's business hours
// (from the directory as last loaded: it runs under store locks):
// first response (when fresh, or not yet answered) and resolution (when
// fresh), bumps nothing itself, and returns the timers of every open
// target at e.Epoch.
func (s *Service) target(ctx context.Context, e *frontline.QueueEntry, now time.Time, fresh bool) ([]Timer, error) {
	pol, hours := s.policyAndHours(e.Priority, e.Team)
	if fresh || e.RespondedAt.IsZero() {
		e.DueAt = hours.Add(now, time.Duration(pol.FirstResponse))
	}
	if fresh || e.ResolveDueAt.IsZero() {
		e.ResolveDueAt = hours.Add(now, time.Duration(pol.Resolution))
	}
	return s.timers(e, pol), nil
}

// timers lists the SLA timers of e's open targets at its epoch: a warning
// at pol.WarnAt of each target's time before its deadline, and the breach.
func (s *Service) timers(e *frontline.QueueEntry, pol SLAPolicy) []Timer {
	var out []Timer
	add := func(target string, due time.Time, span Duration) {
		if due.IsZero() || contains(e.Breached, target) {
			return
		}
		if pol.WarnAt > 0 && !contains(e.Warned, target) {
			warn := due.Add(-time.Duration(float64(span) * (1 - pol.WarnAt)))
			out = append(out, Timer{ConversationID: e.ConversationID, Kind: TimerWarn, Target: target, Epoch: e.Epoch, At: warn})
		}
		out = append(out, Timer{ConversationID: e.ConversationID, Kind: TimerBreach, Target: target, Epoch: e.Epoch, At: due})
	}
	if e.RespondedAt.IsZero() {
		add(TargetFirstResponse, e.DueAt, pol.FirstResponse)
	}
	if !e.NextDueAt.IsZero() {
		add(TargetNextResponse, e.NextDueAt, pol.NextResponse)
	}
	if e.Status != frontline.QueueResolved {
		add(TargetResolution, e.ResolveDueAt, pol.Resolution)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// QueuePosition implements frontline.Handoff. While waiting, Position is the
// place among waiting conversations of the same tier and team and ETA
// comes from the line's recent pace (see eta); OpensAt is set while the
// team is out of business hours. Once assigned, AgentName is the agent's
// display name.
func (s *Service) QueuePosition(ctx context.Context, conversationID string) (frontline.QueuePosition, error) {
	now := s.cfg.Now()
	if qp, ok := s.positions.other(conversationID, now); ok {
		return qp, nil
	}
	gen := s.positions.generation()
	places, err := s.waitingPlaces(ctx, now)
	if err != nil {
		return frontline.QueuePosition{}, err
	}
	if wp, ok := places[conversationID]; ok {
		qp := frontline.QueuePosition{ConversationID: conversationID, Status: frontline.QueueWaiting,
			Position: wp.Place, ETA: s.eta(ctx, wp, now)}
		if hours := s.dir.hours(ctx, wp.Team); !hours.IsOpen(now) {
			qp.OpensAt = hours.NextOpen(now)
		}
		return qp, nil
	}
	// Not waiting when the line was read: assigned, resolved, never
	// queued, or queued since.
	e, pos, err := s.store.QueueRank(ctx, conversationID)
	if err != nil {
		return frontline.QueuePosition{}, wrap("queue position", err)
	}
	qp := frontline.QueuePosition{ConversationID: conversationID, Status: e.Status, Position: pos}
	switch e.Status {
	case frontline.QueueWaiting:
		qp.ETA = s.eta(ctx, WaitingPlace{Place: pos, Tier: e.Tier, Team: e.Team}, now)
		return qp, nil
	case frontline.QueueAssigned:
		qp.AgentName = cmpOr(e.AssigneeName, "An agent")
	}
	s.positions.putOther(gen, conversationID, qp, now)
	return qp, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// waitingPlaces returns the waiting line's places, read at most once per
// positionTTL however many customers ask at once.
func (s *Service) waitingPlaces(ctx context.Context, now time.Time) (map[string]WaitingPlace, error) {
	if places, ok := s.positions.waiting(now); ok {
		return places, nil
	}
	s.positions.refresh.Lock()
	defer s.positions.refresh.Unlock()
	now = s.cfg.Now()
	if places, ok := s.positions.waiting(now); ok {
		return places, nil // read by the caller we waited for
	}
	gen := s.positions.generation()
	places, err := s.store.WaitingPlaces(ctx)
	if err != nil {
		return nil, wrap("queue positions", err)
	}
	s.positions.putWaiting(gen, places, now)
	return places, nil
}

// Entries lists queue entries in queue order. EInvalid for an unknown status
// or tier in f.
func (s *Service) Entries(ctx context.Context, f QueueFilter) ([]*frontline.QueueEntry, error) {
	if f.Status != "" && !ValidQueueStatus(f.Status) {
		return nil, frontline.Errorf(frontline.EInvalid, "status: %q is not waiting, assigned or resolved", f.Status)
	}
	if f.Tier != "" && f.Tier.Rank() == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "tier: %q is not one of t1, t2, t3, exec", f.Tier)
	}
	if f.Limit < 0 || f.Limit > 500 {
		return nil, frontline.Errorf(frontline.EInvalid, "limit: %d is outside 0..500", f.Limit)
	}
	if len(f.Team) > 64 || !utf8.ValidString(f.Team) || strings.IndexByte(f.Team, 0) >= 0 {
		// Text the database cannot compare is refused before it gets there.
		return nil, frontline.Errorf(frontline.EInvalid, "team: not a team name")
	}
	out, err := s.store.FindQueueEntries(ctx, f)
	if err != nil {
		return nil, wrap("list queue", err)
	}
	return out, nil
}

// Entry returns one conversation's queue entry. ENotFound when never queued.
func (s *Service) Entry(ctx context.Context, conversationID string) (*frontline.QueueEntry, error) {
	if !frontline.ValidID(conversationID) {
		return nil, frontline.Errorf(frontline.ENotFound, "not queued")
	}
	e, err := s.store.FindQueueEntry(ctx, conversationID)
	if err != nil {
		return nil, wrap("find queue entry", err)
	}
	return e, nil
}

// wake tells the conversation's readers (the customer's widget, agents
// watching it) that it changed. A lost wake-up costs a stale view until
// the next one, so a failure is not the caller's error.
func (s *Service) wake(ctx context.Context, conversationID string) {
	s.forgetQueue()
	if s.bus == nil || s.log == nil {
		return
	}
	c, err := s.log.FindConversationByID(ctx, conversationID)
	if err != nil {
		return
	}
	_ = s.bus.Publish(ctx, frontline.ConversationTopic(conversationID), c.LastSeq)
}

// wrap prefixes internal errors with the operation and leaves domain errors
// (with their safe messages) as they are.
func wrap(op string, err error) error {
	if frontline.ErrorCode(err) != frontline.EInternal {
		return err
	}
	return fmt.Errorf("handoff: %s: %w", op, err)
}
