package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/frontlinehq/frontline/bot/guard"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/obligation"
	"github.com/frontlinehq/frontline/widget"
)

// echoBot answers every customer message, citing nothing.
type echoBot struct{ log frontline.Log }

func (e echoBot) HandleMessage(ctx context.Context, conv *frontline.Conversation, msg frontline.Message) error {
	_, err := e.log.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{
		ConversationID: conv.ID, Author: frontline.AuthorBot, Body: "ok", Meta: frontline.MessageMeta{Kind: "answer", ReplyTo: msg.Seq},
	}, Answers: msg.Seq})
	return err
}

// benchAdminToken opens the bench server's /debug/widget/stats.
const benchAdminToken = "bench-admin-token-bench-admin-token"

func benchServer(t *testing.T) string {
	t.Helper()
	srv, _ := benchServerAndWidget(t)
	return srv.URL
}

func benchServerAndWidget(t *testing.T) (*httptest.Server, *widget.Server) {
	t.Helper()
	bus := memory.NewBus()
	store := memory.NewStore(bus)
	// Listen first: bench's default origin is the server's own, allowed
	// as configuration.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w, err := widget.New(widget.Config{
		Sites:       []widget.Site{{Key: "demo", AllowedOrigins: []string{"http://" + ln.Addr().String()}}},
		TokenSecret: []byte("bench-test-secret-bench-test-secret"),
		AdminToken:  benchAdminToken,
		Limits: widget.Limits{IPConnectBurst: 1000, IPMaxConnections: 1000, IPFrameBurst: 1000, IPFramesPerSecond: 1000,
			FramesPerSecond: 100, FrameBurst: 100},
	}, widget.Deps{Log: store, Bus: bus, Guard: guard.New(guard.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	worker := obligation.New(store, echoBot{store}, obligation.Options{Typing: w.BotTyping})
	worker.Start()
	srv := httptest.NewUnstartedServer(w.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		_ = w.Shutdown(context.Background())
		_ = worker.Stop(context.Background())
		srv.Close()
	})
	return srv, w
}

// Not parallel: the server's memory per connection is a heap difference,
// which other tests' allocations in this process would drown.
func TestBenchReportsLatencyAndMemory(t *testing.T) {
	url := benchServer(t)
	cases := []struct {
		name string
		args []string
		load bool
	}{
		{"load", []string{"--customers", "5", "--duration", "300ms", "--rate", "20"}, true},
		{"idle with a message each", []string{"--customers", "100", "--idle", "--idle-message"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := runBench(context.Background(), append([]string{"--url", url, "--json", "--admin-token", benchAdminToken}, tc.args...), &out, &errOut); err != nil {
				t.Fatalf("runBench: %v\n%s", err, errOut.String())
			}
			var res map[string]any
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out.String())
			}
			for _, k := range []string{"ack_p50_ms", "ack_p99_ms", "reply_p50_ms", "reply_p99_ms", "messages_per_s", "errors", "baseline_commit_p50_ms", "ack_ratio_p50", "server_kib_per_conn"} {
				if _, ok := res[k]; !ok {
					t.Errorf("JSON lacks %s", k)
				}
			}
			if want := tc.args[1]; res["errors"] != 0.0 || fmt.Sprint(res["connected"]) != want {
				t.Fatalf("errors %v, connected %v; want 0 and %s\n%s", res["errors"], res["connected"], want, out.String())
			}
			if tc.load && res["ws_ping_p50_ms"].(float64) <= 0 {
				t.Errorf("ws_ping_p50_ms = %v, want the websocket round trip under the load", res["ws_ping_p50_ms"])
			}
			if tc.load && (res["acked"].(float64) == 0 || res["replies"].(float64) != res["acked"].(float64)) {
				t.Fatalf("acked %v, replies %v: want every message acked and answered", res["acked"], res["replies"])
			}
			if check := fmt.Sprint(res["check"]); check != "map[answered_twice:0 duplicated:0 lost:0 out_of_order:0 unacked:0 unanswered:0 unchecked:0]" {
				t.Errorf("every client's counts %s, want all 0", check)
			}
			if res["server_kib_per_conn"].(float64) <= 0 {
				t.Errorf("server_kib_per_conn = %v, want the server's memory per connection", res["server_kib_per_conn"])
			}
		})
	}
}

