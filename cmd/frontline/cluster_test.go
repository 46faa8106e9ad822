package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/widget"
)

// clusterDesk is the desk of the three-node tests: every agent works every
// team and tier, away until they go online; every priority's first
// response is due in 3 s (warned at half), so a hand-off nobody answers
// at once breaches; nobody loses a conversation for not answering.
const clusterDesk = `
teams:
%s
agents:
%s
sla_policies:
%s
`

const clusterAgents = 10

// cluster is three processes of the real binary on one fresh schema of
// the real database, with an agent (Ann), a supervisor (Sue) and
// clusterAgents load agents, each with an API token.
type cluster struct {
	t      *testing.T
	schema string
	nodes  []*faultNode
	tokens map[string]string // email → API token
	admin  *pgx.Conn
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	ctx := context.Background()
	bin := buildBinary(t)
	_, schema, people := migratedPeople(t)
	c := &cluster{t: t, schema: schema, tokens: map[string]string{}}
	type person struct {
		email, name string
		role        frontline.Role
	}
	ps := []person{{"ann@example.com", "Ann Agent", frontline.RoleAgent}, {"sue@example.com", "Sue Supervisor", frontline.RoleSupervisor}}
	for i := range clusterAgents {
		ps = append(ps, person{fmt.Sprintf("load%d@example.com", i), fmt.Sprintf("Load Agent %d", i), frontline.RoleAgent})
	}
	var teams, agents, policies strings.Builder
	var teamIDs []string
	for _, tm := range handoff.DemoTeams() {
		teamIDs = append(teamIDs, tm.ID)
		fmt.Fprintf(&teams, "  - {id: %s, name: %s}\n", tm.ID, tm.Name)
	}
	for _, p := range []frontline.Priority{frontline.PriorityLow, frontline.PriorityNormal, frontline.PriorityHigh, frontline.PriorityUrgent} {
		fmt.Fprintf(&policies, "  - {priority: %s, first_response: 3s, next_response: 30m, resolution: 8h, warn_at: 0.5, escalation: notify, no_answer: 30m}\n", p)
	}
	for _, p := range ps {
		u, err := people.CreateUser(ctx, auth.NewUser{Email: p.email, Name: p.name, Roles: []frontline.Role{p.role}, Password: consolePassword})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := people.CreateAPIToken(ctx, u, "cluster test", 0)
		if err != nil {
			t.Fatal(err)
		}
		c.tokens[p.email] = tok
		if p.role == frontline.RoleAgent {
			fmt.Fprintf(&agents, "  - {user_id: %s, name: %s, tiers: [t1, t2, t3, exec], teams: [%s], skills: [private], capacity: 10, presence: away}\n",
				u.ID, p.name, strings.Join(teamIDs, ", "))
		}
	}
	desk := filepath.Join(t.TempDir(), "desk.yaml")
	if err := os.WriteFile(desk, []byte(fmt.Sprintf(clusterDesk, teams.String(), agents.String(), policies.String())), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"DATABASE_URL=" + testDatabaseURL(schema),
		"FRONTLINE_TOKEN_SECRET=cluster-test-token-secret-0123456789abcdef", // the same on every node
		"FRONTLINE_ADMIN_TOKEN=cluster-test-admin-token",
		"FRONTLINE_DEMO_KB=true",
		"FRONTLINE_PEOPLE_CONFIG=" + desk,
		"FRONTLINE_LOG_LEVEL=warn",
		"FRONTLINE_WIDGET_LIMITS=ip_connects_per_second=5000,ip_connect_burst=20000,ip_max_connections=20000,ip_frames_per_second=1000000,ip_frame_burst=1000000",
	}
	for range 3 {
		n := &faultNode{t: t, bin: bin, addr: freeAddr(t), env: env}
		// One at a time: the first imports the demo KB, the others find it.
		n.start()
		t.Cleanup(n.kill)
		c.nodes = append(c.nodes, n)
	}
	admin, err := pgx.Connect(ctx, pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.admin = admin
	t.Cleanup(func() { c.admin.Close(context.Background()) })
	return c
}

// count runs a count over the cluster's schema ($S. names its tables).
func (c *cluster) count(sql string) int64 {
	c.t.Helper()
	var n int64
	sql = strings.ReplaceAll(sql, "$S.", pgx.Identifier{c.schema}.Sanitize()+".")
	if err := c.admin.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// socket is a test client of either websocket that keeps every frame it
// got, so a wait can match a frame that came before it was asked for.
type socket struct {
	t    *testing.T
	name string
	ws   *websocket.Conn

	mu     sync.Mutex
	frames []map[string]any
	more   chan struct{}
	err    error
}

func dialTestSocket(t *testing.T, name, url string, h http.Header) *socket {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		t.Fatalf("%s: dial %s: %v (%v)", name, url, err, resp)
	}
	s := &socket{t: t, name: name, ws: ws, more: make(chan struct{}, 1)}
	t.Cleanup(func() { ws.Close() })
	go func() {
		for {
			var f map[string]any
			err := ws.ReadJSON(&f)
			s.mu.Lock()
			if err != nil {
				s.err = err
			} else {
				s.frames = append(s.frames, f)
			}
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return s
}

// customerSocket is a widget client on node n that said hello.
func (c *cluster) customerSocket(name string, n int) *socket {
	base := "http://" + c.nodes[n].addr
	s := dialTestSocket(c.t, name, "ws://"+c.nodes[n].addr+"/widget/ws?site=demo", http.Header{"Origin": {base}})
	s.send(map[string]any{"type": "hello"})
	s.await("welcome", func(f map[string]any) bool { return f["type"] == "welcome" })
	return s
}

// agentSocket is the agent socket on node n, signed in with email's token.
func (c *cluster) agentSocket(email string, n int) *socket {
	base := "http://" + c.nodes[n].addr
	s := dialTestSocket(c.t, email, "ws://"+c.nodes[n].addr+handoff.SocketPath,
		http.Header{"Origin": {base}, "Authorization": {"Bearer " + c.tokens[email]}})
	s.await("welcome", func(f map[string]any) bool { return f["type"] == "welcome" })
	return s
}

func (s *socket) send(f map[string]any) {
	s.t.Helper()
	f["v"] = 1
	if err := s.ws.WriteJSON(f); err != nil {
		s.t.Fatalf("%s: send %v: %v", s.name, f, err)
	}
}

// await returns the first frame so far that matches, waiting up to 30 s.
func (s *socket) await(what string, match func(map[string]any) bool) map[string]any {
	s.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		for _, f := range s.frames {
			if match(f) {
				s.mu.Unlock()
				if f["type"] == "error" {
					s.t.Fatalf("%s: waiting for %s: refused: %v", s.name, what, f)
				}
				return f
			}
		}
		err, n := s.err, len(s.frames)
		s.mu.Unlock()
		if err != nil {
			s.t.Fatalf("%s: waiting for %s: the socket ended: %v", s.name, what, err)
		}
		select {
		case <-s.more:
			continue
		case <-deadline:
			s.mu.Lock()
			last := s.frames[max(0, n-5):]
			s.mu.Unlock()
			s.t.Fatalf("%s: no %s within 30s; the last frames: %v", s.name, what, last)
		}
	}
}

// quoteLiteral quotes an id the server made as an SQL string.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Frame predicates.
func queuePlace(status string, position int) func(map[string]any) bool {
	return func(f map[string]any) bool {
		return f["type"] == "queue" && f["status"] == status && (position == 0 || f["position"] == float64(position))
	}
}

func messageFrom(author, kind, text string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		if f["type"] != "messages" {
			return false
		}
		for _, m := range f["messages"].([]any) {
			m := m.(map[string]any)
			if m["author"] == author && (kind == "" || m["kind"] == kind) && strings.Contains(fmt.Sprint(m["body"]), text) {
				return true
			}
		}
		return false
	}
}

func inQueue(conv, status string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		if f["type"] != "queue" {
			return false
		}
		hs, _ := f["handoffs"].([]any)
		for _, h := range hs {
			h := h.(map[string]any)
			if h["conversation_id"] == conv && (status == "" || h["status"] == status) {
				return true
			}
		}
		return false
	}
}

