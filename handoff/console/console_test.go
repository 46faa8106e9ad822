package console_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/handoff/console"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/authtest"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
)

type fixture struct {
	srv                  string
	log                  *memory.Store
	svc                  *handoff.Service
	kb                   *kb.Service
	ann, bob, sue, eddie string // API tokens
	annID                string
}

// setup serves the console's routes on the in-memory stores: Ann works
// T1 billing, Bob T1 orders, Sue supervises, Eddie edits the KB.
func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	bus := memory.NewBus()
	log := memory.NewStore(bus)
	svc := handoff.NewService(memory.NewHandoffStore(log), log, bus, handoff.DefaultConfig())
	knowledge := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{ArticleURLPrefix: "https://help.example/kb/"})
	if _, err := kb.Import(ctx, knowledge, []kb.ImportedArticle{
		{Slug: "refunds", Title: "When will I get my refund?", File: "refunds.md",
			Body: "# Refunds\n\nRefunds reach your card within **5 working days** of the [return](https://x.example) arriving.\n\n| a | b |\n| - | - |"},
	}); err != nil {
		t.Fatal(err)
	}
	af := authtest.NewFixture(t, auth.Options{})
	ann := af.User(t, "ann@example.com", "Ann", frontline.RoleAgent)
	bob := af.User(t, "bob@example.com", "Bob", frontline.RoleAgent)
	sue := af.User(t, "sue@example.com", "Sue", frontline.RoleSupervisor)
	eddie := af.User(t, "eddie@example.com", "Eddie", frontline.RoleEditor)
	if err := svc.Seed(ctx, handoff.PeopleConfig{
		Teams: []frontline.Team{{ID: "billing", Name: "Billing"}, {ID: "orders", Name: "Orders"}},
		Agents: []handoff.Agent{
			{UserID: ann.ID, Name: "Ann", Tiers: []frontline.Tier{frontline.Tier1}, Teams: []string{"billing"}, Capacity: 3, Presence: frontline.PresenceAway},
			{UserID: bob.ID, Name: "Bob", Tiers: []frontline.Tier{frontline.Tier1}, Teams: []string{"orders"}, Capacity: 3, Presence: frontline.PresenceAway},
		},
	}); err != nil {
		t.Fatal(err)
	}
	routes := console.Routes(console.Deps{Handoff: svc, KB: knowledge, Log: log, Reports: memory.NewReportStore(log)},
		console.Options{ArticleURLPrefix: "https://help.example/kb/"})
	srv := af.Serve(t, append(routes, svc.Routes(nil)...)...)
	return &fixture{srv: srv.URL, log: log, svc: svc, kb: knowledge, annID: ann.ID,
		ann: af.Token(t, ann), bob: af.Token(t, bob), sue: af.Token(t, sue), eddie: af.Token(t, eddie)}
}

