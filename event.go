package frontline

import (
	"encoding/json"
	"time"
)

// EventKind names what happened. Events are the audit trail.
type EventKind string

const (
	EventConversationStarted EventKind = "conversation.started"
	EventSignal              EventKind = "signal"        // a detector fired; Data is a Signal
	EventSearch              EventKind = "kb.search"     // what the bot retrieved and decided
	EventHandoff             EventKind = "handoff"       // the bot handed off; Data is the packet summary
	EventClaim               EventKind = "claim"         // an agent took it
	EventTransfer            EventKind = "transfer"      // moved to another tier or team
	EventHandback            EventKind = "handback"      // the agent gave it back to the bot
	EventNote                EventKind = "note"          // an agent's internal note
	EventSLABreach           EventKind = "sla.breach"    // a deadline passed
	EventEscalation          EventKind = "escalation"    // moved up after a breach
	EventResolution          EventKind = "resolution"    // closed
	EventCSAT                EventKind = "csat"          // the customer's rating
	EventPrivacy             EventKind = "privacy"       // moved to private visibility
	EventStatus              EventKind = "status.change" // status changed
	// EventObligationDropped: the bot's obligation to answer a message was
	// dropped without a reply; Data is a DropData.
	EventObligationDropped EventKind = "bot.dropped"
	EventSLAWarning        EventKind = "sla.warning"  // a deadline is near
	EventTags              EventKind = "tags"         // an agent changed the tags
	EventReopen            EventKind = "reopen"       // a resolved conversation came back to an agent
	EventCSATRequest       EventKind = "csat.request" // an agent asked the customer to rate
	EventUnassign          EventKind = "unassign"     // the assignee lost it (no answer, reassignment)
)

// Event is one thing that happened in a conversation, other than a message.
type Event struct {
	ID             int64     `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Kind           EventKind `json:"kind"`
	// Actor: "bot", "system", an agent id or a visitor id.
	Actor string `json:"actor,omitempty"`
	// Seq of the message the event is about, 0 when none. When the event
	// is appended with a message, the store fills it in.
	Seq       int64           `json:"seq,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// EventFilter selects events. ConversationID or Kinds must be set.
type EventFilter struct {
	ConversationID string
	Kinds          []EventKind
	Since          time.Time
	AfterID        int64
	Limit          int // 0 means DefaultListLimit
}

// MustJSON marshals v for an Event's Data; it panics only on values that
// cannot be marshalled, which is a programming error.
func MustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("frontline: MustJSON: " + err.Error())
	}
	return b
}

// ValidateEvent checks an event before it is recorded.
func ValidateEvent(e *Event) error {
	switch {
	case !ValidID(e.ConversationID):
		return Errorf(EInvalid, "event needs a valid conversation id")
	case e.Kind == "":
		return Errorf(EInvalid, "event needs a kind")
	case len(e.Data) > 0 && !json.Valid(e.Data):
		return Errorf(EInvalid, "event data is not valid JSON")
	}
	return nil
}
