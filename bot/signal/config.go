package signal

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/strictyaml"
)

// Config is everything the detectors know: thresholds, weights and the cues
// (word lists) they look for. DefaultConfig holds the shipped values; an
// operator can override any part from a YAML or JSON file with LoadConfig.
type Config struct {
	// Negators are words that cancel a negatable cue just after them
	// ("not angry", "no quiero"); NegationWindow is how many words back
	// they count.
	Negators       []string `yaml:"negators" json:"negators"`
	NegationWindow int      `yaml:"negation_window" json:"negation_window"`

	Frustration  FrustrationConfig  `yaml:"frustration" json:"frustration"`
	HumanRequest HumanRequestConfig `yaml:"human_request" json:"human_request"`
	Severity     SeverityConfig     `yaml:"severity" json:"severity"`
	Repetition   RepetitionConfig   `yaml:"repetition" json:"repetition"`
	// Learned switches the learned models off (Off: true), leaving every
	// decision to the cues.
	Learned LearnedConfig `yaml:"learned,omitempty" json:"learned,omitempty"`
}

// LearnedConfig: the learned models decide frustration, a request for a
// person and severity, from the words, the cues and the earlier turns; their
// thresholds were chosen by cross-validation and ship with the weights.
type LearnedConfig struct {
	Off bool `yaml:"off,omitempty" json:"off,omitempty"`
}

// FrustrationConfig: a turn's score is the sum of the weights of the cues
// found in it (each cue once). The conversation's score is the last turn's
// score, plus earlier turns' scores scaled by CarryOver for each turn of
// distance, plus RepetitionWeight for each repeated question. At Threshold
// or above the customer is frustrated, unless the last turn calms down.
type FrustrationConfig struct {
	Threshold        float64 `yaml:"threshold" json:"threshold"`
	CarryOver        float64 `yaml:"carry_over" json:"carry_over"`
	RepetitionWeight float64 `yaml:"repetition_weight" json:"repetition_weight"`
	Cues             []Cue   `yaml:"cues" json:"cues"`
	// Shouting counts words written in capitals that are not acronyms.
	Shouting ShoutingConfig `yaml:"shouting" json:"shouting"`
	// Punctuation counts runs such as "!!!", "???" or "?!".
	Punctuation PunctuationConfig `yaml:"punctuation" json:"punctuation"`
	// Excusers switch off cue groups in a turn where they appear: enthusiasm
	// excuses capitals and "!!!" ("THANK YOU!!!"), alarm about someone
	// else excuses them too ("that wasn't me!!").
	Excusers []Excuser `yaml:"excusers" json:"excusers"`
	// CalmDown: a last turn with one of these and no frustration cue means
	// the customer has calmed down.
	CalmDown []Cue `yaml:"calm_down" json:"calm_down"`
	// Model is the learned second opinion (see ModelConfig).
	Model ModelConfig `yaml:"model" json:"model"`
}

// ShoutingConfig scores capitals: WordWeight per shouted word, at most
// MaxWeight per turn. A shouted word has at least MinLetters letters, all
// capitals, and is not in Acronyms; one in Emphatic ("NOT", "AGAIN") scores
// EmphaticWeight instead. Words in codes ("FRONTLINE*SHOP", "SKU-12") are
// not shouted.
type ShoutingConfig struct {
	Name           string   `yaml:"name" json:"name"`
	WordWeight     float64  `yaml:"word_weight" json:"word_weight"`
	MaxWeight      float64  `yaml:"max_weight" json:"max_weight"`
	MinLetters     int      `yaml:"min_letters" json:"min_letters"`
	Acronyms       []string `yaml:"acronyms" json:"acronyms"`
	Emphatic       []string `yaml:"emphatic,omitempty" json:"emphatic,omitempty"`
	EmphaticWeight float64  `yaml:"emphatic_weight,omitempty" json:"emphatic_weight,omitempty"`
}

