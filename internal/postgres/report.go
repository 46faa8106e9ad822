package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline/handoff"
)

var _ handoff.ReportStore = (*ReportStore)(nil)

// ReportStore computes handoff reports in SQL over the conversation log's
// events and messages.
type ReportStore struct{ db *DB }

// NewReportStore returns the reports of db's log.
func NewReportStore(db *DB) *ReportStore { return &ReportStore{db: db} }

// Each hand-off in the period with its day, severity and the signal kinds
// recorded in its conversation since the hand-off before it.
const reportHandoffsSQL = `
WITH h AS (
    SELECT e.id, e.conversation_id, e.created_at,
           coalesce(nullif(e.data->>'severity', ''), 'none') AS severity,
           coalesce((SELECT max(p.id) FROM events p
                     WHERE p.conversation_id = e.conversation_id AND p.kind = 'handoff' AND p.id < e.id), 0) AS prev_id
    FROM events e
    WHERE e.kind = 'handoff' AND e.created_at >= $1 AND e.created_at < $2
)
SELECT to_char(h.created_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day, h.severity,
       coalesce((SELECT array_agg(DISTINCT s.data->>'kind' ORDER BY s.data->>'kind') FROM events s
                 WHERE s.conversation_id = h.conversation_id AND s.kind = 'signal'
                   AND s.id < h.id AND s.id > h.prev_id AND coalesce(s.data->>'kind', '') <> ''), '{}') AS reasons
FROM h ORDER BY h.id`

// First response: each hand-off in the period to the first agent message
// at or after it; resolution: to the first resolution event after it.
const reportTimesSQL = `
WITH h AS (
    SELECT e.id, e.conversation_id, e.created_at FROM events e
    WHERE e.kind = 'handoff' AND e.created_at >= $1 AND e.created_at < $2
), fr AS (
    SELECT extract(epoch FROM (SELECT min(m.created_at) FROM messages m
        WHERE m.conversation_id = h.conversation_id AND m.author = 'agent' AND m.created_at >= h.created_at) - h.created_at) AS s
    FROM h
), rs AS (
    SELECT extract(epoch FROM (SELECT r.created_at FROM events r
        WHERE r.conversation_id = h.conversation_id AND r.kind = 'resolution' AND r.id > h.id ORDER BY r.id LIMIT 1) - h.created_at) AS s
    FROM h
)
SELECT (SELECT count(s) FROM fr),
       coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM fr WHERE s IS NOT NULL), 0),
       coalesce((SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY s) FROM fr WHERE s IS NOT NULL), 0),
       (SELECT count(s) FROM rs),
       coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM rs WHERE s IS NOT NULL), 0),
       coalesce((SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY s) FROM rs WHERE s IS NOT NULL), 0)`

const reportBreachesSQL = `
SELECT coalesce(data->>'target', ''), count(*) FROM events
WHERE kind = 'sla.breach' AND created_at >= $1 AND created_at < $2
GROUP BY 1`

const reportCSATSQL = `
SELECT (data->>'rating')::numeric::int, count(*) FROM events
WHERE kind = 'csat' AND created_at >= $1 AND created_at < $2
  AND jsonb_typeof(data->'rating') = 'number' AND (data->>'rating')::numeric BETWEEN 1 AND 5
  AND (data->>'rating')::numeric = trunc((data->>'rating')::numeric)
GROUP BY 1`

// Conversations started in the period, and those of them never handed off.
const reportDeflectionSQL = `
SELECT count(DISTINCT s.conversation_id),
       count(DISTINCT s.conversation_id) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM events h WHERE h.conversation_id = s.conversation_id AND h.kind = 'handoff'))
FROM events s
WHERE s.kind = 'conversation.started' AND s.created_at >= $1 AND s.created_at < $2`

// The bot's searches that found no confident answer, by question.
const reportUnansweredSQL = `
SELECT lower(btrim(data->>'question')) AS q, count(*), max(created_at) FROM events
WHERE kind = 'kb.search' AND created_at >= $1 AND created_at < $2
  AND (data->>'abstained')::boolean AND btrim(coalesce(data->>'question', '')) <> ''
GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1 LIMIT $3`

// Report implements handoff.ReportStore: every figure in SQL, in one
// repeatable-read transaction so they agree with each other.
func (s *ReportStore) Report(ctx context.Context, f handoff.ReportFilter) (*handoff.Report, error) {
	if err := handoff.ValidateReportFilter(&f); err != nil {
		return nil, err
	}
	rep := handoff.NewReport(f)
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("postgres: report: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	from, to := f.From.UTC(), f.To.UTC()

	rows, err := tx.Query(ctx, reportHandoffsSQL, from, to, f.Location.String())
	if err != nil {
		return nil, fmt.Errorf("postgres: report hand-offs: %w", err)
	}
	var (
		day, sev string
		reasons  []string
	)
	_, err = pgx.ForEachRow(rows, []any{&day, &sev, &reasons}, func() error {
		rep.CountHandoff(day, sev, reasons)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: report hand-offs: %w", err)
	}

	err = tx.QueryRow(ctx, reportTimesSQL, from, to).Scan(&rep.FirstResponse.Count, &rep.FirstResponse.P50, &rep.FirstResponse.P90,
		&rep.Resolution.Count, &rep.Resolution.P50, &rep.Resolution.P90)
	if err != nil {
		return nil, fmt.Errorf("postgres: report times: %w", err)
	}

	var (
		key string
		n   int
	)
	rows, _ = tx.Query(ctx, reportBreachesSQL, from, to)
	if _, err = pgx.ForEachRow(rows, []any{&key, &n}, func() error { rep.SLABreaches[key] += n; return nil }); err != nil {
		return nil, fmt.Errorf("postgres: report breaches: %w", err)
	}

	var rating int
	rows, _ = tx.Query(ctx, reportCSATSQL, from, to)
	if _, err = pgx.ForEachRow(rows, []any{&rating, &n}, func() error { rep.CSAT.Ratings[rating-1] += n; return nil }); err != nil {
		return nil, fmt.Errorf("postgres: report csat: %w", err)
	}

	if err := tx.QueryRow(ctx, reportDeflectionSQL, from, to).Scan(&rep.Conversations, &rep.Deflected); err != nil {
		return nil, fmt.Errorf("postgres: report deflection: %w", err)
	}
	rep.Finish()

	var q handoff.QuestionCount
	rows, _ = tx.Query(ctx, reportUnansweredSQL, from, to, f.Questions)
	if _, err = pgx.ForEachRow(rows, []any{&q.Question, &q.Count, &q.LastAt}, func() error {
		q.LastAt = q.LastAt.UTC()
		rep.Unanswered = append(rep.Unanswered, q)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: report unanswered: %w", err)
	}
	return rep, nil
}
