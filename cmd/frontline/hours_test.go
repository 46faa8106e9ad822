package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
)

// TestAfterHoursHolidayEndToEnd: an admin gives the first-line team hours
// that make today a holiday; a customer who opens the widget is told the
// team is away and when it opens, asks for a person, is told again in the
// queue, leaves an email, and the agent opening the conversation sees
// that email. The real server, on each store.
func TestAfterHoursHolidayEndToEnd(t *testing.T) {
	t.Parallel()
	for _, store := range []string{"memory", "postgres"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			var base, admin, agent string
			if store == "memory" {
				srv, printed := startDemoServer(t)
				sessions := demoSessions(t, srv, printed)
				base, admin, agent = srv.URL(), sessions[frontline.RoleAdmin], sessions[frontline.RoleAgent]
			} else {
				base, admin, agent = hoursPostgresServer(t)
			}
			var me frontline.User
			if code := apiJSON(t, "GET", base+"/api/me", agent, nil, &me); code != http.StatusOK {
				t.Fatalf("GET /api/me as the agent = %d", code)
			}
			// Every day is a working day, but today and tomorrow (UTC)
			// are holidays: the team opens the day after tomorrow.
			now := time.Now().UTC()
			hours := &frontline.BusinessHours{
				Open:     []frontline.OpenSpan{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, From: "00:00", To: "24:00"}},
				Holidays: []string{now.Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly)},
			}
			if code := apiJSON(t, "PUT", base+"/api/admin/teams/support", admin, frontline.Team{Name: "Support", Hours: hours}, nil); code != http.StatusOK {
				t.Fatalf("PUT the support team's hours = %d", code)
			}
			profile := map[string]any{"name": "Tess", "tiers": []string{"t1"}, "teams": []string{"support"}, "capacity": 3}
			if code := apiJSON(t, "PUT", base+"/api/admin/agents/"+me.ID, admin, profile, nil); code != http.StatusOK {
				t.Fatalf("PUT the agent's profile = %d", code)
			}
			// Minutes after midnight the expectation may have moved a day.
			wantOpens := map[string]bool{}
			for _, at := range []time.Time{now, time.Now()} {
				wantOpens[hours.NextOpen(at).UTC().Format(time.RFC3339)] = true
			}

			ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/widget/ws?site="+demoSiteKey, http.Header{"Origin": {base}})
			if err != nil {
				t.Fatalf("dial the widget: %v", err)
			}
			defer ws.Close()
			send := func(f map[string]any) {
				f["v"] = 1
				if err := ws.WriteJSON(f); err != nil {
					t.Fatal(err)
				}
			}
			next := func(typ string) map[string]any {
				t.Helper()
				_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
				for {
					var f map[string]any
					if err := ws.ReadJSON(&f); err != nil {
						t.Fatalf("waiting for %s: %v", typ, err)
					}
					if f["type"] == typ {
						return f
					}
				}
			}
			send(map[string]any{"type": "hello"})
			w := next("welcome")
			if w["after_hours"] != true || !wantOpens[w["opens_at"].(string)] {
				t.Fatalf("welcome on the team's holiday: %v, want after_hours and opens_at one of %v", w, wantOpens)
			}
			send(map[string]any{"type": "request_human", "id": "h1"})
			q := next("queue")
			if q["status"] != "waiting" || !wantOpens[q["opens_at"].(string)] {
				t.Fatalf("queue frame on the holiday: %v, want waiting with opens_at", q)
			}
			send(map[string]any{"type": "contact", "id": "e1", "email": "pat@example.com"})
			if ack := next("ack"); ack["id"] != "e1" {
				t.Fatalf("contact: %v, want its ack", ack)
			}

			var list struct {
				Handoffs []frontline.QueueEntry `json:"handoffs"`
			}
			if code := apiJSON(t, "GET", base+"/api/agent/queue", agent, nil, &list); code != http.StatusOK || len(list.Handoffs) != 1 || list.Handoffs[0].Team != "support" {
				t.Fatalf("the agent's queue = %d %+v, want the one support hand-off", code, list.Handoffs)
			}
			queue := list.Handoffs
			var view struct {
				Conversation frontline.Conversation `json:"conversation"`
			}
			if code := apiJSON(t, "GET", base+"/api/agent/conversations/"+queue[0].ConversationID, agent, nil, &view); code != http.StatusOK || view.Conversation.Profile["email"] != "pat@example.com" {
				t.Fatalf("the agent's view = %d, profile %v; want the email left after hours", code, view.Conversation.Profile)
			}
		})
	}
}

// hoursPostgresServer runs a node on a fresh schema with an admin and an
// agent, and returns its URL and their sessions.
func hoursPostgresServer(t *testing.T) (base, admin, agent string) {
	t.Helper()
	ctx := context.Background()
	_, schema, people := migratedPeople(t)
	const password = "correct horse battery staple"
	for _, p := range []struct {
		email string
		role  frontline.Role
	}{{"ada@example.com", frontline.RoleAdmin}, {"tess@example.com", frontline.RoleAgent}} {
		if _, err := people.CreateUser(ctx, auth.NewUser{Email: p.email, Roles: []frontline.Role{p.role}, Password: password}); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := startServer(t, map[string]string{"DATABASE_URL": testDatabaseURL(schema), "FRONTLINE_SITES": "demo="})
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(email string) string {
		body, _ := json.Marshal(map[string]string{"email": email, "password": password})
		res, err := http.Post(srv.URL()+"/api/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == auth.SessionCookie && res.StatusCode == http.StatusOK {
				return c.Value
			}
		}
		t.Fatalf("signing in as %s = %d", email, res.StatusCode)
		return ""
	}
	return srv.URL(), signIn("ada@example.com"), signIn("tess@example.com")
}

// apiJSON calls the JSON API with a session, sending body (when not nil)
// and decoding a 2xx answer into out (when not nil). It returns the status.
func apiJSON(t *testing.T, method, url, session string, body, out any) int {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode/100 == 2 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, url, err)
		}
	}
	return res.StatusCode
}

// The one global setting is gone: setting it stops start-up and says
// where hours live now, rather than being ignored.
func TestBusinessHoursSettingRemoved(t *testing.T) {
	t.Parallel()
	_, err := startServer(t, map[string]string{"FRONTLINE_BUSINESS_HOURS": "Mon-Fri 09:00-17:00 Europe/Berlin"})
	if err == nil || !strings.Contains(err.Error(), "removed") || !strings.Contains(err.Error(), "people-config") {
		t.Fatalf("start with FRONTLINE_BUSINESS_HOURS: %v, want a refusal pointing to --people-config", err)
	}
}
