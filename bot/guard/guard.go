// Package guard is the first step of the bot's pipeline: it refuses messages
// that are empty, too large or binary, and masks private data (payment cards,
// CVVs, IBANs, US social security numbers, email addresses, phone numbers and
// passwords stated as such) before a message is stored, logged, embedded or
// sent to a language model. Order numbers, tracking numbers that fail the
// Luhn check, amounts, dates and reference numbers are left alone.
package guard

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
)

// Kinds of private data, as recorded in Masked.Kinds and Message.Meta.Redactions.
const (
	KindCard     = "card"
	KindCVV      = "cvv"
	KindIBAN     = "iban"
	KindSSN      = "ssn"
	KindEmail    = "email"
	KindPhone    = "phone"
	KindPassword = "password"
	KindPIN      = "pin"
	// KindGovernmentID: passport, national ID, NIE/DNI, driver's licence
	// and tax ID numbers stated as such.
	KindGovernmentID = "government_id"
)

// Config tunes a Guard. The zero value is usable.
type Config struct {
	// MaxBytes bounds a message; 0 means frontline.MaxBodyBytes.
	MaxBytes int
}

// Guard checks and masks customer messages. It is safe for concurrent use.
type Guard struct {
	maxBytes int
}

// New returns a Guard configured by cfg.
func New(cfg Config) *Guard {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = frontline.MaxBodyBytes
	}
	return &Guard{maxBytes: cfg.MaxBytes}
}

// Span is one masked piece of the original text: byte offsets [Start, End).
type Span struct {
	Kind  string `json:"kind"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Masked is a message with its private data replaced by placeholders such as
// "[card ••••4242]" or "[email]".
type Masked struct {
	Text string `json:"text"`
	// Kinds found, sorted, each once.
	Kinds []string `json:"kinds,omitempty"`
	// Spans in the original text, in order.
	Spans []Span `json:"spans,omitempty"`
}

// Check refuses text that no pipeline step should see: empty or blank
// (EInvalid), larger than the configured limit (ETooLarge), not valid UTF-8 or
// holding control characters that only binary data has (EInvalid).
func (g *Guard) Check(text string) error {
	if len(text) > g.maxBytes {
		return frontline.Errorf(frontline.ETooLarge, "message is %d bytes; the limit is %d", len(text), g.maxBytes)
	}
	if strings.TrimSpace(text) == "" {
		return frontline.Errorf(frontline.EInvalid, "message is empty")
	}
	if !utf8.ValidString(text) {
		return frontline.Errorf(frontline.EInvalid, "message is not valid UTF-8 text")
	}
	if i := strings.IndexFunc(text, isBinaryControl); i >= 0 {
		return frontline.Errorf(frontline.EInvalid, "message holds a control character at byte %d", i)
	}
	return nil
}

func isBinaryControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f
}

// finding is a detector's candidate before overlaps are resolved.
type finding struct {
	Span
	placeholder string
}

// priority decides overlaps: a password stated as such beats whatever its
// characters also look like; a card beats the phone its digits resemble.
var priority = map[string]int{
	KindPassword: 9, KindEmail: 8, KindGovernmentID: 7, KindCard: 6, KindIBAN: 5, KindSSN: 4, KindPIN: 3, KindCVV: 2, KindPhone: 1,
}

// Mask replaces private data in text with placeholders. It never fails: bad
// input is Check's business, and Mask on any string returns a string.
func (g *Guard) Mask(text string) Masked {
	return mask(text, maskContext{})
}

// MaskConversation masks a conversation's customer turns, oldest first. A
// turn is read with the one before it: after "the hotel wants my passport",
// "ok, it's PAB482913" is a passport number; after "can't log in", "I typed
// Sk8erBoi_2011" is a password.
func (g *Guard) MaskConversation(turns []string) []Masked {
	out := make([]Masked, len(turns))
	var ctx maskContext
	for i, t := range turns {
		out[i] = mask(t, ctx)
		n := normalize(t).Text
		ctx = maskContext{idTurn: mentionsID(n), credentialTurn: mentionsCredentials(n)}
	}
	return out
}

// maskContext is what the turn before said.
type maskContext struct {
	idTurn, credentialTurn bool
}

func mask(text string, ctx maskContext) Masked {
	// Detectors read the normalised text; what is replaced is the original.
	n := normalize(text)
	t := n.Text
	var found []finding
	found = appendPasswords(found, t, ctx.credentialTurn)
	found = appendEmails(found, t)
	found = appendIDs(found, t, ctx.idTurn)
	found = appendCards(found, t)
	found = appendIBANs(found, t)
	found = appendSSNs(found, t)
	found = appendPINs(found, t)
	found = appendCVVs(found, t)
	found = appendPhones(found, t)
	if len(found) == 0 {
		return Masked{Text: text}
	}
	for i := range found {
		found[i].Start, found[i].End = n.orig(found[i].Start, found[i].End)
	}

	// Highest priority first, then longest; keep what does not overlap.
	sort.SliceStable(found, func(i, j int) bool {
		pi, pj := priority[found[i].Kind], priority[found[j].Kind]
		if pi != pj {
			return pi > pj
		}
		return found[i].End-found[i].Start > found[j].End-found[j].Start
	})
	var kept []finding
	for _, f := range found {
		if !slices.ContainsFunc(kept, func(k finding) bool { return f.Start < k.End && k.Start < f.End }) {
			kept = append(kept, f)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Start < kept[j].Start })

	var b strings.Builder
	m := Masked{}
	last := 0
	for _, f := range kept {
		b.WriteString(text[last:f.Start])
		b.WriteString(f.placeholder)
		last = f.End
		m.Spans = append(m.Spans, f.Span)
		if !slices.Contains(m.Kinds, f.Kind) {
			m.Kinds = append(m.Kinds, f.Kind)
		}
	}
	b.WriteString(text[last:])
	m.Text = b.String()
	slices.Sort(m.Kinds)
	return m
}

// PrepareAfter is Prepare reading text with the customer's previous
// message, as MaskConversation does: after "the hotel wants my passport",
// "ok, it's PAB482913" is masked as a passport number. prev may be the
// stored (masked) text: the words that give the context survive masking.
func (g *Guard) PrepareAfter(prev, text string) (masked string, kinds []string, err error) {
	if err := g.Check(text); err != nil {
		return "", nil, err
	}
	var ctx maskContext
	if prev != "" {
		n := normalize(prev).Text
		ctx = maskContext{idTurn: mentionsID(n), credentialTurn: mentionsCredentials(n)}
	}
	m := mask(text, ctx)
	return m.Text, m.Kinds, nil
}

// Prepare checks text and masks it: what a channel stores for a customer's
// message, with the kinds of private data found. EInvalid or ETooLarge for
// text no step should see (empty, binary, too large).
func (g *Guard) Prepare(text string) (masked string, kinds []string, err error) {
	if err := g.Check(text); err != nil {
		return "", nil, err
	}
	m := g.Mask(text)
	return m.Text, m.Kinds, nil
}
