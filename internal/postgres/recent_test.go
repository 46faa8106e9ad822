package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

func seqs(ms []frontline.Message) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.Seq)
	}
	return out
}

func TestRecentMessagesAnswersOnlyCompleteRuns(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	r := newRecentMessages()
	r.now = func() time.Time { return now }
	put := func(seq int64) {
		r.put(frontline.Message{ConversationID: "c_1", Seq: seq, Body: fmt.Sprint(seq), Meta: frontline.MessageMeta{Extra: map[string]string{"k": "v"}}})
	}
	put(3)
	put(5) // 4 came from another node: the run starts again at 5
	put(4) // out of order: 4 joins in front of 5
	put(6)
	tests := []struct {
		after, upTo int64
		want        []int64
	}{
		{3, 6, []int64{4, 5, 6}},
		{4, 5, []int64{5}},
		{2, 6, nil}, // 3 is not in the run any more
		{5, 7, nil}, // 7 is unknown
		{6, 6, nil}, // nothing asked
	}
	for _, tt := range tests {
		got, ok := r.get("c_1", tt.after, tt.upTo)
		if ok != (tt.want != nil) || fmt.Sprint(seqs(got)) != fmt.Sprint(tt.want) {
			t.Errorf("get(after %d, up to %d) = %v, %v; want %v", tt.after, tt.upTo, seqs(got), ok, tt.want)
		}
	}
	got, _ := r.get("c_1", 3, 4)
	got[0].Meta.Extra["k"] = "changed"
	if again, _ := r.get("c_1", 3, 4); again[0].Meta.Extra["k"] != "v" {
		t.Error("a caller's change reached the cached message")
	}
	for seq := int64(7); seq < 7+2*recentPerConversation; seq++ {
		put(seq)
	}
	if _, ok := r.get("c_1", 5, 6); ok {
		t.Errorf("a run kept more than %d messages", recentPerConversation)
	}
	now = now.Add(2*recentTTL + time.Second)
	r.put(frontline.Message{ConversationID: "c_2", Seq: 1})
	now = now.Add(recentTTL)
	r.put(frontline.Message{ConversationID: "c_2", Seq: 2})
	if _, ok := r.get("c_1", 36, 38); ok {
		t.Error("messages older than two TTLs are still answered")
	}
	if got, ok := r.get("c_2", 0, 2); !ok || len(got) != 2 {
		t.Errorf("a run across a rotation = %v, %v; want seqs 1 and 2", seqs(got), ok)
	}
}
