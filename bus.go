package frontline

import "context"

// Notification wakes a subscriber: something at or before Seq was committed on
// Topic. It carries positions, never content: receivers read the rows.
type Notification struct {
	Topic string
	Seq   int64
	// Resync is set when the bus may have dropped notifications (its
	// connection was lost and restored): re-read from your last seq.
	Resync bool
}

// TopicQueue is woken whenever the human queue changes.
const TopicQueue = "queue"

// ConversationTopic is the topic woken by appends to a conversation.
func ConversationTopic(conversationID string) string { return "conv:" + conversationID }

// Bus fans wake-ups out to every node. Delivery is at-most-once and
// coalescing: a slow subscriber may see one notification for many appends,
// so it must always read everything after the last seq it saw.
type Bus interface {
	// Publish wakes every subscriber of topic on every node.
	Publish(ctx context.Context, topic string, seq int64) error

	// Subscribe registers for topic. Notifications arrive on the returned
	// channel (buffered; never blocks the bus) until cancel is called.
	Subscribe(topic string) (notifications <-chan Notification, cancel func())
}

// AgentTypingTopic carries an agent's typing in a conversation to the
// customer's node, CustomerTypingTopic the customer's to agents'. The seq
// is when the typing indicator expires, in Unix milliseconds; a seq in the
// past (1) means "stopped". Typing is never stored and may be lost.
func AgentTypingTopic(conversationID string) string { return "typing:agent:" + conversationID }

// CustomerTypingTopic: see AgentTypingTopic.
func CustomerTypingTopic(conversationID string) string { return "typing:customer:" + conversationID }

// TypingFor is how long one typing signal lasts unless renewed.
const TypingFor = 6000 // milliseconds
