package handoff

import (
	"context"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
)

// snapshotLimit bounds each status's entries in the shared read: it is one
// read per node per change, so it may be larger than one agent's view.
const snapshotLimit = 500

// snapshotTTL bounds how long a read serves when no queue note empties it
// first (a note lost while the bus reconnects).
const snapshotTTL = 2 * time.Second

// queueSnapshot is this node's one read of the live queue (waiting, then
// assigned), shared by every agent socket on the node: a queue change costs
// the node one pair of reads, not a pair per agent. Like positionCache it
// is emptied by every queue note and carries a generation, so a read that
// began before a change is never kept after it.
type queueSnapshot struct {
	refresh sync.Mutex // held while reading, so sockets share one read

	mu      sync.Mutex
	gen     uint64
	entries []*frontline.QueueEntry
	at      time.Time
}

func (q *queueSnapshot) clear() {
	q.mu.Lock()
	q.gen++
	q.entries, q.at = nil, time.Time{}
	q.mu.Unlock()
}

func (q *queueSnapshot) get(now time.Time) ([]*frontline.QueueEntry, uint64, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	// By the time of the read, not the entries: an empty queue is a read too.
	ok := !q.at.IsZero() && now.Sub(q.at) < snapshotTTL && !now.Before(q.at)
	return q.entries, q.gen, ok
}

func (q *queueSnapshot) put(gen uint64, entries []*frontline.QueueEntry, now time.Time) {
	q.mu.Lock()
	if gen == q.gen {
		q.entries, q.at = entries, now
	}
	q.mu.Unlock()
}

// liveQueue returns the waiting entries in queue order, then the assigned
// ones, from this node's shared snapshot. Callers must not modify them.
func (s *Service) liveQueue(ctx context.Context) ([]*frontline.QueueEntry, error) {
	if entries, _, ok := s.snapshot.get(s.cfg.Now()); ok {
		return entries, nil
	}
	s.snapshot.refresh.Lock()
	defer s.snapshot.refresh.Unlock()
	entries, gen, ok := s.snapshot.get(s.cfg.Now())
	if ok {
		return entries, nil // read by the caller we waited for
	}
	waiting, err := s.Entries(ctx, QueueFilter{Status: frontline.QueueWaiting, Limit: snapshotLimit})
	if err != nil {
		return nil, err
	}
	assigned, err := s.Entries(ctx, QueueFilter{Status: frontline.QueueAssigned, Limit: snapshotLimit})
	if err != nil {
		return nil, err
	}
	entries = append(waiting, assigned...)
	s.snapshot.put(gen, entries, s.cfg.Now())
	return entries, nil
}
