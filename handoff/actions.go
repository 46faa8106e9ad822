package handoff

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"
)

// Message kinds the service posts as the system.
const (
	KindJoined        = "joined"       // an agent joined; Extra["agent_name"]
	KindCSATRequest   = "csat_request" // the widget shows the rating form
	KindTransferred   = "transferred"  // moved to another team or tier
	KindReturnedToBot = "handed_back"  // the bot answers again
	KindResolved      = "resolved"
)

type firingKey struct{}

// ContextWithFiring marks ctx as firing a timer; the store's Update
// completes the timer (token is the store's own handle: a River job, a
// memory timer) in the commit of its effect.
func ContextWithFiring(ctx context.Context, token any) context.Context {
	return context.WithValue(ctx, firingKey{}, token)
}

// FiringFromContext returns the token of ContextWithFiring, or nil.
func FiringFromContext(ctx context.Context) any { return ctx.Value(firingKey{}) }

// claimPlan makes a claim's change: assigned to a, with the no-answer
// timer of the priority's policy.
func (s *Service) claimPlan(ctx context.Context, actor, reason string) (ClaimPlan, error) {
	_, pols, err := s.dir.load(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return func(cur *frontline.QueueEntry, a *Agent) Change {
		// The deadlines stay as they are (the SLA timers already set stay
		// valid: same epoch); only the assignee's no-answer clock starts.
		e := *cur
		e.Status, e.AssigneeID, e.AssigneeName, e.AssignedAt = frontline.QueueAssigned, a.UserID, a.Name, now
		pol := s.policy(pols, e.Priority)
		var timers []Timer
		if pol.NoAnswer > 0 {
			timers = append(timers, Timer{ConversationID: e.ConversationID, Kind: TimerNoAnswer, Epoch: e.Epoch,
				At: now.Add(time.Duration(pol.NoAnswer)), Agent: a.UserID})
		}
		ev := frontline.Event{ConversationID: e.ConversationID, Kind: frontline.EventClaim, Actor: cmpOr(actor, a.UserID),
			Data: frontline.MustJSON(AgentData{AgentID: a.UserID, Name: a.Name, Tier: e.Tier, Team: e.Team, Reason: reason})}
		return Change{Entry: e, Conversation: frontline.StatusAssigned, Events: []frontline.Event{ev}, Timers: timers}
	}, nil
}

func (s *Service) policy(pols map[frontline.Priority]SLAPolicy, p frontline.Priority) SLAPolicy {
	if pol, ok := pols[p]; ok {
		return pol
	}
	for _, def := range DefaultPolicies() {
		if def.Priority == p {
			if d, ok := s.cfg.SLA[p]; ok {
				def.FirstResponse = Duration(d)
			}
			return def
		}
	}
	return SLAPolicy{}
}

// Claim gives conversationID to the caller: they must be an agent who
// may read it (see authorize), with free capacity. EConflict when it is
// not waiting (claimed by someone else, or resolved) or the caller is at
// capacity; ENotFound when it was never handed off.
func (s *Service) Claim(ctx context.Context, u *frontline.User, conversationID string) (*frontline.QueueEntry, error) {
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, u, e, ActClaim); err != nil {
		return nil, err
	}
	return s.claim(ctx, ClaimRequest{AgentID: u.ID, ConversationID: conversationID}, u.ID, "claimed")
}

// ClaimNext gives the caller the first waiting conversation in queue order
// of a tier and team they work. ENotFound when none is waiting for them;
// EConflict at capacity.
func (s *Service) ClaimNext(ctx context.Context, u *frontline.User) (*frontline.QueueEntry, error) {
	if _, err := s.authorize(ctx, u, nil, ActClaim); err != nil {
		return nil, err
	}
	return s.claim(ctx, ClaimRequest{AgentID: u.ID}, u.ID, "pulled the next")
}

