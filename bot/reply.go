package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/kb"
)

// searched is what the bot retrieved for one decision.
type searched struct {
	query string // masked text that was searched
	res   kb.SearchResult
	// chosen is the article the customer picked after a clarifying question.
	chosen *kb.Hit
	// afterClarify: the query is a question already recorded when the bot
	// asked which article was meant.
	afterClarify bool
	// picked: chosen is the article the customer picked from the bot's
	// suggestions ("Is it one of these?"), whatever its score.
	picked bool
}

// SearchData is the Data of an EventSearch: what the bot retrieved for one
// customer message and what it decided.
type SearchData struct {
	Question  string                   `json:"question"` // masked
	TopScore  float64                  `json:"top_score"`
	Threshold float64                  `json:"threshold"`
	Abstained bool                     `json:"abstained"`
	Decision  string                   `json:"decision"` // answer, clarify, fallback, handoff
	Articles  []frontline.ArticleTried `json:"articles,omitempty"`
	// Composer is "llm" or "extractive" for answers.
	Composer string `json:"composer,omitempty"`
	// Rejected says why a generated answer was not used.
	Rejected string `json:"rejected,omitempty"`
}

func (q *searched) data(decision string) SearchData {
	d := SearchData{Question: q.query, TopScore: q.res.TopScore, Threshold: q.res.Threshold,
		Abstained: q.res.Abstained, Decision: decision}
	for _, h := range q.res.Hits {
		d.Articles = append(d.Articles, frontline.ArticleTried{ArticleID: h.ArticleID, RevisionID: h.RevisionID, Title: h.Title, Score: h.Score})
	}
	return d
}

func audience(c *frontline.Conversation) string {
	if c.CustomerID != "" {
		return string(kb.AudienceCustomers)
	}
	return string(kb.AudiencePublic)
}

// search retrieves articles for the current message. After a clarifying
// question it searches the original question again, and takes the article
// the customer picked when the reply names one.
func (b *Bot) search(ctx context.Context, t *turn, prev frontline.Message, hasPrev bool) (*searched, error) {
	q := &searched{query: clip(t.msg.Body, kb.MaxPhrasing)}
	var pick string
	if hasPrev && prev.Meta.Kind == KindFallback && prev.Meta.Extra[extraQuestionSeq] != "" {
		if orig, ok := t.bySeq(prev.Meta.Extra[extraQuestionSeq]); ok {
			if pick = pickSuggestion(t.msg.Body, prev); pick != "" {
				q.afterClarify, q.picked = true, true
				q.query = clip(orig.Body, kb.MaxPhrasing)
			}
		}
	}
	if hasPrev && prev.Meta.Kind == KindClarify {
		if orig, ok := t.bySeq(prev.Meta.Extra[extraQuestionSeq]); ok {
			q.afterClarify = true
			pick = b.choose(t.msg.Body, prev)
			if pick != "" {
				q.query = clip(orig.Body, kb.MaxPhrasing)
			} else {
				q.query = clip(orig.Body+"\n"+t.msg.Body, kb.MaxPhrasing)
			}
		}
	}
	res, err := b.searchText(ctx, t, q.query)
	if err != nil {
		return nil, err
	}
	// In a long message the question drowns in the story around it: when
	// the whole finds nothing, its questions are searched on their own.
	if res.Abstained && pick == "" && len(q.query) > longMessage {
		for _, sent := range questions(q.query, 2) {
			r, err := b.searchText(ctx, t, sent)
			if err != nil {
				return nil, err
			}
			if r.TopScore > res.TopScore {
				res, q.query = r, sent
			}
		}
	}
	q.res = res
	for i := range res.Hits {
		if h := res.Hits[i]; h.ArticleID == pick && (q.picked || h.Score >= res.Threshold) {
			q.chosen = &h
		}
	}
	if q.picked && q.chosen == nil {
		// The KB changed since the offer: treat the reply as a new message.
		q.picked, q.afterClarify = false, false
	}
	return q, nil
}

// pickSuggestion maps a reply to the bot's suggestions to the article it
// picks: the widget's button sends the article's title; a typed "2" picks
// the second. "" when it picks none.
func pickSuggestion(reply string, prev frontline.Message) string {
	r := normalizeReply(reply)
	for i := 1; i <= kb.MaxSuggestions; i++ {
		n := strconv.Itoa(i)
		id := prev.Meta.Extra[extraSuggest+n]
		if id == "" {
			break
		}
		if r == n || r == normalizeReply(prev.Meta.Extra[extraSuggest+n+"_title"]) {
			return id
		}
	}
	return ""
}

