package widget

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/frontlinehq/frontline"
)

// recordingResponder blocks each call until released and records the
// order of seqs per conversation.
type recordingResponder struct {
	started chan string
	release chan struct{}
	mu      sync.Mutex
	order   map[string][]int64
}

func (r *recordingResponder) HandleMessage(ctx context.Context, conv *frontline.Conversation, msg frontline.Message) error {
	r.started <- conv.ID
	<-r.release
	r.mu.Lock()
	r.order[conv.ID] = append(r.order[conv.ID], msg.Seq)
	r.mu.Unlock()
	return nil
}

func TestDispatcherKeepsOrderAndBoundsConcurrency(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := &recordingResponder{started: make(chan string, 100), release: make(chan struct{}), order: map[string][]int64{}}
	d := newDispatcher(b.srv, r, 2)
	var convs []string
	for i := range 3 {
		c := &frontline.Conversation{SiteKey: testSite, VisitorID: fmt.Sprintf("v_%d", i)}
		if err := b.store.CreateConversation(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		convs = append(convs, c.ID)
	}
	for seq := int64(1); seq <= 3; seq++ {
		for _, id := range convs {
			d.enqueue(id, frontline.Message{ConversationID: id, Seq: seq})
		}
	}
	first, second := <-r.started, <-r.started
	if first == second {
		t.Fatalf("two calls at once for conversation %s", first)
	}
	d.mu.Lock()
	running, ready := d.running, len(d.ready)
	d.mu.Unlock()
	if running != 2 || ready != 1 {
		t.Fatalf("with 2 calls held: %d workers, %d conversations ready; want 2 and 1", running, ready)
	}
	close(r.release)
	if err := d.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range convs {
		if got := r.order[id]; !slices.Equal(got, []int64{1, 2, 3}) {
			t.Errorf("conversation %s answered in order %v, want [1 2 3]", id, got)
		}
	}
}
