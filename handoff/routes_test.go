package handoff_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/memory"
)

type desk struct {
	svc  *handoff.Service
	log  *memory.Store
	bus  *memory.Bus
	mux  *http.ServeMux
	conv string // waiting in t1/billing
}

var (
	ana    = &frontline.User{ID: "u_ana", Name: "Ana", Roles: []frontline.Role{frontline.RoleAgent}}
	ben    = &frontline.User{ID: "u_ben", Name: "Ben", Roles: []frontline.Role{frontline.RoleAgent}} // technical only
	cara   = &frontline.User{ID: "u_cara", Name: "Cara", Roles: []frontline.Role{frontline.RoleAgent}}
	sam    = &frontline.User{ID: "u_sam", Name: "Sam", Roles: []frontline.Role{frontline.RoleSupervisor}}
	eddie  = &frontline.User{ID: "u_ed", Name: "Ed", Roles: []frontline.Role{frontline.RoleEditor}}
	nobody *frontline.User
)

func newDesk(t *testing.T) *desk {
	t.Helper()
	return newDeskWith(t, func(s handoff.Store) handoff.Store { return s })
}

// newDeskWith is newDesk with the service's store wrapped by wrap.
func newDeskWith(t *testing.T, wrap func(handoff.Store) handoff.Store) *desk {
	t.Helper()
	ctx := context.Background()
	bus := memory.NewBus()
	log := memory.NewStore(bus)
	svc := handoff.NewService(wrap(memory.NewHandoffStore(log)), log, bus, handoff.Config{})
	for _, tm := range []frontline.Team{{ID: "billing"}, {ID: "technical"}} {
		if err := svc.PutTeam(ctx, tm); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []handoff.Agent{
		{UserID: ana.ID, Name: "Ana B.", Tiers: []frontline.Tier{frontline.Tier1}, Teams: []string{"billing"}, Capacity: 2},
		{UserID: cara.ID, Name: "Cara", Tiers: []frontline.Tier{frontline.Tier1}, Teams: []string{"billing"}, Capacity: 2},
		{UserID: ben.ID, Name: "Ben", Tiers: []frontline.Tier{frontline.Tier1, frontline.Tier2}, Teams: []string{"technical"}, Capacity: 2},
	} {
		if err := svc.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	c := &frontline.Conversation{VisitorID: "v_1", Profile: map[string]string{"name": "Cleo"}}
	if err := log.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: "billing",
		Priority: frontline.PriorityHigh, Reason: "charged twice"}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, r := range svc.Routes(nil) {
		mux.Handle(r.Method+" "+r.Pattern, withRoles(r))
	}
	return &desk{svc: svc, log: log, bus: bus, mux: mux, conv: c.ID}
}

// withRoles stands in for internal/auth: the route's roles, then the
// handler with the user in the context.
func withRoles(r frontline.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u := frontline.UserFromContext(req.Context())
		if !r.Public && !u.HasRole(r.Roles...) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		r.Handler.ServeHTTP(w, req)
	})
}

