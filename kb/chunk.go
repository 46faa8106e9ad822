package kb

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultChunkRunes bounds a chunk's text. Short enough that one passage is
// about one thing (and fits an answer), long enough to carry context.
const DefaultChunkRunes = 700

// Chunk splits a revision's Markdown into passages: one section per heading
// (the heading's text is kept with its section), each section cut into
// pieces of at most maxRunes at paragraph, then sentence, then word
// boundaries. Every passage's IndexText starts with the title and heading so
// it is findable by them. A body with no text yields one passage holding the
// title. Passage IDs, article and embedding fields are left for the caller.
func Chunk(title, body string, maxRunes int) []Passage {
	if maxRunes <= 0 {
		maxRunes = DefaultChunkRunes
	}
	var out []Passage
	for _, sec := range sections(body) {
		for _, piece := range splitBounded(sec.text, maxRunes) {
			prefix := title
			if sec.heading != "" && sec.heading != title {
				prefix += " — " + sec.heading
			}
			out = append(out, Passage{
				Kind:      KindChunk,
				Heading:   sec.heading,
				Text:      piece,
				IndexText: prefix + "\n" + piece,
			})
		}
	}
	if len(out) == 0 {
		out = append(out, Passage{Kind: KindChunk, Text: title, IndexText: title})
	}
	return out
}

type section struct {
	heading string
	text    string
}

// sections cuts Markdown at ATX headings (# … ######), ignoring lines inside
// fenced code blocks.
func sections(md string) []section {
	var out []section
	cur := section{}
	var buf strings.Builder
	inFence := false
	flush := func() {
		cur.text = strings.TrimSpace(buf.String())
		if cur.text != "" {
			out = append(out, cur)
		}
		buf.Reset()
	}
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
		}
		if !inFence && isHeading(trimmed) {
			flush()
			cur = section{heading: strings.TrimSpace(strings.Trim(strings.TrimLeft(trimmed, "#"), "# "))}
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
	}
	flush()
	return out
}

func isHeading(line string) bool {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	return n >= 1 && n <= 6 && (n == len(line) || line[n] == ' ')
}

// splitBounded packs paragraphs into pieces of at most max runes; a
// paragraph that is too long is packed by sentences, and a sentence that is
// too long by words (and a word that is too long is cut).
func splitBounded(text string, max int) []string {
	var units []string
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		if utf8.RuneCountInString(para) <= max {
			units = append(units, para)
			continue
		}
		for _, sent := range sentences(para) {
			if utf8.RuneCountInString(sent) <= max {
				units = append(units, sent)
				continue
			}
			units = append(units, splitWords(sent, max)...)
		}
	}
	return pack(units, max)
}

// pack joins consecutive units while they fit in max runes.
func pack(units []string, max int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	for _, u := range units {
		un := utf8.RuneCountInString(u)
		if n > 0 && n+2+un > max {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteString("\n\n")
			n += 2
		}
		cur.WriteString(u)
		n += un
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}

// sentences splits after '.', '!' or '?' followed by a space.
func sentences(p string) []string {
	var out []string
	start := 0
	rs := []rune(p)
	for i := 0; i < len(rs)-1; i++ {
		if (rs[i] == '.' || rs[i] == '!' || rs[i] == '?') && unicode.IsSpace(rs[i+1]) {
			out = append(out, strings.TrimSpace(string(rs[start:i+1])))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(string(rs[start:])); rest != "" {
		out = append(out, rest)
	}
	return out
}

// splitWords packs words into pieces of at most max runes.
func splitWords(s string, max int) []string {
	var units []string
	for _, w := range strings.Fields(s) {
		for utf8.RuneCountInString(w) > max {
			r := []rune(w)
			units = append(units, string(r[:max]))
			w = string(r[max:])
		}
		units = append(units, w)
	}
	var out []string
	var cur strings.Builder
	n := 0
	for _, u := range units {
		un := utf8.RuneCountInString(u)
		if n > 0 && n+1+un > max {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(u)
		n += un
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}