func (f *fixture) call(t *testing.T, token, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.srv+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// handOff makes a conversation of visitor in the T1 line of team.
func (f *fixture) handOff(t *testing.T, visitor, team, first string, private bool) string {
	t.Helper()
	ctx := context.Background()
	c := &frontline.Conversation{SiteKey: "demo", VisitorID: visitor}
	if err := f.log.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.AppendMessage(ctx, frontline.AppendRequest{Message: frontline.Message{ConversationID: c.ID, Author: frontline.AuthorCustomer, Body: first}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Enqueue(ctx, frontline.HandoffPacket{ConversationID: c.ID, Tier: frontline.Tier1, Team: team,
		Priority: frontline.PriorityNormal, Reason: "asked for a person", Private: private}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func TestInsertArticleSendsACitedAnswer(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.handOff(t, "v1", "billing", "where is my refund", false)

	code, body := f.call(t, f.ann, "GET", "/api/agent/kb/search?q=refund", nil)
	var found struct{ Hits []console.SearchHit }
	if err := json.Unmarshal(body, &found); code != 200 || err != nil || len(found.Hits) == 0 {
		t.Fatalf("search: %d %s", code, body)
	}
	hit := found.Hits[0]
	if want := "Refunds reach your card within 5 working days of the return arriving."; hit.Excerpt != want {
		t.Errorf("excerpt = %q, want %q (plain text, no heading or table)", hit.Excerpt, want)
	}
	if code, _ := f.call(t, f.eddie, "GET", "/api/agent/kb/search?q=refund", nil); code != http.StatusForbidden {
		t.Errorf("an editor searched the agents' KB search: %d", code)
	}

	insert := map[string]string{"article_id": hit.ArticleID, "body": "Here you go:", "client_msg_id": "a1"}
	if code, body := f.call(t, f.ann, "POST", "/api/agent/conversations/"+id+"/article", insert); code != http.StatusConflict {
		t.Errorf("insert before claiming: %d %s, want 409 (claim first)", code, body)
	}
	if code, body := f.call(t, f.ann, "POST", "/api/agent/conversations/"+id+"/claim", map[string]any{}); code != 200 {
		t.Fatalf("claim: %d %s", code, body)
	}
	code, body = f.call(t, f.ann, "POST", "/api/agent/conversations/"+id+"/article", insert)
	var m frontline.Message
	if err := json.Unmarshal(body, &m); code != http.StatusCreated || err != nil {
		t.Fatalf("insert: %d %s", code, body)
	}
	if m.AuthorName != "Ann" || !strings.HasPrefix(m.Body, "Here you go:\n\nWhen will I get my refund?: Refunds reach") || !strings.HasSuffix(m.Body, "https://help.example/kb/refunds") {
		t.Errorf("message = %q by %q", m.Body, m.AuthorName)
	}
	if len(m.Meta.Citations) != 1 || m.Meta.Citations[0].Slug != "refunds" || m.Meta.Citations[0].URL != "https://help.example/kb/refunds" {
		t.Errorf("citations = %+v, want the article", m.Meta.Citations)
	}

	// A draft (never published) article is refused: customers cannot read it.
	draft, err := f.kb.CreateArticle(context.Background(), kb.Article{Slug: "draft", Title: "Draft", Body: "Not yet.", Locale: "en", Audience: kb.AudiencePublic})
	if err != nil {
		t.Fatal(err)
	}
	insert["article_id"], insert["client_msg_id"] = draft.ID, "a2"
	if code, body := f.call(t, f.ann, "POST", "/api/agent/conversations/"+id+"/article", insert); code != http.StatusBadRequest {
		t.Errorf("insert a draft: %d %s, want 400", code, body)
	}
	// Bob works another team: not his conversation.
	insert["article_id"], insert["client_msg_id"] = hit.ArticleID, "a3"
	if code, _ := f.call(t, f.bob, "POST", "/api/agent/conversations/"+id+"/article", insert); code != http.StatusForbidden {
		t.Errorf("Bob inserted into Ann's conversation: %d", code)
	}
}

func TestHistoryListsEarlierConversationsTheCallerMayRead(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.handOff(t, "v1", "billing", "my first question", false)
	f.handOff(t, "v1", "orders", "a private matter", true)
	now := f.handOff(t, "v1", "billing", "my refund again", false)

	code, body := f.call(t, f.ann, "GET", "/api/agent/conversations/"+now+"/history", nil)
	var h struct{ Conversations []console.Earlier }
	if err := json.Unmarshal(body, &h); code != 200 || err != nil {
		t.Fatalf("history: %d %s", code, body)
	}
	if len(h.Conversations) != 1 || h.Conversations[0].First != "my first question" {
		t.Errorf("Ann sees %+v, want only the first conversation (the private one is not hers to read)", h.Conversations)
	}
	code, body = f.call(t, f.sue, "GET", "/api/agent/conversations/"+now+"/history", nil)
	if err := json.Unmarshal(body, &h); code != 200 || err != nil || len(h.Conversations) != 2 {
		t.Errorf("Sue (supervisor) sees %d %s, want both earlier ones", code, body)
	}
	if code, _ := f.call(t, f.bob, "GET", "/api/agent/conversations/"+now+"/history", nil); code != http.StatusForbidden {
		t.Errorf("Bob read the history of a billing conversation: %d", code)
	}
}

func TestOverviewCountsLinesAndBreaches(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.handOff(t, "v1", "billing", "hello", false)
	if code, _ := f.call(t, f.ann, "GET", "/api/supervisor/overview", nil); code != http.StatusForbidden {
		t.Errorf("an agent read the supervisor overview: %d", code)
	}
	code, body := f.call(t, f.sue, "GET", "/api/supervisor/overview", nil)
	var ov console.Overview
	if err := json.Unmarshal(body, &ov); code != 200 || err != nil {
		t.Fatalf("overview: %d %s", code, body)
	}
	var billing *console.Line
	for i := range ov.Lines {
		if ov.Lines[i].Team == "billing" && ov.Lines[i].Tier == frontline.Tier1 {
			billing = &ov.Lines[i]
		}
	}
	if billing == nil || billing.Waiting != 1 || billing.TeamName != "Billing" || len(ov.Agents) != 2 || len(ov.Conversations) != 1 {
		t.Fatalf("overview = %s", body)
	}
	if ov.Conversations[0].Packet.Transcript != nil {
		t.Errorf("the overview carries transcripts")
	}
}

func TestRisk(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	e := &frontline.QueueEntry{Status: frontline.QueueWaiting, EnqueuedAt: t0, DueAt: t0.Add(10 * time.Minute)}
	for _, tc := range []struct {
		at             time.Duration
		risk, breached bool
	}{{time.Minute, false, false}, {9 * time.Minute, true, false}, {11 * time.Minute, false, true}} {
		risk, breached := console.Risk(e, t0.Add(tc.at))
		if risk != tc.risk || breached != tc.breached {
			t.Errorf("at %v: risk %v breached %v, want %v %v", tc.at, risk, breached, tc.risk, tc.breached)
		}
	}
	e.Breached = []string{handoff.TargetFirstResponse}
	if _, breached := console.Risk(e, t0); !breached {
		t.Errorf("a recorded breach is not breached")
	}
}

func TestReportsJSONCSVAndCharts(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c := &frontline.Conversation{SiteKey: "demo", VisitorID: "v1"}
	if err := f.log.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.AppendEvents(ctx, frontline.Event{ConversationID: c.ID, Kind: frontline.EventSearch,
		Data: frontline.MustJSON(map[string]any{"question": "=HYPERLINK(\"http://evil\") <script>x</script>", "abstained": true})}); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format(time.DateOnly)

	code, body := f.call(t, f.sue, "GET", "/api/reports?from="+today+"&to="+today, nil)
	var rep struct {
		Conversations int
		Unanswered    []handoff.QuestionCount
		EditorURL     string `json:"editor_url"`
	}
	if err := json.Unmarshal(body, &rep); code != 200 || err != nil || rep.Conversations != 1 || len(rep.Unanswered) != 1 || rep.EditorURL == "" {
		t.Fatalf("report: %d %s", code, body)
	}
	code, body = f.call(t, f.sue, "GET", "/api/reports/export.csv?from="+today+"&to="+today, nil)
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if code != 200 || err != nil || rows[0][0] != "day" {
		t.Fatalf("csv: %d %v %s", code, err, body)
	}
	for _, r := range rows {
		if strings.HasPrefix(r[1], "unanswered:") && !strings.HasPrefix(r[1], "unanswered:'=") {
			t.Errorf("a customer's formula reaches the spreadsheet: %q", r[1])
		}
	}
	code, body = f.call(t, f.sue, "GET", "/api/reports/charts/reasons.svg?from="+today+"&to="+today, nil)
	if code != 200 || !bytes.HasPrefix(body, []byte("<svg")) {
		t.Fatalf("chart: %d %.80s", code, body)
	}
	for _, bad := range []string{"/api/reports?from=2026-13-01", "/api/reports?tz=Mars/Olympus", "/api/reports?from=2026-03-05&to=2026-03-01", "/api/reports/charts/nope.svg"} {
		if code, _ := f.call(t, f.sue, "GET", bad, nil); code != 400 && code != 404 {
			t.Errorf("%s: %d, want 400 or 404", bad, code)
		}
	}
	if code, _ := f.call(t, f.ann, "GET", "/api/reports", nil); code != http.StatusForbidden {
		t.Errorf("an agent read the reports: %d", code)
	}
}

func TestEveryRouteStatesItsRule(t *testing.T) {
	t.Parallel()
	for _, rt := range console.Routes(console.Deps{}, console.Options{}) {
		if len(rt.Roles) == 0 && !rt.Public {
			t.Errorf("%s %s states no rule", rt.Method, rt.Pattern)
		}
		if rt.Public && !strings.HasPrefix(rt.Pattern, "/console") {
			t.Errorf("%s %s is public", rt.Method, rt.Pattern)
		}
	}
}
