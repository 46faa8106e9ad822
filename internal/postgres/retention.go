package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
)

var _ frontline.Purger = (*DB)(nil)

// PurgeConversations implements frontline.Purger in one transaction per
// page: the page is read by primary key (a sweep walks the table once,
// and the conversations' updated_at needs no index, which would cost
// every append its HOT update); the doomed rows are locked FOR UPDATE SKIP
// LOCKED (a conversation an append or an event holds is skipped, and the
// lock re-checks its last activity); their messages, events, obligations
// and queue entry go by ON DELETE CASCADE, the KB's question records and
// hand-off marks and the pending SLA timer jobs explicitly.
func (db *DB) PurgeConversations(ctx context.Context, req frontline.PurgeRequest) (frontline.PurgeResult, error) {
	if req.Limit < 1 {
		return frontline.PurgeResult{}, frontline.Errorf(frontline.EInvalid, "purge: limit must be at least 1")
	}
	var res frontline.PurgeResult
	err := db.withTx(ctx, func(tx pgx.Tx) error {
		var page []string
		rows, err := tx.Query(ctx, `SELECT id FROM conversations WHERE id > $1 ORDER BY id LIMIT $2`, req.After, req.Limit)
		if err != nil {
			return err
		}
		if page, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		if len(page) == req.Limit {
			res.Next = page[len(page)-1]
		}
		if len(page) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, `
			SELECT c.id FROM conversations c
			WHERE c.id = ANY($1) AND c.updated_at < $2 AND c.status IN ('bot', 'resolved')
			  AND NOT EXISTS (SELECT 1 FROM events e WHERE e.conversation_id = c.id AND e.created_at >= $2)
			FOR UPDATE OF c SKIP LOCKED`, page, req.Before)
		if err != nil {
			return err
		}
		doomed, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(doomed) == 0 {
			return err
		}
		for _, stmt := range []string{
			`DELETE FROM kb_questions WHERE conversation_id = ANY($1)`,
			`DELETE FROM kb_handoffs WHERE conversation_id = ANY($1)`,
			// A timer being fired is River's to finish: it finds the
			// conversation gone and does nothing.
			`DELETE FROM river_job WHERE kind = '` + (timerArgs{}).Kind() + `' AND state <> 'running' AND args->>'conversation_id' = ANY($1)`,
		} {
			if _, err := tx.Exec(ctx, stmt, doomed); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `DELETE FROM conversations WHERE id = ANY($1)`, doomed)
		if err != nil {
			return err
		}
		res.Deleted = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return frontline.PurgeResult{}, fmt.Errorf("purge conversations: %w", err)
	}
	return res, nil
}

// PurgeCandidates implements frontline.Purger.
func (db *DB) PurgeCandidates(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM kb_candidates WHERE state <> 'accepted' AND updated_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("purge candidates: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// SLATimersOf counts the SLA timer jobs of a conversation that have not
// run (tests of retention).
func (db *DB) SLATimersOf(ctx context.Context, conversationID string) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state <> 'completed' AND args->>'conversation_id' = $2`,
		(timerArgs{}).Kind(), conversationID).Scan(&n)
	return n, err
}
