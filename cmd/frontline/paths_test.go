package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/pgtest"
)

func startLoggedServer(t *testing.T, env map[string]string, level string) (*Server, *syncBuffer) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s, err := parseSettings(fs, []string{"--addr", "127.0.0.1:0", "--log-level", level, "--log-format", "text"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, err := NewServer(s, logs)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	if err := startInProcess(srv); err != nil {
		t.Fatal(err)
	}
	return srv, logs
}

// do sends one request with the admin token and returns its status.
func do(t *testing.T, method, url, token, body string) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestPathParametersNeverReachTheStore: text that cannot be a slug or an id
// (a NUL, invalid UTF-8, a path) in any route's parameter is answered 404
// (400 for a malformed filter) before any query, on PostgreSQL, with no
// ERROR in the log. Before, /kb/%00 answered 500 and logged an ERROR.
func TestPathParametersNeverReachTheStore(t *testing.T) {
	t.Parallel()
	_, schema := pgtest.NewUnmigratedDB(t)
	const debugToken = "paths-admin-token-0123456789"
	srv, logs := startLoggedServer(t, map[string]string{
		"DATABASE_URL":          testDatabaseURL(schema),
		"FRONTLINE_MIGRATE":     "true",
		"FRONTLINE_DEMO_KB":     "false",
		"FRONTLINE_ADMIN_TOKEN": debugToken,
	}, "info")
	// The editor and hand-off APIs take a signed-in person: an admin's API token.
	token := adminAPIToken(t, srv)
	bad := []string{"%00", "%ff", "a%00b", "%c3%28", "%e2%28%a1", "..%2f..%2fetc%2fpasswd", "UPPER", "x%20y", strings.Repeat("a", 300), "%f0%9f%92%a9"}
	routes := []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/kb/{p}", "", 404},
		{"GET", "/api/kb/articles/{p}", "", 404},
		{"PATCH", "/api/kb/articles/{p}", `{"title":"t"}`, 404},
		{"POST", "/api/kb/articles/{p}/submit", "", 404},
		{"POST", "/api/kb/articles/{p}/publish", `{}`, 404},
		{"POST", "/api/kb/articles/{p}/archive", "", 404},
		{"GET", "/api/kb/articles/{p}/revisions", "", 404},
		{"POST", "/api/kb/articles/{p}/rollback", `{"revision_id":"rev_x"}`, 404},
		{"POST", "/api/kb/articles/{p}/phrasings", `{"text":"where is my parcel"}`, 404},
		{"DELETE", "/api/kb/phrasings/{p}", "", 404},
		{"GET", "/api/handoffs/{p}", "", 400}, // 404 for text that is an id ("UPPER")
		{"GET", "/editor/assets/{p}", "", 404},
		// /widget/{hash}/widget.js answers any hash with the current
		// script (an old hash after a deploy) and reads no store.
	}
	for _, rt := range routes {
		for _, p := range bad {
			url := srv.URL() + strings.Replace(rt.path, "{p}", p, 1)
			if got := do(t, rt.method, url, token, rt.body); got != rt.want && !(rt.want == 400 && got == 404) {
				t.Errorf("%s %s: HTTP %d, want %d", rt.method, strings.Replace(rt.path, "{p}", p, 1), got, rt.want)
			}
		}
	}
	// Ids and filter text in query strings and bodies go the same way.
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/api/kb/articles?tag=%00", "", 400},
		{"GET", "/api/kb/articles?q=%ff", "", 400},
		{"GET", "/api/kb/articles?locale=a%00", "", 400},
		{"GET", "/api/handoffs?team=%00", "", 400},
		{"GET", "/api/handoffs?team=%ff", "", 400},
		{"POST", "/api/kb/articles/art_missing/rollback", `{"revision_id":"\u0000"}`, 404},
		{"POST", "/api/kb/unanswered/attach", `{"article_id":"\u0000","question_ids":["q_1"]}`, 404},
		{"POST", "/api/kb/unanswered/attach", `{"article_id":"art_1","question_ids":["\u0000"]}`, 404},
		{"POST", "/api/kb/ask", `{"question":"where\u0000is it"}`, 400},
		{"POST", "/api/kb/ask", `{"question":"where is it","locale":"\u0000"}`, 400},
		{"POST", "/api/kb/articles", `{"slug":"s","title":"t\u0000","body":"b"}`, 400},
		{"POST", "/api/kb/articles", `{"slug":"s","title":"t","body":"b\u0000"}`, 400},
		{"POST", "/api/kb/articles", `{"slug":"s","title":"t","body":"b","tags":["\u0000"]}`, 400},
	} {
		if got := do(t, tc.method, srv.URL()+tc.path, token, tc.body); got != tc.want {
			t.Errorf("%s %s %s: HTTP %d, want %d", tc.method, tc.path, tc.body, got, tc.want)
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("requests with bad parameters logged errors:\n%s", logs.String())
	}
}

// adminAPIToken makes an admin on srv's store and returns an API token of
// theirs, for tests that call the signed-in APIs as automation does.
func adminAPIToken(t *testing.T, srv *Server) string {
	t.Helper()
	ctx := context.Background()
	u, err := srv.people.CreateUser(ctx, auth.NewUser{Email: "admin-" + randomSuffix(t) + "@example.com", Name: "Test Admin",
		Roles: []frontline.Role{frontline.RoleAdmin}, Password: auth.GeneratePassword()})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := srv.people.CreateAPIToken(ctx, u, "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}
