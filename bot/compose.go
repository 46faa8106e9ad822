package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/llm"
	"github.com/frontlinehq/frontline/kb"
)

// composed is an answer ready to post.
type composed struct {
	text       string
	citations  []frontline.Citation
	confidence float64
	composer   string // "llm" or "extractive"
	rejected   string // why a generated answer was not used
}

// maxLLMPassages bounds the passages a model sees.
const maxLLMPassages = 3

// compose writes the answer from hits (best first, the first one confident).
// With a model it asks for a grounded answer and checks it; whenever that
// fails or is rejected, the extractive answer from the best passage is used.
func (b *Bot) compose(ctx context.Context, t *turn, question string, hits []kb.Hit, threshold float64) composed {
	ext := b.extractive(hits[0])
	if b.llm == nil {
		return ext
	}
	var grounded []kb.Hit
	for _, h := range hits {
		if h.Score >= threshold && len(grounded) < maxLLMPassages {
			grounded = append(grounded, h)
		}
	}
	a, err := b.generate(ctx, t, question, grounded)
	if err != nil {
		// A reason that quotes the model (which may echo the customer)
		// is logged whole only at debug level.
		reason := err.Error()
		var q *quotingRejection
		if errors.As(err, &q) {
			reason = q.check
			b.logger.Debug("bot: generated answer rejected", "conversation", t.conv.ID, "reason", err)
		}
		b.logger.Warn("bot: generated answer not used; answering extractively", "conversation", t.conv.ID, "reason", reason)
		ext.rejected = err.Error()
		return ext
	}
	return a
}

func citationOf(h kb.Hit) frontline.Citation {
	return frontline.Citation{ArticleID: h.ArticleID, RevisionID: h.RevisionID, Slug: h.Slug, Title: h.Title, URL: h.URL, Score: h.Score}
}

// extractive answers with the best passage, cut at a sentence boundary,
// and a link to its article.
func (b *Bot) extractive(h kb.Hit) composed {
	text := trimSentences(plainText(h.Passage), b.cfg.MaxAnswerRunes)
	src := strings.NewReplacer("{title}", h.Title, "{url}", h.URL).Replace(b.cfg.Replies.Source)
	return composed{
		text:       text + "\n\n" + src,
		citations:  []frontline.Citation{citationOf(h)},
		confidence: h.Score,
		composer:   "extractive",
	}
}

var (
	mdHeading  = regexp.MustCompile(`(?m)^#{1,6}[ \t]*`)
	mdLink     = regexp.MustCompile(`\[([^\]\n]+)\]\([^)\n]*\)`)
	mdStrong   = regexp.MustCompile(`\*\*|__`)
	mdEmphasis = regexp.MustCompile(`(^|[^\w*])\*([^*\n]+)\*`)
	mdCode     = regexp.MustCompile("`([^`\n]*)`")
	blankLines = regexp.MustCompile(`\n{3,}`)
)

// plainText turns a passage's Markdown into text a chat bubble shows as
// is: no heading marks, emphasis or link syntax (link text is kept).
func plainText(md string) string {
	s := mdHeading.ReplaceAllString(md, "")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdStrong.ReplaceAllString(s, "")
	s = mdEmphasis.ReplaceAllString(s, "$1$2")
	s = mdCode.ReplaceAllString(s, "$1")
	return strings.TrimSpace(blankLines.ReplaceAllString(s, "\n\n"))
}

// trimSentences keeps whole sentences (and list lines) of s up to max runes;
// a first sentence longer than that is cut at a word and ends with "…".
func trimSentences(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	var b strings.Builder
	n := 0
	for _, sent := range sentences(s) {
		r := utf8.RuneCountInString(sent)
		if n+r > max {
			break
		}
		b.WriteString(sent)
		n += r
	}
	out := strings.TrimSpace(b.String())
	if out != "" {
		return out
	}
	// One very long sentence: cut at the last space before max.
	runes := []rune(s)[:max]
	cut := strings.LastIndexFunc(string(runes), unicode.IsSpace)
	if cut <= 0 {
		cut = len(string(runes))
	}
	return strings.TrimSpace(string(runes)[:cut]) + "…"
}

