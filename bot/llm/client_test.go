package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer is an OpenAI-compatible endpoint whose reply to each request
// the test chooses; it records what it was asked.
type fakeServer struct {
	*httptest.Server
	calls atomic.Int32
	mu    sync.Mutex
	reqs  []map[string]any
	auth  []string
}

func newFakeServer(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request)) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.reqs = append(f.reqs, body)
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		reply(int(f.calls.Add(1)), w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func writeCompletion(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}]}`, text)
}

func writeStream(w http.ResponseWriter, pieces ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, p := range pieces {
		fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", p)
		w.(http.Flusher).Flush()
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

type bundle struct {
	server *fakeServer
	waits  *[]time.Duration
}

func setup(t *testing.T, cfg Config, reply func(n int, w http.ResponseWriter, r *http.Request)) (*Client, bundle) {
	t.Helper()
	srv := newFakeServer(t, reply)
	cfg.BaseURL = srv.URL + "/v1"
	if cfg.Model == "" {
		cfg.Model = "test-model"
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return c, bundle{server: srv, waits: &waits}
}

var question = []Message{{Role: RoleSystem, Content: "answer from passages"}, {Role: RoleUser, Content: "how do returns work?"}}

func TestComplete(t *testing.T) {
	t.Parallel()
	c, b := setup(t, Config{APIKey: "sk-test"}, func(n int, w http.ResponseWriter, r *http.Request) {
		writeCompletion(w, "Returns are free within 30 days [art_1].")
	})
	got, err := c.Complete(context.Background(), question, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Returns are free within 30 days [art_1]."; got != want {
		t.Fatalf("reply = %q, want %q", got, want)
	}
	req := b.server.reqs[0]
	msgs, _ := req["messages"].([]any)
	if req["model"] != "test-model" || len(msgs) != 2 || b.server.auth[0] != "Bearer sk-test" {
		t.Fatalf("request = %v (auth %q), want the model, both messages and the key", req, b.server.auth[0])
	}
}

func TestCompleteStreaming(t *testing.T) {
	t.Parallel()
	c, b := setup(t, Config{Stream: true}, func(n int, w http.ResponseWriter, r *http.Request) {
		writeStream(w, "Returns ", "are free ", "[art_1].")
	})
	var pieces []string
	got, err := c.Complete(context.Background(), question, func(d string) { pieces = append(pieces, d) })
	if err != nil {
		t.Fatal(err)
	}
	if got != "Returns are free [art_1]." || len(pieces) != 3 {
		t.Fatalf("reply %q from pieces %q, want the three pieces joined", got, pieces)
	}
	if b.server.reqs[0]["stream"] != true {
		t.Fatalf("request did not ask to stream: %v", b.server.reqs[0])
	}
}

func TestCompleteTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	// The deadline must outlast the request's trip to the fake server on a
	// loaded machine, or no call is seen at all and the count proves nothing.
	c, b := setup(t, Config{Timeout: time.Second}, func(n int, w http.ResponseWriter, r *http.Request) {
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	_, err := c.Complete(context.Background(), question, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the deadline exceeded", err)
	}
	if n := b.server.calls.Load(); n != 1 {
		t.Fatalf("%d calls, want 1: a timeout is not retried", n)
	}
}

func TestCompleteRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		failures  int
		status    int
		wantErr   bool
		wantCalls int32
	}{
		{"429 then success", 1, http.StatusTooManyRequests, false, 2},
		{"two 503 then success", 2, http.StatusServiceUnavailable, false, 3},
		{"429 beyond the retries", 5, http.StatusTooManyRequests, true, 3},
		{"400 is not retried", 5, http.StatusBadRequest, true, 1},
		{"401 is not retried", 5, http.StatusUnauthorized, true, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, b := setup(t, Config{RetryBackoff: 10 * time.Millisecond}, func(n int, w http.ResponseWriter, r *http.Request) {
				if n <= tc.failures {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tc.status)
					fmt.Fprint(w, `{"error":{"message":"slow down","type":"rate_limit"}}`)
					return
				}
				writeCompletion(w, "ok")
			})
			got, err := c.Complete(context.Background(), question, nil)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != "ok" {
				t.Fatalf("reply = %q, want ok", got)
			}
			if n := b.server.calls.Load(); n != tc.wantCalls {
				t.Fatalf("%d calls, want %d", n, tc.wantCalls)
			}
			for i, d := range *b.waits {
				if want := 10 * time.Millisecond << i; d != want {
					t.Fatalf("wait %d = %v, want %v (doubling)", i, d, want)
				}
			}
		})
	}
}

func TestCompleteMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		stream bool
		write  func(w http.ResponseWriter)
		want   error // nil: any error
	}{
		{"truncated JSON", false, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"id":"c1","choices":[{"message":{"content":"Ret`)
		}, nil},
		{"not JSON", false, func(w http.ResponseWriter) { fmt.Fprint(w, "<html>gateway</html>") }, nil},
		{"no choices", false, func(w http.ResponseWriter) { fmt.Fprint(w, `{"id":"c1","choices":[]}`) }, ErrEmpty},
		{"empty text", false, func(w http.ResponseWriter) { writeCompletion(w, "  ") }, ErrEmpty},
		{"bad stream chunk", true, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{\"content\":\"Re\"}}]}\n\ndata: {oops\n\n")
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, b := setup(t, Config{Stream: tc.stream}, func(n int, w http.ResponseWriter, r *http.Request) { tc.write(w) })
			got, err := c.Complete(context.Background(), question, nil)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Complete = %q, %v; want an error (%v)", got, err, tc.want)
			}
			if n := b.server.calls.Load(); n != 1 {
				t.Fatalf("%d calls, want 1: a malformed reply is not retried", n)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{Model: "m"}, {BaseURL: "http://x/v1"}, {BaseURL: " ", Model: "m"}} {
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "required") {
			t.Errorf("New(%+v) = %v, want a required-field error", cfg, err)
		}
	}
}
