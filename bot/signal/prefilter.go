package signal

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// requiredLiterals returns strings of which every match of expr contains at
// least one, lowercased, or nil when no such set is known. Running a
// regular expression only on texts that contain one of them is what keeps
// hundreds of cues cheap: most cues are absent from most messages.
func requiredLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := literalsOf(re.Simplify())
	for i, l := range lits {
		if utf8.RuneCountInString(l) < 2 {
			return nil // too short to filter anything
		}
		lits[i] = strings.ToLower(l)
	}
	return lits
}

func literalsOf(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return []string{strings.ToLower(string(re.Rune))}
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return literalsOf(re.Sub[0])
	case syntax.OpPlus:
		return literalsOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literalsOf(re.Sub[0])
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			l := literalsOf(sub)
			if l == nil {
				return nil
			}
			out = append(out, l...)
		}
		return out
	case syntax.OpConcat:
		// The child whose shortest literal is longest filters best.
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			l := literalsOf(sub)
			if l == nil {
				continue
			}
			shortest := len(l[0])
			for _, s := range l {
				shortest = min(shortest, len(s))
			}
			if shortest > bestLen {
				best, bestLen = l, shortest
			}
		}
		return best
	}
	return nil
}

// mayMatch reports whether norm contains one of lits (always true for nil).
func mayMatch(norm string, lits []string) bool {
	if lits == nil {
		return true
	}
	for _, l := range lits {
		if strings.Contains(norm, l) {
			return true
		}
	}
	return false
}