// longMessage is the length in bytes above which a message is also
// searched question by question.
const longMessage = 300

func (b *Bot) searchText(ctx context.Context, t *turn, text string) (kb.SearchResult, error) {
	res, err := b.kb.Search(ctx, kb.SearchQuery{Text: text, Audience: audience(t.conv), Limit: b.cfg.MaxSearchHits})
	switch {
	case frontline.ErrorCode(err) == frontline.EInvalid:
		// Nothing search can use: no answer.
		return kb.SearchResult{Abstained: true, Threshold: b.kb.Threshold()}, nil
	case err != nil:
		return res, fmt.Errorf("bot: search: %w", err)
	}
	return res, nil
}

// questions returns up to n sentences of s that end with a question mark.
func questions(s string, n int) []string {
	var out []string
	for _, sent := range sentences(s) {
		sent = strings.TrimSpace(sent)
		if strings.HasSuffix(sent, "?") && len(out) < n {
			out = append(out, sent)
		}
	}
	return out
}

// clip cuts s to at most n bytes at a word boundary (or a rune boundary
// when one word is longer): a long message is still searched by its start.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexAny(s[:cut], " \n\t"); i > n/2 {
		cut = i
	}
	return s[:cut]
}

func (t *turn) bySeq(seq string) (frontline.Message, bool) {
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil {
		return frontline.Message{}, false
	}
	for _, m := range t.history {
		if m.Seq == n && m.Author == frontline.AuthorCustomer {
			return m, true
		}
	}
	return frontline.Message{}, false
}

// choose maps a reply to a clarifying question to the article it picks: by
// an option word ("1", "the first one") or by sharing more title words with
// one option than with the other. "" when the reply picks neither.
func (b *Bot) choose(reply string, prev frontline.Message) string {
	ids := [2]string{prev.Meta.Extra[extraOption1], prev.Meta.Extra[extraOption2]}
	r := normalizeReply(reply)
	for i, words := range b.cfg.OptionWords {
		for _, w := range words {
			if r == normalizeReply(w) {
				return ids[i]
			}
		}
	}
	var overlap [2]int
	words := b.contentTerms(reply)
	for i, key := range []string{extraOption1 + "_title", extraOption2 + "_title"} {
		title := b.contentTerms(prev.Meta.Extra[key])
		for w := range words {
			if title[w] {
				overlap[i]++
			}
		}
	}
	switch {
	case overlap[0] > overlap[1]:
		return ids[0]
	case overlap[1] > overlap[0]:
		return ids[1]
	}
	return ""
}

// ambiguous reports whether the two best articles are both confident and
// too close to tell apart.
func (b *Bot) ambiguous(res kb.SearchResult) bool {
	if len(res.Hits) < 2 {
		return false
	}
	h0, h1 := res.Hits[0], res.Hits[1]
	return h0.ArticleID != h1.ArticleID && h1.Score >= res.Threshold && h0.Score-h1.Score < b.cfg.ClarifyMargin
}

// post appends the bot's reply to the current message, with the events
// that explain it in the same commit. When a person took the conversation
// meanwhile it stays silent: the events are recorded alone and posted is
// false. A reply already posted for this message (a retry) is not repeated.
func (b *Bot) post(ctx context.Context, t *turn, author frontline.Author, body string, meta frontline.MessageMeta, events ...frontline.Event) (posted bool, err error) {
	meta.ReplyTo = t.msg.Seq
	m := frontline.Message{
		ConversationID: t.conv.ID, Author: author, Body: body, Meta: meta,
		ClientMsgID: fmt.Sprintf("bot_%s_%d", meta.Kind, t.msg.Seq),
	}
	if author == frontline.AuthorBot {
		m.AuthorName = b.cfg.BotName
	}
	events = t.withPending(events...)
	// The reply completes the message's obligation in its own commit: of
	// two workers answering one message (a retry, a lease that ran out)
	// one posts and the other is told nothing is owed.
	res, err := b.log.AppendMessage(ctx, frontline.AppendRequest{Message: m, Events: events, Answers: t.msg.Seq})
	switch {
	case errors.Is(err, frontline.ErrNotOwed):
		return false, nil
	case errors.Is(err, frontline.ErrHumanOwns):
		t.pending = events
		return false, b.drop(ctx, t, frontline.DropHumanOwns)
	case err != nil:
		t.pending = events // for HandleMessage to record on their own
		return false, fmt.Errorf("bot: post reply: %w", err)
	}
	return !res.Duplicate, nil
}

