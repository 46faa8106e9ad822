package widget

import (
	"fmt"
	"net/url"
	"strings"
)

// origin is a normalised web origin: lower-case scheme and host, explicit port.
type origin struct{ scheme, host, port string }

// parseOrigin reads "scheme://host[:port]" with nothing else: no path,
// query, fragment or user info. "null" and empty strings are errors.
func parseOrigin(s string) (origin, error) {
	if s == "" || s == "null" {
		return origin{}, fmt.Errorf("origin %q: not a web origin", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return origin{}, fmt.Errorf("origin %q: %w", s, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return origin{}, fmt.Errorf("origin %q: scheme must be http or https", s)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return origin{}, fmt.Errorf("origin %q: want scheme://host[:port] only", s)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" {
		return origin{}, fmt.Errorf("origin %q: no host", s)
	}
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return origin{scheme: scheme, host: host, port: port}, nil
}

// originAllowed reports whether the Origin header value may open a widget
// connection for site. requestHost is the Host the request was sent to, for
// sites that allow this server's own pages.
func originAllowed(site *Site, header, requestHost string) bool {
	got, err := parseOrigin(header)
	if err != nil {
		return false
	}
	for _, a := range site.AllowedOrigins {
		if want, err := parseOrigin(a); err == nil && want == got {
			return true
		}
	}
	if site.AllowSameHost && requestHost != "" {
		// The page came from this server: its origin's host:port is the Host
		// the socket request was sent to (the scheme may differ behind TLS
		// termination, so only host and port are compared).
		h, p := requestHost, ""
		if i := strings.LastIndexByte(requestHost, ':'); i >= 0 && !strings.HasSuffix(requestHost, "]") {
			h, p = requestHost[:i], requestHost[i+1:]
		}
		if p == "" {
			p = map[string]string{"http": "80", "https": "443"}[got.scheme]
		}
		return strings.EqualFold(strings.Trim(h, "[]"), got.host) && p == got.port
	}
	return false
}

// safeURL returns u when it is an absolute http(s) URL, else "" so a
// javascript: or data: link never reaches a page.
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}
