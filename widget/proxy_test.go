package widget

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/gorilla/websocket"
)

func TestClientIPBelievesOnlyTrustedProxies(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.7")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer string
		forwarded  []string
		want       string
	}{
		{"no proxy", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"untrusted peer's header is ignored", "203.0.113.5:4000", []string{"198.51.100.9"}, "203.0.113.5"},
		{"trusted proxy", "10.1.2.3:4000", []string{"198.51.100.9"}, "198.51.100.9"},
		{"two trusted hops", "192.168.1.7:4000", []string{"198.51.100.9, 10.4.4.4"}, "198.51.100.9"},
		{"a spoofed left part is not believed", "10.1.2.3:4000", []string{"1.1.1.1, 198.51.100.9"}, "198.51.100.9"},
		{"headers repeated", "10.1.2.3:4000", []string{"1.1.1.1", "198.51.100.9"}, "198.51.100.9"},
		{"garbled hop", "10.1.2.3:4000", []string{"198.51.100.9, nonsense"}, "10.1.2.3"},
		{"trusted proxy, no header", "10.1.2.3:4000", nil, "10.1.2.3"},
		{"IPv6 client", "10.1.2.3:4000", []string{"2001:db8::1"}, "2001:db8::1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/widget/ws", nil)
		r.RemoteAddr = tt.peer
		for _, v := range tt.forwarded {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientIP(r, trusted); got != tt.want {
			t.Errorf("%s: clientIP = %q, want %q", tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "not-an-ip", "10.0.0.1/x"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted it", bad)
		}
	}
}

// Behind a trusted proxy the per-address connection limit applies to each
// customer's own address, not to the proxy's.
func TestPerIPLimitBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *setupOpts) {
		o.limits = Limits{IPConnectsPerSecond: 0.001, IPConnectBurst: 1}
		o.proxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	dial := func(customer string) (*http.Response, error) {
		h := http.Header{"Origin": {testOrigin}, "X-Forwarded-For": {customer}}
		c, resp, err := websocket.DefaultDialer.Dial(b.wsURL(), h)
		if c != nil {
			t.Cleanup(func() { c.Close() })
		}
		return resp, err
	}
	for _, customer := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3"} {
		if _, err := dial(customer); err != nil {
			t.Fatalf("first connection of %s: %v", customer, err)
		}
	}
	resp, err := dial("198.51.100.1")
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second connection of one customer: err %v, response %v; want HTTP 429", err, resp)
	}
}
