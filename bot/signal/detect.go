// Package signal reads a customer's messages for what should make the bot
// step aside: frustration, an explicit request for a person, a severe open
// incident (security, legal, outage, billing error, privacy, delivery,
// cancellation) and questions asked again. Every signal quotes the words
// that triggered it and names the configured cue, so a person can see why it
// fired; thresholds, weights and word lists live in one Config.
package signal

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
)

// Detector runs the detectors of one Config. It is safe for concurrent use.
//
// By default the decisions are the learned models' (see learned.go): the
// configured cues are their features, next to the customer's words and the
// conversation's earlier turns. A site's own cues (those not in
// DefaultConfig) fire on their own on top; Config.Learned.Off leaves every
// decision to the cues.
type Detector struct {
	c *compiled
	// rules are the configured cues; base are the default cues the
	// learned models read as features (the same as rules without a site
	// configuration); site holds only the site's own cues, nil when none.
	rules, base, site *rules
	learned           *learnedModel
}

// rules runs the cues of one compiled Config.
type rules struct {
	c    *compiled
	memo map[*compiledCue]memoHits // nil: no memo (see reading)
}

// New compiles cfg with the embedded learned models; a bad pattern or an
// unknown topic is an error.
func New(cfg Config) (*Detector, error) {
	var m *learnedModel
	if !cfg.Learned.Off {
		var err error
		if m, err = defaultLearned(); err != nil {
			return nil, fmt.Errorf("signal: %w", err)
		}
	}
	return newDetector(cfg, m)
}

// NewWithModel is New with learned models written by TrainDetectors
// instead of the embedded ones.
func NewWithModel(cfg Config, model []byte) (*Detector, error) {
	m, err := parseLearned(model)
	if err != nil {
		return nil, fmt.Errorf("signal: %w", err)
	}
	return newDetector(cfg, m)
}

func newDetector(cfg Config, m *learnedModel) (*Detector, error) {
	c, err := compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("signal: %w", err)
	}
	d := &Detector{c: c, rules: &rules{c: c}}
	if cfg.Learned.Off {
		return d, nil
	}
	d.learned = m
	d.base = defaultRules
	if siteCfg, ok := siteOnly(cfg); ok {
		sc, err := compile(siteCfg)
		if err != nil {
			return nil, fmt.Errorf("signal: site cues: %w", err)
		}
		d.site = &rules{c: sc}
	}
	return d, nil
}

// Default returns a Detector with DefaultConfig.
func Default() *Detector {
	d, err := New(DefaultConfig())
	if err != nil {
		panic("signal: default config does not compile: " + err.Error())
	}
	return d
}

// Result describes a conversation as of its last customer message.
type Result struct {
	// Signals that fired, each with evidence: frustration, human request,
	// one per severity topic raised (most severe first), repetition.
	Signals      []frontline.Signal `json:"signals,omitempty"`
	Frustrated   bool               `json:"frustrated"`
	HumanRequest bool               `json:"human_request"`
	// Severity is the most severe open topic, or SeverityNone.
	Severity frontline.Severity `json:"severity"`
	Repeated bool               `json:"repeated"`
	// FrustrationModel is the frustration model's probability, 0 when the
	// model is off.
	FrustrationModel float64 `json:"frustration_model,omitempty"`
}

// Detect reads turns, the customer's messages in order (bot replies left
// out), and reports the signals as of the last one.
func (d *Detector) Detect(turns []string) Result {
	if len(turns) == 0 {
		return Result{Severity: frontline.SeverityNone}
	}
	ft := make([]folded, len(turns))
	for i, t := range turns {
		ft[i] = fold(truncate(t, maxTurnBytes))
	}
	if d.learned == nil {
		return d.rules.reading().detect(ft)
	}
	return d.detectLearned(ft)
}

