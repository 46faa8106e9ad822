package widget

import (
	"bytes"
	"compress/gzip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestOriginAllowed(t *testing.T) {
	t.Parallel()
	site := &Site{Key: "s", AllowedOrigins: []string{"https://Shop.Example", "http://localhost:8080", "http://[::1]:8080"}}
	cases := []struct {
		name   string
		origin string
		want   bool
	}{
		{"exact", "https://shop.example", true},
		{"host case differs", "https://SHOP.example", true},
		{"scheme case differs", "HTTPS://shop.example", true},
		{"explicit default port", "https://shop.example:443", true},
		{"trailing slash", "https://shop.example/", true},
		{"empty", "", false},
		{"null", "null", false},
		{"malformed", "https://%zz", false},
		{"no scheme", "shop.example", false},
		{"scheme differs", "http://shop.example", false},
		{"port differs", "https://shop.example:8443", false},
		{"foreign", "https://evil.example", false},
		{"suffix attack", "https://shop.example.evil.example", false},
		{"prefix attack", "https://evilshop.example", false},
		{"user info", "https://shop.example@evil.example", false},
		{"path", "https://shop.example/path", false},
		{"javascript scheme", "javascript://shop.example", false},
		{"localhost with port", "http://localhost:8080", true},
		{"localhost other port", "http://localhost:8081", false},
		{"ipv6", "http://[::1]:8080", true},
		{"ipv6 other port", "http://[::1]:9090", false},
		{"127.0.0.1 is not localhost", "http://127.0.0.1:8080", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := originAllowed(site, tc.origin); got != tc.want {
				t.Errorf("originAllowed(%q) = %v, want %v", tc.origin, got, tc.want)
			}
		})
	}
}

func TestConfigRejectsBadOrigins(t *testing.T) {
	t.Parallel()
	for _, o := range []string{"", "null", "shop.example", "https://shop.example/path", "ftp://shop.example"} {
		cfg := Config{TokenSecret: testSecret, Sites: []Site{{Key: "s", AllowedOrigins: []string{o}}}}
		if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "AllowedOrigins[0]") {
			t.Errorf("origin %q: err = %v, want one naming AllowedOrigins[0]", o, err)
		}
	}
}

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	want := visitorToken{VisitorID: "v_a", ConversationID: "c_b", SiteKey: "acme", CustomerID: "u1", Expires: now.Add(time.Hour).Unix()}
	tok := signToken(testSecret, want)
	got, err := parseToken(testSecret, tok, "acme", now)
	if err != nil || got != want {
		t.Fatalf("parseToken = %+v, %v; want %+v", got, err, want)
	}
	if _, err := parseToken(testSecret, tok, "acme", now.Add(2*time.Hour)); err == nil {
		t.Error("expired token accepted")
	}
	// Changing one payload byte breaks the signature.
	b := []byte(tok)
	b[5] ^= 1
	if _, err := parseToken(testSecret, string(b), "acme", now); err == nil {
		t.Error("tampered token accepted")
	}
}

func TestVerifyUser(t *testing.T) {
	t.Parallel()
	h := UserHash("s3cret", "cust-42")
	cases := []struct {
		name, secret, user, hash string
		ok                       bool
	}{
		{"valid", "s3cret", "cust-42", h, true},
		{"upper-case hex", "s3cret", "cust-42", strings.ToUpper(h), true},
		{"other user", "s3cret", "cust-43", h, false},
		{"not hex", "s3cret", "cust-42", "zz", false},
		{"verification off", "", "cust-42", h, false},
	}
	for _, tc := range cases {
		if err := verifyUser(tc.secret, tc.user, tc.hash); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

// TestScriptAgreesOnTerminalCloseCodes keeps widget.js's list of codes it
// does not reconnect after in step with the protocol.
func TestScriptAgreesOnTerminalCloseCodes(t *testing.T) {
	t.Parallel()
	script, err := static.ReadFile("static/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`var TERMINAL = \{([^}]*)\}`).FindSubmatch(script)
	if m == nil {
		t.Fatal("widget.js: TERMINAL table not found")
	}
	var got []int
	for _, kv := range strings.Split(string(m[1]), ",") {
		k, _, _ := strings.Cut(strings.TrimSpace(kv), ":")
		n, err := strconv.Atoi(k)
		if err != nil {
			t.Fatalf("widget.js TERMINAL: %q", kv)
		}
		got = append(got, n)
	}
	var want []int
	for _, c := range []int{CloseNormal, CloseGoingAway, CloseUnsupportedData, CloseInvalidText, CloseTooBig, CloseInternal,
		CloseTryAgainLater, CloseBadHandshake, CloseTokenRejected, CloseForbidden, CloseHelloTimeout, CloseSlowConsumer,
		CloseBadVersion, CloseRateLimited, CloseTooManyErrors, CloseTooManyConnections} {
		if !reconnectable(c) {
			want = append(want, c)
		}
	}
	sort.Ints(got)
	sort.Ints(want)
	if !slices.Equal(got, want) {
		t.Fatalf("widget.js terminal codes = %v, protocol says %v", got, want)
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	l, err := ParseLimits("ip_connects_per_second=2000, ip_connect_burst=20000,max_body_bytes=1000,ip_max_connections=5000")
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultLimits()
	want.IPConnectsPerSecond, want.IPConnectBurst, want.MaxBodyBytes, want.IPMaxConnections = 2000, 20000, 1000, 5000
	if l != want {
		t.Fatalf("ParseLimits = %+v, want %+v", l, want)
	}
	for _, bad := range []string{"nope=1", "frame_burst", "frame_burst=-1", "frame_burst=x", "max_body_bytes=99999999", "ip_max_connections=0"} {
		if _, err := ParseLimits(bad); err == nil {
			t.Errorf("ParseLimits(%q) accepted", bad)
		}
	}
}

// TestScriptIsSmall keeps the embed under its budget: 30 KB gzipped.
func TestScriptIsSmall(t *testing.T) {
	t.Parallel()
	script, err := static.ReadFile("static/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(script)
	zw.Close()
	if buf.Len() > 30_000 {
		t.Fatalf("widget.js is %d bytes gzipped, the budget is 30000", buf.Len())
	}
	if bytes.Contains(script, []byte("innerHTML")) || bytes.Contains(script, []byte("insertAdjacentHTML")) || bytes.Contains(script, []byte("document.write")) {
		t.Fatal("widget.js uses an HTML-parsing sink; set text with textContent")
	}
}
