package signal

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// folded is a text lowercased with accents removed ("Ñandú" → "nandu") and
// typographic apostrophes made plain, so cues match however the customer
// typed. orig maps each byte of Norm back to the byte of Orig it came from.
type folded struct {
	Orig  string
	Norm  string
	start []int // start[i]: offset in Orig of the rune that produced Norm[i]
	end   []int // end[i]: offset in Orig just after that rune
	toks  *[]token
}

var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae", 'ç': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
	// Central European and Turkish letters that NFKD does not take apart
	// (ł, ı) or that cues are written without.
	'ą': "a", 'ć': "c", 'ę': "e", 'ł': "l", 'ń': "n", 'ś': "s", 'ź': "z", 'ż': "z",
	'č': "c", 'ď': "d", 'ě': "e", 'ň': "n", 'ř': "r", 'š': "s", 'ť': "t", 'ů': "u", 'ž': "z",
	'ş': "s", 'ğ': "g", 'ı': "i", 'ő': "o", 'ű': "u",
	'’': "'", '‘': "'", 'ʼ': "'", '`': "'", '´': "'", '“': `"`, '”': `"`, '«': `"`, '»': `"`,
	'–': "-", '—': "-", '\u00a0': " ",
}

func fold(s string) folded {
	f := folded{Orig: s}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			size = 1
		}
		r = unicode.ToLower(r)
		out, ok := foldTable[r]
		if !ok {
			out = string(r)
		}
		for range len(out) {
			f.start = append(f.start, i)
			f.end = append(f.end, i+size)
		}
		b.WriteString(out)
	}
	f.Norm = b.String()
	toks := tokenize(f.Norm)
	f.toks = &toks
	return f
}

// origSpan maps a span of Norm to the original text.
func (f folded) origSpan(s, e int) (int, int) {
	if s >= len(f.start) || e <= s {
		return len(f.Orig), len(f.Orig)
	}
	return f.start[s], f.end[e-1]
}

// Cue is one named thing a detector looks for. Its Name appears in
// Evidence.Rule so a person can see which cue fired.
type Cue struct {
	Name   string  `yaml:"name" json:"name"`
	Weight float64 `yaml:"weight,omitempty" json:"weight,omitempty"`
	// Phrases are words to find, matched whole-word and case- and
	// accent-insensitively. A trailing * matches any word ending ("hack*");
	// an apostrophe is optional ("don't" also finds "dont").
	Phrases []string `yaml:"phrases,omitempty" json:"phrases,omitempty"`
	// Patterns are regular expressions (Go syntax) for what phrases cannot
	// say; they see the text lowercased, without accents.
	Patterns []string `yaml:"patterns,omitempty" json:"patterns,omitempty"`
	// Negatable: a negation shortly before the words cancels the cue
	// ("not angry", "no fui yo").
	Negatable bool `yaml:"negatable,omitempty" json:"negatable,omitempty"`
	// Group lets excusers switch off a family of cues (see Excuser).
	Group string `yaml:"group,omitempty" json:"group,omitempty"`
	// Near lists groups of phrases (written as Phrases are) that must all
	// occur within Within words of each other, in any order and across
	// punctuation: a money word near an anomaly word finds "charged me
	// twice", "two payments for one order" and "taken £12.99 twice" alike.
	// Within defaults to DefaultWithin.
	Near   [][]string `yaml:"near,omitempty" json:"near,omitempty"`
	Within int        `yaml:"within,omitempty" json:"within,omitempty"`
}

// DefaultWithin is how many words apart the groups of a Near cue may be
// when the cue does not say.
const DefaultWithin = 8

// compiledCue is a Cue ready to match: one expression per phrase or
// pattern, each with the literals a text must hold for it to match.
type compiledCue struct {
	Cue
	alts []alternative
	near []wordGroup // one per Near group
	// words holds the phrases made only of words, matched on the turn's
	// words; phrases with other characters ("again?", "🙄") are in alts.
	words *wordGroup
}

// isPlainPhrase reports whether p is only words, spaces, apostrophes and
// hyphens (with an optional trailing *), so word matching finds it.
func isPlainPhrase(p string) bool {
	p = strings.TrimSuffix(strings.TrimSpace(fold(p).Norm), "*")
	for _, r := range p {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '\'' || r == '-') {
			return false
		}
	}
	return p != ""
}

// wordGroup is one Near group as word sequences, matched on a turn's words
// rather than by regular expression: a few map lookups per word instead of
// a scan per phrase.
type wordGroup struct {
	byFirst map[string][]wordPhrase // phrases by their first word
	prefix  []wordPhrase            // phrases whose first word ends in *
}

type wordPhrase struct {
	words []string
	wild  bool // the last word is a prefix ("refund*")
}