// PunctuationConfig scores a run of at least MinRun "!" or "?" (or a mix
// such as "?!") with Weight, once per turn.
type PunctuationConfig struct {
	Name   string  `yaml:"name" json:"name"`
	Weight float64 `yaml:"weight" json:"weight"`
	MinRun int     `yaml:"min_run" json:"min_run"`
}

// Excuser: where one of its phrases appears, the cue groups it names do not
// count in that turn. The groups "shouting" and "punctuation" are the
// capitals and the "!!!" scores.
type Excuser struct {
	Cue     `yaml:",inline" json:",inline"`
	Excuses []string `yaml:"excuses" json:"excuses"`
}

// HumanRequestConfig: the customer asks for a person when a cue reaches
// Threshold, no veto overlaps it ("are you a human?", "I don't want an
// agent"), and no withdrawal comes after it ("never mind, found it").
type HumanRequestConfig struct {
	Threshold   float64 `yaml:"threshold" json:"threshold"`
	Cues        []Cue   `yaml:"cues" json:"cues"`
	Vetoes      []Cue   `yaml:"vetoes" json:"vetoes"`
	Withdrawals []Cue   `yaml:"withdrawals" json:"withdrawals"`
}

// SeverityConfig: a topic is raised when its cues reach Threshold in the
// open part of the conversation. Cues after a hypothetical marker in the same
// clause ("what happens if…") do not count, nor after a how-to marker ("how
// do I…") unless the topic says HowToCounts, nor before a resolution ("it
// arrived", "refund came through"). The most severe raised topic wins, in the
// order of frontline.Severities.
type SeverityConfig struct {
	Threshold    float64       `yaml:"threshold" json:"threshold"`
	Topics       []TopicConfig `yaml:"topics" json:"topics"`
	Hypothetical []Cue         `yaml:"hypothetical" json:"hypothetical"`
	HowTo        []Cue         `yaml:"how_to" json:"how_to"`
	Resolved     []Cue         `yaml:"resolved" json:"resolved"`
}

// TopicConfig lists one severity topic's cues and the vetoes that cancel the
// cues they overlap ("I'm a lawyer" about oneself, "my internet is down").
type TopicConfig struct {
	Topic       frontline.Severity `yaml:"topic" json:"topic"`
	Cues        []Cue              `yaml:"cues" json:"cues"`
	Vetoes      []Cue              `yaml:"vetoes" json:"vetoes"`
	HowToCounts bool               `yaml:"how_to_counts,omitempty" json:"how_to_counts,omitempty"`
}

// RepetitionConfig: a turn repeats an earlier one when their content words
// overlap by at least MinOverlap (shared words over the shorter turn's words)
// and they share at least MinShared words, or when a cue says so ("as I
// said").
type RepetitionConfig struct {
	MinOverlap float64  `yaml:"min_overlap" json:"min_overlap"`
	MinShared  int      `yaml:"min_shared" json:"min_shared"`
	Stopwords  []string `yaml:"stopwords" json:"stopwords"`
	Cues       []Cue    `yaml:"cues" json:"cues"`
}

// LoadConfig reads a YAML or JSON file (JSON is valid YAML) over
// DefaultConfig: keys the file leaves out keep their defaults, and a list it
// gives replaces the default list. Unknown keys and bad cues are errors that
// name the file.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("signal config: %w", err)
	}
	cfg := DefaultConfig()
	if err := strictyaml.Decode(filepath.Base(path), data, &cfg); err != nil {
		return Config{}, fmt.Errorf("signal config %w", err)
	}
	if _, err := compile(cfg); err != nil {
		return Config{}, fmt.Errorf("signal config %s: %w", filepath.Base(path), err)
	}
	return cfg, nil
}

// YAML renders cfg as YAML, for an operator to start editing from.
func (c Config) YAML() ([]byte, error) {
	return yaml.Marshal(c)
}

// compiled is a Config ready to match.
type compiled struct {
	cfg          Config
	negators     map[string]bool
	frustration  []compiledCue
	excusers     []compiledExcuser
	calmDown     []compiledCue
	acronyms     map[string]bool
	emphatic     map[string]bool
	human        []compiledCue
	humanVetoes  []compiledCue
	withdrawals  []compiledCue
	topics       []compiledTopic
	hypothetical []compiledCue
	howTo        []compiledCue
	resolved     []compiledCue
	repetition   []compiledCue
	stopwords    map[string]bool
	model        *Model
}

