package memory

import (
	"testing"
	"time"

	"github.com/frontlinehq/frontline/internal/handofftest"
)

func TestReportConformance(t *testing.T) {
	t.Parallel()
	handofftest.RunReportTests(t, func(t *testing.T) handofftest.ReportStore {
		s := NewStore(NewBus())
		return handofftest.ReportStore{Log: s, Reports: NewReportStore(s),
			SetEventTime: func(t *testing.T, id int64, at time.Time) {
				s.mu.Lock()
				defer s.mu.Unlock()
				for i := range s.events {
					if s.events[i].ID == id {
						s.events[i].CreatedAt = at.UTC()
						return
					}
				}
				t.Fatalf("no event %d", id)
			},
			SetMessageTime: func(t *testing.T, conv string, seq int64, at time.Time) {
				s.mu.Lock()
				defer s.mu.Unlock()
				cv := s.conversations[conv]
				if cv == nil || seq < 1 || int(seq) > len(cv.messages) {
					t.Fatalf("no message %s/%d", conv, seq)
				}
				cv.messages[seq-1].CreatedAt = at.UTC()
			},
		}
	})
}
