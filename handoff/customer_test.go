package handoff_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/guard"
	"github.com/frontlinehq/frontline/internal/obligation"
	"github.com/frontlinehq/frontline/widget"
)

// handOffOnRequest is a bot that hands off when asked for a person and
// says nothing else.
type handOffOnRequest struct{ h frontline.Handoff }

func (r handOffOnRequest) HandleMessage(ctx context.Context, conv *frontline.Conversation, msg frontline.Message) error {
	if msg.Meta.Kind != frontline.KindRequestHuman {
		return nil
	}
	_, err := r.h.Enqueue(ctx, frontline.HandoffPacket{ConversationID: conv.ID, Tier: frontline.Tier1, Team: "billing",
		Priority: frontline.PriorityNormal, Reason: "asked for a person"})
	return err
}

type customer struct {
	t       *testing.T
	ws      *websocket.Conn
	skipped []map[string]any // read while waiting for something else
}

func (c *customer) send(f map[string]any) {
	f["v"] = widget.ProtocolVersion
	if err := c.ws.WriteJSON(f); err != nil {
		c.t.Fatal(err)
	}
}

// until returns the first frame ok accepts, among those skipped before
// and then those that arrive.
func (c *customer) until(what string, ok func(map[string]any) bool) map[string]any {
	c.t.Helper()
	for i, f := range c.skipped {
		if ok(f) {
			c.skipped = append(c.skipped[:i], c.skipped[i+1:]...)
			return f
		}
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var f map[string]any
		if err := c.ws.ReadJSON(&f); err != nil {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok(f) {
			return f
		}
		c.skipped = append(c.skipped, f)
	}
}

func (c *customer) message(what string, ok func(m map[string]any) bool) map[string]any {
	c.t.Helper()
	var found map[string]any
	c.until(what, func(f map[string]any) bool {
		if f["type"] != "messages" {
			return false
		}
		for _, m := range f["messages"].([]any) {
			if m := m.(map[string]any); ok(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// The customer's side of an agent's work, through the real widget server:
// who joined, the agent's replies under their name and their typing, the
// rating asked for, and the return to the bot.
func TestCustomerSeesTheAgent(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	// Listen first: the page's origin is the server's own, allowed as
	// configuration.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := widget.New(widget.Config{
		Sites:       []widget.Site{{Key: "demo", Name: "Demo", AllowedOrigins: []string{"http://" + ln.Addr().String()}}},
		TokenSecret: []byte("0123456789abcdef0123456789abcdef-test"),
	}, widget.Deps{Log: d.log, Bus: d.bus, Handoff: d.svc, Guard: guard.New(guard.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	// The bot's worker answers customer messages, as serve runs it.
	worker := obligation.New(d.log, handOffOnRequest{d.svc}, obligation.Options{Typing: srv.BotTyping})
	worker.Start()
	defer worker.Stop(context.Background())
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(context.Background())
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http")+"/widget/ws?site=demo", http.Header{"Origin": {hs.URL}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	c := &customer{t: t, ws: ws}
	c.send(map[string]any{"type": "hello"})
	c.until("welcome", func(f map[string]any) bool { return f["type"] == "welcome" })
	c.send(map[string]any{"type": "request_human", "id": "h1"})
	var conv string
	c.until("token", func(f map[string]any) bool {
		if f["type"] == "token" {
			conv = f["conversation_id"].(string)
		}
		return f["type"] == "token"
	})
	c.until("queue waiting", func(f map[string]any) bool { return f["type"] == "queue" && f["status"] == "waiting" })

	p := "/api/agent/conversations/" + conv
	if code, body := d.do(t, ana, "POST", p+"/claim", ""); code != 200 {
		t.Fatalf("claim = %d %v", code, body)
	}
	if q := c.until("queue assigned", func(f map[string]any) bool { return f["type"] == "queue" && f["status"] == "assigned" }); q["agent_name"] != "Ana B." {
		t.Fatalf("queue frame = %v, want assigned to Ana B.", q)
	}
	if m := c.message("joined", func(m map[string]any) bool { return m["kind"] == "joined" }); !strings.Contains(m["body"].(string), "Ana B.") {
		t.Fatalf("joined notice = %v", m)
	}
	if code, _ := d.do(t, ana, "POST", p+"/typing", `{"on":true}`); code != 200 {
		t.Fatalf("typing = %d", code)
	}
	c.until("agent typing", func(f map[string]any) bool { return f["type"] == "typing" && f["who"] == "agent" && f["on"] == true })
	if code, _ := d.do(t, ana, "POST", p+"/messages", `{"body":"Hi, I see the double charge."}`); code != 201 {
		t.Fatalf("reply = %d", code)
	}
	if m := c.message("reply", func(m map[string]any) bool { return m["author"] == "agent" }); m["author_name"] != "Ana B." {
		t.Fatalf("agent reply = %v, want by Ana B.", m)
	}
	if code, _ := d.do(t, ana, "POST", p+"/csat-request", ""); code != 201 {
		t.Fatalf("csat request = %d", code)
	}
	c.message("csat request", func(m map[string]any) bool { return m["kind"] == "csat_request" })
	c.send(map[string]any{"type": "csat", "id": "r1", "rating": 5, "comment": "quick"})
	c.until("csat ack", func(f map[string]any) bool { return f["type"] == "ack" && f["id"] == "r1" })
	if code, _ := d.do(t, ana, "POST", p+"/handback", ""); code != 200 {
		t.Fatalf("hand back = %d", code)
	}
	c.message("handed back", func(m map[string]any) bool { return m["kind"] == "handed_back" })
	got, err := d.log.FindConversationByID(context.Background(), conv)
	if err != nil || got.Status != frontline.StatusBot {
		t.Fatalf("after hand-back: %v (%v), want the bot's", got, err)
	}
}
