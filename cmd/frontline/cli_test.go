package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// helpCommands are the nested commands `-h` must work for, beyond the
// top-level ones in subcommands.
var helpCommands = [][]string{
	{"-h"}, {"--help"}, {"-help"}, {"help"}, {"help", "kb"}, {"help", "eval"},
	{"serve", "-h"}, {"serve", "--help"}, {"migrate", "-h"}, {"version", "-h"},
	{"kb", "-h"}, {"kb", "help"}, {"kb", "import", "-h"}, {"kb", "import-phrasings", "--help"}, {"kb", "export", "-h"},
	{"eval", "-h"}, {"eval", "--help"}, {"eval", "retrieval", "-h"}, {"eval", "escalation", "--help"},
	{"bench", "-h"},
}

// TestHelp: every way of asking for help prints a usage on stdout, with
// named arguments and no Go package names, and exits 0.
func TestHelp(t *testing.T) {
	t.Parallel()
	cases := helpCommands
	for name := range subcommands {
		cases = append(cases, []string{name, "-h"}, []string{name, "--help"})
	}
	placeholder := regexp.MustCompile(`--[a-z-]+ value\b|Usage of `)
	internals := regexp.MustCompile(`\bkb\.[A-Z]|\bfrontline\.[A-Z]|\bOPENAI_|\bEMBEDDING_`)
	for _, args := range cases {
		var stdout, stderr bytes.Buffer
		err := dispatch(t.Context(), args, &stdout, &stderr)
		out := stdout.String()
		if code := exitCode(err); err != nil && code != 0 {
			t.Errorf("frontline %s: exit %d (%v), want 0", strings.Join(args, " "), code, err)
		}
		if !strings.Contains(out, "Usage") {
			t.Errorf("frontline %s: stdout has no usage:\n%s\nstderr:\n%s", strings.Join(args, " "), out, stderr.String())
		}
		if stderr.Len() > 0 {
			t.Errorf("frontline %s: wrote to stderr: %s", strings.Join(args, " "), stderr.String())
		}
		if m := placeholder.FindString(out); m != "" {
			t.Errorf("frontline %s: usage says %q:\n%s", strings.Join(args, " "), m, out)
		}
		if m := internals.FindString(out); m != "" {
			t.Errorf("frontline %s: usage names Go internals or old settings (%q):\n%s", strings.Join(args, " "), m, out)
		}
	}
}

// TestUsageListsEveryCommand: the top-level usage names every command the
// binary has.
func TestUsageListsEveryCommand(t *testing.T) {
	t.Parallel()
	for name := range subcommands {
		if !strings.Contains(usage, "frontline "+name) {
			t.Errorf("the usage does not list %q", name)
		}
	}
	for name := range evalKinds {
		if !strings.Contains(usage, "frontline eval "+name) {
			t.Errorf("the usage does not list eval %q", name)
		}
	}
	for name := range kbCommands {
		if !strings.Contains(usage, "frontline kb "+name) {
			t.Errorf("the usage does not list kb %q", name)
		}
	}
}

// TestUsageMistakes exit 2 with the usage on stderr.
func TestUsageMistakes(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"nope"}, {"kb"}, {"kb", "nope"}, {"kb", "import"}, {"eval"}, {"eval", "nope"},
		{"serve", "--nope"}, {"migrate", "--nope"}, {"migrate", "extra"}, {"eval", "escalation"}, {"eval", "retrieval"}, {"bench", "--nope"},
	} {
		var stdout, stderr bytes.Buffer
		err := dispatch(t.Context(), args, &stdout, &stderr)
		if code := exitCode(err); code != 2 {
			t.Errorf("frontline %s: exit %d (%v), want 2", strings.Join(args, " "), code, err)
		}
		if !strings.Contains(stderr.String(), "Usage") {
			t.Errorf("frontline %s: stderr has no usage: %q", strings.Join(args, " "), stderr.String())
		}
	}
}

