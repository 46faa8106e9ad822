package widget

import (
	"context"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

// An agent's typing reaches the customer from the bus (any node), with the
// agent's name; the customer's typing goes out on the bus to the agents.
func TestTypingCrossesTheBus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	var conv string
	c.send(map[string]any{"type": "request_human", "id": "h1"})
	c.until(TypeQueue, func(f frame) {
		if f.Type == TypeToken {
			conv = f.ConversationID
		}
	})
	b.handoff.assign(t, conv, "Dana")
	c.until(TypeQueue, nil)

	customer, cancel := b.bus.Subscribe(frontline.CustomerTypingTopic(conv))
	defer cancel()
	c.send(map[string]any{"type": "typing", "on": true})
	select {
	case n := <-customer:
		if n.Seq <= time.Now().UnixMilli() {
			t.Fatalf("customer typing until %d, want in the future", n.Seq)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the customer's typing did not reach the bus")
	}

	if err := b.bus.Publish(context.Background(), frontline.AgentTypingTopic(conv), time.Now().UnixMilli()+frontline.TypingFor); err != nil {
		t.Fatal(err)
	}
	for {
		f := c.until(TypeTyping, nil)
		if f.Who == "agent" {
			if !f.On || f.Name != "Dana" {
				t.Fatalf("typing frame = %+v, want Dana typing", f)
			}
			break
		}
	}
}
