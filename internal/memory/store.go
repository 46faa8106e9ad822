// Package memory implements Frontline's storage interfaces in process memory:
// the zero-setup default of `frontline serve`. Nothing survives a restart.
// It passes the same conformance suite as internal/postgres.
package memory

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
)

var (
	_ frontline.Log = (*Store)(nil)
	_ frontline.Bus = (*Bus)(nil)
)

// Store is an in-memory conversation log. One mutex guards everything: it is
// for demos and tests, not for throughput.
type Store struct {
	mu            sync.RWMutex
	conversations map[string]*conversation
	events        []frontline.Event
	nextEventID   int64
	owing         map[string]*conversation // conversations with owed obligations
	owedSignal    chan struct{}
	bus           *Bus
	now           func() time.Time
}

type conversation struct {
	c        frontline.Conversation
	messages []frontline.Message
	byClient map[string]int  // client message id → index in messages
	owed     map[int64]*owed // customer message seq → its obligation, while owed
}

// owed is the state of one obligation.
type owed struct {
	due      time.Time
	attempts int
}

// NewStore returns an empty store whose appends wake bus (which may be nil).
func NewStore(bus *Bus) *Store {
	return &Store{
		conversations: make(map[string]*conversation),
		owing:         make(map[string]*conversation),
		owedSignal:    make(chan struct{}, 1),
		bus:           bus,
		now:           func() time.Time { return time.Now().UTC() },
	}
}

// CreateConversation implements frontline.Log.
func (s *Store) CreateConversation(ctx context.Context, c *frontline.Conversation) error {
	if err := validateNewConversation(c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == "" {
		c.ID = frontline.NewID("c_")
	}
	if _, ok := s.conversations[c.ID]; ok {
		return frontline.Errorf(frontline.EConflict, "conversation %s already exists", c.ID)
	}
	if c.Status == "" {
		c.Status = frontline.StatusBot
	}
	c.LastSeq = 0
	c.CreatedAt = s.now()
	c.UpdatedAt = c.CreatedAt
	c.Profile = maps.Clone(c.Profile)
	s.conversations[c.ID] = &conversation{c: *c, byClient: make(map[string]int)}
	s.appendEventsLocked([]frontline.Event{{ConversationID: c.ID, Kind: frontline.EventConversationStarted, Actor: c.VisitorID}})
	return nil
}

func validateNewConversation(c *frontline.Conversation) error {
	return frontline.ValidateNewConversation(c)
}

// FindConversationByID implements frontline.Log.
func (s *Store) FindConversationByID(ctx context.Context, id string) (*frontline.Conversation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cv, ok := s.conversations[id]
	if !ok {
		return nil, notFound(id)
	}
	return cloneConversation(&cv.c), nil
}

func notFound(id string) error {
	return frontline.Errorf(frontline.ENotFound, "conversation %s not found", id)
}

func cloneConversation(c *frontline.Conversation) *frontline.Conversation {
	out := *c
	out.Profile = maps.Clone(c.Profile)
	return &out
}

// FindConversations implements frontline.Log.
func (s *Store) FindConversations(ctx context.Context, f frontline.ConversationFilter) ([]*frontline.Conversation, error) {
	if f.VisitorID == "" && f.CustomerID == "" && len(f.IDs) == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "a conversation listing needs a visitor, customer or ids")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*frontline.Conversation
	for _, cv := range s.conversations {
		c := &cv.c
		if (f.VisitorID != "" && c.VisitorID != f.VisitorID) ||
			(f.CustomerID != "" && c.CustomerID != f.CustomerID) ||
			(f.SiteKey != "" && c.SiteKey != f.SiteKey) ||
			(f.Status != "" && c.Status != f.Status) ||
			(len(f.IDs) > 0 && !slices.Contains(f.IDs, c.ID)) {
			continue
		}
		out = append(out, cloneConversation(c))
	}
	slices.SortFunc(out, func(a, b *frontline.Conversation) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return compareStrings(b.ID, a.ID)
	})
	return truncate(out, f.Limit), nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func truncate[T any](s []T, limit int) []T {
	if limit <= 0 {
		limit = frontline.DefaultListLimit
	}
	if len(s) > limit {
		return s[:limit]
	}
	return s
}

