package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// startServer runs a node on a free port with the given environment and
// flags; it is shut down when the test ends.
func startServer(t *testing.T, env map[string]string, args ...string) (*Server, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	getenv := func(k string) string { return env[k] }
	s, err := parseSettings(fs, append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, args...), getenv)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(s, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
	if err := startInProcess(srv); err != nil {
		return nil, err
	}
	return srv, nil
}

// migratedPeople makes a fresh, migrated schema and the sign-in service
// over it, for tests that run servers on PostgreSQL with people of their own.
func migratedPeople(t *testing.T) (*postgres.DB, string, *auth.Service) {
	t.Helper()
	db, schema := pgtest.NewUnmigratedDB(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	people, err := auth.New(postgres.NewAuthStore(db), auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db, schema, people
}

// startSlots bounds how many in-process servers start at once. A start on
// the in-memory store imports the demo knowledge base (training its ranker
// and calibrating its scores: about a second of CPU, ten under the race
// detector); a dozen parallel tests doing it together on a small CI
// machine used to run past their deadline.
var startSlots = make(chan struct{}, 2)

// startInProcess starts srv once a start slot is free, with a deadline
// that counts from then.
func startInProcess(srv *Server) error {
	startSlots <- struct{}{}
	defer func() { <-startSlots }()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // generous: the machine may be loaded
	defer cancel()
	return srv.Start(ctx)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeInMemory(t *testing.T) {
	t.Parallel()
	srv, err := startServer(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, srv.URL()+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, srv.URL()+"/readyz"); code != 200 || !strings.Contains(body, "memory") {
		t.Fatalf("/readyz = %d %q, want 200 naming the memory store", code, body)
	}
	if code, body := get(t, srv.URL()+"/"); code != 200 || !strings.Contains(body, "Acme") {
		t.Fatalf("/ in memory = %d, want the demo shop:\n%s", code, body)
	}
	// The demo's help centre bears the shop's name, not the generic one.
	if code, body := get(t, srv.URL()+"/kb/search?q=how+do+I+reset+my+password"); code != 200 || !strings.Contains(body, "<title>Search results for “how do I reset my password” · Acme Outfitters help</title>") ||
		!strings.Contains(body, `href="/kb/reset-password"`) {
		t.Fatalf("demo help centre search = %d, want the shop's name and the reset-password article:\n%s", code, body)
	}
}

// testDatabaseURL points serve at a fresh schema of its own.
func testDatabaseURL(schema string) string {
	u := pgtest.URL()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "search_path=" + schema + ",public"
}

func TestServeOnPostgres(t *testing.T) {
	t.Parallel()
	db, schema := pgtest.NewUnmigratedDB(t)
	env := map[string]string{"DATABASE_URL": testDatabaseURL(schema)}

	// Without --migrate an empty schema is refused, with a clear reason.
	_, err := startServer(t, env)
	var schemaErr *postgres.SchemaError
	if !errors.As(err, &schemaErr) || !strings.Contains(err.Error(), "frontline migrate") {
		t.Fatalf("serve on an unmigrated database: %v, want a schema error telling to migrate", err)
	}

	srv, err := startServer(t, env, "--migrate")
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, srv.URL()+"/readyz"); code != 200 || !strings.Contains(body, "postgres") {
		t.Fatalf("/readyz = %d %q, want 200 on postgres", code, body)
	}
	// Not a demo: / is a plain page with the help centre and the widget,
	// not the Acme shop.
	if code, body := get(t, srv.URL()+"/"); code != 200 || !strings.Contains(body, `href="/kb/"`) || !strings.Contains(body, "widget.js") || strings.Contains(body, "Acme") {
		t.Fatalf("/ on postgres = %d:\n%s\nwant the plain home page", code, body)
	}
	if v, err := db.SchemaVersion(context.Background()); err != nil || v != postgres.LatestVersion() {
		t.Fatalf("schema version after serve --migrate = %d, %v; want %d", v, err, postgres.LatestVersion())
	}

	// A schema from a newer binary is refused.
	if _, err := db.Pool().Exec(context.Background(), "INSERT INTO schema_migrations (version, name) VALUES ($1, 'future')", postgres.LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, srv.URL()+"/readyz"); code != 503 || !strings.Contains(body, "newer") {
		t.Fatalf("/readyz with a newer schema = %d %q, want 503 saying it is newer", code, body)
	}
	_, err = startServer(t, env)
	if !errors.As(err, &schemaErr) || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("serve on a newer schema: %v, want refusal", err)
	}
}

const unreachableURL = "postgres://postgres:hunter2secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"

func TestServeUnreachableDatabase(t *testing.T) {
	t.Parallel()
	_, err := startServer(t, map[string]string{"DATABASE_URL": unreachableURL})
	if err == nil {
		t.Fatal("serve started on an unreachable database")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "127.0.0.1:1") {
		t.Fatalf("error = %q, want one line naming the database", msg)
	}
	if strings.Contains(msg, "hunter2secret") {
		t.Fatalf("error leaks the database password: %q", msg)
	}
}

func TestServeWaitsForDatabase(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	env := map[string]string{"DATABASE_URL": unreachableURL, "FRONTLINE_WAIT_FOR_DB": "true"}
	s, err := parseSettings(fs, []string{"--addr", "127.0.0.1:0"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(s, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan error, 1)
	go func() { started <- srv.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-started; srv.Shutdown() })

	// Poll /readyz as a load balancer would, until it gives the reason.
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get(t, srv.URL()+"/readyz")
		if code == 503 && strings.Contains(body, "waiting for the database") {
			if strings.Contains(body, "hunter2secret") {
				t.Fatalf("/readyz leaks the password: %q", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %q, want 503 waiting for the database", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, _ := get(t, srv.URL()+"/healthz"); code != 200 {
		t.Fatalf("/healthz = %d while waiting for the database, want 200", code)
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		flag    string
		want    string
		wantErr bool
	}{
		{name: "default", flag: "addr", want: "127.0.0.1:8080"},
		{name: "env", env: map[string]string{"FRONTLINE_ADDR": ":9000"}, flag: "addr", want: ":9000"},
		{name: "flag beats env", env: map[string]string{"FRONTLINE_ADDR": ":9000"}, args: []string{"--addr", ":9001"}, flag: "addr", want: ":9001"},
		{name: "database url", env: map[string]string{"DATABASE_URL": "postgres://x"}, flag: "database-url", want: "postgres://x"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: true},
		{name: "stray argument", args: []string{"extra"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			s, err := parseSettings(fs, tt.args, func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && s[tt.flag] != tt.want {
				t.Fatalf("%s = %q, want %q", tt.flag, s[tt.flag], tt.want)
			}
		})
	}
	sites, err := parseSites("demo=http://a.test, https://b.test ; shop=https://shop.test")
	if err != nil || len(sites["demo"]) != 2 || sites["shop"][0] != "https://shop.test" {
		t.Fatalf("parseSites = %v, %v", sites, err)
	}
	if _, err := parseSites("=nokey"); err == nil {
		t.Fatal("parseSites accepted a site with no key")
	}
}

func TestLoggerScrubsSecrets(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	logger, err := newLogger(settings{"log-level": "info", "log-format": "json", "admin-token": "s3cr3t-admin-token"}, &b)
	if err != nil {
		t.Fatal(err)
	}
	logger.Info("request", "auth", "Bearer s3cr3t-admin-token", "err", errors.New("bad token s3cr3t-admin-token"))
	if strings.Contains(b.String(), "s3cr3t-admin-token") {
		t.Fatalf("log line leaks the admin token: %s", b.String())
	}
	logger.With("question", "my card is 4111 1111 1111 1111").Warn("search for password is Bluebird2019! failed", "text", "card 4111-1111-1111-1111")
	for _, secret := range []string{"4111 1111 1111 1111", "4111-1111-1111-1111", "Bluebird2019!"} {
		if strings.Contains(b.String(), secret) {
			t.Fatalf("log leaks %q: %s", secret, b.String())
		}
	}
}

// TestServeRefusesBeforeListening: on an unmigrated database serve exits
// with the reason and never logged that it was listening.
func TestServeRefusesBeforeListening(t *testing.T) {
	t.Parallel()
	_, schema := pgtest.NewUnmigratedDB(t)
	env := map[string]string{"DATABASE_URL": testDatabaseURL(schema)}
	var stdout, stderr strings.Builder
	err := runServe(t.Context(), []string{"--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, &stdout, &stderr)
	var schemaErr *postgres.SchemaError
	if !errors.As(err, &schemaErr) {
		t.Fatalf("serve on an unmigrated database = %v, want a schema error", err)
	}
	if strings.Contains(stderr.String(), "listening") {
		t.Errorf("serve logged listening before refusing the schema:\n%s", stderr.String())
	}
}

// TestServeHelpCentreLook: the help centre carries the configured name and
// colour; a colour that is not #rrggbb stops start-up.
func TestServeHelpCentreLook(t *testing.T) {
	t.Parallel()
	srv, err := startServer(t, map[string]string{"FRONTLINE_HELP_CENTRE_NAME": "Trailhead help", "FRONTLINE_HELP_CENTRE_COLOR": "#aa3300", "FRONTLINE_DEMO_KB": "false"})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, srv.URL()+"/kb/"); code != 200 || !strings.Contains(body, "Trailhead help") || !strings.Contains(body, "--accent:#aa3300") {
		t.Fatalf("/kb/ = %d without the configured name and colour:\n%s", code, body)
	}
	if _, err := startServer(t, map[string]string{"FRONTLINE_HELP_CENTRE_COLOR": "red;}", "FRONTLINE_DEMO_KB": "false"}); err == nil || !strings.Contains(err.Error(), "help-centre-color") {
		t.Fatalf("start with a bad colour = %v, want an error naming --help-centre-color", err)
	}
}

// TestAPIErrorShape: every JSON API (editor, hand-offs, widget endpoint)
// answers an error as {"error":{"code":…,"message":…}}.
func TestAPIErrorShape(t *testing.T) {
	t.Parallel()
	srv, err := startServer(t, map[string]string{"FRONTLINE_ADMIN_TOKEN": "a-long-enough-admin-token", "FRONTLINE_DEMO_KB": "false"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/kb/articles", 401, "unauthorized"},
		{"/api/handoffs", 401, "unauthorized"},
		{"/api/handoffs/", 401, "unauthorized"},
		{"/widget/ws?site=no-such-site", 403, "forbidden"},
	} {
		resp, err := http.Get(srv.URL() + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]map[string]string
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tt.status || len(body) != 1 || len(body["error"]) != 2 ||
			body["error"]["code"] != tt.code || body["error"]["message"] == "" {
			t.Errorf("GET %s = %d %v (%v), want %d {\"error\":{\"code\":%q,\"message\":…}}", tt.path, resp.StatusCode, body, err, tt.status, tt.code)
		}
	}
}
