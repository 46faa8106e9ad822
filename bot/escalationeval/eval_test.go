package escalationeval_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/bot/escalationeval"
	"github.com/frontlinehq/frontline/bot/guard"
	"github.com/frontlinehq/frontline/bot/signal"
	"github.com/frontlinehq/frontline/internal/shareddata"
)

// setup uses the cues alone (the learned models off): these tests check the
// eval's arithmetic, which needs predictions that stay put.
func setup(t testing.TB) (*guard.Guard, *signal.Detector) {
	t.Helper()
	cfg := signal.DefaultConfig()
	cfg.Learned.Off = true
	d, err := signal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return guard.New(guard.Config{}), d
}

func mustRead(t testing.TB, jsonl string) []escalationeval.Case {
	t.Helper()
	cases, err := escalationeval.ReadCases(strings.NewReader(jsonl), "test.jsonl")
	if err != nil {
		t.Fatalf("ReadCases: %v", err)
	}
	return cases
}

// Masking must leave no labelled private string in clear on the dev set.
func TestDevSetLeaksNothing(t *testing.T) {
	t.Parallel()
	devSet := shareddata.Path(t, "escalation/dev.jsonl")
	f, err := os.Open(devSet)
	if err != nil {
		t.Fatalf("the escalation dev set is missing: %v", err)
	}
	defer f.Close()
	cases, err := escalationeval.ReadCases(f, devSet)
	if err != nil {
		t.Fatal(err)
	}
	g, d := setup(t)
	rep := escalationeval.Run(cases, g, d)
	if rep.Cases != len(cases) || rep.Cases == 0 {
		t.Fatalf("ran %d of %d cases", rep.Cases, len(cases))
	}
	if rep.PIILeaks != 0 {
		for _, m := range rep.Misses {
			for _, p := range m.Problems {
				if strings.HasPrefix(p, "leaked") {
					t.Errorf("%s: %s", m.ID, p)
				}
			}
		}
		t.Fatalf("pii leaks = %d, want 0", rep.PIILeaks)
	}
}

func TestRunScores(t *testing.T) {
	t.Parallel()
	g, d := setup(t)
	cases := mustRead(t, `
{"id":"t1","turns":["I want to talk to a person"],"frustration":false,"human_request":true,"severity":"none","pii":[]}
{"id":"t2","turns":["this is useless!!! my parcel never arrived"],"frustration":true,"human_request":false,"severity":"delivery","pii":[]}
{"id":"t3","turns":["what are your opening hours? mail me at a.b@example.com"],"frustration":false,"human_request":false,"severity":"none","pii":["a.b@example.com"]}
{"id":"t4","turns":["order #100455 is fine, thanks"],"frustration":true,"human_request":false,"severity":"none","pii":[]}
{"id":"t5","turns":["call 0612345678"],"frustration":false,"human_request":false,"severity":"none","pii":[]}
`)
	rep := escalationeval.Run(cases, g, d)
	if rep.HumanRequest.Precision != 1 || rep.HumanRequest.Recall != 1 || rep.HumanRequest.F1 != 1 {
		t.Errorf("human_request = %+v, want perfect", rep.HumanRequest)
	}
	// t4 is labelled frustrated but is not: recall 1/2.
	if rep.Frustration.Recall != 0.5 || rep.Frustration.Precision != 1 {
		t.Errorf("frustration = %+v, want precision 1, recall 0.5", rep.Frustration)
	}
	if rep.PIILeaks != 0 {
		t.Errorf("pii leaks = %d, want 0", rep.PIILeaks)
	}
	// t5's phone is masked but not labelled: one over-masked span.
	if rep.PIIOvermasked != 1 {
		t.Errorf("over-masked = %d, want 1", rep.PIIOvermasked)
	}
	if want := []string{"t4", "t5"}; !slices.Equal(rep.Misclassified, want) {
		t.Errorf("misclassified = %v, want %v", rep.Misclassified, want)
	}
	if rep.HandoffAccuracy != 0.8 {
		t.Errorf("hand-off accuracy = %v, want 0.8", rep.HandoffAccuracy)
	}
	if rep.SeverityMacroF1 != 1 {
		t.Errorf("severity macro-F1 = %v, want 1", rep.SeverityMacroF1)
	}
}

func TestRunCountsLeaks(t *testing.T) {
	t.Parallel()
	g, d := setup(t)
	// A label the guard cannot know about counts as a leak.
	cases := mustRead(t, `{"id":"x1","turns":["my nickname is bluebird"],"frustration":false,"human_request":false,"severity":"none","pii":["bluebird"]}`)
	if rep := escalationeval.Run(cases, g, d); rep.PIILeaks != 1 {
		t.Errorf("pii leaks = %d, want 1", rep.PIILeaks)
	}
}

func TestReadCasesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"bad json", "{\"id\":\"a\",", "test.jsonl:1"},
		{"unknown key", `{"id":"a","turns":["x"],"severity":"none","pii":[],"mood":1}`, "mood"},
		{"no turns", `{"id":"a","turns":[],"severity":"none","pii":[]}`, "turns is empty"},
		{"bad severity", `{"id":"a","turns":["x"],"severity":"weather","pii":[]}`, "weather"},
		{"duplicate id", "{\"id\":\"a\",\"turns\":[\"x\"],\"severity\":\"none\",\"pii\":[]}\n{\"id\":\"a\",\"turns\":[\"y\"],\"severity\":\"none\",\"pii\":[]}", "test.jsonl:2"},
		{"empty file", "\n\n", "no conversations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := escalationeval.ReadCases(strings.NewReader(tt.in), "test.jsonl")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadCases error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSubset(t *testing.T) {
	t.Parallel()
	cases := mustRead(t, `
{"id":"d001","turns":["a"],"severity":"none","pii":[]}
{"id":"d002","turns":["b"],"severity":"none","pii":[]}
{"id":"d003","turns":["c"],"severity":"none","pii":[]}
`)
	for _, tt := range []struct {
		which string
		want  []string
	}{{"odd", []string{"d001", "d003"}}, {"even", []string{"d002"}}, {"all", []string{"d001", "d002", "d003"}}} {
		got, err := escalationeval.Subset(cases, tt.which)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("Subset(%s) = %v, want %v", tt.which, ids, tt.want)
		}
	}
	if _, err := escalationeval.Subset(cases, "third"); err == nil {
		t.Error("want an error for an unknown subset")
	}
}

func TestReportOutputs(t *testing.T) {
	t.Parallel()
	g, d := setup(t)
	rep := escalationeval.Run(mustRead(t, `{"id":"t1","turns":["get me a human"],"frustration":false,"human_request":true,"severity":"none","pii":[]}`), g, d)
	var text, js strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"frustration"`, `"human_request"`, `"precision"`, `"recall"`, `"f1"`, `"severity_macro_f1"`, `"handoff_accuracy"`, `"pii_leaks"`, `"pii_overmasked"`, `"misclassified"`} {
		if !strings.Contains(js.String(), key) {
			t.Errorf("JSON lacks %s: %s", key, js.String())
		}
	}
	for _, want := range []string{"human_request", "hand-off accuracy", "pii leaks"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		turns []string
		want  string
	}{
		{[]string{"Hi, where is my parcel? It was due on Monday."}, "en"},
		{[]string{"Hola, mi pedido no ha llegado y ya pasó una semana"}, "es"},
		{[]string{"Bonjour, je n'ai pas reçu ma commande et vous ne répondez pas"}, "fr"},
		{[]string{"Hallo, ich habe meine Bestellung nicht bekommen und das ist nicht gut"}, "de"},
		{[]string{"Olá, o meu pedido não chegou e já é a segunda vez"}, "pt"},
		{[]string{"Buongiorno, il mio ordine non è arrivato e sono molto deluso"}, "it"},
		{[]string{"Hallo, mijn pakket is niet aangekomen en ik heb het al gevraagd"}, "nl"},
		{[]string{"Dzień dobry, nie dostałem paczki i nikt nie odpowiada"}, "pl"},
		{[]string{"Hej, jag har inte fått mitt paket och det är för sent"}, "sv"},
		{[]string{"Merhaba, siparişim gelmedi ve bu çok kötü bir durum"}, "tr"},
		{[]string{"Halo, pesanan saya belum sampai dan saya tidak bisa melacak"}, "id"},
		{[]string{"Mera order abhi tak nahi aaya hai, kya aap check kar sakte ho"}, "hi"},
		{[]string{"طلبي لم يصل بعد، أرجو المساعدة"}, "ar"},
		{[]string{"注文した商品がまだ届いていません。確認してください。"}, "ja"},
		{[]string{"ok"}, "en"},
	}
	for _, tt := range tests {
		if got := escalationeval.Language(tt.turns); got != tt.want {
			t.Errorf("Language(%q) = %s, want %s", tt.turns, got, tt.want)
		}
	}
}

// The report scores each language with enough conversations on its own,
// English first, and puts the rest together as "other".
func TestRunReportsLanguages(t *testing.T) {
	t.Parallel()
	g, d := setup(t)
	var b strings.Builder
	for i := range escalationeval.MinLanguageCases {
		fmt.Fprintf(&b, `{"id":"e%d","turns":["I want to talk to a person about my parcel"],"frustration":false,"human_request":true,"severity":"none","pii":[]}`+"\n", i)
		fmt.Fprintf(&b, `{"id":"s%d","turns":["Quiero hablar con una persona, por favor"],"frustration":false,"human_request":false,"severity":"none","pii":[]}`+"\n", i)
	}
	b.WriteString(`{"id":"f1","turns":["Je voudrais parler à un conseiller"],"frustration":false,"human_request":true,"severity":"none","pii":[]}` + "\n")
	rep := escalationeval.Run(mustRead(t, b.String()), g, d)
	var got []string
	for _, l := range rep.Languages {
		got = append(got, fmt.Sprintf("%s:%d", l.Language, l.Cases))
	}
	if want := []string{"en:10", "es:10", "other:1"}; !slices.Equal(got, want) {
		t.Fatalf("languages = %v, want %v", got, want)
	}
	// Spanish asks for a person but is labelled no: human-request F1 0
	// there, 1 in English.
	if rep.Languages[0].HumanRequestF1 != 1 || rep.Languages[1].HumanRequestF1 != 0 {
		t.Errorf("per-language human-request F1 = %v / %v, want 1 / 0", rep.Languages[0].HumanRequestF1, rep.Languages[1].HumanRequestF1)
	}
	var out strings.Builder
	if err := rep.WriteText(&out); err != nil || !strings.Contains(out.String(), "per language") {
		t.Errorf("text report lacks the per-language table: %v", err)
	}
}