// detect is the cues' own verdict.
func (d *rules) detect(ft []folded) Result {
	res := Result{Severity: frontline.SeverityNone}
	rep := d.repetition(ft)
	if sig, ok := d.frustration(ft, rep, &res.FrustrationModel); ok {
		res.Frustrated = true
		res.Signals = append(res.Signals, sig)
	}
	if sig, ok := d.humanRequest(ft); ok {
		res.HumanRequest = true
		res.Signals = append(res.Signals, sig)
	}
	topics := d.severity(ft)
	if len(topics) > 0 {
		res.Severity = topics[0].Topic
		res.Signals = append(res.Signals, topics...)
	}
	if rep.sig != nil {
		res.Repeated = true
		res.Signals = append(res.Signals, *rep.sig)
	}
	return res
}

// maxTurnBytes bounds how much of one message the detectors read: what a
// customer wants is said well within it, and it keeps a pathological
// 16 KB message from costing more than a few milliseconds.
const maxTurnBytes = 4 << 10

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// hits returns the matches of cues in every turn, without those a negation
// cancels.
func (d *rules) hits(cues []compiledCue, ft []folded) []hit {
	if len(cues) == 0 {
		return nil
	}
	if d.memo != nil {
		if m, ok := d.memo[&cues[0]]; ok && m.n == len(cues) {
			return slices.Clone(m.hits) // callers edit what they get
		}
	}
	var out []hit
	for i := range cues {
		c := &cues[i]
		for turn, t := range ft {
			for _, h := range c.find(t, turn) {
				if c.Negatable && negated(t, h, d.c.negators, d.c.cfg.NegationWindow) {
					continue
				}
				out = append(out, h)
			}
		}
	}
	if d.memo != nil {
		d.memo[&cues[0]] = memoHits{n: len(cues), hits: slices.Clone(out)}
	}
	return out
}

// memoHits is one cue list's hits in the conversation being read.
type memoHits struct {
	n    int
	hits []hit
}

// reading returns d for reading one conversation: each cue list's hits
// are found once, however many detectors and features ask for them.
func (d *rules) reading() *rules {
	return &rules{c: d.c, memo: map[*compiledCue]memoHits{}}
}

func evidence(ft []folded, hs []hit) []frontline.Evidence {
	ev := make([]frontline.Evidence, 0, len(hs))
	for _, h := range hs {
		ev = append(ev, frontline.Evidence{Turn: h.turn, Text: h.text(ft[h.turn]), Rule: h.cue.Name})
	}
	slices.SortStableFunc(ev, func(a, b frontline.Evidence) int { return a.Turn - b.Turn })
	return ev
}

// without drops the hits that overlap any of vetoes.
func without(hs, vetoes []hit) []hit {
	return slices.DeleteFunc(hs, func(h hit) bool {
		return slices.ContainsFunc(vetoes, func(v hit) bool { return overlaps(h, v) })
	})
}

// ---- frustration ----

type turnFrustration struct {
	score    float64
	evidence []frontline.Evidence
	rules    []string
}

