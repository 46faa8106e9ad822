// Package retention is the retention setting's job: delete conversations
// inactive for longer than the configured days, with everything tied to
// them, batch by batch. On PostgreSQL it runs as a River periodic job
// (internal/postgres.Periodic), once per period across all nodes; on the
// memory store Run is its in-process equivalent. Both call Sweep.
package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/frontlinehq/frontline"
)

// Interval is how often the job runs. Retention is counted in days; an
// hour's lateness does not matter, and a sweep that finds nothing reads
// each conversation row once.
const Interval = time.Hour

// DefaultBatch is how many conversations one transaction looks at.
const DefaultBatch = 500

// Policy is the retention setting.
type Policy struct {
	// Keep is how long after its last activity a conversation is kept.
	Keep time.Duration
	// Batch bounds the conversations one transaction looks at; 0 is
	// DefaultBatch.
	Batch int
	// Now is the clock; nil is time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Days is a policy keeping conversations for days.
func Days(days int) Policy { return Policy{Keep: time.Duration(days) * 24 * time.Hour} }

// Sweep deletes every conversation the policy no longer keeps, one batch
// per transaction (so no lock is held long), and returns how many; then
// the phrasing candidates (customers' questions) last proposed as long
// ago and never accepted.
func (p Policy) Sweep(ctx context.Context, store frontline.Purger) (int, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	req := frontline.PurgeRequest{Before: now().Add(-p.Keep), Limit: p.Batch}
	if req.Limit <= 0 {
		req.Limit = DefaultBatch
	}
	deleted := 0
	for {
		res, err := store.PurgeConversations(ctx, req)
		if err != nil {
			return deleted, err
		}
		deleted += res.Deleted
		if res.Next == "" {
			break
		}
		req.After = res.Next
	}
	if p.Logger != nil && deleted > 0 {
		p.Logger.Info("retention: deleted old conversations", "deleted", deleted, "inactive_before", req.Before)
	}
	candidates, err := store.PurgeCandidates(ctx, req.Before)
	if err != nil {
		return deleted, err
	}
	if p.Logger != nil && candidates > 0 {
		p.Logger.Info("retention: deleted old phrasing candidates", "deleted", candidates, "proposed_before", req.Before)
	}
	return deleted, nil
}

// Run sweeps at once and then every interval until ctx ends: the memory
// store's in-process job (one process, nothing to coordinate). Failures
// are logged and retried at the next interval.
func (p Policy) Run(ctx context.Context, store frontline.Purger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := p.Sweep(ctx, store); err != nil && ctx.Err() == nil && p.Logger != nil {
			p.Logger.Warn("retention: sweep failed; retrying at the next interval", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
