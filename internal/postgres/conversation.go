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
)

const conversationColumns = `id, site_key, visitor_id, customer_id, status, private, assignee_id, last_seq, profile, created_at, updated_at`

func scanConversation(row pgx.Row) (*frontline.Conversation, error) {
	var c frontline.Conversation
	var profile map[string]string
	err := row.Scan(&c.ID, &c.SiteKey, &c.VisitorID, &c.CustomerID, &c.Status, &c.Private,
		&c.AssigneeID, &c.LastSeq, &profile, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if len(profile) > 0 {
		c.Profile = profile
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

func notFound(id string) error {
	return frontline.Errorf(frontline.ENotFound, "conversation %s not found", id)
}

// CreateConversation implements frontline.Log.
func (db *DB) CreateConversation(ctx context.Context, c *frontline.Conversation) error {
	if c.VisitorID == "" {
		return frontline.Errorf(frontline.EInvalid, "conversation needs a visitor id")
	}
	if c.ID != "" && !frontline.ValidID(c.ID) {
		return frontline.Errorf(frontline.EInvalid, "invalid conversation id")
	}
	if c.Status != "" && !c.Status.Valid() {
		return frontline.Errorf(frontline.EInvalid, "unknown conversation status %q", c.Status)
	}
	if c.ID == "" {
		c.ID = frontline.NewID("c_")
	}
	if c.Status == "" {
		c.Status = frontline.StatusBot
	}
	profile := c.Profile
	if profile == nil {
		profile = map[string]string{}
	}
	row := db.pool.QueryRow(ctx, `
		WITH c AS (
			INSERT INTO conversations (id, site_key, visitor_id, customer_id, status, private, assignee_id, profile)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			RETURNING `+conversationColumns+`
		), e AS (
			INSERT INTO events (conversation_id, kind, actor) SELECT id, $9, visitor_id FROM c
		)
		SELECT `+conversationColumns+` FROM c`,
		c.ID, c.SiteKey, c.VisitorID, c.CustomerID, c.Status, c.Private, c.AssigneeID, profile,
		frontline.EventConversationStarted)
	stored, err := scanConversation(row)
	if IsUniqueViolation(err, "conversations_pkey") {
		return frontline.Errorf(frontline.EConflict, "conversation %s already exists", c.ID)
	}
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	*c = *stored
	return nil
}

// FindConversationByID implements frontline.Log.
func (db *DB) FindConversationByID(ctx context.Context, id string) (*frontline.Conversation, error) {
	c, err := scanConversation(db.pool.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("find conversation: %w", err)
	}
	return c, nil
}

// FindConversations implements frontline.Log.
func (db *DB) FindConversations(ctx context.Context, f frontline.ConversationFilter) ([]*frontline.Conversation, error) {
	if f.VisitorID == "" && f.CustomerID == "" && len(f.IDs) == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "a conversation listing needs a visitor, customer or ids")
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.VisitorID != "" {
		add("visitor_id = ?", f.VisitorID)
	}
	if f.CustomerID != "" {
		add("customer_id = ?", f.CustomerID)
	}
	if len(f.IDs) > 0 {
		add("id = ANY(?)", f.IDs)
	}
	if f.SiteKey != "" {
		add("site_key = ?", f.SiteKey)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = frontline.DefaultListLimit
	}
	args = append(args, limit)
	rows, err := db.pool.Query(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE `+
		strings.Join(where, " AND ")+` ORDER BY created_at DESC, id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("find conversations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*frontline.Conversation, error) { return scanConversation(r) })
	if err != nil {
		return nil, fmt.Errorf("find conversations: %w", err)
	}
	return out, nil
}

// UpdateConversation implements frontline.Log.
func (db *DB) UpdateConversation(ctx context.Context, id string, upd frontline.ConversationUpdate) (*frontline.Conversation, error) {
	if upd.Status != nil && !upd.Status.Valid() {
		return nil, frontline.Errorf(frontline.EInvalid, "unknown conversation status %q", *upd.Status)
	}
	var profile map[string]string
	if len(upd.Profile) > 0 {
		profile = upd.Profile
	}
	var out *frontline.Conversation
	err := db.withTx(ctx, func(tx pgx.Tx) error {
		c, err := scanConversation(tx.QueryRow(ctx, `
			UPDATE conversations SET
				status      = coalesce($2, status),
				private     = coalesce($3, private),
				assignee_id = coalesce($4, assignee_id),
				profile     = profile || coalesce($5::jsonb, '{}'),
				updated_at  = now()
			WHERE id = $1
			RETURNING `+conversationColumns, id, upd.Status, upd.Private, upd.AssigneeID, profile))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		out = c
		_, err = insertEvents(ctx, tx, id, 0, upd.Events)
		return err
	})
	if err != nil {
		return nil, wrapInternal("update conversation", err)
	}
	return out, nil
}

// wrapInternal prefixes internal errors with the operation and leaves domain
// errors as they are, so their safe messages reach the user unchanged.
func wrapInternal(op string, err error) error {
	var e *frontline.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// eventRow is how events travel to SQL as one jsonb array.
type eventRow struct {
	Kind  frontline.EventKind `json:"kind"`
	Actor string              `json:"actor"`
	Seq   int64               `json:"seq"`
	Data  json.RawMessage     `json:"data"`
}

func encodeEvents(events []frontline.Event) ([]byte, error) {
	rows := make([]eventRow, len(events))
	for i, e := range events {
		e.ConversationID = "x" // the caller's conversation; only the shape is checked here
		if err := frontline.ValidateEvent(&e); err != nil {
			return nil, err
		}
		rows[i] = eventRow{Kind: e.Kind, Actor: e.Actor, Seq: e.Seq, Data: e.Data}
	}
	return json.Marshal(rows)
}

// insertEvents records events for one conversation; seq fills events that
// name none.
func insertEvents(ctx context.Context, tx pgx.Tx, conversationID string, seq int64, events []frontline.Event) ([]frontline.Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	payload, err := encodeEvents(events)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO events (conversation_id, kind, actor, seq, data)
		SELECT $1, e.j->>'kind', coalesce(e.j->>'actor', ''), coalesce(nullif((e.j->>'seq')::bigint, 0), $2), nullif(e.j->'data', 'null')
		FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(j, n)
		ORDER BY e.n
		RETURNING `+eventColumns, conversationID, seq, payload)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanEventRow)
}

const eventColumns = `id, conversation_id, kind, actor, seq, data, created_at`

func scanEventRow(r pgx.CollectableRow) (frontline.Event, error) {
	var e frontline.Event
	var data []byte
	if err := r.Scan(&e.ID, &e.ConversationID, &e.Kind, &e.Actor, &e.Seq, &data, &e.CreatedAt); err != nil {
		return e, err
	}
	if len(data) > 0 {
		e.Data = data
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return e, nil
}

// AppendEvents implements frontline.Log.
func (db *DB) AppendEvents(ctx context.Context, events ...frontline.Event) ([]frontline.Event, error) {
	for _, e := range events {
		if err := frontline.ValidateEvent(&e); err != nil {
			return nil, err
		}
	}
	var out []frontline.Event
	err := db.withTx(ctx, func(tx pgx.Tx) error {
		for _, e := range events {
			got, err := insertEvents(ctx, tx, e.ConversationID, 0, []frontline.Event{e})
			if isForeignKeyViolation(err) {
				return notFound(e.ConversationID)
			}
			if err != nil {
				return err
			}
			out = append(out, got...)
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal("append events", err)
	}
	return out, nil
}

// FindEvents implements frontline.Log.
func (db *DB) FindEvents(ctx context.Context, f frontline.EventFilter) ([]frontline.Event, error) {
	if f.ConversationID == "" && len(f.Kinds) == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "an event listing needs a conversation or kinds")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = frontline.DefaultListLimit
	}
	var kinds []string
	for _, k := range f.Kinds {
		kinds = append(kinds, string(k))
	}
	var since *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	rows, err := db.pool.Query(ctx, `
		SELECT `+eventColumns+` FROM events
		WHERE ($1 = '' OR conversation_id = $1)
		  AND (coalesce(cardinality($2::text[]), 0) = 0 OR kind = ANY($2))
		  AND id > $3
		  AND ($4::timestamptz IS NULL OR created_at >= $4)
		ORDER BY id LIMIT $5`, f.ConversationID, kinds, f.AfterID, since, limit)
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanEventRow)
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	return out, nil
}
