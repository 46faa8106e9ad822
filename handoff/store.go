package handoff

import (
	"context"
	"time"

	"github.com/frontlinehq/frontline"
)

// Store keeps the human queue next to the conversation log, so that a queue
// change and the conversation's status change (and their audit events)
// commit together. internal/postgres and internal/memory implement it and
// pass internal/handofftest. Errors are domain errors: ENotFound for an
// unknown conversation or one that was never queued, EConflict for a change
// the entry's current state does not allow, EForbidden for an agent acting
// on a conversation they do not own; anything else is internal. Every
// method is safe for concurrent use, and every write wakes
// frontline.TopicQueue after it commits. Events recorded by a change that
// name no Seq get the conversation's last seq at that moment, so readers can
// tell which messages came before it (a hand-back ends what the bot had
// seen).
type Store interface {
	// Enqueue stores e (Status waiting; ConversationID, Tier, Team,
	// Priority, EnqueuedAt, DueAt and Packet set by the caller), marks the
	// conversation queued (and private when e.Packet.Private), records
	// events and schedules timers, all in one commit. When the
	// conversation already has a waiting or assigned entry, it changes
	// nothing and returns that entry with created false. An earlier
	// resolved entry is replaced. ENotFound when the conversation does not
	// exist.
	//
	// With offer set, a new entry that is alone in its line (tier and
	// team) is placed in the same commit with the online eligible agent
	// who has room and the lowest load, as Offer would (the stored entry
	// is then assigned): the common hand-off costs one commit. Entries
	// with others ahead are left to Offer, which keeps the queue order.
	Enqueue(ctx context.Context, e *frontline.QueueEntry, events []frontline.Event, timers []Timer, offer ClaimPlan) (stored *frontline.QueueEntry, created bool, err error)

	// FindQueueEntry returns the conversation's entry, whatever its
	// status. ENotFound when it was never queued.
	FindQueueEntry(ctx context.Context, conversationID string) (*frontline.QueueEntry, error)

	// QueueRank returns the entry without its packet (it is read on every
	// queue change by every waiting customer) and, while it is waiting,
	// its 1-based place among the waiting entries of the same tier and
	// team in queue order (see QueueOrder); 0 when it is not waiting.
	// ENotFound when the conversation was never queued.
	QueueRank(ctx context.Context, conversationID string) (*frontline.QueueEntry, int, error)

	// WaitingPlaces returns, for every waiting entry, its 1-based place
	// among the waiting entries of the same tier and team in queue order
	// (the place QueueRank gives), by conversation ID: one read that
	// answers every waiting customer at once.
	WaitingPlaces(ctx context.Context) (map[string]WaitingPlace, error)

	// FindQueueEntries lists entries matching f in queue order.
	FindQueueEntries(ctx context.Context, f QueueFilter) ([]*frontline.QueueEntry, error)

	// Claim gives a waiting entry to an agent, in one commit that locks
	// the agent's profile first, so that capacity is checked against what
	// the agent holds at that moment: of racing claims exactly one wins
	// an entry, and an agent never holds more than their capacity. With
	// ConversationID empty it takes the first waiting entry in queue order
	// the agent is eligible for (tier and team) and has not declined,
	// skipping entries other claims hold locked (ENotFound when there is
	// none). Errors: ENotFound for an unknown agent or a conversation
	// never queued; EForbidden when the agent is not eligible; EConflict
	// when the entry is not waiting or the agent is at capacity.
	Claim(ctx context.Context, req ClaimRequest) (*frontline.QueueEntry, error)

	// Offer assigns waiting entries, in queue order, each to the online
	// eligible agent with free capacity and the lowest load (fewest held
	// for their capacity, then the longest since their last assignment),
	// until no entry can be placed or limit entries were; one commit per
	// entry, with plan's change. It returns the entries it assigned.
	Offer(ctx context.Context, plan ClaimPlan, limit int) ([]*frontline.QueueEntry, error)

	// Update changes one entry: under the conversation's and the entry's
	// locks it calls decide with the current entry; a nil Change writes
	// nothing, an error aborts. The change, the conversation's status and
	// assignee, its events and timers commit together. When ctx carries
	// the timer being fired (see the timer runners), the timer is
	// completed in the same commit, whatever decide returns short of an
	// error. ENotFound when the conversation was never queued.
	Update(ctx context.Context, conversationID string, decide func(cur *frontline.QueueEntry) (*Change, error)) (*frontline.QueueEntry, error)

	Directory
}

