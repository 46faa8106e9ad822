package postgres_test

import (
	"testing"

	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/authtest"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

func TestAuthConformance(t *testing.T) {
	t.Parallel()
	authtest.RunTests(t, func(t *testing.T) auth.Store { return postgres.NewAuthStore(pgtest.NewDB(t)) })
}
