// Package fanout delivers bus wake-ups to the subscribers of one process. Both
// buses use it: the in-memory one directly, the Postgres one behind LISTEN.
package fanout

import (
	"context"
	"sync"

	"github.com/frontlinehq/frontline"
)

// Hub is an in-process frontline.Bus: one node, no network.
type Hub struct {
	mu     sync.Mutex
	nextID int
	subs   map[string]map[int]chan frontline.Notification
}

// New returns an empty hub.
func New() *Hub {
	return &Hub{subs: make(map[string]map[int]chan frontline.Notification)}
}

// Publish implements frontline.Bus. It never blocks: a subscriber whose buffer
// is full already has a wake-up pending, which is all it needs.
func (b *Hub) Publish(ctx context.Context, topic string, seq int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ch := range b.subs[topic] {
		Deliver(ch, frontline.Notification{Topic: topic, Seq: seq})
	}
	return nil
}

// Subscribe implements frontline.Bus.
func (b *Hub) Subscribe(topic string) (<-chan frontline.Notification, func()) {
	ch := make(chan frontline.Notification, 1)
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	if b.subs[topic] == nil {
		b.subs[topic] = make(map[int]chan frontline.Notification)
	}
	b.subs[topic][id] = ch
	b.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs[topic], id)
			if len(b.subs[topic]) == 0 {
				delete(b.subs, topic)
			}
			b.mu.Unlock()
		})
	}
}

// Deliver puts n on ch without blocking. When ch is full, the pending
// notification is replaced by the newer one, keeping the highest seq and any
// resync flag: subscribers always read from their own last seq anyway.
func Deliver(ch chan frontline.Notification, n frontline.Notification) {
	for {
		select {
		case ch <- n:
			return
		default:
		}
		select {
		case old := <-ch:
			if old.Seq > n.Seq {
				n.Seq = old.Seq
			}
			n.Resync = n.Resync || old.Resync
		default:
		}
	}
}

// ResyncAll tells every subscriber it may have missed notifications.
func (b *Hub) ResyncAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for topic, subs := range b.subs {
		for _, ch := range subs {
			Deliver(ch, frontline.Notification{Topic: topic, Resync: true})
		}
	}
}

var _ frontline.Bus = (*Hub)(nil)