func (d *desk) do(t *testing.T, u *frontline.User, method, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req = req.WithContext(frontline.NewContextWithUser(req.Context(), u))
	rec := httptest.NewRecorder()
	d.mux.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func (d *desk) events(t *testing.T, kind frontline.EventKind) int {
	t.Helper()
	evs, err := d.log.FindEvents(context.Background(), frontline.EventFilter{ConversationID: d.conv, Kinds: []frontline.EventKind{kind}})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// An agent takes a conversation and works it through the API; the
// customer sees the agent's display name.
func TestAgentFlow(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	p := "/api/agent/conversations/" + d.conv
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"POST", p + "/claim", "", 200},
		{"POST", p + "/messages", `{"body":"Hi Cleo, I'm looking at it.","client_msg_id":"r1"}`, 201},
		{"POST", p + "/notes", `{"body":"refund pending"}`, 201},
		{"PUT", p + "/tags", `{"tags":["Refund"," refund ","vip"]}`, 200},
		{"POST", p + "/csat-request", "", 201},
		{"POST", p + "/resolve", "", 200},
		{"POST", p + "/reopen", "", 200},
	}
	for _, s := range steps {
		if code, body := d.do(t, ana, s.method, s.path, s.body); code != s.want {
			t.Fatalf("%s %s = %d %v, want %d", s.method, s.path, code, body, s.want)
		}
	}
	msgs, err := d.log.ReadMessages(context.Background(), d.conv, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range msgs {
		if m.Author == frontline.AuthorAgent {
			names = append(names, m.AuthorName)
		}
	}
	if len(names) != 1 || names[0] != "Ana B." {
		t.Fatalf("agent messages by %v, want one by the display name Ana B.", names)
	}
	for kind, want := range map[frontline.EventKind]int{frontline.EventClaim: 1, frontline.EventNote: 1, frontline.EventTags: 1,
		frontline.EventCSATRequest: 1, frontline.EventResolution: 1, frontline.EventReopen: 1} {
		if got := d.events(t, kind); got != want {
			t.Errorf("%d %s events, want %d", got, kind, want)
		}
	}
	e, _ := d.svc.Entry(context.Background(), d.conv)
	if e.Status != frontline.QueueWaiting || strings.Join(e.Tags, ",") != "refund,vip" {
		t.Fatalf("after reopen: %s tags %v, want waiting with refund,vip", e.Status, e.Tags)
	}
}

// Bad input: a clear error each, and nothing changed.
func TestAgentBadInput(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	p := "/api/agent/conversations/" + d.conv
	if code, body := d.do(t, ana, "POST", p+"/claim", ""); code != 200 {
		t.Fatalf("claim = %d %v", code, body)
	}
	cases := []struct {
		name               string
		u                  *frontline.User
		method, path, body string
		want               int
		code               string
	}{
		{"transfer to a team that does not exist", ana, "POST", p + "/transfer", `{"team":"astrology","reason":"wrong desk"}`, 400, frontline.EInvalid},
		{"transfer without a reason", ana, "POST", p + "/transfer", `{"tier":"t2"}`, 400, frontline.EInvalid},
		{"claiming a claimed conversation", cara, "POST", p + "/claim", "", 409, frontline.EConflict},
		{"unknown field", ana, "POST", p + "/messages", `{"body":"x","html":"<b>"}`, 400, frontline.EInvalid},
		{"empty reply", ana, "POST", p + "/messages", `{"body":"  "}`, 400, frontline.EInvalid},
		{"bad conversation id", ana, "GET", "/api/agent/conversations/a%20b", "", 400, frontline.EInvalid},
		{"unknown conversation", ana, "GET", "/api/agent/conversations/c_nope", "", 404, frontline.ENotFound},
		{"agent of another team reads", ben, "GET", p, "", 403, frontline.EForbidden},
		{"agent of another team replies", ben, "POST", p + "/messages", `{"body":"hi"}`, 403, frontline.EForbidden},
		{"agent reassigns", ana, "POST", p + "/reassign", `{"agent_id":"u_ben"}`, 403, ""},
		{"editor on the agent API", eddie, "GET", "/api/agent/queue", "", 403, ""},
		{"nobody", nobody, "GET", "/api/agent/me", "", 403, ""},
		{"bad presence", ana, "PUT", "/api/agent/me/presence", `{"presence":"asleep"}`, 400, frontline.EInvalid},
		{"agent edits teams", ana, "PUT", "/api/admin/teams/x", `{}`, 403, ""},
	}
	for _, tc := range cases {
		code, body := d.do(t, tc.u, tc.method, tc.path, tc.body)
		if code != tc.want || (tc.code != "" && errCode(body) != tc.code) || (tc.code != "" && errMessage(body) == "") {
			t.Errorf("%s: %d %v, want %d %s with a message", tc.name, code, body, tc.want, tc.code)
		}
	}
	// Resolving twice: the second is refused.
	if code, _ := d.do(t, ana, "POST", p+"/resolve", ""); code != 200 {
		t.Fatalf("resolve = %d", code)
	}
	if code, body := d.do(t, ana, "POST", p+"/resolve", ""); code != 409 || errCode(body) != frontline.EConflict {
		t.Errorf("second resolve = %d %v, want 409 conflict", code, body)
	}
	// Nothing half-written: one claim, one resolution, no transfer, the
	// entry resolved with Ana, in billing.
	e, _ := d.svc.Entry(context.Background(), d.conv)
	if d.events(t, frontline.EventClaim) != 1 || d.events(t, frontline.EventResolution) != 1 || d.events(t, frontline.EventTransfer) != 0 ||
		e.Status != frontline.QueueResolved || e.Team != "billing" || e.AssigneeID != ana.ID {
		t.Errorf("state after bad input: %+v", e)
	}
}

// A private conversation is not shown to an agent of its team without the
// private skill; a supervisor sees it.
func TestPrivateConversation(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	c := &frontline.Conversation{VisitorID: "v_2"}
	if err := d.log.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: "billing",
		Priority: frontline.PriorityHigh, Reason: "delete my data", Private: true}); err != nil {
		t.Fatal(err)
	}
	if code, _ := d.do(t, ana, "GET", "/api/agent/conversations/"+c.ID, ""); code != 403 {
		t.Errorf("agent without the private skill: %d, want 403", code)
	}
	if code, _ := d.do(t, sam, "GET", "/api/agent/conversations/"+c.ID, ""); code != 200 {
		t.Errorf("supervisor: %d, want 200", code)
	}
	_, q := d.do(t, ana, "GET", "/api/agent/queue", "")
	if n := len(q["handoffs"].([]any)); n != 1 {
		t.Errorf("agent's queue lists %d, want 1 (the private one hidden)", n)
	}
}

