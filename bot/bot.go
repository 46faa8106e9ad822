package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/guard"
	"github.com/frontlinehq/frontline/bot/llm"
	"github.com/frontlinehq/frontline/kb"
)

var _ frontline.Responder = (*Bot)(nil)

// Detector reads a conversation's customer turns (masked, oldest first;
// the last one is the message being handled) and reports the signals it
// finds, each with the words that made it fire. bot/signal implements it.
type Detector interface {
	Detect(turns []string) []frontline.Signal
}

// Drafter shows a reply while it is being written (a streaming language
// model). Drafts are provisional: the final message, appended once it has
// been checked, replaces them, and may differ (an unsupported draft is
// replaced by the extractive answer).
type Drafter interface {
	Draft(ctx context.Context, conversationID string, replyTo int64, text string)
}

// Deps are the parts the bot talks to.
type Deps struct {
	Log     frontline.Log
	KB      *kb.Service
	Handoff frontline.Handoff
	// Detector finds signals; nil uses bot/signal's detectors with their
	// default configuration.
	Detector Detector
	// Drafts receives streamed partial replies; nil drops them.
	Drafts Drafter
	Logger *slog.Logger
}

// Bot is the automated front line: a frontline.Responder. It keeps no state
// of its own (everything it needs is in the conversation log), so any node
// can handle any message; it is safe for concurrent use.
type Bot struct {
	cfg     Config
	log     frontline.Log
	kb      *kb.Service
	handoff frontline.Handoff
	detect  Detector
	drafts  Drafter
	logger  *slog.Logger
	guard   *guard.Guard
	llm     *llm.Client // nil without a model

	accept    map[string]bool
	stopwords map[string]bool
}

// New returns a bot. It fails when a dependency is missing or cfg is invalid.
func New(cfg Config, deps Deps) (*Bot, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	if deps.Log == nil || deps.KB == nil || deps.Handoff == nil {
		return nil, errors.New("bot: Log, KB and Handoff are required")
	}
	b := &Bot{
		cfg: cfg, log: deps.Log, kb: deps.KB, handoff: deps.Handoff,
		detect: deps.Detector, drafts: deps.Drafts, logger: deps.Logger,
		guard: guard.New(guard.Config{}),
	}
	if b.logger == nil {
		b.logger = slog.New(slog.DiscardHandler)
	}
	if b.detect == nil {
		d, err := defaultDetector()
		if err != nil {
			return nil, fmt.Errorf("bot: %w", err)
		}
		b.detect = d
	}
	if cfg.LLM.Enabled() {
		c, err := llm.New(llm.Config{
			BaseURL: cfg.LLM.BaseURL, APIKey: cfg.LLM.APIKey, Model: cfg.LLM.Model,
			Timeout: time.Duration(cfg.LLM.Timeout), Stream: cfg.LLM.Stream,
		})
		if err != nil {
			return nil, fmt.Errorf("bot: %w", err)
		}
		b.llm = c
	}
	b.accept = make(map[string]bool)
	for _, a := range cfg.Accept {
		b.accept[normalizeReply(a)] = true
	}
	b.stopwords = make(map[string]bool)
	for _, w := range cfg.Stopwords {
		for _, t := range kb.Terms(w) {
			b.stopwords[t] = true
		}
	}
	return b, nil
}

// Prepare checks and masks a customer's text before it is stored: the
// widget stores masked, and keeps redactions (the kinds of private data
// found) in the message's Meta.Redactions. EInvalid or ETooLarge for text no
// step should see (empty, binary, too large).
func (b *Bot) Prepare(text string) (masked string, redactions []string, err error) {
	return b.guard.Prepare(text)
}

// PrepareAfter is Prepare reading text with the customer's previous
// message (a number given in the turn after "my passport number is").
func (b *Bot) PrepareAfter(prev, text string) (masked string, redactions []string, err error) {
	return b.guard.PrepareAfter(prev, text)
}

// Message kinds the bot writes (Meta.Kind).
const (
	KindAnswer   = "answer"
	KindClarify  = "clarify"
	KindHandoff  = "handoff"
	KindFallback = "fallback"
)

