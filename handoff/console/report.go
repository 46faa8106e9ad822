package console

import (
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

// defaultReportDays is the period of a report without from and to: the
// last week, today included.
const defaultReportDays = 7

// reportFilter reads ?from=YYYY-MM-DD&to=YYYY-MM-DD&tz=Zone: whole days,
// both included, in the zone (UTC by default).
func (h *handler) reportFilter(r *http.Request) (handoff.ReportFilter, error) {
	q := r.URL.Query()
	loc := time.UTC
	if tz := q.Get("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return handoff.ReportFilter{}, frontline.Errorf(frontline.EInvalid, "tz: %q is not a known time zone", tz)
		}
		loc = l
	}
	now := h.opts.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from, to := today.AddDate(0, 0, 1-defaultReportDays), today
	for name, p := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := q.Get(name); v != "" {
			d, err := time.ParseInLocation(time.DateOnly, v, loc)
			if err != nil {
				return handoff.ReportFilter{}, frontline.Errorf(frontline.EInvalid, "%s: %q is not YYYY-MM-DD", name, v)
			}
			*p = d
		}
	}
	f := handoff.ReportFilter{From: from, To: to.AddDate(0, 0, 1), Location: loc}
	if v := q.Get("questions"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, frontline.Errorf(frontline.EInvalid, "questions: %q is not a number", v)
		}
		f.Questions = n
	}
	return f, handoff.ValidateReportFilter(&f)
}

func (h *handler) compute(r *http.Request) (*handoff.Report, error) {
	f, err := h.reportFilter(r)
	if err != nil {
		return nil, err
	}
	return h.d.Reports.Report(r.Context(), f)
}

// reportAnswer is the JSON report with the link to the KB editor.
type reportAnswer struct {
	*handoff.Report
	EditorURL string `json:"editor_url"`
}

func (h *handler) report(w http.ResponseWriter, r *http.Request) {
	rep, err := h.compute(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.json(w, r, http.StatusOK, reportAnswer{Report: rep, EditorURL: h.opts.EditorPath + "#unanswered"}, nil)
}

// reportCSV exports the report in long form, one figure a row
// (day,metric,value; day empty for the period's totals), which every
// spreadsheet pivots.
func (h *handler) reportCSV(w http.ResponseWriter, r *http.Request) {
	rep, err := h.compute(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="frontline-report-%s-%s.csv"`,
		rep.From.In(locOf(rep)).Format(time.DateOnly), rep.To.In(locOf(rep)).AddDate(0, 0, -1).Format(time.DateOnly)))
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	row := func(day, metric string, v any) { _ = cw.Write([]string{day, metric, fmt.Sprint(v)}) }
	_ = cw.Write([]string{"day", "metric", "value"})
	for _, d := range rep.Days {
		row(d.Day, "handoffs", d.Handoffs)
		for _, k := range slices.Sorted(maps.Keys(d.ByReason)) {
			row(d.Day, "reason:"+k, d.ByReason[k])
		}
		for _, k := range slices.Sorted(maps.Keys(d.BySeverity)) {
			row(d.Day, "severity:"+k, d.BySeverity[k])
		}
	}
	row("", "handoffs", rep.Handoffs)
	row("", "first_response_count", rep.FirstResponse.Count)
	row("", "first_response_p50_seconds", round(rep.FirstResponse.P50))
	row("", "first_response_p90_seconds", round(rep.FirstResponse.P90))
	row("", "resolution_count", rep.Resolution.Count)
	row("", "resolution_p50_seconds", round(rep.Resolution.P50))
	row("", "resolution_p90_seconds", round(rep.Resolution.P90))
	for _, k := range slices.Sorted(maps.Keys(rep.SLABreaches)) {
		row("", "sla_breaches:"+k, rep.SLABreaches[k])
	}
	row("", "csat_count", rep.CSAT.Count)
	row("", "csat_average", round(rep.CSAT.Average))
	row("", "csat_satisfied_share", round(rep.CSAT.Satisfied))
	for i, n := range rep.CSAT.Ratings {
		row("", fmt.Sprintf("csat_rating:%d", i+1), n)
	}
	row("", "conversations", rep.Conversations)
	row("", "deflected", rep.Deflected)
	row("", "deflection_rate", round(rep.DeflectionRate))
	for _, q := range rep.Unanswered {
		// A question is the customer's text: a leading =, +, - or @ would
		// be a formula to a spreadsheet.
		row("", "unanswered:"+defuse(q.Question), q.Count)
	}
	cw.Flush()
}

func locOf(rep *handoff.Report) *time.Location {
	if l, err := time.LoadLocation(rep.TimeZone); err == nil {
		return l
	}
	return time.UTC
}

func round(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// defuse keeps a spreadsheet from reading customer text as a formula.
func defuse(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

func (h *handler) chart(w http.ResponseWriter, r *http.Request) {
	draw, ok := charts[r.PathValue("name")]
	if !ok {
		h.fail(w, r, frontline.Errorf(frontline.ENotFound, "no chart %q", r.PathValue("name")))
		return
	}
	rep, err := h.compute(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(draw(rep))
}
