package memory

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

var _ handoff.ReportStore = (*ReportStore)(nil)

// ReportStore computes handoff reports over a Store's log, figure by
// figure as internal/postgres does in SQL.
type ReportStore struct{ log *Store }

// NewReportStore returns the reports of log.
func NewReportStore(log *Store) *ReportStore { return &ReportStore{log: log} }

// Report implements handoff.ReportStore.
func (s *ReportStore) Report(ctx context.Context, f handoff.ReportFilter) (*handoff.Report, error) {
	if err := handoff.ValidateReportFilter(&f); err != nil {
		return nil, err
	}
	rep := handoff.NewReport(f)
	st := s.log
	st.mu.RLock()
	defer st.mu.RUnlock()
	in := func(t time.Time) bool { return !t.Before(f.From) && t.Before(f.To) }

	// One pass for what the figures look up: which conversations were ever
	// handed off, and each one's resolutions in id order.
	everHandedOff := map[string]bool{}
	resolutions := map[string][]frontline.Event{}
	for _, e := range st.events {
		switch e.Kind {
		case frontline.EventHandoff:
			everHandedOff[e.ConversationID] = true
		case frontline.EventResolution:
			resolutions[e.ConversationID] = append(resolutions[e.ConversationID], e)
		}
	}

	signals := map[string]map[string]bool{}
	var first, resolve []float64
	type question struct {
		n    int
		last time.Time
	}
	questions := map[string]*question{}
	started := map[string]bool{}
	for _, e := range st.events {
		switch e.Kind {
		case frontline.EventSignal:
			var sg frontline.Signal
			if json.Unmarshal(e.Data, &sg) == nil && sg.Kind != "" {
				if signals[e.ConversationID] == nil {
					signals[e.ConversationID] = map[string]bool{}
				}
				signals[e.ConversationID][string(sg.Kind)] = true
			}
		case frontline.EventHandoff:
			reasons := slices.Sorted(func(yield func(string) bool) {
				for k := range signals[e.ConversationID] {
					if !yield(k) {
						return
					}
				}
			})
			delete(signals, e.ConversationID) // the next hand-off counts the signals after this one
			if !in(e.CreatedAt) {
				continue
			}
			var d handoff.HandoffData
			_ = json.Unmarshal(e.Data, &d)
			rep.CountHandoff(e.CreatedAt.In(f.Location).Format(time.DateOnly), string(d.Severity), reasons)
			if t, ok := s.firstAgentReply(e.ConversationID, e.CreatedAt); ok {
				first = append(first, t.Sub(e.CreatedAt).Seconds())
			}
			for _, r := range resolutions[e.ConversationID] {
				if r.ID > e.ID {
					resolve = append(resolve, r.CreatedAt.Sub(e.CreatedAt).Seconds())
					break
				}
			}
		case frontline.EventSLABreach:
			if in(e.CreatedAt) {
				var d handoff.SLAData
				_ = json.Unmarshal(e.Data, &d)
				rep.SLABreaches[d.Target]++
			}
		case frontline.EventCSAT:
			var d struct {
				Rating json.Number `json:"rating"`
			}
			if in(e.CreatedAt) && json.Unmarshal(e.Data, &d) == nil {
				if n, err := d.Rating.Int64(); err == nil && n >= 1 && n <= 5 {
					rep.CSAT.Ratings[n-1]++
				}
			}
		case frontline.EventConversationStarted:
			if in(e.CreatedAt) {
				started[e.ConversationID] = true
			}
		case frontline.EventSearch:
			var d struct {
				Question  string `json:"question"`
				Abstained bool   `json:"abstained"`
			}
			if !in(e.CreatedAt) || json.Unmarshal(e.Data, &d) != nil || !d.Abstained {
				continue
			}
			q := strings.ToLower(strings.TrimSpace(d.Question))
			if q == "" {
				continue
			}
			if questions[q] == nil {
				questions[q] = &question{}
			}
			questions[q].n++
			questions[q].last = later(questions[q].last, e.CreatedAt)
		}
	}
	slices.Sort(first)
	slices.Sort(resolve)
	rep.FirstResponse = handoff.Durations{Count: len(first), P50: handoff.Percentile(first, 0.5), P90: handoff.Percentile(first, 0.9)}
	rep.Resolution = handoff.Durations{Count: len(resolve), P50: handoff.Percentile(resolve, 0.5), P90: handoff.Percentile(resolve, 0.9)}
	rep.Conversations = len(started)
	for id := range started {
		if !everHandedOff[id] {
			rep.Deflected++
		}
	}
	rep.Finish()
	for q, c := range questions {
		rep.Unanswered = append(rep.Unanswered, handoff.QuestionCount{Question: q, Count: c.n, LastAt: c.last})
	}
	slices.SortFunc(rep.Unanswered, func(a, b handoff.QuestionCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if c := b.LastAt.Compare(a.LastAt); c != 0 {
			return c
		}
		return strings.Compare(a.Question, b.Question)
	})
	if len(rep.Unanswered) > f.Questions {
		rep.Unanswered = rep.Unanswered[:f.Questions]
	}
	return rep, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// firstAgentReply is the time of the first agent message at or after t.
// Called with the read lock held.
func (s *ReportStore) firstAgentReply(conversationID string, t time.Time) (time.Time, bool) {
	cv := s.log.conversations[conversationID]
	if cv == nil {
		return time.Time{}, false
	}
	var best time.Time
	for _, m := range cv.messages {
		if m.Author == frontline.AuthorAgent && !m.CreatedAt.Before(t) && (best.IsZero() || m.CreatedAt.Before(best)) {
			best = m.CreatedAt
		}
	}
	return best, !best.IsZero()
}