func (b *Bot) searchEvent(t *turn, d SearchData) frontline.Event {
	return frontline.Event{ConversationID: t.conv.ID, Kind: frontline.EventSearch, Actor: "bot", Seq: t.msg.Seq, Data: frontline.MustJSON(d)}
}

// recordQuestion keeps the question for the editors' reports; a failure
// costs a report line, not the customer's answer, so it is only logged.
// handoffSignals name the signals the question was handed to a person for
// (so the report lists it apart from the KB's gaps).
func (b *Bot) recordQuestion(ctx context.Context, t *turn, q *searched, cited []frontline.Citation, handoffSignals ...string) {
	if q.afterClarify {
		return
	}
	rec := kb.QuestionRecord{ConversationID: t.conv.ID, Text: q.query, Abstained: q.res.Abstained, HandoffSignals: handoffSignals}
	for _, c := range cited {
		rec.ArticleIDs = append(rec.ArticleIDs, c.ArticleID)
	}
	if err := b.kb.RecordQuestion(ctx, rec); err != nil {
		b.logger.Warn("bot: record question", "conversation", t.conv.ID, "err", err)
	}
}

func confidence(v float64) *float64 {
	v = math.Round(v*1000) / 1000
	return &v
}

// notSure says honestly that the bot has no answer and offers a person.
// When articles came close it offers up to three of them to pick from ("Is
// it one of these?", buttons in the widget) besides the person: it states
// nothing from them, so it needs no confidence in them. A pick is answered
// from that article (see search) and proposed as a phrasing of it.
func (b *Bot) notSure(ctx context.Context, t *turn, q *searched) error {
	meta := frontline.MessageMeta{Kind: KindFallback, Confidence: confidence(q.res.TopScore),
		Extra: map[string]string{extraOfferedHuman: "true"}}
	body := b.cfg.Replies.NotSure
	var titles []string
	if b.cfg.SuggestMinScore > 0 {
		for i, h := range q.res.Suggestions(b.cfg.SuggestMinScore) {
			n := strconv.Itoa(i + 1)
			meta.Citations = append(meta.Citations, citationOf(h))
			meta.Extra[extraSuggest+n], meta.Extra[extraSuggest+n+"_title"] = h.ArticleID, h.Title
			titles = append(titles, n+". "+h.Title)
		}
	}
	if len(titles) > 0 {
		meta.Extra[extraQuestionSeq] = strconv.FormatInt(t.msg.Seq, 10)
		body = b.cfg.Replies.Suggest + "\n" + strings.Join(titles, "\n") + "\n\n" + b.cfg.Replies.NoneOfThese
	}
	posted, err := b.post(ctx, t, frontline.AuthorBot, body, meta, b.searchEvent(t, q.data(KindFallback)))
	if posted {
		b.recordQuestion(ctx, t, q, nil)
	}
	return err
}

// clarify asks which of the two closest articles the customer means.
func (b *Bot) clarify(ctx context.Context, t *turn, q *searched) error {
	h0, h1 := q.res.Hits[0], q.res.Hits[1]
	body := strings.NewReplacer("{first}", h0.Title, "{second}", h1.Title).Replace(b.cfg.Replies.Clarify)
	meta := frontline.MessageMeta{Kind: KindClarify, Confidence: confidence(h0.Score), Extra: map[string]string{
		extraOption1: h0.ArticleID, extraOption1 + "_title": h0.Title,
		extraOption2: h1.ArticleID, extraOption2 + "_title": h1.Title,
		extraQuestionSeq: strconv.FormatInt(t.msg.Seq, 10),
	}}
	posted, err := b.post(ctx, t, frontline.AuthorBot, body, meta, b.searchEvent(t, q.data(KindClarify)))
	if posted {
		b.recordQuestion(ctx, t, q, nil)
	}
	return err
}

// answer replies from the best article (or the one the customer chose),
// with its citations and confidence.
func (b *Bot) answer(ctx context.Context, t *turn, q *searched) error {
	hits := q.res.Hits
	if q.chosen != nil {
		hits = []kb.Hit{*q.chosen}
	}
	a := b.compose(ctx, t, q.query, hits, q.res.Threshold)
	data := q.data(KindAnswer)
	data.Composer, data.Rejected = a.composer, a.rejected
	meta := frontline.MessageMeta{Kind: KindAnswer, Citations: a.citations, Confidence: confidence(a.confidence)}
	posted, err := b.post(ctx, t, frontline.AuthorBot, a.text, meta, b.searchEvent(t, data))
	if posted {
		b.recordQuestion(ctx, t, q, a.citations)
		if q.picked {
			b.learnPick(ctx, t, q)
		}
	}
	return err
}

