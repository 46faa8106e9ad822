package memory

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

// PutTeam implements handoff.Directory.
func (s *HandoffStore) PutTeam(ctx context.Context, t frontline.Team) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	t.Skills = slices.Clone(t.Skills)
	s.teams[t.ID] = t
	return nil
}

// DeleteTeam implements handoff.Directory.
func (s *HandoffStore) DeleteTeam(ctx context.Context, id string) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return deleteRecord(s.teams, id, "team")
}

// FindTeams implements handoff.Directory.
func (s *HandoffStore) FindTeams(ctx context.Context) ([]frontline.Team, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	return valuesByID(s.teams), nil
}

// PutAgent implements handoff.Directory.
func (s *HandoffStore) PutAgent(ctx context.Context, a handoff.Agent) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	a.Tiers, a.Teams, a.Skills, a.Load = slices.Clone(a.Tiers), slices.Clone(a.Teams), slices.Clone(a.Skills), 0
	if a.Presence == "" {
		a.Presence = frontline.PresenceOffline
	}
	if old, ok := s.agents[a.UserID]; ok {
		a.Presence, a.LastSeenAt = old.a.Presence, old.a.LastSeenAt
		old.a = a
		return nil
	}
	s.agents[a.UserID] = &agentItem{a: a}
	return nil
}

// DeleteAgent implements handoff.Directory.
func (s *HandoffStore) DeleteAgent(ctx context.Context, userID string) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	if _, ok := s.agents[userID]; !ok {
		return frontline.Errorf(frontline.ENotFound, "no agent %s", userID)
	}
	delete(s.agents, userID)
	return nil
}

func (s *HandoffStore) agentLocked(ai *agentItem, load map[string]int) *handoff.Agent {
	a := ai.a
	a.Tiers, a.Teams, a.Skills = slices.Clone(a.Tiers), slices.Clone(a.Teams), slices.Clone(a.Skills)
	a.Load = load[a.UserID]
	return &a
}

// FindAgent implements handoff.Directory.
func (s *HandoffStore) FindAgent(ctx context.Context, userID string) (*handoff.Agent, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	ai, ok := s.agents[userID]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "no agent %s", userID)
	}
	return s.agentLocked(ai, s.loadLocked()), nil
}

// FindAgents implements handoff.Directory.
func (s *HandoffStore) FindAgents(ctx context.Context) ([]*handoff.Agent, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	load := s.loadLocked()
	out := make([]*handoff.Agent, 0, len(s.agents))
	for _, ai := range s.agents {
		out = append(out, s.agentLocked(ai, load))
	}
	slices.SortFunc(out, func(a, b *handoff.Agent) int { return strings.Compare(a.UserID, b.UserID) })
	return out, nil
}

// SetPresence implements handoff.Directory.
func (s *HandoffStore) SetPresence(ctx context.Context, userID string, p frontline.Presence, at time.Time) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	ai, ok := s.agents[userID]
	if !ok {
		return frontline.Errorf(frontline.ENotFound, "no agent %s", userID)
	}
	ai.a.Presence, ai.a.LastSeenAt = p, at
	return nil
}

// PutSLAPolicy implements handoff.Directory.
func (s *HandoffStore) PutSLAPolicy(ctx context.Context, p handoff.SLAPolicy) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.pols[p.Priority] = p
	return nil
}

// FindSLAPolicies implements handoff.Directory.
func (s *HandoffStore) FindSLAPolicies(ctx context.Context) ([]handoff.SLAPolicy, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	out := make([]handoff.SLAPolicy, 0, len(s.pols))
	for _, p := range s.pols {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b handoff.SLAPolicy) int { return b.Priority.Rank() - a.Priority.Rank() })
	return out, nil
}

// PutCannedReply implements handoff.Directory.
func (s *HandoffStore) PutCannedReply(ctx context.Context, c handoff.CannedReply) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.canned[c.ID] = c
	return nil
}

// DeleteCannedReply implements handoff.Directory.
func (s *HandoffStore) DeleteCannedReply(ctx context.Context, id string) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return deleteRecord(s.canned, id, "canned reply")
}

// FindCannedReplies implements handoff.Directory.
func (s *HandoffStore) FindCannedReplies(ctx context.Context) ([]handoff.CannedReply, error) {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	return valuesByID(s.canned), nil
}

// deleteRecord removes id from a directory map; ENotFound names what.
func deleteRecord[V any](m map[string]V, id, what string) error {
	if _, ok := m[id]; !ok {
		return frontline.Errorf(frontline.ENotFound, "no %s %q", what, id)
	}
	delete(m, id)
	return nil
}

// valuesByID lists a directory map's records in id order.
func valuesByID[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, id := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[id])
	}
	return out
}
