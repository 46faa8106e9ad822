package bot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/frontlinehq/frontline"
)

// Route is where a hand-off goes.
type Route struct {
	Tier     frontline.Tier     `json:"tier"`
	Team     string             `json:"team"`
	Priority frontline.Priority `json:"priority"`
	// Private moves the conversation to restricted visibility.
	Private bool `json:"private,omitempty"`
}

func (r Route) validate(field string) error {
	switch {
	case r.Tier.Rank() == 0:
		return fmt.Errorf("%s.tier: %q is not one of t1, t2, t3, exec", field, r.Tier)
	case strings.TrimSpace(r.Team) == "":
		return fmt.Errorf("%s.team: required", field)
	case r.Priority.Rank() == 0:
		return fmt.Errorf("%s.priority: %q is not one of low, normal, high, urgent", field, r.Priority)
	}
	return nil
}

// Policy maps what the bot noticed to where the conversation goes. When
// several reasons apply, the tier and priority are the highest among their
// routes, the team is that of the most serious reason (a severity topic,
// then frustration, then a request for a person, then failed answers), and
// the conversation is private if any route says so.
type Policy struct {
	// Severity routes each severity topic.
	Severity map[frontline.Severity]Route `json:"severity"`
	// Frustration routes a frustrated customer.
	Frustration Route `json:"frustration"`
	// HumanRequest routes a customer who asked for a person.
	HumanRequest Route `json:"human_request"`
	// FailedAnswers routes a conversation where the bot could not answer
	// (Config.FailedAnswersBeforeHandoff times in a row).
	FailedAnswers Route `json:"failed_answers"`
	// TeamNames are the names customers are told ("our billing team");
	// a team without one is shown as its id with spaces.
	TeamNames map[string]string `json:"team_names"`
}

// DefaultPolicy follows common escalation practice: account takeovers and
// legal threats go to senior people at once; outages and billing errors to
// the second line, fast; privacy requests to a restricted privacy team;
// a frustrated customer jumps the first-line queue; a plain request for a
// person waits in the first-line queue.
func DefaultPolicy() Policy {
	return Policy{
		Severity: map[frontline.Severity]Route{
			frontline.SeveritySecurity:     {Tier: frontline.Tier3, Team: "security", Priority: frontline.PriorityUrgent},
			frontline.SeverityLegal:        {Tier: frontline.TierExec, Team: "legal", Priority: frontline.PriorityUrgent},
			frontline.SeverityOutage:       {Tier: frontline.Tier2, Team: "technical", Priority: frontline.PriorityHigh},
			frontline.SeverityBillingError: {Tier: frontline.Tier2, Team: "billing", Priority: frontline.PriorityHigh},
			frontline.SeverityPrivacy:      {Tier: frontline.Tier2, Team: "privacy", Priority: frontline.PriorityHigh, Private: true},
			frontline.SeverityDelivery:     {Tier: frontline.Tier1, Team: "orders", Priority: frontline.PriorityNormal},
			frontline.SeverityCancellation: {Tier: frontline.Tier1, Team: "accounts", Priority: frontline.PriorityNormal},
		},
		Frustration:   Route{Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityHigh},
		HumanRequest:  Route{Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityNormal},
		FailedAnswers: Route{Tier: frontline.Tier1, Team: "support", Priority: frontline.PriorityNormal},
		TeamNames: map[string]string{
			"security": "account security", "legal": "senior support", "technical": "technical support",
			"billing": "billing", "privacy": "privacy", "orders": "orders", "accounts": "accounts", "support": "support",
		},
	}
}

func (p Policy) validate() error {
	for _, s := range frontline.Severities {
		r, ok := p.Severity[s]
		if !ok {
			return fmt.Errorf("policy.severity: no route for %q", s)
		}
		if err := r.validate("policy.severity." + string(s)); err != nil {
			return err
		}
	}
	for s := range p.Severity {
		if s.Rank() == 0 {
			return fmt.Errorf("policy.severity: unknown topic %q", s)
		}
	}
	for name, r := range map[string]Route{"frustration": p.Frustration, "human_request": p.HumanRequest, "failed_answers": p.FailedAnswers} {
		if err := r.validate("policy." + name); err != nil {
			return err
		}
	}
	return nil
}

// TeamName is what customers are told the team is called.
func (p Policy) TeamName(team string) string {
	if n := p.TeamNames[team]; n != "" {
		return n
	}
	return strings.NewReplacer("_", " ", "-", " ").Replace(team)
}

// Decision is a hand-off the policy chose.
type Decision struct {
	Route
	Severity frontline.Severity
	// Reasons in plain words, most serious first.
	Reasons []string
	// Signals are the kinds of the signals that called for the hand-off,
	// each once, most serious first.
	Signals []frontline.SignalKind
}

// triggers are the signals of d other than the bot's own failed answers:
// a hand-off for them is not a gap in the knowledge base.
func (d Decision) triggers() []string {
	var out []string
	for _, k := range d.Signals {
		if k != frontline.SignalBotLoop {
			out = append(out, string(k))
		}
	}
	return out
}

// Reason joins the reasons for agents.
func (d Decision) Reason() string { return strings.Join(d.Reasons, "; ") }

// decide returns the hand-off the signals call for, if any. Only signals
// that hand off are considered: severity, frustration, a request for a
// person and the bot's failed answers (bot_loop).
func (p Policy) decide(signals []frontline.Signal) (Decision, bool) {
	type reason struct {
		route Route
		text  string
		rank  int // which reason names the team
		kind  frontline.SignalKind
	}
	var reasons []reason
	sev := frontline.SeverityNone
	for _, s := range signals {
		switch s.Kind {
		case frontline.SignalSeverity:
			r, ok := p.Severity[s.Topic]
			if !ok {
				continue
			}
			if s.Topic.Rank() > sev.Rank() {
				sev = s.Topic
			}
			reasons = append(reasons, reason{r, describe(s, strings.ReplaceAll(string(s.Topic), "_", " ")+" issue"), 10 + s.Topic.Rank(), s.Kind})
		case frontline.SignalFrustration:
			reasons = append(reasons, reason{p.Frustration, describe(s, "customer is frustrated"), 3, s.Kind})
		case frontline.SignalHumanRequest:
			reasons = append(reasons, reason{p.HumanRequest, describe(s, "asked for a person"), 2, s.Kind})
		case frontline.SignalBotLoop:
			reasons = append(reasons, reason{p.FailedAnswers, describe(s, "the bot could not answer"), 1, s.Kind})
		}
	}
	if len(reasons) == 0 {
		return Decision{}, false
	}
	slices.SortStableFunc(reasons, func(a, b reason) int { return b.rank - a.rank })
	d := Decision{Route: reasons[0].route, Severity: sev}
	for _, r := range reasons {
		if r.route.Tier.Rank() > d.Tier.Rank() {
			d.Tier = r.route.Tier
		}
		if r.route.Priority.Rank() > d.Priority.Rank() {
			d.Priority = r.route.Priority
		}
		d.Private = d.Private || r.route.Private
		if !slices.Contains(d.Reasons, r.text) {
			d.Reasons = append(d.Reasons, r.text)
		}
		if !slices.Contains(d.Signals, r.kind) {
			d.Signals = append(d.Signals, r.kind)
		}
	}
	return d, true
}

// describe prefers the detector's own plain-words reason.
func describe(s frontline.Signal, fallback string) string {
	if s.Reason != "" {
		return s.Reason
	}
	return fallback
}
