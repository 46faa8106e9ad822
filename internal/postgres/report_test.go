package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontlinehq/frontline/internal/handofftest"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

func TestReportConformance(t *testing.T) {
	t.Parallel()
	handofftest.RunReportTests(t, func(t *testing.T) handofftest.ReportStore {
		db := pgtest.NewDB(t)
		exec := func(t *testing.T, sql string, args ...any) {
			t.Helper()
			tag, err := db.Pool().Exec(context.Background(), sql, args...)
			if err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("%s: %v (%d rows)", sql, err, tag.RowsAffected())
			}
		}
		return handofftest.ReportStore{Log: db, Reports: postgres.NewReportStore(db),
			SetEventTime: func(t *testing.T, id int64, at time.Time) {
				exec(t, "UPDATE events SET created_at = $2 WHERE id = $1", id, at)
			},
			SetMessageTime: func(t *testing.T, conv string, seq int64, at time.Time) {
				exec(t, "UPDATE messages SET created_at = $3 WHERE conversation_id = $1 AND seq = $2", conv, seq, at)
			},
		}
	})
}
