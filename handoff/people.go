package handoff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"
)

// Agent is a person's working profile, keyed by their user id (accounts
// belong to internal/auth): what they take and how much at once.
type Agent struct {
	UserID string `json:"user_id" yaml:"user_id"`
	// Name is the display name customers see when the agent joins.
	Name   string           `json:"name" yaml:"name"`
	Tiers  []frontline.Tier `json:"tiers" yaml:"tiers"`
	Teams  []string         `json:"teams" yaml:"teams"`
	Skills []string         `json:"skills,omitempty" yaml:"skills"`
	// Capacity is how many conversations the agent holds at once.
	Capacity   int                `json:"capacity" yaml:"capacity"`
	Presence   frontline.Presence `json:"presence" yaml:"presence"`
	LastSeenAt time.Time          `json:"last_seen_at,omitzero" yaml:"-"`
	// Load is how many conversations the agent holds now (read only).
	Load int `json:"load" yaml:"-"`
}

// SkillPrivate lets an agent read private conversations (privacy topics);
// supervisors and admins read them anyway.
const SkillPrivate = "private"

// Eligible reports whether the agent takes conversations of tier and team.
func (a *Agent) Eligible(tier frontline.Tier, team string) bool {
	return slices.Contains(a.Tiers, tier) && slices.Contains(a.Teams, team)
}

// Validate checks an agent profile before it is stored.
func (a *Agent) Validate() error {
	a.Name = strings.TrimSpace(a.Name)
	switch {
	case !frontline.ValidID(a.UserID):
		return frontline.Errorf(frontline.EInvalid, "user_id: %q is not a valid id", a.UserID)
	case a.Name == "" || len(a.Name) > 80:
		return frontline.Errorf(frontline.EInvalid, "name: must be 1-80 characters")
	case len(a.Tiers) == 0:
		return frontline.Errorf(frontline.EInvalid, "tiers: at least one of t1, t2, t3, exec")
	case len(a.Teams) == 0:
		return frontline.Errorf(frontline.EInvalid, "teams: at least one team")
	case a.Capacity < 0 || a.Capacity > 100:
		return frontline.Errorf(frontline.EInvalid, "capacity: %d is outside 0..100", a.Capacity)
	}
	for _, t := range a.Tiers {
		if t.Rank() == 0 {
			return frontline.Errorf(frontline.EInvalid, "tiers: %q is not one of t1, t2, t3, exec", t)
		}
	}
	if a.Presence == "" {
		a.Presence = frontline.PresenceOffline
	}
	if !a.Presence.Valid() {
		return frontline.Errorf(frontline.EInvalid, "presence: %q is not online, away or offline", a.Presence)
	}
	return nil
}

// ValidateTeam checks a team before it is stored.
func ValidateTeam(t *frontline.Team) error {
	t.ID, t.Name = strings.TrimSpace(t.ID), strings.TrimSpace(t.Name)
	if !frontline.ValidID(t.ID) {
		return frontline.Errorf(frontline.EInvalid, "team id: %q is not 1-64 letters, digits, '_' or '-'", t.ID)
	}
	if t.Name == "" {
		t.Name = t.ID
	}
	return t.Hours.Validate()
}

// Escalation is what a breached SLA does.
type Escalation string

const (
	// EscalateReassign takes it from the assignee and offers it to
	// another eligible agent.
	EscalateReassign Escalation = "reassign"
	// EscalateTierUp moves it to the next tier's queue.
	EscalateTierUp Escalation = "tier_up"
	// EscalateNotify tells the supervisors and changes nothing else.
	EscalateNotify Escalation = "notify"
)

// SLA targets.
const (
	TargetFirstResponse = "first_response"
	TargetNextResponse  = "next_response"
	TargetResolution    = "resolution"
)

// SLAPolicy is the service level promised for one priority. Times count
// in the team's business hours, except NoAnswer (wall-clock).
type SLAPolicy struct {
	Priority      frontline.Priority `json:"priority" yaml:"priority"`
	FirstResponse Duration           `json:"first_response" yaml:"first_response"`
	NextResponse  Duration           `json:"next_response" yaml:"next_response"`
	Resolution    Duration           `json:"resolution" yaml:"resolution"`
	// WarnAt is the fraction of a target after which the assignee and
	// supervisors are warned (0.8: at 80%); 0 means no warning.
	WarnAt     float64    `json:"warn_at" yaml:"warn_at"`
	Escalation Escalation `json:"escalation" yaml:"escalation"`
	// NoAnswer is how long an assignee may leave a newly assigned
	// conversation unanswered before it goes to the next agent; 0: never.
	NoAnswer Duration `json:"no_answer,omitzero" yaml:"no_answer"`
}

