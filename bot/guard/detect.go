package guard

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ---- payment cards ----

// isCardSeparator: how people split a card number's groups (zero-width
// separators are gone by now, see normalize).
func isCardSeparator(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '/' }

// appendCards finds runs of digit groups separated by single spaces, dashes,
// dots or slashes, and masks the longest stretch of whole groups holding 13
// to 19 digits that passes the Luhn check and looks like a card (network prefix 2–6, or the
// word "card" or a network name just before it).
func appendCards(found []finding, text string) []finding {
	type group struct{ start, end int }
	for i := 0; i < len(text); {
		if !isDigit(text[i]) || (i > 0 && (isWordByte(text[i-1]) || text[i-1] == '+' || text[i-1] == ']')) {
			i++
			continue
		}
		var groups []group
		j := i
		for {
			s := j
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			groups = append(groups, group{s, j})
			if j+1 < len(text) && isCardSeparator(text[j]) && isDigit(text[j+1]) && len(groups) < 12 {
				j++
				continue
			}
			break
		}
		next := j
		for a := 0; a < len(groups); a++ {
			best := -1
			digits := 0
			for b := a; b < len(groups); b++ {
				digits += groups[b].end - groups[b].start
				if digits > 19 {
					break
				}
				if digits >= 13 {
					num := digitsOf(text[groups[a].start:groups[b].end])
					if luhn(num) && (num[0] >= '2' && num[0] <= '6' || cardContext(text[:groups[a].start])) {
						best = b
					}
				}
			}
			if best >= 0 {
				num := digitsOf(text[groups[a].start:groups[best].end])
				found = append(found, finding{
					Span:        Span{Kind: KindCard, Start: groups[a].start, End: groups[best].end},
					placeholder: "[card ••••" + num[len(num)-4:] + "]",
				})
				a = best
			}
		}
		i = next
	}
	return found
}

var cardWords = []string{"card", "visa", "mastercard", "amex", "tarjeta", "carte", "karte", "cartao", "cartão", "kaart"}

func cardContext(before string) bool {
	tail := strings.ToLower(lastBytes(before, 30))
	for _, w := range cardWords {
		if strings.Contains(tail, w) {
			return true
		}
	}
	return false
}

