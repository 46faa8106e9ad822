package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// canaryModel is an OpenAI-compatible chat endpoint that echoes the
// customer: its answers repeat the question (numbers and all) and cite the
// first passage offered; asked to "cite" a word, it cites that word. A model
// that parrots the customer is what makes the bot's reasons quote them.
func canaryModel(t *testing.T) string {
	t.Helper()
	passage := regexp.MustCompile(`\[(art_[A-Za-z0-9_-]+)\]`)
	citeWord := regexp.MustCompile(`cite (\w+)`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Role, Content string } `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) < 2 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		system, user := req.Messages[0].Content, req.Messages[len(req.Messages)-1].Content
		reply := "Summary: " + user // a hand-off summary repeats the transcript
		if m := passage.FindStringSubmatch(system); m != nil {
			reply = "You asked: " + user + " [" + m[1] + "]"
			if c := citeWord.FindStringSubmatch(user); c != nil {
				reply = "See [" + c[1] + "]."
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":%q}}]}`, reply)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// widgetCustomer is a bare protocol client for log tests.
type widgetCustomer struct {
	t  *testing.T
	ws *websocket.Conn
}

type wireFrame struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Code     string `json:"code"`
	MsgSeq   int64  `json:"msg_seq"`
	Messages []struct {
		Seq    int64  `json:"seq"`
		Author string `json:"author"`
		Kind   string `json:"kind"`
	} `json:"messages"`
}

func (c *widgetCustomer) send(f map[string]any) {
	c.t.Helper()
	f["v"] = 1
	if err := c.ws.WriteJSON(f); err != nil {
		c.t.Fatalf("send %v: %v", f["type"], err)
	}
}

func (c *widgetCustomer) next() wireFrame {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var f wireFrame
	if err := c.ws.ReadJSON(&f); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if f.Type == "error" {
		c.t.Fatalf("server error frame: %+v", f)
	}
	return f
}

// ask sends a message and waits for its ack and for the bot's (or the
// hand-off's) answer after it.
func (c *widgetCustomer) ask(id, body string) {
	c.t.Helper()
	c.send(map[string]any{"type": "message", "id": id, "body": body})
	var seq int64
	for {
		f := c.next()
		if f.Type == "ack" && f.ID == id {
			seq = f.MsgSeq
		}
		for _, m := range f.Messages {
			if seq > 0 && m.Seq > seq && m.Author != "customer" {
				return
			}
		}
	}
}

// request sends a frame with an id and waits for its ack.
func (c *widgetCustomer) request(f map[string]any) {
	c.t.Helper()
	c.send(f)
	for {
		if g := c.next(); g.Type == "ack" && g.ID == f["id"] {
			return
		}
	}
}

// TestLogsCarryNoCustomerText sends canary strings through every path a
// customer's or an editor's words take (the widget, the bot with a model
// that echoes them, kb search, the hand-off and its model summary, the
// editor API, the help centre) on the real wiring, and fails if one reaches
// the log at info level or above.
func TestLogsCarryNoCustomerText(t *testing.T) {
	t.Parallel()
	botConfig := filepath.Join(t.TempDir(), "bot.json")
	if err := os.WriteFile(botConfig, []byte(`{"llm": {"summaries": true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	const debugToken = "canary-admin-token-0123456789"
	srv, logs := startLoggedServer(t, map[string]string{
		"FRONTLINE_ADMIN_TOKEN": debugToken,
		"FRONTLINE_LLM_URL":     canaryModel(t),
		"FRONTLINE_LLM_MODEL":   "echo",
		"FRONTLINE_BOT_CONFIG":  botConfig,
		// Confident enough to ask the model for every answer.
		"FRONTLINE_SEARCH_THRESHOLD": "0.01",
		// Two articles of its own instead: importing the demo's takes long.
		"FRONTLINE_DEMO_KB": "false",
	}, "info")
	// The editor and hand-off APIs take a signed-in person: an admin's API token.
	token := adminAPIToken(t, srv)
	canaries := map[string]string{
		"widget question": "Quokkacanary",
		"order number":    "73914562",
		"cited word":      "Wombatcanary",
		"hand-off":        "Numbatcanary",
		"csat comment":    "Dingocanary",
		"contact email":   "bilby.canary@example.org",
		"editor question": "Echidnacanary",
		"article":         "Potoroocanary",
		"phrasing":        "Bettongcanary",
		"preview":         "Possumcanary",
	}

	api := func(method, path, body string, want int) {
		t.Helper()
		if got := do(t, method, srv.URL()+path, token, body); got != want {
			t.Fatalf("%s %s: HTTP %d, want %d", method, path, got, want)
		}
	}
	articleID := func(slug string) string {
		t.Helper()
		var list struct{ Articles []struct{ ID, Slug string } }
		req, _ := http.NewRequest("GET", srv.URL()+"/api/kb/articles", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		if err := json.NewDecoder(r.Body).Decode(&list); err != nil {
			t.Fatal(err)
		}
		for _, a := range list.Articles {
			if a.Slug == slug {
				return a.ID
			}
		}
		t.Fatalf("article %s not listed: %+v", slug, list)
		return ""
	}
	for slug, text := range map[string]string{
		"returns":        `{"slug":"returns","title":"Returning boots and other items","body":"You can return boots and other items within 30 days. Start a return from your order page and print the label."}`,
		"reset-password": `{"slug":"reset-password","title":"Reset your password","body":"To reset your password, choose Forgot password on the sign-in page and follow the link we email you."}`,
	} {
		api("POST", "/api/kb/articles", text, 201)
		api("POST", "/api/kb/articles/"+articleID(slug)+"/publish", `{}`, 200)
	}

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
	c.ask("m1", "How do I return my boots? "+canaries["widget question"]+" is my dog, order "+canaries["order number"])
	c.ask("m2", "How do I reset my password? Please cite "+canaries["cited word"])
	c.ask("m3", "I want to talk to a real person now, "+canaries["hand-off"])
	c.request(map[string]any{"type": "csat", "id": "c1", "rating": 2, "comment": "meh " + canaries["csat comment"]})
	c.request(map[string]any{"type": "contact", "id": "e1", "email": canaries["contact email"]})

	api("POST", "/api/kb/ask", `{"question":"return boots `+canaries["editor question"]+`"}`, 200)
	api("POST", "/api/kb/preview", `{"markdown":"# `+canaries["preview"]+`"}`, 200)
	api("POST", "/api/kb/articles", `{"slug":"canary","title":"`+canaries["article"]+`","body":"All about `+canaries["article"]+`."}`, 201)
	id := articleID("canary")
	api("POST", "/api/kb/articles/"+id+"/phrasings", `{"text":"what is `+canaries["phrasing"]+`"}`, 201)
	api("POST", "/api/kb/articles/"+id+"/publish", `{}`, 200)
	api("GET", "/kb/canary", "", 200)
	api("GET", "/api/handoffs", "", 200)
	api("GET", "/api/kb/unanswered", "", 200)

	out := logs.String()
	if !strings.Contains(out, "kb search") {
		t.Fatalf("the log shows no kb search: the test did not reach the bot\n%s", out)
	}
	for path, canary := range canaries {
		if strings.Contains(out, canary) {
			t.Errorf("the %s (%q) reached the log:\n%s", path, canary, out)
		}
	}
}
