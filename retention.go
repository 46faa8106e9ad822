package frontline

import (
	"context"
	"time"
)

// PurgeRequest names one step of a retention sweep: which conversations
// are too old, and which page of the log to look at.
type PurgeRequest struct {
	// Before is the retention cutoff: a conversation whose last activity
	// (its last message, update or event) is before it goes.
	Before time.Time
	// After is the cursor: only conversations with ids after it are looked
	// at ("" starts from the beginning). Pass the previous PurgeResult.Next.
	After string
	// Limit bounds the conversations looked at (not only deleted) in this
	// step, so that each step is one short transaction. At least 1.
	Limit int
}

// PurgeResult is what one step did.
type PurgeResult struct {
	Deleted int
	// Next is the cursor of the next step; "" when the whole log was
	// looked at.
	Next string
}

// Purger deletes what the product keeps about old conversations (the
// retention setting). Implementations: internal/postgres and
// internal/memory; internal/storetest's retention suite checks both.
type Purger interface {
	// PurgeConversations deletes, among the conversations of the page the
	// request names, those inactive since before req.Before, with
	// everything tied to them: messages, events, the bot's obligations,
	// the hand-off (queue entry and packet) and its SLA timers, and the
	// questions the knowledge base recorded from them (the unanswered
	// report) with their hand-off marks. Conversations a person still
	// holds (queued or assigned) are kept, however old: retention never
	// pulls a conversation out from under an agent. A conversation being
	// written at that moment is skipped (the next sweep looks again).
	// EInvalid for a Limit below 1.
	PurgeConversations(ctx context.Context, req PurgeRequest) (PurgeResult, error)
	// PurgeCandidates deletes the knowledge base's learned phrasing
	// candidates (customers' questions proposed as an article's phrasings)
	// last proposed before before and not accepted by an editor, and
	// returns how many: they are customers' words too. An accepted one is
	// part of the KB now, and stays.
	PurgeCandidates(ctx context.Context, before time.Time) (int, error)
}
