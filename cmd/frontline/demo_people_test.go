package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
)

// syncBuffer is a bytes.Buffer the server and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDemoServer runs an in-memory node like startServer and returns
// what it printed at start-up.
func startDemoServer(t *testing.T, flags ...string) (*Server, string) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s, err := parseSettings(fs, append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, flags...), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	srv, err := NewServer(s, &out)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
	if err := startInProcess(srv); err != nil {
		t.Fatalf("start: %v\n%s", err, out.String())
	}
	return srv, out.String()
}

// demoSessions checks the in-memory demo printed one sign-in per role and
// that each works: the person has that role, and the editor page answers
// them as their role allows. It returns each role's session.
func demoSessions(t *testing.T, srv *Server, printed string) map[frontline.Role]string {
	t.Helper()
	if !strings.Contains(printed, srv.URL()+"/login") || !strings.Contains(printed, srv.URL()+"/editor/") || !strings.Contains(printed, srv.URL()+"/kb/ (help centre)") {
		t.Errorf("start-up output lacks the sign-in and editor URLs:\n%s", printed)
	}
	logins := regexp.MustCompile(`(?m)^\s+(agent|supervisor|editor|admin)\s+(\S+@\S+)\s+(\S+)$`).FindAllStringSubmatch(printed, -1)
	if len(logins) != len(frontline.Roles) {
		t.Fatalf("start-up output shows %d sign-ins, want one per role:\n%s", len(logins), printed)
	}
	sessions := map[frontline.Role]string{}
	for _, l := range logins {
		role, email, password := frontline.Role(l[1]), l[2], l[3]
		body, _ := json.Marshal(map[string]string{"email": email, "password": password})
		res, err := http.Post(srv.URL()+"/api/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == auth.SessionCookie {
				sessions[role] = c.Value
			}
		}
		if res.StatusCode != http.StatusOK || sessions[role] == "" {
			t.Fatalf("%s signing in with the printed password = %d", role, res.StatusCode)
		}
		req, _ := http.NewRequest("GET", srv.URL()+"/editor/", nil)
		req.Header.Set("Accept", "text/html")
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: sessions[role]})
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		mayEdit := role == frontline.RoleEditor || role == frontline.RoleAdmin
		switch {
		case mayEdit && (res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Knowledge base")):
			t.Errorf("the %s opening the editor = %d", role, res.StatusCode)
		case !mayEdit && (res.StatusCode != http.StatusForbidden || !strings.Contains(string(page), "editor or admin")):
			t.Errorf("the %s opening the editor = %d %q, want a page saying it is for editors", role, res.StatusCode, page)
		}
	}
	return sessions
}
