package widget

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

func TestMessageAckedAfterCommitAndAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	defer c.close()
	w := c.hello("", 0)
	if w.Token == "" || w.VisitorID == "" || w.Status != "bot" {
		t.Fatalf("welcome = %+v, want a token, a visitor id and status bot", w)
	}
	c.send(map[string]any{"type": "message", "id": "m1", "body": "How do I return boots?"})
	var got []wireMessage
	var tok frame
	// The bot's worker wakes on the commit, so its typing may come
	// before the ack reaches the customer.
	typing := map[bool]bool{}
	ack := c.until(TypeAck, func(f frame) {
		if f.Type == TypeToken {
			tok = f
		}
		if f.Type == TypeTyping && f.Who == "bot" {
			typing[f.On] = true
		}
		got = append(got, f.Messages...)
	})
	if ack.ID != "m1" || ack.MsgSeq != 1 || ack.Duplicate {
		t.Fatalf("ack = %+v, want id m1, msg_seq 1, not duplicate", ack)
	}
	if tok.ConversationID == "" {
		t.Fatalf("no token frame with the new conversation before the ack")
	}
	stored, err := b.store.ReadMessages(context.Background(), tok.ConversationID, 0, 0)
	if err != nil || len(stored) == 0 || stored[0].ClientMsgID != "m1" {
		t.Fatalf("after the ack the log holds %+v (err %v), want m1 at seq 1", stored, err)
	}
	// The typing frames reach the connection only once it follows the
	// conversation, which the bot may beat: wait for the answer, and for
	// typing off whenever typing on was seen.
	for len(got) < 2 || typing[true] && !typing[false] {
		f, err := c.next()
		if err != nil {
			t.Fatalf("waiting for the answer and typing off: %v", err)
		}
		got = append(got, f.Messages...)
		if f.Type == TypeTyping && f.Who == "bot" {
			if !f.On && !typing[true] {
				t.Fatal("typing off before typing on")
			}
			typing[f.On] = true
		}
	}
	bot := got[1]
	if bot.Seq != 2 || bot.Author != "bot" || len(bot.Citations) != 1 || bot.Citations[0].URL != "https://help.acme.example/returns" {
		t.Fatalf("bot reply = %+v, want seq 2 from the bot with its citation", bot)
	}
}

func TestResendSameIDIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.holdReplies(t) // no bot replies: only our message in the log
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	var acks []frame
	for range 3 {
		c.send(map[string]any{"type": "message", "id": "same-id", "body": "hello"})
		acks = append(acks, c.until(TypeAck, nil))
	}
	for i, a := range acks {
		wantDup := i > 0
		if a.MsgSeq != 1 || a.Duplicate != wantDup {
			t.Errorf("ack %d = seq %d duplicate %v, want seq 1 duplicate %v", i, a.MsgSeq, a.Duplicate, wantDup)
		}
	}
	convs, _ := b.store.FindConversations(context.Background(), frontline.ConversationFilter{SiteKey: testSite, VisitorID: visitorOf(t, b, c)})
	if len(convs) != 1 || convs[0].LastSeq != 1 {
		t.Fatalf("conversations = %+v, want one with last seq 1", convs)
	}
}

func visitorIn(t *testing.T, token string) string {
	t.Helper()
	v, err := parseToken(testSecret, token, testSite, time.Now())
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	return v.VisitorID
}

func visitorOf(t *testing.T, b *bundle, c *client) string {
	t.Helper()
	b.srv.mu.Lock()
	defer b.srv.mu.Unlock()
	for conn := range b.srv.conns {
		return conn.tok.VisitorID
	}
	t.Fatal("no connection")
	return ""
}

// TestResumeUnderRandomDisconnects is a property test: whatever the moments
// the connection drops (client side or server side), a client that resends
// unacknowledged messages and reconnects with its last seq ends up with every
// message exactly once, in order, and the log holds each message once.
func TestResumeUnderRandomDisconnects(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			resumeProperty(t, seed)
		})
	}
}