// UpdateConversation implements frontline.Log.
func (s *Store) UpdateConversation(ctx context.Context, id string, upd frontline.ConversationUpdate) (*frontline.Conversation, error) {
	if upd.Status != nil && !upd.Status.Valid() {
		return nil, frontline.Errorf(frontline.EInvalid, "unknown conversation status %q", *upd.Status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, ok := s.conversations[id]
	if !ok {
		return nil, notFound(id)
	}
	c := &cv.c
	if upd.Status != nil {
		c.Status = *upd.Status
	}
	if upd.Private != nil {
		c.Private = *upd.Private
	}
	if upd.AssigneeID != nil {
		c.AssigneeID = *upd.AssigneeID
	}
	if len(upd.Profile) > 0 {
		if c.Profile == nil {
			c.Profile = make(map[string]string, len(upd.Profile))
		}
		maps.Copy(c.Profile, upd.Profile)
	}
	c.UpdatedAt = s.now()
	events := withConversation(upd.Events, id, 0)
	s.appendEventsLocked(events)
	return cloneConversation(c), nil
}

// AppendMessage implements frontline.Log.
func (s *Store) AppendMessage(ctx context.Context, req frontline.AppendRequest) (frontline.AppendResult, error) {
	m := req.Message
	if err := frontline.ValidateMessage(&m); err != nil {
		return frontline.AppendResult{}, err
	}
	if err := req.PrepareStart(); err != nil {
		return frontline.AppendResult{}, err
	}
	s.mu.Lock()
	cv, ok := s.conversations[m.ConversationID]
	started := false
	switch {
	case !ok && req.Start != nil:
		c := cloneConversation(req.Start)
		c.LastSeq, c.CreatedAt = 0, s.now()
		c.UpdatedAt = c.CreatedAt
		cv = &conversation{c: *c, byClient: make(map[string]int)}
		s.conversations[c.ID] = cv
		s.appendEventsLocked([]frontline.Event{{ConversationID: c.ID, Kind: frontline.EventConversationStarted, Actor: c.VisitorID}})
		started = true
	case !ok:
		s.mu.Unlock()
		return frontline.AppendResult{}, notFound(m.ConversationID)
	case req.Start != nil && (cv.c.VisitorID != req.Start.VisitorID || cv.c.SiteKey != req.Start.SiteKey):
		s.mu.Unlock()
		return frontline.AppendResult{}, frontline.ErrNotTheirs
	}
	if m.ClientMsgID != "" {
		if i, ok := cv.byClient[m.ClientMsgID]; ok {
			existing := cloneMessage(cv.messages[i])
			s.mu.Unlock()
			return frontline.AppendResult{Message: existing, Duplicate: true}, nil
		}
	}
	if req.Answers < 0 {
		s.mu.Unlock()
		return frontline.AppendResult{}, frontline.Errorf(frontline.EInvalid, "answers: seq %d", req.Answers)
	}
	if req.Answers > 0 && cv.owed[req.Answers] == nil {
		s.mu.Unlock()
		return frontline.AppendResult{}, frontline.ErrNotOwed
	}
	if m.Author == frontline.AuthorBot && !cv.c.Status.BotMaySend() {
		s.mu.Unlock()
		return frontline.AppendResult{}, frontline.ErrHumanOwns
	}
	cv.c.LastSeq++
	m.Seq = cv.c.LastSeq
	m.CreatedAt = s.now()
	cv.c.UpdatedAt = m.CreatedAt
	stored := cloneMessage(m)
	cv.messages = append(cv.messages, stored)
	if m.ClientMsgID != "" {
		cv.byClient[m.ClientMsgID] = len(cv.messages) - 1
	}
	s.appendEventsLocked(withConversation(req.Events, m.ConversationID, m.Seq))
	if req.Answers > 0 {
		s.doneLocked(cv, req.Answers)
	}
	if m.Author == frontline.AuthorCustomer {
		if cv.owed == nil {
			cv.owed = make(map[int64]*owed)
		}
		cv.owed[m.Seq] = &owed{due: m.CreatedAt}
		s.owing[cv.c.ID] = cv
	}
	s.mu.Unlock()

	if m.Author == frontline.AuthorCustomer {
		s.signalOwed()
	}
	if s.bus != nil {
		s.bus.Publish(ctx, frontline.ConversationTopic(m.ConversationID), m.Seq)
	}
	return frontline.AppendResult{Message: cloneMessage(stored), Started: started}, nil
}

// cloneMessage copies the slices and maps in m so callers cannot alias the
// store's copy.
func cloneMessage(m frontline.Message) frontline.Message { return m.Clone() }

func withConversation(events []frontline.Event, id string, seq int64) []frontline.Event {
	out := make([]frontline.Event, len(events))
	for i, e := range events {
		e.ConversationID = id
		if e.Seq == 0 {
			e.Seq = seq
		}
		out[i] = e
	}
	return out
}

// ReadMessages implements frontline.Log.
func (s *Store) ReadMessages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]frontline.Message, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cv, ok := s.conversations[conversationID]
	if !ok {
		return nil, notFound(conversationID)
	}
	if afterSeq < 0 {
		afterSeq = 0
	}
	if afterSeq >= int64(len(cv.messages)) {
		return nil, nil
	}
	// Seq n is at index n-1: seqs are dense.
	msgs := truncate(cv.messages[afterSeq:], limit)
	out := make([]frontline.Message, len(msgs))
	for i, m := range msgs {
		out[i] = cloneMessage(m)
	}
	return out, nil
}

// AppendEvents implements frontline.Log.
func (s *Store) AppendEvents(ctx context.Context, events ...frontline.Event) ([]frontline.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		if err := frontline.ValidateEvent(&e); err != nil {
			return nil, err
		}
		if _, ok := s.conversations[e.ConversationID]; !ok {
			return nil, notFound(e.ConversationID)
		}
	}
	return s.appendEventsLocked(events), nil
}

func (s *Store) appendEventsLocked(events []frontline.Event) []frontline.Event {
	out := make([]frontline.Event, len(events))
	now := s.now()
	for i, e := range events {
		s.nextEventID++
		e.ID = s.nextEventID
		e.CreatedAt = now
		e.Data = slices.Clone(e.Data)
		s.events = append(s.events, e)
		out[i] = e
	}
	return out
}

// FindEvents implements frontline.Log.
func (s *Store) FindEvents(ctx context.Context, f frontline.EventFilter) ([]frontline.Event, error) {
	if f.ConversationID == "" && len(f.Kinds) == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "an event listing needs a conversation or kinds")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	limit := f.Limit
	if limit <= 0 {
		limit = frontline.DefaultListLimit
	}
	var out []frontline.Event
	for _, e := range s.events {
		if (f.ConversationID != "" && e.ConversationID != f.ConversationID) ||
			(len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind)) ||
			e.ID <= f.AfterID ||
			(!f.Since.IsZero() && e.CreatedAt.Before(f.Since)) {
			continue
		}
		e.Data = slices.Clone(e.Data)
		out = append(out, e)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
