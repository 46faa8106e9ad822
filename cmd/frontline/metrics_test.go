package main

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline/handoff"
)

const metricsToken = "metrics-admin-token-0123456789"

// scrape reads /metrics with the admin token into series → value, keyed
// as Prometheus prints them: `name{label="v",...}`.
func scrape(t *testing.T, srv *Server) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics with the admin token: HTTP %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// sumOf adds the series of a metric whose labels contain every one of
// labels (`tier="t1"`).
func sumOf(m map[string]float64, name string, labels ...string) float64 {
	var sum float64
	for k, v := range m {
		series, rest, _ := strings.Cut(k, "{")
		if series != name {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(rest, l)
		}
		if ok {
			sum += v
		}
	}
	return sum
}

// waitMetric scrapes until cond holds (the queue gauge is cached for a few
// seconds; appends reach the bot asynchronously).
func waitMetric(t *testing.T, srv *Server, what string, cond func(map[string]float64) bool) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		m := scrape(t, srv)
		if cond(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestMetricsFollowAConversation drives a customer through the bot to a
// hand-off and an agent on the real server, scraping /metrics between
// steps: every figure the conversation should move moves, and none
// carries the conversation's id or text.
func TestMetricsFollowAConversation(t *testing.T) {
	t.Parallel()
	srv, _ := startDemoServer(t, "--admin-token", metricsToken)

	// Only the admin token opens it; a signed-in admin's API token does not.
	for _, tc := range []struct{ name, auth string }{
		{"nobody", ""}, {"a wrong token", "Bearer not-the-admin-token-at-all"}, {"an admin's API token", "Bearer " + adminAPIToken(t, srv)},
	} {
		req, _ := http.NewRequest("GET", srv.URL()+"/metrics", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /metrics as %s: HTTP %d, want 401", tc.name, resp.StatusCode)
		}
	}

	before := scrape(t, srv)
	if got := sumOf(before, "frontline_messages_total"); got != 0 {
		t.Fatalf("a fresh server counts %v messages", got)
	}
	if _, ok := before[`frontline_queue_waiting{team="support",tier="t1"}`]; !ok {
		t.Errorf("the queue gauge does not list the configured support team's t1 line")
	}

	// The demo agent, away: the hand-off waits in line.
	agentToken := demoAgentToken(t, srv)
	agentWS := dialAgent(t, srv, agentToken)
	defer agentWS.Close()

	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL(), "http")+"/widget/ws?site=demo", http.Header{"Origin": {srv.URL()}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	defer ws.Close()
	c := &widgetCustomer{t: t, ws: ws}
	c.send(map[string]any{"type": "hello"})
	if f := c.next(); f.Type != "welcome" {
		t.Fatalf("first frame %+v, want welcome", f)
	}
	// (The server counts a socket a moment after its handshake.)
	waitMetric(t, srv, "one widget and one agent connection", func(m map[string]float64) bool {
		return m[`frontline_connections{socket="widget"}`] == 1 && m[`frontline_connections{socket="agent"}`] == 1
	})

	const question = "How do I reset my password?"
	outcome := map[string]string{"answer": "answered", "clarify": "clarified", "fallback": "fallback"}[askKind(c, "m1", question)]
	if outcome == "" {
		t.Fatal("the bot's first reply is not an answer, a clarification or a fallback")
	}
	c.ask("m2", "I want to talk to a real person now")
	m := waitMetric(t, srv, "the hand-off waiting in line", func(m map[string]float64) bool {
		return sumOf(m, "frontline_queue_waiting") == 1
	})
	for _, tc := range []struct {
		series string
		want   float64
	}{
		{`frontline_messages_total{author="customer"}`, 2},
		{`frontline_bot_decisions_total{outcome="` + outcome + `"}`, 1},
		{`frontline_bot_decisions_total{outcome="handed_off"}`, 1},
		{`frontline_handoffs_total{reason="human_request"}`, 1},
		{`frontline_message_ack_seconds_count`, 2},
		{`frontline_bot_reply_seconds_count`, 2},
	} {
		if got := m[tc.series]; got != tc.want {
			t.Errorf("%s = %v, want %v (decisions: answered %v, clarified %v, fallback %v, dropped %v)", tc.series, got, tc.want,
				m[`frontline_bot_decisions_total{outcome="answered"}`], m[`frontline_bot_decisions_total{outcome="clarified"}`],
				m[`frontline_bot_decisions_total{outcome="fallback"}`], m[`frontline_bot_decisions_total{outcome="dropped"}`])
		}
	}
	if got := m[`frontline_messages_total{author="bot"}`]; got < 1 {
		t.Errorf("bot messages = %v, want at least the answer", got)
	}
	if got := m[`frontline_handoff_claim_wait_seconds_count`]; got != 0 {
		t.Errorf("claim waits = %v before anyone took it", got)
	}

	// The agent goes online: routing gives them the waiting hand-off.
	if code := do(t, "PUT", srv.URL()+"/api/agent/me/presence", agentToken, `{"presence":"online"}`); code != http.StatusOK {
		t.Fatalf("going online: HTTP %d", code)
	}
	m = waitMetric(t, srv, "the hand-off assigned and the line empty", func(m map[string]float64) bool {
		return m[`frontline_handoff_claim_wait_seconds_count`] == 1 && sumOf(m, "frontline_queue_waiting") == 0
	})
	if got := m[`frontline_http_request_duration_seconds_count{code="200",route="PUT /api/agent/me/presence"}`]; got != 1 {
		t.Errorf("HTTP requests to PUT /api/agent/me/presence counted %v, want 1 (by pattern)", got)
	}

	// Nothing identifies the conversation or repeats the customer.
	req, _ := http.NewRequest("GET", srv.URL()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	body := readAll(t, req)
	conv := conversationOf(t, srv)
	for _, leak := range []string{conv, question, "boots"} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics contains %q", leak)
		}
	}
}

// askKind sends a message and returns the kind of the bot's reply to it.
func askKind(c *widgetCustomer, id, body string) string {
	c.t.Helper()
	c.send(map[string]any{"type": "message", "id": id, "body": body})
	var seq int64
	for {
		f := c.next()
		if f.Type == "ack" && f.ID == id {
			seq = f.MsgSeq
		}
		for _, m := range f.Messages {
			if seq > 0 && m.Seq > seq && m.Author == "bot" {
				return m.Kind
			}
		}
	}
}

// demoAgentToken is an API token of the in-memory demo's agent.
func demoAgentToken(t *testing.T, srv *Server) string {
	t.Helper()
	users, err := srv.people.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == "agent@example.com" {
			_, token, err := srv.people.CreateAPIToken(context.Background(), u, "metrics test", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return token
		}
	}
	t.Fatal("the demo has no agent@example.com")
	return ""
}

func dialAgent(t *testing.T, srv *Server, token string) *websocket.Conn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL(), "http")+handoff.SocketPath,
		http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("dial the agent socket: %v (%v)", err, resp)
	}
	// Keep reading so the server's writes never back up.
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	return ws
}

// conversationOf is the id of the one conversation in the queue.
func conversationOf(t *testing.T, srv *Server) string {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL()+"/api/handoffs", nil)
	req.Header.Set("Authorization", "Bearer "+adminAPIToken(t, srv))
	body := readAll(t, req)
	i := strings.Index(body, `"c_`)
	if i < 0 {
		t.Fatalf("no conversation in /api/handoffs: %s", body)
	}
	id, _, _ := strings.Cut(body[i+1:], `"`)
	return id
}

func readAll(t *testing.T, req *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String()
}
