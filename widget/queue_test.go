package widget

import (
	"encoding/json"
	"errors"
	"net"
	"testing"
	"time"
)

// queueFrames reads c's frames for d and returns the queue frames among
// them. c cannot be read again afterwards (a read deadline is final).
func queueFrames(t *testing.T, c *client, d time.Duration) []frame {
	t.Helper()
	var out []frame
	deadline := time.Now().Add(d)
	for {
		_ = c.ws.SetReadDeadline(deadline)
		_, data, err := c.ws.ReadMessage()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return out
		}
		if err != nil {
			t.Fatalf("reading frames: %v", err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("server sent bad JSON %q: %v", data, err)
		}
		if f.Type == TypeQueue {
			out = append(out, f)
		}
	}
}

// Each waiting customer is told their place when it changes, and only then:
// someone joining behind them changes nothing; the one ahead being taken
// moves them up.
func TestQueuePlacesPushedOnlyWhenTheyChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first, second := b.dial(t), b.dial(t)
	defer first.close()
	defer second.close()
	first.hello("", 0)
	second.hello("", 0)

	var firstConv string
	first.send(map[string]any{"type": "request_human", "id": "h1"})
	q := first.until(TypeQueue, func(f frame) {
		if f.Type == TypeToken {
			firstConv = f.ConversationID
		}
	})
	if q.Position != 1 {
		t.Fatalf("first customer's place = %d, want 1", q.Position)
	}
	second.send(map[string]any{"type": "request_human", "id": "h2"})
	if q := second.until(TypeQueue, nil); q.Position != 2 {
		t.Fatalf("second customer's place = %d, want 2", q.Position)
	}
	b.handoff.assign(t, firstConv, "Dana")
	// The next queue frame the first customer gets is the agent: nothing
	// came for the second one joining behind.
	if q := first.until(TypeQueue, nil); q.Status != "assigned" || q.AgentName != "Dana" {
		t.Fatalf("first customer's next queue frame = %+v, want assigned to Dana", q)
	}
	if got := queueFrames(t, second, 2*time.Second); len(got) != 1 || got[0].Position != 1 || got[0].Status != "waiting" {
		t.Fatalf("after the one ahead was taken, the second customer got %+v, want one frame: waiting, place 1", got)
	}
}