// frustration scores the cues and asks the model; prob gets the model's
// probability (0 when it is off or the customer calmed down).
func (d *rules) frustration(ft []folded, rep repetition, prob *float64) (frontline.Signal, bool) {
	cfg := d.c.cfg.Frustration
	hs := d.hits(d.c.frustration, ft)
	excuserHits := map[int]map[string]bool{} // turn → excused groups
	for i := range d.c.excusers {
		e := &d.c.excusers[i]
		for turn, t := range ft {
			if len(e.find(t, turn)) > 0 {
				if excuserHits[turn] == nil {
					excuserHits[turn] = map[string]bool{}
				}
				for g := range e.excuses {
					excuserHits[turn][g] = true
				}
			}
		}
	}

	turns := make([]turnFrustration, len(ft))
	for turn := range ft {
		tf := &turns[turn]
		excused := excuserHits[turn]
		seen := map[string]bool{}
		for _, h := range hs {
			if h.turn != turn || excused[h.cue.Group] {
				continue
			}
			tf.evidence = append(tf.evidence, frontline.Evidence{Turn: turn, Text: h.text(ft[turn]), Rule: h.cue.Name})
			if !seen[h.cue.Name] {
				seen[h.cue.Name] = true
				tf.score += h.cue.Weight
				tf.rules = append(tf.rules, h.cue.Name)
			}
		}
		if !excused["shouting"] {
			if words := d.shoutedWords(ft[turn].Orig); len(words) > 0 {
				s := cfg.Shouting
				w := s.WordWeight * float64(len(words))
				if slices.ContainsFunc(words, func(w string) bool { return d.c.emphatic[w] }) {
					w = max(w, s.EmphaticWeight)
				}
				tf.score += math.Min(max(s.MaxWeight, s.EmphaticWeight), w)
				tf.rules = append(tf.rules, s.Name)
				for _, w := range words[:min(len(words), 5)] {
					tf.evidence = append(tf.evidence, frontline.Evidence{Turn: turn, Text: w, Rule: s.Name})
				}
			}
		}
		if !excused["punctuation"] {
			if runs := punctuationRuns(ft[turn].Orig, cfg.Punctuation.MinRun); len(runs) > 0 {
				tf.score += cfg.Punctuation.Weight
				tf.rules = append(tf.rules, cfg.Punctuation.Name)
				tf.evidence = append(tf.evidence, frontline.Evidence{Turn: turn, Text: runs[0], Rule: cfg.Punctuation.Name})
			}
		}
	}

	last := len(ft) - 1
	// A customer who thanks or apologises in the last turn, with no sign
	// of frustration in it, has calmed down.
	if last > 0 && turns[last].score == 0 {
		for i := range d.c.calmDown {
			if len(d.c.calmDown[i].find(ft[last], last)) > 0 {
				return frontline.Signal{}, false
			}
		}
	}
	score := turns[last].score
	var ev []frontline.Evidence
	var rules []string
	for i, t := range turns {
		if t.score == 0 {
			continue
		}
		if i < last {
			score += t.score * math.Pow(cfg.CarryOver, float64(last-i))
		}
		ev = append(ev, t.evidence...)
		rules = append(rules, t.rules...)
	}
	if n := len(rep.turns); n > 0 {
		score += cfg.RepetitionWeight * float64(n)
		ev = append(ev, rep.evidence...)
		rules = append(rules, fmt.Sprintf("asked the same thing %d times", n+1))
	}
	conf := confidence(score, cfg.Threshold)
	fired := score >= cfg.Threshold
	// "Not angry, just asking": a feeling the customer denies in the last
	// turn silences the model, which does not read negation.
	if m := cfg.Model; !m.Off && !d.deniesFeeling(ft[last], last) {
		// The model's opinion: enough on its own when it is sure, or
		// together with a cue too weak to fire by itself.
		p, top := d.c.model.score(d.modelFeatures(ft, rep))
		*prob = p
		if !fired && (p >= m.Alone || score > 0 && p >= m.WithCue) {
			fired = true
			conf = math.Round(p*100) / 100
			ev = append(ev, modelEvidence(top, m.EvidenceWords)...)
			slices.SortStableFunc(ev, func(a, b frontline.Evidence) int { return a.Turn - b.Turn })
			rules = append(rules, fmt.Sprintf("model %.2f", p))
		}
	}
	if !fired {
		return frontline.Signal{}, false
	}
	return frontline.Signal{
		Kind:       frontline.SignalFrustration,
		Confidence: conf,
		Evidence:   ev,
		Reason:     "frustrated: " + strings.Join(dedupe(rules), ", "),
	}, true
}

// deniesFeeling reports whether a negatable frustration cue appears negated
// in t ("not angry", "no estoy enfadado").
func (d *rules) deniesFeeling(t folded, turn int) bool {
	for i := range d.c.frustration {
		c := &d.c.frustration[i]
		if !c.Negatable {
			continue
		}
		for _, h := range c.find(t, turn) {
			if negated(t, h, d.c.negators, d.c.cfg.NegationWindow) {
				return true
			}
		}
	}
	return false
}