// sentences splits s after sentence-ending punctuation followed by a space
// and at line ends, keeping the separators with the sentence before them.
func sentences(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	pos := 0 // byte offset of rs[i]
	for i, r := range rs {
		size := utf8.RuneLen(r)
		end := r == '\n' ||
			(strings.ContainsRune(".!?。！？", r) && (i+1 == len(rs) || unicode.IsSpace(rs[i+1])))
		if end {
			stop := pos + size
			for stop < len(s) && (s[stop] == ' ' || s[stop] == '\n') {
				stop++
			}
			if stop > start {
				out = append(out, s[start:stop])
				start = stop
			}
		}
		pos += size
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// citationMark is how a model cites a passage: its article id in brackets.
var citationMark = regexp.MustCompile(`\[([A-Za-z0-9_-]{1,64})\]`)

// quotingRejection is a generated answer refused by a check whose detail
// quotes the model's words; check says which, without them.
type quotingRejection struct{ check, detail string }

func (r *quotingRejection) Error() string { return r.detail }

// noAnswer is what the model is told to say when the passages do not answer.
const noAnswer = "NO_ANSWER"

// generate asks the model for an answer grounded in hits and checks it:
// it must cite at least one passage, only passages it was given, say no
// number the cited passages do not, and share enough content words with
// them. An error says why the answer was rejected.
func (b *Bot) generate(ctx context.Context, t *turn, question string, hits []kb.Hit) (composed, error) {
	if len(hits) == 0 {
		return composed{}, fmt.Errorf("no confident passage to ground an answer in")
	}
	var sys strings.Builder
	fmt.Fprintf(&sys, "You are %s, a customer support assistant. Answer the customer's question using only the passages below. "+
		"After each sentence, cite the passage it comes from by writing its id in square brackets, for example [%s]. "+
		"Do not use any other knowledge, do not guess, and keep the answer under 120 words. "+
		"If the passages do not answer the question, reply exactly %s.\n\nPassages:\n", b.cfg.BotName, hits[0].ArticleID, noAnswer)
	byID := make(map[string]kb.Hit, len(hits))
	for _, h := range hits {
		byID[h.ArticleID] = h
		fmt.Fprintf(&sys, "\n[%s] %s\n%s\n", h.ArticleID, h.Title, plainText(h.Passage))
	}
	var onDelta func(string)
	if b.drafts != nil {
		var sofar strings.Builder
		onDelta = func(d string) {
			sofar.WriteString(d)
			b.drafts.Draft(ctx, t.conv.ID, t.msg.Seq, citationMark.ReplaceAllString(sofar.String(), ""))
		}
	}
	reply, err := b.llm.Complete(ctx, []llm.Message{
		{Role: llm.RoleSystem, Content: sys.String()},
		{Role: llm.RoleUser, Content: question},
	}, onDelta)
	if err != nil {
		return composed{}, err
	}
	return b.verify(reply, byID)
}

// verify checks a generated reply against the passages it may cite and
// turns it into the posted answer.
func (b *Bot) verify(reply string, byID map[string]kb.Hit) (composed, error) {
	if strings.Contains(reply, noAnswer) {
		return composed{}, fmt.Errorf("the model found no answer in the passages")
	}
	var cited []kb.Hit
	for _, m := range citationMark.FindAllStringSubmatch(reply, -1) {
		h, ok := byID[m[1]]
		if !ok {
			return composed{}, &quotingRejection{check: "the answer cites a passage the bot did not retrieve",
				detail: fmt.Sprintf("the answer cites %q, which the bot did not retrieve", m[1])}
		}
		if !slices.ContainsFunc(cited, func(c kb.Hit) bool { return c.ArticleID == h.ArticleID }) {
			cited = append(cited, h)
		}
	}
	if len(cited) == 0 {
		return composed{}, fmt.Errorf("the answer cites no passage")
	}
	text := strings.TrimSpace(spaceBeforePunct.ReplaceAllString(citationMark.ReplaceAllString(reply, ""), "$1"))
	source := make(map[string]bool)
	for _, h := range cited {
		for w := range b.contentTerms(h.Title + "\n" + plainText(h.Passage)) {
			source[w] = true
		}
	}
	words := b.contentTerms(text)
	if len(words) == 0 {
		return composed{}, fmt.Errorf("the answer has no content")
	}
	supported := 0
	for w := range words {
		switch {
		case source[w]:
			supported++
		case isNumber(w):
			return composed{}, &quotingRejection{check: "the answer states a number its sources do not",
				detail: fmt.Sprintf("the answer states %q, which its sources do not", w)}
		}
	}
	if share := float64(supported) / float64(len(words)); share < b.cfg.LLM.MinSupport {
		return composed{}, fmt.Errorf("only %.0f%% of the answer's words are in its sources (need %.0f%%)", 100*share, 100*b.cfg.LLM.MinSupport)
	}
	var srcs []string
	conf := 0.0
	var citations []frontline.Citation
	for _, h := range cited {
		citations = append(citations, citationOf(h))
		srcs = append(srcs, strings.NewReplacer("{title}", h.Title, "{url}", h.URL).Replace(b.cfg.Replies.Source))
		conf = max(conf, h.Score)
	}
	return composed{
		text:       text + "\n\n" + strings.Join(srcs, "\n"),
		citations:  citations,
		confidence: conf,
		composer:   "llm",
	}, nil
}

var spaceBeforePunct = regexp.MustCompile(`[ \t]+([.,;:!?])`)

// contentTerms are the stemmed words of s that carry meaning.
func (b *Bot) contentTerms(s string) map[string]bool {
	out := make(map[string]bool)
	for _, w := range kb.Terms(s) {
		if !b.stopwords[w] && (utf8.RuneCountInString(w) > 2 || isNumber(w)) {
			out[w] = true
		}
	}
	return out
}

func isNumber(w string) bool {
	return w != "" && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}
