package widget

import (
	"context"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
)

// queueWatch tells customers their place in the human queue. One goroutine
// per server follows the queue topic; on each change it works out the place
// of every connection that watches (from the hand-off service's per-node
// cache: one store read per burst of changes) and pushes a frame only to
// those whose place changed. An enqueue at the back of the line moves
// nobody, so it wakes nobody: waking every waiting customer's writer on
// every change queued hundreds of goroutines ahead of everyone's acks.
type queueWatch struct {
	s     *Server
	start sync.Once
	kick  chan struct{} // a watcher was added: work out its place now

	mu       sync.Mutex
	watchers map[*conn]*queueWatcher
}

type queueWatcher struct {
	convID string
	last   queueFrame // last frame pushed (Seq zero); zero before the first
}

func newQueueWatch(s *Server) *queueWatch {
	return &queueWatch{s: s, kick: make(chan struct{}, 1), watchers: map[*conn]*queueWatcher{}}
}

// add makes c watch convID's place, and pushes it soon.
func (q *queueWatch) add(c *conn, convID string) {
	if q.s.handoff == nil || convID == "" {
		return
	}
	q.start.Do(func() { go q.run(q.s.baseCtx) })
	q.mu.Lock()
	if w := q.watchers[c]; w == nil || w.convID != convID {
		q.watchers[c] = &queueWatcher{convID: convID}
	}
	q.mu.Unlock()
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// remove stops c's pushes (it closed).
func (q *queueWatch) remove(c *conn) {
	q.mu.Lock()
	delete(q.watchers, c)
	q.mu.Unlock()
}

// queueRefreshEvery spaces the refreshes the queue's changes cause: each
// reads every waiting entry's place, so under a stream of hand-offs one
// per change would cost a scan of the whole queue per hand-off. A new
// watcher is served at once.
const queueRefreshEvery = 100 * time.Millisecond

func (q *queueWatch) run(ctx context.Context) {
	// The hand-off service signals once its places reflect the change, so
	// one refresh per signal shows every customer their new place, however
	// many nodes share the queue.
	changes := q.s.handoff.WatchQueue(ctx)
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-changes:
			if !ok {
				return
			}
			if wait := queueRefreshEvery - time.Since(last); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait): // changes meanwhile fold into this refresh
				case <-q.kick:
				}
			}
		case <-q.kick:
		}
		last = time.Now()
		q.refresh(ctx)
	}
}

// refresh pushes every watcher whose place changed; a resolved hand-off is
// pushed once more and then no longer watched.
func (q *queueWatch) refresh(ctx context.Context) {
	q.mu.Lock()
	watching := make(map[*conn]queueWatcher, len(q.watchers))
	for c, w := range q.watchers {
		watching[c] = *w
	}
	q.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, StoreTimeout)
	defer cancel()
	for c, w := range watching {
		pos, err := q.s.handoff.QueuePosition(ctx, w.convID)
		switch {
		case frontline.ErrorCode(err) == frontline.ENotFound:
			continue // not handed off yet: its Enqueue changes the queue
		case err != nil:
			q.s.logger.Warn("widget: queue position", "conversation", w.convID, "err", err)
			continue // the next change tries again
		}
		f := queueFrame{serverHeader: hdr(TypeQueue), Status: string(pos.Status), Position: pos.Position,
			ETASeconds: int64(pos.ETA / time.Second), AgentName: pos.AgentName}
		f.OpensAt = rfc3339(pos.OpensAt)
		if f == w.last {
			continue
		}
		q.mu.Lock()
		cur := q.watchers[c]
		if cur == nil || cur.convID != w.convID {
			q.mu.Unlock()
			continue // closed or moved on meanwhile
		}
		cur.last = f
		if pos.Status == frontline.QueueResolved {
			delete(q.watchers, c)
		}
		q.mu.Unlock()
		c.push(outbound{frame: &f})
	}
}

// teamHours asks whether humans answer convID now (see TeamHours). Without
// an answer (no TeamHours wired, or it failed) the customer is told
// nothing about hours rather than something wrong.
func (s *Server) teamHours(ctx context.Context, convID string) frontline.TeamHours {
	if s.hours == nil {
		return frontline.TeamHours{Open: true}
	}
	th, err := s.hours.TeamHours(ctx, convID)
	if err != nil {
		s.logger.Warn("widget: team hours", "conversation", convID, "err", err)
		return frontline.TeamHours{Open: true}
	}
	return th
}

// rfc3339 formats t for a frame; the zero time is "".
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