func (s *Service) claim(ctx context.Context, req ClaimRequest, actor, reason string) (*frontline.QueueEntry, error) {
	plan, err := s.claimPlan(ctx, actor, reason)
	if err != nil {
		return nil, err
	}
	req.Plan = plan
	e, err := s.store.Claim(ctx, req)
	if err != nil {
		return nil, wrap("claim", err)
	}
	s.joined(ctx, e)
	return e, nil
}

// joined tells the customer who took their conversation and wakes its
// readers.
func (s *Service) joined(ctx context.Context, e *frontline.QueueEntry) {
	s.forgetQueue()
	if s.log == nil {
		return
	}
	_, err := s.log.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
		ConversationID: e.ConversationID, Author: frontline.AuthorSystem,
		Body:        fmt.Sprintf("%s joined the conversation.", cmpOr(e.AssigneeName, "An agent")),
		ClientMsgID: fmt.Sprintf("joined_%d_%s", e.Epoch, e.AssigneeID),
		Meta:        frontline.MessageMeta{Kind: KindJoined, Extra: map[string]string{"agent_name": e.AssigneeName}},
	}})
	if err != nil {
		s.cfg.Logger.Warn("handoff: post the joined notice", "conversation", e.ConversationID, "err", err)
		s.wake(ctx, e.ConversationID)
	}
}

// routeLimit bounds the entries one Route call places.
const routeLimit = 100

// Route offers the waiting conversations to the online agents with free
// capacity, least loaded first. The service calls it after every change
// that may make a placement possible (a hand-off, a freed seat, an agent
// coming online); it is safe to call at any time on any node.
func (s *Service) Route(ctx context.Context) {
	plan, err := s.claimPlan(ctx, "routing", "offered to the least-loaded agent")
	if err != nil {
		s.cfg.Logger.Warn("handoff: route", "err", err)
		return
	}
	assigned, err := s.store.Offer(ctx, plan, routeLimit)
	if err != nil {
		s.cfg.Logger.Warn("handoff: route", "err", err)
	}
	for _, e := range assigned {
		s.joined(ctx, e)
	}
}

// ReplyRequest is an agent's message to the customer. Body, or a canned
// reply's id with variables.
type ReplyRequest struct {
	Body        string            `json:"body,omitempty"`
	ClientMsgID string            `json:"client_msg_id,omitempty"`
	CannedID    string            `json:"canned_id,omitempty"`
	Vars        map[string]string `json:"vars,omitempty"`
	// Citations are the published articles the reply rests on (an
	// article inserted from the console); set by the server, never read
	// from a request, so a citation always names a real article.
	Citations []frontline.Citation `json:"-"`
}

