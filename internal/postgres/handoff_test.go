package postgres_test

import (
	"context"
	"testing"

	"github.com/frontlinehq/frontline/internal/handofftest"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

func TestHandoffConformance(t *testing.T) {
	t.Parallel()
	handofftest.RunTests(t, func(t *testing.T) handofftest.Store {
		db := pgtest.NewDB(t)
		bus := postgres.NewBus(db)
		if err := bus.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(bus.Close)
		return handofftest.Store{Log: db, Bus: bus, Queue: postgres.NewHandoffStore(db)}
	})
}
