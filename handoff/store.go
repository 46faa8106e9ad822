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
	// conversation queued (and private when e.Packet.Private) and records
	// events, all in one commit. When the conversation already has a
	// waiting or assigned entry, it changes nothing and returns that entry
	// with created false. An earlier resolved entry is replaced.
	// ENotFound when the conversation does not exist.
	Enqueue(ctx context.Context, e *frontline.QueueEntry, events []frontline.Event) (stored *frontline.QueueEntry, created bool, err error)

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
	WaitingPlaces(ctx context.Context) (map[string]int, error)

	// FindQueueEntries lists entries matching f in queue order.
	FindQueueEntries(ctx context.Context, f QueueFilter) ([]*frontline.QueueEntry, error)

	// Assign gives a waiting entry to agentID: the entry becomes assigned,
	// the conversation assigned to that agent, and events are recorded,
	// in one commit. Of racing calls exactly one wins; the others get
	// EConflict. EConflict when the entry is not waiting; ENotFound when
	// the conversation was never queued.
	Assign(ctx context.Context, conversationID, agentID string, events []frontline.Event) (*frontline.QueueEntry, error)

	// Release ends agentID's ownership: the entry becomes resolved, the
	// conversation goes back to the bot with no assignee, and events are
	// recorded, in one commit. EForbidden when another agent owns it;
	// EConflict when it is not assigned; ENotFound when never queued.
	Release(ctx context.Context, conversationID, agentID string, events []frontline.Event) (*frontline.QueueEntry, error)
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
