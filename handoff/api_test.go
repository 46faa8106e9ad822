package handoff_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/authtest"
	"github.com/frontlinehq/frontline/internal/memory"
)

type apiBundle struct {
	svc  *handoff.Service
	conv string
	// tokens are API tokens of a person per role.
	tokens map[frontline.Role]string
}

func setup(t *testing.T) (http.Handler, apiBundle) {
	t.Helper()
	bus := memory.NewBus()
	log := memory.NewStore(bus)
	svc := handoff.NewService(memory.NewHandoffStore(log), log, bus, handoff.DefaultConfig())
	c := &frontline.Conversation{VisitorID: "v_1", Profile: map[string]string{"page": "/orders"}}
	if err := log.CreateConversation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Enqueue(context.Background(), frontline.HandoffPacket{
		ConversationID: c.ID, Tier: frontline.Tier2, Team: "billing", Priority: frontline.PriorityHigh,
		Reason: "billing error", Summary: "charged twice",
	})
	if err != nil {
		t.Fatal(err)
	}
	people := authtest.NewFixture(t, auth.Options{})
	tokens := map[frontline.Role]string{}
	for _, r := range frontline.Roles {
		tokens[r] = people.Token(t, people.User(t, string(r)+"@example.com", "", r))
	}
	mux := http.NewServeMux()
	if err := people.Service.Mount(mux, handoff.APIRoutes(svc, nil)); err != nil {
		t.Fatal(err)
	}
	return mux, apiBundle{svc: svc, conv: c.ID, tokens: tokens}
}

func TestAPIAuthorization(t *testing.T) {
	t.Parallel()
	h, b := setup(t)
	cases := []struct {
		name   string
		header string
		want   int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"forged token", "Bearer flt_nope", http.StatusUnauthorized},
		{"basic scheme", "Basic " + b.tokens[frontline.RoleSupervisor], http.StatusUnauthorized},
		{"agent", "Bearer " + b.tokens[frontline.RoleAgent], http.StatusForbidden},
		{"editor", "Bearer " + b.tokens[frontline.RoleEditor], http.StatusForbidden},
		{"supervisor", "Bearer " + b.tokens[frontline.RoleSupervisor], http.StatusOK},
		{"admin", "Bearer " + b.tokens[frontline.RoleAdmin], http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, handoff.APIPath, nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status = %d (%s), want %d", rec.Code, rec.Body, tc.want)
			}
		})
	}
}

func TestAPIListing(t *testing.T) {
	t.Parallel()
	h, b := setup(t)
	cases := []struct {
		name  string
		path  string
		want  int
		count int // entries in the listing, -1 for a single entry
	}{
		{"all", handoff.APIPath, http.StatusOK, 1},
		{"trailing slash", handoff.APIPath + "/", http.StatusOK, 1},
		{"waiting billing", handoff.APIPath + "?status=waiting&team=billing", http.StatusOK, 1},
		{"other team", handoff.APIPath + "?team=security", http.StatusOK, 0},
		{"bad status", handoff.APIPath + "?status=lost", http.StatusBadRequest, 0},
		{"bad limit", handoff.APIPath + "?limit=ten", http.StatusBadRequest, 0},
		{"one", handoff.APIPath + "/" + b.conv, http.StatusOK, -1},
		{"unknown", handoff.APIPath + "/c_missing", http.StatusNotFound, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			req.Header.Set("Authorization", "Bearer "+b.tokens[frontline.RoleSupervisor])
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status = %d (%s), want %d", rec.Code, rec.Body, tc.want)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Fatalf("content type = %q, want JSON", ct)
			}
			if tc.want != http.StatusOK {
				return
			}
			if tc.count < 0 {
				var e frontline.QueueEntry
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Packet.Summary != "charged twice" {
					t.Fatalf("entry = %s (%v), want the packet with its summary", rec.Body, err)
				}
				return
			}
			var body struct {
				Handoffs []frontline.QueueEntry `json:"handoffs"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if len(body.Handoffs) != tc.count {
				t.Fatalf("%d hand-offs, want %d", len(body.Handoffs), tc.count)
			}
			if tc.count > 0 && (body.Handoffs[0].Packet.Profile["page"] != "/orders" || body.Handoffs[0].Packet.Reason != "billing error") {
				t.Fatalf("packet = %+v, want profile and reason", body.Handoffs[0].Packet)
			}
		})
	}
}

func TestAPIIsReadOnly(t *testing.T) {
	t.Parallel()
	h, b := setup(t)
	req := httptest.NewRequest(http.MethodPost, handoff.APIPath, nil)
	req.Header.Set("Authorization", "Bearer "+b.tokens[frontline.RoleSupervisor])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST status = %d, want 405", rec.Code)
	}
}