// Meta.Extra keys the bot reads back from its own earlier messages.
const (
	extraOfferedHuman = "offered_human"
	extraOption1      = "option_1"
	extraOption2      = "option_2"
	extraQuestionSeq  = "question_seq"
	// extraSuggest+"1"… are the articles a fallback offers to pick from,
	// extraSuggest+"1_title"… their titles.
	extraSuggest = "suggest_"
)

// turn is the conversation as the bot sees it while handling one message.
type turn struct {
	conv    *frontline.Conversation
	msg     frontline.Message // the customer message, masked
	history []frontline.Message
	turns   []string // customer turns, masked; the last is msg
	signals []frontline.Signal
	// answered: a reply to msg is already in the log (a retried call), or
	// msg was sent while a person owned the conversation.
	answered bool
	// freshFrom is the first turn after the last hand-back to the bot.
	freshFrom int
	// handoff is the conversation's latest hand-off event, if any.
	handoff *frontline.Event
	// pending are events (the signals) still to record: with the reply,
	// in its commit, or on their own when there is none.
	pending []frontline.Event
}

// HandleMessage implements frontline.Responder: it reads the customer's
// message with the conversation so far, records what the detectors find,
// and answers, asks one clarifying question, or hands off. While queued
// it only answers what it can cite; while an agent owns the conversation
// it records signals and stays silent.
func (b *Bot) HandleMessage(ctx context.Context, conv *frontline.Conversation, msg frontline.Message) error {
	if msg.Author != frontline.AuthorCustomer {
		return nil
	}
	t, err := b.read(ctx, conv, msg)
	if err != nil || t.answered {
		return err
	}
	// A pick among the bot's suggestions sends an article's title: the
	// article's words, not the customer's, so nothing to detect in them.
	if prev, ok := t.lastBotReply(); !ok || prev.Meta.Kind != KindFallback || pickSuggestion(t.msg.Body, prev) == "" {
		b.detectSignals(t)
	}
	for _, s := range t.signals {
		t.pending = append(t.pending, signalEvent(t, s))
	}
	if !conv.Status.BotMaySend() {
		// A hand-off routed to an agent at once, whose notice never
		// reached the customer (the node that queued it died before
		// posting it), is announced now, answering this message: the
		// customer learns a person has it.
		route, ok, err := b.unannounced(ctx, t)
		if err != nil {
			return err
		}
		if ok {
			return b.announce(ctx, t, route)
		}
		// The customer now waits for the agent: their next-response clock
		// starts (when the hand-off side keeps one).
		if w, ok := b.handoff.(customerWaits); ok {
			if err := w.CustomerWrote(ctx, conv.ID); err != nil {
				b.logger.Warn("bot: start the next-response clock", "conversation", conv.ID, "err", err)
			}
		}
		return b.drop(ctx, t, frontline.DropHumanOwns)
	}
	if conv.Status == frontline.StatusQueued {
		// A hand-off whose notice never reached the customer (the node
		// that queued the conversation died before posting it) is
		// announced now, answering this message.
		route, ok, err := b.unannounced(ctx, t)
		if err != nil {
			return err
		}
		if ok {
			return b.announce(ctx, t, route)
		}
	}
	if err := b.respond(ctx, t); err != nil {
		if ferr := b.flushEvents(ctx, t); ferr != nil {
			b.logger.Error("bot: record signals after a failed reply", "conversation", conv.ID, "err", ferr)
		}
		return err
	}
	return nil
}

// customerWaits is the optional side of frontline.Handoff that times an
// agent's next response (handoff.Service).
type customerWaits interface {
	CustomerWrote(ctx context.Context, conversationID string) error
}