type compiledExcuser struct {
	compiledCue
	excuses map[string]bool
}

type compiledTopic struct {
	TopicConfig
	cues   []compiledCue
	vetoes []compiledCue
}

func compileAll(section string, cues []Cue) ([]compiledCue, error) {
	out := make([]compiledCue, 0, len(cues))
	for i, c := range cues {
		cc, err := compileCue(c)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", section, i, err)
		}
		out = append(out, cc)
	}
	return out, nil
}

func compile(cfg Config) (*compiled, error) {
	c := &compiled{cfg: cfg, negators: set(cfg.Negators), acronyms: map[string]bool{}, stopwords: set(cfg.Repetition.Stopwords), model: defaultFrustrationModel}
	for _, a := range cfg.Frustration.Shouting.Acronyms {
		c.acronyms[strings.ToUpper(a)] = true
	}
	c.emphatic = map[string]bool{}
	for _, w := range cfg.Frustration.Shouting.Emphatic {
		c.emphatic[strings.ToUpper(w)] = true
	}
	var err error
	steps := []struct {
		section string
		cues    []Cue
		dst     *[]compiledCue
	}{
		{"frustration.cues", cfg.Frustration.Cues, &c.frustration},
		{"frustration.calm_down", cfg.Frustration.CalmDown, &c.calmDown},
		{"human_request.cues", cfg.HumanRequest.Cues, &c.human},
		{"human_request.vetoes", cfg.HumanRequest.Vetoes, &c.humanVetoes},
		{"human_request.withdrawals", cfg.HumanRequest.Withdrawals, &c.withdrawals},
		{"severity.hypothetical", cfg.Severity.Hypothetical, &c.hypothetical},
		{"severity.how_to", cfg.Severity.HowTo, &c.howTo},
		{"severity.resolved", cfg.Severity.Resolved, &c.resolved},
		{"repetition.cues", cfg.Repetition.Cues, &c.repetition},
	}
	for _, s := range steps {
		if *s.dst, err = compileAll(s.section, s.cues); err != nil {
			return nil, err
		}
	}
	for i, e := range cfg.Frustration.Excusers {
		cc, err := compileCue(e.Cue)
		if err != nil {
			return nil, fmt.Errorf("frustration.excusers[%d]: %w", i, err)
		}
		c.excusers = append(c.excusers, compiledExcuser{compiledCue: cc, excuses: set(e.Excuses)})
	}
	for i, t := range cfg.Severity.Topics {
		if t.Topic.Rank() == 0 {
			return nil, fmt.Errorf("severity.topics[%d]: unknown topic %q (want one of %v)", i, t.Topic, frontline.Severities)
		}
		ct := compiledTopic{TopicConfig: t}
		if ct.cues, err = compileAll(fmt.Sprintf("severity.topics[%s].cues", t.Topic), t.Cues); err != nil {
			return nil, err
		}
		if ct.vetoes, err = compileAll(fmt.Sprintf("severity.topics[%s].vetoes", t.Topic), t.Vetoes); err != nil {
			return nil, err
		}
		c.topics = append(c.topics, ct)
	}
	if m := cfg.Frustration.Model; !m.Off && (m.Alone <= 0 || m.Alone > 1 || m.WithCue <= 0 || m.WithCue > 1 || m.EvidenceWords < 0) {
		return nil, fmt.Errorf("frustration.model: alone and with_cue must be in (0, 1], evidence_words at least 0")
	}
	if cfg.Frustration.Threshold <= 0 || cfg.HumanRequest.Threshold <= 0 || cfg.Severity.Threshold <= 0 {
		return nil, fmt.Errorf("thresholds must be above 0")
	}
	return c, nil
}

func set(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[fold(w).Norm] = true
	}
	return m
}