// Reply posts the assignee's message, under their display name, and
// stops the response clocks. EConflict while waiting (claim first);
// EForbidden when it is someone else's.
func (s *Service) Reply(ctx context.Context, u *frontline.User, conversationID string, r ReplyRequest) (frontline.Message, error) {
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return frontline.Message{}, err
	}
	agent, err := s.authorize(ctx, u, e, ActOwn)
	if err != nil {
		return frontline.Message{}, err
	}
	if e.AssigneeID != u.ID {
		return frontline.Message{}, frontline.Errorf(frontline.EForbidden, "only the assignee replies; reassign it to yourself first")
	}
	body := r.Body
	if r.CannedID != "" {
		if body, err = s.RenderCanned(ctx, u, conversationID, r.CannedID, r.Vars); err != nil {
			return frontline.Message{}, err
		}
	}
	name := u.Name
	if agent != nil {
		name = agent.Name
	}
	res, err := s.log.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
		ConversationID: conversationID, Author: frontline.AuthorAgent, AuthorID: u.ID, AuthorName: name,
		Body: body, ClientMsgID: r.ClientMsgID, Meta: frontline.MessageMeta{Citations: r.Citations},
	}})
	if err != nil {
		return frontline.Message{}, err
	}
	if res.Duplicate {
		return res.Message, nil
	}
	now := s.now()
	_, err = s.update(ctx, conversationID, func(cur *frontline.QueueEntry, pol SLAPolicy) (*Change, error) {
		if cur.Status != frontline.QueueAssigned || cur.AssigneeID != u.ID {
			return nil, nil // it moved on meanwhile; the message stands
		}
		e := *cur
		var events []frontline.Event
		if e.RespondedAt.IsZero() {
			e.RespondedAt = now
			// A first response after its deadline whose breach timer has
			// not fired yet (due a moment ago, or held by a node that died
			// while firing it) is recorded as breached here: the timer
			// goes stale with this change and would record nothing.
			if !e.DueAt.IsZero() && now.After(e.DueAt) && !contains(e.Breached, TargetFirstResponse) {
				e.Breached = append(e.Breached, TargetFirstResponse)
				events = append(events, frontline.Event{ConversationID: e.ConversationID, Kind: frontline.EventSLABreach, Actor: "sla",
					Data: frontline.MustJSON(SLAData{Target: TargetFirstResponse, DueAt: e.DueAt, Assignee: cur.AssigneeID})})
			}
		}
		e.LastReplyAt, e.NextDueAt = now, time.Time{}
		e.Warned = without(e.Warned, TargetFirstResponse, TargetNextResponse)
		e.Epoch++
		return &Change{Entry: e, Conversation: frontline.StatusAssigned, Events: events, Timers: s.timers(&e, pol)}, nil
	})
	return res.Message, err
}

// CustomerWrote starts the next-response clock when a customer writes to
// a conversation an agent holds and has answered before. The bot calls
// it for every customer message while a person owns the conversation.
func (s *Service) CustomerWrote(ctx context.Context, conversationID string) error {
	now := s.now()
	_, err := s.update(ctx, conversationID, func(cur *frontline.QueueEntry, pol SLAPolicy) (*Change, error) {
		if cur.Status != frontline.QueueAssigned || cur.RespondedAt.IsZero() || !cur.NextDueAt.IsZero() {
			return nil, nil
		}
		e := *cur
		_, hours := s.policyAndHours(e.Priority, e.Team)
		e.NextDueAt = hours.Add(now, time.Duration(pol.NextResponse))
		e.Breached = without(e.Breached, TargetNextResponse)
		e.Epoch++
		return &Change{Entry: e, Conversation: frontline.StatusAssigned, Timers: s.timers(&e, pol)}, nil
	})
	if frontline.ErrorCode(err) == frontline.ENotFound {
		return nil
	}
	return err
}

// NoteData is the Data of an EventNote.
type NoteData struct {
	Body string `json:"body"`
}

// Note records a private note (agents only; the customer never sees it).
func (s *Service) Note(ctx context.Context, u *frontline.User, conversationID, body string) (frontline.Event, error) {
	body = strings.TrimSpace(body)
	if body == "" || len(body) > frontline.MaxBodyBytes {
		return frontline.Event{}, frontline.Errorf(frontline.EInvalid, "body: a note is 1-%d bytes", frontline.MaxBodyBytes)
	}
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return frontline.Event{}, err
	}
	if _, err := s.authorize(ctx, u, e, ActRead); err != nil {
		return frontline.Event{}, err
	}
	evs, err := s.log.AppendEvents(ctx, frontline.Event{ConversationID: conversationID, Kind: frontline.EventNote,
		Actor: u.ID, Data: frontline.MustJSON(NoteData{Body: body})})
	if err != nil {
		return frontline.Event{}, err
	}
	s.wake(ctx, conversationID)
	return evs[0], nil
}

// Tag limits.
const (
	maxTags     = 20
	maxTagBytes = 32
)

