package widget

import (
	"context"
	"time"

	"github.com/frontlinehq/frontline"
)

// Typing crosses nodes on the bus: the customer's to the agents' sockets
// (frontline.CustomerTypingTopic), the agent's to the customer's widget
// (frontline.AgentTypingTopic). The seq is when the indicator expires.

// relayCustomerTyping tells the agents watching conv that the customer
// types (or stopped). Before the conversation exists nobody watches.
func (s *Server) relayCustomerTyping(conv *frontline.Conversation, on bool) {
	if conv == nil {
		return
	}
	until := int64(1)
	if on {
		until = s.now().UnixMilli() + frontline.TypingFor
	}
	_ = s.bus.Publish(s.baseCtx, frontline.CustomerTypingTopic(conv.ID), until)
}

// followAgentTyping relays an agent's typing in convID to this node's
// connections following it, until stop is closed. One per followed
// conversation per node (see follow).
func (s *Server) followAgentTyping(convID string, stop <-chan struct{}) {
	notes, cancel := s.bus.Subscribe(frontline.AgentTypingTopic(convID))
	defer cancel()
	for {
		select {
		case <-stop:
			return
		case <-s.baseCtx.Done():
			return
		case n := <-notes:
			on := n.Seq > s.now().UnixMilli()
			name := ""
			if on && s.handoff != nil {
				ctx, cancelCtx := context.WithTimeout(s.baseCtx, time.Second)
				if pos, err := s.handoff.QueuePosition(ctx, convID); err == nil {
					name = pos.AgentName
				}
				cancelCtx()
			}
			s.broadcast(convID, func() *outbound {
				return &outbound{frame: &typingServerFrame{serverHeader: hdr(TypeTyping), Who: "agent", Name: name, On: on}}
			})
		}
	}
}
