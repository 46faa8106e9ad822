package bot_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/kb"
)

func TestHowToGetsCitedAnswer(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	reply := onlyReply(t, f.say(t, c, "How do I reset my password?"))

	art, err := f.kb.ArticleBySlug(ctx(t), "reset-password")
	if err != nil {
		t.Fatal(err)
	}
	if reply.Author != frontline.AuthorBot || reply.Meta.Kind != bot.KindAnswer || reply.Meta.ReplyTo != 1 {
		t.Fatalf("reply = %s %s reply_to %d, want a bot answer to seq 1", reply.Author, reply.Meta.Kind, reply.Meta.ReplyTo)
	}
	if len(reply.Meta.Citations) != 1 || reply.Meta.Citations[0].RevisionID != art.PublishedRevisionID {
		t.Fatalf("citations = %+v, want the published revision %s of reset-password", reply.Meta.Citations, art.PublishedRevisionID)
	}
	if reply.Meta.Confidence == nil || *reply.Meta.Confidence < f.kb.Threshold() {
		t.Fatalf("confidence = %v, want at least the threshold %v", reply.Meta.Confidence, f.kb.Threshold())
	}
	if !strings.Contains(reply.Body, "/kb/reset-password") || strings.Contains(reply.Body, "**") || strings.HasPrefix(reply.Body, "#") {
		t.Fatalf("body = %q, want plain text with a link to the article", reply.Body)
	}
	searches := f.events(t, c.ID, frontline.EventSearch)
	if len(searches) != 1 || searches[0].Seq != 1 {
		t.Fatalf("search events = %v, want one about seq 1", searches)
	}
	var sd bot.SearchData
	if err := json.Unmarshal(searches[0].Data, &sd); err != nil || sd.Decision != bot.KindAnswer || sd.Abstained || sd.Composer != "extractive" || len(sd.Articles) == 0 {
		t.Fatalf("search event = %s (%v), want an extractive answer with the articles tried", searches[0].Data, err)
	}
	if got := f.conversation(t, c.ID).Status; got != frontline.StatusBot {
		t.Fatalf("status = %q, want bot", got)
	}
}