// TestResumeOnPostgres runs the same property on the real store, where
// wake-ups come through LISTEN/NOTIFY.
func TestResumeOnPostgres(t *testing.T) {
	t.Parallel()
	for seed := uint64(101); seed <= 104; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			resumeProperty(t, seed, func(o *setupOpts) { o.postgres = true })
		})
	}
}

func resumeProperty(t *testing.T, seed uint64, opts ...func(*setupOpts)) {
	rng := rand.New(rand.NewPCG(seed, seed*7919))
	b := setup(t, opts...)
	const n = 12
	var (
		token   string
		lastSeq int64
		convID  string
		pending []string // ids not yet acked, in send order
		sent    int
		seen    = map[int64]bool{}
	)
	receive := func(f frame) {
		switch f.Type {
		case TypeToken:
			token, convID = f.Token, f.ConversationID
		case TypeWelcome:
			token = f.Token
			if f.ConversationID != "" {
				convID = f.ConversationID
			}
		case TypeAck:
			for i, id := range pending {
				if id == f.ID {
					pending = append(pending[:i], pending[i+1:]...)
					break
				}
			}
		case TypeMessages:
			for _, m := range f.Messages {
				if seen[m.Seq] {
					t.Fatalf("seq %d delivered twice", m.Seq)
				}
				if m.Seq != lastSeq+1 {
					t.Fatalf("gap: got seq %d after %d", m.Seq, lastSeq)
				}
				seen[m.Seq] = true
				lastSeq = m.Seq
			}
		}
	}
	for round := 0; ; round++ {
		if round > 200 {
			t.Fatalf("no progress after %d reconnects", round)
		}
		c := b.dial(t)
		receive(c.hello(token, lastSeq))
		for _, id := range pending {
			c.send(map[string]any{"type": "message", "id": id, "body": "message " + id})
		}
		broken := false
		for !broken {
			if sent == n && len(pending) == 0 && lastSeq == 2*n {
				c.close()
				goto done
			}
			if sent < n {
				id := fmt.Sprintf("s%d-m%d", seed, sent)
				sent++
				pending = append(pending, id)
				c.send(map[string]any{"type": "message", "id": id, "body": "message " + id})
			}
			switch k := rng.IntN(10); {
			case k == 0: // the client's network drops
				c.close()
				broken = true
			case k == 1: // the server drops everyone (as on a node restart)
				b.srv.mu.Lock()
				for conn := range b.srv.conns {
					conn.close(CloseGoingAway, "test")
				}
				b.srv.mu.Unlock()
				for {
					f, err := c.next()
					if err != nil {
						break
					}
					receive(f)
				}
				c.close()
				broken = true
			default:
				f, err := c.next()
				if err != nil {
					t.Fatalf("read: %v (round %d, sent %d, pending %v, last seq %d)", err, round, sent, pending, lastSeq)
				}
				receive(f)
			}
		}
	}
done:
	if convs, err := b.store.FindConversations(context.Background(), frontline.ConversationFilter{SiteKey: testSite, VisitorID: visitorIn(t, token)}); err != nil || len(convs) != 1 {
		t.Fatalf("visitor has %d conversations (err %v), want 1", len(convs), err)
	}
	msgs, err := b.store.ReadMessages(context.Background(), convID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, m := range msgs {
		if m.Author == frontline.AuthorCustomer {
			ids[m.ClientMsgID]++
		}
	}
	if len(msgs) != 2*n || len(ids) != n {
		t.Fatalf("log holds %d messages with %d distinct customer ids, want %d and %d", len(msgs), len(ids), 2*n, n)
	}
	for id, k := range ids {
		if k != 1 {
			t.Errorf("message %s stored %d times", id, k)
		}
	}
}

func TestRejectedFrames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		frame     string
		wantCode  string
		wantClose int // 0: the connection stays open
	}{
		{"malformed JSON", `{"v":1,"type":"message",`, frontline.EInvalid, 0},
		{"not an object", `[1,2,3]`, frontline.EInvalid, 0},
		{"unknown type", `{"v":1,"type":"teleport"}`, "unknown_type", 0},
		{"unknown field", `{"v":1,"type":"message","id":"m1","body":"hi","admin":true}`, frontline.EInvalid, 0},
		{"field of another type", `{"v":1,"type":"message","id":"m1","body":"hi","rating":5}`, frontline.EInvalid, 0},
		{"bad id", `{"v":1,"type":"message","id":"<script>","body":"hi"}`, frontline.EInvalid, 0},
		{"empty body", `{"v":1,"type":"message","id":"m1","body":"  "}`, frontline.EInvalid, 0},
		{"body over the customer limit", `{"v":1,"type":"message","id":"m1","body":"` + strings.Repeat("x", 5000) + `"}`, frontline.ETooLarge, 0},
		{"rating out of range", `{"v":1,"type":"csat","id":"c1","rating":9}`, frontline.EInvalid, 0},
		{"wrong version", `{"v":2,"type":"message","id":"m1","body":"hi"}`, "unsupported_version", CloseBadVersion},
		{"second hello", `{"v":1,"type":"hello"}`, frontline.EInvalid, 0},
	}
	b := setup(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := b.dial(t)
			defer c.close()
			c.hello("", 0)
			c.sendRaw(tc.frame)
			e := c.until(TypeError, nil)
			if e.Code != tc.wantCode || e.Close != tc.wantClose {
				t.Fatalf("error = %q (close %d) %q, want %q (close %d)", e.Code, e.Close, e.Message, tc.wantCode, tc.wantClose)
			}
			if tc.wantClose != 0 {
				if got := c.closeCode(); got != tc.wantClose {
					t.Fatalf("close code = %d, want %d", got, tc.wantClose)
				}
				return
			}
			c.send(map[string]any{"type": "message", "id": "after", "body": "still here?"})
			if a := c.until(TypeAck, nil); a.ID != "after" {
				t.Fatalf("ack = %+v, want the next message acked", a)
			}
		})
	}
}