// SetTags replaces the conversation's tags (lower-cased, trimmed, each
// once). Anyone who may read it may tag it.
func (s *Service) SetTags(ctx context.Context, u *frontline.User, conversationID string, tags []string) (*frontline.QueueEntry, error) {
	var clean []string
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || slices.Contains(clean, t) {
			continue
		}
		if len(t) > maxTagBytes {
			return nil, frontline.Errorf(frontline.EInvalid, "tags: %q is longer than %d bytes", t, maxTagBytes)
		}
		clean = append(clean, t)
	}
	if len(clean) > maxTags {
		return nil, frontline.Errorf(frontline.EInvalid, "tags: at most %d", maxTags)
	}
	return s.act(ctx, u, conversationID, ActRead, func(cur *frontline.QueueEntry, pol SLAPolicy) (*Change, error) {
		e := *cur
		e.Tags = clean
		return &Change{Entry: e, Conversation: convStatus(&e), Events: []frontline.Event{{ConversationID: e.ConversationID,
			Kind: frontline.EventTags, Actor: u.ID, Data: frontline.MustJSON(map[string][]string{"tags": clean})}}}, nil
	})
}

// convStatus is the conversation status that goes with an entry's.
func convStatus(e *frontline.QueueEntry) frontline.ConversationStatus {
	switch e.Status {
	case frontline.QueueWaiting:
		return frontline.StatusQueued
	case frontline.QueueAssigned:
		return frontline.StatusAssigned
	}
	return frontline.StatusResolved
}

// TransferRequest moves a conversation to another team (functional) or up
// a tier (hierarchical), or both. Reason is required.
type TransferRequest struct {
	Team   string         `json:"team,omitempty"`
	Tier   frontline.Tier `json:"tier,omitempty"`
	Reason string         `json:"reason"`
}

// Transfer puts the conversation back in line for another team or tier,
// with fresh SLA deadlines there, and routes it. Its assignee or a
// supervisor may transfer. EInvalid for a team that does not exist, an
// unknown tier, no change or no reason.
func (s *Service) Transfer(ctx context.Context, u *frontline.User, conversationID string, r TransferRequest) (*frontline.QueueEntry, error) {
	r.Reason, r.Team = strings.TrimSpace(r.Reason), strings.TrimSpace(r.Team)
	if r.Reason == "" || len(r.Reason) > 500 {
		return nil, frontline.Errorf(frontline.EInvalid, "reason: say why, in at most 500 bytes")
	}
	if r.Tier != "" && r.Tier.Rank() == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "tier: %q is not one of t1, t2, t3, exec", r.Tier)
	}
	if r.Team != "" {
		if _, ok, err := s.dir.team(ctx, r.Team); err != nil {
			return nil, err
		} else if !ok {
			return nil, frontline.Errorf(frontline.EInvalid, "team: there is no team %q", r.Team)
		}
	}
	now := s.now()
	e, err := s.act(ctx, u, conversationID, ActOwn, func(cur *frontline.QueueEntry, _ SLAPolicy) (*Change, error) {
		if cur.Status == frontline.QueueResolved {
			return nil, frontline.Errorf(frontline.EConflict, "conversation %s is resolved; reopen it first", conversationID)
		}
		e := *cur
		e.Team, e.Tier = cmpOr(r.Team, e.Team), frontline.Tier(cmpOr(string(r.Tier), string(e.Tier)))
		if e.Team == cur.Team && e.Tier == cur.Tier {
			return nil, frontline.Errorf(frontline.EInvalid, "transfer: it is already with %s at %s", e.Team, e.Tier)
		}
		e.Status, e.AssigneeID, e.AssigneeName, e.AssignedAt = frontline.QueueWaiting, "", "", time.Time{}
		e.RespondedAt, e.NextDueAt, e.Warned, e.Breached, e.Declined = time.Time{}, time.Time{}, nil, nil, nil
		e.Epoch++
		timers, err := s.target(ctx, &e, now, true)
		if err != nil {
			return nil, err
		}
		ev := frontline.Event{ConversationID: e.ConversationID, Kind: frontline.EventTransfer, Actor: u.ID,
			Data: frontline.MustJSON(TransferData{FromTier: cur.Tier, FromTeam: cur.Team, ToTier: e.Tier, ToTeam: e.Team, Reason: r.Reason, DueAt: e.DueAt})}
		return &Change{Entry: e, Conversation: frontline.StatusQueued, Events: []frontline.Event{ev}, Timers: timers}, nil
	})
	if err != nil {
		return nil, err
	}
	s.Route(ctx)
	return e, nil
}

