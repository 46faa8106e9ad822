package frontline

import (
	"context"
	"time"
)

// Responder reacts to a customer message after it was committed to the Log:
// the bot. A worker on any node calls it for each obligation it claims (see
// Obligations) and relays nothing itself: readers learn of the replies
// through the Bus like of every other append.
type Responder interface {
	// HandleMessage reads msg (already stored, masked) in conversation
	// conv and appends zero or more replies or events. conv was read just
	// before the call (its owner may change at any moment after; the Log
	// refuses the bot's messages once a human owns the conversation). It
	// must be safe to call concurrently for different conversations.
	//
	// The reply completes msg's obligation when it is appended with
	// AppendRequest.Answers set to msg.Seq; a responder that decides not
	// to answer may call DropObligation itself (with the events that say
	// why). Returning nil means the responder is done with msg: the caller
	// drops what is still owed. An error leaves the obligation owed, to be
	// tried again later, possibly on another node: the call must be safe
	// to repeat (Answers makes a second reply a no-op).
	HandleMessage(ctx context.Context, conv *Conversation, msg Message) error
}

// An obligation is the bot's duty to answer one customer message. Every
// customer message appended to the Log owes one, committed with the message;
// it is done when a reply or hand-off notice is appended with
// AppendRequest.Answers naming it, or when it is dropped. While owed it is
// due at a time: at once when stored, later after a failed attempt, or when
// the lease of the worker that claimed it runs out.
type Obligation struct {
	// Message is the customer message owed an answer.
	Message Message
	// Conversation is the message's conversation as read at the claim.
	Conversation *Conversation
	// Attempt counts the claims, this one included (1 the first time).
	Attempt int
}

// ClaimOpts bound a claim of obligations.
type ClaimOpts struct {
	// Limit is the most obligations returned (at least 1).
	Limit int
	// Lease is how long the claim lasts: if the claimer neither completes
	// nor extends it by then (its node died), the obligation is due again.
	Lease time.Duration
}

// Obligations is the bot's durable to-do list, kept by the Log beside the
// customer messages and committed with them. Implementations:
// internal/postgres (a bot_obligations row per owed message) and
// internal/memory.
type Obligations interface {
	// ClaimObligations leases up to opts.Limit due obligations, oldest due
	// first, and returns them. Per conversation only the earliest owed
	// message is ever claimable, so a conversation's messages are handled
	// one at a time, in seq order; concurrent claimers (on any node) never
	// get the same obligation while its lease runs. EInvalid for a limit
	// below 1 or a lease of 0.
	ClaimObligations(ctx context.Context, opts ClaimOpts) ([]Obligation, error)

	// ExtendObligations renews the lease of the named obligations still
	// owed (a claimer that is still working on them).
	ExtendObligations(ctx context.Context, keys []ObligationKey, lease time.Duration) error

	// RetryObligation makes an owed obligation due again after delay (a
	// failed attempt backs off). Nothing happens when it is done already.
	RetryObligation(ctx context.Context, key ObligationKey, delay time.Duration) error

	// DropObligation marks the obligation done without a reply and records
	// events (why) in the same commit. It reports whether it was still
	// owed: when it was not (answered or dropped already), nothing is
	// recorded. ENotFound never: an unknown key is simply not owed.
	DropObligation(ctx context.Context, key ObligationKey, events ...Event) (dropped bool, err error)

	// Owed receives (coalesced, never blocking an append) after this
	// process stores a new obligation, so that its worker claims it at
	// once; obligations stored by other processes are found by polling.
	// Every call returns the same channel: one worker per process reads it.
	Owed() <-chan struct{}
}

// ObligationKey names the customer message an obligation is for.
type ObligationKey struct {
	ConversationID string
	Seq            int64
}

// Key is the obligation's key.
func (o Obligation) Key() ObligationKey {
	return ObligationKey{ConversationID: o.Message.ConversationID, Seq: o.Message.Seq}
}

// ErrNotOwed refuses a reply whose AppendRequest.Answers names a message
// that is owed nothing (any more): it was answered, handed off or dropped
// already, or is not a customer message. Nothing is stored.
var ErrNotOwed = &Error{Code: EConflict, Message: "that message is answered already"}

// DropData is the Data of an EventObligationDropped.
type DropData struct {
	Reason string `json:"reason"`
}

// Reasons an obligation is dropped.
const (
	// DropHumanOwns: a person owns the conversation; the bot stays silent.
	DropHumanOwns = "a human owns the conversation"
	// DropQueued: the conversation waits for a person and the bot has
	// nothing it can cite; the person in line answers it.
	DropQueued = "queued for a person; nothing the bot can cite"
	// DropNoReply: the responder finished without answering (a message
	// that was a person's to answer, or answered before).
	DropNoReply = "the responder did not answer"
)
