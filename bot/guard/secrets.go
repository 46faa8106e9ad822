package guard

import (
	"regexp"
	"strings"
	"unicode"
)

// Secrets stated as such: passwords (in any phrasing, several in one
// message), PINs and government ID numbers. The words that say what a value
// is are written from the vocabulary of the languages we serve; the values
// are recognised by shape (a password mixes letters with digits or symbols,
// an ID number is mostly digits), never by a list of values.

// ---- passwords ----

// passwordKeyword is a word that names a password, in the languages we serve.
const passwordKeyword = `(?:passwords?|passwort|passcode|passphrase|pwd|pw|kennwort|wachtwoord|contraseñas?|contrasenas?|clave|mot de passe|mdp|senha|hasło|haslo|parola|parolam|şifre(?:m|si)?|sifre(?:m|si)?|lösenord(?:et)?|losenord(?:et)?|kata sandi|sandi|パスワード|كلمة (?:المرور|السر))`

// credentialContext: a message that names a password or a login, in which a
// token shaped like a password is one.
var credentialContext = regexp.MustCompile(`(?i)` + passwordKeyword + `|\b(?:log(?:ged)?[ -]?in|login|sign(?:ed)?[ -]?in|locked out|username|user name|credentials?|iniciar sesi[óo]n|inicio de sesi[óo]n|connexion|se connecter|anmelden|anmeldung|inloggen|entrar|zaloguj|logowanie|accedere|giriş|giris|logga in|masuk)\b`)

// passwordStatement: a password keyword, an optional "for my account" or
// "of the admin user", a connector ("is", ":", "=", "was", "es", "ist", "é",
// "jest", "är", "adalah", "は"), then the value.
var passwordStatement = regexp.MustCompile(`(?i)` + passwordKeyword +
	`(?:\s+(?:for|of|on|to|del?|de la|du|für|van|voor|do|da|per|dla|för|untuk)\b[^.!?\n:=]{0,40}?)?` +
	`(\s*[:=]\s*|\s+(?:is now|is nu|is still|is|was|were|are|es|era|est|était|etait|ist|war|lautet|é|è|jest|är|var|adalah|e|als)(?:\s*[:=]\s*|\s+)|\s*は\s*|\s+)` +
	`(\S+)`)

// loginPair: "login jdoe / hunter2", "user: jdoe, pass: hunter2".
var loginPair = regexp.MustCompile(`(?i)\b(?:login|log-in|user(?:name)?|usuario|utilisateur|benutzer(?:name)?|gebruiker(?:snaam)?|usuário|utente)\b\s*[:=]?\s*\S+\s*(?:/|\||,|;)\s*(?:pass(?:word)?\s*[:=]?\s*)?(\S+)`)

// triedValues: "I've tried X, Y and Z", "I typed X": verbs of entering a
// value, then the values.
var triedValues = regexp.MustCompile(`(?i)\b(?:tried|typed|entered|entering|typing|put in|probé|probe|intenté|escribí|essayé|tapé|versucht|eingegeben|geprobeerd|ingevoerd|tentei|digitei|provato|inserito|próbowałem|próbowałam|wpisałem|wpisałam|denedim|yazdım|provade|skrev|coba|mencoba)\b([^.!?\n]{0,120})`)

