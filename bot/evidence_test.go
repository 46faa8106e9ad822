package bot_test

import (
	"strings"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/signal"
)

// The hand-off packet quotes, for each signal that drove the hand-off, the
// customer's own words: the cues that matched and the words the learned
// models weighed most, each an exact quote of a message the customer wrote.
func TestPacketQuotesTheEvidence(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	// One message: the first hand-off ends the bot's part.
	turns := []string{"This is the third time I'm asking!! It's ridiculous, my parcel still isn't here. I want to speak to a manager."}
	for _, m := range turns {
		f.say(t, c, m)
	}
	e, err := f.handoff.Entry(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	drove := map[frontline.SignalKind]bool{}
	learned := false
	for _, s := range e.Packet.Signals {
		if s.Kind == frontline.SignalPrivateData {
			continue
		}
		drove[s.Kind] = true
		if len(s.Evidence) == 0 {
			t.Errorf("signal %s has no evidence", s.Kind)
		}
		for _, ev := range s.Evidence {
			if ev.Rule == signal.LearnedRule {
				learned = true
			}
			if ev.Turn < 0 || ev.Turn >= len(turns) || ev.Text == "" || !strings.Contains(turns[ev.Turn], ev.Text) {
				t.Errorf("signal %s: evidence %+v is not a quote of the customer's message %d", s.Kind, ev, ev.Turn)
			}
		}
	}
	for _, k := range []frontline.SignalKind{frontline.SignalFrustration, frontline.SignalHumanRequest} {
		if !drove[k] {
			t.Errorf("packet signals %+v lack %s", e.Packet.Signals, k)
		}
	}
	if !learned {
		t.Errorf("no evidence from the learned models in %+v", e.Packet.Signals)
	}
}
