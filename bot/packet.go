package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/llm"
)

// packet gathers what an agent needs to pick the conversation up without
// asking the customer to repeat anything. Everything in it is masked.
func (b *Bot) packet(ctx context.Context, t *turn, q *searched, d Decision) (frontline.HandoffPacket, error) {
	p := frontline.HandoffPacket{
		ConversationID: t.conv.ID,
		Reason:         d.Reason(),
		Tier:           d.Tier,
		Team:           d.Team,
		Priority:       d.Priority,
		Severity:       d.Severity,
		Private:        d.Private,
		Transcript:     slices.Clone(t.history),
		Profile:        maps.Clone(t.conv.Profile),
	}
	if p.Severity == "" {
		p.Severity = frontline.SeverityNone
	}
	evs, err := b.log.FindEvents(ctx, frontline.EventFilter{ConversationID: t.conv.ID,
		Kinds: []frontline.EventKind{frontline.EventSignal, frontline.EventSearch}, Limit: 500})
	if err != nil {
		return p, fmt.Errorf("bot: hand-off packet: %w", err)
	}
	best := map[string]frontline.ArticleTried{}
	for _, e := range evs {
		switch e.Kind {
		case frontline.EventSignal:
			var s frontline.Signal
			if json.Unmarshal(e.Data, &s) == nil {
				p.Signals = append(p.Signals, s)
			}
		case frontline.EventSearch:
			var sd SearchData
			if json.Unmarshal(e.Data, &sd) == nil {
				for _, a := range sd.Articles {
					if old, ok := best[a.ArticleID]; !ok || a.Score > old.Score {
						best[a.ArticleID] = a
					}
				}
			}
		}
	}
	for _, a := range q.data("").Articles { // in case the event is not readable yet
		if old, ok := best[a.ArticleID]; !ok || a.Score > old.Score {
			best[a.ArticleID] = a
		}
	}
	p.ArticlesTried = slices.SortedFunc(maps.Values(best), func(a, b frontline.ArticleTried) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ArticleID, b.ArticleID)
	})
	_, p.FailedAnswers = t.failedReplies(t.has(frontline.SignalRepetition) || t.has(frontline.SignalFrustration))
	slices.Reverse(p.FailedAnswers)

	p.Summary = b.extractiveSummary(t, p, d)
	if b.llm != nil && b.cfg.LLM.Summaries {
		if s, err := b.generateSummary(ctx, p); err == nil {
			p.Summary = s
		} else {
			b.logger.Warn("bot: generated summary not used", "conversation", t.conv.ID, "err", err)
		}
	}
	return p, nil
}

// quote shortens a customer's words for the summary.
func quote(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return "\u201c" + s + "\u201d"
}

// extractiveSummary says who, what, what was tried and what the customer
// wants, in four short sentences built from the log.
func (b *Bot) extractiveSummary(t *turn, p frontline.HandoffPacket, d Decision) string {
	var sb strings.Builder
	who := "An anonymous visitor"
	if name := t.conv.Profile["name"]; name != "" {
		who = name
	} else if t.conv.CustomerID != "" {
		who = "Customer " + t.conv.CustomerID
	}
	sb.WriteString(who)
	if page := firstOf(t.conv.Profile, "page", "page_url", "url"); page != "" {
		fmt.Fprintf(&sb, " (on %s)", page)
	}
	first, last := t.turns[0], t.turns[len(t.turns)-1]
	fmt.Fprintf(&sb, " wrote %d message%s, starting with %s", len(t.turns), plural(len(t.turns)), quote(first, 160))
	if len(t.turns) > 1 {
		fmt.Fprintf(&sb, "; latest: %s", quote(last, 160))
	}
	sb.WriteString(". ")

	var tried []string
	for _, a := range p.ArticlesTried {
		if len(tried) == 3 {
			break
		}
		tried = append(tried, fmt.Sprintf("%s (%.2f)", a.Title, a.Score))
	}
	switch {
	case len(tried) == 0:
		sb.WriteString("The bot found no article. ")
	default:
		fmt.Fprintf(&sb, "Articles tried: %s. ", strings.Join(tried, ", "))
	}
	answers := 0
	for _, m := range t.history {
		if m.Author == frontline.AuthorBot && m.Meta.Kind == KindAnswer {
			answers++
		}
	}
	fmt.Fprintf(&sb, "The bot answered %d time%s and could not help %d time%s. ", answers, plural(answers), len(p.FailedAnswers), plural(len(p.FailedAnswers)))
	fmt.Fprintf(&sb, "Wants: %s.", b.wants(t, d))
	return sb.String()
}

// wants phrases what the customer is after, from the hand-off's reasons.
func (b *Bot) wants(t *turn, d Decision) string {
	var w []string
	if d.Severity != frontline.SeverityNone && d.Severity != "" {
		w = append(w, "help with a "+strings.ReplaceAll(string(d.Severity), "_", " ")+" issue")
	}
	if t.has(frontline.SignalHumanRequest) {
		w = append(w, "to talk to a person")
	}
	if t.has(frontline.SignalFrustration) {
		w = append(w, "a quick resolution (frustrated)")
	}
	if t.has(frontline.SignalBotLoop) {
		w = append(w, "an answer the help articles did not give")
	}
	if len(w) == 0 {
		return "help from a person"
	}
	return strings.Join(w, "; ")
}

func firstOf(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := m[k]; v != "" {
			return v
		}
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// maxSummaryRunes bounds a generated summary.
const maxSummaryRunes = 800

// generateSummary asks the model for a summary of the masked transcript.
func (b *Bot) generateSummary(ctx context.Context, p frontline.HandoffPacket) (string, error) {
	var tr strings.Builder
	for _, m := range p.Transcript {
		fmt.Fprintf(&tr, "%s: %s\n", m.Author, m.Body)
	}
	reply, err := b.llm.Complete(ctx, []llm.Message{
		{Role: llm.RoleSystem, Content: "Summarise this support conversation for the human agent taking it over, in at most four sentences: " +
			"who the customer is, what they need, what the bot already tried, and what the customer wants now. Use only facts from the conversation."},
		{Role: llm.RoleUser, Content: fmt.Sprintf("Hand-off reason: %s\nArticles tried: %d\n\n%s", p.Reason, len(p.ArticlesTried), tr.String())},
	}, nil)
	if err != nil {
		return "", err
	}
	reply = strings.TrimSpace(reply)
	if utf8.RuneCountInString(reply) > maxSummaryRunes {
		reply = string([]rune(reply)[:maxSummaryRunes-1]) + "…"
	}
	return reply, nil
}
