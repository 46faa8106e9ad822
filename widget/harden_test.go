package widget

import (
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline"
)

// dialAs opens a socket for customer (an address a trusted proxy forwards)
// and returns the close code when the server refuses it at once, else 0.
func (b *bundle) dialAs(t *testing.T, customer string) (*websocket.Conn, int) {
	t.Helper()
	h := http.Header{"Origin": {testOrigin}, "X-Forwarded-For": {customer}}
	ws, resp, err := websocket.DefaultDialer.Dial(b.wsURL(), h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial as %s: %v (HTTP %d)", customer, err, status)
	}
	t.Cleanup(func() { ws.Close() })
	// A refused connection is closed before anything else; an admitted one
	// answers hello with welcome.
	if err := ws.WriteJSON(map[string]any{"v": ProtocolVersion, "type": "hello"}); err != nil {
		return ws, -1
	}
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	if _, _, err := ws.ReadMessage(); err != nil {
		if ce, ok := err.(*websocket.CloseError); ok {
			return ws, ce.Code
		}
		t.Fatalf("dial as %s: %v", customer, err)
	}
	return ws, 0
}

func TestConnectionCapPerAddress(t *testing.T) {
	t.Parallel()
	released := make(chan struct{}, 16)
	b := setup(t, func(o *setupOpts) {
		o.limits = Limits{IPMaxConnections: 2}
		o.proxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		o.connReleased = func() {
			select {
			case released <- struct{}{}:
			default: // the cleanup's releases need no reader
			}
		}
	})
	first, code := b.dialAs(t, "198.51.100.1")
	if code != 0 {
		t.Fatalf("first connection closed with %d", code)
	}
	if _, code := b.dialAs(t, "198.51.100.1"); code != 0 {
		t.Fatalf("second connection closed with %d", code)
	}
	if _, code := b.dialAs(t, "198.51.100.1"); code != CloseTooManyConnections {
		t.Fatalf("third connection of one address: close %d, want %d", code, CloseTooManyConnections)
	}
	if _, code := b.dialAs(t, "198.51.100.2"); code != 0 {
		t.Fatalf("another address: closed with %d, want admitted", code)
	}
	// IPv6 addresses count by /64: one subscriber cannot pick new ones
	// from its prefix to get round the cap.
	for i, customer := range []string{"2001:db8:0:1::1", "2001:db8:0:1::2"} {
		if _, code := b.dialAs(t, customer); code != 0 {
			t.Fatalf("IPv6 connection %d: closed with %d", i, code)
		}
	}
	if _, code := b.dialAs(t, "2001:db8:0:1:ffff::9"); code != CloseTooManyConnections {
		t.Fatalf("third connection of one /64: close %d, want %d", code, CloseTooManyConnections)
	}
	if _, code := b.dialAs(t, "2001:db8:0:2::1"); code != 0 {
		t.Fatalf("another /64: closed with %d, want admitted", code)
	}
	// A closed connection makes room once the server has given it back.
	drainReleased(released)
	first.Close()
	select {
	case <-released:
	case <-time.After(wait):
		t.Fatal("the closed connection was not given back")
	}
	if _, code := b.dialAs(t, "198.51.100.1"); code != 0 {
		t.Fatalf("after closing one, a new connection is refused with %d", code)
	}
	if !reconnectable(CloseTooManyConnections) {
		t.Error("CloseTooManyConnections should be one a client reconnects after, with backoff")
	}
}

