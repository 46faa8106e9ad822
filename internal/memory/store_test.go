package memory_test

import (
	"testing"

	"github.com/frontlinehq/frontline"

	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.RunTests(t, func(t *testing.T) storetest.Store {
		bus := memory.NewBus()
		return storetest.Store{Log: memory.NewStore(bus), Bus: bus}
	})
}

func TestSiteSettingsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunSiteSettingsTests(t, func(t *testing.T) frontline.SiteSettingsStore { return memory.NewSiteStore() })
}
