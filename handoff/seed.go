package handoff

import (
	"context"
	"fmt"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/strictyaml"
)

// PeopleConfig is the YAML a deployment seeds its desk from
// (--people-config): teams with business hours, agents keyed by their
// user ids, SLA policies and canned replies. See README ("People config").
type PeopleConfig struct {
	Teams    []frontline.Team `yaml:"teams"`
	Agents   []Agent          `yaml:"agents"`
	Policies []SLAPolicy      `yaml:"sla_policies"`
	Canned   []CannedReply    `yaml:"canned_replies"`
}

// LoadPeopleConfig reads and checks a people config file.
func LoadPeopleConfig(path string) (PeopleConfig, error) {
	var c PeopleConfig
	if err := strictyaml.ReadFile(path, &c); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Validate checks every record and that agents name known teams.
func (c *PeopleConfig) Validate() error {
	teams := map[string]bool{}
	for i := range c.Teams {
		if err := ValidateTeam(&c.Teams[i]); err != nil {
			return fmt.Errorf("teams[%d]: %w", i, err)
		}
		teams[c.Teams[i].ID] = true
	}
	for i := range c.Agents {
		a := &c.Agents[i]
		if err := a.Validate(); err != nil {
			return fmt.Errorf("agents[%d]: %w", i, err)
		}
		for _, t := range a.Teams {
			if !teams[t] {
				return fmt.Errorf("agents[%d] (%s): team %q is not in teams", i, a.UserID, t)
			}
		}
	}
	for i := range c.Policies {
		if err := c.Policies[i].Validate(); err != nil {
			return fmt.Errorf("sla_policies[%d]: %w", i, err)
		}
	}
	for i := range c.Canned {
		if err := c.Canned[i].Validate(); err != nil {
			return fmt.Errorf("canned_replies[%d]: %w", i, err)
		}
	}
	return nil
}

// Seed stores everything in c (replacing records with the same ids; an
// agent's presence is kept), then routes.
func (s *Service) Seed(ctx context.Context, c PeopleConfig) error {
	for _, t := range c.Teams {
		if err := s.store.PutTeam(ctx, t); err != nil {
			return wrap("seed team", err)
		}
	}
	for _, p := range c.Policies {
		if err := s.store.PutSLAPolicy(ctx, p); err != nil {
			return wrap("seed SLA policy", err)
		}
	}
	for _, a := range c.Agents {
		if err := s.store.PutAgent(ctx, a); err != nil {
			return wrap("seed agent", err)
		}
	}
	for _, r := range c.Canned {
		if err := s.store.PutCannedReply(ctx, r); err != nil {
			return wrap("seed canned reply", err)
		}
	}
	s.dir.clear()
	s.Route(ctx)
	return nil
}

// DemoTeams are the teams the bot's default policy routes to, open
// around the clock.
func DemoTeams() []frontline.Team {
	var out []frontline.Team
	for _, id := range []string{"support", "billing", "technical", "accounts", "orders", "security", "privacy", "legal"} {
		out = append(out, frontline.Team{ID: id, Name: id})
	}
	return out
}

// DemoPeople is the in-memory demo's desk: the default teams and SLA
// policies, two canned replies, and, for each given user id (the demo
// agent and supervisor the auth side creates), an agent who works every
// team and tier, away until they go online in the console (so hand-offs
// wait in line, not with someone who is not there).
func DemoPeople(agentIDs map[string]string) PeopleConfig {
	c := PeopleConfig{Teams: DemoTeams(), Policies: DefaultPolicies(), Canned: []CannedReply{
		{ID: "greeting", Title: "Greeting", Body: "Hi {{customer.name}}, I'm {{agent.name}} from the {{team}} team. I'm reading your conversation now."},
		{ID: "refund", Title: "Refund on its way", Body: "I've issued the refund; it shows on your statement within 5 working days."},
	}}
	for id, name := range agentIDs {
		var teams []string
		for _, t := range c.Teams {
			teams = append(teams, t.ID)
		}
		c.Agents = append(c.Agents, Agent{UserID: id, Name: name, Tiers: frontline.Tiers, Teams: teams,
			Skills: []string{SkillPrivate}, Capacity: 5, Presence: frontline.PresenceAway})
	}
	return c
}
