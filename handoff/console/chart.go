package console

import (
	"bytes"
	"fmt"
	"html"
	"maps"
	"math"
	"slices"

	"github.com/frontlinehq/frontline/handoff"
)

// charts are the SVG charts the reports page shows, drawn by the server
// from the report (no script, nothing from another origin).
var charts = map[string]func(*handoff.Report) []byte{
	"reasons.svg": func(r *handoff.Report) []byte {
		return stacked(r, "Hand-offs by reason per day", func(d handoff.ReportDay) map[string]int { return d.ByReason }, reasonColors)
	},
	"severity.svg": func(r *handoff.Report) []byte {
		return stacked(r, "Hand-offs by severity per day", func(d handoff.ReportDay) map[string]int { return d.BySeverity }, severityColors)
	},
	"times.svg": func(r *handoff.Report) []byte {
		return hbars("Response and resolution times", []bar{
			{"First response p50", r.FirstResponse.P50, duration(r.FirstResponse.P50), "#4dabf7"},
			{"First response p90", r.FirstResponse.P90, duration(r.FirstResponse.P90), "#1c7ed6"},
			{"Resolution p50", r.Resolution.P50, duration(r.Resolution.P50), "#69db7c"},
			{"Resolution p90", r.Resolution.P90, duration(r.Resolution.P90), "#2f9e44"},
		})
	},
	"csat.svg": func(r *handoff.Report) []byte {
		var bars []bar
		colors := []string{"#e03131", "#f76707", "#fab005", "#82c91e", "#2f9e44"}
		for i := 4; i >= 0; i-- {
			bars = append(bars, bar{fmt.Sprintf("%d of 5", i+1), float64(r.CSAT.Ratings[i]), fmt.Sprint(r.CSAT.Ratings[i]), colors[i]})
		}
		return hbars(fmt.Sprintf("CSAT: %d ratings, average %.1f", r.CSAT.Count, r.CSAT.Average), bars)
	},
	"sla.svg": func(r *handoff.Report) []byte {
		var bars []bar
		for _, t := range []string{handoff.TargetFirstResponse, handoff.TargetNextResponse, handoff.TargetResolution} {
			bars = append(bars, bar{label(t), float64(r.SLABreaches[t]), fmt.Sprint(r.SLABreaches[t]), "#e03131"})
		}
		return hbars("SLA breaches by target", bars)
	},
	"deflection.svg": func(r *handoff.Report) []byte {
		return hbars(fmt.Sprintf("Bot deflection: %.0f%% of %d conversations", r.DeflectionRate*100, r.Conversations), []bar{
			{"Answered by the bot", float64(r.Deflected), fmt.Sprint(r.Deflected), "#2f9e44"},
			{"Handed to a person", float64(r.Conversations - r.Deflected), fmt.Sprint(r.Conversations - r.Deflected), "#f76707"},
		})
	},
}

var reasonColors = map[string]string{
	"frustration": "#e8590c", "human_request": "#1c7ed6", "severity": "#c92a2a", "repetition": "#f59f00",
	"bot_loop": "#7048e8", "private_data": "#495057", handoff.ReasonNoAnswer: "#868e96",
}

var severityColors = map[string]string{
	"security": "#c92a2a", "legal": "#862e9c", "outage": "#e8590c", "billing_error": "#f59f00",
	"privacy": "#495057", "delivery": "#1c7ed6", "cancellation": "#0ca678", "none": "#adb5bd",
}

// label makes a key readable: "human_request" → "human request".
func label(k string) string {
	b := []byte(k)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}

func duration(sec float64) string {
	switch {
	case sec == 0:
		return "—"
	case sec < 90:
		return fmt.Sprintf("%.0f s", sec)
	case sec < 90*60:
		return fmt.Sprintf("%.1f min", sec/60)
	default:
		return fmt.Sprintf("%.1f h", sec/3600)
	}
}

