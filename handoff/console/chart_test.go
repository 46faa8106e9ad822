package console

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline/handoff"
)

// Every chart is well-formed SVG, and keys from the log are text in it.
func TestChartsAreWellFormedAndEscape(t *testing.T) {
	t.Parallel()
	f := handoff.ReportFilter{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)}
	if err := handoff.ValidateReportFilter(&f); err != nil {
		t.Fatal(err)
	}
	rep := handoff.NewReport(f)
	rep.CountHandoff("2026-03-03", `<script>alert(1)</script>`, []string{`"><img src=x onerror=alert(1)>`})
	rep.CSAT.Ratings[4] = 1
	rep.Finish()
	for name, draw := range charts {
		svg := string(draw(rep))
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s is not well-formed: %v", name, err)
		}
		if strings.Contains(svg, "<script") || strings.Contains(svg, "<img") {
			t.Errorf("%s carries markup from the log: %s", name, svg)
		}
	}
}

func TestExcerptAndDefuse(t *testing.T) {
	t.Parallel()
	md := "# Title\n\nFirst **bold** [link](http://x) text.\n\n| a | b |\n\nSecond paragraph."
	if got, want := excerpt(md, 280), "First bold link text. Second paragraph."; got != want {
		t.Errorf("excerpt = %q, want %q", got, want)
	}
	if got := excerpt(strings.Repeat("word ", 100), 20); len([]rune(got)) != 20 || !strings.HasSuffix(got, "…") {
		t.Errorf("cut excerpt = %q", got)
	}
	for in, want := range map[string]string{"=1+1": "'=1+1", "+x": "'+x", "@x": "'@x", "-1": "'-1", "fine": "fine", "": ""} {
		if got := defuse(in); got != want {
			t.Errorf("defuse(%q) = %q, want %q", in, got, want)
		}
	}
}
