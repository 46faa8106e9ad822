package signal_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/escalationeval"
	"github.com/frontlinehq/frontline/bot/signal"
	"github.com/frontlinehq/frontline/internal/shareddata"
)

// setup returns the cues alone (the learned models off): these tests pin
// down what each cue does, which is also what the learned models read.
func setup(t testing.TB) *signal.Detector {
	t.Helper()
	d, err := signal.New(cuesOnly())
	if err != nil {
		t.Fatalf("New(cuesOnly()): %v", err)
	}
	return d
}

func cuesOnly() signal.Config {
	cfg := signal.DefaultConfig()
	cfg.Learned.Off = true
	return cfg
}

func TestFrustration(t *testing.T) {
	t.Parallel()
	d := setup(t)
	tests := []struct {
		name  string
		turns []string
		want  bool
	}{
		{"insult", []string{"Your support is completely useless."}, true},
		{"anger word", []string{"I am furious about how this was handled"}, true},
		{"profanity at us", []string{"what the fuck is wrong with your checkout"}, true},
		{"profanity in praise", []string{"this f***ing playlist feature is awesome, how do I share it?"}, false},
		{"caps shouting", []string{"WHERE IS MY REFUND. I WANT IT TODAY"}, true},
		{"acronyms are not shouting", []string{"Does the PRO plan work with SSO and the API?"}, false},
		{"enthusiastic caps", []string{"THANK YOU!!! It finally works"}, false},
		{"sarcasm", []string{"Oh perfect, the box came open and empty."}, true},
		{"sarcasm thanks for nothing", []string{"thanks for nothing"}, true},
		{"useless", []string{"this is useless, you keep sending me the same article"}, true},
		{"third time", []string{"This is the third time I am asking about my invoice"}, true},
		{"fifth time kindly", []string{"For the fifth time, kindly tell me when the replacement ships."}, true},
		{"threat to leave", []string{"Fix it or I'm switching to a competitor."}, true},
		{"legal threat", []string{"Refund me or I will report you to the regulator."}, true},
		{"negated anger", []string{"I'm not angry, just asking when my order ships"}, false},
		{"not frustrated", []string{"not frustrated at all, just curious about the new plans"}, false},
		{"neutral question", []string{"Hi! Can I change my delivery address?"}, false},
		{"urgent but calm", []string{"It's urgent please, I need the invoice for my accountant by Friday."}, false},
		{"panic about someone else", []string{"THAT WASN'T ME!! Someone ordered on my account, lock my account please"}, false},
		{"punctuation alone is not enough", []string{"where is the invoice??"}, false},
		{"across turns", []string{
			"How do I export my order history?",
			"I can't find any export button in my order history",
			"how do I export my order history??",
		}, true},
		{"calmed down", []string{"This is ridiculous, nothing works!!", "Oh it works now, thanks a lot and sorry for the tone"}, false},
		{"still angry after neutral turn", []string{"You are incompetent and this is a disgrace. I'm fed up.", "order 123"}, true},
		{"spanish", []string{"Es una vergüenza, estoy harto de esperar"}, true},
		{"italian", []string{"Il vostro servizio è inutile, sono stufo"}, true},
		{"polish", []string{"Mam dość, to jest beznadziejne"}, true},
		{"turkish", []string{"Bu tam bir rezalet, hâlâ bekliyorum"}, true},
		{"indonesian", []string{"Pelayanannya payah, tidak membantu sama sekali"}, true},
		{"hinglish", []string{"bakwas service hai, kitni baar bolna padega"}, true},
		{"japanese", []string{"対応が最悪です。何度も問い合わせています"}, true},
		{"arabic", []string{"هذه مهزلة، خدمة سيئة"}, true},
		{"italian calm", []string{"Buongiorno, vorrei sapere i tempi di consegna"}, false},
		{"polish calm", []string{"Dzień dobry, kiedy wyślecie moje zamówienie?"}, false},
		{"french", []string{"C'est inadmissible, j'en ai marre"}, true},
		{"german", []string{"Das ist eine Frechheit, ich bin wütend"}, true},
		{"portuguese", []string{"Que absurdo, é inaceitável"}, true},
		{"dutch", []string{"Dit is belachelijk en onacceptabel"}, true},
		{"angry emoji", []string{"still nothing 😡"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := d.Detect(tt.turns)
			if got.Frustrated != tt.want {
				t.Errorf("Detect(%q).Frustrated = %v, want %v; signals %+v", tt.turns, got.Frustrated, tt.want, got.Signals)
			}
		})
	}
}

