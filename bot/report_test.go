package bot_test

import (
	"slices"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/kb"
)

// TestGapListHoldsOnlyKBMisses: the editors' unanswered questions are the
// questions the KB failed on. A question handed to a person for a signal
// (asking for one, a severe topic) is a hand-off trigger, listed apart; a
// hand-off for the bot's own failed answers is a KB miss and stays.
func TestGapListHoldsOnlyKBMisses(t *testing.T) {
	t.Parallel()
	// Its own KB: the shared one holds every other test's questions.
	f := setup(t, withOwnKB(t))
	type convo struct {
		says        []string
		gaps        []string
		triggers    map[string]frontline.SignalKind
		wantHandoff bool
	}
	convos := []convo{
		{says: []string{"I would like to talk to a person."}, triggers: map[string]frontline.SignalKind{"I would like to talk to a person.": frontline.SignalHumanRequest}, wantHandoff: true},
		{says: []string{"I was charged twice for my order, please fix this"}, triggers: map[string]frontline.SignalKind{"I was charged twice for my order, please fix this": frontline.SignalSeverity}, wantHandoff: true},
		{says: []string{"What is the capital of Mongolia?"}, gaps: []string{"What is the capital of Mongolia?"}},
		{says: []string{"What is the capital of Mongolia?", "Do you sell bicycles in Peru?"}, gaps: []string{"What is the capital of Mongolia?", "Do you sell bicycles in Peru?"}, wantHandoff: true},
	}
	wantGaps := map[string]bool{}
	wantTriggers := map[string]frontline.SignalKind{}
	mine := map[string]bool{} // the KB is shared with other tests
	for _, cv := range convos {
		c := f.newConversation(t)
		mine[c.ID] = true
		var last frontline.Message
		for _, s := range cv.says {
			last = onlyReply(t, f.say(t, c, s))
		}
		if handed := last.Meta.Kind == bot.KindHandoff; handed != cv.wantHandoff {
			t.Fatalf("%q: last reply %s %q, want hand-off %v", cv.says, last.Meta.Kind, last.Body, cv.wantHandoff)
		}
		for _, g := range cv.gaps {
			wantGaps[g] = true
		}
		for q, k := range cv.triggers {
			wantTriggers[q] = k
		}
	}

	groups, err := f.kb.UnansweredQuestions(ctx(t), kb.UnansweredOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gotGaps := map[string]bool{}
	for _, g := range groups {
		for _, q := range g.Questions {
			if mine[q.ConversationID] {
				gotGaps[q.Text] = true
			}
		}
	}
	for q := range wantGaps {
		if !gotGaps[q] {
			t.Errorf("KB miss %q is not in the gap list %v", q, gotGaps)
		}
	}
	for q := range gotGaps {
		if !wantGaps[q] {
			t.Errorf("gap list holds %q, which is not a KB miss", q)
		}
	}

	all, err := f.kb.HandedOffQuestions(ctx(t), 1000)
	if err != nil {
		t.Fatal(err)
	}
	handed := slices.DeleteFunc(all, func(q *kb.QuestionRecord) bool { return !mine[q.ConversationID] })
	if len(handed) != len(wantTriggers) {
		t.Errorf("handed off for a signal: %d questions, want %d", len(handed), len(wantTriggers))
	}
	for _, q := range handed {
		k, ok := wantTriggers[q.Text]
		if !ok || !slices.Contains(q.HandoffSignals, string(k)) {
			t.Errorf("handed-off question %q has signals %v, want %q", q.Text, q.HandoffSignals, k)
		}
	}
}
