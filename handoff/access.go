package handoff

import (
	"context"

	"github.com/frontlinehq/frontline"
)

// Action is what a caller wants to do with a conversation; authorize
// decides it for every route and socket message.
type Action int

const (
	// ActRead: see the conversation, its packet, messages and events.
	ActRead Action = iota
	// ActOwn: act as its assignee (reply, note, tags, transfer, hand
	// back, resolve, ask for CSAT).
	ActOwn
	// ActClaim: take it (waiting) or reopen it (resolved).
	ActClaim
	// ActSupervise: reassign it to someone else.
	ActSupervise
)

// authorize is the one place that decides who may do what with a
// conversation (roles are checked per route before; this is the
// fine-grained rule):
//
//   - supervisors and admins may read, act on and reassign any
//     conversation, private ones included;
//   - an agent (a user with the agent role and an agent profile) may read
//     a conversation assigned to them, or one of a tier and team they
//     work; a private one only with the "private" skill (or as its
//     assignee); they may act only on conversations assigned to them and
//     claim only those they may read;
//   - anyone else may do nothing.
//
// It returns the caller's agent profile (nil for a supervisor or admin
// without one).
func (s *Service) authorize(ctx context.Context, u *frontline.User, e *frontline.QueueEntry, act Action) (*Agent, error) {
	c, err := s.caller(ctx, u)
	if err != nil {
		return nil, err
	}
	return c.agent, c.may(e, act)
}

// caller is who is asking, read once per request.
type caller struct {
	user  *frontline.User
	agent *Agent // nil without a profile
	boss  bool   // supervisor or admin
}

func (s *Service) caller(ctx context.Context, u *frontline.User) (*caller, error) {
	if u == nil || u.Disabled {
		return nil, frontline.Errorf(frontline.EUnauthorized, "sign in first")
	}
	c := &caller{user: u, boss: u.HasRole(frontline.RoleSupervisor, frontline.RoleAdmin)}
	if u.HasRole(frontline.RoleAgent, frontline.RoleSupervisor, frontline.RoleAdmin) {
		a, err := s.store.FindAgent(ctx, u.ID)
		switch {
		case err == nil:
			c.agent = a
		case frontline.ErrorCode(err) != frontline.ENotFound:
			return nil, wrap("find agent", err)
		}
	}
	if c.boss {
		return c, nil
	}
	if !u.HasRole(frontline.RoleAgent) {
		return nil, frontline.Errorf(frontline.EForbidden, "only agents and supervisors work conversations")
	}
	if c.agent == nil {
		return nil, frontline.Errorf(frontline.EForbidden, "you have no agent profile; ask an admin to add you to a team")
	}
	return c, nil
}

// may decides act on e (nil: no particular conversation) for the caller.
func (c *caller) may(e *frontline.QueueEntry, act Action) error {
	if c.boss || e == nil {
		return nil
	}
	u, agent := c.user, c.agent
	mine := e.Status == frontline.QueueAssigned && e.AssigneeID == u.ID
	switch act {
	case ActSupervise:
		return frontline.Errorf(frontline.EForbidden, "only supervisors reassign conversations")
	case ActOwn:
		if mine {
			return nil
		}
		switch e.Status {
		case frontline.QueueWaiting:
			if agent.Eligible(e.Tier, e.Team) {
				return frontline.Errorf(frontline.EConflict, "conversation %s is waiting: claim it first", e.ConversationID)
			}
		case frontline.QueueResolved:
			return frontline.Errorf(frontline.EConflict, "conversation %s is resolved already", e.ConversationID)
		}
		return frontline.Errorf(frontline.EForbidden, "conversation %s is not assigned to you", e.ConversationID)
	}
	if mine {
		return nil
	}
	if !agent.Eligible(e.Tier, e.Team) {
		return frontline.Errorf(frontline.EForbidden, "conversation %s belongs to the %s queue of team %s, which you do not work", e.ConversationID, e.Tier, e.Team)
	}
	if e.Packet.Private && !contains(agent.Skills, SkillPrivate) {
		return frontline.Errorf(frontline.EForbidden, "conversation %s is private", e.ConversationID)
	}
	return nil
}
