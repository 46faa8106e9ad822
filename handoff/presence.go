package handoff

import (
	"context"
	"time"

	"github.com/frontlinehq/frontline"
)

// touchEvery bounds how often an agent's activity is written down.
const touchEvery = 30 * time.Second

// Touch records activity of an online agent (their socket's frames), so
// the idle sweep leaves them online.
func (s *Service) Touch(ctx context.Context, userID string) error {
	a, err := s.store.FindAgent(ctx, userID)
	if err != nil || a.Presence != frontline.PresenceOnline {
		return err
	}
	return s.store.SetPresence(ctx, userID, frontline.PresenceOnline, s.now())
}

// SweepIdle sets away every online agent idle for Config.AwayAfter, and
// returns how many. Any node may run it; it is idempotent.
func (s *Service) SweepIdle(ctx context.Context) (int, error) {
	agents, err := s.store.FindAgents(ctx)
	if err != nil {
		return 0, wrap("sweep idle agents", err)
	}
	cutoff := s.now().Add(-s.cfg.AwayAfter)
	n := 0
	for _, a := range agents {
		if a.Presence == frontline.PresenceOnline && a.LastSeenAt.Before(cutoff) {
			if err := s.store.SetPresence(ctx, a.UserID, frontline.PresenceAway, a.LastSeenAt); err != nil {
				return n, wrap("sweep idle agents", err)
			}
			n++
		}
	}
	return n, nil
}

// RunIdleSweep sweeps every interval until ctx ends, and routes: a
// safety net for a placement a failed Route left undone.
func (s *Service) RunIdleSweep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.SweepIdle(ctx); err != nil {
				s.cfg.Logger.Warn("handoff: idle sweep", "err", err)
			}
			s.Route(ctx)
		}
	}
}
