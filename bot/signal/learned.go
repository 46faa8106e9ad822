package signal

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
)

// The learned detectors are logistic regressions, one per head: frustration,
// a request for a person, and one per severity topic (one-vs-rest; the
// severity precedence is applied to the topics that pass). They read:
//
//   - the words, word pairs and character n-grams of the last turn, and the
//     same of the earlier turns in a namespace of their own, weighted down by
//     distance (the labels describe the conversation as of its last turn:
//     "ok" after an open complaint is not "ok" alone);
//   - the default cues that matched, in the last turn or before, including
//     the markers that hold a topic back (resolved, hypothetical, how-to,
//     calmed down, request taken back) and the cues' own verdicts;
//   - the conversation's shape (turns, capitals, "!!!", questions again).
//
// Features are hashed into a fixed number of buckets so the model is a dense
// array of int8 weights, whatever the vocabulary. The weights are trained by
// `frontline train detectors` (TrainDetectors) on a labelled file read from
// a path; nothing of the data ships but the weights.

//go:embed detectors.model
var detectorsModel []byte

// Heads of the learned model, in file order: frustration, human request,
// no severity, then the severity topics in frontline.Severities order. With
// a multinomial severity model the last eight are one softmax; one-vs-rest
// leaves "none" unused.
const (
	headFrustration = 0
	headHuman       = 1
	headNone        = 2
	headTopics      = 3
)

var numHeads = headTopics + len(frontline.Severities)

// FeatureOptions say which features the learned models read.
type FeatureOptions struct {
	// Bits: features hash into 1<<Bits buckets.
	Bits int `json:"bits"`
	// CharN: character n-grams of 3..CharN runes inside words; 0 for none.
	CharN int `json:"char_n"`
	// Bigrams adds word pairs.
	Bigrams bool `json:"bigrams"`
	// Decay scales an earlier turn's words: Decay for the turn before the
	// last, Decay² for the one before, and so on.
	Decay float64 `json:"decay"`
	// Cues adds the default cues' matches and verdicts.
	Cues bool `json:"cues"`
	// Shape adds the number of turns and the last turn's length. Off by
	// default: in the training data a short last turn mostly follows an
	// open incident, a pattern that misfires in the product, where a
	// customer answers the bot's question with "2" or "yes".
	Shape bool `json:"shape,omitempty"`
	// Whole adds the words of the whole conversation in one namespace
	// (earlier turns weighted by Decay), next to the last turn's and the
	// earlier turns' own: what is said anywhere is learned from every
	// conversation, where it was said from the others.
	Whole bool `json:"whole,omitempty"`
	// TextScale multiplies the (unit-length) word features against the
	// cues' (1 each): near-separable data make this, more than the
	// penalty, decide how much the words count. 0 means 1.
	TextScale float64 `json:"text_scale,omitempty"`
}

// Thresholds turn the heads' probabilities into decisions.
type Thresholds struct {
	// Frustration applies when a frustration cue (a word, capitals,
	// "!!!") was seen in the conversation; FrustrationAlone when none was
	// (0: the same). A plain "I want to talk to a person" is not
	// frustration, however often frustrated customers say it.
	Frustration      float64 `json:"frustration"`
	FrustrationAlone float64 `json:"frustration_alone,omitempty"`
	// HumanCue: a request the cues find is one whatever the model says
	// (chosen when it scores better in cross-validation).
	HumanCue     bool    `json:"human_cue,omitempty"`
	HumanRequest float64 `json:"human_request"`
	// Severity: a topic is open when its probability reaches it; among
	// open topics the most severe wins (Argmax: the most probable).
	Severity float64 `json:"severity"`
	Argmax   bool    `json:"argmax,omitempty"`
	// NoneCompetes (a multinomial model): with Argmax, no topic is open
	// when "none" is more probable than the most probable topic.
	NoneCompetes bool `json:"none_competes,omitempty"`
}

