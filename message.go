package frontline

import "time"

// MaxBodyBytes bounds a message body. Larger bodies are refused with
// ETooLarge by every Log.
const MaxBodyBytes = 16 << 10

// Author is who wrote a message.
type Author string

const (
	AuthorCustomer Author = "customer"
	AuthorBot      Author = "bot"
	AuthorAgent    Author = "agent"
	AuthorSystem   Author = "system"
)

// Valid reports whether a is a known author kind.
func (a Author) Valid() bool {
	switch a {
	case AuthorCustomer, AuthorBot, AuthorAgent, AuthorSystem:
		return true
	}
	return false
}

// Message is one entry of a conversation. Seq orders it within its
// conversation; ClientMsgID makes sending it idempotent.
type Message struct {
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	ClientMsgID    string `json:"client_msg_id,omitempty"`
	Author         Author `json:"author"`
	// AuthorID is the agent's id for agent messages, the visitor's for
	// customer messages; empty for bot and system.
	AuthorID   string `json:"author_id,omitempty"`
	AuthorName string `json:"author_name,omitempty"`
	// Body as stored: private data is already masked (see bot's guard).
	Body      string      `json:"body"`
	Meta      MessageMeta `json:"meta"`
	CreatedAt time.Time   `json:"created_at"`
}

// MessageMeta is what a message carries besides its text.
type MessageMeta struct {
	// Kind refines the author: for the bot "answer", "clarify", "handoff",
	// "fallback"; for the system "queue", "joined", "resolved"...
	Kind string `json:"kind,omitempty"`
	// Citations are the published article revisions a bot answer rests on.
	Citations []Citation `json:"citations,omitempty"`
	// Confidence of a bot answer in [0,1].
	Confidence *float64 `json:"confidence,omitempty"`
	// Redactions lists the kinds of private data masked out of Body.
	Redactions []string `json:"redactions,omitempty"`
	// ReplyTo is the seq of the customer message a bot reply answers.
	ReplyTo int64 `json:"reply_to,omitempty"`
	// Extra holds small string facts for pages (queue position, eta...).
	Extra map[string]string `json:"extra,omitempty"`
}

// Citation names one article revision an answer was drawn from.
type Citation struct {
	ArticleID  string  `json:"article_id"`
	RevisionID string  `json:"revision_id"`
	Slug       string  `json:"slug,omitempty"`
	Title      string  `json:"title"`
	URL        string  `json:"url,omitempty"`
	Score      float64 `json:"score"`
}

// AppendRequest is a message to append with the events recorded in the same
// commit (for example the signals detected in it).
type AppendRequest struct {
	Message Message
	Events  []Event
}

// AppendResult is the stored message. Duplicate is true when the message had
// been stored before under the same client message id; nothing new was
// written then.
type AppendResult struct {
	Message   Message
	Duplicate bool
}
