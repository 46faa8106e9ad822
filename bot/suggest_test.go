package bot_test

import (
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/bot"
)

// Below the threshold the bot states nothing, but links the articles that
// came closest (each at least SuggestMinScore), as reading; with
// suggestions switched off it links none.
func TestNotSureSuggestsClosestArticles(t *testing.T) {
	t.Parallel()
	questions := []string{
		"my parcel tracking hasn't moved in days",
		"can I change the card you bill each month",
		"is it possible to swap boots for a bigger size",
		"how long until money comes back after sending stuff back",
	}
	f := setup(t)
	suggested := 0
	for _, q := range questions {
		c := f.newConversation(t)
		reply := onlyReply(t, f.say(t, c, q))
		if reply.Meta.Kind != bot.KindFallback {
			continue // answered: not this test's case
		}
		min := bot.DefaultConfig().SuggestMinScore
		if len(reply.Meta.Citations) > 3 {
			t.Fatalf("%q: %d suggestions, want at most 3", q, len(reply.Meta.Citations))
		}
		for _, c := range reply.Meta.Citations {
			if c.Score < min || c.Score >= f.kb.Threshold() || !strings.Contains(reply.Body, c.Title) {
				t.Fatalf("%q: suggestion %+v: want a score in [%v, %v) and its title in the reply %q", q, c, min, f.kb.Threshold(), reply.Body)
			}
		}
		if len(reply.Meta.Citations) > 0 {
			suggested++
		}
	}
	if suggested == 0 {
		t.Fatal("no fallback suggested any article for questions the demo KB covers")
	}

	off := setup(t, func(cfg *bot.Config, _ *bot.Deps) { cfg.SuggestMinScore = 0 })
	for _, q := range questions {
		reply := onlyReply(t, off.say(t, off.newConversation(t), q))
		if reply.Meta.Kind == bot.KindFallback && len(reply.Meta.Citations) > 0 {
			t.Fatalf("%q: suggestions switched off, but the fallback links %d articles", q, len(reply.Meta.Citations))
		}
	}
}