// Directory keeps the people and rules routing works with. Put* replace
// whole records; Find* of an unknown id return ENotFound.
type Directory interface {
	PutTeam(ctx context.Context, t frontline.Team) error
	DeleteTeam(ctx context.Context, id string) error
	FindTeams(ctx context.Context) ([]frontline.Team, error)

	// PutAgent stores a profile, keeping its presence when it exists.
	PutAgent(ctx context.Context, a Agent) error
	DeleteAgent(ctx context.Context, userID string) error
	// FindAgent and FindAgents fill Load.
	FindAgent(ctx context.Context, userID string) (*Agent, error)
	FindAgents(ctx context.Context) ([]*Agent, error)
	SetPresence(ctx context.Context, userID string, p frontline.Presence, at time.Time) error

	PutSLAPolicy(ctx context.Context, p SLAPolicy) error
	FindSLAPolicies(ctx context.Context) ([]SLAPolicy, error)

	PutCannedReply(ctx context.Context, c CannedReply) error
	DeleteCannedReply(ctx context.Context, id string) error
	FindCannedReplies(ctx context.Context) ([]CannedReply, error)
}

// WaitingPlace is a waiting conversation's place in its line.
type WaitingPlace struct {
	Place int
	Tier  frontline.Tier
	Team  string
}

// Change is the new state of an entry and what comes with it.
type Change struct {
	// Entry is written whole.
	Entry frontline.QueueEntry
	// Conversation is the conversation's new status; its assignee is
	// Entry.AssigneeID while assigned, nobody otherwise.
	Conversation frontline.ConversationStatus
	Events       []frontline.Event
	Timers       []Timer
}

// ClaimRequest names who claims what.
type ClaimRequest struct {
	AgentID string
	// ConversationID is the entry to claim; empty for the next one.
	ConversationID string
	Plan           ClaimPlan
}

// ClaimPlan makes the change of a claim from the waiting entry and the
// agent taking it (with Load as before the claim).
type ClaimPlan func(cur *frontline.QueueEntry, a *Agent) Change

// Timer is a durable SLA deadline: at At, Service.Fire runs it once.
type Timer struct {
	ConversationID string    `json:"conversation_id"`
	Kind           TimerKind `json:"kind"`
	// Target is the SLA target of warn and breach timers.
	Target string `json:"target,omitempty"`
	// Epoch is the entry's epoch when the timer was set: a timer of an
	// older epoch is stale and does nothing.
	Epoch int64     `json:"epoch"`
	At    time.Time `json:"at"`
	// Agent is the assignee a no-answer timer watches.
	Agent string `json:"agent,omitempty"`
}

// TimerKind says what a timer does.
type TimerKind string

const (
	TimerWarn     TimerKind = "warn"
	TimerBreach   TimerKind = "breach"
	TimerNoAnswer TimerKind = "no_answer"
)

// TimerRunner delivers due timers to fire, each once even across nodes and
// restarts: internal/postgres on River, internal/memory in process.
type TimerRunner interface {
	Start(ctx context.Context, fire func(context.Context, Timer) error) error
	Stop(ctx context.Context) error
}

// QueueOrder is the order humans take waiting conversations in: higher
// priority first, then the earlier SLA deadline, then who waited longest.
// Stores break remaining ties by insertion order.
const QueueOrder = "priority rank desc, due_at asc, enqueued_at asc"

// QueueFilter selects queue entries. Zero fields match everything.
type QueueFilter struct {
	Status frontline.QueueStatus
	Tier   frontline.Tier
	Team   string
	// Since keeps entries enqueued at or after it.
	Since time.Time
	Limit int // 0 means frontline.DefaultListLimit
}

// ValidQueueStatus reports whether s is a status a filter may name.
func ValidQueueStatus(s frontline.QueueStatus) bool {
	switch s {
	case frontline.QueueWaiting, frontline.QueueAssigned, frontline.QueueResolved:
		return true
	}
	return false
}
