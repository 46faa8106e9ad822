package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

// lockAgent takes the agent's row lock (every assignment to them holds
// it, so their load cannot change under us) and then counts their load
// in a statement of its own, which sees every claim committed before the
// lock was granted.
func lockAgent(ctx context.Context, tx pgx.Tx, userID string, skipLocked bool) (*handoff.Agent, error) {
	q := `SELECT ` + agentColumns + `, 0 FROM agents WHERE user_id = $1 FOR UPDATE`
	if skipLocked {
		q += ` SKIP LOCKED`
	}
	a, err := scanAgent(tx.QueryRow(ctx, q, userID))
	if err != nil {
		return nil, err
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM handoff_queue WHERE status = 'assigned' AND assignee_id = $1`, userID).Scan(&a.Load); err != nil {
		return nil, err
	}
	return a, nil
}

// Claim implements handoff.Store.
func (s *HandoffStore) Claim(ctx context.Context, req handoff.ClaimRequest) (*frontline.QueueEntry, error) {
	var out *frontline.QueueEntry
	var queueID int64
	err := s.db.withTx(ctx, func(tx pgx.Tx) error {
		a, err := lockAgent(ctx, tx, req.AgentID, false)
		if errors.Is(err, pgx.ErrNoRows) {
			return frontline.Errorf(frontline.ENotFound, "no agent %s", req.AgentID)
		}
		if err != nil {
			return err
		}
		var cur *frontline.QueueEntry
		var lastSeq int64
		if req.ConversationID != "" {
			if cur, lastSeq, err = s.lockEntry(ctx, tx, req.ConversationID); err != nil {
				return err
			}
			switch {
			case cur.Status != frontline.QueueWaiting:
				return frontline.Errorf(frontline.EConflict, "conversation %s is %s, not waiting", req.ConversationID, cur.Status)
			case !a.Eligible(cur.Tier, cur.Team):
				return frontline.Errorf(frontline.EForbidden, "agent %s does not work the %s queue of team %s", req.AgentID, cur.Tier, cur.Team)
			}
		}
		if a.Load >= a.Capacity {
			return frontline.Errorf(frontline.EConflict, "you hold %d conversations, your capacity", a.Load)
		}
		if cur == nil {
			// The first waiting entry for this agent; entries (or their
			// conversations) locked by other claims are skipped, not
			// waited for.
			var id string
			err := tx.QueryRow(ctx, `
				SELECT q.conversation_id FROM handoff_queue q JOIN conversations c ON c.id = q.conversation_id
				WHERE q.status = 'waiting' AND q.tier = ANY($1) AND q.team = ANY($2)
				  AND NOT coalesce(q.state->'declined', '[]') ? $3
				ORDER BY q.priority_rank DESC, q.due_at, q.enqueued_at, q.id
				LIMIT 1 FOR UPDATE OF q, c SKIP LOCKED`, a.Tiers, a.Teams, a.UserID).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return frontline.Errorf(frontline.ENotFound, "no conversation is waiting for you")
			}
			if err != nil {
				return err
			}
			if cur, lastSeq, err = s.lockEntry(ctx, tx, id); err != nil {
				return err
			}
		}
		c := req.Plan(cur, a)
		if queueID, err = s.write(ctx, tx, &c, lastSeq); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE agents SET last_assigned_at = now() WHERE user_id = $1`, a.UserID); err != nil {
			return err
		}
		out = &c.Entry
		return nil
	})
	if err != nil {
		return nil, wrapInternal("claim", err)
	}
	s.db.notify.wake(frontline.TopicQueue, queueID)
	return out, nil
}