// passwordNotValue are words that follow "my password is" without being the
// password: "my password is wrong", "la contraseña es incorrecta".
var passwordNotValue = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the is not no never too still being been now also just always
		wrong incorrect invalid expired correct right ok okay fine working same reset changed forgotten
		lost different weak strong long short case sensitive longer accepted rejected blocked locked
		there here that this it which my your his her our their something anything nothing stored saved
		hidden visible required needed mandatory empty blank set updated compromised leaked hacked stolen
		and or but for of in on at with by from as if when so very really definitely probably what how
		change changing manager field box page link email mail requirements rules policy broken weird
		bad good great simple easy hard complicated secure unsafe safe old new temporary gone missing
		unknown known please help literally either mine reset? expiring expire expires
		incorrecta incorrecto correcta correcto mala malo muy la el una un no y o pero que de para
		faux fausse incorrect incorrecte pas trop le la les un une et ou mais de pour
		falsch nicht zu richtig der die das ein eine und oder aber von für
		errada errado incorreta incorreto não nao muito o a um uma e ou mas de para
		fout onjuist niet te de het een en of maar van voor`) {
		passwordNotValue[w] = true
	}
}

// appendPasswords masks passwords stated as such: the value after "password
// is" (or ":"), every password-shaped token in a message about a password or
// a login, the second half of "login jdoe / hunter2", and the values after
// "I tried" or "I typed" in such a message.
func appendPasswords(found []finding, text string, credentialTurn bool) []finding {
	lower := strings.ToLower(text)
	context := credentialTurn || credentialContext.MatchString(text)
	add := func(s, e int) {
		s, e = trimValue(text, s, e)
		if s < e {
			found = append(found, finding{Span: Span{Kind: KindPassword, Start: s, End: e}, placeholder: "[password]"})
		}
	}
	if containsAny(lower, passwordWords) {
		for _, m := range passwordStatement.FindAllStringSubmatchIndex(text, -1) {
			sep := strings.ToLower(strings.TrimSpace(text[m[2]:m[3]]))
			vs, ve := m[4], m[5]
			// A quoted password may hold spaces: take it up to the closing quote.
			if q := firstRune(text[vs:ve]); q == '"' || q == '\'' || q == '“' {
				closing := map[rune]string{'"': `"`, '\'': "'", '“': "”"}[q]
				rest := text[vs+len(string(q)):]
				if i := strings.Index(rest, closing); i > 0 && i <= 64 && !strings.Contains(rest[:i], "\n") {
					ve = vs + len(string(q)) + i + len(closing)
				}
			}
			s, e := trimValue(text, vs, ve)
			if s >= e {
				continue
			}
			value := text[s:e]
			if strings.HasPrefix(value, "[") || passwordNotValue[strings.ToLower(strings.TrimRight(value, ".!?"))] {
				continue
			}
			// "password: X", "password is X" state it; "password to X" or a
			// bare "password X" only when X looks like a secret.
			strong := sep != "" && sep != "to" && sep != "e"
			quoted := s > vs
			if !strong && !quoted && !looksLikeSecret(value) {
				continue
			}
			if strong && !quoted && looksLikeWord(value) && englishInflection(value) {
				continue
			}
			add(s, e)
		}
	}
	for _, m := range loginPair.FindAllStringSubmatchIndex(text, -1) {
		if v := text[m[2]:m[3]]; !passwordNotValue[strings.ToLower(v)] && !strings.HasPrefix(v, "[") {
			add(m[2], m[3])
		}
	}
	if !context {
		// Without a word about passwords or logins, only a value typed in
		// that is unmistakably a password: "i typed Sk8erBoi_2011".
		for _, m := range triedValues.FindAllStringSubmatchIndex(text, -1) {
			for _, t := range tokens(text, m[2], m[3]) {
				if strongSecret(text[t[0]:t[1]]) {
					add(t[0], t[1])
				}
			}
		}
		return found
	}
	// In a message about a password or a login, every token shaped like a
	// password is one: "I have tried Rosemary1957, Rosemary1957! and
	// Marmalade#22", "Mine's Harbour-Lights19".
	for _, t := range tokens(text, 0, len(text)) {
		if v := text[t[0]:t[1]]; passwordShaped(v) {
			add(t[0], t[1])
		}
	}
	return found
}

var passwordWords = []string{"passw", "passc", "passp", "pwd", "pw", "kennwort", "wachtwoord", "contrase", "clave", "mot de passe", "mdp",
	"senha", "hasło", "haslo", "parola", "şifre", "sifre", "lösenord", "losenord", "sandi", "パスワード", "كلمة"}

// tokens returns the whitespace-separated tokens of text[s:e], without the
// punctuation around them.
func tokens(text string, s, e int) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text[s:e] {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, [2]int{s + start, s + i})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, [2]int{s + start, e})
	}
	for i, t := range out {
		out[i][0], out[i][1] = trimValue(text, t[0], t[1])
	}
	return out
}

// trimValue drops the quotes, brackets and sentence marks around a value.
func trimValue(text string, s, e int) (int, int) {
	for s < e && strings.ContainsRune(`"'“‘«(`, firstRune(text[s:e])) {
		s += len(string(firstRune(text[s:e])))
	}
	for s < e && strings.ContainsRune(`"'”’»),;:.?`, lastRune(text[s:e])) {
		e -= len(string(lastRune(text[s:e])))
	}
	return s, e
}

