package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

var _ handoff.Store = (*HandoffStore)(nil)

// HandoffStore is handoff.Store on the handoff_queue table, sharing the
// conversation log's pool so that a queue change, the conversation's status
// and the audit events commit together.
type HandoffStore struct {
	db     *DB
	timers *timerInserter
}

// NewHandoffStore returns the queue store on db. Its SLA timers are River
// jobs in db's schema (see TimerRunner).
func NewHandoffStore(db *DB) *HandoffStore {
	return &HandoffStore{db: db, timers: newTimerInserter(db)}
}

const queueColumns = `id, conversation_id, tier, team, priority, status, assignee_id, enqueued_at, due_at, packet, state`

// queueState is handoff_queue.state: the entry's fields beyond routing.
type queueState struct {
	AssigneeName string    `json:"assignee_name,omitempty"`
	AssignedAt   time.Time `json:"assigned_at,omitzero"`
	RespondedAt  time.Time `json:"responded_at,omitzero"`
	LastReplyAt  time.Time `json:"last_reply_at,omitzero"`
	NextDueAt    time.Time `json:"next_due_at,omitzero"`
	ResolveDueAt time.Time `json:"resolve_due_at,omitzero"`
	ResolvedAt   time.Time `json:"resolved_at,omitzero"`
	Tags         []string  `json:"tags,omitempty"`
	Warned       []string  `json:"warned,omitempty"`
	Breached     []string  `json:"breached,omitempty"`
	Declined     []string  `json:"declined,omitempty"`
	Epoch        int64     `json:"epoch"`
}

func stateOf(e *frontline.QueueEntry) queueState {
	return queueState{AssigneeName: e.AssigneeName, AssignedAt: e.AssignedAt, RespondedAt: e.RespondedAt,
		LastReplyAt: e.LastReplyAt, NextDueAt: e.NextDueAt, ResolveDueAt: e.ResolveDueAt, ResolvedAt: e.ResolvedAt,
		Tags: e.Tags, Warned: e.Warned, Breached: e.Breached, Declined: e.Declined, Epoch: e.Epoch}
}

func (st *queueState) fill(e *frontline.QueueEntry) {
	u := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.UTC()
	}
	e.AssigneeName, e.AssignedAt, e.RespondedAt, e.LastReplyAt = st.AssigneeName, u(st.AssignedAt), u(st.RespondedAt), u(st.LastReplyAt)
	e.NextDueAt, e.ResolveDueAt, e.ResolvedAt = u(st.NextDueAt), u(st.ResolveDueAt), u(st.ResolvedAt)
	e.Tags, e.Warned, e.Breached, e.Declined, e.Epoch = st.Tags, st.Warned, st.Breached, st.Declined, st.Epoch
}

// queueOrderSQL is handoff.QueueOrder with the insertion tie-break.
const queueOrderSQL = `priority_rank DESC, due_at, enqueued_at, id`

// scanQueueEntry scans queueColumns, then extra columns into extra.
func scanQueueEntry(row pgx.Row, extra ...any) (*frontline.QueueEntry, int64, error) {
	var e frontline.QueueEntry
	var id int64
	var packet, state []byte
	err := row.Scan(append([]any{&id, &e.ConversationID, &e.Tier, &e.Team, &e.Priority, &e.Status, &e.AssigneeID,
		&e.EnqueuedAt, &e.DueAt, &packet, &state}, extra...)...)
	if err != nil {
		return nil, 0, err
	}
	if err := json.Unmarshal(packet, &e.Packet); err != nil {
		return nil, 0, fmt.Errorf("decode packet of %s: %w", e.ConversationID, err)
	}
	var st queueState
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, 0, fmt.Errorf("decode state of %s: %w", e.ConversationID, err)
	}
	st.fill(&e)
	e.EnqueuedAt, e.DueAt = e.EnqueuedAt.UTC(), e.DueAt.UTC()
	e.Packet.CreatedAt = e.Packet.CreatedAt.UTC()
	return &e, id, nil
}

func neverQueued(id string) error {
	return frontline.Errorf(frontline.ENotFound, "conversation %s was never handed off", id)
}

