package postgres

import (
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
)

// recentMessages keeps the messages this node appended in the last few
// seconds, per conversation, so that a reader woken for one of them (the
// customer's tab, for the bot's reply) sends it without a round trip to
// read it back. It only ever answers for a complete run of seqs; anything
// else is read from the database.
type recentMessages struct {
	mu      sync.Mutex
	cur     map[string][]frontline.Message // runs of consecutive seqs, ascending
	old     map[string][]frontline.Message // the generation before cur
	rotated time.Time
	now     func() time.Time
}

const (
	// recentTTL is how long an append stays readable here: between one and
	// two TTLs (generations are swapped, not swept).
	recentTTL = 5 * time.Second
	// recentPerConversation bounds a conversation's run.
	recentPerConversation = 16
)

func newRecentMessages() *recentMessages {
	return &recentMessages{cur: map[string][]frontline.Message{}, old: map[string][]frontline.Message{}, now: time.Now}
}

// put remembers a message just committed.
func (r *recentMessages) put(m frontline.Message) {
	m = m.Clone()
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); now.Sub(r.rotated) >= recentTTL {
		r.old, r.cur, r.rotated = r.cur, make(map[string][]frontline.Message, len(r.cur)), now
	}
	run, ok := r.cur[m.ConversationID]
	if !ok {
		run = r.old[m.ConversationID]
	}
	switch {
	case len(run) == 0 || m.Seq > run[len(run)-1].Seq+1:
		run = []frontline.Message{m} // a gap (another node's appends): start again
	case m.Seq == run[len(run)-1].Seq+1:
		run = append(run, m)
		if len(run) > recentPerConversation {
			run = append([]frontline.Message(nil), run[len(run)-recentPerConversation:]...)
		}
	case m.Seq == run[0].Seq-1: // two appends committed out of order
		run = append([]frontline.Message{m}, run...)
	default:
		return // already known
	}
	r.cur[m.ConversationID] = run
}

// get returns the messages with afterSeq < seq <= upToSeq when it holds
// all of them.
func (r *recentMessages) get(conversationID string, afterSeq, upToSeq int64) ([]frontline.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	run, ok := r.cur[conversationID]
	if !ok {
		run = r.old[conversationID]
	}
	if len(run) == 0 || upToSeq <= afterSeq || afterSeq+1 < run[0].Seq || upToSeq > run[len(run)-1].Seq {
		return nil, false
	}
	first := run[0].Seq
	out := make([]frontline.Message, 0, upToSeq-afterSeq)
	for _, m := range run[afterSeq+1-first : upToSeq-first+1] {
		out = append(out, m.Clone())
	}
	return out, true
}

// RecentMessages returns the messages of a conversation with
// afterSeq < seq <= upToSeq if this node appended all of them in the last
// few seconds, and false otherwise (read them with ReadMessages).
func (db *DB) RecentMessages(conversationID string, afterSeq, upToSeq int64) ([]frontline.Message, bool) {
	return db.recent.get(conversationID, afterSeq, upToSeq)
}