// HandBack returns the conversation to the bot, which answers again.
func (s *Service) HandBack(ctx context.Context, u *frontline.User, conversationID string) (*frontline.QueueEntry, error) {
	return s.finish(ctx, u, conversationID, frontline.EventHandback, frontline.StatusBot)
}

// Resolve closes the conversation; the customer's next message starts
// afresh with the bot. EConflict when it is resolved already.
func (s *Service) Resolve(ctx context.Context, u *frontline.User, conversationID string) (*frontline.QueueEntry, error) {
	return s.finish(ctx, u, conversationID, frontline.EventResolution, frontline.StatusResolved)
}

func (s *Service) finish(ctx context.Context, u *frontline.User, conversationID string, kind frontline.EventKind, status frontline.ConversationStatus) (*frontline.QueueEntry, error) {
	now := s.now()
	e, err := s.act(ctx, u, conversationID, ActOwn, func(cur *frontline.QueueEntry, _ SLAPolicy) (*Change, error) {
		if cur.Status != frontline.QueueAssigned {
			return nil, frontline.Errorf(frontline.EConflict, "conversation %s is %s, not assigned", conversationID, cur.Status)
		}
		e := *cur
		e.Status, e.ResolvedAt = frontline.QueueResolved, now
		e.Epoch++
		ev := frontline.Event{ConversationID: e.ConversationID, Kind: kind, Actor: u.ID,
			Data: frontline.MustJSON(AgentData{AgentID: cur.AssigneeID, Name: cur.AssigneeName, Tier: e.Tier, Team: e.Team})}
		return &Change{Entry: e, Conversation: status, Events: []frontline.Event{ev}}, nil
	})
	if err != nil {
		return nil, err
	}
	s.notice(ctx, e, kind)
	s.Route(ctx) // a seat is free
	return e, nil
}

// notice tells the customer the conversation went back to the bot or was
// closed (the widget offers the rating then).
func (s *Service) notice(ctx context.Context, e *frontline.QueueEntry, kind frontline.EventKind) {
	name := cmpOr(e.AssigneeName, "The agent")
	body, mkind := name+" handed you back to the assistant. Ask away.", KindReturnedToBot
	if kind == frontline.EventResolution {
		body, mkind = name+" closed the conversation. Write again any time.", KindResolved
	}
	_, err := s.log.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
		ConversationID: e.ConversationID, Author: frontline.AuthorSystem, Body: body,
		ClientMsgID: fmt.Sprintf("%s_%d", mkind, e.Epoch), Meta: frontline.MessageMeta{Kind: mkind},
	}})
	if err != nil {
		s.cfg.Logger.Warn("handoff: post the closing notice", "conversation", e.ConversationID, "err", err)
	}
}

// Reopen puts a resolved conversation back in its line with fresh
// deadlines. Agents who work its line and supervisors may reopen.
func (s *Service) Reopen(ctx context.Context, u *frontline.User, conversationID string) (*frontline.QueueEntry, error) {
	now := s.now()
	e, err := s.act(ctx, u, conversationID, ActClaim, func(cur *frontline.QueueEntry, _ SLAPolicy) (*Change, error) {
		if cur.Status != frontline.QueueResolved {
			return nil, frontline.Errorf(frontline.EConflict, "conversation %s is %s, not resolved", conversationID, cur.Status)
		}
		e := *cur
		e.Status, e.AssigneeID, e.AssigneeName, e.AssignedAt, e.ResolvedAt = frontline.QueueWaiting, "", "", time.Time{}, time.Time{}
		e.RespondedAt, e.NextDueAt, e.Warned, e.Breached, e.Declined = time.Time{}, time.Time{}, nil, nil, nil
		e.Epoch++
		timers, err := s.target(ctx, &e, now, true)
		if err != nil {
			return nil, err
		}
		ev := frontline.Event{ConversationID: e.ConversationID, Kind: frontline.EventReopen, Actor: u.ID,
			Data: frontline.MustJSON(AgentData{AgentID: u.ID, Tier: e.Tier, Team: e.Team})}
		return &Change{Entry: e, Conversation: frontline.StatusQueued, Events: []frontline.Event{ev}, Timers: timers}, nil
	})
	if err != nil {
		return nil, err
	}
	s.Route(ctx)
	return e, nil
}