func TestBenchRefusesBadFlags(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"remote host":     {"--url", "http://192.0.2.1:8080"},
		"too many":        {"--customers", "1000000"},
		"no customers":    {"--customers", "0"},
		"endless":         {"--duration", "24h"},
		"zero rate":       {"--rate", "0"},
		"stray argument":  {"extra"},
		"baseline, no DB": {"--baseline", "--url", "http://127.0.0.1:1"},
		"not a url":       {"--url", "ftp://127.0.0.1"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := runBench(context.Background(), args, io.Discard, io.Discard)
			if err == nil {
				t.Fatalf("runBench(%v) succeeded", args)
			}
			if !strings.Contains(err.Error(), "bench") {
				t.Errorf("error %q does not name the command", err)
			}
		})
	}
}

// Dropped sockets do not cost the customers anything: they reconnect with
// their token, resume by seq and resend what was not acknowledged, and
// every count at the end is 0.
func TestBenchSurvivesDroppedConnections(t *testing.T) {
	t.Parallel()
	srv, w := benchServerAndWidget(t)
	proxy := newCuttingProxy(t, srv.Listener.Addr().String())
	const customers = 5
	dropped := make(chan struct{})
	go func() {
		defer close(dropped)
		// Once the load runs (the ping probe is one more connection),
		// cut every socket.
		for w.ReadStats(0).Connections < customers+1 {
			time.Sleep(5 * time.Millisecond)
		}
		proxy.cut()
	}()
	var out, errOut bytes.Buffer
	// Through the proxy, with the page origin the server allows.
	args := []string{"--url", "http://" + proxy.ln.Addr().String(), "--origin", "http://" + srv.Listener.Addr().String(),
		"--admin-token", benchAdminToken, "--json", "--customers", "5", "--duration", "1s", "--rate", "10"}
	if err := runBench(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("runBench: %v\n%s", err, errOut.String())
	}
	<-dropped
	var res benchResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out.String())
	}
	if res.Reconnects < customers {
		t.Errorf("%d reconnects, want at least %d (every customer's socket was cut)", res.Reconnects, customers)
	}
	if res.Check != (benchCheck{}) {
		t.Errorf("counts after reconnecting: %+v, want all 0", res.Check)
	}
	if res.Acked == 0 || res.Replies != res.Acked {
		t.Errorf("acked %d, replies %d: want every message acked and answered", res.Acked, res.Replies)
	}
}

func TestBenchCountsWhatAClientSaw(t *testing.T) {
	t.Parallel()
	q := func(seq int64, id string) benchMessage {
		return benchMessage{Seq: seq, Author: "customer", ClientMsgID: id}
	}
	a := func(seq, to int64) benchMessage {
		return benchMessage{Seq: seq, Author: "bot", ReplyTo: to, Kind: "answer"}
	}
	h := func(seq, to int64) benchMessage {
		return benchMessage{Seq: seq, Author: "system", ReplyTo: to, Kind: "handoff"}
	}
	cases := []struct {
		name  string
		acked map[string]int64
		log   []benchMessage
		want  benchCheck
	}{
		{"all well", map[string]int64{"m1": 1, "m2": 3}, []benchMessage{q(1, "m1"), a(2, 1), q(3, "m2"), a(4, 3)}, benchCheck{}},
		{"lost", map[string]int64{"m1": 1, "m2": 3}, []benchMessage{q(1, "m1"), a(2, 1)}, benchCheck{Lost: 1}},
		{"at another seq", map[string]int64{"m1": 2}, []benchMessage{q(1, "m1"), a(2, 1)}, benchCheck{Lost: 1}},
		{"stored twice", map[string]int64{"m1": 1}, []benchMessage{q(1, "m1"), a(2, 1), q(3, "m1"), a(4, 3)}, benchCheck{Duplicated: 1}},
		{"gap", map[string]int64{"m1": 1}, []benchMessage{q(1, "m1"), a(3, 1)}, benchCheck{OutOfOrder: 1}},
		{"unanswered", map[string]int64{"m1": 1, "m2": 2}, []benchMessage{q(1, "m1"), q(2, "m2"), a(3, 2)}, benchCheck{Unanswered: 1}},
		{"answered twice", map[string]int64{"m1": 1}, []benchMessage{q(1, "m1"), a(2, 1), a(3, 1)}, benchCheck{AnsweredTwice: 1}},
		{"a person's after the hand-off", map[string]int64{"m1": 1, "m2": 2, "m3": 4}, []benchMessage{q(1, "m1"), q(2, "m2"), h(3, 1), q(4, "m3")}, benchCheck{}},
	}
	for _, tc := range cases {
		v := newBenchVisit()
		v.acked = tc.acked
		if got := v.count(tc.log); got != tc.want {
			t.Errorf("%s: counted %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// cuttingProxy forwards TCP connections to a server and can cut them all,
// as a server's death would.
type cuttingProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCuttingProxy(t *testing.T, target string) *cuttingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{ln: ln}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

func (p *cuttingProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