const (
	chartW    = 640
	chartFont = `font-family="system-ui, sans-serif" font-size="12" fill="#212529"`
)

func esc(s string) string { return html.EscapeString(s) }

// stacked draws one stacked bar per day with a legend of the keys seen.
func stacked(r *handoff.Report, title string, of func(handoff.ReportDay) map[string]int, colors map[string]string) []byte {
	keys := map[string]bool{}
	top := 0
	for _, d := range r.Days {
		total := 0
		for k, n := range of(d) {
			keys[k] = keys[k] || n > 0
			total += n
		}
		top = max(top, total)
	}
	names := slices.Sorted(maps.Keys(keys))
	const left, plotTop, plotH, legendRow = 36, 34, 170, 18
	legendRows := (len(names) + 3) / 4
	h := plotTop + plotH + 40 + legendRows*legendRow
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" %s>`, chartW, h, chartW, h, esc(title), chartFont)
	fmt.Fprintf(&b, `<title>%s</title><text x="0" y="16" font-size="14" font-weight="600">%s</text>`, esc(title), esc(title))
	scale := niceMax(top)
	for i := 0; i <= 4; i++ {
		v := scale * i / 4
		y := plotTop + plotH - plotH*i/4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#dee2e6"/><text x="%d" y="%d" text-anchor="end" fill="#495057">%d</text>`, left, chartW, y, y, left-6, y+4, v)
	}
	n := max(len(r.Days), 1)
	slot := float64(chartW-left) / float64(n)
	bw := math.Max(math.Min(slot*0.7, 48), 2)
	for i, d := range r.Days {
		x := float64(left) + slot*float64(i) + (slot-bw)/2
		y := float64(plotTop + plotH)
		counts := of(d)
		for _, k := range names {
			c := counts[k]
			if c == 0 {
				continue
			}
			hh := float64(plotH) * float64(c) / float64(scale)
			y -= hh
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d %s</title></rect>`, x, y, bw, hh, color(colors, k), esc(d.Day), c, esc(label(k)))
		}
		if n <= 16 || i%((n+15)/16) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#495057">%s</text>`, x+bw/2, plotTop+plotH+16, esc(d.Day[5:]))
		}
	}
	for i, k := range names {
		x := (i % 4) * (chartW / 4)
		y := plotTop + plotH + 34 + (i/4)*legendRow
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`, x, y-10, color(colors, k), x+18, y, esc(label(k)))
	}
	if len(names) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#868e96">no hand-offs in this period</text>`, chartW/2, plotTop+plotH/2)
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

type bar struct {
	label string
	value float64
	text  string
	color string
}

// hbars draws labelled horizontal bars.
func hbars(title string, bars []bar) []byte {
	const left, rowH, top = 150, 26, 30
	h := top + rowH*len(bars) + 8
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" %s>`, chartW, h, chartW, h, esc(title), chartFont)
	fmt.Fprintf(&b, `<title>%s</title><text x="0" y="16" font-size="14" font-weight="600">%s</text>`, esc(title), esc(title))
	top1 := 0.0
	for _, x := range bars {
		top1 = math.Max(top1, x.value)
	}
	for i, x := range bars {
		y := top + i*rowH
		w := 0.0
		if top1 > 0 {
			w = (chartW - left - 90) * x.value / top1
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+15, esc(x.label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="18" fill="%s"/>`, left, y+2, w, x.color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#495057">%s</text>`, float64(left)+w+6, y+15, esc(x.text))
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

func color(colors map[string]string, k string) string {
	if c, ok := colors[k]; ok {
		return c
	}
	return "#adb5bd"
}

// niceMax rounds a maximum up to a scale divisible by 4.
func niceMax(n int) int {
	if n <= 4 {
		return 4
	}
	step := 1
	for n > step*4*10 {
		step *= 10
	}
	return (n + step*4 - 1) / (step * 4) * step * 4
}