// modelHeader is the JSON head of a model file.
type modelHeader struct {
	Note       string         `json:"note"`
	Features   FeatureOptions `json:"features"`
	Thresholds Thresholds     `json:"thresholds"`
	Heads      []string       `json:"heads"`
	// Multinomial: the severity heads are one softmax.
	Multinomial bool      `json:"multinomial,omitempty"`
	Bias        []float64 `json:"bias"`
	// Scale per head: a weight is its int8 times Scale.
	Scale []float64 `json:"scale"`
}

// learnedModel is a parsed model: weights bucket-major (w[b*heads+h]) so
// one feature reads one cache line.
type learnedModel struct {
	modelHeader
	w []int8
}

const modelMagic = "FRONTLINE-DETECTORS-1\n"

// write renders m: gzip of the magic line, one JSON header line, then the
// int8 weights bucket-major. Deterministic: no timestamps in the gzip header.
func (m *learnedModel) write(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	hdr, err := json.Marshal(m.modelHeader)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	bw.WriteString(modelMagic)
	bw.Write(hdr)
	bw.WriteByte('\n')
	if err := binary.Write(bw, binary.LittleEndian, m.w); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func parseLearned(data []byte) (*learnedModel, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("detectors model: %w", err)
	}
	br := bufio.NewReader(zr)
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != modelMagic {
		return nil, fmt.Errorf("detectors model: not a model file")
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("detectors model: header: %w", err)
	}
	m := &learnedModel{}
	if err := json.Unmarshal(line, &m.modelHeader); err != nil {
		return nil, fmt.Errorf("detectors model: header: %w", err)
	}
	f := m.Features
	if f.Bits < 8 || f.Bits > 24 || len(m.Heads) != numHeads || len(m.Bias) != numHeads || len(m.Scale) != numHeads {
		return nil, fmt.Errorf("detectors model: bad header (bits %d, %d heads)", f.Bits, len(m.Heads))
	}
	m.w = make([]int8, (1<<f.Bits)*numHeads)
	if err := binary.Read(br, binary.LittleEndian, m.w); err != nil {
		return nil, fmt.Errorf("detectors model: weights: %w", err)
	}
	return m, nil
}

var (
	defaultRules = &rules{c: mustCompile(DefaultConfig())}
	// defaultLearned parses the embedded model once, when first needed (a
	// training run starts without one).
	defaultLearned = sync.OnceValues(func() (*learnedModel, error) {
		m, err := parseLearned(detectorsModel)
		if err != nil {
			return nil, fmt.Errorf("embedded %w", err)
		}
		return m, nil
	})
)

func mustCompile(cfg Config) *compiled {
	c, err := compile(cfg)
	if err != nil {
		panic("signal: default config does not compile: " + err.Error())
	}
	return c
}

// ---- features ----