// read loads the conversation up to msg and masks again what the guard may
// have missed: nothing below this point sees private data.
func (b *Bot) read(ctx context.Context, conv *frontline.Conversation, msg frontline.Message) (*turn, error) {
	// The hand-backs are read while the messages are: two round trips at once.
	type handbacksRead struct {
		events []frontline.Event
		err    error
	}
	handbacksCh := make(chan handbacksRead, 1)
	go func() {
		evs, err := b.log.FindEvents(ctx, frontline.EventFilter{ConversationID: conv.ID,
			Kinds: []frontline.EventKind{frontline.EventHandback, frontline.EventHandoff}, Limit: 1000})
		handbacksCh <- handbacksRead{evs, err}
	}()
	history, answered, err := b.readHistory(ctx, conv.ID, msg)
	hb := <-handbacksCh
	if err != nil {
		return nil, err
	}
	if hb.err != nil {
		return nil, fmt.Errorf("bot: read hand-backs: %w", hb.err)
	}
	// Customer turns up to the last hand-back were a person's business;
	// the detectors start afresh after it.
	var handedBackAt int64
	var handoff *frontline.Event
	for i := range hb.events {
		switch e := &hb.events[i]; e.Kind {
		case frontline.EventHandback:
			handedBackAt = e.Seq
		case frontline.EventHandoff:
			handoff = e
		}
	}
	// A message from before the last hand-back was a person's to answer;
	// its turn came and went (answered is set: nothing more to do).
	t := &turn{conv: conv, answered: answered || msg.Seq <= handedBackAt, handoff: handoff}
	for i := range history {
		m := &history[i]
		if m.Author != frontline.AuthorCustomer {
			continue
		}
		masked := b.guard.Mask(m.Body)
		if len(masked.Kinds) > 0 {
			if m.Seq == msg.Seq {
				b.logger.Warn("bot: customer message was stored unmasked; masking it for the pipeline",
					"conversation", conv.ID, "seq", m.Seq, "kinds", masked.Kinds)
			}
			m.Body = masked.Text
			m.Meta.Redactions = mergeKinds(m.Meta.Redactions, masked.Kinds)
		}
		t.turns = append(t.turns, m.Body)
		if m.Seq <= handedBackAt {
			t.freshFrom = len(t.turns)
		}
	}
	if len(history) == 0 || history[len(history)-1].Seq != msg.Seq {
		// The message is not (yet) readable: handle it as given.
		m := msg
		masked := b.guard.Mask(m.Body)
		m.Body, m.Meta.Redactions = masked.Text, mergeKinds(m.Meta.Redactions, masked.Kinds)
		history = append(history, m)
		t.turns = append(t.turns, m.Body)
	}
	t.history = history
	t.msg = history[len(history)-1]
	return t, nil
}

// readHistory reads the conversation up to msg (the last HistoryLimit
// messages) and whether msg was answered already (a retried call).
func (b *Bot) readHistory(ctx context.Context, convID string, msg frontline.Message) (history []frontline.Message, answered bool, err error) {
	after := max(msg.Seq-int64(b.cfg.HistoryLimit), 0)
	for {
		page, err := b.log.ReadMessages(ctx, convID, after, frontline.DefaultListLimit)
		if err != nil {
			return nil, false, fmt.Errorf("bot: read conversation: %w", err)
		}
		for _, m := range page {
			switch {
			case m.Seq <= msg.Seq:
				history = append(history, m)
			case m.Meta.ReplyTo == msg.Seq && m.Author != frontline.AuthorCustomer:
				answered = true
			}
		}
		if len(page) < frontline.DefaultListLimit || page[len(page)-1].Seq >= msg.Seq {
			return history, answered, nil
		}
		after = page[len(page)-1].Seq
	}
}