// shoutedWords returns the words written all in capitals that are long
// enough and not known acronyms.
func (d *rules) shoutedWords(s string) []string {
	var out []string
	var words []string
	for _, token := range strings.Fields(s) {
		// Codes and descriptors ("FRONTLINE*SHOP", "SKU-AB12", "ORDER#55")
		// are written in capitals without anyone shouting.
		if isCode(token) {
			continue
		}
		words = append(words, strings.FieldsFunc(token, func(r rune) bool { return !unicode.IsLetter(r) })...)
	}
	for _, w := range words {
		letters, upper := 0, 0
		for _, r := range w {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
		if letters >= d.c.cfg.Frustration.Shouting.MinLetters && upper == letters && !d.c.acronyms[w] {
			out = append(out, w)
		}
	}
	return out
}

// isCode reports whether a whitespace-separated token holds digits or the
// joiners of codes and descriptors inside it.
func isCode(token string) bool {
	inner := strings.Trim(token, "\"'()[].,;:!?«»“”…")
	return strings.ContainsAny(inner, "0123456789*#_/@=+\\")
}

var punctRun = regexp.MustCompile(`[!?¡¿]{2,}`)

func punctuationRuns(s string, minRun int) []string {
	var out []string
	for _, m := range punctRun.FindAllString(s, -1) {
		if len([]rune(m)) >= minRun {
			out = append(out, m)
		}
	}
	return out
}

// ---- human request ----

func (d *rules) humanRequest(ft []folded) (frontline.Signal, bool) {
	cfg := d.c.cfg.HumanRequest
	requests := d.hits(d.c.human, ft)
	if len(requests) == 0 {
		return frontline.Signal{}, false
	}
	if requests = without(requests, d.hits(d.c.humanVetoes, ft)); len(requests) == 0 {
		return frontline.Signal{}, false
	}
	// Score each turn: the sum of its distinct cues' weights.
	best := 0.0
	var kept []hit
	for turn := range ft {
		score, seen := 0.0, map[string]bool{}
		var turnHits []hit
		for _, h := range requests {
			if h.turn == turn {
				turnHits = append(turnHits, h)
				if !seen[h.cue.Name] {
					seen[h.cue.Name] = true
					score += h.cue.Weight
				}
			}
		}
		if score >= cfg.Threshold {
			kept = append(kept, turnHits...)
			best = math.Max(best, score)
		}
	}
	if len(kept) == 0 {
		return frontline.Signal{}, false
	}
	lastRequest := kept[0]
	for _, h := range kept {
		if before(lastRequest, h) {
			lastRequest = h
		}
	}
	for _, w := range d.hits(d.c.withdrawals, ft) {
		if before(lastRequest, w) {
			return frontline.Signal{}, false // taken back: "never mind, found it"
		}
	}
	return frontline.Signal{
		Kind:       frontline.SignalHumanRequest,
		Confidence: confidence(best, cfg.Threshold),
		Evidence:   evidence(ft, kept),
		Reason:     "asked for a person",
	}, true
}

// ---- severity ----

func (d *rules) severity(ft []folded) []frontline.Signal {
	cfg := d.c.cfg.Severity
	// Markers are looked for only once a topic's cues are found: most
	// messages raise no topic at all.
	var hypothetical, howTo, resolved []hit
	markersFound := false
	var out []frontline.Signal
	for i := range d.c.topics {
		t := &d.c.topics[i]
		hs := d.hits(t.cues, ft)
		if len(hs) == 0 {
			continue
		}
		if hs = without(hs, d.hits(t.vetoes, ft)); len(hs) == 0 {
			continue
		}
		if !markersFound {
			hypothetical, howTo, resolved = d.hits(d.c.hypothetical, ft), d.hits(d.c.howTo, ft), d.hits(d.c.resolved, ft)
			markersFound = true
		}
		hs = slices.DeleteFunc(hs, func(h hit) bool {
			if inScopeOf(ft, h, hypothetical) || !t.HowToCounts && inScopeOf(ft, h, howTo) {
				return true
			}
			return slices.ContainsFunc(resolved, func(r hit) bool { return before(h, r) })
		})
		score, seen := 0.0, map[string]bool{}
		for _, h := range hs {
			if !seen[h.cue.Name] {
				seen[h.cue.Name] = true
				score += h.cue.Weight
			}
		}
		if score < cfg.Threshold {
			continue
		}
		out = append(out, frontline.Signal{
			Kind:       frontline.SignalSeverity,
			Topic:      t.Topic,
			Confidence: confidence(score, cfg.Threshold),
			Evidence:   evidence(ft, hs),
			Reason:     "open " + strings.ReplaceAll(string(t.Topic), "_", " ") + " issue",
		})
	}
	slices.SortStableFunc(out, func(a, b frontline.Signal) int { return b.Topic.Rank() - a.Topic.Rank() })
	return out
}

// inScopeOf reports whether a marker (hypothetical, how-to) comes before h
// in h's clause.
func inScopeOf(ft []folded, h hit, markers []hit) bool {
	cs := clauseStart(ft[h.turn].Norm, h.nstart)
	return slices.ContainsFunc(markers, func(m hit) bool {
		return m.turn == h.turn && m.nstart <= h.nstart && m.nend > cs
	})
}

// ---- repetition ----

type repetition struct {
	turns    []int // turns that repeat an earlier one
	evidence []frontline.Evidence
	sig      *frontline.Signal
}

var wordRe = regexp.MustCompile(`[\pL\pN]+`)

func (d *rules) contentWords(t folded) map[string]bool {
	words := map[string]bool{}
	for _, w := range wordRe.FindAllString(t.Norm, -1) {
		if len(w) < 3 || d.c.stopwords[w] {
			continue
		}
		words[stem(w)] = true
	}
	return words
}

// stem strips the commonest English endings so "charged" meets "charge".
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

func (d *rules) repetition(ft []folded) repetition {
	cfg := d.c.cfg.Repetition
	var rep repetition
	words := make([]map[string]bool, len(ft))
	for i, t := range ft {
		words[i] = d.contentWords(t)
	}
	repeated := map[int]bool{}
	for i := 1; i < len(ft); i++ {
		for j := 0; j < i; j++ {
			shared := 0
			for w := range words[i] {
				if words[j][w] {
					shared++
				}
			}
			smaller := min(len(words[i]), len(words[j]))
			if smaller == 0 || shared < cfg.MinShared || float64(shared)/float64(smaller) < cfg.MinOverlap {
				continue
			}
			if !repeated[i] {
				repeated[i] = true
				rep.evidence = append(rep.evidence, frontline.Evidence{Turn: i, Text: ft[i].Orig, Rule: fmt.Sprintf("same_question_as_turn_%d", j)})
			}
			break
		}
	}
	for _, h := range d.hits(d.c.repetition, ft) {
		if !repeated[h.turn] {
			repeated[h.turn] = true
			rep.evidence = append(rep.evidence, frontline.Evidence{Turn: h.turn, Text: h.text(ft[h.turn]), Rule: h.cue.Name})
		}
	}
	if len(repeated) == 0 {
		return rep
	}
	for t := range repeated {
		rep.turns = append(rep.turns, t)
	}
	slices.Sort(rep.turns)
	slices.SortStableFunc(rep.evidence, func(a, b frontline.Evidence) int { return a.Turn - b.Turn })
	rep.sig = &frontline.Signal{
		Kind:       frontline.SignalRepetition,
		Confidence: math.Min(1, 0.5+0.25*float64(len(repeated))),
		Evidence:   rep.evidence,
		Reason:     fmt.Sprintf("asked the same thing again (%d repeated message(s))", len(repeated)),
	}
	return rep
}

// confidence maps a score at the threshold to 0.5 and twice the threshold
// or more to 1.
func confidence(score, threshold float64) float64 {
	return math.Round(math.Min(1, 0.5*score/threshold)*100) / 100
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