// features is a conversation's hashed features. For the text features it
// keeps where they came from (turn and word span), for evidence.
type features struct {
	bucket []uint32
	value  []float32
	turn   []int16 // -1 for features that are not words
	tok    []int32 // first word
	ntok   []int8  // words covered
	seen   map[uint32]int
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

func (f *features) add(b uint32, v float32, turn, tok, ntok int) {
	if turn >= 0 {
		// A word said twice in a group counts once (with its larger
		// value): a message pasted ten times says what it says once.
		if f.seen == nil {
			f.seen = map[uint32]int{}
		}
		if i, ok := f.seen[b]; ok {
			if abs32(v) > abs32(f.value[i]) {
				f.value[i], f.turn[i], f.tok[i], f.ntok[i] = v, int16(turn), int32(tok), int8(ntok)
			}
			return
		}
		f.seen[b] = len(f.bucket)
	}
	f.bucket = append(f.bucket, b)
	f.value = append(f.value, v)
	f.turn = append(f.turn, int16(turn))
	f.tok = append(f.tok, int32(tok))
	f.ntok = append(f.ntok, int8(ntok))
}

// scale multiplies the values from i on by s.
func (f *features) scale(i int, s float32) {
	for ; i < len(f.value); i++ {
		f.value[i] *= s
	}
}

// hasher is FNV-1a, 64 bits, fed piece by piece without allocating.
type hasher uint64

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

func newHash(ns byte) hasher { return hasher(fnvOffset).byte(ns) }

func (h hasher) byte(c byte) hasher { return (h ^ hasher(c)) * fnvPrime }

func (h hasher) str(s string) hasher {
	for i := 0; i < len(s); i++ {
		h = (h ^ hasher(s[i])) * fnvPrime
	}
	return h
}

// bucket folds h into bits and gives a sign from a high bit, so colliding
// features tend to cancel rather than add up.
func (h hasher) bucket(bits int) (uint32, float32) {
	x := uint64(h)
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 32
	sign := float32(1)
	if x>>63 == 1 {
		sign = -1
	}
	return uint32(x) & (1<<bits - 1), sign
}

// shape maps digits to 0 so "#100455" and "#200817" are one word.
func shape(w string) string {
	if !strings.ContainsAny(w, "0123456789") {
		return w
	}
	b := []byte(w)
	for i, c := range b {
		if c >= '1' && c <= '9' {
			b[i] = '0'
		}
	}
	return string(b)
}

const maxCharRunes = 200 // of one word, for the character n-grams

// minNorm is the least squared length a group of word features is
// normalised by (see extract).
const minNorm = 16

// extract computes the features of ft; cues is the default cues' verdict
// on ft, d the default cues.
func extract(ft []folded, opts FeatureOptions, d *rules, cues Result) *features {
	n := 64
	for _, t := range ft {
		n += 6 * len(t.tokens()) // words and pairs, in up to three groups
	}
	f := &features{bucket: make([]uint32, 0, n), value: make([]float32, 0, n), turn: make([]int16, 0, n),
		tok: make([]int32, 0, n), ntok: make([]int8, 0, n), seen: make(map[uint32]int, n/2)}
	last := len(ft) - 1
	// The last turn, then the earlier ones: each group L2-normalised so a
	// long letter weighs no more than a short line.
	groups := []struct {
		ns       byte
		from, to int
	}{{'L', last, last}, {'P', 0, last - 1}}
	if opts.Whole {
		groups = append(groups, struct {
			ns       byte
			from, to int
		}{'A', 0, last})
	}
	for _, group := range groups {
		start := len(f.value)
		clear(f.seen)
		for turn := group.from; turn <= group.to; turn++ {
			v := float32(1)
			switch group.ns {
			case 'P':
				v = float32(math.Pow(opts.Decay, float64(last-turn-1)))
			case 'A':
				v = float32(math.Pow(opts.Decay, float64(last-turn)))
			}
			textFeatures(f, ft[turn], turn, group.ns, v, opts)
		}
		if n := len(f.value) - start; n > 0 {
			var sum float64
			for _, x := range f.value[start:] {
				sum += float64(x) * float64(x)
			}
			scale := opts.TextScale
			if scale == 0 {
				scale = 1
			}
			// A message of two words is not twice as sure as one of
			// eight: below minNorm the words keep the weight they would
			// have among minNorm, so one word ("2", "button") cannot
			// decide on its own.
			f.scale(start, float32(scale/math.Sqrt(max(sum, minNorm))))
		}
	}
	addNamed := func(name string, v float32) {
		b, s := newHash('r').str(name).bucket(opts.Bits)
		f.add(b, s*v, -1, 0, 0)
	}
	addNamed("bias", 1)
	if opts.Shape {
		addNamed(fmt.Sprintf("turns:%d", min(len(ft), 4)), 1)
		lastWords := len(ft[last].tokens())
		switch {
		case lastWords <= 3:
			addNamed("last:short", 1)
		case lastWords <= 12:
			addNamed("last:medium", 1)
		default:
			addNamed("last:long", 1)
		}
	}
	if opts.Cues {
		cueFeatures(ft, d, cues, addNamed)
	}
	return f
}

// textFeatures adds the words, word pairs and character n-grams of t.
func textFeatures(f *features, t folded, turn int, ns byte, v float32, opts FeatureOptions) {
	toks := t.tokens()
	var runes []rune
	for i, tok := range toks {
		w := shape(tok.word)
		b, s := newHash(ns).byte('w').str(w).bucket(opts.Bits)
		f.add(b, s*v, turn, i, 1)
		if opts.Bigrams && i > 0 {
			b, s := newHash(ns).byte('b').str(shape(toks[i-1].word)).byte(' ').str(w).bucket(opts.Bits)
			f.add(b, s*v, turn, i-1, 2)
		}
		if opts.CharN < 3 {
			continue
		}
		runes = append(runes[:0], '<')
		for _, r := range w {
			if len(runes) > maxCharRunes {
				break
			}
			runes = append(runes, r)
		}
		runes = append(runes, '>')
		var buf [4 * 8]byte
		for n := 3; n <= opts.CharN; n++ {
			for j := 0; j+n <= len(runes); j++ {
				h := newHash(ns).byte('c')
				for _, r := range runes[j : j+n] {
					k := utf8.EncodeRune(buf[:], r)
					for _, c := range buf[:k] {
						h = h.byte(c)
					}
				}
				b, s := h.bucket(opts.Bits)
				f.add(b, s*v*0.5, turn, i, 1)
			}
		}
	}
}

// cueFeatures adds the default cues' matches (in the last turn, or before)
// and their verdicts.
func cueFeatures(ft []folded, d *rules, res Result, add func(string, float32)) {
	last := len(ft) - 1
	where := func(turn int) string {
		if turn == last {
			return ":L"
		}
		return ":P"
	}
	if res.FrustrationModel > 0 {
		add("frustration_model", float32(res.FrustrationModel))
	}
	for _, s := range res.Signals {
		verdict := "verdict:" + string(s.Kind)
		if s.Kind == frontline.SignalSeverity {
			verdict += ":" + string(s.Topic)
		}
		add(verdict, 1)
		for _, e := range s.Evidence {
			add(verdict+":"+e.Rule+where(e.Turn), 1)
		}
	}
	if len(res.Signals) > 0 && res.Severity != frontline.SeverityNone {
		add("verdict:top:"+string(res.Severity), 1)
	}
	// Raw matches, before vetoes and markers hold them back, and the
	// markers themselves: the model weighs them.
	lists := []struct {
		name string
		cues []compiledCue
	}{
		{"marker:hypothetical", d.c.hypothetical}, {"marker:how_to", d.c.howTo}, {"marker:resolved", d.c.resolved},
		{"marker:calm_down", d.c.calmDown}, {"marker:withdrawal", d.c.withdrawals}, {"marker:human_veto", d.c.humanVetoes},
		{"cue:human", d.c.human},
	}
	for i := range d.c.topics {
		lists = append(lists, struct {
			name string
			cues []compiledCue
		}{"cue:" + string(d.c.topics[i].Topic), d.c.topics[i].cues})
	}
	for _, l := range lists {
		for _, h := range d.hits(l.cues, ft) {
			add(l.name+where(h.turn), 1)
			add(l.name+":"+h.cue.Name+where(h.turn), 1)
		}
	}
}

// ---- scoring ----

// probs returns each head's probability for f.
func (m *learnedModel) probs(f *features) []float64 {
	z := slices.Clone(m.Bias)
	acc := make([]float64, numHeads)
	for i, b := range f.bucket {
		v := float64(f.value[i])
		row := m.w[int(b)*numHeads : int(b)*numHeads+numHeads]
		for h, q := range row {
			acc[h] += float64(q) * v
		}
	}
	for h := range z {
		z[h] += acc[h] * m.Scale[h]
	}
	from := headNone
	if !m.Multinomial {
		from = numHeads
	}
	for h := range from {
		z[h] = 1 / (1 + math.Exp(-z[h]))
	}
	if from < numHeads {
		softmax(z[from:])
	}
	return z
}

// frustrated decides frustration from its probability and whether a
// frustration cue was seen.
func (th Thresholds) frustrated(p float64, cue bool) bool {
	if cue || th.FrustrationAlone == 0 {
		return p >= th.Frustration
	}
	return p >= th.FrustrationAlone
}

// human decides a request for a person from its probability and the
// cues' verdict.
func (th Thresholds) human(p float64, cue bool) bool {
	return p >= th.HumanRequest || th.HumanCue && cue
}

// frustrationCueSeen reports whether any frustration cue matched in any
// turn (negated ones do not count), or capitals or "!!!" were written.
func frustrationCueSeen(d *rules, ft []folded) bool {
	if len(d.hits(d.c.frustration, ft)) > 0 {
		return true
	}
	for _, t := range ft {
		if len(d.shoutedWords(t.Orig)) > 0 || len(punctuationRuns(t.Orig, d.c.cfg.Frustration.Punctuation.MinRun)) > 0 {
			return true
		}
	}
	return false
}

// softmax turns logits into probabilities in place.
func softmax(z []float64) {
	top := slices.Max(z)
	sum := 0.0
	for i := range z {
		z[i] = math.Exp(z[i] - top)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

// decideTopics returns the open topics, most severe first (or the most
// probable alone, with Argmax).
func decideTopics(p []float64, th Thresholds) []frontline.Severity {
	var out []frontline.Severity
	best, bestP := -1, 0.0
	for i, s := range frontline.Severities {
		q := p[headTopics+i]
		if q < th.Severity {
			continue
		}
		out = append(out, s)
		if q > bestP {
			best, bestP = i, q
		}
	}
	if th.Argmax && best >= 0 {
		if th.NoneCompetes && p[headNone] >= bestP {
			return nil
		}
		return []frontline.Severity{frontline.Severities[best]}
	}
	return out
}

// detectLearned is Detect with the learned models, the site's cues on top.
func (d *Detector) detectLearned(ft []folded) Result {
	m := d.learned
	// The default cues' verdict is features for the models, and gives the
	// named cues' evidence and the repetition signal; the decisions are
	// the models'.
	base := d.base.reading()
	cues := base.detect(ft)
	f := extract(ft, m.Features, base, cues)
	p := m.probs(f)
	res := Result{Severity: frontline.SeverityNone, FrustrationModel: cues.FrustrationModel}
	var site Result
	if d.site != nil {
		site = d.site.reading().detect(ft)
	}
	cueSignal := func(r Result, kind frontline.SignalKind, topic frontline.Severity) (frontline.Signal, bool) {
		for _, s := range r.Signals {
			if s.Kind == kind && s.Topic == topic {
				return s, true
			}
		}
		return frontline.Signal{}, false
	}
	emit := func(kind frontline.SignalKind, topic frontline.Severity, head int, reason string) {
		prob := p[head]
		sig := frontline.Signal{Kind: kind, Topic: topic, Confidence: math.Round(prob*100) / 100, Reason: reason}
		if s, ok := cueSignal(cues, kind, topic); ok {
			sig.Evidence = append(sig.Evidence, s.Evidence...)
		}
		if s, ok := cueSignal(site, kind, topic); ok {
			sig.Evidence = append(sig.Evidence, s.Evidence...)
		}
		sig.Evidence = mergeEvidence(sig.Evidence, m.evidence(f, ft, head, maxModelEvidence+len(sig.Evidence)), maxModelEvidence)
		res.Signals = append(res.Signals, sig)
	}
	fromSite := func(kind frontline.SignalKind, topic frontline.Severity) bool {
		s, ok := cueSignal(site, kind, topic)
		if ok {
			res.Signals = append(res.Signals, s)
		}
		return ok
	}
	th := m.Thresholds
	if th.frustrated(p[headFrustration], frustrationCueSeen(base, ft)) {
		res.Frustrated = true
		emit(frontline.SignalFrustration, "", headFrustration, fmt.Sprintf("frustrated (model %.2f)", p[headFrustration]))
	} else if fromSite(frontline.SignalFrustration, "") {
		res.Frustrated = true
	}
	if th.human(p[headHuman], cues.HumanRequest) {
		res.HumanRequest = true
		emit(frontline.SignalHumanRequest, "", headHuman, "asked for a person")
	} else if fromSite(frontline.SignalHumanRequest, "") {
		res.HumanRequest = true
	}
	topics := decideTopics(p, th)
	for _, s := range frontline.Severities {
		i := slices.Index(frontline.Severities, s)
		switch {
		case slices.Contains(topics, s):
			emit(frontline.SignalSeverity, s, headTopics+i, "open "+strings.ReplaceAll(string(s), "_", " ")+" issue")
		case fromSite(frontline.SignalSeverity, s):
		default:
			continue
		}
		if res.Severity == frontline.SeverityNone {
			res.Severity = s // Severities runs most severe first
		}
	}
	if cues.Repeated {
		res.Repeated = true
		if s, ok := cueSignal(cues, frontline.SignalRepetition, ""); ok {
			res.Signals = append(res.Signals, s)
		}
	}
	return res
}

// LearnedRule names the learned models in Evidence.Rule.
const LearnedRule = "learned"

// minEvidenceShare is the least share of the strongest word's push that a
// quoted word has.
const minEvidenceShare = 0.25

// maxModelEvidence is how many of the customer's phrases a learned signal
// quotes besides its cues.
const maxModelEvidence = 3

// evidence quotes the customer's words that raised head's score the most:
// each word's share of the word, pair and n-gram features it is part of,
// the strongest words first, a word next to another strong one joined into
// one phrase.
func (m *learnedModel) evidence(f *features, ft []folded, head, n int) []frontline.Evidence {
	type key struct{ turn, tok int }
	push := map[key]float64{}
	for i, b := range f.bucket {
		if f.turn[i] < 0 {
			continue
		}
		c := float64(m.w[int(b)*numHeads+head]) * m.Scale[head] * float64(f.value[i])
		for k := 0; k < int(f.ntok[i]); k++ {
			push[key{int(f.turn[i]), int(f.tok[i]) + k}] += c / float64(f.ntok[i])
		}
	}
	type scored struct {
		key
		c float64
	}
	var words []scored
	for k, c := range push {
		if c > 0 {
			words = append(words, scored{k, c})
		}
	}
	slices.SortFunc(words, func(a, b scored) int {
		switch {
		case a.c > b.c:
			return -1
		case a.c < b.c:
			return 1
		case a.turn != b.turn:
			return a.turn - b.turn
		}
		return a.tok - b.tok
	})
	// A word that pushed far less than the strongest one is not evidence
	// an agent should read ("pay" in an earlier, calm question, next to
	// "useless" now).
	for i, w := range words {
		if w.c < minEvidenceShare*words[0].c {
			words = words[:i]
			break
		}
	}
	strong := map[key]bool{}
	for _, w := range words[:min(len(words), 3*n)] {
		strong[w.key] = true
	}
	var ev []frontline.Evidence
	used := map[key]bool{}
	for _, w := range words {
		if len(ev) == n {
			break
		}
		if used[w.key] {
			continue
		}
		t := ft[w.turn]
		toks := t.tokens()
		// A function word ("my", "the") is quoted only inside a phrase.
		if defaultRules.c.stopwords[toks[w.tok].word] {
			continue
		}
		lo, hi := w.tok, w.tok
		for strong[key{w.turn, lo - 1}] && !used[key{w.turn, lo - 1}] {
			lo--
		}
		for strong[key{w.turn, hi + 1}] && !used[key{w.turn, hi + 1}] {
			hi++
		}
		for k := lo; k <= hi; k++ {
			used[key{w.turn, k}] = true
		}
		s, e := t.origSpan(toks[lo].start, toks[hi].end)
		ev = append(ev, frontline.Evidence{Turn: w.turn, Text: t.Orig[s:e], Rule: LearnedRule})
	}
	return ev
}

// mergeEvidence appends the first n model quotes that no cue evidence
// already quotes, ordered by turn.
func mergeEvidence(cue, model []frontline.Evidence, n int) []frontline.Evidence {
	out := cue
	added := 0
	for _, e := range model {
		if added == n {
			break
		}
		if !slices.ContainsFunc(cue, func(c frontline.Evidence) bool {
			return c.Turn == e.Turn && (strings.Contains(c.Text, e.Text) || strings.Contains(e.Text, c.Text))
		}) {
			out = append(out, e)
			added++
		}
	}
	slices.SortStableFunc(out, func(a, b frontline.Evidence) int { return a.Turn - b.Turn })
	return out
}