func compileWordGroup(phrases []string) (wordGroup, error) {
	g := wordGroup{byFirst: map[string][]wordPhrase{}}
	for _, p := range phrases {
		wild := strings.HasSuffix(strings.TrimSpace(p), "*")
		var words []string
		for _, t := range tokenize(fold(strings.TrimSuffix(strings.TrimSpace(p), "*")).Norm) {
			words = append(words, t.word)
		}
		if len(words) == 0 {
			return wordGroup{}, fmt.Errorf("phrase %q has no words", p)
		}
		wp := wordPhrase{words: words, wild: wild}
		if wild && len(words) == 1 {
			g.prefix = append(g.prefix, wp)
			continue
		}
		g.byFirst[words[0]] = append(g.byFirst[words[0]], wp)
	}
	return g, nil
}

// matches returns the [first, last] word indexes where the group matches.
func (g wordGroup) matches(toks []token) [][2]int {
	var out [][2]int
	for i, t := range toks {
		for _, p := range g.prefix {
			if strings.HasPrefix(t.word, p.words[0]) {
				out = append(out, [2]int{i, i})
				break
			}
		}
		for _, p := range g.byFirst[t.word] {
			if j, ok := p.matchAt(toks, i); ok {
				out = append(out, [2]int{i, j})
				break
			}
		}
	}
	return out
}

func (p wordPhrase) matchAt(toks []token, i int) (int, bool) {
	if i+len(p.words) > len(toks) {
		return 0, false
	}
	for k, w := range p.words {
		t := toks[i+k].word
		if k == len(p.words)-1 && p.wild {
			if !strings.HasPrefix(t, w) {
				return 0, false
			}
		} else if t != w {
			return 0, false
		}
	}
	return i + len(p.words) - 1, true
}

// token is one word of a folded text, apostrophes dropped ("don't" → "dont").
type token struct {
	word       string
	start, end int // in Norm
}

func tokenize(norm string) []token {
	var out []token
	start := -1
	var b strings.Builder
	flush := func(end int) {
		if start >= 0 {
			out = append(out, token{word: b.String(), start: start, end: end})
			b.Reset()
			start = -1
		}
	}
	for i, r := range norm {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
			b.WriteRune(r)
		case r == '\'' && start >= 0:
			// inside a word: dropped
		default:
			flush(i)
		}
	}
	flush(len(norm))
	return out
}

type alternative struct {
	re   *regexp.Regexp
	lits []string
}

func compileCue(c Cue) (compiledCue, error) {
	if c.Name == "" {
		return compiledCue{}, fmt.Errorf("a cue has no name")
	}
	var exprs, plain []string
	for _, p := range c.Phrases {
		if strings.TrimSpace(p) == "" {
			return compiledCue{}, fmt.Errorf("cue %q: empty phrase", c.Name)
		}
		if isPlainPhrase(p) {
			plain = append(plain, p)
			continue
		}
		exprs = append(exprs, phraseRegexp(p))
	}
	for _, p := range c.Patterns {
		if _, err := regexp.Compile(p); err != nil {
			return compiledCue{}, fmt.Errorf("cue %q: pattern %q: %v", c.Name, p, err)
		}
		// Customers often drop apostrophes: "dont", "im".
		exprs = append(exprs, strings.ReplaceAll(p, "'", "'?"))
	}
	if len(exprs) == 0 && len(plain) == 0 && len(c.Near) == 0 {
		return compiledCue{}, fmt.Errorf("cue %q has no phrases, patterns or near groups", c.Name)
	}
	if len(c.Near) == 1 {
		return compiledCue{}, fmt.Errorf("cue %q: near needs at least two groups", c.Name)
	}
	if c.Within < 0 {
		return compiledCue{}, fmt.Errorf("cue %q: within %d is below 0", c.Name, c.Within)
	}
	cc := compiledCue{Cue: c}
	if len(plain) > 0 {
		g, err := compileWordGroup(plain)
		if err != nil {
			return compiledCue{}, fmt.Errorf("cue %q: %v", c.Name, err)
		}
		cc.words = &g
	}
	for i, group := range c.Near {
		if len(group) == 0 {
			return compiledCue{}, fmt.Errorf("cue %q: near group %d is empty", c.Name, i)
		}
		g, err := compileWordGroup(group)
		if err != nil {
			return compiledCue{}, fmt.Errorf("cue %q: near group %d: %v", c.Name, i, err)
		}
		cc.near = append(cc.near, g)
	}
	for _, e := range exprs {
		re, err := regexp.Compile("(?i)" + e)
		if err != nil {
			return compiledCue{}, fmt.Errorf("cue %q: %v", c.Name, err)
		}
		cc.alts = append(cc.alts, alternative{re: re, lits: requiredLiterals("(?i)" + e)})
	}
	return cc, nil
}

// phraseRegexp turns an operator's phrase into a whole-word expression.
func phraseRegexp(p string) string {
	words := strings.Fields(fold(p).Norm)
	parts := make([]string, len(words))
	for i, w := range words {
		wild := strings.HasSuffix(w, "*")
		w = strings.TrimSuffix(w, "*")
		q := regexp.QuoteMeta(w)
		q = strings.ReplaceAll(q, "'", "'?")
		if wild {
			q += `\w*`
		}
		parts[i] = q
	}
	expr := strings.Join(parts, `[\s,;:\-]+`)
	first, _ := utf8.DecodeRuneInString(words[0])
	last, _ := utf8.DecodeLastRuneInString(strings.TrimSuffix(words[len(words)-1], "*"))
	if isWordRune(first) {
		expr = `\b` + expr
	}
	if isWordRune(last) {
		expr += `\b`
	}
	return "(?:" + expr + ")"
}