// TestHelpHidesSecrets: a secret in the environment never shows as a
// flag's default in help.
func TestHelpHidesSecrets(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": "postgres://u:hunter2secret@db/x", "FRONTLINE_ADMIN_TOKEN": "hunter2secrettoken"}
	getenv := func(k string) string { return env[k] }
	var stdout, stderr bytes.Buffer
	for _, run := range []func() error{
		func() error { return runServe(t.Context(), []string{"-h"}, getenv, &stdout, &stderr) },
		func() error { return runMigrate(t.Context(), []string{"-h"}, getenv, &stdout, &stderr) },
		func() error { return runKBWith(t.Context(), []string{"import", "-h"}, getenv, &stdout, &stderr) },
	} {
		if err := run(); exitCode(err) != 0 {
			t.Fatalf("help: %v", err)
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), "hunter2") {
		t.Errorf("help shows a secret:\n%s", stdout.String())
	}
}

// TestBinaryHelpExitsZero runs the built binary as a user would.
func TestBinaryHelpExitsZero(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"eval", "--help"}, {"kb", "import", "-h"}, {"eval", "retrieval", "-h"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("frontline %s: %v", strings.Join(args, " "), err)
		}
		if !strings.Contains(string(out), "Usage") {
			t.Errorf("frontline %s printed no usage on stdout: %q", strings.Join(args, " "), out)
		}
	}
}

// TestEvalRetrievalReadsServeSettings: eval retrieval embeds through the
// endpoint, model and key serve would use (FRONTLINE_EMBEDDINGS_*).
func TestEvalRetrievalReadsServeSettings(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var mu sync.Mutex
	var models, keys []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mu.Lock()
		models, keys = append(models, req.Model), append(keys, r.Header.Get("Authorization"))
		mu.Unlock()
		type datum struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		resp := struct {
			Object string  `json:"object"`
			Data   []datum `json:"data"`
		}{Object: "list"}
		for i, text := range req.Input {
			v := make([]float32, 8)
			v[len(text)%8] = 1
			resp.Data = append(resp.Data, datum{Index: i, Embedding: v})
		}
		json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(fake.Close)

	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "train.csv"), []byte("text,label\nwhere is my parcel,shipping\nhow long does delivery take,shipping\ncan I return shoes,returns\nrefund for a return,returns\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "test.csv"), []byte("text,label\nparcel late,shipping\nsend shoes back,returns\n"), 0o644))
	env := map[string]string{
		"FRONTLINE_EMBEDDER":             "openai",
		"FRONTLINE_EMBEDDINGS_URL":       fake.URL + "/v1",
		"FRONTLINE_EMBEDDINGS_KEY":       "k-test-1",
		"FRONTLINE_EMBEDDINGS_MODEL":     "model-from-frontline-env",
		"FRONTLINE_EMBEDDINGS_DIMENSION": "8",
	}
	var stdout, stderr bytes.Buffer
	err := runEvalRetrievalWith(t.Context(), []string{"--phrasings", filepath.Join(dir, "train.csv"), "--questions", filepath.Join(dir, "test.csv"), "--json"},
		func(k string) string { return env[k] }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("eval retrieval: %v\n%s", err, stderr.String())
	}
	if calls.Load() == 0 {
		t.Fatal("eval retrieval never called the FRONTLINE_EMBEDDINGS_URL endpoint")
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range models {
		if models[i] != "model-from-frontline-env" || keys[i] != "Bearer k-test-1" {
			t.Fatalf("request %d: model %q, auth %q; want FRONTLINE_EMBEDDINGS_MODEL and _KEY", i, models[i], keys[i])
		}
	}
	if !strings.Contains(stdout.String(), `"embedder":"openai-model-from-frontline-env-d8"`) {
		t.Errorf("report does not name the configured embedder: %s", stdout.String())
	}
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryDir  string
)

// buildBinary builds cmd/frontline once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "frontline-bin-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "frontline")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = &buildError{err: err, out: string(out)}
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}
