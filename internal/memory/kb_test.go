package memory_test

import (
	"testing"

	"github.com/frontlinehq/frontline/internal/kbtest"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
)

func TestKBStore(t *testing.T) {
	t.Parallel()
	kbtest.RunTests(t, func(t *testing.T) kb.Store { return memory.NewKBStore() })
}
