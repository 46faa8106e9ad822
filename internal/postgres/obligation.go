package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
)

// The bot's obligations are a narrow outbox table (migration 0005) rather
// than River jobs, which DESIGN.md names for durable work: the append that
// stores a message inserts its obligation in the same statement, so the
// acknowledgement stays one round trip (a River insert is a statement of
// its own in an explicit transaction), the reply deletes it in its own
// statement, and River's open-source release cannot run a conversation's
// jobs one at a time in order, which the bot needs.

// claimSQL leases the due obligations: per conversation only the earliest
// owed message (a later one waits for it, so answers keep the customer's
// order), oldest due first, skipping rows another claimer is taking.
//
// A claim commits without waiting for the disk (synchronous_commit off,
// for this transaction only): it sits between the customer's message and
// the bot's reply, and losing it in a crash costs nothing, since an
// unclaimed obligation is simply due again and the reply's own commit
// (durable) decides who answers.
const claimSQL = `
WITH async AS (
	SELECT set_config('synchronous_commit', 'off', true)
), due AS (
	SELECT o.conversation_id, o.seq FROM bot_obligations o
	WHERE o.due_at <= now()
	  AND NOT EXISTS (SELECT 1 FROM bot_obligations p WHERE p.conversation_id = o.conversation_id AND p.seq < o.seq)
	ORDER BY o.due_at, o.conversation_id, o.seq
	LIMIT $1
	FOR UPDATE OF o SKIP LOCKED
), claimed AS (
	UPDATE bot_obligations o SET due_at = now() + $2 * interval '1 microsecond', attempts = o.attempts + 1
	FROM due WHERE o.conversation_id = due.conversation_id AND o.seq = due.seq
	RETURNING o.conversation_id, o.seq, o.attempts
)
SELECT m.conversation_id, m.seq, coalesce(m.client_msg_id, ''), m.author, m.author_id, m.author_name, m.body, m.meta, m.created_at, claimed.attempts, ` + prefixedConversationColumns + `
FROM claimed
JOIN messages m ON m.conversation_id = claimed.conversation_id AND m.seq = claimed.seq
JOIN conversations c ON c.id = claimed.conversation_id, async
ORDER BY claimed.conversation_id, claimed.seq`

const prefixedConversationColumns = `c.id, c.site_key, c.visitor_id, c.customer_id, c.status, c.private, c.assignee_id, c.last_seq, c.profile, c.created_at, c.updated_at`

// ClaimObligations implements frontline.Obligations.
func (db *DB) ClaimObligations(ctx context.Context, opts frontline.ClaimOpts) ([]frontline.Obligation, error) {
	if opts.Limit < 1 || opts.Lease <= 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "claim obligations: limit %d, lease %s", opts.Limit, opts.Lease)
	}
	rows, err := db.pool.Query(ctx, claimSQL, opts.Limit, opts.Lease.Microseconds())
	if err != nil {
		return nil, fmt.Errorf("claim obligations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (frontline.Obligation, error) {
		var (
			o       frontline.Obligation
			m       = &o.Message
			c       frontline.Conversation
			profile map[string]string
		)
		err := r.Scan(&m.ConversationID, &m.Seq, &m.ClientMsgID, &m.Author, &m.AuthorID, &m.AuthorName, &m.Body, &m.Meta, &m.CreatedAt, &o.Attempt,
			&c.ID, &c.SiteKey, &c.VisitorID, &c.CustomerID, &c.Status, &c.Private, &c.AssigneeID, &c.LastSeq, &profile, &c.CreatedAt, &c.UpdatedAt)
		if len(profile) > 0 {
			c.Profile = profile
		}
		m.CreatedAt, c.CreatedAt, c.UpdatedAt = m.CreatedAt.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
		o.Conversation = &c
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim obligations: %w", err)
	}
	return out, nil
}

