package guard_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/guard"
)

func setup(t testing.TB) *guard.Guard {
	t.Helper()
	return guard.New(guard.Config{MaxBytes: 4096})
}

func TestMaskMasks(t *testing.T) {
	t.Parallel()
	g := setup(t)
	tests := []struct {
		name   string
		in     string
		secret string // must not survive
		kind   string
		want   string // expected masked text, when given
	}{
		{"visa spaced", "my card is 4111 1111 1111 1111 exp 09/27", "4111 1111 1111 1111", guard.KindCard, "my card is [card ••••1111] exp 09/27"},
		{"visa dashed", "use 4242-4242-4242-4242 please", "4242-4242-4242-4242", guard.KindCard, "use [card ••••4242] please"},
		{"visa plain", "4012888888881881", "4012888888881881", guard.KindCard, "[card ••••1881]"},
		{"amex 15 digits", "amex 3782 822463 10005 thanks", "3782 822463 10005", guard.KindCard, "amex [card ••••0005] thanks"},
		{"mastercard 2-series", "charged to 2223003122003222.", "2223003122003222", guard.KindCard, ""},
		{"discover", "Discover 6011 1111 1111 1117", "6011 1111 1111 1117", guard.KindCard, ""},
		{"card followed by year", "card 4111111111111111 2027", "4111111111111111", guard.KindCard, ""},
		{"cvv", "the CVV is 123", "123", guard.KindCVV, "the CVV is [cvv]"},
		{"cvc colon", "CVC: 9876", "9876", guard.KindCVV, ""},
		{"cvv spanish", "el código de seguridad es 456", "456", guard.KindCVV, ""},
		{"cvv french", "cryptogramme visuel 321", "321", guard.KindCVV, ""},
		{"cvv german", "Prüfnummer 777", "777", guard.KindCVV, ""},
		{"digits on back", "the 3 digits on the back are 552", "552", guard.KindCVV, ""},
		{"iban de spaced", "IBAN DE89 3704 0044 0532 0130 00 please refund there", "DE89 3704 0044 0532 0130 00", guard.KindIBAN, "IBAN [iban] please refund there"},
		{"iban gb plain", "GB29NWBK60161331926819", "GB29NWBK60161331926819", guard.KindIBAN, "[iban]"},
		{"iban lower case", "nl91abna0417164300 is mine", "nl91abna0417164300", guard.KindIBAN, ""},
		{"iban fr", "FR14 2004 1010 0505 0001 3M02 606", "FR14 2004 1010 0505 0001 3M02 606", guard.KindIBAN, ""},
		{"ssn dashed", "SSN 123-45-6789", "123-45-6789", guard.KindSSN, "SSN [ssn]"},
		{"ssn with cue", "my social security number is 078051120", "078051120", guard.KindSSN, ""},
		{"email", "write to ana.garcia+shop@example.co.uk.", "ana.garcia+shop@example.co.uk", guard.KindEmail, "write to [email]."},
		{"email accents", "josé@correo.es", "josé@correo.es", guard.KindEmail, ""},
		{"phone intl", "call me on +44 7700 900123", "+44 7700 900123", guard.KindPhone, "call me on [phone]"},
		{"phone us parens", "(415) 555-2671 anytime", "(415) 555-2671", guard.KindPhone, ""},
		{"phone us dashed", "reach me at 415-555-2671", "415-555-2671", guard.KindPhone, ""},
		{"phone us dotted", "415.555.2671", "415.555.2671", guard.KindPhone, ""},
		{"phone fr", "mon portable: 06 12 34 56 78", "06 12 34 56 78", guard.KindPhone, ""},
		{"phone fr dotted", "06.12.34.56.78", "06.12.34.56.78", guard.KindPhone, ""},
		{"phone de", "Handy 0151 23456789", "0151 23456789", guard.KindPhone, ""},
		{"phone nl", "bel me op 06-12345678", "06-12345678", guard.KindPhone, ""},
		{"phone es", "mi teléfono es 612 345 678", "612 345 678", guard.KindPhone, ""},
		{"phone 00 prefix", "0034 612 345 678", "0034 612 345 678", guard.KindPhone, ""},
		{"phone plain national", "07700900123", "07700900123", guard.KindPhone, ""},
		{"phone plain with cue", "my number is 4155552671", "4155552671", guard.KindPhone, ""},
		{"password is", "my password is Bluebird2019!", "Bluebird2019!", guard.KindPassword, "my password is [password]"},
		{"password plain word", "my password is sunshine", "sunshine", guard.KindPassword, ""},
		{"password colon", "pw: hunter22", "hunter22", guard.KindPassword, "pw: [password]"},
		{"password changed to", "I changed my password to Tr0ub4dor&3 yesterday", "Tr0ub4dor&3", guard.KindPassword, ""},
		{"password quoted", `password "open sesame" ok`, "sesame", guard.KindPassword, `password "[password]" ok`},
		{"password spanish", "mi contraseña es Gato#77", "Gato#77", guard.KindPassword, ""},
		{"password french", "mon mot de passe est soleil2020", "soleil2020", guard.KindPassword, ""},
		{"password german", "mein Passwort ist Sommer!23", "Sommer!23", guard.KindPassword, ""},
		{"password portuguese", "minha senha é Brasil@10", "Brasil@10", guard.KindPassword, ""},
		{"password dutch", "mijn wachtwoord is Fiets99", "Fiets99", guard.KindPassword, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := g.Mask(tt.in)
			if strings.Contains(got.Text, tt.secret) {
				t.Errorf("Mask(%q) = %q: %q survived", tt.in, got.Text, tt.secret)
			}
			if !slices.Contains(got.Kinds, tt.kind) {
				t.Errorf("Mask(%q).Kinds = %v, want it to hold %q", tt.in, got.Kinds, tt.kind)
			}
			if tt.want != "" && got.Text != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got.Text, tt.want)
			}
			for _, s := range got.Spans {
				if s.Start < 0 || s.End > len(tt.in) || s.Start >= s.End {
					t.Errorf("bad span %+v for %q", s, tt.in)
				}
			}
		})
	}
}

