package handoff

import (
	"context"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
)

// dirTTL is how long a node trusts its copy of teams and policies; changes
// through this node show at once (the admin API clears it).
const dirTTL = 2 * time.Second

// dirCache is this node's copy of the teams and SLA policies, read on every
// hand-off and every customer's queue position.
type dirCache struct {
	store Store
	now   func() time.Time

	mu       sync.Mutex
	at       time.Time
	teams    map[string]frontline.Team
	policies map[frontline.Priority]SLAPolicy
}

func (d *dirCache) load(ctx context.Context) (map[string]frontline.Team, map[frontline.Priority]SLAPolicy, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.teams != nil && d.now().Sub(d.at) < dirTTL {
		return d.teams, d.policies, nil
	}
	teams, err := d.store.FindTeams(ctx)
	if err != nil {
		return nil, nil, wrap("read teams", err)
	}
	pols, err := d.store.FindSLAPolicies(ctx)
	if err != nil {
		return nil, nil, wrap("read SLA policies", err)
	}
	d.teams = make(map[string]frontline.Team, len(teams))
	for _, t := range teams {
		d.teams[t.ID] = t
	}
	d.policies = make(map[frontline.Priority]SLAPolicy, len(pols))
	for _, p := range pols {
		d.policies[p.Priority] = p
	}
	d.at = d.now()
	return d.teams, d.policies, nil
}

func (d *dirCache) clear() {
	d.mu.Lock()
	d.teams, d.policies = nil, nil
	d.mu.Unlock()
}

// team returns the team, and whether it is known.
func (d *dirCache) team(ctx context.Context, id string) (frontline.Team, bool, error) {
	teams, _, err := d.load(ctx)
	if err != nil {
		return frontline.Team{}, false, err
	}
	t, ok := teams[id]
	return t, ok, nil
}

// hours returns the team's business hours; nil (always open) for a team
// the directory does not know or when it cannot be read.
func (d *dirCache) hours(ctx context.Context, team string) *frontline.BusinessHours {
	t, _, _ := d.team(ctx, team)
	return t.Hours
}

// TeamHours reports whether the team conversationID would go to is open
// now and when it next opens: its queued team while it waits or is
// assigned, else (never handed off, handed back, resolved, or an empty
// id) Config.FirstLineTeam. The customer's widget asks it on connect.
// It reads this node's directory copy (refreshed every dirTTL), plus the
// conversation's queue entry when an id is given. Errors only when the
// store cannot be read.
func (s *Service) TeamHours(ctx context.Context, conversationID string) (frontline.TeamHours, error) {
	team := s.cfg.FirstLineTeam
	if conversationID != "" {
		e, err := s.Entry(ctx, conversationID)
		switch {
		case err == nil && (e.Status == frontline.QueueWaiting || e.Status == frontline.QueueAssigned):
			team = e.Team
		case err != nil && frontline.ErrorCode(err) != frontline.ENotFound:
			return frontline.TeamHours{}, err
		}
	}
	t, _, err := s.dir.team(ctx, team)
	if err != nil {
		return frontline.TeamHours{}, err
	}
	now := s.cfg.Now()
	th := frontline.TeamHours{Team: team, Open: t.Hours.IsOpen(now), Hours: t.Hours}
	if !th.Open {
		th.OpensAt = t.Hours.NextOpen(now)
	}
	return th, nil
}

// cached returns the copy last loaded, without reading the store: for
// code running under a store's locks (decide callbacks), after load.
func (d *dirCache) cached() (map[string]frontline.Team, map[frontline.Priority]SLAPolicy) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.teams, d.policies
}

// policyAndHours returns the SLA policy of priority (the configured one,
// else Config.SLA as the first-response time with DefaultPolicies' other
// targets) and the team's hours, from the cached copy (see cached).
func (s *Service) policyAndHours(p frontline.Priority, team string) (SLAPolicy, *frontline.BusinessHours) {
	teams, pols := s.dir.cached()
	return s.policy(pols, p), teams[team].Hours
}

// waitCache holds each line's recent pace for ETAs.
type waitCache struct {
	mu    sync.Mutex
	lines map[lineKey]linePace
}

type lineKey struct {
	tier frontline.Tier
	team string
}

type linePace struct {
	every time.Duration // one claim per this, 0 when unknown
	at    time.Time
}

// paceTTL is how long a line's pace is reused.
const paceTTL = 5 * time.Second

// paceWindow is how far back claims count towards a line's pace.
const paceWindow = 2 * time.Hour

// eta estimates a waiting customer's wait from their line's recent real
// pace: the mean time between the line's recent claims, times the place.
// With fewer than two recent claims it falls back to the mean recent wait
// (enqueue to claim), then to Config.AverageHandleTime per place.
func (s *Service) eta(ctx context.Context, wp WaitingPlace, now time.Time) time.Duration {
	key := lineKey{wp.Tier, wp.Team}
	s.waits.mu.Lock()
	p, ok := s.waits.lines[key]
	s.waits.mu.Unlock()
	if !ok || now.Sub(p.at) > paceTTL {
		p = linePace{every: s.pace(ctx, key, now), at: now}
		s.waits.mu.Lock()
		if s.waits.lines == nil {
			s.waits.lines = map[lineKey]linePace{}
		}
		s.waits.lines[key] = p
		s.waits.mu.Unlock()
	}
	every := p.every
	if every <= 0 {
		every = s.cfg.AverageHandleTime
	}
	return time.Duration(wp.Place) * every
}

func (s *Service) pace(ctx context.Context, key lineKey, now time.Time) time.Duration {
	entries, err := s.store.FindQueueEntries(ctx, QueueFilter{Tier: key.tier, Team: key.team, Since: now.Add(-paceWindow), Limit: 200})
	if err != nil {
		return 0
	}
	var claims []time.Time
	var waited time.Duration
	for _, e := range entries {
		if !e.AssignedAt.IsZero() {
			claims = append(claims, e.AssignedAt)
			waited += e.AssignedAt.Sub(e.EnqueuedAt)
		}
	}
	switch {
	case len(claims) >= 2:
		first, last := claims[0], claims[0]
		for _, c := range claims {
			if c.Before(first) {
				first = c
			}
			if c.After(last) {
				last = c
			}
		}
		if span := last.Sub(first); span > 0 {
			return span / time.Duration(len(claims)-1)
		}
	case len(claims) == 1:
		return waited
	}
	return 0
}