func TestHandshakeFailures(t *testing.T) {
	t.Parallel()
	b := setup(t)
	now := time.Now()
	valid := signToken(testSecret, visitorToken{VisitorID: "v_1", SiteKey: testSite, Expires: now.Add(time.Hour).Unix()})
	cases := []struct {
		name      string
		hello     string
		wantCode  string
		wantClose int
	}{
		{"first frame not hello", `{"v":1,"type":"message","id":"m1","body":"hi"}`, frontline.EInvalid, CloseBadHandshake},
		{"malformed hello", `{"v":1,"type":"hello","last_seq":"x"}`, frontline.EInvalid, CloseBadHandshake},
		{"wrong version", `{"v":0,"type":"hello"}`, "unsupported_version", CloseBadVersion},
		{"expired token", `{"v":1,"type":"hello","token":"` + signToken(testSecret, visitorToken{VisitorID: "v_1", SiteKey: testSite, Expires: now.Add(-time.Minute).Unix()}) + `"}`, frontline.EUnauthorized, CloseTokenRejected},
		{"forged signature", `{"v":1,"type":"hello","token":"` + valid[:len(valid)-4] + `AAAA"}`, frontline.EUnauthorized, CloseTokenRejected},
		{"signed with another secret", `{"v":1,"type":"hello","token":"` + signToken([]byte("another-secret-another-secret-xx"), visitorToken{VisitorID: "v_1", SiteKey: testSite, Expires: now.Add(time.Hour).Unix()}) + `"}`, frontline.EUnauthorized, CloseTokenRejected},
		{"token for another site", `{"v":1,"type":"hello","token":"` + signToken(testSecret, visitorToken{VisitorID: "v_1", SiteKey: "other", Expires: now.Add(time.Hour).Unix()}) + `"}`, frontline.EUnauthorized, CloseTokenRejected},
		{"garbage token", `{"v":1,"type":"hello","token":"v1.not.base64!"}`, frontline.EUnauthorized, CloseTokenRejected},
		{"bad user hash", `{"v":1,"type":"hello","user_id":"cust-1","user_hash":"` + UserHash("wrong", "cust-1") + `"}`, frontline.EForbidden, CloseForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := b.dial(t)
			defer c.close()
			c.sendRaw(tc.hello)
			e := c.until(TypeError, nil)
			if e.Code != tc.wantCode {
				t.Fatalf("error code = %q (%s), want %q", e.Code, e.Message, tc.wantCode)
			}
			if got := c.closeCode(); got != tc.wantClose {
				t.Fatalf("close code = %d, want %d", got, tc.wantClose)
			}
		})
	}
}