// drainReleased empties ch of the signals given so far.
func drainReleased(ch chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func TestAddressKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"198.51.100.7":               "198.51.100.7",
		"::ffff:198.51.100.7":        "198.51.100.7",
		"2001:db8:1:2:3:4:5:6":       "2001:db8:1:2::/64",
		"2001:DB8:1:2::9":            "2001:db8:1:2::/64",
		"fe80::1%eth0":               "fe80::/64",
		"not an address":             "not an address",
		"2001:db8:1:3:ffff:ffff::ff": "2001:db8:1:3::/64",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRateLimitCountsFramesOnArrival: a customer who keeps to the allowed
// rate while the store is stalled is not taken for a flood when it recovers.
// The frames are counted when they arrive, so the reader must go on reading
// while an append waits.
func TestRateLimitCountsFramesOnArrival(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		clock = time.Now()
	)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	tick := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	charged := make(chan struct{}, 64)
	var gate *gatedLog
	const perSecond, burst, frames = 5, 3, 20
	b := setup(t, func(o *setupOpts) {
		o.now = now
		o.limits = Limits{FramesPerSecond: perSecond, FrameBurst: burst}
		o.wrapLog = func(l frontline.Log) frontline.Log { gate = newGatedLog(l); return gate }
		o.frameCharged = func() { charged <- struct{}{} }
	})
	t.Cleanup(gate.open)
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	<-charged

	gate.arm() // the store stalls: the first message's append waits
	for i := range frames {
		tick(time.Second / perSecond)
		c.send(map[string]any{"type": "message", "id": fmt.Sprintf("m%d", i), "body": "still there?"})
		select {
		case <-charged:
		case <-time.After(wait):
			t.Fatalf("message %d was not counted on arrival: the reader waits for the stalled store", i)
		}
		if i == 0 {
			<-gate.arrived
		}
	}
	gate.open()
	acked := map[string]bool{}
	for len(acked) < frames {
		f, err := c.next()
		if err != nil {
			t.Fatalf("after the stall, with %d of %d acked: %v", len(acked), frames, err)
		}
		switch f.Type {
		case TypeAck:
			acked[f.ID] = true
		case TypeError:
			t.Fatalf("after the stall: error %+v, want every message acked", f)
		}
	}
}

func TestFramesThatAreNotJSONText(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Binary and invalid UTF-8 end the connection with their own codes.
	for _, tc := range []struct {
		name  string
		typ   int
		data  string
		close int
	}{
		{"binary", websocket.BinaryMessage, `{"v":1,"type":"message","id":"m1","body":"hi"}`, CloseUnsupportedData},
		{"invalid UTF-8", websocket.TextMessage, "{\"v\":1,\"type\":\"message\",\"id\":\"m1\",\"body\":\"caf\xe9\"}", CloseInvalidText},
		{"invalid UTF-8 before hello", websocket.TextMessage, "\xff\xfe", CloseInvalidText},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := b.dial(t)
			defer c.close()
			if tc.name != "invalid UTF-8 before hello" {
				c.hello("", 0)
			}
			if err := c.ws.WriteMessage(tc.typ, []byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			e := c.until(TypeError, nil)
			if e.Code != frontline.EInvalid || e.Close != tc.close {
				t.Fatalf("error = %+v, want invalid announcing close %d", e, tc.close)
			}
			if got := c.closeCode(); got != tc.close {
				t.Fatalf("close code = %d, want %d", got, tc.close)
			}
			if reconnectable(tc.close) {
				t.Errorf("close %d: a client resending the same frame would fail again; it should be terminal", tc.close)
			}
		})
	}
	// JSON that is not an object is answered invalid, and the connection stays.
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	for _, raw := range []string{"null", " null ", "[]", "1", `"hello"`, "true"} {
		c.sendRaw(raw)
		e := c.until(TypeError, nil)
		if e.Code != frontline.EInvalid || e.Close != 0 {
			t.Fatalf("frame %q: error %+v, want invalid without a close", raw, e)
		}
	}
	c.send(map[string]any{"type": "message", "id": "m1", "body": "still here"})
	if a := c.until(TypeAck, nil); a.ID != "m1" {
		t.Fatalf("ack = %+v, want m1", a)
	}
}

