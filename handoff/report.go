package handoff

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/frontlinehq/frontline"
)

// ReportFilter selects the period of a report: [From, To), bucketed by
// day in Location (UTC when nil).
type ReportFilter struct {
	From, To time.Time
	Location *time.Location
	// Questions bounds the unanswered questions listed (default 10).
	Questions int
}

// Report is what the reports page shows for a period. Every figure is
// derived from the conversation log: its events (hand-offs, signals,
// claims, resolutions, SLA breaches, CSAT ratings, the bot's searches)
// and its messages (the agents' replies).
type Report struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	TimeZone string    `json:"time_zone"`
	// Days has one row per day of the period, oldest first, days without
	// hand-offs included.
	Days []ReportDay `json:"days"`
	// Handoffs is how many hand-offs happened in the period; ByReason and
	// BySeverity split them (a hand-off with two reasons counts in both).
	Handoffs   int            `json:"handoffs"`
	ByReason   map[string]int `json:"by_reason"`
	BySeverity map[string]int `json:"by_severity"`
	// FirstResponse: from each hand-off in the period to the first agent
	// reply after it; Resolution: to the resolution after it.
	FirstResponse Durations `json:"first_response"`
	Resolution    Durations `json:"resolution"`
	// SLABreaches counts the breaches in the period by target.
	SLABreaches map[string]int `json:"sla_breaches"`
	CSAT        CSATFigures    `json:"csat"`
	// Conversations started in the period; Deflected of them were never
	// handed off (the bot answered, or the customer left content).
	Conversations  int     `json:"conversations"`
	Deflected      int     `json:"deflected"`
	DeflectionRate float64 `json:"deflection_rate"`
	// Unanswered are the customer questions the bot had no confident
	// answer for, most often asked first.
	Unanswered []QuestionCount `json:"unanswered"`
}

// ReportDay is one day's hand-offs.
type ReportDay struct {
	Day        string         `json:"day"` // YYYY-MM-DD in the report's zone
	Handoffs   int            `json:"handoffs"`
	ByReason   map[string]int `json:"by_reason"`
	BySeverity map[string]int `json:"by_severity"`
}

// Durations are the 50th and 90th percentiles (continuous, interpolated
// as PostgreSQL's percentile_cont) of Count durations, in seconds.
type Durations struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_seconds"`
	P90   float64 `json:"p90_seconds"`
}

// CSATFigures are the ratings given in the period.
type CSATFigures struct {
	Count int `json:"count"`
	// Ratings[i] is how many rated i+1.
	Ratings [5]int  `json:"ratings"`
	Average float64 `json:"average"`
	// Satisfied is the share of 4 and 5 ratings.
	Satisfied float64 `json:"satisfied"`
}

// QuestionCount is one unanswered question (trimmed and lower-cased) and
// how often it was asked.
type QuestionCount struct {
	Question string    `json:"question"`
	Count    int       `json:"count"`
	LastAt   time.Time `json:"last_at"`
}

// Hand-off reasons as reports count them: the kinds of signal recorded
// before the hand-off, or ReasonNoAnswer when none was (the bot could not
// answer).
const (
	ReasonNoAnswer = "no_answer"
)

// ReportStore computes reports from the conversation log. Implementations:
// internal/postgres (in SQL) and internal/memory; internal/handofftest's
// RunReportTests holds both to the same figures.
type ReportStore interface {
	// Report computes the figures of f's period. EInvalid when To is not
	// after From, or the period is longer than MaxReportDays.
	Report(ctx context.Context, f ReportFilter) (*Report, error)
}

// MaxReportDays bounds a report's period.
const MaxReportDays = 366

// ValidateReportFilter checks f and fills its defaults; every
// ReportStore calls it.
func ValidateReportFilter(f *ReportFilter) error {
	if f.Location == nil {
		f.Location = time.UTC
	}
	if f.Questions <= 0 {
		f.Questions = 10
	}
	f.Questions = min(f.Questions, 100)
	switch {
	case f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From):
		return frontline.Errorf(frontline.EInvalid, "period: to must be after from")
	case f.To.Sub(f.From) > MaxReportDays*24*time.Hour:
		return frontline.Errorf(frontline.EInvalid, "period: at most %d days", MaxReportDays)
	}
	return nil
}

// ReportDays lists the days of f's period in its zone, for stores to fill.
func ReportDays(f ReportFilter) []ReportDay {
	var out []ReportDay
	from, to := f.From.In(f.Location), f.To.In(f.Location)
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, f.Location)
	for day.Before(to) {
		out = append(out, ReportDay{Day: day.Format(time.DateOnly), ByReason: map[string]int{}, BySeverity: map[string]int{}})
		day = day.AddDate(0, 0, 1)
	}
	return out
}

// NewReport returns an empty report of f's period (f validated), for
// stores to fill.
func NewReport(f ReportFilter) *Report {
	return &Report{From: f.From.UTC(), To: f.To.UTC(), TimeZone: f.Location.String(), Days: ReportDays(f),
		ByReason: map[string]int{}, BySeverity: map[string]int{}, SLABreaches: map[string]int{},
		Unanswered: []QuestionCount{}}
}

// CountHandoff counts one hand-off of day (YYYY-MM-DD in the report's
// zone) with its severity and the signal kinds before it (none: the bot
// had no answer, ReasonNoAnswer).
func (r *Report) CountHandoff(day, severity string, reasons []string) {
	if len(reasons) == 0 {
		reasons = []string{ReasonNoAnswer}
	}
	if severity == "" {
		severity = string(frontline.SeverityNone)
	}
	r.Handoffs++
	r.BySeverity[severity]++
	i := slices.IndexFunc(r.Days, func(d ReportDay) bool { return d.Day == day })
	if i >= 0 {
		r.Days[i].Handoffs++
		r.Days[i].BySeverity[severity]++
	}
	for _, k := range reasons {
		r.ByReason[k]++
		if i >= 0 {
			r.Days[i].ByReason[k]++
		}
	}
}

// Finish derives the shares and averages from the counts.
func (r *Report) Finish() {
	c := &r.CSAT
	c.Count = 0
	sum, happy := 0, 0
	for i, n := range c.Ratings {
		c.Count += n
		sum += (i + 1) * n
		if i >= 3 {
			happy += n
		}
	}
	if c.Count > 0 {
		c.Average = float64(sum) / float64(c.Count)
		c.Satisfied = float64(happy) / float64(c.Count)
	}
	if r.Conversations > 0 {
		r.DeflectionRate = float64(r.Deflected) / float64(r.Conversations)
	}
}

// Percentile is PostgreSQL's percentile_cont: the value at fraction p of
// the sorted values, interpolated linearly between neighbours; 0 for none.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := p * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}
