package handoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
)

func TestPeopleConfigSeeds(t *testing.T) {
	t.Parallel()
	c, err := handoff.LoadPeopleConfig("testdata/people.yaml")
	if err != nil {
		t.Fatal(err)
	}
	log := memory.NewStore(nil)
	svc := handoff.NewService(memory.NewHandoffStore(log), log, nil, handoff.Config{})
	if err := svc.Seed(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	agents, _ := svc.Store().FindAgents(context.Background())
	teams, _ := svc.Store().FindTeams(context.Background())
	if len(agents) != 2 || len(teams) != 2 || teams[0].Hours == nil {
		t.Fatalf("agents %v teams %v, want 2 and 2 with billing's hours", agents, teams)
	}
	// Billing's hours: Friday 17:00 Berlin + 1h of SLA is Monday 09:30.
	fri := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC) // 17:00 in Berlin
	if got, want := teams[0].Hours.Add(fri, time.Hour), time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("1h of SLA from Friday 17:00 = %v, want Monday 09:30 Berlin (%v)", got, want)
	}
	if open := teams[0].Hours.NextOpen(time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC)); !open.Equal(time.Date(2026, 12, 28, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("next open after Christmas morning = %v, want Monday 28th 09:00 Berlin", open)
	}
	var bad handoff.PeopleConfig
	bad.Agents = []handoff.Agent{{UserID: "u_x", Name: "X", Tiers: []frontline.Tier{frontline.Tier1}, Teams: []string{"nowhere"}, Capacity: 1}}
	if err := bad.Validate(); err == nil {
		t.Error("an agent of an unknown team was accepted")
	}
}