// ExtendObligations implements frontline.Obligations.
func (db *DB) ExtendObligations(ctx context.Context, keys []frontline.ObligationKey, lease time.Duration) error {
	if len(keys) == 0 {
		return nil
	}
	convs, seqs := splitKeys(keys)
	_, err := db.pool.Exec(ctx, `UPDATE bot_obligations o SET due_at = now() + $3 * interval '1 microsecond'
		FROM unnest($1::text[], $2::bigint[]) AS k(conversation_id, seq)
		WHERE o.conversation_id = k.conversation_id AND o.seq = k.seq`,
		convs, seqs, lease.Microseconds())
	if err != nil {
		return fmt.Errorf("extend obligations: %w", err)
	}
	return nil
}

func splitKeys(keys []frontline.ObligationKey) ([]string, []int64) {
	convs, seqs := make([]string, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		convs[i], seqs[i] = k.ConversationID, k.Seq
	}
	return convs, seqs
}

// RetryObligation implements frontline.Obligations.
func (db *DB) RetryObligation(ctx context.Context, key frontline.ObligationKey, delay time.Duration) error {
	_, err := db.pool.Exec(ctx, `UPDATE bot_obligations SET due_at = now() + $3 * interval '1 microsecond'
		WHERE conversation_id = $1 AND seq = $2`, key.ConversationID, key.Seq, max(delay, 0).Microseconds())
	if err != nil {
		return fmt.Errorf("retry obligation: %w", err)
	}
	return nil
}

// dropSQL deletes an owed obligation and records its events only if it
// was owed: the obligation row's lock decides between a drop and a racing
// reply.
const dropSQL = `
WITH d AS (
	DELETE FROM bot_obligations WHERE conversation_id = $1 AND seq = $2
	RETURNING seq
), ev AS (
	INSERT INTO events (conversation_id, kind, actor, seq, data)
	SELECT $1, e.j->>'kind', coalesce(e.j->>'actor', ''), coalesce(nullif((e.j->>'seq')::bigint, 0), d.seq), nullif(e.j->'data', 'null')
	FROM d, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(j, n)
	ORDER BY e.n
)
SELECT count(*) FROM d`

// DropObligation implements frontline.Obligations. After a reply this
// node committed for the obligation (the worker drops every obligation it
// handled), there is nothing to drop and no statement is sent: a deleted
// obligation never comes back, since a message owes its answer once.
func (db *DB) DropObligation(ctx context.Context, key frontline.ObligationKey, events ...frontline.Event) (bool, error) {
	if db.answered.take(key) {
		return false, nil
	}
	data, err := encodeEvents(events)
	if err != nil {
		return false, err
	}
	var n int
	if err := db.pool.QueryRow(ctx, dropSQL, key.ConversationID, key.Seq, data).Scan(&n); err != nil {
		return false, fmt.Errorf("drop obligation: %w", err)
	}
	return n > 0, nil
}

// Owed implements frontline.Obligations.
func (db *DB) Owed() <-chan struct{} { return db.owed }

func (db *DB) signalOwed() {
	select {
	case db.owed <- struct{}{}:
	default:
	}
}

// answeredSet remembers for a while the obligations this node's replies
// ended. Two generations of answeredTTL: an entry nobody takes (the
// responder failed after its reply) is forgotten within two.
type answeredSet struct {
	mu       sync.Mutex
	cur, old map[frontline.ObligationKey]struct{}
	rotated  time.Time
}

const answeredTTL = time.Minute

func (a *answeredSet) add(k frontline.ObligationKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if now := time.Now(); now.Sub(a.rotated) >= answeredTTL || a.cur == nil {
		a.old, a.cur, a.rotated = a.cur, map[frontline.ObligationKey]struct{}{}, now
	}
	a.cur[k] = struct{}{}
}

func (a *answeredSet) take(k frontline.ObligationKey) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.cur[k]; ok {
		delete(a.cur, k)
		return true
	}
	if _, ok := a.old[k]; ok {
		delete(a.old, k)
		return true
	}
	return false
}