// learnPick proposes the question the customer resolved by picking a
// suggestion as a phrasing of the picked article, for an editor's review.
// A failure costs a candidate, not the answer: it is only logged.
func (b *Bot) learnPick(ctx context.Context, t *turn, q *searched) {
	_, err := b.kb.Propose(ctx, kb.Proposal{ArticleID: q.chosen.ArticleID, Text: q.query, Source: kb.CandidatePicked})
	if err != nil {
		b.logger.Warn("bot: propose picked article's phrasing", "conversation", t.conv.ID, "err", err)
	}
}

// handOff queues the conversation with its packet and tells the customer
// what happens next.
func (b *Bot) handOff(ctx context.Context, t *turn, q *searched, d Decision) error {
	events := t.withPending(b.searchEvent(t, q.data(KindHandoff)))
	if _, err := b.log.AppendEvents(ctx, events...); err != nil {
		t.pending = events
		return fmt.Errorf("bot: record decision: %w", err)
	}
	packet, err := b.packet(ctx, t, q, d)
	if err != nil {
		return err
	}
	if _, err := b.handoff.Enqueue(ctx, packet); err != nil {
		meta := frontline.MessageMeta{Kind: KindFallback, Extra: map[string]string{extraOfferedHuman: "true"}}
		if _, perr := b.post(ctx, t, frontline.AuthorBot, b.cfg.Replies.HandoffFailed, meta); perr != nil {
			b.logger.Error("bot: tell customer the hand-off failed", "conversation", t.conv.ID, "err", perr)
		}
		b.recordQuestion(ctx, t, q, nil, d.triggers()...)
		return fmt.Errorf("bot: hand off: %w", err)
	}
	err = b.announce(ctx, t, d.Route)
	// The editors' reports come after the customer's notice, off its path.
	b.recordQuestion(ctx, t, q, nil, d.triggers()...)
	if err := b.kb.RecordHandoff(ctx, t.conv.ID); err != nil {
		b.logger.Warn("bot: record hand-off for kb reports", "conversation", t.conv.ID, "err", err)
	}
	return err
}

// announce tells the customer their conversation is queued for d's team,
// answering the turn's message.
func (b *Bot) announce(ctx context.Context, t *turn, d Route) error {
	team := b.cfg.Policy.TeamName(d.Team)
	private := ""
	if d.Private {
		private = b.cfg.Replies.Private
	}
	extra := map[string]string{"team": d.Team, "tier": string(d.Tier), "priority": string(d.Priority)}
	body := strings.NewReplacer("{team}", team, "{private}", private).Replace(b.cfg.Replies.QueuedNoPosition)
	pos, err := b.handoff.QueuePosition(ctx, t.conv.ID)
	switch {
	case err != nil:
		b.logger.Warn("bot: queue position", "conversation", t.conv.ID, "err", err)
	case pos.Status == frontline.QueueWaiting && pos.Position > 0 && pos.ETA > 0:
		body = strings.NewReplacer("{team}", team, "{private}", private, "{position}", strconv.Itoa(pos.Position),
			"{eta}", describeWait(pos.ETA)).Replace(b.cfg.Replies.Queued)
		extra["position"] = strconv.Itoa(pos.Position)
		extra["eta_minutes"] = strconv.Itoa(int(math.Ceil(pos.ETA.Minutes())))
	case pos.Status == frontline.QueueAssigned && pos.AgentName != "":
		// Taken with the hand-off itself: the hand-off service posts no
		// "joined" notice then (it would come before this one), so this
		// notice names the agent.
		body = strings.NewReplacer("{team}", team, "{private}", private, "{agent}", pos.AgentName).Replace(b.cfg.Replies.QueuedAssigned)
		extra["agent_name"] = pos.AgentName
	}
	// The conversation is queued now, so the notice is the system's.
	_, err = b.post(ctx, t, frontline.AuthorSystem, body, frontline.MessageMeta{Kind: KindHandoff, Extra: extra})
	return err
}

// describeWait words an estimated wait for a customer.
func describeWait(d time.Duration) string {
	m := int(math.Ceil(d.Minutes()))
	switch {
	case m <= 1:
		return "about a minute"
	case m < 90:
		return fmt.Sprintf("about %d minutes", m)
	default:
		return fmt.Sprintf("about %d hours", int(math.Round(d.Hours())))
	}
}