func TestOversizedFrameCloses1009(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	c.sendRaw(`{"v":1,"type":"message","id":"m1","body":"` + strings.Repeat("x", int(DefaultLimits().MaxFrameBytes)) + `"}`)
	if got := c.closeCode(); got != CloseTooBig {
		t.Fatalf("close code = %d, want %d", got, CloseTooBig)
	}
}

func TestFloodIsRateLimitedThenClosed(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *setupOpts) { o.limits = Limits{FramesPerSecond: 1, FrameBurst: 3} })
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	for i := range 10 {
		c.send(map[string]any{"type": "typing", "on": i%2 == 0})
	}
	e := c.until(TypeError, nil)
	if e.Code != frontline.ERateLimited || e.Close != CloseRateLimited {
		t.Fatalf("error = %+v, want rate_limited announcing close %d", e, CloseRateLimited)
	}
	if got := c.closeCode(); got != CloseRateLimited {
		t.Fatalf("close code = %d, want %d", got, CloseRateLimited)
	}
}

func TestPerIPConnectLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *setupOpts) { o.limits = Limits{IPConnectsPerSecond: 0.001, IPConnectBurst: 2} })
	for i := range 2 {
		c, _, err := b.tryDial(testOrigin)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		defer c.Close()
	}
	_, resp, err := b.tryDial(testOrigin)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third connection: err %v, response %v; want HTTP 429", err, resp)
	}
}

func TestForbiddenOriginAndSite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, origin := range []string{"", "null", "https://evil.example", "http://shop.example", "https://shop.example:8443"} {
		_, resp, err := b.tryDial(origin)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: err %v, want HTTP 403", origin, err)
		}
	}
	h := http.Header{"Origin": {testOrigin}}
	_, resp, err := websocketDial(strings.Replace(b.wsURL(), "site="+testSite, "site=nosuch", 1), h)
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("unknown site: err %v, want HTTP 403", err)
	}
}

