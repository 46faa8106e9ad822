package handoff

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/frontlinehq/frontline"
)

// Config tunes the Service. DefaultConfig gives the values below; zero
// fields of a Config passed to NewService take them too.
type Config struct {
	// SLA is how long a hand-off of each priority may wait before a
	// human must have picked it up; DueAt = EnqueuedAt + SLA[priority].
	// Defaults: urgent 15m, high 1h, normal 4h, low 24h.
	SLA map[frontline.Priority]time.Duration
	// AverageHandleTime is how long one conversation ahead of a customer
	// usually holds up the line; the ETA is position × this. Default 5m.
	AverageHandleTime time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// AwayAfter is how long an online agent may show no activity (no
	// socket frame, no presence change) before they are set away and
	// offered nothing new. Default 10m.
	AwayAfter time.Duration
	// SocketIdleCheck is how often an agent socket checks its caller's
	// session or token while the caller sends nothing, so pushes to a
	// quiet socket stop too once the session ends. (Every client message
	// is checked anyway.) Default 30s.
	SocketIdleCheck time.Duration
	// FirstLineTeam is the team a conversation goes to when the customer
	// asks for a person (the bot policy's human_request route): before a
	// hand-off, its business hours are the ones the widget tells the
	// customer about (TeamHours). Empty, or a team the directory does not
	// know, is always open.
	FirstLineTeam string
	// Logger receives what goes wrong in the background (routing after
	// a change, notices); default discards.
	Logger *slog.Logger
}

// DefaultSLA holds the deadlines common in support desks.
func DefaultSLA() map[frontline.Priority]time.Duration {
	return map[frontline.Priority]time.Duration{
		frontline.PriorityUrgent: 15 * time.Minute,
		frontline.PriorityHigh:   time.Hour,
		frontline.PriorityNormal: 4 * time.Hour,
		frontline.PriorityLow:    24 * time.Hour,
	}
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{SLA: DefaultSLA(), AverageHandleTime: 5 * time.Minute, Now: time.Now}
}

// Validate reports the first bad field, naming it.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	def := DefaultConfig()
	sla := DefaultSLA()
	for p, d := range c.SLA {
		if p.Rank() == 0 {
			return c, fmt.Errorf("handoff config: SLA: unknown priority %q", p)
		}
		if d <= 0 {
			return c, fmt.Errorf("handoff config: SLA[%s]: %v is not a positive duration", p, d)
		}
		sla[p] = d
	}
	c.SLA = sla
	if c.AverageHandleTime < 0 {
		return c, fmt.Errorf("handoff config: AverageHandleTime: %v is negative", c.AverageHandleTime)
	}
	if c.AverageHandleTime == 0 {
		c.AverageHandleTime = def.AverageHandleTime
	}
	if c.Now == nil {
		c.Now = def.Now
	}
	if c.AwayAfter <= 0 {
		c.AwayAfter = 10 * time.Minute
	}
	if c.SocketIdleCheck <= 0 {
		c.SocketIdleCheck = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
