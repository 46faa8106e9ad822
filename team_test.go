package frontline_test

import (
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

func TestBusinessHours(t *testing.T) {
	t.Parallel()
	h := &frontline.BusinessHours{TimeZone: "Europe/Berlin",
		Open:     []frontline.OpenSpan{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "17:30"}},
		Holidays: []string{"2026-12-25"}}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct {
		name string
		at   time.Time
		open bool
		next time.Time
	}{
		{"Monday opening", time.Date(2026, 11, 23, 9, 0, 0, 0, berlin), true, time.Time{}},
		{"just before closing", time.Date(2026, 11, 23, 17, 29, 0, 0, berlin), true, time.Time{}},
		{"closing", time.Date(2026, 11, 23, 17, 30, 0, 0, berlin), false, time.Date(2026, 11, 24, 9, 0, 0, 0, berlin)},
		{"09:00 in Berlin, in UTC", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), true, time.Time{}},
		{"Saturday", time.Date(2026, 11, 28, 12, 0, 0, 0, berlin), false, time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"a holiday on a Friday", time.Date(2026, 12, 25, 11, 0, 0, 0, berlin), false, time.Date(2026, 12, 28, 9, 0, 0, 0, berlin)},
	} {
		if got := h.IsOpen(c.at); got != c.open {
			t.Errorf("%s: IsOpen = %v, want %v", c.name, got, c.open)
		}
		if next := h.NextOpen(c.at); !c.open && !next.Equal(c.next) {
			t.Errorf("%s: NextOpen = %v, want %v", c.name, next, c.next)
		}
	}
	if got := h.String(); got != "Mon,Tue,Wed,Thu,Fri 09:00-17:30 Europe/Berlin" {
		t.Errorf("String() = %q", got)
	}
	var always *frontline.BusinessHours
	if !always.IsOpen(time.Now()) || always.String() != "" {
		t.Error("nil hours should always be open and describe nothing")
	}
	// Every day for the next 400 a holiday: never opens, so never open.
	never := &frontline.BusinessHours{Open: []frontline.OpenSpan{{Days: []string{"mon"}, From: "00:00", To: "24:00"}}}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := start; d.Before(start.AddDate(0, 0, 410)); d = d.AddDate(0, 0, 1) {
		never.Holidays = append(never.Holidays, d.Format(time.DateOnly))
	}
	if never.IsOpen(start.Add(time.Hour)) || !never.NextOpen(start).IsZero() {
		t.Errorf("hours that never open: IsOpen %v, NextOpen %v; want closed, zero", never.IsOpen(start), never.NextOpen(start))
	}
	for _, bad := range []frontline.BusinessHours{
		{TimeZone: "Mars/Olympus", Open: h.Open},
		{Open: []frontline.OpenSpan{{Days: []string{"funday"}, From: "09:00", To: "17:00"}}},
		{Open: []frontline.OpenSpan{{Days: []string{"mon"}, From: "17:00", To: "09:00"}}},
		{Open: h.Open, Holidays: []string{"25/12/2026"}},
		{},
	} {
		if err := bad.Validate(); frontline.ErrorCode(err) != frontline.EInvalid {
			t.Errorf("Validate(%+v) = %v, want invalid", bad, err)
		}
	}
}
