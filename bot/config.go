package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/frontlinehq/frontline/kb"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the bot's behaviour: when it answers, asks, or hands off, how it
// words what it says, and the optional language model. DefaultConfig holds
// the shipped values; LoadConfig reads a JSON file over them.
type Config struct {
	// BotName is the author name on the bot's messages.
	BotName string `json:"bot_name"`
	// ClarifyMargin: when the two best articles are different, both
	// confident, and their scores differ by less than this, the bot asks
	// which one the customer means (once) instead of guessing.
	ClarifyMargin float64 `json:"clarify_margin"`
	// FailedAnswersBeforeHandoff: after this many replies in a row that
	// did not help (the knowledge base had no confident answer, or the
	// customer repeated the question after an answer) the bot hands off.
	FailedAnswersBeforeHandoff int `json:"failed_answers_before_handoff"`
	// MaxAnswerRunes bounds an extractive answer; it is cut at a sentence
	// boundary.
	MaxAnswerRunes int `json:"max_answer_runes"`
	// SuggestMinScore: when the bot has no confident answer and the best
	// article scores at least this (the estimated probability it is the
	// right one), it offers the best three to pick from ("Is it one of
	// these?") besides a person. 0 turns suggestions off.
	SuggestMinScore float64 `json:"suggest_min_score"`
	// MaxSearchHits is how many articles the bot retrieves per question.
	MaxSearchHits int `json:"max_search_hits"`
	// HistoryLimit bounds how many recent messages the bot reads.
	HistoryLimit int `json:"history_limit"`
	// Policy routes hand-offs.
	Policy Policy `json:"policy"`
	// Replies are the words the bot uses; see Replies.
	Replies Replies `json:"replies"`
	// Accept are replies that accept the bot's offer of a person, in the
	// languages served ("yes", "sí", "oui"...), matched on the whole
	// reply without punctuation, case-insensitively.
	Accept []string `json:"accept"`
	// OptionWords name the first and second choice of a clarifying
	// question ("1", "first"...).
	OptionWords [2][]string `json:"option_words"`
	// Stopwords are left out when checking that a generated answer is
	// supported by the passages it cites.
	Stopwords []string `json:"stopwords"`
	// LLM configures the optional language model; without a base URL and
	// model the bot answers extractively.
	LLM LLMConfig `json:"llm"`
}

// Replies are the bot's fixed texts. Placeholders in braces are filled in.
type Replies struct {
	// NotSure: the knowledge base has no confident answer.
	NotSure string `json:"not_sure"`
	// Suggest introduces the articles offered to pick from when the bot is
	// not sure ("Is it one of these?"); NoneOfThese follows the list.
	Suggest     string `json:"suggest"`
	NoneOfThese string `json:"none_of_these"`
	// Clarify: {first} and {second} are the two article titles.
	Clarify string `json:"clarify"`
	// Source introduces the cited article: {title} and {url}.
	Source string `json:"source"`
	// Queued: {team}, {position} and {eta} ("about 10 minutes").
	Queued string `json:"queued"`
	// QueuedNoPosition when the position is not known: {team}.
	QueuedNoPosition string `json:"queued_no_position"`
	// QueuedAssigned when an agent took the conversation with the hand-off
	// itself: {team} and {agent}, the agent's display name.
	QueuedAssigned string `json:"queued_assigned"`
	// Private is added to Queued when the conversation became private.
	Private string `json:"private"`
	// HandoffFailed when the queue could not take the conversation.
	HandoffFailed string `json:"handoff_failed"`
}

// LLMConfig configures an OpenAI-compatible endpoint.
type LLMConfig struct {
	BaseURL string `json:"base_url"`
	Model   string `json:"model"`
	// APIKey is a secret: it is never read from or written to a config
	// file; the caller sets it from the environment (FRONTLINE_LLM_API_KEY).
	APIKey  string   `json:"-"`
	Timeout Duration `json:"timeout"`
	Stream  bool     `json:"stream"`
	// MinSupport is the share of a generated answer's content words that
	// must appear in the passages it cites; below it the bot falls back to
	// the extractive answer.
	MinSupport float64 `json:"min_support"`
	// Summaries lets the model write the hand-off summary for agents.
	Summaries bool `json:"summaries"`
}

// Enabled reports whether a model is configured.
func (c LLMConfig) Enabled() bool { return c.BaseURL != "" && c.Model != "" }