func TestMaskLeavesAlone(t *testing.T) {
	t.Parallel()
	g := setup(t)
	tests := []struct{ name, in string }{
		{"order hash", "where is order #100455?"},
		{"order word", "order 100811 arrived damaged"},
		{"order number long", "my order number is 2024031512"},
		{"card ends in", "the card ends in 4242"},
		{"expiry", "expires 09/27, card ending 1881"},
		{"tracking fails luhn", "tracking 1234 5678 9012 3456 shows nothing"},
		{"tracking plain", "tracking number 9400111899223100555555"},
		{"price", "it was $1,299.99 not €1 299,00"},
		{"amount big", "I paid 1 250 000 won"},
		{"date iso", "on 2024-03-05 at 10:30"},
		{"date dotted", "seit dem 05.03.2024 warte ich"},
		{"date and time", "am 01.02.2023 10:00 bestellt"},
		{"years", "customer since 2019 2020 and 2021"},
		{"promo", "promo code SPRING2024 did not apply"},
		{"reference", "ref 4839201756 from your email"},
		{"invoice", "invoice INV-2024-00017"},
		{"bare domain", "is shop.example.com down?"},
		{"password complaint", "my password is wrong and the reset link is broken"},
		{"password expired", "my password is expired"},
		{"password to work", "I need my password to work"},
		{"password spanish complaint", "mi contraseña es incorrecta"},
		{"password reset question", "how do I reset my password?"},
		{"cvv where", "where do I find the CVV on my card?"},
		{"ssn invalid area", "code 000-12-3456 in the log"},
		{"six digit code", "the verification code 482913 expired"},
		{"phone opening hours", "what time does your phone line open, 9 or 10?"},
		{"quantity", "I need 40 chairs and 12 desks"},
		{"model number", "the X1000-2000 model"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := g.Mask(tt.in)
			if got.Text != tt.in || len(got.Spans) != 0 {
				t.Errorf("Mask(%q) = %q %v, want it untouched", tt.in, got.Text, got.Kinds)
			}
		})
	}
}

