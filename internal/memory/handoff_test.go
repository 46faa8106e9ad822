package memory_test

import (
	"testing"

	"github.com/frontlinehq/frontline/internal/handofftest"
	"github.com/frontlinehq/frontline/internal/memory"
)

func TestHandoffConformance(t *testing.T) {
	t.Parallel()
	handofftest.RunTests(t, func(t *testing.T) handofftest.Store {
		bus := memory.NewBus()
		log := memory.NewStore(bus)
		return handofftest.Store{Log: log, Bus: bus, Queue: memory.NewHandoffStore(log)}
	})
}
