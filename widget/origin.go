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
// connection for site: it must be one of the site's allowed origins. The
// request's Host is never consulted; a client chooses it as freely as
// Origin.
func originAllowed(site *Site, header string) bool {
	got, err := parseOrigin(header)
	if err != nil {
		return false
	}
	for _, a := range site.AllowedOrigins {
		if want, err := parseOrigin(a); err == nil && want == got {
			return true
		}
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