func TestNoMatchIsHonestAndOffersAPerson(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	reply := onlyReply(t, f.say(t, c, "What is the capital of Mongolia?"))
	if reply.Meta.Kind != bot.KindFallback || len(reply.Meta.Citations) != 0 || reply.Body != bot.DefaultConfig().Replies.NotSure {
		t.Fatalf("reply = %s %q with %d citations, want the honest fallback without citations", reply.Meta.Kind, reply.Body, len(reply.Meta.Citations))
	}
	if reply.Meta.Confidence == nil || *reply.Meta.Confidence >= f.kb.Threshold() {
		t.Fatalf("confidence = %v, want below the threshold", reply.Meta.Confidence)
	}
	groups, err := f.kb.UnansweredQuestions(ctx(t), kb.UnansweredOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range groups {
		for _, q := range g.Questions {
			found = found || (q.ConversationID == c.ID && q.Abstained)
		}
	}
	if !found {
		t.Fatal("the unanswered question is not in the editors' report")
	}
	// Accepting the offer hands off.
	msgs := f.say(t, c, "Yes please!")
	notice := onlyReply(t, msgs)
	if notice.Author != frontline.AuthorSystem || notice.Meta.Kind != bot.KindHandoff {
		t.Fatalf("after accepting: %s, want the hand-off notice", describe(msgs))
	}
	e, err := f.handoff.Entry(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Tier != frontline.Tier1 || e.Priority != frontline.PriorityNormal {
		t.Fatalf("entry %s/%s, want t1 normal", e.Tier, e.Priority)
	}
}

func TestSecondAbstentionHandsOff(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	first := onlyReply(t, f.say(t, c, "What is the capital of Mongolia?"))
	if first.Meta.Kind != bot.KindFallback {
		t.Fatalf("first reply kind %q, want fallback", first.Meta.Kind)
	}
	msgs := f.say(t, c, "Do you sell bicycles in Peru?")
	notice := onlyReply(t, msgs)
	if notice.Author != frontline.AuthorSystem || notice.Meta.Kind != bot.KindHandoff {
		t.Fatalf("second abstention: %s, want a hand-off notice", describe(msgs))
	}
	if got := f.conversation(t, c.ID).Status; got != frontline.StatusQueued {
		t.Fatalf("status = %q, want queued", got)
	}
	e, err := f.handoff.Entry(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !hasSignal(e.Packet.Signals, frontline.SignalBotLoop) || len(e.Packet.FailedAnswers) != 1 {
		t.Fatalf("packet signals %+v failed answers %q, want a bot loop and the first fallback", e.Packet.Signals, e.Packet.FailedAnswers)
	}
	if !strings.Contains(notice.Body, "number 1 in line") || !strings.Contains(notice.Body, "about 4 minutes") || notice.Meta.Extra["position"] != "1" {
		t.Fatalf("notice = %q extra %v, want the position and wait", notice.Body, notice.Meta.Extra)
	}
}

func hasSignal(sigs []frontline.Signal, kind frontline.SignalKind) bool {
	return slices.ContainsFunc(sigs, func(s frontline.Signal) bool { return s.Kind == kind })
}

func TestHandoffRouting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		text     string
		tier     frontline.Tier
		team     string
		priority frontline.Priority
		severity frontline.Severity
		private  bool
		signal   frontline.SignalKind
		wantBody string
	}{
		{"asks for a person", "I want to talk to a person", frontline.Tier1, "support", frontline.PriorityNormal, frontline.SeverityNone, false, frontline.SignalHumanRequest, "support team"},
		{"account takeover", "Someone hacked my account", frontline.Tier3, "security", frontline.PriorityUrgent, frontline.SeveritySecurity, false, frontline.SignalSeverity, "account security team"},
		{"billing error", "You charged me twice for my order", frontline.Tier2, "billing", frontline.PriorityHigh, frontline.SeverityBillingError, false, frontline.SignalSeverity, "billing team"},
		{"privacy request", "Please delete all the personal data you hold about me", frontline.Tier2, "privacy", frontline.PriorityHigh, frontline.SeverityPrivacy, true, frontline.SignalSeverity, "privately"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			c := f.newConversation(t)
			msgs := f.say(t, c, tc.text)
			notice := onlyReply(t, msgs)
			if notice.Meta.Kind != bot.KindHandoff || !strings.Contains(notice.Body, tc.wantBody) {
				t.Fatalf("reply %s, want a hand-off notice naming %q", describe(msgs), tc.wantBody)
			}
			e, err := f.handoff.Entry(ctx(t), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			p := e.Packet
			if e.Tier != tc.tier || e.Team != tc.team || e.Priority != tc.priority || p.Severity != tc.severity || p.Private != tc.private {
				t.Fatalf("routed to %s/%s/%s severity %s private %v, want %s/%s/%s %s %v",
					e.Tier, e.Team, e.Priority, p.Severity, p.Private, tc.tier, tc.team, tc.priority, tc.severity, tc.private)
			}
			conv := f.conversation(t, c.ID)
			if conv.Status != frontline.StatusQueued || conv.Private != tc.private {
				t.Fatalf("conversation status %q private %v, want queued, private %v", conv.Status, conv.Private, tc.private)
			}
			i := slices.IndexFunc(p.Signals, func(s frontline.Signal) bool { return s.Kind == tc.signal })
			if i < 0 || len(p.Signals[i].Evidence) == 0 || p.Signals[i].Evidence[0].Turn != 0 || p.Signals[i].Evidence[0].Text == "" {
				t.Fatalf("packet signals = %+v, want %s with the customer's words as evidence", p.Signals, tc.signal)
			}
			if p.Reason == "" || p.Summary == "" {
				t.Fatalf("packet reason %q summary %q, want both", p.Reason, p.Summary)
			}
			if n := len(f.events(t, c.ID, frontline.EventSignal)); n == 0 {
				t.Fatal("no signal events recorded")
			}
		})
	}
}

func TestPacketCarriesTheConversation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	f.say(t, c, "How do I reset my password?")
	f.say(t, c, "What is the capital of Mongolia?")
	f.say(t, c, "My card 4111 1111 1111 1111 was refused. I want to talk to a person")

	e, err := f.handoff.Entry(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := e.Packet
	if len(p.Transcript) != 5 {
		t.Fatalf("transcript has %d messages, want the 5 before the hand-off:%s", len(p.Transcript), describe(p.Transcript))
	}
	for _, m := range p.Transcript {
		if strings.Contains(m.Body, "4111") {
			t.Fatalf("transcript holds a card number: %q", m.Body)
		}
	}
	for _, kind := range []frontline.SignalKind{frontline.SignalHumanRequest, frontline.SignalPrivateData} {
		if !hasSignal(p.Signals, kind) {
			t.Errorf("packet signals %+v lack %s", p.Signals, kind)
		}
	}
	if len(p.ArticlesTried) == 0 || p.ArticlesTried[0].Title == "" || p.ArticlesTried[0].Score <= 0 {
		t.Errorf("articles tried = %+v, want titles and scores", p.ArticlesTried)
	}
	if slices.IndexFunc(p.ArticlesTried, func(a frontline.ArticleTried) bool { return a.Title == "Reset your password" }) < 0 {
		t.Errorf("articles tried = %+v, want the password article from the first question", p.ArticlesTried)
	}
	if len(p.FailedAnswers) != 1 || p.FailedAnswers[0] != bot.DefaultConfig().Replies.NotSure {
		t.Errorf("failed answers = %q, want the one fallback", p.FailedAnswers)
	}
	for _, want := range []string{"Ada", "/account/orders", "3 messages", "Reset your password", "to talk to a person"} {
		if !strings.Contains(p.Summary, want) {
			t.Errorf("summary %q lacks %q", p.Summary, want)
		}
	}
	if p.Profile["page"] != "/account/orders" {
		t.Errorf("profile = %v, want the page", p.Profile)
	}
}

func TestMaskingBeforeEverything(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	// A message stored unmasked (a widget that skipped Prepare) is masked
	// again before detectors, search and the packet see it.
	res, err := f.log.AppendMessage(ctx(t), frontline.AppendRequest{Message: frontline.Message{
		ConversationID: c.ID, Author: frontline.AuthorCustomer, Body: "how do I reset my password? my email is ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.bot.HandleMessage(ctx(t), c, res.Message); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []frontline.EventKind{frontline.EventSearch, frontline.EventSignal} {
		for _, e := range f.events(t, c.ID, kind) {
			if strings.Contains(string(e.Data), "ada@example.com") {
				t.Fatalf("%s event holds the email address: %s", kind, e.Data)
			}
		}
	}
	if !hasSignalEvent(t, f, c.ID, frontline.SignalPrivateData) {
		t.Fatal("no private_data signal recorded")
	}
}

func hasSignalEvent(t *testing.T, f fixture, conv string, kind frontline.SignalKind) bool {
	for _, e := range f.events(t, conv, frontline.EventSignal) {
		var s frontline.Signal
		if json.Unmarshal(e.Data, &s) == nil && s.Kind == kind {
			return true
		}
	}
	return false
}

func TestRetriedMessageIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	f.say(t, c, "How do I reset my password?")
	first, err := f.log.ReadMessages(ctx(t), c.ID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.bot.HandleMessage(ctx(t), c, first[0]); err != nil {
		t.Fatal(err)
	}
	all, err := f.log.ReadMessages(ctx(t), c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("conversation after a retried message:%s\nwant one question and one answer", describe(all))
	}
}

func TestPrepareRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cases := []struct {
		name string
		text string
		code string // "" when accepted
	}{
		{"empty", "", frontline.EInvalid},
		{"blank", " \n\t", frontline.EInvalid},
		{"1 MB", strings.Repeat("a", 1<<20), frontline.ETooLarge},
		{"invalid UTF-8", "hello \xff\xfe", frontline.EInvalid},
		{"binary", "PK\x03\x04\x00\x00", frontline.EInvalid},
		{"10,000-character word", strings.Repeat("x", 10000), ""},
		{"right to left", "كيف يمكنني إعادة تعيين كلمة المرور؟", ""},
		{"emoji only", "😡😡😡", ""},
	}
	for _, tc := range cases {
		masked, _, err := f.bot.Prepare(tc.text)
		if got := frontline.ErrorCode(err); got != tc.code {
			t.Errorf("%s: error code %q (%v), want %q", tc.name, got, err, tc.code)
		}
		if tc.code == "" && masked == "" {
			t.Errorf("%s: masked text is empty", tc.name)
		}
	}
}

func TestOddMessagesGetAClearOutcome(t *testing.T) {
	t.Parallel()
	for _, text := range []string{strings.Repeat("x", 10000), "كيف يمكنني إعادة تعيين كلمة المرور؟", "😡😡😡", "?", "!!!"} {
		f := setup(t)
		c := f.newConversation(t)
		msgs := f.say(t, c, text)
		if len(msgs) != 1 || msgs[0].Body == "" {
			t.Errorf("%.20q: replies %s, want exactly one", text, describe(msgs))
		}
	}
}

func TestLongMessageIsSearchedByItsStart(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.newConversation(t)
	long := "How do I reset my password?" + strings.Repeat(" I have tried many things today", 100)
	reply := onlyReply(t, f.say(t, c, long))
	if reply.Meta.Kind != bot.KindAnswer || len(reply.Meta.Citations) == 0 || reply.Meta.Citations[0].Slug != "reset-password" {
		t.Fatalf("reply %s citing %+v, want an answer from reset-password", reply.Meta.Kind, reply.Meta.Citations)
	}
}

// An online agent with a free seat takes the hand-off in its own commit:
// the customer reads one notice, the hand-off's, naming the agent, and no
// "joined" line before it.
func TestHandoffTakenAtOnceNamesTheAgent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	agent := handoff.Agent{UserID: "ana", Name: "Ana B.", Tiers: frontline.Tiers, Teams: []string{"support"}, Capacity: 2}
	if err := f.handoff.Store().PutAgent(ctx(t), agent); err != nil {
		t.Fatal(err)
	}
	if err := f.handoff.Store().SetPresence(ctx(t), "ana", frontline.PresenceOnline, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := f.newConversation(t)
	msgs := f.say(t, c, "I want to talk to a person please")
	notice := onlyReply(t, msgs)
	if notice.Author != frontline.AuthorSystem || notice.Meta.Kind != bot.KindHandoff {
		t.Fatalf("after the request: %s, want only the hand-off notice", describe(msgs))
	}
	if !strings.Contains(notice.Body, "Ana B. has joined") || notice.Meta.Extra["agent_name"] != "Ana B." {
		t.Fatalf("notice = %q extra %v, want it to name Ana B.", notice.Body, notice.Meta.Extra)
	}
	if e, err := f.handoff.Entry(ctx(t), c.ID); err != nil || e.Status != frontline.QueueAssigned || e.AssigneeID != "ana" {
		t.Fatalf("entry = %+v, %v; want assigned to ana", e, err)
	}
}
