package signal

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/frontlinehq/frontline"
)

// The frustration model is a second opinion next to the cues: a logistic
// regression over stemmed words, word pairs and a few shapes of the text
// (capitals, "!!!", questions asked again). Cues only know the phrasings
// someone wrote down; the model also weighs the quieter words around them
// ("whole lunch break", "still", "apparently"). Its weights are data, trained
// by TrainModel on our own labelled sets (see model_train_test.go) and
// embedded here; the evidence it gives is the words that pushed its score
// up the most.

//go:embed frustration_model.json
var frustrationModelJSON []byte

// Model is a trained logistic regression: the probability of a label is
// the logistic of Bias plus the sum of Weights of the features present
// (each times its value).
type Model struct {
	// Note says what the model was trained on.
	Note    string             `json:"note"`
	Bias    float64            `json:"bias"`
	Weights map[string]float64 `json:"weights"`
}

// ParseModel reads a model written by Model.JSON.
func ParseModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("signal model: %w", err)
	}
	if len(m.Weights) == 0 {
		return nil, fmt.Errorf("signal model: no weights")
	}
	return &m, nil
}

// JSON renders m with sorted keys and one feature a line, so a retrained
// model's diff can be read.
func (m *Model) JSON() []byte {
	var b strings.Builder
	note, _ := json.Marshal(m.Note)
	fmt.Fprintf(&b, "{\n\"note\": %s,\n\"bias\": %s,\n\"weights\": {\n", note, formatWeight(m.Bias))
	keys := make([]string, 0, len(m.Weights))
	for k := range m.Weights {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		key, _ := json.Marshal(k)
		sep := ","
		if i == len(keys)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s: %s%s\n", key, formatWeight(m.Weights[k]), sep)
	}
	b.WriteString("}\n}\n")
	return []byte(b.String())
}

func formatWeight(w float64) string { return fmt.Sprintf("%.4f", w) }

// defaultFrustrationModel is the embedded model, parsed once.
var defaultFrustrationModel = func() *Model {
	m, err := ParseModel(frustrationModelJSON)
	if err != nil {
		panic("signal: embedded frustration model: " + err.Error())
	}
	return m
}()

// ModelConfig says when the frustration model's opinion counts. The model
// fires on its own at Alone or above; with at least one frustration cue
// found (even one too weak to fire by itself) it fires at WithCue or
// above. Evidence lists at most EvidenceWords of the words that raised the
// score most. Off leaves the cues alone.
type ModelConfig struct {
	Off           bool    `yaml:"off,omitempty" json:"off,omitempty"`
	Alone         float64 `yaml:"alone" json:"alone"`
	WithCue       float64 `yaml:"with_cue" json:"with_cue"`
	EvidenceWords int     `yaml:"evidence_words" json:"evidence_words"`
}

// feature is one feature of a conversation, with where it was seen.
type feature struct {
	name  string
	value float64
	turn  int
	text  string // the customer's words behind it, for evidence
}

// earlierTurnValue is what a word in an earlier turn counts for, against 1
// in the last turn: the label is about the conversation as of its end.
const earlierTurnValue = 0.5

// modelFeatures turns a conversation into the model's features: the stems of
// its words and word pairs (last turn 1, earlier turns earlierTurnValue),
// shouted capitals, runs of "!?" and questions asked again.
func (d *rules) modelFeatures(ft []folded, rep repetition) []feature {
	byName := map[string]int{}
	var out []feature
	add := func(name string, value float64, turn int, text string) {
		if i, ok := byName[name]; ok {
			if value > out[i].value {
				out[i].value, out[i].turn, out[i].text = value, turn, text
			}
			return
		}
		byName[name] = len(out)
		out = append(out, feature{name: name, value: value, turn: turn, text: text})
	}
	last := len(ft) - 1
	shouted, punct := 0, 0
	for turn, t := range ft {
		v := earlierTurnValue
		if turn == last {
			v = 1
		}
		toks := t.tokens()
		prev := ""
		prevFunction := true
		for i, tok := range toks {
			s := stem(tok.word)
			function := d.isFunctionWord(tok.word)
			os, oe := t.origSpan(tok.start, tok.end)
			if !function {
				add("w:"+s, v, turn, t.Orig[os:oe])
			}
			if prev != "" && !(function && prevFunction) {
				ps, _ := t.origSpan(toks[i-1].start, toks[i-1].end)
				add("b:"+prev+"_"+s, v, turn, t.Orig[ps:oe])
			}
			prev, prevFunction = s, function
		}
		if turn >= last-1 {
			shouted += len(d.shoutedWords(t.Orig))
			punct += len(punctuationRuns(t.Orig, 2))
		}
	}
	if shouted > 0 {
		add("shape:caps", math.Min(1, float64(shouted)/3), last, "capitals")
	}
	if punct > 0 {
		add("shape:punct", math.Min(1, float64(punct)/2), last, "!?")
	}
	if n := len(rep.turns); n > 0 {
		add("shape:repeated", math.Min(1, float64(n)/2), rep.turns[len(rep.turns)-1], "asked again")
	}
	if last > 0 {
		add("shape:turns", math.Min(1, float64(last)/3), last, "long conversation")
	}
	return out
}

// isFunctionWord reports whether w is one of the repetition stopwords
// ("the", "is", "my") that carry no feeling alone: the model sees them only
// in pairs with a content word, so its evidence never quotes "is" alone.
// The stopwords that do carry impatience stay words of their own.
func (d *rules) isFunctionWord(w string) bool {
	return d.c.stopwords[w] && !feelingStopwords[w]
}

var feelingStopwords = map[string]bool{"again": true, "still": true, "just": true, "not": true, "no": true, "why": true}

// score returns the model's probability for fs and the features that
// raised it most, strongest first.
func (m *Model) score(fs []feature) (float64, []feature) {
	z := m.Bias
	type push struct {
		f feature
		w float64
	}
	var pushes []push
	for _, f := range fs {
		w, ok := m.Weights[f.name]
		if !ok {
			continue
		}
		z += w * f.value
		if w*f.value > 0 {
			pushes = append(pushes, push{f, w * f.value})
		}
	}
	slices.SortStableFunc(pushes, func(a, b push) int {
		switch {
		case a.w > b.w:
			return -1
		case a.w < b.w:
			return 1
		}
		return strings.Compare(a.f.name, b.f.name)
	})
	top := make([]feature, len(pushes))
	for i, p := range pushes {
		top[i] = p.f
	}
	return 1 / (1 + math.Exp(-z)), top
}

// modelEvidence quotes the words behind the strongest features, at most n,
// leaving out a word already quoted inside a quoted pair.
func modelEvidence(top []feature, n int) []frontline.Evidence {
	var ev []frontline.Evidence
	for _, f := range top {
		if len(ev) >= n {
			break
		}
		if slices.ContainsFunc(ev, func(e frontline.Evidence) bool {
			return e.Turn == f.turn && (strings.Contains(e.Text, f.text) || strings.Contains(f.text, e.Text))
		}) {
			continue
		}
		ev = append(ev, frontline.Evidence{Turn: f.turn, Text: f.text, Rule: "model"})
	}
	slices.SortStableFunc(ev, func(a, b frontline.Evidence) int { return a.Turn - b.Turn })
	return ev
}
