package kb_test

import (
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/kb"
)

func TestRenderMarkdownNeverRunsScript(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, md  string
		want      string
		forbidden []string
	}{
		{"formatting", "## Title\n\n**bold** and [link](https://example.com)", "<strong>bold</strong>", nil},
		{"raw script", "hi <script>alert(1)</script>", "hi", []string{"<script", "alert(1)</script>"}},
		{"event handler", `<img src="x" onerror="alert(1)">`, "", []string{"onerror"}},
		{"javascript link", "[click](javascript:alert(1))", "click", []string{"javascript:"}},
		{"malformed", "**unclosed [link( <b>", "unclosed", []string{"<b>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(kb.RenderMarkdown(tt.md))
			if !strings.Contains(got, tt.want) {
				t.Errorf("RenderMarkdown(%q) = %q, want it to contain %q", tt.md, got, tt.want)
			}
			for _, f := range tt.forbidden {
				if strings.Contains(got, f) {
					t.Errorf("RenderMarkdown(%q) = %q contains %q", tt.md, got, f)
				}
			}
		})
	}
}

func TestChunk(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("This sentence is about refunds. ", 60)
	tests := []struct {
		name       string
		body       string
		wantChunks int
		wantHead   []string
	}{
		{"empty body gives the title", "", 1, []string{""}},
		{"one chunk per heading", "Intro text.\n\n## Refunds\n\nMoney back.\n\n### Timing\n\nFive days.", 3, []string{"", "Refunds", "Timing"}},
		{"headings in code fences are text", "```\n# not a heading\n```\n\nAfter.", 1, []string{""}},
		{"long section split at sentences", "## Long\n\n" + long, 3, []string{"Long", "Long", "Long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := kb.Chunk("Refund policy", tt.body, 700)
			if len(got) != tt.wantChunks {
				t.Fatalf("%d chunks, want %d: %+v", len(got), tt.wantChunks, got)
			}
			for i, p := range got {
				if p.Heading != tt.wantHead[i] {
					t.Errorf("chunk %d heading = %q, want %q", i, p.Heading, tt.wantHead[i])
				}
				if !strings.HasPrefix(p.IndexText, "Refund policy") {
					t.Errorf("chunk %d index text %q does not carry the title", i, p.IndexText)
				}
				if n := len([]rune(p.Text)); n > 700 {
					t.Errorf("chunk %d has %d runes, want ≤ 700", i, n)
				}
				if strings.HasSuffix(p.Text, "refu") {
					t.Errorf("chunk %d cut mid-word: %q", i, p.Text[len(p.Text)-20:])
				}
			}
		})
	}
}

func TestOfflineEmbedder(t *testing.T) {
	t.Parallel()
	e := kb.NewOfflineEmbedder(kb.OfflineOptions{Dimension: 256})
	e.Fit([]kb.FitDoc{{Text: "reset your password"}, {Text: "refund your order"}, {Text: "track your parcel"}})
	vecs, err := e.Embed(t.Context(), []string{"how do I reset my password", "resetting passwords", "refunds for orders", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs[0]) != 256 {
		t.Fatalf("dimension = %d, want 256", len(vecs[0]))
	}
	if s1, s2 := kb.Cosine(vecs[0], vecs[1]), kb.Cosine(vecs[0], vecs[2]); s1 <= s2 {
		t.Errorf("cos(password, passwords) = %.3f ≤ cos(password, refunds) = %.3f", s1, s2)
	}
	if kb.Cosine(vecs[3], vecs[0]) != 0 {
		t.Errorf("empty text is not the zero vector")
	}
	state, err := e.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	other := kb.NewOfflineEmbedder(kb.OfflineOptions{Dimension: 256})
	if err := other.UnmarshalState(state); err != nil {
		t.Fatal(err)
	}
	again, _ := other.Embed(t.Context(), []string{"how do I reset my password"})
	if kb.Cosine(again[0], vecs[0]) < 0.999999 {
		t.Errorf("restored state embeds differently")
	}
	if err := other.UnmarshalState([]byte("junk")); err == nil {
		t.Errorf("UnmarshalState(junk) = nil, want an error")
	}
}
