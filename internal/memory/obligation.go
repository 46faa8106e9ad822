package memory

import (
	"context"
	"slices"
	"time"

	"github.com/frontlinehq/frontline"
)

// doneLocked forgets the obligation of message seq.
func (s *Store) doneLocked(cv *conversation, seq int64) {
	delete(cv.owed, seq)
	if len(cv.owed) == 0 {
		delete(s.owing, cv.c.ID)
	}
}

// ClaimObligations implements frontline.Obligations.
func (s *Store) ClaimObligations(ctx context.Context, opts frontline.ClaimOpts) ([]frontline.Obligation, error) {
	if opts.Limit < 1 || opts.Lease <= 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "claim obligations: limit %d, lease %s", opts.Limit, opts.Lease)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	type due struct {
		cv  *conversation
		seq int64
		at  time.Time
	}
	var ready []due
	for _, cv := range s.owing {
		// Only a conversation's earliest owed message is claimable.
		first := int64(0)
		for seq := range cv.owed {
			if first == 0 || seq < first {
				first = seq
			}
		}
		if o := cv.owed[first]; !o.due.After(now) {
			ready = append(ready, due{cv, first, o.due})
		}
	}
	slices.SortFunc(ready, func(a, b due) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return compareStrings(a.cv.c.ID, b.cv.c.ID)
	})
	out := make([]frontline.Obligation, 0, min(len(ready), opts.Limit))
	for _, d := range ready[:min(len(ready), opts.Limit)] {
		o := d.cv.owed[d.seq]
		o.due = now.Add(opts.Lease)
		o.attempts++
		out = append(out, frontline.Obligation{
			Message:      cloneMessage(d.cv.messages[d.seq-1]),
			Conversation: cloneConversation(&d.cv.c),
			Attempt:      o.attempts,
		})
	}
	return out, nil
}

// ExtendObligations implements frontline.Obligations.
func (s *Store) ExtendObligations(ctx context.Context, keys []frontline.ObligationKey, lease time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if o := s.owedLocked(k); o != nil {
			o.due = s.now().Add(lease)
		}
	}
	return nil
}

func (s *Store) owedLocked(k frontline.ObligationKey) *owed {
	if cv, ok := s.owing[k.ConversationID]; ok {
		return cv.owed[k.Seq]
	}
	return nil
}

// RetryObligation implements frontline.Obligations.
func (s *Store) RetryObligation(ctx context.Context, key frontline.ObligationKey, delay time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.owedLocked(key); o != nil {
		o.due = s.now().Add(max(delay, 0))
	}
	return nil
}

// DropObligation implements frontline.Obligations.
func (s *Store) DropObligation(ctx context.Context, key frontline.ObligationKey, events ...frontline.Event) (bool, error) {
	for _, e := range events {
		e.ConversationID = key.ConversationID
		if err := frontline.ValidateEvent(&e); err != nil {
			return false, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owedLocked(key) == nil {
		return false, nil
	}
	s.doneLocked(s.owing[key.ConversationID], key.Seq)
	s.appendEventsLocked(withConversation(events, key.ConversationID, key.Seq))
	return true, nil
}

// Owed implements frontline.Obligations.
func (s *Store) Owed() <-chan struct{} { return s.owedSignal }

func (s *Store) signalOwed() {
	select {
	case s.owedSignal <- struct{}{}:
	default:
	}
}