// passwordShaped: at least 6 characters, with a lowercase letter and a digit
// or symbol ("hunter22", "Maple#2020", "zq7R-3pHx-91Lt-t0Mw"). Codes written
// in capitals and digits ("KL1008", "SKU-AB12") and placeholders are not;
// nor are words with an apostrophe or a hyphen only ("don't", "e-mail").
func passwordShaped(s string) bool {
	// "changed!!", "sorry!": a word and the end of a sentence.
	if w := strings.TrimRight(s, "!?."); looksLikeWord(w) {
		return false
	}
	if len([]rune(s)) < 6 || strings.HasPrefix(s, "[") || strings.Contains(s, "://") || strings.Contains(s, "@") {
		return false
	}
	var lower, digits, symbols, letters int
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			lower++
			letters++
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		case r == '\'' || r == '’' || r == '-' || r == '.' || r == ',':
		default:
			symbols++
		}
	}
	if lower == 0 || letters == len([]rune(s)) {
		return false
	}
	if digits == 0 && symbols == 0 {
		// Letters with hyphens or dots only: a word ("e-mail", "check-in"),
		// unless capitals inside make it look made up ("Harbour-Lights").
		return false
	}
	// A number with a unit or an ordinal ("10am", "3rd", "2fa", "15min").
	if digits > 0 && symbols == 0 && letters <= 3 {
		return false
	}
	return true
}

// strongSecret: password-shaped and mixing case or holding a symbol, so it
// is a password even with no word about one ("Sk8erBoi_2011").
func strongSecret(s string) bool {
	if !passwordShaped(s) {
		return false
	}
	var upper, symbols, digits int
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsDigit(r):
			digits++
		case !unicode.IsLetter(r) && !strings.ContainsRune("-.'’", r):
			symbols++
		}
	}
	return digits > 0 && (upper > 0 || symbols > 0)
}

// looksLikeSecret: mixes letters with digits or symbols, or has capitals
// after the first character.
func looksLikeSecret(s string) bool {
	s = strings.TrimRight(s, ".")
	var letters, digits, symbols, innerUpper int
	for i, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
			if i > 0 && unicode.IsUpper(r) {
				innerUpper++
			}
		case unicode.IsDigit(r):
			digits++
		default:
			symbols++
		}
	}
	return len(s) >= 4 && (digits > 0 && letters > 0 || symbols > 0 && letters+digits > 0 || innerUpper > 0 || digits >= 4)
}

