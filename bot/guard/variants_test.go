package guard_test

import (
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/bot/guard"
)

// How people really type private data: every secret must be gone from the
// masked text, and only it (the rest of the message stays as typed).
func TestMaskVariants(t *testing.T) {
	t.Parallel()
	g := setup(t)
	tests := []struct {
		name    string
		in      string
		secrets []string
	}{
		{"card with dots", "card 4111.1111.1111.1111 please", []string{"4111.1111.1111.1111"}},
		{"card with slashes", "my visa 4111/1111/1111/1111", []string{"4111/1111/1111/1111"}},
		{"card with zero-width spaces", "4111\u200b1111\u200b1111\u200b1111", []string{"1111\u200b1111"}},
		{"card in full-width digits", "カード ４１１１ １１１１ １１１１ １１１１", []string{"４１１１ １１１１ １１１１ １１１１"}},
		{"card with a word joiner inside a group", "4242 42\u206042 4242 4242", []string{"42\u206042"}},
		{"password for my account is", "the password for my account is Tulip!88 if that helps", []string{"Tulip!88"}},
		{"password of the admin user", "the password of the admin user was k3ttle-Drum", []string{"k3ttle-Drum"}},
		{"zero-width inside password", "my pass\u200bword is Quokka77", []string{"Quokka77"}},
		{"login slash", "login jdoe / hunter2", []string{"hunter2"}},
		{"user comma pass", "user: mkay, pass: sailboat91", []string{"sailboat91"}},
		{"several candidates", "my password is either Lime#2019 or lime2019, not sure", []string{"Lime#2019", "lime2019"}},
		{"tried several", "can't log in, I've tried parrot55, Parrot55! and parrot2055", []string{"parrot55", "Parrot55!", "parrot2055"}},
		{"typed without a password word", "i typed Gr8Scott_1999 three times", []string{"Gr8Scott_1999"}},
		{"password after the question", "does the password expire every 90 days? Mine's Ocean-Breeze42", []string{"Ocean-Breeze42"}},
		{"password is literally", "the service user's password is literally the token, qX7r-2mPz-81Kd", []string{"qX7r-2mPz-81Kd"}},
		{"pin is", "my PIN is 4921", []string{"4921"}},
		{"pin colon", "PIN: 0712, card blocked", []string{"0712"}},
		{"pin spanish", "el pin es 8812", []string{"8812"}},
		{"passport number", "my passport number is 533417962, issued in the UK", []string{"533417962"}},
		{"passport no", "passport no 548201937, exp 2031", []string{"548201937"}},
		{"passport letters", "pasaporte: PAB482913", []string{"PAB482913"}},
		{"national id card", "my national ID card number is L01X00T47.", []string{"L01X00T47"}},
		{"nie", "mi NIE es X1234567L", []string{"X1234567L"}},
		{"dni", "Me piden el DNI: es 12345678Z.", []string{"12345678Z"}},
		{"driving licence", "my driving licence number is MORGA753116SM9IJ", []string{"MORGA753116SM9IJ"}},
		{"tax id", "my tax ID is 12-3456789", []string{"12-3456789"}},
		{"itin", "It's an ITIN: 912-70-3381.", []string{"912-70-3381"}},
		{"cpf dotted", "inclusive o CPF 418.372.956-46, que", []string{"418.372.956-46"}},
		{"aadhaar grouped", "Mera Aadhaar number 4821 7730 5519 hai", []string{"4821 7730 5519"}},
		{"codice fiscale", "il mio codice fiscale è RSSMRA85T10A562S", []string{"RSSMRA85T10A562S"}},
		{"full-width email", "ana＠example.com", []string{"ana＠example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := g.Mask(tt.in)
			for _, s := range tt.secrets {
				if strings.Contains(got.Text, s) {
					t.Errorf("Mask(%q) = %q: %q survived", tt.in, got.Text, s)
				}
			}
			if len(got.Spans) == 0 {
				t.Errorf("Mask(%q) masked nothing", tt.in)
			}
		})
	}
}

// What looks like the above but is not private data stays as typed.
func TestMaskVariantsLeaveAlone(t *testing.T) {
	t.Parallel()
	g := setup(t)
	for _, in := range []string{
		"got an email saying my account password was changed!! wasn't me",
		"ok never mind, my wife changed it. sorry!",
		"ho già cambiato la password, io dormivo!!",
		"Someone bought seats on a workspace called 'acme-ops-2' with our card",
		"I reset the password and turned on 2FA. but the headphones they ordered still show",
		"my flight KL1008 and booking ABX123 after I logged in",
		"the pin on the map is wrong",
		"my passport expired in 2021, can I still fly?",
		"order 2024031512 never arrived, I tried calling",
		"ich habe ein Paket 12345678 bestellt",
		"nie dostałem paczki 1234567",
	} {
		if got := g.Mask(in); got.Text != in {
			t.Errorf("Mask(%q) = %q, want it untouched", in, got.Text)
		}
	}
}

// A turn is read with the one before it.
func TestMaskConversation(t *testing.T) {
	t.Parallel()
	g := guard.New(guard.Config{})
	tests := []struct {
		name   string
		turns  []string
		secret string
	}{
		{"passport asked before", []string{"the hotel wants my passport, can I send it here?", "ok, it's PAB482913, valid until 2029"}, "PAB482913"},
		{"login trouble before", []string{"cant log in on my new phone", "i typed sk8erboi2011 like 5 times"}, "sk8erboi2011"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := g.MaskConversation(tt.turns)
			if last := got[len(got)-1].Text; strings.Contains(last, tt.secret) {
				t.Errorf("MaskConversation: last turn %q still holds %q", last, tt.secret)
			}
			if first := got[0].Text; first != tt.turns[0] {
				t.Errorf("first turn changed: %q", first)
			}
		})
	}
}