// Duration is a time.Duration written as "20s" in JSON.
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"20s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// DefaultConfig returns the shipped configuration.
func DefaultConfig() Config {
	return Config{
		BotName:                    "Assistant",
		ClarifyMargin:              0.04,
		FailedAnswersBeforeHandoff: 2,
		MaxAnswerRunes:             600,
		SuggestMinScore:            kb.DefaultSuggestMin,
		MaxSearchHits:              5,
		HistoryLimit:               200,
		Policy:                     DefaultPolicy(),
		Replies: Replies{
			NotSure: "I'm not sure about that one, and I'd rather not guess. Could you put it another way? " +
				"Or, if you'd like, I can pass you to a person on our team.",
			Suggest:          "I'm not sure I have that exactly. Is it one of these?",
			NoneOfThese:      "If it's none of these, say so (or press \"None of these\") and I'll pass you to a person on our team.",
			Clarify:          "Just to be sure I point you to the right answer: is your question about \"{first}\" or \"{second}\"?",
			Source:           "Source: {title} ({url})",
			Queued:           "I've passed this to our {team} team{private}. You're number {position} in line; the usual wait is {eta}. They'll see everything you've written here, so there's no need to repeat it.",
			QueuedNoPosition: "I've passed this to our {team} team{private}. Someone will reply here as soon as they can; they'll see everything you've written, so there's no need to repeat it.",
			QueuedAssigned:   "I've passed this to our {team} team{private}. {agent} has joined and will reply here; they'll see everything you've written, so there's no need to repeat it.",
			Private:          ", who handle this privately",
			HandoffFailed:    "I tried to pass this to a person but couldn't reach the team just now. Please try again in a few minutes.",
		},
		Accept: []string{
			"yes", "none of these", "none", "none of them", "yes please", "yeah", "yep", "ok", "okay", "sure", "please", "please do",
			"sí", "si", "vale", "claro", "oui", "d'accord", "ja", "ja bitte", "gerne", "sim", "pode ser", "graag",
		},
		OptionWords: [2][]string{
			{"1", "first", "the first", "first one", "the first one", "1st"},
			{"2", "second", "the second", "second one", "the second one", "2nd"},
		},
		Stopwords: strings.Fields(`a about above after again all also am an and any are as at be because been
			before being below between both but by can could did do does doing down during each few for from
			further had has have having he her here hers him his how i if in into is it its itself just let me
			more most my no nor not now of off on once only or other our ours out over own same she should so
			some such than that the their them then there these they this those through to too under until up
			very was we were what when where which while who whom why will with would you your yours`),
		LLM: LLMConfig{Timeout: Duration(20 * time.Second), MinSupport: 0.6},
	}
}

// Validate names the first bad field.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(strings.TrimSpace(c.BotName) != "", "bot_name: required")
	check(c.ClarifyMargin >= 0 && c.ClarifyMargin < 1, "clarify_margin: %v is outside [0,1)", c.ClarifyMargin)
	check(c.SuggestMinScore >= 0 && c.SuggestMinScore <= 1, "suggest_min_score: %v is outside [0,1]", c.SuggestMinScore)
	check(c.FailedAnswersBeforeHandoff >= 1, "failed_answers_before_handoff: %d must be at least 1", c.FailedAnswersBeforeHandoff)
	check(c.MaxAnswerRunes >= 80, "max_answer_runes: %d must be at least 80", c.MaxAnswerRunes)
	check(c.MaxSearchHits >= 2 && c.MaxSearchHits <= 50, "max_search_hits: %d is outside 2..50", c.MaxSearchHits)
	check(c.HistoryLimit >= 10, "history_limit: %d must be at least 10", c.HistoryLimit)
	for name, s := range map[string]string{"not_sure": c.Replies.NotSure, "clarify": c.Replies.Clarify,
		"source": c.Replies.Source, "suggest": c.Replies.Suggest, "none_of_these": c.Replies.NoneOfThese, "queued": c.Replies.Queued, "queued_no_position": c.Replies.QueuedNoPosition,
		"queued_assigned": c.Replies.QueuedAssigned,
		"handoff_failed":  c.Replies.HandoffFailed} {
		check(strings.TrimSpace(s) != "", "replies.%s: required", name)
	}
	check(c.LLM.MinSupport >= 0 && c.LLM.MinSupport <= 1, "llm.min_support: %v is outside [0,1]", c.LLM.MinSupport)
	check(c.LLM.Timeout >= 0, "llm.timeout: negative")
	check((c.LLM.BaseURL == "") == (c.LLM.Model == ""), "llm: base_url and model go together")
	if err := c.Policy.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// LoadConfig reads a JSON file over DefaultConfig: keys the file leaves out
// keep their defaults (a policy.severity entry replaces only that topic's
// route). Unknown keys and invalid values are errors naming the file.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("bot config: %w", err)
	}
	cfg := DefaultConfig()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("bot config %s: %w", filepath.Base(path), describeJSONError(data, err))
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("bot config %s: %w", filepath.Base(path), err)
	}
	return cfg, nil
}

// describeJSONError adds the line number to a syntax or type error.
func describeJSONError(data []byte, err error) error {
	var off int64
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	default:
		return err
	}
	line := 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
	return fmt.Errorf("line %d: %w", line, err)
}
