package frontline

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Team is a group of agents who take one kind of conversation (billing,
// technical, accounts, legal...). Hand-offs name a team; agents belong to
// teams. Hours say when the team answers; nil means always.
type Team struct {
	ID     string         `json:"id" yaml:"id"`
	Name   string         `json:"name" yaml:"name"`
	Skills []string       `json:"skills,omitempty" yaml:"skills"`
	Hours  *BusinessHours `json:"hours,omitempty" yaml:"hours"`
}

// Presence is whether an agent takes conversations now.
type Presence string

const (
	// PresenceOnline agents are offered conversations.
	PresenceOnline Presence = "online"
	// PresenceAway agents keep what they hold but are offered nothing new
	// (set by the agent, or after an idle timeout).
	PresenceAway Presence = "away"
	// PresenceOffline agents are signed out.
	PresenceOffline Presence = "offline"
)

// Valid reports whether p is a known presence.
func (p Presence) Valid() bool {
	return p == PresenceOnline || p == PresenceAway || p == PresenceOffline
}

// BusinessHours are a team's weekly opening hours in one time zone, with
// holidays. SLA clocks count only open time.
type BusinessHours struct {
	// TimeZone is an IANA name ("Europe/Berlin"); empty means UTC.
	TimeZone string `json:"time_zone,omitempty" yaml:"time_zone"`
	// Open lists the weekly spans, e.g. {days: [mon, tue], from: "09:00", to: "17:30"}.
	Open []OpenSpan `json:"open" yaml:"open"`
	// Holidays are closed dates, "2026-12-25", in TimeZone.
	Holidays []string `json:"holidays,omitempty" yaml:"holidays"`
}

// OpenSpan is one daily opening window on the given weekdays.
type OpenSpan struct {
	Days []string `json:"days" yaml:"days"` // mon, tue, wed, thu, fri, sat, sun
	From string   `json:"from" yaml:"from"` // "09:00"
	To   string   `json:"to" yaml:"to"`     // "17:30"; "24:00" is midnight
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// Validate reports the first bad field.
func (h *BusinessHours) Validate() error {
	if h == nil {
		return nil
	}
	if _, err := h.location(); err != nil {
		return err
	}
	if len(h.Open) == 0 {
		return Errorf(EInvalid, "hours.open: at least one span is needed (omit hours for always open)")
	}
	for i, s := range h.Open {
		if len(s.Days) == 0 {
			return Errorf(EInvalid, "hours.open[%d].days: empty", i)
		}
		for _, d := range s.Days {
			if _, ok := weekdays[strings.ToLower(d)]; !ok {
				return Errorf(EInvalid, "hours.open[%d].days: %q is not mon..sun", i, d)
			}
		}
		from, err1 := clockMinutes(s.From)
		to, err2 := clockMinutes(s.To)
		if err1 != nil || err2 != nil || from >= to {
			return Errorf(EInvalid, "hours.open[%d]: from %q to %q is not a span of HH:MM within a day", i, s.From, s.To)
		}
	}
	for _, d := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return Errorf(EInvalid, "hours.holidays: %q is not YYYY-MM-DD", d)
		}
	}
	return nil
}

func clockMinutes(s string) (int, error) {
	var hh, mm int
	if _, err := fmt.Sscanf(s, "%d:%d", &hh, &mm); err != nil || len(s) != 5 || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("bad clock time %q", s)
	}
	return hh*60 + mm, nil
}

func (h *BusinessHours) location() (*time.Location, error) {
	if h.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(h.TimeZone)
	if err != nil {
		return nil, Errorf(EInvalid, "hours.time_zone: %q is not a known time zone", h.TimeZone)
	}
	return loc, nil
}

// windows returns the open intervals of the local day containing t.
func (h *BusinessHours) windows(day time.Time, loc *time.Location) [][2]time.Time {
	y, m, d := day.Date()
	if slices.Contains(h.Holidays, day.Format(time.DateOnly)) {
		return nil
	}
	var out [][2]time.Time
	for _, s := range h.Open {
		on := false
		for _, name := range s.Days {
			if weekdays[strings.ToLower(name)] == day.Weekday() {
				on = true
			}
		}
		if !on {
			continue
		}
		from, _ := clockMinutes(s.From)
		to, _ := clockMinutes(s.To)
		start := time.Date(y, m, d, 0, 0, 0, 0, loc)
		out = append(out, [2]time.Time{start.Add(time.Duration(from) * time.Minute), start.Add(time.Duration(to) * time.Minute)})
	}
	slices.SortFunc(out, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	return out
}

// String describes the weekly hours for customers, in the form
// "Mon,Tue,Wed,Thu,Fri 09:00-17:30 Europe/Berlin" (spans joined by "; ");
// holidays are not listed: the next opening (NextOpen) tells them. Nil
// hours are "".
func (h *BusinessHours) String() string {
	if h == nil {
		return ""
	}
	zone := h.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	spans := make([]string, 0, len(h.Open))
	for _, s := range h.Open {
		days := make([]string, 0, len(s.Days))
		for _, d := range s.Days {
			d = strings.ToLower(d)
			if len(d) == 3 {
				d = strings.ToUpper(d[:1]) + d[1:]
			}
			days = append(days, d)
		}
		spans = append(spans, strings.Join(days, ",")+" "+s.From+"-"+s.To)
	}
	return strings.Join(spans, "; ") + " " + zone
}

// maxScanDays bounds the search for open time (a year of holidays).
const maxScanDays = 400

// IsOpen reports whether t falls in open hours. Nil hours are always open.
func (h *BusinessHours) IsOpen(t time.Time) bool {
	if h == nil {
		return true
	}
	next := h.NextOpen(t)
	return !next.IsZero() && !next.After(t) // zero: hours that never open
}

// NextOpen returns t when open, else the next moment the hours open. Nil
// hours return t; hours that never open return the zero time.
func (h *BusinessHours) NextOpen(t time.Time) time.Time {
	if h == nil {
		return t
	}
	loc, err := h.location()
	if err != nil {
		return t
	}
	local := t.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	for range maxScanDays {
		for _, w := range h.windows(day, loc) {
			if !t.Before(w[1]) {
				continue
			}
			if t.Before(w[0]) {
				return w[0].UTC()
			}
			return t
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// Add returns the moment d of open time after start: the deadline of an
// SLA of d counted in business hours. Nil hours add wall-clock time.
func (h *BusinessHours) Add(start time.Time, d time.Duration) time.Time {
	if h == nil {
		return start.Add(d)
	}
	loc, err := h.location()
	if err != nil {
		return start.Add(d)
	}
	t := start
	local := t.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	for range maxScanDays {
		for _, w := range h.windows(day, loc) {
			if !t.Before(w[1]) {
				continue
			}
			if t.Before(w[0]) {
				t = w[0]
			}
			if left := w[1].Sub(t); d <= left {
				return t.Add(d).UTC()
			} else {
				d -= left
				t = w[1]
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return start.Add(d)
}