func mergeKinds(a, b []string) []string {
	out := slices.Clone(a)
	for _, k := range b {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// currentTurn is the index of the message being handled among the customer's turns.
func (t *turn) currentTurn() int { return len(t.turns) - 1 }

// detectSignals keeps the signals that concern the current message: those
// with evidence in it (earlier turns were handled when they arrived).
func (b *Bot) detectSignals(t *turn) {
	cur := t.currentTurn()
	for _, s := range b.detect.Detect(t.turns[t.freshFrom:]) {
		s.Evidence = slices.Clone(s.Evidence)
		for i := range s.Evidence {
			s.Evidence[i].Turn += t.freshFrom
		}
		if len(s.Evidence) == 0 || slices.ContainsFunc(s.Evidence, func(e frontline.Evidence) bool { return e.Turn == cur }) {
			t.signals = append(t.signals, s)
		}
	}
	if len(t.msg.Meta.Redactions) > 0 {
		t.signals = append(t.signals, frontline.Signal{
			Kind: frontline.SignalPrivateData, Confidence: 1,
			Reason:   "private data masked: " + strings.Join(t.msg.Meta.Redactions, ", "),
			Evidence: []frontline.Evidence{{Turn: cur, Text: strings.Join(t.msg.Meta.Redactions, ", "), Rule: "guard"}},
		})
	}
}

// unannounced returns the route of the conversation's latest hand-off when
// no hand-off notice followed it.
func (b *Bot) unannounced(ctx context.Context, t *turn) (Route, bool, error) {
	if t.handoff == nil {
		return Route{}, false, nil
	}
	after := t.handoff.Seq
	for {
		page, err := b.log.ReadMessages(ctx, t.conv.ID, after, frontline.DefaultListLimit)
		if err != nil {
			return Route{}, false, fmt.Errorf("bot: read after the hand-off: %w", err)
		}
		for _, m := range page {
			if m.Author == frontline.AuthorSystem && m.Meta.Kind == KindHandoff {
				return Route{}, false, nil
			}
		}
		if len(page) < frontline.DefaultListLimit {
			break
		}
		after = page[len(page)-1].Seq
	}
	var r Route
	if err := json.Unmarshal(t.handoff.Data, &r); err != nil {
		return Route{}, false, fmt.Errorf("bot: read the hand-off event: %w", err)
	}
	return r, true, nil
}

// drop ends the bot's obligation to answer the turn's message without a
// reply, recording the turn's signals and why in the same commit.
func (b *Bot) drop(ctx context.Context, t *turn, reason string) error {
	events := t.withPending(frontline.Event{ConversationID: t.conv.ID, Kind: frontline.EventObligationDropped, Actor: "bot",
		Seq: t.msg.Seq, Data: frontline.MustJSON(frontline.DropData{Reason: reason})})
	if _, err := b.log.DropObligation(ctx, frontline.ObligationKey{ConversationID: t.conv.ID, Seq: t.msg.Seq}, events...); err != nil {
		t.pending = events[:len(events)-1]
		return fmt.Errorf("bot: drop obligation: %w", err)
	}
	return nil
}

// flushEvents records the turn's pending events (its signals) on their
// own: when no reply carries them.
func (b *Bot) flushEvents(ctx context.Context, t *turn) error {
	if len(t.pending) == 0 {
		return nil
	}
	if _, err := b.log.AppendEvents(ctx, t.pending...); err != nil {
		return fmt.Errorf("bot: record signals: %w", err)
	}
	t.pending = nil
	return nil
}

// withPending returns the turn's pending events followed by events, and
// forgets them: the caller records them all in one commit.
func (t *turn) withPending(events ...frontline.Event) []frontline.Event {
	out := append(t.pending, events...)
	t.pending = nil
	return out
}

func signalEvent(t *turn, s frontline.Signal) frontline.Event {
	return frontline.Event{ConversationID: t.conv.ID, Kind: frontline.EventSignal, Actor: "bot",
		Seq: t.msg.Seq, Data: frontline.MustJSON(s)}
}

// lastBotReply is the bot's (or the hand-off notice's) latest message
// before the current one, if the customer has not been talking to a person
// since.
func (t *turn) lastBotReply() (frontline.Message, bool) {
	for i := len(t.history) - 2; i >= 0; i-- {
		m := t.history[i]
		switch m.Author {
		case frontline.AuthorBot:
			return m, true
		case frontline.AuthorAgent:
			return frontline.Message{}, false
		case frontline.AuthorSystem:
			if m.Meta.Kind == KindHandoff {
				return frontline.Message{}, false
			}
		}
	}
	return frontline.Message{}, false
}

// failedReplies counts the bot's replies in a row, newest first, that did
// not help: "not sure" fallbacks, and an answer the customer answered by
// repeating the question. A person's message or a hand-off ends the run.
func (t *turn) failedReplies(repeated bool) (n int, bodies []string) {
	newest := true
	for i := len(t.history) - 2; i >= 0; i-- {
		m := t.history[i]
		switch {
		case m.Author == frontline.AuthorAgent, m.Author == frontline.AuthorSystem && m.Meta.Kind == KindHandoff:
			return n, bodies
		case m.Author != frontline.AuthorBot:
			continue
		}
		switch {
		case m.Meta.Kind == KindFallback:
			n++
			bodies = append(bodies, m.Body)
		case m.Meta.Kind == KindAnswer && newest && repeated:
			n++
			bodies = append(bodies, m.Body)
		case m.Meta.Kind == KindClarify:
		default:
			return n, bodies
		}
		newest = false
	}
	return n, bodies
}

func (t *turn) has(kind frontline.SignalKind) bool {
	return slices.ContainsFunc(t.signals, func(s frontline.Signal) bool { return s.Kind == kind })
}

// respond decides and acts for a conversation the bot may speak in.
func (b *Bot) respond(ctx context.Context, t *turn) error {
	prev, hasPrev := t.lastBotReply()
	accepted := hasPrev && prev.Meta.Extra[extraOfferedHuman] == "true" && b.accept[normalizeReply(t.msg.Body)]
	button := t.msg.Meta.Kind == frontline.KindRequestHuman
	if (accepted || button) && !t.has(frontline.SignalHumanRequest) {
		reason, rule := "accepted the offer of a person", "accepted_offer"
		if button {
			reason, rule = "pressed \"talk to a human\"", "button"
		}
		s := frontline.Signal{Kind: frontline.SignalHumanRequest, Confidence: 1, Reason: reason,
			Evidence: []frontline.Evidence{{Turn: t.currentTurn(), Text: t.msg.Body, Rule: rule}}}
		t.signals = append(t.signals, s)
		t.pending = append(t.pending, signalEvent(t, s))
	}

	q, err := b.search(ctx, t, prev, hasPrev)
	if err != nil {
		return err
	}

	failed, _ := t.failedReplies(t.has(frontline.SignalRepetition))
	if q.res.Abstained && !q.picked && failed+1 >= b.cfg.FailedAnswersBeforeHandoff {
		s := frontline.Signal{Kind: frontline.SignalBotLoop, Confidence: 1,
			Reason:   fmt.Sprintf("the bot could not answer %d times in a row", failed+1),
			Evidence: []frontline.Evidence{{Turn: t.currentTurn(), Text: t.msg.Body, Rule: "failed_answers"}}}
		t.signals = append(t.signals, s)
		t.pending = append(t.pending, signalEvent(t, s))
	}

	if t.conv.Status == frontline.StatusQueued {
		// Already in line for a person: answer what the knowledge base
		// can answer (the customer keeps their place) and say nothing
		// else; no second hand-off, no "not sure".
		if q.res.Abstained || q.chosen == nil && b.ambiguous(q.res) {
			return b.drop(ctx, t, frontline.DropQueued)
		}
		return b.answer(ctx, t, q)
	}
	if d, ok := b.cfg.Policy.decide(t.signals); ok {
		return b.handOff(ctx, t, q, d)
	}
	if q.res.Abstained && !q.picked {
		return b.notSure(ctx, t, q)
	}
	if q.chosen == nil && !(hasPrev && prev.Meta.Kind == KindClarify) && b.ambiguous(q.res) {
		return b.clarify(ctx, t, q)
	}
	return b.answer(ctx, t, q)
}

// normalizeReply lowercases and strips punctuation and spaces at the ends.
func normalizeReply(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.TrimFunc(s, func(r rune) bool { return strings.ContainsRune(" .,!?¡¿:;\"'()…-", r) })
}