func looksLikeWord(s string) bool {
	s = strings.TrimRight(s, ".!?")
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// englishInflection catches "my password is compromised/expiring/finally".
func englishInflection(s string) bool {
	s = strings.ToLower(strings.TrimRight(s, ".!?"))
	return strings.HasSuffix(s, "ed") || strings.HasSuffix(s, "ing") || strings.HasSuffix(s, "ly")
}

// ---- PINs ----

// pinRe: "PIN", "PIN code", "Geheimzahl", then an optional connector, then
// 4 to 8 digits.
var pinRe = regexp.MustCompile(`(?i)(?:\bpin(?:[ -]?(?:code|number|nummer|kodu|kod|numarası|numarasi))?|\bcódigo pin|\bcodigo pin|\bcode pin|\bgeheimzahl|\bkode pin|暗証番号)(?:'s|’s)?(?:\s*[:=]\s*|\s+(?:is|was|es|era|est|ist|é|è|jest|är|adalah|e|number|no\.?)\s*[:=]?\s*|\s*は\s*|\s+)(\d{4,8})\b`)

func appendPINs(found []finding, text string) []finding {
	if !strings.Contains(strings.ToLower(text), "pin") && !containsAny(strings.ToLower(text), []string{"geheimzahl", "暗証番号"}) {
		return found
	}
	for _, m := range pinRe.FindAllStringSubmatchIndex(text, -1) {
		found = append(found, finding{Span: Span{Kind: KindPIN, Start: m[2], End: m[3]}, placeholder: "[pin]"})
	}
	return found
}

// ---- government ID numbers ----

// idKeyword names a government identity document or number.
var idKeyword = regexp.MustCompile(`(?i:\b(?:passports?|pasaportes?|passaportes?|passeports?|reisepass|paspoorts?|paszport\w*|passaporto|pasaport\w*|paspor|national (?:id|identity|insurance)|id card|identity card|identity number|id number|identity document|` +
	`carte d'identit[ée]|carte nationale|num[ée]ro d'identit[ée]|documento de identidad|documento nacional|codice fiscale|carta d'identit[àa]|personalausweis\w*|ausweisnummer|identiteitskaart|burgerservicenummer|` +
	`dow[óo]d\w*|personnummer\w*|tc kimlik|kimlik\w*|aadhaar|aadhar|pan card|emirates id|social insurance|` +
	`driver'?s licen[cs]e|driving licen[cs]e|licen[cs]e number|licen[cs]e no|permis de conduire|carnet de conducir|permiso de conducir|carteira de motorista|f[üu]hrerschein\w*|rijbewijs\w*|prawo jazdy|prawa jazdy|k[öo]rkort\w*|ehliyet\w*|` +
	`tax id|tax number|tax identification|steuer-?id|steuernummer|steueridentifikationsnummer|num[ée]ro fiscal|vergi (?:no|numaras\w*|kimlik))\b)|` +
	`\b(?:DNI|NIE|NIF|CPF|RG|CURP|RFC|BSN|PESEL|NIK|KTP|NPWP|PAN|TIN|ITIN|UTR|NINO|NIP|CNH|SIN|NIN|NID)\b|` +
	`رقم الهوية|الهوية|جواز السفر|رقم الجواز|パスポート|マイナンバー|個人番号|免許証|運転免許`)

// idValue: a run of letters and digits, groups joined by ".", "-", "/" or a
// space before digits ("418.372.956-46", "4821 7730 5519", "X1234567L").
var idValue = regexp.MustCompile(`[A-Za-z0-9]+(?:[.\-/][A-Za-z0-9]+|\s\d+)*`)

// idShaped: mostly digits: at least five, or three with letters in a code
// of seven or more characters ("L01X00T47"); not a date.
func idShaped(s string) bool {
	var digits, letters int
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case unicode.IsLetter(r):
			letters++
		}
	}
	if len(s) > 30 || dateInside.MatchString(s) {
		return false
	}
	return digits >= 5 || digits >= 3 && letters >= 1 && digits+letters >= 7
}

// idWindow is how far after an ID word its number may come ("national ID
// card number T22000129", "رقم الهوية الإماراتية الخاص بي 784-…").
const idWindow = 48

// appendIDs masks an ID-shaped value soon after a word naming a government
// ID, in the same sentence; with idTurn (the conversation was just asked
// for or talking about one), an ID-shaped value anywhere in the message
// that mixes letters and digits or is a long number.
func appendIDs(found []finding, text string, idTurn bool) []finding {
	add := func(s, e int) {
		found = append(found, finding{Span: Span{Kind: KindGovernmentID, Start: s, End: e}, placeholder: "[id]"})
	}
	for _, k := range idKeyword.FindAllStringIndex(text, -1) {
		end := min(len(text), k[1]+idWindow)
		window := text[k[1]:end]
		if i := strings.IndexAny(window, "!?\n"); i >= 0 {
			window = window[:i]
		}
		for _, v := range idValue.FindAllStringIndex(window, -1) {
			s, e := k[1]+v[0], k[1]+v[1]
			if s > k[1] && isWordByte(text[s-1]) {
				continue
			}
			if idShaped(text[s:e]) {
				add(s, e)
				break
			}
		}
	}
	if idTurn {
		for _, v := range idValue.FindAllStringIndex(text, -1) {
			s, e := v[0], v[1]
			if s > 0 && (isWordByte(text[s-1]) || text[s-1] == '#') {
				continue
			}
			if val := text[s:e]; idShaped(val) && nearestContext(text[:s]) != "not" {
				add(s, e)
			}
		}
	}
	return found
}

// mentionsID reports whether text names a government ID document.
func mentionsID(text string) bool { return idKeyword.MatchString(text) }

// mentionsCredentials reports whether text is about a password or a login.
func mentionsCredentials(text string) bool { return credentialContext.MatchString(text) }
