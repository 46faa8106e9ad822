package widget

import (
	"context"
	"strings"
	"testing"
)

// Invariant 7: a card number or password a customer types is masked before
// it is stored, so the log, the bus and the bot never hold it.
func TestCustomerSecretsMaskedBeforeStorage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	const card, password = "4111 1111 1111 1111", "Bluebird2019!"
	c.send(map[string]any{"type": "message", "id": "m1", "body": "my card is " + card + " and my password is " + password})
	var tok frame
	c.until(TypeAck, func(f frame) {
		if f.Type == TypeToken {
			tok = f
		}
	})
	stored, err := b.store.ReadMessages(context.Background(), tok.ConversationID, 0, 0)
	if err != nil || len(stored) == 0 {
		t.Fatalf("read back %v, %v", stored, err)
	}
	m := stored[0]
	if strings.Contains(m.Body, card) || strings.Contains(m.Body, "4111111111111111") || strings.Contains(m.Body, password) {
		t.Fatalf("stored body %q holds the card or password in clear", m.Body)
	}
	if !strings.Contains(m.Body, "1111") || len(m.Meta.Redactions) < 2 {
		t.Fatalf("stored %q with redactions %v, want the card's last four and both kinds recorded", m.Body, m.Meta.Redactions)
	}
}

// A number given in the turn after the customer says what it is ("the hotel
// needs my passport number" … "ok it's PAB482913") is masked too: the
// connection reads each message with the one before it.
func TestSecretInTheNextTurnMasked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	const passport = "PAB482913"
	var tok frame
	for i, body := range []string{"the hotel needs my passport number for the booking", "ok it's " + passport} {
		c.send(map[string]any{"type": "message", "id": "m" + string(rune('1'+i)), "body": body})
		c.until(TypeAck, func(f frame) {
			if f.Type == TypeToken {
				tok = f
			}
		})
	}
	stored, err := b.store.ReadMessages(context.Background(), tok.ConversationID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range stored {
		if strings.Contains(m.Body, passport) {
			t.Fatalf("stored %q: the passport number in clear", m.Body)
		}
	}
}
