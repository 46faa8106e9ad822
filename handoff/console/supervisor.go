package console

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

// Line is one queue (a tier of a team) as the supervisor sees it.
type Line struct {
	Tier     frontline.Tier `json:"tier"`
	Team     string         `json:"team"`
	TeamName string         `json:"team_name"`
	Waiting  int            `json:"waiting"`
	Assigned int            `json:"assigned"`
	// OldestWait is how long the longest-waiting one has waited, in
	// seconds; 0 when none waits.
	OldestWait float64 `json:"oldest_wait_seconds"`
	// AtRisk were warned (or are past the warning share of a deadline)
	// and not breached; Breached missed a deadline.
	AtRisk   int `json:"at_risk"`
	Breached int `json:"breached"`
}

// Overview is the supervisor's picture of the desk now.
type Overview struct {
	Now    time.Time        `json:"now"`
	Lines  []Line           `json:"lines"`
	Agents []*handoff.Agent `json:"agents"`
	// Conversations are the open ones (waiting and assigned), in queue
	// order, without transcripts.
	Conversations []frontline.QueueEntry `json:"conversations"`
}

// atRiskShare is how much of a deadline may pass before an entry counts
// as at risk when its policy has not warned (yet).
const atRiskShare = 0.8

// Risk says whether an open entry missed a deadline or is near one.
func Risk(e *frontline.QueueEntry, now time.Time) (atRisk, breached bool) {
	if len(e.Breached) > 0 {
		return false, true
	}
	due, from := e.NextDueAt, e.LastReplyAt
	if e.RespondedAt.IsZero() {
		due, from = e.DueAt, cmp.Or(e.AssignedAt, e.EnqueuedAt)
		if e.Status == frontline.QueueWaiting {
			from = e.EnqueuedAt
		}
	}
	if due.IsZero() {
		return len(e.Warned) > 0, false
	}
	if now.After(due) {
		return false, true
	}
	near := !from.IsZero() && now.Sub(from) >= time.Duration(float64(due.Sub(from))*atRiskShare)
	return len(e.Warned) > 0 || near, false
}

func (h *handler) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := h.opts.Now()
	var open []*frontline.QueueEntry
	for _, st := range []frontline.QueueStatus{frontline.QueueWaiting, frontline.QueueAssigned} {
		es, err := h.d.Handoff.Queue(ctx, user(r), handoff.QueueFilter{Status: st, Limit: 500})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		open = append(open, es...)
	}
	agents, err := h.d.Handoff.Store().FindAgents(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	teams, err := h.d.Handoff.Store().FindTeams(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[string]string{}
	lines := map[[2]string]*Line{}
	line := func(tier frontline.Tier, team string) *Line {
		k := [2]string{string(tier), team}
		if lines[k] == nil {
			lines[k] = &Line{Tier: tier, Team: team, TeamName: cmp.Or(names[team], team)}
		}
		return lines[k]
	}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	// Every tier an agent works of every team they work has a line, so
	// an empty queue shows as empty rather than missing.
	for _, a := range agents {
		for _, team := range a.Teams {
			for _, tier := range a.Tiers {
				line(tier, team)
			}
		}
	}
	ov := Overview{Now: now, Agents: agents, Conversations: []frontline.QueueEntry{}}
	for _, e := range open {
		l := line(e.Tier, e.Team)
		if e.Status == frontline.QueueWaiting {
			l.Waiting++
			l.OldestWait = max(l.OldestWait, now.Sub(e.EnqueuedAt).Seconds())
		} else {
			l.Assigned++
		}
		risk, breached := Risk(e, now)
		if risk {
			l.AtRisk++
		}
		if breached {
			l.Breached++
		}
		b := *e
		b.Packet.Transcript, b.Packet.ArticlesTried, b.Packet.FailedAnswers, b.Packet.Profile = nil, nil, nil, nil
		ov.Conversations = append(ov.Conversations, b)
	}
	for _, l := range lines {
		ov.Lines = append(ov.Lines, *l)
	}
	slices.SortFunc(ov.Lines, func(a, b Line) int {
		return cmp.Or(cmp.Compare(a.Tier.Rank(), b.Tier.Rank()), cmp.Compare(a.TeamName, b.TeamName))
	})
	if ov.Agents == nil {
		ov.Agents = []*handoff.Agent{}
	}
	h.json(w, r, http.StatusOK, ov, nil)
}