// Reassign takes the conversation from whoever holds it and gives it to
// agentID (supervisors only). The new agent's capacity and eligibility
// hold as for a claim; when their claim fails, the conversation waits in
// line and is routed.
func (s *Service) Reassign(ctx context.Context, u *frontline.User, conversationID, agentID string) (*frontline.QueueEntry, error) {
	if _, err := s.store.FindAgent(ctx, agentID); err != nil {
		return nil, wrap("reassign", err)
	}
	_, err := s.act(ctx, u, conversationID, ActSupervise, func(cur *frontline.QueueEntry, _ SLAPolicy) (*Change, error) {
		if cur.Status == frontline.QueueResolved {
			return nil, frontline.Errorf(frontline.EConflict, "conversation %s is resolved", conversationID)
		}
		if cur.Status == frontline.QueueWaiting {
			return nil, nil
		}
		e := unassign(cur)
		return &Change{Entry: e, Conversation: frontline.StatusQueued, Events: []frontline.Event{unassignEvent(cur, u.ID, "reassigned by a supervisor")}}, nil
	})
	if err != nil {
		return nil, err
	}
	e, err := s.claim(ctx, ClaimRequest{AgentID: agentID, ConversationID: conversationID}, u.ID, "reassigned by a supervisor")
	if err != nil {
		s.Route(ctx)
		return nil, err
	}
	return e, nil
}

// unassign returns cur to its line, keeping its deadlines.
func unassign(cur *frontline.QueueEntry) frontline.QueueEntry {
	e := *cur
	e.Status, e.AssigneeID, e.AssigneeName, e.AssignedAt = frontline.QueueWaiting, "", "", time.Time{}
	e.Epoch++
	return e
}

func unassignEvent(cur *frontline.QueueEntry, actor, reason string) frontline.Event {
	return frontline.Event{ConversationID: cur.ConversationID, Kind: frontline.EventUnassign, Actor: actor,
		Data: frontline.MustJSON(AgentData{AgentID: cur.AssigneeID, Name: cur.AssigneeName, Tier: cur.Tier, Team: cur.Team, Reason: reason})}
}

// CSATRequestText is what the customer is asked.
const CSATRequestText = "How did we do? Please rate this conversation from 1 to 5."

// RequestCSAT asks the customer to rate the conversation: a system
// message the widget shows as a rating form. Its assignee (also after
// resolving it) or a supervisor may ask.
func (s *Service) RequestCSAT(ctx context.Context, u *frontline.User, conversationID string) (frontline.Message, error) {
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return frontline.Message{}, err
	}
	// Its assignee asks, also just after resolving it.
	justResolved := u != nil && !u.Disabled && e.Status == frontline.QueueResolved && e.AssigneeID == u.ID
	if _, err := s.authorize(ctx, u, e, ActOwn); err != nil && !justResolved {
		return frontline.Message{}, err
	}
	res, err := s.log.AppendMessage(ctx, frontline.AppendRequest{
		Message: frontline.Message{ConversationID: conversationID, Author: frontline.AuthorSystem, Body: CSATRequestText,
			ClientMsgID: fmt.Sprintf("csat_%d", e.Epoch), Meta: frontline.MessageMeta{Kind: KindCSATRequest}},
		Events: []frontline.Event{{ConversationID: conversationID, Kind: frontline.EventCSATRequest, Actor: u.ID}},
	})
	if err != nil {
		return frontline.Message{}, err
	}
	return res.Message, nil
}

