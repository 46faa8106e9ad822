package bot_test

import (
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
)

// The widget's "talk to a human" button is an explicit request whatever its
// words: the bot hands off on the message kind, not on detecting a phrase.
func TestTalkToAHumanButtonHandsOff(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	// Words no detector would read as a request: only the kind says so.
	res, err := f.log.AppendMessage(ctx(t), frontline.AppendRequest{Message: frontline.Message{
		ConversationID: c.ID, Author: frontline.AuthorCustomer, AuthorID: c.VisitorID, Body: "(button)",
		Meta: frontline.MessageMeta{Kind: frontline.KindRequestHuman},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.bot.HandleMessage(ctx(t), c, res.Message); err != nil {
		t.Fatal(err)
	}
	after, err := f.log.ReadMessages(ctx(t), c.ID, res.Message.Seq, 0)
	if err != nil {
		t.Fatal(err)
	}
	if notice := onlyReply(t, after); notice.Meta.Kind != bot.KindHandoff {
		t.Fatalf("reply %s, want a hand-off notice", describe(after))
	}
	e, err := f.handoff.Entry(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Tier != frontline.Tier1 || len(e.Packet.Signals) == 0 || e.Packet.Signals[0].Evidence[0].Rule != "button" {
		t.Fatalf("queued at %s with signals %+v, want tier 1 with the button as evidence", e.Tier, e.Packet.Signals)
	}
}
