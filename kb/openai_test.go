package kb_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/kb"
)

// fakeEndpoint answers /embeddings like an OpenAI-compatible server.
type fakeEndpoint struct {
	dim      int
	key      string
	failures int32 // answer this many requests with failStatus first
	status   int
	delay    time.Duration
	calls    atomic.Int32

	mu      sync.Mutex // guards batches: a timed-out request may still be in the handler
	batches []int
}

func (f *fakeEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.calls.Add(1)
	if r.URL.Path != "/v1/embeddings" {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`))
		return
	}
	if n <= f.failures {
		w.WriteHeader(f.status)
		w.Write([]byte(`{"error":{"message":"try later"}}`))
		return
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	var req struct {
		Input []string `json:"input"`
		Model string   `json:"model"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.batches = append(f.batches, len(req.Input))
	f.mu.Unlock()
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string  `json:"object"`
		Data   []datum `json:"data"`
		Model  string  `json:"model"`
	}{Object: "list", Model: req.Model}
	for i, text := range req.Input {
		v := make([]float32, f.dim)
		v[len(text)%f.dim] = 1
		resp.Data = append(resp.Data, datum{Object: "embedding", Index: i, Embedding: v})
	}
	json.NewEncoder(w).Encode(resp)
}

func setupOpenAI(t *testing.T, f *fakeEndpoint, opts kb.OpenAIOptions) *kb.OpenAIEmbedder {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	if opts.BaseURL == "" {
		opts.BaseURL = srv.URL + "/v1"
	}
	opts.Model = "test-embed"
	if opts.APIKey == "" {
		opts.APIKey = f.key
	}
	if opts.Dimension == 0 {
		opts.Dimension = 8
	}
	opts.RetryBase = time.Millisecond
	e, err := kb.NewOpenAIEmbedder(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOpenAIEmbedderBatchesAndRetries(t *testing.T) {
	t.Parallel()
	f := &fakeEndpoint{dim: 8, key: "sk-test", failures: 2, status: http.StatusTooManyRequests}
	e := setupOpenAI(t, f, kb.OpenAIOptions{BatchSize: 2})
	texts := []string{"a", "bb", "ccc", "dddd", "eeeee"}
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("got %d vectors, want %d", len(vecs), len(texts))
	}
	for i, v := range vecs {
		if len(v) != 8 || v[len(texts[i])%8] != 1 {
			t.Errorf("vector %d = %v, want a unit vector at %d (order kept)", i, v, len(texts[i])%8)
		}
	}
	f.mu.Lock()
	got := slices.Clone(f.batches)
	f.mu.Unlock()
	if want := []int{2, 2, 1}; len(got) != len(want) || got[0] != 2 || got[2] != 1 {
		t.Errorf("batches = %v, want %v", got, want)
	}
	if got := f.calls.Load(); got != 5 {
		t.Errorf("calls = %d, want 5 (2 throttled + 3 batches)", got)
	}
}

func TestOpenAIEmbedderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		endpoint *fakeEndpoint
		opts     kb.OpenAIOptions
		code     string
		msg      string
	}{
		{"wrong key", &fakeEndpoint{dim: 8, key: "sk-right"}, kb.OpenAIOptions{APIKey: "sk-wrong"}, frontline.EUnauthorized, "rejected the API key"},
		{"wrong dimension", &fakeEndpoint{dim: 4, key: "k"}, kb.OpenAIOptions{Dimension: 8}, frontline.EUnavailable, "dimension 4, configured 8"},
		{"server keeps failing", &fakeEndpoint{dim: 8, key: "k", failures: 100, status: http.StatusBadGateway}, kb.OpenAIOptions{Retries: 2}, frontline.EUnavailable, "gave up after 2 retries"},
		{"timeout", &fakeEndpoint{dim: 8, key: "k", delay: time.Second}, kb.OpenAIOptions{Timeout: 20 * time.Millisecond, Retries: 1}, frontline.EUnavailable, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setupOpenAI(t, tt.endpoint, tt.opts)
			_, err := e.Embed(context.Background(), []string{"hello"})
			if frontline.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want code %s mentioning %q", err, tt.code, tt.msg)
			}
			if err != nil && strings.Contains(err.Error(), "sk-") {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
	t.Run("wrong endpoint", func(t *testing.T) {
		t.Parallel()
		f := &fakeEndpoint{dim: 8, key: "k"}
		srv := httptest.NewServer(f)
		t.Cleanup(srv.Close)
		e, err := kb.NewOpenAIEmbedder(kb.OpenAIOptions{BaseURL: srv.URL + "/wrong", Model: "m", APIKey: "k", Dimension: 8})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Embed(context.Background(), []string{"x"})
		if frontline.ErrorCode(err) != frontline.EUnavailable || !strings.Contains(err.Error(), "404") {
			t.Errorf("err = %v, want EUnavailable naming HTTP 404", err)
		}
	})
	t.Run("bad options", func(t *testing.T) {
		t.Parallel()
		for _, o := range []kb.OpenAIOptions{{Model: "m", Dimension: 8}, {BaseURL: "http://x", Dimension: 8}, {BaseURL: "http://x", Model: "m"}} {
			if _, err := kb.NewOpenAIEmbedder(o); frontline.ErrorCode(err) != frontline.EInvalid {
				t.Errorf("NewOpenAIEmbedder(%+v) = %v, want EInvalid", o, err)
			}
		}
	})
}