// Every route states its roles.
func TestEveryRouteHasRoles(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	for _, r := range d.svc.Routes(nil) {
		if len(r.Roles) == 0 && !r.Public {
			t.Errorf("%s %s has no roles", r.Method, r.Pattern)
		}
	}
	for typ, roles := range handoff.MessageRoles {
		if len(roles) == 0 {
			t.Errorf("socket message %s has no roles", typ)
		}
	}
}

// errCode and errMessage read the API's error shape {"error": {"code", "message"}}.
func errCode(body map[string]any) any {
	e, _ := body["error"].(map[string]any)
	return e["code"]
}

func errMessage(body map[string]any) any {
	e, _ := body["error"].(map[string]any)
	return e["message"]
}

// Every action refuses a missing or disabled user with EUnauthorized (and
// does not panic).
func TestActionsRefuseNobody(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	if _, err := d.svc.Claim(ctx, ana, d.conv); err != nil {
		t.Fatal(err)
	}
	off := &frontline.User{ID: ana.ID, Roles: ana.Roles, Disabled: true}
	for _, u := range []*frontline.User{nil, off} {
		errs := map[string]error{}
		_, errs["claim"] = d.svc.Claim(ctx, u, d.conv)
		_, errs["claim_next"] = d.svc.ClaimNext(ctx, u)
		_, errs["reply"] = d.svc.Reply(ctx, u, d.conv, handoff.ReplyRequest{Body: "x"})
		_, errs["note"] = d.svc.Note(ctx, u, d.conv, "x")
		_, errs["tags"] = d.svc.SetTags(ctx, u, d.conv, []string{"x"})
		_, errs["transfer"] = d.svc.Transfer(ctx, u, d.conv, handoff.TransferRequest{Tier: frontline.Tier2, Reason: "x"})
		_, errs["hand_back"] = d.svc.HandBack(ctx, u, d.conv)
		_, errs["resolve"] = d.svc.Resolve(ctx, u, d.conv)
		_, errs["reopen"] = d.svc.Reopen(ctx, u, d.conv)
		_, errs["csat"] = d.svc.RequestCSAT(ctx, u, d.conv)
		_, errs["presence"] = d.svc.SetPresence(ctx, u, frontline.PresenceOnline)
		_, errs["reassign"] = d.svc.Reassign(ctx, u, d.conv, cara.ID)
		_, errs["view"] = d.svc.View(ctx, u, d.conv)
		_, errs["queue"] = d.svc.Queue(ctx, u, handoff.QueueFilter{})
		errs["typing"] = d.svc.Typing(ctx, u, d.conv, true)
		for name, err := range errs {
			if frontline.ErrorCode(err) != frontline.EUnauthorized {
				t.Errorf("%s by %v: %v, want unauthorized", name, u, err)
			}
		}
	}
	if e, _ := d.svc.Entry(ctx, d.conv); e.Status != frontline.QueueAssigned || e.AssigneeID != ana.ID {
		t.Fatalf("entry changed: %+v", e)
	}
}

// A team put without a name is named by its id, and the answer says so.
func TestPutTeamAnswersWhatWasStored(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	admin := &frontline.User{ID: "u_ada", Name: "Ada", Roles: []frontline.Role{frontline.RoleAdmin}}
	code, body := d.do(t, admin, "PUT", "/api/admin/teams/returns", `{}`)
	if code != 200 || body["name"] != "returns" {
		t.Fatalf("PUT team without a name = %d %v, want 200 named returns", code, body)
	}
	if code, body := d.do(t, admin, "DELETE", "/api/admin/teams/no_such_team", ""); code != 404 || errCode(body) != frontline.ENotFound {
		t.Fatalf("DELETE of a team that does not exist = %d %v, want 404 not_found", code, body)
	}
}