func isWordRune(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}

// hit is one match of a cue in one turn, in original-text offsets.
type hit struct {
	cue    *compiledCue
	turn   int
	start  int // in Orig
	end    int
	nstart int // in Norm
	nend   int
}

func (h hit) text(t folded) string { return t.Orig[h.start:h.end] }

// find returns every match of c in t, in text order, without overlaps
// between alternatives.
func (c *compiledCue) find(t folded, turn int) []hit {
	var hits []hit
	for _, a := range c.alts {
		if !mayMatch(t.Norm, a.lits) {
			continue
		}
		for _, m := range a.re.FindAllStringIndex(t.Norm, -1) {
			if m[1] == m[0] {
				continue
			}
			h := hit{cue: c, turn: turn, nstart: m[0], nend: m[1]}
			if slices.ContainsFunc(hits, func(o hit) bool { return overlaps(o, h) }) {
				continue
			}
			h.start, h.end = t.origSpan(m[0], m[1])
			hits = append(hits, h)
		}
	}
	if c.words != nil {
		toks := t.tokens()
		for _, m := range c.words.matches(toks) {
			h := hit{cue: c, turn: turn, nstart: toks[m[0]].start, nend: toks[m[1]].end}
			if slices.ContainsFunc(hits, func(o hit) bool { return overlaps(o, h) }) {
				continue
			}
			h.start, h.end = t.origSpan(h.nstart, h.nend)
			hits = append(hits, h)
		}
	}
	hits = append(hits, c.findNear(t, turn, hits)...)
	slices.SortFunc(hits, func(a, b hit) int { return a.nstart - b.nstart })
	return hits
}

// findNear returns the places where every Near group matches within the
// cue's word window, each as one hit from the first word to the last.
func (c *compiledCue) findNear(t folded, turn int, have []hit) []hit {
	if len(c.near) == 0 {
		return nil
	}
	toks := t.tokens()
	groups := make([][][2]int, len(c.near))
	for i, g := range c.near {
		if groups[i] = g.matches(toks); len(groups[i]) == 0 {
			return nil
		}
	}
	within := c.Within
	if within == 0 {
		within = DefaultWithin
	}
	var hits []hit
	for _, anchor := range groups[0] {
		first, last := anchor[0], anchor[1]
		ok := true
		for _, g := range groups[1:] {
			best, bestDist := -1, within+1
			for j, m := range g {
				if m[0] <= anchor[1] && anchor[0] <= m[1] {
					continue // the same words cannot stand for two groups
				}
				if d := abs(m[0] - anchor[0]); d < bestDist {
					best, bestDist = j, d
				}
			}
			if best < 0 {
				ok = false
				break
			}
			first, last = min(first, g[best][0]), max(last, g[best][1])
		}
		if !ok {
			continue
		}
		h := hit{cue: c, turn: turn, nstart: toks[first].start, nend: toks[last].end}
		if slices.ContainsFunc(have, func(o hit) bool { return overlaps(o, h) }) ||
			slices.ContainsFunc(hits, func(o hit) bool { return overlaps(o, h) }) {
			continue
		}
		h.start, h.end = t.origSpan(h.nstart, h.nend)
		hits = append(hits, h)
	}
	return hits
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// tokens returns the words of Norm, computed once per text.
func (f folded) tokens() []token {
	if f.toks == nil {
		return tokenize(f.Norm)
	}
	return *f.toks
}

func overlaps(a, b hit) bool { return a.turn == b.turn && a.nstart < b.nend && b.nstart < a.nend }

// before reports whether a comes before b in the conversation.
func before(a, b hit) bool { return a.turn < b.turn || a.turn == b.turn && a.nstart < b.nstart }

// clauseStart returns where the clause holding position pos begins: after the
// last sentence or clause mark (. ! ? ; , newline) or "but".
var clauseMark = regexp.MustCompile(`[.!?;,\n]+|\b(?:but|pero|mais|aber|mas|maar)\b`)

func clauseStart(norm string, pos int) int {
	// Look back a bounded distance so long messages stay linear; a clause
	// longer than that starts at the window's edge.
	from := max(0, pos-clauseWindow)
	start := from
	for _, m := range clauseMark.FindAllStringIndex(norm[from:pos], -1) {
		start = from + m[1]
	}
	return start
}

const clauseWindow = 300

// negated reports whether one of negators appears in the few words before
// h in the same clause.
func negated(t folded, h hit, negators map[string]bool, window int) bool {
	cs := clauseStart(t.Norm, h.nstart)
	words := strings.FieldsFunc(t.Norm[cs:h.nstart], func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'')
	})
	if len(words) > window {
		words = words[len(words)-window:]
	}
	for _, w := range words {
		if negators[w] || negators[strings.ReplaceAll(w, "'", "")] {
			return true
		}
	}
	return false
}