// lockConversation takes the conversation's row lock, the first lock of
// every queue change (as of every append), so they never deadlock. It
// returns the conversation's last seq: queue events are about the
// conversation as of that message.
func lockConversation(ctx context.Context, tx pgx.Tx, id string) (lastSeq int64, err error) {
	err = tx.QueryRow(ctx, `SELECT last_seq FROM conversations WHERE id = $1 FOR UPDATE`, id).Scan(&lastSeq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, notFound(id)
	}
	return lastSeq, err
}

// Enqueue implements handoff.Store.
func (s *HandoffStore) Enqueue(ctx context.Context, e *frontline.QueueEntry, events []frontline.Event, timers []handoff.Timer, offer handoff.ClaimPlan) (*frontline.QueueEntry, bool, error) {
	packet, err := json.Marshal(e.Packet)
	if err != nil {
		return nil, false, fmt.Errorf("enqueue: encode packet: %w", err)
	}
	state, err := json.Marshal(stateOf(e))
	if err != nil {
		return nil, false, fmt.Errorf("enqueue: encode state: %w", err)
	}
	var (
		out     *frontline.QueueEntry
		created bool
		queueID int64
	)
	err = s.db.withTx(ctx, func(tx pgx.Tx) error {
		lastSeq, err := lockConversation(ctx, tx, e.ConversationID)
		if err != nil {
			return err
		}
		existing, _, err := scanQueueEntry(tx.QueryRow(ctx, `SELECT `+queueColumns+` FROM handoff_queue WHERE conversation_id = $1`, e.ConversationID))
		switch {
		case err == nil && existing.Status != frontline.QueueResolved:
			out = existing
			return nil
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		// New, or back in line after an earlier hand-off was resolved:
		// the replaced row takes a new id so it queues behind.
		stored, id, err := scanQueueEntry(tx.QueryRow(ctx, `
			INSERT INTO handoff_queue (conversation_id, tier, team, priority, status, assignee_id, enqueued_at, due_at, packet, state)
			VALUES ($1, $2, $3, $4, 'waiting', '', $5, $6, $7, $8)
			ON CONFLICT (conversation_id) DO UPDATE SET
				id = DEFAULT, tier = excluded.tier, team = excluded.team, priority = excluded.priority,
				status = 'waiting', assignee_id = '', enqueued_at = excluded.enqueued_at,
				due_at = excluded.due_at, assigned_at = NULL, resolved_at = NULL, packet = excluded.packet,
				state = excluded.state
			RETURNING `+queueColumns,
			e.ConversationID, e.Tier, e.Team, e.Priority, e.EnqueuedAt, e.DueAt, packet, state))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET status = 'queued', assignee_id = '',
			private = private OR $2, updated_at = now() WHERE id = $1`, e.ConversationID, e.Packet.Private); err != nil {
			return err
		}
		if _, err := insertEvents(ctx, tx, e.ConversationID, lastSeq, events); err != nil {
			return err
		}
		if err := s.timers.insert(ctx, tx, timers); err != nil {
			return err
		}
		out, created, queueID = stored, true, id
		if offer == nil {
			return nil
		}
		var others bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM handoff_queue WHERE status = 'waiting'
			AND tier = $1 AND team = $2 AND conversation_id <> $3)`, e.Tier, e.Team, e.ConversationID).Scan(&others); err != nil || others {
			return err // others wait ahead: Offer places them in order
		}
		placed, err := s.placeInTx(ctx, tx, stored, lastSeq, offer)
		if placed != nil {
			out = placed
		}
		return err
	})
	if err != nil {
		return nil, false, wrapInternal("enqueue", err)
	}
	if created {
		// After the commit (see notifier): NOTIFY inside it would
		// serialise hand-offs' commits.
		s.db.notify.wake(frontline.TopicQueue, queueID)
	}
	return out, created, nil
}

