// Package escalationeval measures the bot's hand-off detectors on a labelled
// JSONL file of conversations: each one goes through the guard (masking) and
// the signal detector as the pipeline runs them, and the predictions are
// compared with the labels. Schema: ../shared/data/escalation/README.md.
package escalationeval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/guard"
	"github.com/frontlinehq/frontline/bot/signal"
)

// Case is one labelled conversation.
type Case struct {
	ID           string             `json:"id"`
	Turns        []string           `json:"turns"`
	Frustration  bool               `json:"frustration"`
	HumanRequest bool               `json:"human_request"`
	Severity     frontline.Severity `json:"severity"`
	PII          []string           `json:"pii"`
}

// ReadCases parses a JSONL file; name is used in errors, which give the line.
func ReadCases(r io.Reader, name string) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	seen := map[string]int{}
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var c Case
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		switch {
		case c.ID == "":
			return nil, fmt.Errorf("%s:%d: id is empty", name, line)
		case len(c.Turns) == 0:
			return nil, fmt.Errorf("%s:%d: %s: turns is empty", name, line, c.ID)
		case c.Severity != frontline.SeverityNone && c.Severity.Rank() == 0:
			return nil, fmt.Errorf("%s:%d: %s: unknown severity %q", name, line, c.ID, c.Severity)
		}
		if prev, ok := seen[c.ID]; ok {
			return nil, fmt.Errorf("%s:%d: id %s already used on line %d", name, line, c.ID, prev)
		}
		seen[c.ID] = line
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("%s: no conversations", name)
	}
	return cases, nil
}

// Subset keeps the cases whose id ends in an odd ("odd") or even ("even")
// number; "" or "all" keeps all. Tuning looks at odd ids only, so even ids
// stay a held-out check.
func Subset(cases []Case, which string) ([]Case, error) {
	if which == "" || which == "all" {
		return cases, nil
	}
	if which != "odd" && which != "even" {
		return nil, fmt.Errorf("subset %q: want all, odd or even", which)
	}
	var out []Case
	for _, c := range cases {
		digits := strings.TrimLeftFunc(c.ID, func(r rune) bool { return r < '0' || r > '9' })
		n, err := strconv.Atoi(digits)
		if err != nil {
			return nil, fmt.Errorf("subset %s: id %q does not end in a number", which, c.ID)
		}
		if (n%2 == 1) == (which == "odd") {
			out = append(out, c)
		}
	}
	return out, nil
}

// Labelled masks each case's turns with g, as the pipeline masks them, and
// returns them with their labels, for signal.TrainDetectors.
func Labelled(cases []Case, g *guard.Guard) []signal.Labelled {
	out := make([]signal.Labelled, len(cases))
	for i, c := range cases {
		turns := make([]string, len(c.Turns))
		for j, m := range g.MaskConversation(c.Turns) {
			turns[j] = m.Text
		}
		out[i] = signal.Labelled{ID: c.ID, Turns: turns, Frustration: c.Frustration, HumanRequest: c.HumanRequest, Severity: c.Severity}
	}
	return out
}

// PRF is precision, recall and F1 of one label.
type PRF struct {
	Precision  float64 `json:"precision"`
	Recall     float64 `json:"recall"`
	F1         float64 `json:"f1"`
	Support    int     `json:"support"`
	tp, fp, fn int
}

func (p *PRF) add(want, got bool) {
	switch {
	case want && got:
		p.tp++
	case got:
		p.fp++
	case want:
		p.fn++
	}
}

func (p *PRF) finish() {
	p.Support = p.tp + p.fn
	p.Precision = ratio(p.tp, p.tp+p.fp)
	p.Recall = ratio(p.tp, p.tp+p.fn)
	if p.Precision+p.Recall > 0 {
		p.F1 = round(2 * p.Precision * p.Recall / (p.Precision + p.Recall))
	}
}

// Miss explains one misclassified conversation.
type Miss struct {
	ID       string   `json:"id"`
	Problems []string `json:"problems"`
}

// Report holds every figure of one run.
type Report struct {
	Cases        int `json:"cases"`
	Frustration  PRF `json:"frustration"`
	HumanRequest PRF `json:"human_request"`
	// Severity is per class over the classes present in the labels,
	// "none" included; SeverityMacroF1 averages them.
	Severity        map[frontline.Severity]PRF `json:"severity"`
	SeverityMacroF1 float64                    `json:"severity_macro_f1"`
	// SeverityTopicsMacroF1 averages the topics present, without "none".
	SeverityTopicsMacroF1 float64 `json:"severity_topics_macro_f1"`
	SeverityAccuracy      float64 `json:"severity_accuracy"`
	// HandoffAccuracy: hand off when frustrated, asked for a person or a
	// severity topic is open.
	HandoffAccuracy float64 `json:"handoff_accuracy"`
	// PIILeaks counts labelled private strings that survive masking.
	PIILeaks int `json:"pii_leaks"`
	// PIIOvermasked counts masked spans that overlap no labelled string.
	PIIOvermasked int      `json:"pii_overmasked"`
	PIISpans      int      `json:"pii_spans"`
	Misclassified []string `json:"misclassified"`
	Misses        []Miss   `json:"misses,omitempty"`
	// Languages: the figures of each language with at least
	// MinLanguageCases conversations (guessed by Language), English first;
	// the rest together as "other".
	Languages []LanguageFigures `json:"languages"`
}

