package postgres_test

import (
	"context"
	"testing"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/internal/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.RunTests(t, func(t *testing.T) storetest.Store {
		db := pgtest.NewDB(t)
		bus := postgres.NewBus(db)
		if err := bus.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(bus.Close)
		return storetest.Store{Log: db, Bus: bus}
	})
}
