package escalationeval

import (
	"strings"
	"unicode"
)

// Language guesses the language of a conversation for the per-language
// report: by script for Arabic, Japanese, Chinese, Korean, Hindi and other
// non-Latin scripts, else by the commonest function words of each language
// we serve. It is a reporting aid, not a detector: a short message in a
// language it cannot tell apart is "en".
func Language(turns []string) string {
	text := strings.ToLower(strings.Join(turns, " "))
	scripts := map[string]int{}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Arabic, r):
			scripts["ar"]++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			scripts["ja"] += 2
		case unicode.Is(unicode.Han, r):
			scripts["ja"]++ // Han alone is counted with Japanese; kana decide
		case unicode.Is(unicode.Hangul, r):
			scripts["ko"]++
		case unicode.Is(unicode.Devanagari, r):
			scripts["hi"]++
		case unicode.Is(unicode.Cyrillic, r):
			scripts["ru"]++
		case unicode.Is(unicode.Greek, r):
			scripts["el"]++
		case unicode.Is(unicode.Thai, r):
			scripts["th"]++
		}
	}
	best, bestN := "", 0
	for s, n := range scripts {
		if n > bestN || n == bestN && s < best {
			best, bestN = s, n
		}
	}
	if bestN >= 5 {
		return best
	}
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	score := map[string]int{}
	for _, w := range words {
		for _, lang := range functionWords[w] {
			score[lang]++
		}
	}
	best, bestN = "en", 0
	for _, lang := range languageOrder {
		if n := score[lang]; n > bestN {
			best, bestN = lang, n
		}
	}
	return best
}

// languageOrder breaks ties: English first.
var languageOrder = []string{"en", "es", "pt", "fr", "it", "de", "nl", "pl", "sv", "tr", "id", "hi"}

// functionWords maps a common function word to the languages it belongs to.
var functionWords = func() map[string][]string {
	lists := map[string]string{
		"en": "the and is are was to of my i you your it this that not have has with for on in can please what when why how me we our",
		"es": "el la los las que es y de mi por para con no una un pero está estoy hola gracias cuando porque ya me lo su muy",
		"pt": "o a os as que é e de meu minha não um uma para com por mas está estou olá obrigado obrigada você já vocês muito",
		"fr": "le la les que est et de mon ma je vous pas une un pour avec mais bonjour merci c'est j'ai ne nous sur des",
		"it": "il la che è e di mio mia non una un per con ma sono ho buongiorno grazie questo della del vostro vostra",
		"de": "der die das ist und ich nicht ein eine mit für mein meine sie wir aber auf den dem hallo danke habe bitte",
		"nl": "de het een en is ik niet van mijn met voor maar op dat je jullie hallo bedankt heb nog al",
		"pl": "i w nie na jest się z że do to mój moja mam jak dzień dobry proszę czy już tak",
		"sv": "och är att det jag inte en ett för med min mitt på har hej tack kan ni",
		"tr": "ve bir bu da de için ama çok ben siz değil mi merhaba teşekkürler var yok benim",
		"id": "dan yang di ini itu saya tidak untuk dengan ada sudah belum tolong terima kasih mau bisa",
		"hi": "hai hain ka ki ke mera meri mujhe nahi aap kya se ko bhi kar raha rahi tha",
	}
	m := map[string][]string{}
	for lang, ws := range lists {
		for _, w := range strings.Fields(ws) {
			m[w] = append(m[w], lang)
		}
	}
	return m
}()
