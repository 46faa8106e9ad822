package memory_test

import (
	"testing"

	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/storetest"
)

func TestRetentionConformance(t *testing.T) {
	t.Parallel()
	storetest.RunRetentionTests(t, func(t *testing.T) storetest.RetentionStores {
		log := memory.NewStore(memory.NewBus())
		queue, kb := memory.NewHandoffStore(log), memory.NewKBStore()
		return storetest.RetentionStores{Log: log, Queue: queue, KB: kb, Purger: memory.NewPurger(log, queue, kb),
			Timers: func(t *testing.T, id string) int {
				n := 0
				for _, tm := range queue.PendingTimers() {
					if tm.ConversationID == id {
						n++
					}
				}
				return n
			}}
	})
}