func TestCustomerCannotReadAnothersConversation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.holdReplies(t)
	// Alice writes.
	alice := b.dial(t)
	defer alice.close()
	alice.hello("", 0)
	alice.send(map[string]any{"type": "message", "id": "a1", "body": "my address is secret"})
	var aliceConv string
	alice.until(TypeAck, func(f frame) {
		if f.Type == TypeToken {
			aliceConv = f.ConversationID
		}
	})
	// Mallory knows Alice's conversation id but not her token.
	mallory := b.dial(t)
	defer mallory.close()
	mallory.hello("", 0)
	mallory.send(map[string]any{"type": "transcript", "id": "t1", "conversation_id": aliceConv})
	if e := mallory.until(TypeError, nil); e.Code != frontline.ENotFound {
		t.Fatalf("transcript of another visitor's conversation: %+v, want not_found", e)
	}
	// A token naming Alice's conversation under another visitor id is refused.
	forged := signToken(testSecret, visitorToken{VisitorID: "v_mallory", ConversationID: aliceConv, SiteKey: testSite, Expires: time.Now().Add(time.Hour).Unix()})
	m2 := b.dial(t)
	defer m2.close()
	m2.send(map[string]any{"type": "hello", "token": forged})
	if e := m2.until(TypeError, nil); e.Code != frontline.EUnauthorized {
		t.Fatalf("hello with another visitor's conversation: %+v, want unauthorized", e)
	}
	// Verified customers see their own history and nobody else's.
	hello := func(user string) *client {
		c := b.dial(t)
		c.send(map[string]any{"type": "hello", "user_id": user, "user_hash": UserHash(testIdentity, user)})
		if w := c.until(TypeWelcome, nil); !w.Verified {
			t.Fatalf("welcome for %s not verified", user)
		}
		return c
	}
	bob := hello("bob")
	defer bob.close()
	bob.send(map[string]any{"type": "message", "id": "b1", "body": "hi"})
	bob.until(TypeAck, nil)
	carol := hello("carol")
	defer carol.close()
	carol.send(map[string]any{"type": "history", "id": "h1"})
	if h := carol.until(TypeHistory, nil); len(h.Conversations) != 0 {
		t.Fatalf("carol's history = %+v, want none", h.Conversations)
	}
	bob2 := hello("bob")
	defer bob2.close()
	bob2.send(map[string]any{"type": "history", "id": "h2"})
	h := bob2.until(TypeHistory, nil)
	if len(h.Conversations) != 1 {
		t.Fatalf("bob's history = %+v, want his one conversation", h.Conversations)
	}
	carol.send(map[string]any{"type": "transcript", "id": "t2", "conversation_id": h.Conversations[0].ID})
	if e := carol.until(TypeError, nil); e.Code != frontline.ENotFound {
		t.Fatalf("carol reading bob's conversation: %+v, want not_found", e)
	}
	bob2.send(map[string]any{"type": "transcript", "id": "t3", "conversation_id": h.Conversations[0].ID})
	if tr := bob2.until(TypeTranscript, nil); len(tr.Messages) != 1 || tr.Messages[0].Body != "hi" {
		t.Fatalf("bob's transcript = %+v, want his message", tr.Messages)
	}
	// Anonymous visitors get no history.
	alice.send(map[string]any{"type": "history", "id": "h3"})
	if e := alice.until(TypeError, nil); e.Code != frontline.EForbidden {
		t.Fatalf("anonymous history: %+v, want forbidden", e)
	}
}

func TestTokenKeepsConversationAcrossConnections(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	c.hello("", 0)
	c.send(map[string]any{"type": "message", "id": "m1", "body": "first"})
	var tok frame
	c.until(TypeAck, func(f frame) {
		if f.Type == TypeToken {
			tok = f
		}
	})
	c.close()
	// A second tab (or a reload) with the token and no seq gets everything.
	tab := b.dial(t)
	defer tab.close()
	w := tab.hello(tok.Token, 0)
	if w.ConversationID != tok.ConversationID || w.Seq != 0 {
		t.Fatalf("welcome = conversation %q seq %d, want %q seq 0", w.ConversationID, w.Seq, tok.ConversationID)
	}
	if w := b.dial(t).hello(tok.Token, 1); w.Seq != 1 || w.Reset {
		t.Fatalf("welcome for last_seq 1 = seq %d reset %v, want seq 1 without reset", w.Seq, w.Reset)
	}
	var got []wireMessage
	for len(got) < 2 {
		got = append(got, tab.until(TypeMessages, nil).Messages...)
	}
	if got[0].Body != "first" || got[0].ClientMsgID != "m1" || got[1].Author != "bot" {
		t.Fatalf("replay = %+v, want my message then the bot's answer", got)
	}
	// A last_seq from somewhere else is reset, not trusted.
	other := b.dial(t)
	defer other.close()
	if w := other.hello(tok.Token, 99); !w.Reset || w.Seq != 0 {
		t.Fatalf("welcome for last_seq 99 = %+v, want reset from 0", w)
	}
}

