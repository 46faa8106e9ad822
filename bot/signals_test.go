package bot_test

import (
	"context"
	"errors"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
)

// countingWrites counts the bot's commits to the log.
type countingWrites struct {
	frontline.Log
	writes int
}

func (l *countingWrites) AppendMessage(ctx context.Context, req frontline.AppendRequest) (frontline.AppendResult, error) {
	l.writes++
	return l.Log.AppendMessage(ctx, req)
}

func (l *countingWrites) AppendEvents(ctx context.Context, evs ...frontline.Event) ([]frontline.Event, error) {
	l.writes++
	return l.Log.AppendEvents(ctx, evs...)
}

// An answer carries its message's signals in its own commit: one write to
// the log for the whole turn, the signals right before the decision.
func TestSignalsCommitWithTheReply(t *testing.T) {
	t.Parallel()
	var counted *countingWrites
	f := setup(t, func(_ *bot.Config, d *bot.Deps) { counted = &countingWrites{Log: d.Log}; d.Log = counted })
	c := f.newConversation(t)
	msgs := f.say(t, c, "How do I reset my password? My email is ada@example.com")
	if len(msgs) != 1 || msgs[0].Meta.Kind != bot.KindAnswer {
		t.Fatalf("replies = %s, want one answer", describe(msgs))
	}
	if counted.writes != 1 {
		t.Errorf("the bot wrote to the log %d times for one answered message, want 1", counted.writes)
	}
	evs, err := f.log.FindEvents(ctx(t), frontline.EventFilter{ConversationID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []frontline.EventKind
	for _, e := range evs {
		if e.Kind != frontline.EventConversationStarted {
			kinds = append(kinds, e.Kind)
		}
	}
	if len(kinds) != 2 || kinds[0] != frontline.EventSignal || kinds[1] != frontline.EventSearch {
		t.Fatalf("events = %v, want the private-data signal, then the search decision", kinds)
	}
}

// failingReplies refuses the bot's replies as a dead database would.
type failingReplies struct{ frontline.Log }

func (l failingReplies) AppendMessage(ctx context.Context, req frontline.AppendRequest) (frontline.AppendResult, error) {
	if req.Message.Author != frontline.AuthorCustomer {
		return frontline.AppendResult{}, errors.New("connection refused")
	}
	return l.Log.AppendMessage(ctx, req)
}

// When the reply cannot be stored, the signals are still recorded for the
// humans who pick the conversation up.
func TestSignalsRecordedWhenTheReplyFails(t *testing.T) {
	t.Parallel()
	f := setup(t, func(_ *bot.Config, d *bot.Deps) { d.Log = failingReplies{d.Log} })
	c := f.newConversation(t)
	masked, _, err := f.bot.Prepare("This is useless. How do I reset my password?")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.log.AppendMessage(ctx(t), frontline.AppendRequest{Message: frontline.Message{
		ConversationID: c.ID, Author: frontline.AuthorCustomer, AuthorID: c.VisitorID, Body: masked}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.bot.HandleMessage(ctx(t), f.conversation(t, c.ID), res.Message); err == nil {
		t.Fatal("HandleMessage with a failing reply returned no error")
	}
	if !hasSignalEvent(t, f, c.ID, frontline.SignalFrustration) {
		t.Fatal("the frustration signal was lost with the reply")
	}
}
