package widget

import (
	"context"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

// On a holiday of the team's, within its usual weekly hours, the customer
// is told on connecting and in the queue when they will be answered (the
// next working day's opening, in UTC), and the email they leave is on the
// conversation the agent opens. The hours come from the hand-off side's
// team (TeamHours), on both stores.
func TestAfterHoursHoliday(t *testing.T) {
	t.Parallel()
	christmas := time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC) // a Friday, 11:00 in Berlin
	hours := &frontline.BusinessHours{TimeZone: "Europe/Berlin",
		Open:     []frontline.OpenSpan{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "17:00"}},
		Holidays: []string{"2026-12-25"}}
	const (
		wantOpens = "2026-12-28T08:00:00Z" // Monday 09:00 in Berlin
		wantHours = "Mon,Tue,Wed,Thu,Fri 09:00-17:00 Europe/Berlin"
	)
	for _, store := range []string{"memory", "postgres"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(o *setupOpts) {
				o.hours = hours
				o.now = func() time.Time { return christmas }
				o.postgres = store == "postgres"
			})
			c := b.dial(t)
			defer c.close()
			w := c.hello("", 0)
			if !w.AfterHours || w.OpensAt != wantOpens || w.Hours != wantHours {
				t.Fatalf("welcome on a holiday: after_hours %v, opens_at %q, hours %q; want true, %s, %s", w.AfterHours, w.OpensAt, w.Hours, wantOpens, wantHours)
			}

			var convID, token string
			c.send(map[string]any{"type": "request_human", "id": "h1"})
			q := c.until(TypeQueue, func(f frame) {
				if f.Type == TypeToken {
					convID, token = f.ConversationID, f.Token
				}
			})
			if q.Status != string(frontline.QueueWaiting) || q.OpensAt != wantOpens {
				t.Fatalf("queue frame %+v: want waiting, opens_at %s", q, wantOpens)
			}

			c.send(map[string]any{"type": "contact", "id": "e1", "email": "pat@example.com"})
			if ack := c.until(TypeAck, nil); ack.ID != "e1" {
				t.Fatalf("contact answered %+v, want its ack", ack)
			}
			conv, err := b.store.FindConversationByID(context.Background(), convID)
			if err != nil || conv.Profile["email"] != "pat@example.com" {
				t.Fatalf("conversation %v (err %v): want the email on its profile, where the agent reads it", conv, err)
			}

			// Back later, still queued: the same answer for its team.
			again := b.dial(t)
			defer again.close()
			if w := again.hello(token, 0); !w.AfterHours || w.OpensAt != wantOpens || w.Status != string(frontline.StatusQueued) {
				t.Fatalf("welcome back while queued: %+v, want after hours until %s", w, wantOpens)
			}
		})
	}

	t.Run("open", func(t *testing.T) {
		t.Parallel()
		monday := time.Date(2026, 12, 28, 10, 0, 0, 0, time.UTC)
		b := setup(t, func(o *setupOpts) { o.hours = hours; o.now = func() time.Time { return monday } })
		c := b.dial(t)
		defer c.close()
		if w := c.hello("", 0); w.AfterHours || w.OpensAt != "" || w.Hours != wantHours {
			t.Fatalf("welcome within hours: after_hours %v, opens_at %q, hours %q; want false, none, %s", w.AfterHours, w.OpensAt, w.Hours, wantHours)
		}
	})
}
