package frontline

import "context"

// Responder reacts to a customer message after it was committed to the Log:
// the bot. The widget calls it and then relays whatever the responder
// appends, which it learns about through the Bus like every other reader.
type Responder interface {
	// HandleMessage reads msg (already stored, masked) in conversation
	// conv and appends zero or more replies or events. conv was read just
	// before the call (its owner may change at any moment after; the Log
	// refuses the bot's messages once a human owns the conversation). It
	// must be safe to call concurrently for different conversations.
	HandleMessage(ctx context.Context, conv *Conversation, msg Message) error
}
