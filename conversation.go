package frontline

import (
	"context"
	"time"
)

// ConversationStatus says who is answering a conversation.
type ConversationStatus string

const (
	// StatusBot: the bot answers; no human is involved yet.
	StatusBot ConversationStatus = "bot"
	// StatusQueued: handed off, waiting in a human queue. The bot still
	// answers questions it can answer (the customer keeps their place),
	// and says nothing else.
	StatusQueued ConversationStatus = "queued"
	// StatusAssigned: a human agent owns it. The bot never sends.
	StatusAssigned ConversationStatus = "assigned"
	// StatusResolved: closed; a new customer message reopens it with the bot.
	StatusResolved ConversationStatus = "resolved"
)

// Valid reports whether s is a known status.
func (s ConversationStatus) Valid() bool {
	switch s {
	case StatusBot, StatusQueued, StatusAssigned, StatusResolved:
		return true
	}
	return false
}

// BotMaySend reports whether the bot is allowed to post in this status:
// every status but assigned (while queued, only answers it can cite; see
// bot).
func (s ConversationStatus) BotMaySend() bool { return s != StatusAssigned }

// Conversation is one customer's thread on one site. Its messages and events
// are the log; the fields here are a summary derived as they are appended.
type Conversation struct {
	ID        string `json:"id"`
	SiteKey   string `json:"site_key"`
	VisitorID string `json:"visitor_id"`
	// CustomerID is the site's own id for a verified customer; empty when
	// the visitor is anonymous.
	CustomerID string             `json:"customer_id,omitempty"`
	Status     ConversationStatus `json:"status"`
	// Private conversations are visible only to roles allowed to see
	// private topics (see handoff).
	Private    bool              `json:"private"`
	AssigneeID string            `json:"assignee_id,omitempty"`
	LastSeq    int64             `json:"last_seq"`
	Profile    map[string]string `json:"profile,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// ConversationFilter selects conversations. At least one of VisitorID,
// CustomerID or IDs must be set: the log never lists everyone's threads.
type ConversationFilter struct {
	IDs        []string
	SiteKey    string
	VisitorID  string
	CustomerID string
	Status     ConversationStatus
	Limit      int // 0 means DefaultListLimit
}

// DefaultListLimit bounds listings whose caller gave no limit.
const DefaultListLimit = 100

// ConversationUpdate changes the fields that are set.
type ConversationUpdate struct {
	Status     *ConversationStatus
	Private    *bool
	AssigneeID *string
	Profile    map[string]string // merged into the existing profile
	// Events are recorded in the same commit as the update.
	Events []Event
}

// Log is the conversation log: the spine every part reads and writes.
// Implementations: internal/postgres (durable) and internal/memory.
type Log interface {
	// CreateConversation stores c, filling ID (when empty), Status (bot when
	// empty), LastSeq and timestamps. EInvalid when VisitorID is missing;
	// EConflict when the ID is taken.
	CreateConversation(ctx context.Context, c *Conversation) error

	// FindConversationByID returns the conversation or ENotFound.
	FindConversationByID(ctx context.Context, id string) (*Conversation, error)

	// FindConversations returns matching conversations, newest first.
	// EInvalid when the filter names no visitor, customer or ids.
	FindConversations(ctx context.Context, filter ConversationFilter) ([]*Conversation, error)

	// UpdateConversation applies upd and its events in one commit and
	// returns the result. ENotFound for an unknown id.
	UpdateConversation(ctx context.Context, id string, upd ConversationUpdate) (*Conversation, error)

	// AppendMessage stores a message and its events in one commit, giving
	// the message the conversation's next seq (1, 2, 3... with no gaps), and
	// wakes the conversation's bus topic after the commit. A customer
	// message owes the bot's obligation to answer it (see Obligations),
	// committed with it; a reply with req.Answers set completes the
	// obligation it names in its own commit (ErrNotOwed when nothing is
	// owed any more).
	//
	// When a message with the same (conversation, ClientMsgID) exists, it
	// returns that message with Duplicate set and stores nothing.
	// ENotFound for an unknown conversation; ETooLarge when the body exceeds
	// MaxBodyBytes; EInvalid for a missing author or an empty body;
	// EConflict when the author is the bot and an agent owns the
	// conversation (assigned). While queued the bot may still post.
	AppendMessage(ctx context.Context, req AppendRequest) (AppendResult, error)

	// ReadMessages returns up to limit messages with seq > afterSeq in seq
	// order (limit 0 means DefaultListLimit). ENotFound for an unknown
	// conversation.
	ReadMessages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]Message, error)

	// AppendEvents records events (audit trail) in one commit and returns
	// them with IDs and times. ENotFound for an unknown conversation.
	AppendEvents(ctx context.Context, events ...Event) ([]Event, error)

	// FindEvents returns matching events in the order they were recorded.
	FindEvents(ctx context.Context, filter EventFilter) ([]Event, error)

	// Obligations: the bot's answers owed to this log's customer messages,
	// committed with them.
	Obligations
}
