package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/retention"
	"github.com/frontlinehq/frontline/internal/storetest"
)

func TestRetentionConformance(t *testing.T) {
	t.Parallel()
	storetest.RunRetentionTests(t, func(t *testing.T) storetest.RetentionStores {
		db := pgtest.NewDB(t)
		return storetest.RetentionStores{Log: db, Queue: postgres.NewHandoffStore(db), KB: postgres.NewKBStore(db), Purger: db,
			Timers: func(t *testing.T, id string) int {
				n, err := db.SLATimersOf(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}}
	})
}

// The retention job is a River periodic job: of two nodes, the leader
// inserts it (once per period, unique by period), one of them runs it, and
// it deletes the old conversation and leaves the recent one.
func TestRetentionRunsOnceAsPeriodicJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, schema := pgtest.NewUnmigratedDB(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	old := storetest.MustCreateConversation(t, db, "v_old")
	storetest.MustAppend(t, db, frontline.Message{ConversationID: old.ID, Author: frontline.AuthorCustomer, AuthorID: "v_old", Body: "hello"})
	for _, stmt := range []string{
		`UPDATE conversations SET updated_at = now() - interval '40 days' WHERE id = $1`,
		`UPDATE events SET created_at = now() - interval '40 days' WHERE conversation_id = $1`,
	} {
		if _, err := db.Pool().Exec(ctx, stmt, old.ID); err != nil {
			t.Fatal(err)
		}
	}
	recent := storetest.MustCreateConversation(t, db, "v_recent")

	var runs atomic.Int32
	policy := retention.Days(30)
	for i := range 2 {
		node := db
		if i == 1 {
			node = pgtest.OpenSchema(t, schema)
			t.Cleanup(node.Close)
		}
		r := postgres.NewTimerRunner(node, postgres.TimerOptions{Periodic: []postgres.Periodic{{Name: "retention", Every: time.Hour,
			Run: func(ctx context.Context) error {
				runs.Add(1)
				_, err := policy.Sweep(ctx, node)
				return err
			}}}})
		if err := r.Start(ctx, func(context.Context, handoff.Timer) error { return nil }); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Stop(context.Background()) })
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := db.FindConversationByID(ctx, old.ID)
		if frontline.ErrorCode(err) == frontline.ENotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the retention job never deleted the old conversation (runs: %d, last: %v)", runs.Load(), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := db.FindConversationByID(ctx, recent.ID); err != nil {
		t.Errorf("the recent conversation: %v", err)
	}
	var jobs int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'frontline_periodic'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 || runs.Load() != 1 {
		t.Errorf("the job was inserted %d times and ran %d times for one period on two nodes, want once", jobs, runs.Load())
	}
}
