package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline/internal/pgtest"
)

// walkthroughNames are the only edits the test makes to the README's
// commands: the role and database name, unique per run, so runs never meet
// (roles are global to the PostgreSQL cluster) and a developer's own
// "frontline" database is never touched. Each must occur in the block.
var walkthroughNames = []string{
	"createuser frontline",
	"ALTER ROLE frontline ",
	"--owner frontline frontline",
	"-d frontline ",
	"postgres://frontline:",
	"/frontline?",
}

// TestREADMEPostgresWalkthrough runs the README's PostgreSQL walkthrough
// as written, against the local PostgreSQL (127.0.0.1:5432, as the
// postgres superuser): role, database, extension, build, migrate, import,
// serve; then checks what a new user would open.
func TestREADMEPostgresWalkthrough(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	commands, err := walkthroughCommands(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	name := "fl_walkthrough_" + randomSuffix(t)
	dropRoleAndDatabase(t, name)
	script := strings.Join(commands, "\n")
	for _, s := range walkthroughNames {
		if !strings.Contains(script, s) {
			t.Fatalf("README walkthrough no longer contains %q; update walkthroughNames", s)
		}
		script = strings.ReplaceAll(script, s, strings.ReplaceAll(s, "frontline", name))
	}
	lines := strings.Split(script, "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "bin/frontline serve") {
		t.Fatalf("the walkthrough's last command is %q, want bin/frontline serve", last)
	}
	// The server replaces the shell, so SIGTERM reaches it.
	script = "set -euo pipefail\n" + strings.Join(lines[:len(lines)-1], "\n") + "\nexec " + last + "\n"

	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = "../.."
	cmd.Env = append(cleanEnv(), "FRONTLINE_ADDR=127.0.0.1:0") // a free port instead of 8080
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	var mu sync.Mutex
	var log []string
	ready := make(chan string, 1) // the address, once serving
	done := make(chan struct{})
	go func() {
		defer close(done)
		addrRE := regexp.MustCompile(`msg=listening addr=(\S+)`)
		var addr string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			log = append(log, sc.Text())
			mu.Unlock()
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				addr = m[1]
			}
			if strings.Contains(sc.Text(), "msg=ready") {
				ready <- addr
			}
		}
	}()
	output := func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(log, "\n") }

	var url string
	select {
	case url = <-ready:
	case <-done:
		cmd.Wait()
		t.Fatalf("the walkthrough stopped before serving:\n%s", output())
	case <-time.After(5 * time.Minute):
		t.Fatalf("the walkthrough did not serve within 5 minutes:\n%s", output())
	}
	for _, want := range []string{"applied migrations", "articles: 36 created"} {
		if !strings.Contains(output(), want) {
			t.Errorf("the walkthrough's output lacks %q:\n%s", want, output())
		}
	}
	checks := []struct {
		path       string
		want, dont string
	}{
		{"/readyz", "ok (postgres)", ""},
		{"/", `href="/kb/"`, "Acme Outfitters"}, // not the demo shop
		{"/kb/", `id="billing"`, ""},
		{"/kb/search?q=when+will+I+get+my+refund", `href="/kb/refund-timeline"`, ""},
	}
	for _, c := range checks {
		code, body := get(t, url+c.path)
		if code != 200 || !strings.Contains(body, c.want) || c.dont != "" && strings.Contains(body, c.dont) {
			t.Errorf("GET %s = %d, want 200 with %q (and without %q):\n%.2000s", c.path, code, c.want, c.dont, body)
		}
	}

	// Invariant 9: a reader's search never reaches the logs at info level.
	if strings.Contains(output(), "when will I get my refund") {
		t.Errorf("the log carries the help-centre search:\n%s", output())
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, output())
	}
	t.Logf("the walkthrough's output:\n%s", output())
}

// walkthroughCommands returns the command lines of the README's marked
// PostgreSQL block: no comments, no blank lines, trailing comments kept
// (bash ignores them).
func walkthroughCommands(readme string) ([]string, error) {
	const begin, end = "<!-- postgres-walkthrough:", "<!-- end postgres-walkthrough -->"
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		return nil, fmt.Errorf("README.md has no %q ... %q block", begin, end)
	}
	block := readme[i:j]
	fence := strings.Index(block, "```sh\n")
	if fence < 0 {
		return nil, fmt.Errorf("the walkthrough block has no ```sh fence")
	}
	block = block[fence+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]
	var out []string
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the walkthrough block has no commands")
	}
	return out, nil
}

// cleanEnv is this process's environment without anything that would
// configure Frontline or PostgreSQL behind the README's back.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "DATABASE_URL" || strings.HasPrefix(k, "FRONTLINE_") || strings.HasPrefix(k, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// dropRoleAndDatabase removes name's database and role when the test ends.
func dropRoleAndDatabase(t *testing.T, name string) {
	t.Cleanup(func() {
		// DROP DATABASE waits for a checkpoint: minutes on a loaded machine.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, pgtest.URL())
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		for _, sql := range []string{
			"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)",
			"DROP ROLE IF EXISTS " + name,
		} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Errorf("%s: %v", sql, err)
			}
		}
	})
}

func randomSuffix(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
