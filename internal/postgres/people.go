package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

const agentColumns = `user_id, name, tiers, teams, skills, capacity, presence, last_seen_at`

func scanAgent(row pgx.Row) (*handoff.Agent, error) {
	var a handoff.Agent
	var tiers []string
	var seen *time.Time
	if err := row.Scan(&a.UserID, &a.Name, &tiers, &a.Teams, &a.Skills, &a.Capacity, &a.Presence, &seen, &a.Load); err != nil {
		return nil, err
	}
	for _, t := range tiers {
		a.Tiers = append(a.Tiers, frontline.Tier(t))
	}
	if seen != nil {
		a.LastSeenAt = seen.UTC()
	}
	return &a, nil
}

func tierStrings(ts []frontline.Tier) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// PutAgent implements handoff.Directory.
func (s *HandoffStore) PutAgent(ctx context.Context, a handoff.Agent) error {
	skills := a.Skills
	if skills == nil {
		skills = []string{}
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO agents (user_id, name, tiers, teams, skills, capacity, presence)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, tiers = excluded.tiers, teams = excluded.teams,
			skills = excluded.skills, capacity = excluded.capacity`,
		a.UserID, a.Name, tierStrings(a.Tiers), a.Teams, skills, a.Capacity, cmp.Or(a.Presence, frontline.PresenceOffline))
	if err != nil {
		return fmt.Errorf("put agent: %w", err)
	}
	return nil
}

// DeleteAgent implements handoff.Directory.
func (s *HandoffStore) DeleteAgent(ctx context.Context, userID string) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM agents WHERE user_id = $1`, userID)
	if err != nil {
		return fmt.Errorf("delete agent: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return frontline.Errorf(frontline.ENotFound, "no agent %s", userID)
	}
	return nil
}

const agentLoadSQL = `(SELECT count(*) FROM handoff_queue q WHERE q.status = 'assigned' AND q.assignee_id = agents.user_id)`

// FindAgent implements handoff.Directory.
func (s *HandoffStore) FindAgent(ctx context.Context, userID string) (*handoff.Agent, error) {
	a, err := scanAgent(s.db.pool.QueryRow(ctx, `SELECT `+agentColumns+`, `+agentLoadSQL+` FROM agents WHERE user_id = $1`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENotFound, "no agent %s", userID)
	}
	if err != nil {
		return nil, fmt.Errorf("find agent: %w", err)
	}
	return a, nil
}

// FindAgents implements handoff.Directory.
func (s *HandoffStore) FindAgents(ctx context.Context) ([]*handoff.Agent, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+agentColumns+`, `+agentLoadSQL+` FROM agents ORDER BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("find agents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*handoff.Agent, error) { return scanAgent(r) })
	if err != nil {
		return nil, fmt.Errorf("find agents: %w", err)
	}
	return out, nil
}

// SetPresence implements handoff.Directory.
func (s *HandoffStore) SetPresence(ctx context.Context, userID string, p frontline.Presence, at time.Time) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE agents SET presence = $2, last_seen_at = $3 WHERE user_id = $1`, userID, p, at)
	if err != nil {
		return fmt.Errorf("set presence: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return frontline.Errorf(frontline.ENotFound, "no agent %s", userID)
	}
	s.db.notify.wake(frontline.TopicQueue, 0) // routing may place conversations now
	return nil
}

func (s *HandoffStore) putDoc(ctx context.Context, kind, id string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := s.db.pool.Exec(ctx, `INSERT INTO handoff_directory (kind, id, doc) VALUES ($1, $2, $3)
		ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc`, kind, id, doc); err != nil {
		return fmt.Errorf("put %s: %w", kind, err)
	}
	return nil
}

func (s *HandoffStore) deleteDoc(ctx context.Context, kind, id string) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM handoff_directory WHERE kind = $1 AND id = $2`, kind, id)
	if err != nil {
		return fmt.Errorf("delete %s: %w", kind, err)
	}
	if tag.RowsAffected() == 0 {
		return frontline.Errorf(frontline.ENotFound, "no %s %q", kind, id)
	}
	return nil
}

func findDocs[T any](ctx context.Context, s *HandoffStore, kind string) ([]T, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT doc FROM handoff_directory WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", kind, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) {
		var v T
		var doc []byte
		if err := r.Scan(&doc); err != nil {
			return v, err
		}
		return v, json.Unmarshal(doc, &v)
	})
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", kind, err)
	}
	return out, nil
}

// PutTeam implements handoff.Directory.
func (s *HandoffStore) PutTeam(ctx context.Context, t frontline.Team) error {
	return s.putDoc(ctx, "team", t.ID, t)
}

// DeleteTeam implements handoff.Directory.
func (s *HandoffStore) DeleteTeam(ctx context.Context, id string) error {
	return s.deleteDoc(ctx, "team", id)
}

// FindTeams implements handoff.Directory.
func (s *HandoffStore) FindTeams(ctx context.Context) ([]frontline.Team, error) {
	return findDocs[frontline.Team](ctx, s, "team")
}

// PutSLAPolicy implements handoff.Directory.
func (s *HandoffStore) PutSLAPolicy(ctx context.Context, p handoff.SLAPolicy) error {
	return s.putDoc(ctx, "sla_policy", string(p.Priority), p)
}

// FindSLAPolicies implements handoff.Directory.
func (s *HandoffStore) FindSLAPolicies(ctx context.Context) ([]handoff.SLAPolicy, error) {
	return findDocs[handoff.SLAPolicy](ctx, s, "sla_policy")
}

// PutCannedReply implements handoff.Directory.
func (s *HandoffStore) PutCannedReply(ctx context.Context, c handoff.CannedReply) error {
	return s.putDoc(ctx, "canned_reply", c.ID, c)
}

// DeleteCannedReply implements handoff.Directory.
func (s *HandoffStore) DeleteCannedReply(ctx context.Context, id string) error {
	return s.deleteDoc(ctx, "canned_reply", id)
}

// FindCannedReplies implements handoff.Directory.
func (s *HandoffStore) FindCannedReplies(ctx context.Context) ([]handoff.CannedReply, error) {
	return findDocs[handoff.CannedReply](ctx, s, "canned_reply")
}
