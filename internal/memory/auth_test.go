package memory_test

import (
	"testing"

	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/authtest"
	"github.com/frontlinehq/frontline/internal/memory"
)

func TestAuthConformance(t *testing.T) {
	t.Parallel()
	authtest.RunTests(t, func(t *testing.T) auth.Store { return memory.NewAuthStore() })
}
