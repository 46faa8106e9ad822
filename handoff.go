package frontline

import (
	"context"
	"time"
)

// HandoffPacket is everything a human needs to pick up a conversation
// without asking the customer to repeat themselves.
type HandoffPacket struct {
	ConversationID string `json:"conversation_id"`
	// Reason in plain words, shown to agents ("asked for a person; billing error").
	Reason   string   `json:"reason"`
	Tier     Tier     `json:"tier"`
	Team     string   `json:"team"`
	Priority Priority `json:"priority"`
	Severity Severity `json:"severity"`
	// Private: the topic needs restricted visibility (privacy).
	Private bool     `json:"private,omitempty"`
	Signals []Signal `json:"signals,omitempty"`
	// Transcript is masked: it never holds private data in clear.
	Transcript    []Message      `json:"transcript"`
	ArticlesTried []ArticleTried `json:"articles_tried,omitempty"`
	// FailedAnswers are the bot replies that did not help.
	FailedAnswers []string          `json:"failed_answers,omitempty"`
	Summary       string            `json:"summary"`
	Profile       map[string]string `json:"profile,omitempty"`
	CreatedAt     time.Time         `json:"created_at"`
}

// ArticleTried is one knowledge-base article the bot retrieved, with its score.
type ArticleTried struct {
	ArticleID  string  `json:"article_id"`
	RevisionID string  `json:"revision_id"`
	Title      string  `json:"title"`
	Score      float64 `json:"score"`
}

// QueueStatus is where a hand-off stands.
type QueueStatus string

const (
	QueueWaiting  QueueStatus = "waiting"
	QueueAssigned QueueStatus = "assigned"
	QueueResolved QueueStatus = "resolved"
)

// QueueEntry is a conversation in the human queue.
type QueueEntry struct {
	ConversationID string      `json:"conversation_id"`
	Tier           Tier        `json:"tier"`
	Team           string      `json:"team"`
	Priority       Priority    `json:"priority"`
	Status         QueueStatus `json:"status"`
	AssigneeID     string      `json:"assignee_id,omitempty"`
	EnqueuedAt     time.Time   `json:"enqueued_at"`
	// DueAt is the first-response deadline.
	DueAt  time.Time     `json:"due_at"`
	Packet HandoffPacket `json:"packet"`

	// AssigneeName is the assignee's display name, as customers see it.
	AssigneeName string    `json:"assignee_name,omitempty"`
	AssignedAt   time.Time `json:"assigned_at,omitzero"`
	// RespondedAt is the first agent reply; LastReplyAt the latest.
	RespondedAt time.Time `json:"responded_at,omitzero"`
	LastReplyAt time.Time `json:"last_reply_at,omitzero"`
	// NextDueAt is the next-response deadline while a customer message
	// waits for an agent's answer; zero otherwise.
	NextDueAt time.Time `json:"next_due_at,omitzero"`
	// ResolveDueAt is the resolution deadline.
	ResolveDueAt time.Time `json:"resolve_due_at,omitzero"`
	ResolvedAt   time.Time `json:"resolved_at,omitzero"`
	Tags         []string  `json:"tags,omitempty"`
	// Warned and Breached name the SLA targets ("first_response",
	// "next_response", "resolution") warned about or breached since the
	// deadlines were last set.
	Warned   []string `json:"warned,omitempty"`
	Breached []string `json:"breached,omitempty"`
	// Epoch counts the changes that re-set the deadlines: an SLA timer
	// set in an older epoch is stale and does nothing.
	Epoch int64 `json:"epoch"`
	// Declined lists agents who lost it for not answering; it is not
	// offered to them again.
	Declined []string `json:"declined,omitempty"`
}

// QueuePosition is what the customer sees while waiting.
type QueuePosition struct {
	ConversationID string      `json:"conversation_id"`
	Status         QueueStatus `json:"status"`
	// Position is 1 for next in line; 0 when not waiting.
	Position int `json:"position"`
	// ETA is the estimated wait; 0 when unknown or not waiting.
	ETA       time.Duration `json:"eta"`
	AgentName string        `json:"agent_name,omitempty"`
	// OpensAt is set while no agent of the team is within business
	// hours: when the customer will be answered.
	OpensAt time.Time `json:"opens_at,omitzero"`
}

// TeamHours says whether the team a conversation would go to answers now:
// what the widget tells a customer before and while they wait.
type TeamHours struct {
	// Team is the team asked about: the conversation's queued team, else
	// the first-line team.
	Team string `json:"team"`
	// Open is true within the team's business hours (always, for a team
	// without hours).
	Open bool `json:"open"`
	// OpensAt is when the team next opens, holidays skipped; zero while
	// open, or when its hours never open.
	OpensAt time.Time `json:"opens_at,omitzero"`
	// Hours are the team's hours; nil means always open.
	Hours *BusinessHours `json:"hours,omitempty"`
}

// Handoff is the door from the bot to the humans.
type Handoff interface {
	// Enqueue puts the conversation in the human queue with its packet: the
	// conversation becomes queued (the bot falls silent), an EventHandoff
	// is recorded in the same commit and TopicQueue is woken. Enqueueing a
	// conversation that is already waiting or assigned updates nothing and
	// returns the existing entry. ENotFound for an unknown conversation.
	// A conversation given to an agent in the same commit is not announced
	// to the customer: the caller's notice of the hand-off names the agent
	// (QueuePosition has it), so the customer reads the hand-off first.
	Enqueue(ctx context.Context, packet HandoffPacket) (*QueueEntry, error)

	// QueuePosition tells the customer where they stand. ENotFound when the
	// conversation was never handed off.
	QueuePosition(ctx context.Context, conversationID string) (QueuePosition, error)

	// WatchQueue signals on the returned channel after each change to the
	// queue, made through any node, once QueuePosition reflects it. Signals
	// coalesce (a slow reader sees one for many changes); the channel
	// closes when ctx ends.
	WatchQueue(ctx context.Context) <-chan struct{}
}
