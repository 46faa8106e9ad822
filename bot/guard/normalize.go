package guard

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normalized is a text as the detectors read it: Unicode NFKC (full-width
// digits and letters become ASCII, non-breaking and thin spaces become
// spaces) without invisible characters (zero-width spaces and joiners, soft
// hyphens, byte-order marks), so "４１１１", "pass\u200bword" and a card
// number split by zero-width spaces are found as typed plainly. start and end
// map each byte of Text back to the original rune it came from, so what is
// masked is the original text.
type normalized struct {
	Text       string
	start, end []int // nil when Text is the original
}

func normalize(s string) normalized {
	plain := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return normalized{Text: s}
	}
	var b strings.Builder
	b.Grow(len(s))
	n := normalized{start: make([]int, 0, len(s)), end: make([]int, 0, len(s))}
	for i, r := range s {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			size = 1
		}
		if invisible(r) {
			continue
		}
		out := string(r)
		if r >= utf8.RuneSelf {
			out = norm.NFKC.String(out)
		}
		for range len(out) {
			n.start = append(n.start, i)
			n.end = append(n.end, i+size)
		}
		b.WriteString(out)
	}
	n.Text = b.String()
	return n
}

// invisible reports whether r is a format character that shows nothing:
// zero-width space, joiners, word joiner, soft hyphen, BOM, bidi marks.
func invisible(r rune) bool {
	return r == '\u00ad' || r == '\u180e' || unicode.Is(unicode.Cf, r)
}

// orig maps a span of Text to the original text.
func (n normalized) orig(s, e int) (int, int) {
	if n.start == nil {
		return s, e
	}
	if s >= len(n.start) || e <= s {
		last := 0
		if len(n.end) > 0 {
			last = n.end[len(n.end)-1]
		}
		return last, last
	}
	return n.start[s], n.end[e-1]
}