func TestRequestHumanShowsQueueThenAgent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	c.send(map[string]any{"type": "request_human", "id": "h1"})
	var convID string
	q := c.until(TypeQueue, func(f frame) {
		if f.Type == TypeToken {
			convID = f.ConversationID
		}
	})
	if q.Status != "waiting" || q.Position != 1 || q.ETASeconds != 180 {
		t.Fatalf("queue = %+v, want waiting, position 1, eta 180 s", q)
	}
	b.handoff.assign(t, convID, "Dana")
	for {
		f := c.until(TypeQueue, nil)
		if f.Status == "assigned" {
			if f.AgentName != "Dana" {
				t.Fatalf("assigned queue frame = %+v, want agent Dana", f)
			}
			break
		}
	}
}

func TestCSATRecordedOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	c.send(map[string]any{"type": "csat", "id": "r0", "rating": 5})
	if e := c.until(TypeError, nil); e.ID != "r0" || e.Code != frontline.EInvalid {
		t.Fatalf("csat before any conversation: %+v, want invalid", e)
	}
	c.send(map[string]any{"type": "message", "id": "m1", "body": "hi"})
	var convID string
	c.until(TypeAck, func(f frame) {
		if f.Type == TypeToken {
			convID = f.ConversationID
		}
	})
	for range 2 {
		c.send(map[string]any{"type": "csat", "id": "r1", "rating": 4, "comment": "quick"})
		c.until(TypeAck, nil)
	}
	ev, err := b.store.FindEvents(context.Background(), frontline.EventFilter{ConversationID: convID, Kinds: []frontline.EventKind{frontline.EventCSAT}})
	if err != nil || len(ev) != 1 || !strings.Contains(string(ev[0].Data), `"rating":4`) {
		t.Fatalf("csat events = %+v (err %v), want one with rating 4", ev, err)
	}
}

func TestShutdownClosesWithGoingAwayAfterAppends(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	c.send(map[string]any{"type": "message", "id": "m1", "body": "hi"})
	c.until(TypeAck, nil)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		done <- b.srv.Shutdown(ctx)
	}()
	if got := c.closeCode(); got != CloseGoingAway {
		t.Fatalf("close code = %d, want %d", got, CloseGoingAway)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, resp, err := b.tryDial(testOrigin); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after shutdown: err %v, want HTTP 503", err)
	}
}

func TestSlowConsumerIsDroppedNotWaitedOn(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *setupOpts) { o.limits = Limits{SendBuffer: 1} })
	c := newConn(b.srv, nil, b.srv.sites[testSite], nil)
	c.push(outbound{frame: &ackFrame{}})
	done := make(chan struct{})
	go func() { c.push(outbound{frame: &ackFrame{}}); close(done) }()
	<-done // would hang if push blocked
	select {
	case <-c.closing:
	default:
		t.Fatal("connection with a full send buffer was not closed")
	}
	if c.closeCode != CloseSlowConsumer {
		t.Fatalf("close code = %d, want %d", c.closeCode, CloseSlowConsumer)
	}
}

func TestReconnectableCodes(t *testing.T) {
	t.Parallel()
	for code, want := range map[int]bool{
		CloseNormal: false, CloseGoingAway: true, CloseTooBig: false, CloseInternal: true,
		CloseBadHandshake: false, CloseTokenRejected: true, CloseForbidden: false, CloseHelloTimeout: true,
		CloseSlowConsumer: true, CloseBadVersion: false, CloseRateLimited: true, CloseTooManyErrors: false,
	} {
		if got := reconnectable(code); got != want {
			t.Errorf("reconnectable(%d) = %v, want %v", code, got, want)
		}
	}
}
