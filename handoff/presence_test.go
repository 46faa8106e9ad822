package handoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
)

// An online agent idle for AwayAfter is set away; activity keeps them on.
func TestIdleAgentsGoAway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	log := memory.NewStore(nil)
	svc := handoff.NewService(memory.NewHandoffStore(log), log, nil, handoff.Config{Now: func() time.Time { return now }, AwayAfter: 10 * time.Minute})
	for _, id := range []string{"u_idle", "u_busy"} {
		if err := svc.PutAgent(ctx, handoff.Agent{UserID: id, Name: id, Tiers: frontline.Tiers, Teams: []string{"support"}, Capacity: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetPresence(ctx, &frontline.User{ID: id, Roles: []frontline.Role{frontline.RoleAgent}}, frontline.PresenceOnline); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(8 * time.Minute)
	if err := svc.Touch(ctx, "u_busy"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * time.Minute)
	if n, err := svc.SweepIdle(ctx); err != nil || n != 1 {
		t.Fatalf("SweepIdle = %d, %v; want 1", n, err)
	}
	for id, want := range map[string]frontline.Presence{"u_idle": frontline.PresenceAway, "u_busy": frontline.PresenceOnline} {
		if a, _ := svc.Store().FindAgent(ctx, id); a.Presence != want {
			t.Errorf("%s is %s, want %s", id, a.Presence, want)
		}
	}
}

// Out of the team's hours the customer is told when it opens; the ETA
// follows the line's recent pace.
func TestQueuePositionOutOfHours(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sat := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC) // a Saturday
	now := sat
	log := memory.NewStore(nil)
	svc := handoff.NewService(memory.NewHandoffStore(log), log, nil, handoff.Config{Now: func() time.Time { return now }})
	hours := &frontline.BusinessHours{Open: []frontline.OpenSpan{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "17:00"}}}
	if err := svc.PutTeam(ctx, frontline.Team{ID: "billing", Hours: hours}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 4 {
		c := &frontline.Conversation{VisitorID: "v"}
		if err := log.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: "billing", Priority: frontline.PriorityNormal}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	qp, err := svc.QueuePosition(ctx, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC); !qp.OpensAt.Equal(want) {
		t.Errorf("opens at %v, want Monday 09:00 UTC", qp.OpensAt)
	}
	// Two claims six minutes apart: the line moves one every 6 minutes.
	if err := svc.PutAgent(ctx, handoff.Agent{UserID: "u_a", Name: "A", Tiers: frontline.Tiers, Teams: []string{"billing"}, Capacity: 5}); err != nil {
		t.Fatal(err)
	}
	u := &frontline.User{ID: "u_a", Roles: []frontline.Role{frontline.RoleAgent}}
	for _, step := range []time.Duration{0, 6 * time.Minute} {
		now = now.Add(step)
		if _, err := svc.ClaimNext(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(10 * time.Second) // past the cached pace
	qp, err = svc.QueuePosition(ctx, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	if qp.Position != 2 || qp.ETA != 12*time.Minute {
		t.Errorf("position %d eta %v, want 2nd and 12m (two places at one per 6m)", qp.Position, qp.ETA)
	}
}