func TestOriginNeverTrustsHost(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, tc := range []struct{ name, origin, host string }{
		{"forged host matching a foreign origin", "http://evil.example", "evil.example"},
		{"forged host with port", "http://evil.example:8080", "evil.example:8080"},
		{"forged host, https", "https://evil.example", "evil.example"},
		{"empty origin", "", "evil.example"},
		{"null origin", "null", "null"},
		{"malformed origin", "http://%zz", "%zz"},
	} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		h.Set("Host", tc.host)
		ws, resp, err := websocket.DefaultDialer.Dial(b.wsURL(), h)
		if ws != nil {
			ws.Close()
		}
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: err %v, want HTTP 403", tc.name, err)
		}
	}
	// The site's configured origins still work, in any case.
	for _, origin := range []string{testOrigin, "HTTPS://SHOP.EXAMPLE", "https://shop.example:443"} {
		ws, _, err := b.tryDial(origin)
		if err != nil {
			t.Errorf("origin %q: %v, want admitted", origin, err)
			continue
		}
		ws.Close()
	}
}

func TestDebugStatsNeedAdminToken(t *testing.T) {
	t.Parallel()
	const token = "admin-token-for-widget-tests"
	get := func(b *bundle, auth string) int {
		req, _ := http.NewRequest(http.MethodGet, b.http.URL+"/debug/widget/stats", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// The test client is on loopback, as a same-host proxy would be.
	off := setup(t)
	if got := get(off, ""); got != http.StatusNotFound {
		t.Errorf("no admin token configured, loopback caller: HTTP %d, want 404 (off)", got)
	}
	on := setup(t, func(o *setupOpts) { o.adminToken = token })
	for _, tc := range []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer wrong-token", http.StatusUnauthorized},
		{"Bearer " + token + "x", http.StatusUnauthorized},
		{token, http.StatusUnauthorized},
		{"Bearer " + token, http.StatusOK},
	} {
		if got := get(on, tc.auth); got != tc.want {
			t.Errorf("Authorization %q from loopback: HTTP %d, want %d", tc.auth, got, tc.want)
		}
	}
}

// A store stalled for longer than a connection's queue of waiting frames
// allows ends it with 1013, a code clients reconnect after.
func TestStalledStoreOverflowClosesTryAgainLater(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		clock = time.Now()
	)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	charged := make(chan struct{}, 64)
	var gate *gatedLog
	b := setup(t, func(o *setupOpts) {
		o.now = now
		o.limits = Limits{FramesPerSecond: 1, FrameBurst: 2}
		o.wrapLog = func(l frontline.Log) frontline.Log { gate = newGatedLog(l); return gate }
		o.frameCharged = func() { charged <- struct{}{} }
	})
	t.Cleanup(gate.open)
	maxWaiting := b.srv.maxWaiting
	if maxWaiting != 2*(2+10) {
		t.Fatalf("maxWaiting = %d, want 2 × (burst 2 + 1/s × 10 s)", maxWaiting)
	}
	c := b.dial(t)
	defer c.close()
	c.hello("", 0)
	<-charged
	gate.arm()
	// The first message is taken by the worker and waits in the store; the
	// next maxWaiting wait in the queue; one more does not fit.
	for i := range maxWaiting + 2 {
		mu.Lock()
		clock = clock.Add(time.Second)
		mu.Unlock()
		c.send(map[string]any{"type": "message", "id": fmt.Sprintf("m%d", i), "body": "hello?"})
		<-charged
		if i == 0 {
			<-gate.arrived
		}
	}
	e := c.until(TypeError, nil)
	if e.Code != frontline.EUnavailable || e.Close != CloseTryAgainLater {
		t.Fatalf("error = %+v, want unavailable announcing close %d", e, CloseTryAgainLater)
	}
	if got := c.closeCode(); got != CloseTryAgainLater {
		t.Fatalf("close code = %d, want %d", got, CloseTryAgainLater)
	}
	if !reconnectable(CloseTryAgainLater) {
		t.Error("CloseTryAgainLater should be one a client reconnects after")
	}
}