// FindQueueEntry implements handoff.Store.
func (s *HandoffStore) FindQueueEntry(ctx context.Context, conversationID string) (*frontline.QueueEntry, error) {
	e, _, err := scanQueueEntry(s.db.pool.QueryRow(ctx, `SELECT `+queueColumns+` FROM handoff_queue WHERE conversation_id = $1`, conversationID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, neverQueued(conversationID)
	}
	if err != nil {
		return nil, fmt.Errorf("find queue entry: %w", err)
	}
	return e, nil
}

// QueueRank implements handoff.Store: the position counts the waiting
// entries of the same tier and team at or before this one in queue order.
func (s *HandoffStore) QueueRank(ctx context.Context, conversationID string) (*frontline.QueueEntry, int, error) {
	// Every waiting customer asks this on every queue change: leave the
	// packet (transcript and all) in the table.
	row := s.db.pool.QueryRow(ctx, `
		SELECT q.conversation_id, q.tier, q.team, q.priority, q.status, q.assignee_id, q.enqueued_at, q.due_at, q.state,
			CASE WHEN q.status = 'waiting' THEN (
				SELECT count(*) FROM handoff_queue o
				WHERE o.status = 'waiting' AND o.tier = q.tier AND o.team = q.team
				  AND (o.priority_rank > q.priority_rank
				       OR o.priority_rank = q.priority_rank
				          AND (o.due_at, o.enqueued_at, o.id) <= (q.due_at, q.enqueued_at, q.id))
			) ELSE 0 END
		FROM handoff_queue q WHERE q.conversation_id = $1`, conversationID)
	var e frontline.QueueEntry
	var pos int64
	var st queueState
	err := row.Scan(&e.ConversationID, &e.Tier, &e.Team, &e.Priority, &e.Status, &e.AssigneeID,
		&e.EnqueuedAt, &e.DueAt, &st, &pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, neverQueued(conversationID)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("queue rank: %w", err)
	}
	st.fill(&e)
	e.EnqueuedAt, e.DueAt = e.EnqueuedAt.UTC(), e.DueAt.UTC()
	return &e, int(pos), nil
}

// WaitingPlaces implements handoff.Store with one ordered scan of the
// waiting entries, in the order of the partial index handoff_queue_waiting.
func (s *HandoffStore) WaitingPlaces(ctx context.Context) (map[string]handoff.WaitingPlace, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT conversation_id, tier, team, row_number() OVER (PARTITION BY tier, team
			ORDER BY priority_rank DESC, due_at, enqueued_at, id)
		FROM handoff_queue WHERE status = 'waiting'`)
	if err != nil {
		return nil, fmt.Errorf("waiting places: %w", err)
	}
	places := make(map[string]handoff.WaitingPlace)
	var id, team string
	var tier frontline.Tier
	var place int64
	_, err = pgx.ForEachRow(rows, []any{&id, &tier, &team, &place}, func() error {
		places[id] = handoff.WaitingPlace{Place: int(place), Tier: tier, Team: team}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting places: %w", err)
	}
	return places, nil
}

func prefixColumns(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = prefix + p
	}
	return strings.Join(parts, ", ")
}

// FindQueueEntries implements handoff.Store.
func (s *HandoffStore) FindQueueEntries(ctx context.Context, f handoff.QueueFilter) ([]*frontline.QueueEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	where = append(where, "true")
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Tier != "" {
		add("tier = ?", f.Tier)
	}
	if f.Team != "" {
		add("team = ?", f.Team)
	}
	if !f.Since.IsZero() {
		add("enqueued_at >= ?", f.Since)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = frontline.DefaultListLimit
	}
	args = append(args, limit)
	rows, err := s.db.pool.Query(ctx, `SELECT `+queueColumns+` FROM handoff_queue WHERE `+
		strings.Join(where, " AND ")+` ORDER BY `+queueOrderSQL+` LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("find queue entries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*frontline.QueueEntry, error) {
		e, _, err := scanQueueEntry(r)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("find queue entries: %w", err)
	}
	return out, nil
}

// lockEntry locks the conversation, then its queue row, and returns it with
// the conversation's last seq.
func (s *HandoffStore) lockEntry(ctx context.Context, tx pgx.Tx, conversationID string) (*frontline.QueueEntry, int64, error) {
	lastSeq, err := lockConversation(ctx, tx, conversationID)
	if err != nil {
		return nil, 0, err
	}
	e, _, err := scanQueueEntry(tx.QueryRow(ctx, `SELECT `+queueColumns+` FROM handoff_queue
		WHERE conversation_id = $1 FOR UPDATE`, conversationID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, neverQueued(conversationID)
	}
	return e, lastSeq, err
}
