package memory

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/kb"
)

var _ frontline.Purger = (*Purger)(nil)

// Purger is frontline.Purger over the memory stores: the log and,
// when given, the hand-off queue beside it and the knowledge base that
// recorded the conversations' questions.
type Purger struct {
	log   *Store
	queue *HandoffStore // may be nil
	kb    *KBStore      // may be nil
}

// NewPurger returns a purger of log and what queue and kb keep about its
// conversations (either may be nil).
func NewPurger(log *Store, queue *HandoffStore, kb *KBStore) *Purger {
	return &Purger{log: log, queue: queue, kb: kb}
}

// PurgeConversations implements frontline.Purger.
func (p *Purger) PurgeConversations(ctx context.Context, req frontline.PurgeRequest) (frontline.PurgeResult, error) {
	if req.Limit < 1 {
		return frontline.PurgeResult{}, frontline.Errorf(frontline.EInvalid, "purge: limit must be at least 1")
	}
	var res frontline.PurgeResult
	s := p.log
	s.mu.Lock()
	ids := make([]string, 0, len(s.conversations))
	for id := range s.conversations {
		if id > req.After {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if len(ids) > req.Limit {
		ids = ids[:req.Limit]
		res.Next = ids[len(ids)-1]
	}
	lastEvent := map[string]time.Time{}
	for _, e := range s.events {
		if e.CreatedAt.After(lastEvent[e.ConversationID]) {
			lastEvent[e.ConversationID] = e.CreatedAt
		}
	}
	doomed := map[string]bool{}
	for _, id := range ids {
		c := s.conversations[id].c
		if (c.Status == frontline.StatusBot || c.Status == frontline.StatusResolved) &&
			c.UpdatedAt.Before(req.Before) && lastEvent[id].Before(req.Before) {
			doomed[id] = true
		}
	}
	if len(doomed) > 0 {
		for id := range doomed {
			delete(s.conversations, id)
			delete(s.owing, id)
		}
		s.events = slices.DeleteFunc(s.events, func(e frontline.Event) bool { return doomed[e.ConversationID] })
		if q := p.queue; q != nil { // guarded by the log's lock
			for id := range doomed {
				delete(q.entries, id)
			}
			for k, t := range q.timers {
				if doomed[t.t.ConversationID] && !t.taken {
					delete(q.timers, k)
				}
			}
		}
	}
	s.mu.Unlock()
	if p.kb != nil && len(doomed) > 0 {
		p.kb.forgetConversations(doomed)
	}
	res.Deleted = len(doomed)
	return res, nil
}

// forgetConversations deletes the question records and hand-off marks of
// the conversations.
func (s *KBStore) forgetConversations(ids map[string]bool) {
	defer s.write()()
	s.st.questions = slices.DeleteFunc(slices.Clone(s.st.questions), func(q *kb.QuestionRecord) bool { return ids[q.ConversationID] })
	for id := range ids {
		delete(s.st.handoffs, id)
	}
}

// PurgeCandidates implements frontline.Purger.
func (p *Purger) PurgeCandidates(ctx context.Context, before time.Time) (int, error) {
	if p.kb == nil {
		return 0, nil
	}
	defer p.kb.write()()
	n := 0
	for id, c := range p.kb.st.candidates {
		if c.State != kb.CandidateAccepted && c.UpdatedAt.Before(before) {
			delete(p.kb.st.candidates, id)
			n++
		}
	}
	return n, nil
}
