package widget

import (
	"net/http"
	"net/netip"
)

// ClientIP is the address the per-address limits count a request under:
// the peer's, or, from a trusted proxy, the nearest untrusted hop of
// X-Forwarded-For. Other pages (the help centre) share the widget's rule.
func ClientIP(r *http.Request, trusted []netip.Prefix) string { return clientIP(r, trusted) }