func slaBreached(conv string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		b, _ := f["breached"].([]any)
		return f["type"] == "sla" && f["conversation_id"] == conv && len(b) > 0
	}
}

// ackOf matches the answer to frame id: an ack, or an error (which await
// then fails on).
func ackOf(id string) func(map[string]any) bool {
	return func(f map[string]any) bool { return (f["type"] == "ack" || f["type"] == "error") && f["id"] == id }
}

func handoffNotice(f map[string]any) bool {
	return messageFrom("system", "handoff", "")(f) || messageFrom("bot", "handoff", "")(f)
}

// TestThreeNodes is the same binary as three processes on one Postgres,
// with customers and agents on different nodes: two customers (nodes 1
// and 3) ask for a person; the hand-offs reach the agent on node 2 and
// the supervisor on node 3, with the customers' places in line (1 and 2);
// the SLA breach of the first response reaches both; the agent takes the
// first, and the second customer's place (on another node) moves to 1;
// her reply reaches the first customer under her name, and so does the
// resolution. Then the kill test: 300 customers and 10 agents spread over
// the three nodes, node 2 killed with kill -9 mid-way and not restarted;
// its clients reconnect to the others. Checked from every client's view
// and from the database: no acknowledged message lost or duplicated,
// every customer message answered once (a reply or a hand-off), no
// hand-off lost or claimed twice, every hand-off answered and resolved,
// and every SLA timer fired once. The counts are logged (go test -v, or
// make test-e2e).
func TestThreeNodes(t *testing.T) {
	t.Parallel()
	c := startCluster(t)

	t.Run("fan-out", func(t *testing.T) {
		c.t = t
		ann := c.agentSocket("ann@example.com", 1)
		sue := c.agentSocket("sue@example.com", 2)
		annID := fmt.Sprint(ann.await("welcome", func(f map[string]any) bool { return f["type"] == "welcome" })["user"].(map[string]any)["id"])
		first := c.customerSocket("first customer", 0)
		first.send(map[string]any{"type": widget.TypeRequestHuman, "id": "h1"})
		id1 := fmt.Sprint(first.await("the hand-off notice", handoffNotice)["conversation_id"])
		first.await("first in line", queuePlace("waiting", 1))
		second := c.customerSocket("second customer", 2)
		second.send(map[string]any{"type": widget.TypeRequestHuman, "id": "h2"})
		id2 := fmt.Sprint(second.await("the hand-off notice", handoffNotice)["conversation_id"])
		second.await("second in line", queuePlace("waiting", 2))
		ann.await("the hand-off on node 2", inQueue(id1, "waiting"))
		sue.await("the hand-off on node 3", inQueue(id1, "waiting"))
		// The breach is recorded by whichever node's timer fires it...
		start := time.Now()
		for c.count(`SELECT count(*) FROM $S.events WHERE kind = 'sla.breach' AND conversation_id = `+quoteLiteral(id1)) == 0 {
			if time.Since(start) > time.Minute {
				t.Fatalf("no SLA breach recorded for %s within a minute of its 3 s deadline", id1)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("the first response's breach was recorded %v after the check began", time.Since(start).Round(time.Millisecond))
		// ...and reaches the agent and the supervisor on their nodes.
		ann.await("the SLA breach on node 2", slaBreached(id1))
		sue.await("the SLA breach on node 3", slaBreached(id1))

		ann.send(map[string]any{"type": "claim", "id": "k1", "conversation_id": id1})
		ann.await("the claim", ackOf("k1"))
		first.await("taken by Ann", func(f map[string]any) bool { return queuePlace("assigned", 0)(f) && f["agent_name"] == "Ann Agent" })
		second.await("moved up to first in line (a claim on another node)", queuePlace("waiting", 1))
		sue.await("assigned to Ann on node 3", inQueue(id1, "assigned"))
		ann.send(map[string]any{"type": "reply", "id": "r1", "conversation_id": id1, "body": "Hello from Ann on node 2"})
		ann.await("the reply", ackOf("r1"))
		got := first.await("Ann's reply on node 1", messageFrom("agent", "", "Hello from Ann on node 2"))
		for _, m := range got["messages"].([]any) {
			if m := m.(map[string]any); m["author"] == "agent" && m["author_name"] != "Ann Agent" {
				t.Errorf("the reply shows under %q, want Ann Agent", m["author_name"])
			}
		}
		ann.send(map[string]any{"type": "resolve", "id": "x1", "conversation_id": id1})
		ann.await("the resolution", ackOf("x1"))
		first.await("the resolution on node 1", messageFrom("system", "resolved", ""))
		// Sue gives the second to Ann, who answers and resolves it: the
		// desk is clear for the load.
		sue.send(map[string]any{"type": "reassign", "id": "k2", "conversation_id": id2, "agent_id": annID})
		sue.await("the reassignment", ackOf("k2"))
		ann.await("the second assigned to Ann by Sue", func(f map[string]any) bool {
			e, _ := f["entry"].(map[string]any)
			return f["type"] == "assigned" && e["conversation_id"] == id2
		})
		second.await("taken by Ann", queuePlace("assigned", 0))
		ann.send(map[string]any{"type": "reply", "id": "r2", "conversation_id": id2, "body": "Hello from Ann again"})
		ann.await("the reply", ackOf("r2"))
		second.await("Ann's reply on node 3", messageFrom("agent", "", "Hello from Ann again"))
		ann.send(map[string]any{"type": "resolve", "id": "x2", "conversation_id": id2})
		ann.await("the resolution", ackOf("x2"))
	})
	if t.Failed() {
		return
	}

	t.Run("node killed under load", func(t *testing.T) {
		c.t = t
		before := c.count(`SELECT count(*) FROM $S.events WHERE kind = 'handoff'`) // the fan-out's
		tokens := filepath.Join(t.TempDir(), "agent-tokens")
		var lines []string
		for i := range clusterAgents {
			lines = append(lines, c.tokens[fmt.Sprintf("load%d@example.com", i)])
		}
		if err := os.WriteFile(tokens, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, n := range c.nodes {
			urls = append(urls, "http://"+n.addr)
		}
		loadStarted := make(chan struct{})
		stderr := &lineSignal{match: "customers sending", hit: loadStarted}
		var res benchResult
		var benchErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			var out bytes.Buffer
			// Agents answer after 4 s: past the 3 s first response, so
			// every hand-off's timers warn and breach.
			benchErr = runBench(context.Background(), []string{"--url", strings.Join(urls, ","), "--customers", "300", "--rate", "0.05",
				"--ask-human", "0.1", "--duration", "15s", "--drain", "150s", "--json", "--admin-token", "cluster-test-admin-token",
				"--agent-tokens", tokens, "--agent-delay", "4s"}, &out, stderr)
			if benchErr == nil {
				benchErr = json.Unmarshal(out.Bytes(), &res)
			}
		}()
		select {
		case <-loadStarted:
		case <-done:
			t.Fatalf("the bench ended before its load: %v\n%s", benchErr, stderr.String())
		}
		time.Sleep(5 * time.Second) // a third into the load
		c.nodes[1].kill()
		t.Logf("killed node 2 (%s) with kill -9", c.nodes[1].addr)
		<-done
		if benchErr != nil {
			t.Fatalf("bench: %v\n%s", benchErr, stderr.String())
		}
		k, a := res.Check, res.Agents
		t.Logf("clients: %d customers, %d messages sent in the load, %d acked, %d replies, %d customers handed off, %d reconnects; lost %d, duplicated %d, out of order %d, unanswered %d, answered twice %d, unacked %d, unchecked %d",
			res.Connected, res.Sent, res.Acked, res.Replies, res.HandedOff, res.Reconnects, k.Lost, k.Duplicated, k.OutOfOrder, k.Unanswered, k.AnsweredTwice, k.Unacked, k.Unchecked)
		t.Logf("agents: %d agents, %d conversations assigned, %d to two agents, %d replied, %d resolved, %d unfinished, %d still queued, %d SLA frames, %d reconnects; errors %v",
			a.Agents, a.Assigned, a.AssignedTwice, a.Replied, a.Resolved, a.Unfinished, a.Queued, a.SLAFrames, a.Reconnects, a.Errors)
		t.Logf("bench errors (expected while node 2 goes away): %v", res.ErrorKinds)
		if k != (benchCheck{}) {
			t.Errorf("clients' view: not every acknowledged message was kept, in order, and answered exactly once: %+v", k)
		}
		if a.Unfinished != 0 || a.Queued != 0 || a.Assigned == 0 || a.Replied != a.Assigned || a.Resolved != a.Assigned {
			t.Errorf("agents' view: every hand-off should be answered and resolved: %+v", a)
		}
		if a.Reconnects == 0 || res.Reconnects == 0 {
			t.Errorf("nobody reconnected (agents %d, customers %d): the kill reached no client", a.Reconnects, res.Reconnects)
		}

		dbc := checkDatabase(t, c.admin, c.schema)
		t.Logf("database: %s", dbc)
		if !dbc.ok() {
			t.Errorf("database: not every acknowledged message was kept and answered exactly once")
		}
		for _, q := range []string{
			`SELECT kind || ' ' || coalesce(data->>'escalation', data->>'reason', '') || ': ' || count(*)::text FROM $S.events WHERE kind IN ('unassign', 'escalation', 'transfer') GROUP BY kind, coalesce(data->>'escalation', data->>'reason', '')`,
			`SELECT id || ' ' || (doc->>'escalation') FROM $S.handoff_directory WHERE kind = 'sla_policy'`,
			// The conversations claimed twice and targets fired twice, event by event.
			`SELECT conversation_id || ' ' || string_agg(kind || '(' || actor || ' ' || coalesce(data->>'agent_id', data->>'target', '') || ' ' || to_char(created_at, 'MI:SS.MS') || ')', ' ' ORDER BY id)
				FROM $S.events WHERE kind IN ('handoff', 'claim', 'unassign', 'sla.warning', 'sla.breach', 'resolution') AND conversation_id IN (
					SELECT conversation_id FROM $S.events WHERE kind = 'claim' GROUP BY 1 HAVING count(*) > 1
					UNION SELECT conversation_id FROM $S.events WHERE kind IN ('sla.breach', 'sla.warning') GROUP BY conversation_id, kind, data->>'target' HAVING count(*) > 1)
				GROUP BY conversation_id LIMIT 6`,
		} {
			rows, err := c.admin.Query(context.Background(), strings.ReplaceAll(q, "$S.", pgx.Identifier{c.schema}.Sanitize()+"."))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				t.Logf("database: %s", s)
			}
			rows.Close()
		}
		h := c.checkHandoffs()
		t.Logf("database: %s", h)
		if !h.ok() {
			t.Errorf("database: hand-offs or SLA timers not exactly once (see above)")
		}
		if h.Handoffs-before != a.Assigned {
			t.Errorf("database: %d hand-offs in the load, the agents were assigned %d", h.Handoffs-before, a.Assigned)
		}
	})
}

// handoffCounts is what the database says of the hand-offs of a run.
type handoffCounts struct {
	Handoffs      int64 // hand-offs (a conversation handed off again counts again)
	Lost          int64 // conversations with a hand-off notice and no queue entry
	NotResolved   int64
	ClaimedTwice  int64 // conversations claimed more often than handed off or released
	RepliesNotOne int64 // conversations without exactly one agent reply per hand-off
	Breached      int64 // first-response breaches recorded
	BreachedTwice int64 // a target breached (or warned) more often than the conversation was handed off or released
	MissedBreach  int64 // first replies 5 s or more after the deadline with no breach recorded
	TimersOpen    int64 // SLA timer jobs past due and not finished
	TimersFailed  int64 // SLA timer jobs discarded after failing
	TimersDone    int64 // SLA timer jobs completed
	TimersAll     int64 // SLA timer jobs
}

func (h handoffCounts) ok() bool {
	return h.Handoffs > 0 && h.Lost == 0 && h.NotResolved == 0 && h.ClaimedTwice == 0 && h.RepliesNotOne == 0 &&
		h.BreachedTwice == 0 && h.MissedBreach == 0 && h.TimersOpen == 0 && h.TimersFailed == 0
}

func (h handoffCounts) String() string {
	return fmt.Sprintf("%d hand-offs: lost %d, not resolved %d, claimed twice %d, without exactly one agent reply %d; first responses breached %d (a target breached or warned twice %d, late replies with no breach %d); SLA timer jobs %d: completed %d, past due and open %d, failed %d",
		h.Handoffs, h.Lost, h.NotResolved, h.ClaimedTwice, h.RepliesNotOne, h.Breached, h.BreachedTwice, h.MissedBreach, h.TimersAll, h.TimersDone, h.TimersOpen, h.TimersFailed)
}

// checkHandoffs counts from the schema; SLA timers a killed node was
// firing are fired again by River after a minute, so it waits for them.
func (c *cluster) checkHandoffs() handoffCounts {
	open := `SELECT count(*) FROM $S.river_job WHERE kind = 'frontline_sla_timer' AND state NOT IN ('completed', 'cancelled', 'discarded') AND scheduled_at < now() - interval '2 seconds'`
	deadline := time.Now().Add(90 * time.Second)
	for c.count(open) > 0 && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
	}
	// A conversation may be handed off again after its resolution (its
	// customer wrote again): claims, replies and SLA targets are counted
	// per hand-off, and per release (an unassignment) within one.
	const rounds = `((SELECT count(*) FROM $S.events h WHERE h.conversation_id = x.conversation_id AND h.kind = 'handoff')
		+ (SELECT count(*) FROM $S.events u WHERE u.conversation_id = x.conversation_id AND u.kind = 'unassign'))`
	return handoffCounts{
		Handoffs: c.count(`SELECT count(*) FROM $S.events WHERE kind = 'handoff'`),
		Lost: c.count(`SELECT count(DISTINCT conversation_id) FROM $S.messages m WHERE m.meta->>'kind' = 'handoff' AND m.author IN ('bot', 'system')
			AND NOT EXISTS (SELECT 1 FROM $S.handoff_queue q WHERE q.conversation_id = m.conversation_id)`),
		NotResolved:  c.count(`SELECT count(*) FROM $S.handoff_queue WHERE status <> 'resolved'`),
		ClaimedTwice: c.count(`SELECT count(*) FROM (SELECT conversation_id, count(*) AS n FROM $S.events WHERE kind = 'claim' GROUP BY 1) x WHERE n > ` + rounds),
		RepliesNotOne: c.count(`SELECT count(*) FROM (SELECT conversation_id, (SELECT count(*) FROM $S.messages m WHERE m.conversation_id = q.conversation_id AND m.author = 'agent') AS n
			FROM $S.handoff_queue q) x WHERE n <> (SELECT count(*) FROM $S.events h WHERE h.conversation_id = x.conversation_id AND h.kind = 'handoff')`),
		Breached: c.count(`SELECT count(*) FROM $S.events WHERE kind = 'sla.breach' AND data->>'target' = 'first_response'`),
		BreachedTwice: c.count(`SELECT count(*) FROM (SELECT conversation_id, count(*) AS n FROM $S.events
			WHERE kind IN ('sla.breach', 'sla.warning') AND data->>'target' IN ('first_response', 'resolution') GROUP BY conversation_id, kind, data->>'target') x WHERE n > ` + rounds),
		MissedBreach: c.count(`SELECT count(*) FROM $S.handoff_queue q WHERE
			(SELECT min(created_at) FROM $S.messages m WHERE m.conversation_id = q.conversation_id AND m.author = 'agent' AND m.created_at > q.enqueued_at) > q.due_at + interval '5 seconds'
			AND NOT EXISTS (SELECT 1 FROM $S.events e WHERE e.conversation_id = q.conversation_id AND e.kind = 'sla.breach' AND e.data->>'target' = 'first_response' AND e.created_at > q.enqueued_at)`),
		TimersOpen:   c.count(open),
		TimersFailed: c.count(`SELECT count(*) FROM $S.river_job WHERE kind = 'frontline_sla_timer' AND state = 'discarded'`),
		TimersDone:   c.count(`SELECT count(*) FROM $S.river_job WHERE kind = 'frontline_sla_timer' AND state = 'completed'`),
		TimersAll:    c.count(`SELECT count(*) FROM $S.river_job WHERE kind = 'frontline_sla_timer'`),
	}
}