// MinLanguageCases is how many conversations a language needs for a row of
// its own in the per-language figures.
const MinLanguageCases = 10

// LanguageFigures are one language group's figures.
type LanguageFigures struct {
	Language        string  `json:"language"`
	Cases           int     `json:"cases"`
	FrustrationF1   float64 `json:"frustration_f1"`
	HumanRequestF1  float64 `json:"human_request_f1"`
	SeverityMacroF1 float64 `json:"severity_macro_f1"`
	HandoffAccuracy float64 `json:"handoff_accuracy"`
}

// prediction is one case with what the detectors said.
type prediction struct {
	c   Case
	res signal.Result
}

// languageFigures groups preds by language and scores each group.
func languageFigures(preds []prediction) []LanguageFigures {
	byLang := map[string][]prediction{}
	for _, p := range preds {
		byLang[Language(p.c.Turns)] = append(byLang[Language(p.c.Turns)], p)
	}
	var other []prediction
	var out []LanguageFigures
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	sort.Slice(langs, func(i, j int) bool {
		if (langs[i] == "en") != (langs[j] == "en") {
			return langs[i] == "en"
		}
		return langs[i] < langs[j]
	})
	for _, l := range langs {
		if len(byLang[l]) < MinLanguageCases {
			other = append(other, byLang[l]...)
			continue
		}
		out = append(out, scoreGroup(l, byLang[l]))
	}
	if len(other) > 0 {
		out = append(out, scoreGroup("other", other))
	}
	return out
}

func scoreGroup(lang string, preds []prediction) LanguageFigures {
	var fr, hr PRF
	sev := map[frontline.Severity]*PRF{}
	for _, p := range preds {
		if sev[p.c.Severity] == nil {
			sev[p.c.Severity] = &PRF{}
		}
	}
	right := 0
	for _, p := range preds {
		fr.add(p.c.Frustration, p.res.Frustrated)
		hr.add(p.c.HumanRequest, p.res.HumanRequest)
		for cl, x := range sev {
			x.add(p.c.Severity == cl, p.res.Severity == cl)
		}
		want := p.c.Frustration || p.c.HumanRequest || p.c.Severity != frontline.SeverityNone
		got := p.res.Frustrated || p.res.HumanRequest || p.res.Severity != frontline.SeverityNone
		if want == got {
			right++
		}
	}
	fr.finish()
	hr.finish()
	classes := make([]string, 0, len(sev))
	for cl := range sev {
		classes = append(classes, string(cl))
	}
	sort.Strings(classes)
	macro := 0.0
	for _, cl := range classes {
		x := sev[frontline.Severity(cl)]
		x.finish()
		macro += x.F1
	}
	return LanguageFigures{Language: lang, Cases: len(preds), FrustrationF1: fr.F1, HumanRequestF1: hr.F1,
		SeverityMacroF1: round(macro / float64(len(classes))), HandoffAccuracy: ratio(right, len(preds))}
}

