package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/frontlinehq/frontline/bot/guard"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

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

func benchServer(t *testing.T) string {
	t.Helper()
	bus := memory.NewBus()
	store := memory.NewStore(bus)
	w, err := widget.New(widget.Config{
		Sites:       []widget.Site{{Key: "demo", AllowSameHost: true}},
		TokenSecret: []byte("bench-test-secret-bench-test-secret"),
		Limits:      widget.Limits{IPConnectBurst: 1000, IPFrameBurst: 1000, IPFramesPerSecond: 1000, FramesPerSecond: 100, FrameBurst: 100},
	}, widget.Deps{Log: store, Bus: bus, Guard: guard.New(guard.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	worker := obligation.New(store, echoBot{store}, obligation.Options{Typing: w.BotTyping})
	worker.Start()
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(func() {
		_ = w.Shutdown(context.Background())
		_ = worker.Stop(context.Background())
		srv.Close()
	})
	return srv.URL
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
			if err := runBench(context.Background(), append([]string{"--url", url, "--json"}, tc.args...), &out, &errOut); err != nil {
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
