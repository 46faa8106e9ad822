package frontline

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

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
	// Citations are the published article revisions a bot answer rests on;
	// on a "fallback" they are articles suggested for reading instead.
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

// Clone returns a copy of m that shares no slices or maps with it.
func (m Message) Clone() Message {
	m.Meta.Citations = slices.Clone(m.Meta.Citations)
	m.Meta.Redactions = slices.Clone(m.Meta.Redactions)
	m.Meta.Extra = maps.Clone(m.Meta.Extra)
	if m.Meta.Confidence != nil {
		c := *m.Meta.Confidence
		m.Meta.Confidence = &c
	}
	return m
}

// AppendRequest is a message to append with the events recorded in the same
// commit (for example the signals detected in it).
type AppendRequest struct {
	Message Message
	Events  []Event
	// Start, when set, is the conversation to create in the same commit if
	// it does not exist yet (as CreateConversation would; its ID is
	// Message.ConversationID, its status bot), so a visitor's first
	// message costs one commit. When it exists already it must be the same
	// visitor's on the same site, or the append is refused with EConflict.
	Start *Conversation
	// Answers, when not 0, is the seq of the customer message this reply
	// (or hand-off notice) answers: the append completes that message's
	// obligation in the same commit, or, when nothing is owed any more
	// (answered, handed off or dropped already), stores nothing and
	// returns ErrNotOwed. So of racing or repeated replies to one message
	// exactly one is stored.
	Answers int64
}

// AppendResult is the stored message. Duplicate is true when the message had
// been stored before under the same client message id; nothing new was
// written then. Started is true when the append created the conversation.
type AppendResult struct {
	Message   Message
	Duplicate bool
	Started   bool
}

// PrepareStart checks the conversation of an AppendRequest.Start and fills
// in what the store would on creation (ID, status); every Log calls it.
func (r *AppendRequest) PrepareStart() error {
	c := r.Start
	if c == nil {
		return nil
	}
	switch {
	case c.ID == "":
		c.ID = r.Message.ConversationID
	case c.ID != r.Message.ConversationID:
		return Errorf(EInvalid, "start: conversation id %q is not the message's %q", c.ID, r.Message.ConversationID)
	}
	if err := ValidateNewConversation(c); err != nil {
		return err
	}
	if c.Status != "" && c.Status != StatusBot {
		return Errorf(EInvalid, "start: a conversation starts with the bot, not %q", c.Status)
	}
	c.Status = StatusBot
	return nil
}

// ValidateNewConversation checks a conversation about to be created.
func ValidateNewConversation(c *Conversation) error {
	switch {
	case c.VisitorID == "":
		return Errorf(EInvalid, "conversation needs a visitor id")
	case c.ID != "" && !ValidID(c.ID):
		return Errorf(EInvalid, "invalid conversation id")
	case c.Status != "" && !c.Status.Valid():
		return Errorf(EInvalid, "unknown conversation status %q", c.Status)
	}
	return nil
}

// ErrNotTheirs refuses a Start append into a conversation that belongs to
// another visitor or site.
var ErrNotTheirs = &Error{Code: EConflict, Message: "the conversation belongs to another visitor"}

// ErrHumanOwns is returned when the bot tries to post in a conversation a
// human owns: the bot stays silent while an agent is on it.
var ErrHumanOwns = &Error{Code: EConflict, Message: "a human owns this conversation; the bot stays silent"}

// ValidateMessage checks a message before it is appended; every Log calls it
// so both stores refuse the same things with the same errors.
func ValidateMessage(m *Message) error {
	switch {
	case !ValidID(m.ConversationID):
		return Errorf(EInvalid, "message needs a valid conversation id")
	case !m.Author.Valid():
		return Errorf(EInvalid, "unknown message author %q", m.Author)
	case m.ClientMsgID != "" && !ValidID(m.ClientMsgID):
		return Errorf(EInvalid, "client message id must be 1-64 letters, digits, '_' or '-'")
	case len(m.Body) > MaxBodyBytes:
		return Errorf(ETooLarge, "message body is %d bytes; the limit is %d", len(m.Body), MaxBodyBytes)
	case strings.TrimSpace(m.Body) == "":
		return Errorf(EInvalid, "message body is empty")
	case !utf8.ValidString(m.Body):
		return Errorf(EInvalid, "message body is not valid UTF-8")
	}
	return nil
}

// KindRequestHuman marks a customer message sent by the channel's "talk to a
// human" control: an explicit request for a person, whatever its words.
const KindRequestHuman = "request_human"