// SetPresence sets the caller's presence; coming online routes waiting
// conversations to them.
func (s *Service) SetPresence(ctx context.Context, u *frontline.User, p frontline.Presence) (*Agent, error) {
	if !p.Valid() {
		return nil, frontline.Errorf(frontline.EInvalid, "presence: %q is not online, away or offline", p)
	}
	if _, err := s.authorize(ctx, u, nil, ActRead); err != nil {
		return nil, err
	}
	if err := s.store.SetPresence(ctx, u.ID, p, s.now()); err != nil {
		return nil, wrap("set presence", err)
	}
	if p == frontline.PresenceOnline {
		s.Route(ctx)
	}
	return s.store.FindAgent(ctx, u.ID)
}

// Typing relays the caller's typing to the customer (on another node too).
func (s *Service) Typing(ctx context.Context, u *frontline.User, conversationID string, on bool) error {
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return err
	}
	if _, err := s.authorize(ctx, u, e, ActOwn); err != nil {
		return err
	}
	until := int64(1)
	if on {
		until = s.cfg.Now().UnixMilli() + frontline.TypingFor
	}
	return s.bus.Publish(ctx, frontline.AgentTypingTopic(conversationID), until)
}

// RenderCanned fills a canned reply's variables for a conversation.
func (s *Service) RenderCanned(ctx context.Context, u *frontline.User, conversationID, cannedID string, vars map[string]string) (string, error) {
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return "", err
	}
	agent, err := s.authorize(ctx, u, e, ActRead)
	if err != nil {
		return "", err
	}
	all, err := s.store.FindCannedReplies(ctx)
	if err != nil {
		return "", wrap("canned replies", err)
	}
	i := slices.IndexFunc(all, func(c CannedReply) bool { return c.ID == cannedID })
	if i < 0 {
		return "", frontline.Errorf(frontline.ENotFound, "no canned reply %q", cannedID)
	}
	conv, err := s.log.FindConversationByID(ctx, conversationID)
	if err != nil {
		return "", err
	}
	return all[i].Render(conv, e, agent, vars), nil
}

// act authorizes u for act on the conversation, then updates it.
func (s *Service) act(ctx context.Context, u *frontline.User, conversationID string, act Action, decide func(cur *frontline.QueueEntry, pol SLAPolicy) (*Change, error)) (*frontline.QueueEntry, error) {
	c, err := s.caller(ctx, u)
	if err != nil {
		return nil, err
	}
	e, err := s.Entry(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if err := c.may(e, act); err != nil {
		return nil, err
	}
	return s.update(ctx, conversationID, func(cur *frontline.QueueEntry, pol SLAPolicy) (*Change, error) {
		// Decided again on the entry as locked: it may have changed since.
		if err := c.may(cur, act); err != nil {
			return nil, err
		}
		return decide(cur, pol)
	})
}

// update runs decide under the store's locks with the entry's policy,
// then wakes the conversation's readers. decide must not call the store
// (the memory store's lock is held): read what it needs before.
func (s *Service) update(ctx context.Context, conversationID string, decide func(cur *frontline.QueueEntry, pol SLAPolicy) (*Change, error)) (*frontline.QueueEntry, error) {
	_, pols, err := s.dir.load(ctx)
	if err != nil {
		return nil, err
	}
	changed := false
	e, err := s.store.Update(ctx, conversationID, func(cur *frontline.QueueEntry) (*Change, error) {
		c, err := decide(cur, s.policy(pols, cur.Priority))
		changed = c != nil
		return c, err
	})
	if err != nil {
		return nil, wrap("update", err)
	}
	if changed {
		s.wake(ctx, conversationID)
	}
	return e, nil
}

func without(list []string, drop ...string) []string {
	var out []string
	for _, x := range list {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}
