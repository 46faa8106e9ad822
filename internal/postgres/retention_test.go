package postgres_test

import (
	"context"
	"testing"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
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