func TestHumanRequest(t *testing.T) {
	t.Parallel()
	d := setup(t)
	tests := []struct {
		name  string
		turns []string
		want  bool
	}{
		{"speak to a human", []string{"Can I speak to a human please?"}, true},
		{"one word", []string{"Agent"}, true},
		{"representative please", []string{"representative please!!"}, true},
		{"transfer", []string{"please transfer me to a real person"}, true},
		{"someone who works there", []string{"I'd like to talk to somebody who actually works at your company"}, true},
		{"anyone there", []string{"is there anyone there? an actual person?"}, true},
		{"callback", []string{"Could someone call me back this afternoon?"}, true},
		{"manager", []string{"I want your manager."}, true},
		{"dpo", []string{"Please forward this to your data protection officer"}, false},
		{"contact dpo", []string{"How can I contact the DPO?"}, true},
		{"rather a person", []string{"I'd rather discuss this with a person than a bot"}, true},
		{"spanish", []string{"Quiero hablar con un agente, por favor"}, true},
		{"spanish callback", []string{"¿Me pueden llamar mañana?"}, true},
		{"french", []string{"Je voudrais parler à un conseiller"}, true},
		{"german", []string{"Ich möchte bitte mit einem Mitarbeiter sprechen"}, true},
		{"portuguese", []string{"Quero falar com um atendente"}, true},
		{"dutch", []string{"Kan ik met een medewerker spreken?"}, true},
		{"italian", []string{"Vorrei parlare con un operatore, grazie"}, true},
		{"italian callback", []string{"Mi potete richiamare domani mattina?"}, true},
		{"polish", []string{"Chciałbym porozmawiać z konsultantem"}, true},
		{"swedish", []string{"Kan jag få prata med en människa?"}, true},
		{"turkish", []string{"Müşteri temsilcisi ile görüşmek istiyorum"}, true},
		{"indonesian", []string{"Saya mau bicara dengan petugas CS"}, true},
		{"hinglish", []string{"kisi insaan se baat karwao please"}, true},
		{"arabic", []string{"أريد التحدث مع موظف"}, true},
		{"japanese", []string{"担当者と話したいです"}, true},
		{"italian not a request", []string{"Sono dell'ufficio risorse umane, mi serve la fattura"}, false},
		{"polish question only", []string{"Jak zmienić hasło?"}, false},
		{"indonesian question only", []string{"Berapa lama pengiriman ke Bandung?"}, false},
		{"are you human alone", []string{"are you a human?"}, false},
		{"are you a bot then request", []string{"Are you a bot? I want to talk to a real person."}, true},
		{"human resources", []string{"I need an invoice for my human resources department"}, false},
		{"does not want", []string{"I don't want an agent, just tell me the opening hours"}, false},
		{"no need for a person", []string{"No need to talk to a person, the article answered it"}, false},
		{"phone hours", []string{"What time can I call your phone line on Sunday?"}, false},
		{"taken back", []string{"Can I talk to someone?", "actually nvm, found it in the FAQ"}, false},
		{"taken back then asked again", []string{"never mind", "no wait, get me a human"}, true},
		{"spanish taken back", []string{"Quiero hablar con una persona", "Olvídalo, ya lo encontré"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := d.Detect(tt.turns)
			if got.HumanRequest != tt.want {
				t.Errorf("Detect(%q).HumanRequest = %v, want %v; signals %+v", tt.turns, got.HumanRequest, tt.want, got.Signals)
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	t.Parallel()
	d := setup(t)
	tests := []struct {
		name  string
		turns []string
		want  frontline.Severity
	}{
		{"charged twice", []string{"You charged me twice for the same order."}, frontline.SeverityBillingError},
		{"refund missing", []string{"My refund still hasn't arrived after three weeks"}, frontline.SeverityBillingError},
		{"unknown charge", []string{"There's a charge on my statement I don't recognise"}, frontline.SeverityBillingError},
		{"hypothetical charge", []string{"What happens if I'm charged twice?"}, frontline.SeverityNone},
		{"resolved in conversation", []string{"I was billed twice this month", "ah no, the second one was only a pending hold and it disappeared"}, frontline.SeverityNone},
		{"outage", []string{"The checkout is broken, it gives me error 503"}, frontline.SeverityOutage},
		{"own internet", []string{"my internet is down so I'm on my phone, what are your hours?"}, frontline.SeverityNone},
		{"outage back", []string{"your website is down", "oh it's back now"}, frontline.SeverityNone},
		{"hacked", []string{"My account was hacked and the email was changed"}, frontline.SeveritySecurity},
		{"someone used card", []string{"I see an order I never placed, someone is using my card"}, frontline.SeveritySecurity},
		{"how to 2fa", []string{"How do I turn on 2FA?"}, frontline.SeverityNone},
		{"lawyer threat", []string{"My lawyer will be in touch about the damaged sofa"}, frontline.SeverityLegal},
		{"i am a lawyer", []string{"I'm a lawyer and need a VAT invoice for my practice"}, frontline.SeverityNone},
		{"regulator", []string{"I am filing a complaint with the data protection authority"}, frontline.SeverityLegal},
		{"erasure", []string{"Please delete all my personal data"}, frontline.SeverityPrivacy},
		{"health data", []string{"I told you about my medical condition in the form, who can see it?"}, frontline.SeverityPrivacy},
		{"old address", []string{"How do I remove an old saved address?"}, frontline.SeverityNone},
		{"not delivered", []string{"My parcel still hasn't arrived, it was due Monday"}, frontline.SeverityDelivery},
		{"wrong item", []string{"You sent me the wrong size"}, frontline.SeverityDelivery},
		{"damaged", []string{"The lamp arrived broken"}, frontline.SeverityDelivery},
		{"delivered later", []string{"my order hasn't arrived", "ok it just arrived, thanks!"}, frontline.SeverityNone},
		{"shipping times", []string{"How long does shipping to Canada take?"}, frontline.SeverityNone},
		{"cancel subscription", []string{"I want to cancel my subscription"}, frontline.SeverityCancellation},
		{"cancel order", []string{"Please cancel order 100233, I ordered it by mistake"}, frontline.SeverityNone},
		{"pause", []string{"Can I pause my subscription for the summer?"}, frontline.SeverityNone},
		{"if i ever cancel", []string{"If I ever cancel, is there a fee?"}, frontline.SeverityNone},
		{"precedence", []string{"Someone hacked my account and my parcel never arrived and I'll sue"}, frontline.SeveritySecurity},
		{"legal over billing", []string{"You double charged me and I'm taking this to small claims court"}, frontline.SeverityLegal},
		{"still open after ok", []string{"the app keeps crashing when I pay", "ok"}, frontline.SeverityOutage},
		{"spanish delivery", []string{"Mi pedido no ha llegado todavía"}, frontline.SeverityDelivery},
		{"italian billing", []string{"Mi avete addebitato due volte lo stesso ordine"}, frontline.SeverityBillingError},
		{"polish delivery", []string{"Paczka nie dotarła, gdzie jest moja paczka?"}, frontline.SeverityDelivery},
		{"swedish cancellation", []string{"Jag vill avsluta mitt abonnemang"}, frontline.SeverityCancellation},
		{"turkish security", []string{"Hesabım hacklendi, ben yapmadım bu siparişi"}, frontline.SeveritySecurity},
		{"indonesian outage", []string{"Aplikasi tidak bisa dibuka dari tadi pagi"}, frontline.SeverityOutage},
		{"japanese delivery", []string{"注文した商品がまだ届いていません"}, frontline.SeverityDelivery},
		{"arabic legal", []string{"سأرفع دعوى قضائية ضدكم عبر محامي"}, frontline.SeverityLegal},
		{"italian question", []string{"Quanto costa la spedizione in Italia?"}, frontline.SeverityNone},
		{"spanish cancellation", []string{"Quiero darme de baja de la suscripción"}, frontline.SeverityCancellation},
		{"french billing", []string{"J'ai été débité deux fois ce mois-ci"}, frontline.SeverityBillingError},
		{"french security", []string{"Mon compte a été piraté"}, frontline.SeveritySecurity},
		{"german outage", []string{"Die Seite lädt nicht, seit heute früh"}, frontline.SeverityOutage},
		{"german privacy", []string{"Bitte meine Daten löschen"}, frontline.SeverityPrivacy},
		{"portuguese delivery", []string{"Meu pedido não chegou"}, frontline.SeverityDelivery},
		{"dutch billing", []string{"Ik ben dubbel afgeschreven"}, frontline.SeverityBillingError},
		{"dutch legal", []string{"Ik schakel een advocaat in"}, frontline.SeverityLegal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := d.Detect(tt.turns)
			if got.Severity != tt.want {
				t.Errorf("Detect(%q).Severity = %s, want %s; signals %+v", tt.turns, got.Severity, tt.want, got.Signals)
			}
		})
	}
}

func TestRepetition(t *testing.T) {
	t.Parallel()
	d := setup(t)
	tests := []struct {
		name  string
		turns []string
		want  bool
	}{
		{"same question", []string{"How do I change my billing address?", "ok but how do I change the billing address"}, true},
		{"says so", []string{"Where are my invoices?", "As I said, the invoices page is empty"}, true},
		{"different questions", []string{"What's your return policy?", "Do you ship to Norway?"}, false},
		{"one turn", []string{"How do I change my billing address?"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := d.Detect(tt.turns); got.Repeated != tt.want {
				t.Errorf("Detect(%q).Repeated = %v, want %v", tt.turns, got.Repeated, tt.want)
			}
		})
	}
}

// Every signal must quote the customer's exact words and name its rule.
func TestEvidenceQuotesTheCustomer(t *testing.T) {
	t.Parallel()
	d := setup(t)
	turns := []string{"Hola, quiero HABLAR con un agente", "¡Es la TERCERA vez que pregunto! Me cobraron dos veces."}
	got := d.Detect(turns)
	if !got.Frustrated || !got.HumanRequest || got.Severity != frontline.SeverityBillingError {
		t.Fatalf("Detect = %+v, want frustrated, human request, billing_error", got)
	}
	for _, s := range got.Signals {
		if s.Reason == "" || s.Confidence <= 0 || s.Confidence > 1 || len(s.Evidence) == 0 {
			t.Errorf("signal %s lacks reason, confidence or evidence: %+v", s.Kind, s)
		}
		for _, e := range s.Evidence {
			if e.Turn < 0 || e.Turn >= len(turns) || !strings.Contains(turns[e.Turn], e.Text) || e.Rule == "" {
				t.Errorf("signal %s: evidence %+v is not an exact quote with a rule", s.Kind, e)
			}
		}
	}
}

func TestOddInputIsHarmless(t *testing.T) {
	t.Parallel()
	d := setup(t)
	inputs := [][]string{
		nil,
		{""},
		{"\xff\xfe\xfd"},
		{strings.Repeat("a", 10000)},
		{strings.Repeat("NO ", 3000)},
		{"مرحبا، لم يصل طلبي بعد"},
		{"🙂🙂🙂"},
		{strings.Repeat("why??? ", 2000)},
	}
	for _, in := range inputs {
		got := d.Detect(in)
		if got.Severity == "" {
			t.Errorf("Detect(%.20q) has empty severity, want none at least", in)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("yaml override keeps other defaults", func(t *testing.T) {
		p := write("a.yaml", "learned:\n  off: true\nfrustration:\n  threshold: 5\n")
		cfg, err := signal.LoadConfig(p)
		if err != nil {
			t.Fatalf("LoadConfig: %v", err)
		}
		if cfg.Frustration.Threshold != 5 || len(cfg.HumanRequest.Cues) == 0 {
			t.Errorf("got threshold %v and %d human cues, want 5 and the defaults", cfg.Frustration.Threshold, len(cfg.HumanRequest.Cues))
		}
		d, err := signal.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if d.Detect([]string{"this is useless"}).Frustrated {
			t.Error("a raised threshold did not take effect")
		}
	})
	t.Run("json operator adds a cue", func(t *testing.T) {
		p := write("b.json", `{"human_request": {"cues": [{"name": "wants_boss", "weight": 1, "phrases": ["big boss"]}]}}`)
		cfg, err := signal.LoadConfig(p)
		if err != nil {
			t.Fatalf("LoadConfig: %v", err)
		}
		d, _ := signal.New(cfg)
		got := d.Detect([]string{"get me the BIG boss"})
		if !got.HumanRequest || !hasRule(got, frontline.SignalHumanRequest, "wants_boss") {
			t.Errorf("operator cue did not fire with its name: %+v", got)
		}
	})
	t.Run("round trip of defaults", func(t *testing.T) {
		y, err := signal.DefaultConfig().YAML()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := signal.LoadConfig(write("c.yaml", string(y))); err != nil {
			t.Errorf("defaults written as YAML do not load: %v", err)
		}
	})
	for _, bad := range []struct{ name, body, wantErr string }{
		{"unknown key", "frustration:\n  treshold: 1\n", "treshold"},
		{"bad pattern", "repetition:\n  cues: [{name: x, patterns: ['(']}]\n", "repetition.cues[0]"},
		{"unknown topic", "severity:\n  topics: [{topic: weather, cues: [{name: x, phrases: [rain]}]}]\n", "weather"},
		{"nameless cue", "frustration:\n  cues: [{weight: 1, phrases: [bad]}]\n", "no name"},
		{"near with one group", "frustration:\n  cues: [{name: lonely, weight: 1, near: [[a, b]]}]\n", "at least two groups"},
		{"near with an empty group", "frustration:\n  cues: [{name: hollow, weight: 1, near: [[a], []]}]\n", "group 1 is empty"},
		{"near phrase without words", "frustration:\n  cues: [{name: marks, weight: 1, near: [[a], ['!!']]}]\n", "no words"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := signal.LoadConfig(write(bad.name+".yaml", bad.body))
			if err == nil || !strings.Contains(err.Error(), bad.wantErr) || !strings.Contains(err.Error(), bad.name+".yaml") {
				t.Errorf("LoadConfig error = %v, want one naming the file and %q", err, bad.wantErr)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		if _, err := signal.LoadConfig(filepath.Join(dir, "nope.yaml")); err == nil {
			t.Error("want an error for a missing file")
		}
	})
}

func FuzzDetect(f *testing.F) {
	f.Add("I want to talk to a human!!", "my card was stolen")
	f.Add("WHERE IS MY ORDER", "nvm")
	d, err := signal.New(signal.DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got := d.Detect([]string{a, b})
		for _, s := range got.Signals {
			for _, e := range s.Evidence {
				if e.Turn < 0 || e.Turn > 1 {
					t.Fatalf("evidence turn %d out of range", e.Turn)
				}
			}
		}
	})
}

// BenchmarkDetect measures the default detector (learned models and cues)
// on one conversation of up to four turns per call, as the bot calls it for
// each customer message, and reports p50 and p99 per message. Messages in
// the labelled sets are at most about 450 bytes; see also
// BenchmarkDetectDevSet.
func BenchmarkDetect(b *testing.B) {
	d, err := signal.New(signal.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	convs := [][]string{
		{"Hi, my order #100455 still hasn't arrived and the tracking page shows nothing since last week.",
			"I already asked this yesterday. Where is my parcel?",
			"This is the third time I ask!! Can I please talk to a real person?"},
		{"How do I change my delivery address?"},
		{"Dear team, I noticed two charges of €49.90 on my statement this month for the same subscription, although I only have one account. " +
			"I have attached the bank statement. Could you please look into this and refund the duplicate payment as soon as possible? Kind regards, Ana"},
		{"la app no funciona desde ayer", "sigo sin poder entrar, quiero hablar con alguien"},
		{"ok"},
		{"Good afternoon. I am writing because the washing machine I ordered three weeks ago was meant to be delivered last Thursday. " +
			"Nobody came, the tracking page has said 'out for delivery' for six days, and when I rang the courier they told me to contact you. " +
			"I took a day off work to wait for it. Could you please tell me where it is and when it will arrive? Many thanks."},
	}
	lat := make([]time.Duration, 0, 1<<16)
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		d.Detect(convs[i%len(convs)])
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkDetectDevSet runs the default detector over the conversations of
// the escalation dev set (read from the shared data, never copied) and
// reports p50 and p99 per conversation.
func BenchmarkDetectDevSet(b *testing.B) {
	path := shareddata.Path(b, "escalation/dev.jsonl")
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	cases, err := escalationeval.ReadCases(f, path)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  signal.Config
	}{{"learned", signal.DefaultConfig()}, {"cues", cuesOnly()}} {
		b.Run(tc.name, func(b *testing.B) {
			d, err := signal.New(tc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, 1<<16)
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				d.Detect(cases[i%len(cases)].Turns)
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