// Validate checks a policy.
func (p *SLAPolicy) Validate() error {
	switch {
	case p.Priority.Rank() == 0:
		return frontline.Errorf(frontline.EInvalid, "priority: %q is not one of low, normal, high, urgent", p.Priority)
	case p.FirstResponse <= 0 || p.NextResponse <= 0 || p.Resolution <= 0:
		return frontline.Errorf(frontline.EInvalid, "first_response, next_response and resolution must be positive durations")
	case p.WarnAt < 0 || p.WarnAt >= 1:
		return frontline.Errorf(frontline.EInvalid, "warn_at: %v is outside [0, 1)", p.WarnAt)
	case p.NoAnswer < 0:
		return frontline.Errorf(frontline.EInvalid, "no_answer: negative")
	}
	switch p.Escalation {
	case EscalateReassign, EscalateTierUp, EscalateNotify:
	case "":
		p.Escalation = EscalateNotify
	default:
		return frontline.Errorf(frontline.EInvalid, "escalation: %q is not reassign, tier_up or notify", p.Escalation)
	}
	return nil
}

// DefaultPolicies follow common support desks: urgent answered in 15
// minutes and moved up a tier when not, high in an hour, normal in four,
// low in a day.
func DefaultPolicies() []SLAPolicy {
	h := func(d time.Duration) Duration { return Duration(d) }
	return []SLAPolicy{
		{Priority: frontline.PriorityUrgent, FirstResponse: h(15 * time.Minute), NextResponse: h(15 * time.Minute), Resolution: h(4 * time.Hour), WarnAt: 0.8, Escalation: EscalateTierUp, NoAnswer: h(3 * time.Minute)},
		{Priority: frontline.PriorityHigh, FirstResponse: h(time.Hour), NextResponse: h(30 * time.Minute), Resolution: h(8 * time.Hour), WarnAt: 0.8, Escalation: EscalateReassign, NoAnswer: h(5 * time.Minute)},
		{Priority: frontline.PriorityNormal, FirstResponse: h(4 * time.Hour), NextResponse: h(2 * time.Hour), Resolution: h(24 * time.Hour), WarnAt: 0.8, Escalation: EscalateNotify, NoAnswer: h(10 * time.Minute)},
		{Priority: frontline.PriorityLow, FirstResponse: h(24 * time.Hour), NextResponse: h(8 * time.Hour), Resolution: h(72 * time.Hour), WarnAt: 0.8, Escalation: EscalateNotify},
	}
}

// Duration is a time.Duration written as "15m" in JSON and YAML.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string like \"15m\"")
	}
	return d.parse(s)
}

func (d *Duration) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return err
	}
	return d.parse(s)
}

func (d *Duration) parse(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return frontline.Errorf(frontline.EInvalid, "duration %q: want e.g. 15m, 4h", s)
	}
	*d = Duration(v)
	return nil
}

// CannedReply is a prepared answer an agent inserts; {{name}} variables are
// filled from the conversation (see Render).
type CannedReply struct {
	ID    string `json:"id" yaml:"id"`
	Title string `json:"title" yaml:"title"`
	Body  string `json:"body" yaml:"body"`
}

// Validate checks a canned reply.
func (c *CannedReply) Validate() error {
	switch {
	case !frontline.ValidID(c.ID):
		return frontline.Errorf(frontline.EInvalid, "id: %q is not a valid id", c.ID)
	case strings.TrimSpace(c.Body) == "" || len(c.Body) > frontline.MaxBodyBytes:
		return frontline.Errorf(frontline.EInvalid, "body: must be 1-%d bytes", frontline.MaxBodyBytes)
	}
	if c.Title == "" {
		c.Title = c.ID
	}
	return nil
}

// Render fills the variables: {{customer.name}}, {{customer.email}} and
// any {{customer.KEY}} of the conversation's profile, {{agent.name}},
// {{team}}, {{conversation.id}}, and vars given by the caller as {{KEY}}.
// Unknown variables become empty.
func (c *CannedReply) Render(conv *frontline.Conversation, e *frontline.QueueEntry, agent *Agent, vars map[string]string) string {
	values := map[string]string{}
	if conv != nil {
		for k, v := range conv.Profile {
			values["customer."+k] = v
		}
		values["conversation.id"] = conv.ID
	}
	if e != nil {
		values["team"] = e.Team
	}
	if agent != nil {
		values["agent.name"] = agent.Name
	}
	for k, v := range vars {
		values[k] = v
	}
	var b strings.Builder
	rest := c.Body
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		b.WriteString(values[strings.TrimSpace(rest[i+2:i+j])])
		rest = rest[i+j+2:]
	}
	return b.String()
}
