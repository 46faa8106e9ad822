package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// dialWidget opens the widget socket for site with the given Origin (and
// Host, when not empty) and returns the HTTP status of the answer: 101 when
// the socket opened.
func dialWidget(t *testing.T, srv *Server, site, origin, host string) int {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	if host != "" {
		h.Set("Host", host)
	}
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL(), "http")+"/widget/ws?site="+site, h)
	if ws != nil {
		ws.Close()
	}
	if resp == nil {
		t.Fatalf("dial site %s: %v", site, err)
	}
	return resp.StatusCode
}

// The demo site and its page exist only when --sites lists the demo key,
// and the demo page's own origin comes from the configured public URL,
// never from the request's Host.
func TestDemoOnlyWhenListed(t *testing.T) {
	t.Parallel()
	const shop = "https://shop.example"
	cases := []struct {
		name     string
		env      map[string]string
		demoPage bool
		// dials: site, origin, host ("" keeps the real one) → opened?
		dials []dial
	}{
		{
			name:     "default sites: the demo is on",
			demoPage: true,
			dials: []dial{
				{site: "demo", origin: "self", open: true},
				{site: "demo", origin: "http://localhost:8080", open: true},
				{site: "demo", origin: "http://evil.example", host: "evil.example"},
				{site: "demo", origin: "http://EVIL.example:80", host: "evil.example"},
				{site: "demo", origin: "", host: ""},
				{site: "demo", origin: "null"},
				{site: "demo", origin: "http://%zz"},
				{site: "demo", origin: "http://self.evil.example"},
			},
		},
		{
			name: "sites without the demo",
			env:  map[string]string{"FRONTLINE_SITES": "shop=" + shop},
			dials: []dial{
				{site: "demo", origin: "self"},
				{site: "demo", origin: "http://localhost:8080"},
				{site: "shop", origin: shop, open: true},
				{site: "shop", origin: "HTTPS://SHOP.EXAMPLE", open: true},
				{site: "shop", origin: "self"},
				{site: "shop", origin: "http://evil.example", host: "evil.example"},
			},
		},
		{
			name:     "the demo behind a public URL",
			env:      map[string]string{"FRONTLINE_SITES": "demo=;shop=" + shop, "FRONTLINE_PUBLIC_URL": "https://support.example/help"},
			demoPage: true,
			dials: []dial{
				{site: "demo", origin: "https://support.example", open: true},
				{site: "demo", origin: "self"},
				{site: "demo", origin: shop},
				{site: "shop", origin: "https://support.example"},
				{site: "demo", origin: "http://support.example"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"FRONTLINE_DEMO_KB": "false"} // the page needs no articles
			for k, v := range tc.env {
				env[k] = v
			}
			srv, err := startServer(t, env)
			if err != nil {
				t.Fatal(err)
			}
			code, body := get(t, srv.URL()+"/")
			if got := code == http.StatusOK && strings.Contains(body, `data-site-key="demo"`); got != tc.demoPage {
				t.Errorf("GET / = %d; demo page served %v, want %v", code, got, tc.demoPage)
			}
			for _, d := range tc.dials {
				origin := d.origin
				if origin == "self" {
					origin = srv.URL()
				}
				want := http.StatusForbidden
				if d.open {
					want = http.StatusSwitchingProtocols
				}
				if got := dialWidget(t, srv, d.site, origin, d.host); got != want {
					t.Errorf("site %s, Origin %q, Host %q: HTTP %d, want %d", d.site, origin, d.host, got, want)
				}
			}
		})
	}
}

type dial struct {
	site, origin, host string
	open               bool
}

// /debug/* answers the admin token only: a caller on loopback (a proxy on
// the same host) is nobody in particular.
func TestDebugNeedsAdminToken(t *testing.T) {
	t.Parallel()
	const token = "debug-admin-token-0123456789"
	srv, err := startServer(t, map[string]string{"FRONTLINE_ADMIN_TOKEN": token, "FRONTLINE_DEMO_KB": "false"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer nope", http.StatusUnauthorized},
		{"Bearer " + token, http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/debug/widget/stats", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET /debug/widget/stats from loopback, Authorization %q: HTTP %d, want %d", tc.auth, resp.StatusCode, tc.want)
		}
	}
}
