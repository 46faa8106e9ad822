package handoff

import (
	"context"

	"github.com/frontlinehq/frontline"
)

// Me returns the caller's agent profile with their load.
func (s *Service) Me(ctx context.Context, u *frontline.User) (*Agent, error) {
	a, err := s.authorize(ctx, u, nil, ActRead)
	if err == nil && a == nil {
		return nil, frontline.Errorf(frontline.ENotFound, "you have no agent profile")
	}
	return a, err
}

// Queue lists the entries the caller may read, in queue order: for an
// agent, those of the tiers and teams they work and those assigned to
// them; for supervisors and admins, all.
func (s *Service) Queue(ctx context.Context, u *frontline.User, f QueueFilter) ([]*frontline.QueueEntry, error) {
	c, err := s.caller(ctx, u)
	if err != nil {
		return nil, err
	}
	return s.queueFor(ctx, c, f)
}

// queueFor lists the entries matching f that c may read.
func (s *Service) queueFor(ctx context.Context, c *caller, f QueueFilter) ([]*frontline.QueueEntry, error) {
	all, err := s.Entries(ctx, f)
	if err != nil {
		return nil, err
	}
	out := []*frontline.QueueEntry{}
	for _, e := range all {
		if c.may(e, ActRead) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// ConversationView is what an agent sees of one conversation: the queue
// entry with its packet, the conversation (profile: the email left after
// hours, the page...), the messages since the start (the live ones after
// the hand-off included) and the audit trail with the private notes.
type ConversationView struct {
	Entry        *frontline.QueueEntry   `json:"entry"`
	Conversation *frontline.Conversation `json:"conversation"`
	Messages     []frontline.Message     `json:"messages"`
	Events       []frontline.Event       `json:"events"`
}

// viewMessages bounds the messages of a view; older ones page through
// Messages.
const viewMessages = 500

// View returns the conversation for an agent who may read it.
func (s *Service) View(ctx context.Context, u *frontline.User, conversationID string) (*ConversationView, error) {
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, u, e, ActRead); err != nil {
		return nil, err
	}
	conv, err := s.log.FindConversationByID(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	msgs, err := s.log.ReadMessages(ctx, conversationID, max(conv.LastSeq-viewMessages, 0), viewMessages)
	if err != nil {
		return nil, err
	}
	evs, err := s.log.FindEvents(ctx, frontline.EventFilter{ConversationID: conversationID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	return &ConversationView{Entry: e, Conversation: conv, Messages: msgs, Events: evs}, nil
}

// Messages returns the messages after seq for a caller who may read the
// conversation.
func (s *Service) Messages(ctx context.Context, u *frontline.User, conversationID string, after int64) ([]frontline.Message, error) {
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, u, e, ActRead); err != nil {
		return nil, err
	}
	return s.log.ReadMessages(ctx, conversationID, after, frontline.DefaultListLimit)
}

// Events returns the audit events after id for a caller who may read the
// conversation.
func (s *Service) Events(ctx context.Context, u *frontline.User, conversationID string, afterID int64) ([]frontline.Event, error) {
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, u, e, ActRead); err != nil {
		return nil, err
	}
	return s.log.FindEvents(ctx, frontline.EventFilter{ConversationID: conversationID, AfterID: afterID})
}

// PutAgent validates and stores a profile, then routes (the agent may
// have room now).
func (s *Service) PutAgent(ctx context.Context, a Agent) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.store.PutAgent(ctx, a); err != nil {
		return wrap("put agent", err)
	}
	s.Route(ctx)
	return nil
}

// PutTeam validates and stores a team.
func (s *Service) PutTeam(ctx context.Context, t frontline.Team) error {
	if err := ValidateTeam(&t); err != nil {
		return err
	}
	defer s.dir.clear()
	return wrap("put team", s.store.PutTeam(ctx, t))
}

// PutSLAPolicy validates and stores a policy; it applies to deadlines
// set from now on.
func (s *Service) PutSLAPolicy(ctx context.Context, p SLAPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	defer s.dir.clear()
	return wrap("put SLA policy", s.store.PutSLAPolicy(ctx, p))
}
