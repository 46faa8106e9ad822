package memory

import "github.com/frontlinehq/frontline/internal/fanout"

// Bus is the single-process frontline.Bus.
type Bus = fanout.Hub

// NewBus returns an empty bus.
func NewBus() *Bus { return fanout.New() }