// Offer implements handoff.Store: one commit per placed entry, each
// locking the entry and its conversation, then the chosen agent, all
// with SKIP LOCKED: an entry or agent another node is placing is left to
// that node.
func (s *HandoffStore) Offer(ctx context.Context, plan handoff.ClaimPlan, limit int) ([]*frontline.QueueEntry, error) {
	// The waiting entries, when anybody at all could take one: on a busy
	// desk (nobody with room) this one query is all a Route costs.
	rows, err := s.db.pool.Query(ctx, `SELECT conversation_id, tier, team FROM handoff_queue WHERE status = 'waiting'
		AND EXISTS (SELECT 1 FROM agents a WHERE a.presence = 'online'
			AND a.capacity > (SELECT count(*) FROM handoff_queue q WHERE q.status = 'assigned' AND q.assignee_id = a.user_id))
		ORDER BY `+queueOrderSQL+` LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("offer: %w", err)
	}
	type cand struct {
		id   string
		line lineKey
	}
	cands, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (cand, error) {
		var c cand
		err := r.Scan(&c.id, &c.line.tier, &c.line.team)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("offer: %w", err)
	}
	full := map[lineKey]bool{} // lines nobody can take now
	var out []*frontline.QueueEntry
	for _, c := range cands {
		if len(out) >= limit {
			break
		}
		if full[c.line] {
			continue
		}
		e, placed, err := s.offerOne(ctx, c.id, plan)
		if err != nil {
			return out, fmt.Errorf("offer: %w", err)
		}
		if e != nil {
			out = append(out, e)
		} else if !placed {
			full[c.line] = true
		}
	}
	return out, nil
}

type lineKey struct {
	tier frontline.Tier
	team string
}

// offerOne places one entry. placed is true when the entry needs no agent
// (taken meanwhile) so its line may still have room.
func (s *HandoffStore) offerOne(ctx context.Context, conversationID string, plan handoff.ClaimPlan) (out *frontline.QueueEntry, placed bool, err error) {
	var queueID int64
	err = s.db.withTx(ctx, func(tx pgx.Tx) error {
		var lastSeq int64
		cur, id, err := scanQueueEntry(tx.QueryRow(ctx, `SELECT `+prefixColumns("q.", queueColumns)+`, c.last_seq
			FROM handoff_queue q JOIN conversations c ON c.id = q.conversation_id
			WHERE q.conversation_id = $1 AND q.status = 'waiting' FOR UPDATE OF q, c SKIP LOCKED`, conversationID), &lastSeq)
		if errors.Is(err, pgx.ErrNoRows) {
			placed = true // claimed, moved, or being changed elsewhere
			return nil
		}
		if err != nil {
			return err
		}
		queueID = id
		e, err := s.placeInTx(ctx, tx, cur, lastSeq, plan)
		if e != nil {
			out, placed = e, true
		}
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if out != nil {
		s.db.notify.wake(frontline.TopicQueue, queueID)
	}
	return out, placed, nil
}

// placeInTx gives cur (locked, waiting) to the online eligible agent with
// room and the lowest load, if one can be locked, and returns the assigned
// entry; nil when nobody can take it now.
func (s *HandoffStore) placeInTx(ctx context.Context, tx pgx.Tx, cur *frontline.QueueEntry, lastSeq int64, plan handoff.ClaimPlan) (*frontline.QueueEntry, error) {
	// Candidates, least loaded first; the first we can lock whose load
	// (counted again under its lock) leaves room takes it.
	rows, err := tx.Query(ctx, `
		SELECT a.user_id FROM agents a
		CROSS JOIN LATERAL (SELECT count(*) AS load FROM handoff_queue q WHERE q.status = 'assigned' AND q.assignee_id = a.user_id) l
		WHERE a.presence = 'online' AND $1 = ANY(a.tiers) AND $2 = ANY(a.teams) AND l.load < a.capacity
		  AND NOT a.user_id = ANY($3)
		ORDER BY l.load::float8 / a.capacity, a.last_assigned_at, a.user_id LIMIT 20`,
		cur.Tier, cur.Team, append([]string{}, cur.Declined...))
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		a, err := lockAgent(ctx, tx, id, true)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // another claim holds them
		}
		if err != nil {
			return nil, err
		}
		if a.Load >= a.Capacity || a.Presence != frontline.PresenceOnline {
			continue
		}
		c := plan(cur, a)
		if _, err := s.write(ctx, tx, &c, lastSeq); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE agents SET last_assigned_at = now() WHERE user_id = $1`, a.UserID); err != nil {
			return nil, err
		}
		return &c.Entry, nil
	}
	return nil, nil
}

// Update implements handoff.Store.
func (s *HandoffStore) Update(ctx context.Context, conversationID string, decide func(cur *frontline.QueueEntry) (*handoff.Change, error)) (*frontline.QueueEntry, error) {
	var out *frontline.QueueEntry
	var queueID int64
	err := s.db.withTx(ctx, func(tx pgx.Tx) error {
		cur, lastSeq, err := s.lockEntry(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		c, err := decide(cur)
		if err != nil {
			return err
		}
		if err := completeFiring(ctx, tx); err != nil {
			return err
		}
		out = cur
		if c == nil {
			return nil
		}
		if queueID, err = s.write(ctx, tx, c, lastSeq); err != nil {
			return err
		}
		out = &c.Entry
		return nil
	})
	if err != nil {
		return nil, wrapInternal("update queue entry", err)
	}
	if queueID != 0 {
		s.db.notify.wake(frontline.TopicQueue, queueID)
	}
	return out, nil
}

// write stores a change in tx: the entry, the conversation's status and
// assignee, the events and the timers. It returns the entry's row id.
func (s *HandoffStore) write(ctx context.Context, tx pgx.Tx, c *handoff.Change, lastSeq int64) (int64, error) {
	e := &c.Entry
	state, err := json.Marshal(stateOf(e))
	if err != nil {
		return 0, err
	}
	assignee := ""
	if e.Status == frontline.QueueAssigned {
		assignee = e.AssigneeID
	}
	nullable := func(t any) any {
		if tt, ok := t.(interface{ IsZero() bool }); ok && tt.IsZero() {
			return nil
		}
		return t
	}
	var id int64
	err = tx.QueryRow(ctx, `UPDATE handoff_queue SET tier = $2, team = $3, priority = $4, status = $5, assignee_id = $6,
		due_at = $7, assigned_at = $8, resolved_at = $9, state = $10 WHERE conversation_id = $1 RETURNING id`,
		e.ConversationID, e.Tier, e.Team, e.Priority, e.Status, assignee, e.DueAt,
		nullable(e.AssignedAt), nullable(e.ResolvedAt), state).Scan(&id)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET status = $2, assignee_id = $3, updated_at = now() WHERE id = $1`,
		e.ConversationID, c.Conversation, assignee); err != nil {
		return 0, err
	}
	if _, err := insertEvents(ctx, tx, e.ConversationID, lastSeq, c.Events); err != nil {
		return 0, err
	}
	if err := s.timers.insert(ctx, tx, c.Timers); err != nil {
		return 0, err
	}
	return id, nil
}