func TestMaskSeveralKinds(t *testing.T) {
	t.Parallel()
	g := setup(t)
	in := "I'm ana@example.com, +34 612 345 678, card 5555 5555 5555 4444 cvv 321, order #100455"
	got := g.Mask(in)
	want := "I'm [email], [phone], card [card ••••4444] cvv [cvv], order #100455"
	if got.Text != want {
		t.Errorf("Mask = %q, want %q", got.Text, want)
	}
	wantKinds := []string{guard.KindCard, guard.KindCVV, guard.KindEmail, guard.KindPhone}
	if !slices.Equal(got.Kinds, wantKinds) {
		t.Errorf("Kinds = %v, want %v", got.Kinds, wantKinds)
	}
	for i, s := range got.Spans {
		if i > 0 && s.Start < got.Spans[i-1].End {
			t.Errorf("spans overlap or are out of order: %v", got.Spans)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	g := setup(t)
	tests := []struct {
		name string
		in   string
		code string
	}{
		{"ok", "hello", ""},
		{"rtl", "مرحبا، أين طلبي؟", ""},
		{"emoji only", "😡😡😡", ""},
		{"empty", "", frontline.EInvalid},
		{"blank", " \n\t ", frontline.EInvalid},
		{"too large", strings.Repeat("a", 4097), frontline.ETooLarge},
		{"at the limit", strings.Repeat("a", 4096), ""},
		{"invalid utf8", "abc\xff\xfe", frontline.EInvalid},
		{"binary", "abc\x00def", frontline.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := g.Check(tt.in)
			if got := frontline.ErrorCode(err); got != tt.code {
				t.Errorf("Check(%.20q) code = %q (%v), want %q", tt.in, got, err, tt.code)
			}
		})
	}
}

func TestMaskOddInputDoesNotPanic(t *testing.T) {
	t.Parallel()
	g := setup(t)
	inputs := []string{
		"\xff\xfe\xfd 4111 1111 1111 1111",
		strings.Repeat("9", 10000),
		strings.Repeat("4111 ", 2000),
		strings.Repeat("password is ", 500),
		strings.Repeat("a@b.", 1000),
		"DE89",
		"+",
		"(((((1234567)))))",
		"🙂🙂🙂",
	}
	for _, in := range inputs {
		got := g.Mask(in)
		for _, s := range got.Spans {
			if s.Start < 0 || s.End > len(in) || s.Start >= s.End {
				t.Errorf("bad span %+v", s)
			}
		}
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"my card is 4111 1111 1111 1111", "pw: x", "IBAN DE89 3704 0044 0532 0130 00", "+1 (415) 555-2671", "a@b.co"} {
		f.Add(s)
	}
	g := guard.New(guard.Config{})
	f.Fuzz(func(t *testing.T, in string) {
		got := g.Mask(in)
		last := 0
		for _, s := range got.Spans {
			if s.Start < last || s.End > len(in) || s.Start >= s.End {
				t.Fatalf("bad span %+v in %q", s, in)
			}
			last = s.End
		}
		// Masking is idempotent: placeholders hold nothing to mask.
		if again := g.Mask(got.Text); again.Text != got.Text {
			t.Fatalf("Mask not idempotent: %q -> %q", got.Text, again.Text)
		}
	})
}

func BenchmarkMask(b *testing.B) {
	g := guard.New(guard.Config{})
	msg := "Hi, I was charged twice on order #100455. My card is 4111 1111 1111 1111, email ana@example.com, call me on +44 7700 900123. " +
		strings.Repeat("The parcel never arrived and the tracking page shows nothing at all since last week. ", 4)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		g.Mask(msg)
	}
}
