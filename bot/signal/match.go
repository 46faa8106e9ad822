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
}

var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae", 'ç': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
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
}

// compiledCue is a Cue ready to match: one expression per phrase or
// pattern, each with the literals a text must hold for it to match.
type compiledCue struct {
	Cue
	alts []alternative
}

type alternative struct {
	re   *regexp.Regexp
	lits []string
}

func compileCue(c Cue) (compiledCue, error) {
	if c.Name == "" {
		return compiledCue{}, fmt.Errorf("a cue has no name")
	}
	var exprs []string
	for _, p := range c.Phrases {
		if strings.TrimSpace(p) == "" {
			return compiledCue{}, fmt.Errorf("cue %q: empty phrase", c.Name)
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
	if len(exprs) == 0 {
		return compiledCue{}, fmt.Errorf("cue %q has neither phrases nor patterns", c.Name)
	}
	cc := compiledCue{Cue: c}
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
	slices.SortFunc(hits, func(a, b hit) int { return a.nstart - b.nstart })
	return hits
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
