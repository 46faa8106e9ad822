package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/frontlinehq/frontline"
)

const messageColumns = `conversation_id, seq, coalesce(client_msg_id, ''), author, author_id, author_name, body, meta, created_at`

func scanMessage(row pgx.Row) (frontline.Message, error) {
	var m frontline.Message
	err := row.Scan(&m.ConversationID, &m.Seq, &m.ClientMsgID, &m.Author, &m.AuthorID,
		&m.AuthorName, &m.Body, &m.Meta, &m.CreatedAt)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

// The append statement appends a message in one statement (one round
// trip, its own commit): lock the conversation row, refuse the bot while a
// human owns the thread, insert with the next seq unless the client message
// id is stored already (ON CONFLICT: then the caller reads it back), bump
// last_seq and record the events, all or nothing. The row lock serialises
// appends per conversation, so seq has no gaps. The bus wake-up follows
// the commit (see notifier).
//
// A customer message is inserted with the bot's obligation to answer it (a
// bot_obligations row): it costs no statement of its own. A reply that
// answers one (AppendRequest.Answers) locks that obligation, is inserted
// only while it is still owed, and deletes it in the same statement.
//
// With the owner parameter (a visitor id) set, the conversation must be
// that visitor's on the site parameter's site, or nothing is written (an
// AppendRequest.Start).
//
// Variants with and without events and answers, since most appends carry
// neither and each step costs every append otherwise. Parameters: $1-$7
// the message, then the events (when withEvents), owner, site, and the
// answered seq (when answers).
var appendStatements [4]string

func init() {
	for i := range appendStatements {
		appendStatements[i] = appendStatement(i&1 != 0, i&2 != 0)
	}
}

func appendStatementFor(withEvents, answers bool) string {
	i := 0
	if withEvents {
		i |= 1
	}
	if answers {
		i |= 2
	}
	return appendStatements[i]
}

func appendStatement(withEvents, answers bool) string {
	n := 7
	param := func() string { n++; return fmt.Sprintf("$%d", n) }
	events := ""
	if withEvents {
		events = `, ev AS (
	INSERT INTO events (conversation_id, kind, actor, seq, data)
	SELECT $1, e.j->>'kind', coalesce(e.j->>'actor', ''), coalesce(nullif((e.j->>'seq')::bigint, 0), ins.seq), nullif(e.j->'data', 'null')
	FROM ins, jsonb_array_elements(` + param() + `::jsonb) WITH ORDINALITY AS e(j, n)
	ORDER BY e.n
)`
	}
	owner, site := param(), param()
	owed, ifOwed, done, owedOut := "", "", "", "true"
	if answers {
		a := param() + "::bigint"
		owed = `
), owed AS (
	SELECT o.seq FROM bot_obligations o, conv
	WHERE o.conversation_id = conv.id AND o.seq = ` + a + `
	FOR UPDATE OF o`
		ifOwed = ` AND EXISTS (SELECT 1 FROM owed)`
		done = `, done AS (
	DELETE FROM bot_obligations o USING ins WHERE o.conversation_id = $1 AND o.seq = ` + a + `
)`
		owedOut = `EXISTS (SELECT 1 FROM owed)`
	}
	return `
WITH conv AS (
	SELECT id, last_seq, status, (` + owner + `::text IS NULL OR visitor_id = ` + owner + ` AND site_key = ` + site + `) AS theirs
	FROM conversations WHERE id = $1 FOR NO KEY UPDATE` + owed + `
), ins AS (
	INSERT INTO messages (conversation_id, seq, client_msg_id, author, author_id, author_name, body, meta)
	SELECT conv.id, conv.last_seq + 1, $2, $3, $4, $5, $6, $7 FROM conv
	WHERE conv.theirs AND ($3 <> 'bot' OR conv.status <> 'assigned')` + ifOwed + `
	ON CONFLICT (conversation_id, client_msg_id) DO NOTHING
	RETURNING seq, created_at
), bump AS (
	UPDATE conversations SET last_seq = ins.seq, updated_at = ins.created_at FROM ins WHERE conversations.id = $1
), owes AS (
	INSERT INTO bot_obligations (conversation_id, seq) SELECT $1, ins.seq FROM ins WHERE $3 = 'customer'
)` + events + done + `
SELECT conv.status, conv.theirs, ins.seq, ins.created_at, ` + owedOut + ` FROM conv LEFT JOIN ins ON true`
}

// startSQL creates an AppendRequest.Start conversation unless it exists;
// it runs in the same implicit transaction as appendSQL (one batch).
const startSQL = `
WITH c AS (
	INSERT INTO conversations (id, site_key, visitor_id, customer_id, status, private, profile)
	VALUES ($1, $2, $3, $4, 'bot', $5, $6)
	ON CONFLICT (id) DO NOTHING
	RETURNING id, visitor_id
), e AS (
	INSERT INTO events (conversation_id, kind, actor) SELECT id, $7, visitor_id FROM c
)
SELECT count(*) FROM c`

// AppendMessage implements frontline.Log.
func (db *DB) AppendMessage(ctx context.Context, req frontline.AppendRequest) (frontline.AppendResult, error) {
	m := req.Message
	if err := frontline.ValidateMessage(&m); err != nil {
		return frontline.AppendResult{}, err
	}
	events, err := encodeEvents(req.Events)
	if err != nil {
		return frontline.AppendResult{}, err
	}
	if err := req.PrepareStart(); err != nil {
		return frontline.AppendResult{}, err
	}
	var clientID *string
	if m.ClientMsgID != "" {
		clientID = &m.ClientMsgID
	}
	var (
		owner, site *string
		status      frontline.ConversationStatus
		theirs      bool
		insSeq      *int64
		createdAt   *time.Time
		started     int64
		owed        bool
	)
	if c := req.Start; c != nil {
		owner, site = &c.VisitorID, &c.SiteKey
	}
	if req.Answers < 0 {
		return frontline.AppendResult{}, frontline.Errorf(frontline.EInvalid, "answers: seq %d", req.Answers)
	}
	statement := appendStatementFor(len(req.Events) > 0, req.Answers > 0)
	args := []any{m.ConversationID, clientID, m.Author, m.AuthorID, m.AuthorName, m.Body, m.Meta}
	if len(req.Events) > 0 {
		args = append(args, events)
	}
	args = append(args, owner, site)
	if req.Answers > 0 {
		args = append(args, req.Answers)
	}
	if c := req.Start; c == nil {
		err = db.pool.QueryRow(ctx, statement, args...).Scan(&status, &theirs, &insSeq, &createdAt, &owed)
	} else {
		// One round trip and one commit: a batch is one implicit transaction.
		profile := c.Profile
		if profile == nil {
			profile = map[string]string{}
		}
		b := &pgx.Batch{}
		b.Queue(startSQL, c.ID, c.SiteKey, c.VisitorID, c.CustomerID, c.Private, profile,
			frontline.EventConversationStarted).QueryRow(func(r pgx.Row) error { return r.Scan(&started) })
		b.Queue(statement, args...).QueryRow(func(r pgx.Row) error {
			return r.Scan(&status, &theirs, &insSeq, &createdAt, &owed)
		})
		err = db.pool.SendBatch(ctx, b).Close()
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return frontline.AppendResult{}, notFound(m.ConversationID)
	case err != nil:
		return frontline.AppendResult{}, fmt.Errorf("append message: %w", err)
	case !theirs:
		return frontline.AppendResult{}, frontline.ErrNotTheirs
	case insSeq == nil:
		// Stored before under this client id (ON CONFLICT), nothing owed
		// to the message it answers, or the bot refused while a human
		// owns the thread.
		if m.ClientMsgID != "" {
			res, err := db.readDuplicate(ctx, m)
			if !errors.Is(err, pgx.ErrNoRows) {
				return res, err
			}
		}
		if !owed {
			return frontline.AppendResult{}, frontline.ErrNotOwed
		}
		if m.Author == frontline.AuthorBot && !status.BotMaySend() {
			return frontline.AppendResult{}, frontline.ErrHumanOwns
		}
		return frontline.AppendResult{}, fmt.Errorf("append message: nothing stored in %s", m.ConversationID)
	}
	m.Seq = *insSeq
	m.CreatedAt = createdAt.UTC()
	if req.Answers > 0 {
		db.answered.add(frontline.ObligationKey{ConversationID: m.ConversationID, Seq: req.Answers})
	}
	db.recent.put(m) // before the wake-up, so the woken readers find it
	db.notify.wake(frontline.ConversationTopic(m.ConversationID), m.Seq)
	if m.Author == frontline.AuthorCustomer {
		db.signalOwed()
	}
	return frontline.AppendResult{Message: m, Started: started > 0}, nil
}

func (db *DB) readDuplicate(ctx context.Context, m frontline.Message) (frontline.AppendResult, error) {
	got, err := scanMessage(db.pool.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = $1 AND client_msg_id = $2`, m.ConversationID, m.ClientMsgID))
	if err != nil {
		return frontline.AppendResult{}, fmt.Errorf("append message: read duplicate: %w", err)
	}
	return frontline.AppendResult{Message: got, Duplicate: true}, nil
}

// readMessagesSQL reads a page through the conversation's row: an
// unknown conversation gives no row, an empty page one row of NULLs, so
// telling them apart costs no second statement.
const readMessagesSQL = `SELECT m.conversation_id, m.seq, coalesce(m.client_msg_id, ''), m.author, m.author_id, m.author_name, m.body, m.meta, m.created_at
	FROM conversations c
	LEFT JOIN LATERAL (SELECT * FROM messages WHERE conversation_id = c.id AND seq > $2 ORDER BY seq LIMIT $3) m ON true
	WHERE c.id = $1
	ORDER BY m.seq`

// ReadMessages implements frontline.Log.
func (db *DB) ReadMessages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]frontline.Message, error) {
	if limit <= 0 {
		limit = frontline.DefaultListLimit
	}
	rows, err := db.pool.Query(ctx, readMessagesSQL, conversationID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	found := false
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*frontline.Message, error) {
		found = true
		var (
			m                                                  frontline.Message
			seq                                                *int64
			conv, clientID, author, authorID, authorName, body *string
			meta                                               *frontline.MessageMeta
			createdAt                                          *time.Time
		)
		if err := r.Scan(&conv, &seq, &clientID, &author, &authorID, &authorName, &body, &meta, &createdAt); err != nil || seq == nil {
			return nil, err // seq NULL: the conversation, with no message after afterSeq
		}
		m.ConversationID, m.Seq, m.ClientMsgID, m.Author, m.AuthorID, m.AuthorName, m.Body = *conv, *seq, *clientID, frontline.Author(*author), *authorID, *authorName, *body
		if meta != nil {
			m.Meta = *meta
		}
		m.CreatedAt = createdAt.UTC()
		return &m, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	if !found {
		return nil, notFound(conversationID)
	}
	msgs := make([]frontline.Message, 0, len(out))
	for _, m := range out {
		if m != nil {
			msgs = append(msgs, *m)
		}
	}
	return msgs, nil
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}
