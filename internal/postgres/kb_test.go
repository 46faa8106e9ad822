package postgres_test

import (
	"testing"

	"github.com/frontlinehq/frontline/internal/kbtest"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
)

func TestKBStore(t *testing.T) {
	t.Parallel()
	kbtest.RunTests(t, func(t *testing.T) kb.Store { return postgres.NewKBStore(pgtest.NewDB(t)) })
}