// Run puts every case through g and d and scores the predictions.
func Run(cases []Case, g *guard.Guard, d *signal.Detector) Report {
	rep := Report{Cases: len(cases), Severity: map[frontline.Severity]PRF{}, Misclassified: []string{}}
	classes := map[frontline.Severity]bool{}
	for _, c := range cases {
		classes[c.Severity] = true
	}
	sev := map[frontline.Severity]*PRF{}
	for cl := range classes {
		sev[cl] = &PRF{}
	}
	handoffRight, sevRight := 0, 0
	var preds []prediction
	for _, c := range cases {
		masked := make([]string, len(c.Turns))
		var problems []string
		for i, m := range g.MaskConversation(c.Turns) {
			t := c.Turns[i]
			masked[i] = m.Text
			rep.PIISpans += len(m.Spans)
			for _, s := range m.Spans {
				if !overlapsAny(t, s, c.PII) {
					rep.PIIOvermasked++
					problems = append(problems, fmt.Sprintf("over-masked %s %q", s.Kind, t[s.Start:s.End]))
				}
			}
		}
		for _, p := range c.PII {
			for i, t := range c.Turns {
				if strings.Contains(t, p) && strings.Contains(masked[i], p) {
					rep.PIILeaks++
					problems = append(problems, fmt.Sprintf("leaked %q", p))
					break
				}
			}
		}
		res := d.Detect(masked)
		preds = append(preds, prediction{c, res})
		rep.Frustration.add(c.Frustration, res.Frustrated)
		rep.HumanRequest.add(c.HumanRequest, res.HumanRequest)
		for cl, p := range sev {
			p.add(c.Severity == cl, res.Severity == cl)
		}
		if c.Severity == res.Severity {
			sevRight++
		}
		wantHandoff := c.Frustration || c.HumanRequest || c.Severity != frontline.SeverityNone
		gotHandoff := res.Frustrated || res.HumanRequest || res.Severity != frontline.SeverityNone
		if wantHandoff == gotHandoff {
			handoffRight++
		}
		if c.Frustration != res.Frustrated {
			problems = append(problems, fmt.Sprintf("frustration want %v got %v", c.Frustration, res.Frustrated))
		}
		if c.HumanRequest != res.HumanRequest {
			problems = append(problems, fmt.Sprintf("human_request want %v got %v", c.HumanRequest, res.HumanRequest))
		}
		if c.Severity != res.Severity {
			problems = append(problems, fmt.Sprintf("severity want %s got %s", c.Severity, res.Severity))
		}
		if len(problems) > 0 {
			rep.Misclassified = append(rep.Misclassified, c.ID)
			rep.Misses = append(rep.Misses, Miss{ID: c.ID, Problems: problems})
		}
	}
	rep.Frustration.finish()
	rep.HumanRequest.finish()
	var macro, topics float64
	nTopics := 0
	for cl, p := range sev {
		p.finish()
		rep.Severity[cl] = *p
		macro += p.F1
		if cl != frontline.SeverityNone {
			topics += p.F1
			nTopics++
		}
	}
	rep.SeverityMacroF1 = round(macro / float64(len(sev)))
	if nTopics > 0 {
		rep.SeverityTopicsMacroF1 = round(topics / float64(nTopics))
	}
	rep.SeverityAccuracy = ratio(sevRight, len(cases))
	rep.HandoffAccuracy = ratio(handoffRight, len(cases))
	rep.Languages = languageFigures(preds)
	return rep
}

// overlapsAny reports whether span s of text overlaps an occurrence of one
// of the labelled private strings.
func overlapsAny(text string, s guard.Span, pii []string) bool {
	for _, p := range pii {
		for off := 0; off < len(text); {
			i := strings.Index(text[off:], p)
			if i < 0 || p == "" {
				break
			}
			start := off + i
			if start < s.End && s.Start < start+len(p) {
				return true
			}
			off = start + 1
		}
	}
	return false
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return round(float64(a) / float64(b))
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }

// WriteText prints the report for a person.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "conversations: %d\n\n", r.Cases)
	fmt.Fprintf(&b, "%-16s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support")
	for _, row := range []struct {
		name string
		p    PRF
	}{{"frustration", r.Frustration}, {"human_request", r.HumanRequest}} {
		fmt.Fprintf(&b, "%-16s %9.3f %9.3f %9.3f %8d\n", row.name, row.p.Precision, row.p.Recall, row.p.F1, row.p.Support)
	}
	fmt.Fprintf(&b, "\nseverity (classes present in the labels)\n")
	classes := make([]string, 0, len(r.Severity))
	for cl := range r.Severity {
		classes = append(classes, string(cl))
	}
	sort.Slice(classes, func(i, j int) bool {
		return frontline.Severity(classes[i]).Rank() > frontline.Severity(classes[j]).Rank()
	})
	for _, cl := range classes {
		p := r.Severity[frontline.Severity(cl)]
		fmt.Fprintf(&b, "  %-14s %9.3f %9.3f %9.3f %8d\n", cl, p.Precision, p.Recall, p.F1, p.Support)
	}
	fmt.Fprintf(&b, "severity macro-F1 (with none): %.3f\n", r.SeverityMacroF1)
	fmt.Fprintf(&b, "severity macro-F1 (topics only): %.3f\n", r.SeverityTopicsMacroF1)
	fmt.Fprintf(&b, "severity accuracy: %.3f\n", r.SeverityAccuracy)
	fmt.Fprintf(&b, "\nhand-off accuracy: %.3f\n", r.HandoffAccuracy)
	fmt.Fprintf(&b, "pii leaks: %d\npii over-masked spans: %d (of %d masked)\n", r.PIILeaks, r.PIIOvermasked, r.PIISpans)
	fmt.Fprintf(&b, "\nper language (at least %d conversations; the rest as other)\n", MinLanguageCases)
	fmt.Fprintf(&b, "  %-8s %6s %12s %14s %12s %9s\n", "language", "cases", "frustration", "human_request", "severity", "hand-off")
	for _, l := range r.Languages {
		fmt.Fprintf(&b, "  %-8s %6d %12.3f %14.3f %12.3f %9.3f\n", l.Language, l.Cases, l.FrustrationF1, l.HumanRequestF1, l.SeverityMacroF1, l.HandoffAccuracy)
	}
	fmt.Fprintf(&b, "\nmisclassified (%d):\n", len(r.Misses))
	for _, m := range r.Misses {
		fmt.Fprintf(&b, "  %s: %s\n", m.ID, strings.Join(m.Problems, "; "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the report as one JSON object.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