func luhn(num string) bool {
	sum := 0
	double := false
	for i := len(num) - 1; i >= 0; i-- {
		d := int(num[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ---- IBANs ----

// ibanHead: two letters and two digits starting a word.
func ibanHead(text string, i int) bool {
	return isLetterASCII(text[i]) && isLetterASCII(text[i+1]) && isDigit(text[i+2]) && isDigit(text[i+3]) &&
		(i == 0 || !isWordByte(text[i-1]))
}

// ibanLengths holds the lengths of common countries' IBANs; others may be
// 15 to 34 characters long.
var ibanLengths = map[string]int{
	"AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
	"EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28,
	"IE": 22, "IS": 26, "IT": 27, "LT": 20, "LU": 20, "LV": 21, "MT": 31, "NL": 18,
	"NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
}

// appendIBANs masks country code + check digits + account, with or without
// spaces every four characters, when the mod-97 check passes.
func appendIBANs(found []finding, text string) []finding {
	for start := 0; start+4 <= len(text); start++ {
		if !ibanHead(text, start) {
			continue
		}
		// Collect alphanumerics allowing single spaces; remember where each
		// whole group ends, since an IBAN ends at a group boundary.
		var chars []byte
		var ends []int // byte offset after the char at chars index, for boundaries
		var endIdx []int
		j := start
		for j < len(text) && len(chars) < 34 {
			c := text[j]
			if isAlnumASCII(c) {
				chars = append(chars, upper(c))
				j++
				if j == len(text) || !isAlnumASCII(text[j]) {
					ends = append(ends, j)
					endIdx = append(endIdx, len(chars))
				}
				continue
			}
			if c == ' ' && j+1 < len(text) && isAlnumASCII(text[j+1]) && len(chars) > 0 {
				j++
				continue
			}
			break
		}
		want := ibanLengths[string(chars[:2])]
		for k := len(ends) - 1; k >= 0; k-- {
			n := endIdx[k]
			if n < 15 || (want > 0 && n != want) {
				continue
			}
			if ibanValid(chars[:n]) {
				found = append(found, finding{Span: Span{Kind: KindIBAN, Start: start, End: ends[k]}, placeholder: "[iban]"})
				break
			}
		}
	}
	return found
}

func ibanValid(iban []byte) bool {
	rearranged := append(append([]byte{}, iban[4:]...), iban[:4]...)
	rem := 0
	for _, c := range rearranged {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// ---- US social security numbers ----

var (
	ssnDashed  = regexp.MustCompile(`\b(\d{3})-(\d{2})-(\d{4})\b`)
	ssnWithCue = regexp.MustCompile(`(?i)\b(?:ssn|social security(?: number| no\.?| #)?|seguro social|sécurité sociale|securite sociale)\b[^\d\n]{0,20}(\d{3}[ -]?\d{2}[ -]?\d{4})\b`)
)

var ssnWords = []string{"ssn", "social security", "seguro social", "sécurité sociale", "securite sociale"}

func appendSSNs(found []finding, text string) []finding {
	if countDigits(text) < 9 {
		return found
	}
	for _, c := range numericChunks(text, 9) {
		for _, m := range ssnDashed.FindAllStringSubmatchIndex(text[c[0]:c[1]], -1) {
			sub := text[c[0]:c[1]]
			if ssnParts(sub[m[2]:m[3]], sub[m[4]:m[5]], sub[m[6]:m[7]]) {
				found = append(found, finding{Span: Span{Kind: KindSSN, Start: c[0] + m[0], End: c[0] + m[1]}, placeholder: "[ssn]"})
			}
		}
	}
	if !containsAny(strings.ToLower(text), ssnWords) {
		return found
	}
	for _, m := range ssnWithCue.FindAllStringSubmatchIndex(text, -1) {
		d := digitsOf(text[m[2]:m[3]])
		if ssnParts(d[:3], d[3:5], d[5:]) {
			found = append(found, finding{Span: Span{Kind: KindSSN, Start: m[2], End: m[3]}, placeholder: "[ssn]"})
		}
	}
	return found
}

// ssnParts applies the SSA's rules: no 000, 666 or 9xx area, no 00 group,
// no 0000 serial.
func ssnParts(area, group, serial string) bool {
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

// ---- email addresses ----

// emailDomain matches the part after "@", anchored.
var emailDomain = regexp.MustCompile(`^[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?)*\.\p{L}{2,}`)

func isLocalPartRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._%+-", r)
}

// appendEmails looks around each "@": a local part before it, a dotted
// domain after it.
func appendEmails(found []finding, text string) []finding {
	for off := 0; off < len(text); {
		i := strings.IndexByte(text[off:], '@')
		if i < 0 {
			break
		}
		at := off + i
		off = at + 1
		start := at
		for start > 0 {
			r, n := utf8.DecodeLastRuneInString(text[:start])
			if !isLocalPartRune(r) {
				break
			}
			start -= n
		}
		loc := emailDomain.FindStringIndex(text[at+1:])
		if start == at || loc == nil {
			continue
		}
		end := at + 1 + loc[1]
		found = append(found, finding{Span: Span{Kind: KindEmail, Start: start, End: end}, placeholder: "[email]"})
		off = end
	}
	return found
}

// ---- CVVs stated as such ----

var cvvRe = regexp.MustCompile(`(?i)(?:\b(?:cvv2?|cvc2?|cvn|csc|security code|card verification (?:value|code|number)|c[óo]digo de seguridad|code de s[ée]curit[ée]|cryptogramme(?: visuel)?|kartenpr[üu]fnummer|pr[üu]fnummer|sicherheitscode|c[óo]digo de seguran[çc]a|c[óo]digo cvv|beveiligingscode|verificatiecode)|(?:3|4|three|four)[- ]digits? (?:code )?on the back(?: of (?:my|the) card)?)[^\d\n]{0,20}?\b(\d{3,4})\b`)

// cvvWords: one of them is in every text cvvRe can match (lowercased).
var cvvWords = []string{"cvv", "cvc", "cvn", "csc", "security code", "verification", "digit", "seguridad", "curit",
	"cryptogramme", "fnummer", "sicherheitscode", "seguran", "beveiligingscode", "verificatiecode", "codigo cvv", "código cvv"}

func containsAny(lower string, words []string) bool {
	for _, w := range words {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

func appendCVVs(found []finding, text string) []finding {
	if !containsAny(strings.ToLower(text), cvvWords) {
		return found
	}
	for _, m := range cvvRe.FindAllStringSubmatchIndex(text, -1) {
		found = append(found, finding{Span: Span{Kind: KindCVV, Start: m[2], End: m[3]}, placeholder: "[cvv]"})
	}
	return found
}

// ---- phone numbers ----

var (
	phoneRe   = regexp.MustCompile(`\+?\(?\d[\d .()\-]{5,24}\d\)?`)
	dateShape = regexp.MustCompile(`^\(?\d{1,4}[./\- ]\d{1,2}[./\- ]\d{1,4}\)?$`)
	usShape   = regexp.MustCompile(`^(?:\+?1[ .\-]?)?\(?\d{3}\)?[ .\-]?\d{3}[ .\-]\d{4}$`)
	areaParen = regexp.MustCompile(`\(\d{1,5}\)`)
	// dateInside: a date with a four-digit year swallowed by a greedy match.
	dateInside = regexp.MustCompile(`\b(?:\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)\d{2}|(?:19|20)\d{2}[./\-]\d{1,2}[./\-]\d{1,2})\b`)
)

// Words just before a number that say what it is. The nearest one wins.
var (
	phoneWords = []string{"call", "phone", "mobile", "cell", "tel", "reach me", "text me", "whatsapp", "sms",
		"contact", "my number", "mi numero", "mi número", "mon numero", "mon numéro", "meine nummer", "mijn nummer",
		"meu numero", "meu número", "llamar", "llamame", "llámame", "telefono", "teléfono", "movil", "móvil", "celular",
		"telephone", "téléphone", "portable", "appeler", "joindre", "numero", "numéro", "telefon", "handy",
		"anrufen", "rufnummer", "telefoon", "mobiel", "bellen", "telemovel", "telemóvel", "ligar"}
	notPhoneWords = []string{"order", "tracking", "track", "invoice", "ref", "reference", "ticket", "case",
		"pedido", "commande", "bestellung", "bestelling", "encomenda", "parcel", "package", "shipment", "sendung",
		"pakket", "colis", "paquete", "factura", "facture", "rechnung", "factuur", "fatura", "receipt", "sku",
		"item", "article", "artikel", "zip", "postcode", "postal", "plz", "account no", "serial", "iban", "bic",
		"amount", "total", "id", "confirmation", "booking", "voucher", "#"}
)

func appendPhones(found []finding, text string) []finding {
	if countDigits(text) < 7 {
		return found
	}
	for _, c := range numericChunks(text, 7) {
		for _, loc := range phoneRe.FindAllStringIndex(text[c[0]:c[1]], -1) {
			found = appendPhone(found, text, c[0]+loc[0], c[0]+loc[1])
		}
	}
	return found
}

// numericChunks returns the [start, end) runs of text made only of digits,
// spaces and the marks phone numbers and SSNs use, holding at least
// minDigits digits: the only places those can be.
func numericChunks(text string, minDigits int) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); {
		if !strings.ContainsRune("0123456789 .()-+", rune(text[i])) {
			i++
			continue
		}
		j, digits := i, 0
		for j < len(text) && strings.ContainsRune("0123456789 .()-+", rune(text[j])) {
			if isDigit(text[j]) {
				digits++
			}
			j++
		}
		if digits >= minDigits {
			out = append(out, [2]int{i, j})
		}
		i = j
	}
	return out
}

// appendPhone checks one candidate span [s, e) of text.
func appendPhone(found []finding, text string, s, e int) []finding {
	// Trim an unbalanced parenthesis the greedy match took.
	cand := text[s:e]
	if strings.HasSuffix(cand, ")") && strings.Count(cand, "(") < strings.Count(cand, ")") {
		e--
		cand = text[s:e]
	}
	if strings.HasPrefix(cand, "(") && strings.Count(cand, "(") > strings.Count(cand, ")") {
		s++
		cand = text[s:e]
	}
	if isPhone(text, s, e, cand) {
		found = append(found, finding{Span: Span{Kind: KindPhone, Start: s, End: e}, placeholder: "[phone]"})
	}
	return found
}

func isPhone(text string, s, e int, cand string) bool {
	if s > 0 {
		prev, _ := utf8.DecodeLastRuneInString(text[:s])
		if unicode.IsLetter(prev) || unicode.IsDigit(prev) || strings.ContainsRune("#$€£¥/.,-_]", prev) {
			return false
		}
	}
	if e < len(text) {
		next, _ := utf8.DecodeRuneInString(text[e:])
		if unicode.IsLetter(next) || unicode.IsDigit(next) || strings.ContainsRune("$€£¥%/", next) {
			return false
		}
	}
	before := strings.TrimRight(lastBytes(text[:s], 3), " ")
	if strings.HasSuffix(before, "$") || strings.HasSuffix(before, "€") || strings.HasSuffix(before, "£") || strings.HasSuffix(before, "#") {
		return false
	}
	digits := digitsOf(cand)
	n := len(digits)
	if n < 7 || n > 15 || dateShape.MatchString(cand) || dateInside.MatchString(cand) {
		return false
	}
	switch nearestContext(text[:s]) {
	case "not":
		return false
	case "phone":
		return true
	}
	separated := strings.ContainsAny(cand, " .-()")
	switch {
	case strings.HasPrefix(cand, "+"):
		return n >= 8
	case strings.HasPrefix(digits, "00") && n >= 10:
		return true
	case areaParen.MatchString(cand) && n >= 9:
		return true
	case usShape.MatchString(cand):
		return true
	case digits[0] == '0' && n >= 9 && n <= 12 && (separated || n >= 10):
		return true
	case separated && n == 9 && strings.ContainsRune("679", rune(digits[0])) && groupsAtMost(cand, 3):
		return true
	}
	return false
}

// nearestContext reports whether the closest telling word in the 40 bytes
// before a number says phone ("phone") or something else ("not").
func nearestContext(before string) string {
	tail := strings.ToLower(lastBytes(before, 40))
	best, kind := -1, ""
	for _, w := range phoneWords {
		if i := lastWordIndex(tail, w); i > best {
			best, kind = i, "phone"
		}
	}
	for _, w := range notPhoneWords {
		if i := lastWordIndex(tail, w); i >= best && i >= 0 {
			best, kind = i, "not"
		}
	}
	return kind
}

// lastWordIndex is the last index of w in s where w starts a word.
func lastWordIndex(s, w string) int {
	for end := len(s); end > 0; {
		i := strings.LastIndex(s[:end], w)
		if i < 0 {
			return -1
		}
		after := i + len(w)
		// A placeholder such as "[phone]" is not context.
		if w == "#" || (i == 0 || !isWordByte(s[i-1]) && s[i-1] != '[') && (after == len(s) || !isAlnumASCII(s[after])) {
			return i
		}
		end = i
	}
	return -1
}

func groupsAtMost(s string, max int) bool {
	for _, g := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) {
		if len(g) > max {
			return false
		}
	}
	return true
}

// ---- helpers ----

func isLetterASCII(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool       { return c >= '0' && c <= '9' }
func isAlnumASCII(c byte) bool  { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWordByte(c byte) bool    { return isAlnumASCII(c) || c == '_' || c >= 0x80 }
func upper(c byte) byte         { return byte(unicode.ToUpper(rune(c))) }
func firstRune(s string) rune   { r, _ := utf8.DecodeRuneInString(s); return r }
func lastRune(s string) rune    { r, _ := utf8.DecodeLastRuneInString(s); return r }
func lastBytes(s string, n int) string {
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
