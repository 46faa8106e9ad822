package widget

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"
)

// Config is everything the widget server needs besides its dependencies.
// cmd/frontline fills it from the environment.
type Config struct {
	// Sites by key: who may embed the widget and how.
	Sites []Site
	// TokenSecret signs visitor tokens; at least 32 bytes. Keep it the same
	// on every node and across restarts, or visitors lose their thread.
	TokenSecret []byte
	// TokenTTL is how long a visitor token lives (default 30 days).
	TokenTTL time.Duration
	// DemoSiteKey is the site the demo page at / embeds; empty serves no demo.
	DemoSiteKey string
	// AdminToken protects /debug/widget/stats; empty switches it off.
	AdminToken string
	// TrustedProxies are the reverse proxies (addresses or CIDR prefixes)
	// whose X-Forwarded-For is believed: behind them the per-address limits
	// apply to the customer's address instead of the proxy's. Empty trusts
	// none, and every customer behind a proxy shares its address.
	TrustedProxies []netip.Prefix
	Limits         Limits
}

// Site is one website that embeds the widget.
type Site struct {
	Key string
	// Name heads the chat panel unless the site's stored settings give a
	// display name; empty shows the widget's "Chat with us".
	Name string
	// AllowedOrigins are exact origins ("https://shop.example"; scheme,
	// host and port must match, host case-insensitively). A page this
	// server serves itself (the demo page) is allowed only when its origin,
	// the server's public URL, is listed: the request's Host header is
	// never believed.
	AllowedOrigins []string
	// IdentitySecret verifies customers: the site sends user_id and
	// hex(HMAC-SHA256(IdentitySecret, user_id)). Empty disables it.
	IdentitySecret string
}

// Limits bound what one connection and one IP may do. Zero fields take the
// defaults of DefaultLimits.
type Limits struct {
	// MaxBodyBytes bounds a customer message (at most frontline.MaxBodyBytes).
	MaxBodyBytes int
	// MaxFrameBytes is the websocket read limit; larger frames close the
	// connection with 1009.
	MaxFrameBytes int64
	// FramesPerSecond and FrameBurst limit one connection.
	FramesPerSecond float64
	FrameBurst      int
	// IPFramesPerSecond and IPFrameBurst limit all connections of one IP together.
	IPFramesPerSecond float64
	IPFrameBurst      int
	// IPConnectsPerSecond and IPConnectBurst limit new connections per IP.
	IPConnectsPerSecond float64
	IPConnectBurst      int
	// IPMaxConnections caps the connections one address holds open at
	// once; more are closed with CloseTooManyConnections. An IPv6 address
	// counts with the rest of its /64, as every per-address limit does.
	IPMaxConnections int
	// SendBuffer is the per-connection queue of outgoing frames; a client
	// that lets it fill is dropped (close 4409).
	SendBuffer int
}

// DefaultLimits suit one human typing. A load test from one address needs
// the IP limits raised.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:        4 << 10,
		MaxFrameBytes:       16 << 10,
		FramesPerSecond:     5,
		FrameBurst:          20,
		IPFramesPerSecond:   50,
		IPFrameBurst:        200,
		IPConnectsPerSecond: 5,
		IPConnectBurst:      50,
		IPMaxConnections:    100,
		SendBuffer:          32,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.MaxFrameBytes == 0 {
		l.MaxFrameBytes = d.MaxFrameBytes
	}
	if l.FramesPerSecond == 0 {
		l.FramesPerSecond = d.FramesPerSecond
	}
	if l.FrameBurst == 0 {
		l.FrameBurst = d.FrameBurst
	}
	if l.IPFramesPerSecond == 0 {
		l.IPFramesPerSecond = d.IPFramesPerSecond
	}
	if l.IPFrameBurst == 0 {
		l.IPFrameBurst = d.IPFrameBurst
	}
	if l.IPConnectsPerSecond == 0 {
		l.IPConnectsPerSecond = d.IPConnectsPerSecond
	}
	if l.IPConnectBurst == 0 {
		l.IPConnectBurst = d.IPConnectBurst
	}
	if l.IPMaxConnections == 0 {
		l.IPMaxConnections = d.IPMaxConnections
	}
	if l.SendBuffer == 0 {
		l.SendBuffer = d.SendBuffer
	}
	return l
}

func (l Limits) validate() error {
	switch {
	case l.MaxBodyBytes < 1 || l.MaxBodyBytes > frontline.MaxBodyBytes:
		return fmt.Errorf("Limits.MaxBodyBytes: %d is outside 1..%d", l.MaxBodyBytes, frontline.MaxBodyBytes)
	case l.MaxFrameBytes < int64(l.MaxBodyBytes)+512:
		return fmt.Errorf("Limits.MaxFrameBytes: %d leaves no room for a %d-byte body", l.MaxFrameBytes, l.MaxBodyBytes)
	case l.FramesPerSecond < 0 || l.IPFramesPerSecond < 0 || l.IPConnectsPerSecond < 0:
		return fmt.Errorf("Limits: rates must not be negative")
	case l.FrameBurst < 1 || l.IPFrameBurst < 1 || l.IPConnectBurst < 1:
		return fmt.Errorf("Limits: bursts must be at least 1")
	case l.IPMaxConnections < 1:
		return fmt.Errorf("Limits.IPMaxConnections: must be at least 1")
	case l.SendBuffer < 1:
		return fmt.Errorf("Limits.SendBuffer: must be at least 1")
	}
	return nil
}

// Deps are the parts the widget talks to.
type Deps struct {
	Log frontline.Log
	Bus frontline.Bus
	// Handoff gives queue positions; nil until the queue is wired.
	Handoff frontline.Handoff
	// Hours says whether humans answer now (the hand-off side's team
	// hours); nil means always.
	Hours TeamHours
	// Guard masks private data (card numbers, passwords...) in what a
	// customer types before it is stored, logged or answered: the bot's
	// Prepare. Required, so no path stores unmasked text.
	Guard Guard
	// Sites stores the sites' settings (their look); nil shows every site
	// with the widget's defaults.
	Sites frontline.SiteSettingsStore
	// Articles resolves the articles a site suggests; nil suggests none.
	Articles ArticleFinder
	Logger   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Guard checks and masks customer text before it is stored.
type Guard interface {
	// Prepare returns the text to store, with private data masked, and
	// the kinds masked; a domain error (EInvalid, ETooLarge) refuses it.
	Prepare(text string) (masked string, redactions []string, err error)
}

// ContextGuard is a Guard that can read a message with the customer's
// previous one, which the connection remembers (masked): a number given
// in the turn after "my passport number is" is masked too.
type ContextGuard interface {
	Guard
	PrepareAfter(prev, text string) (masked string, redactions []string, err error)
}

// TeamHours tells the widget whether the team a conversation would go to
// is within its business hours, and when it opens: the one source is the
// hand-off side's teams (cmd wires handoff.Service).
type TeamHours interface {
	// TeamHours answers for conversationID's queued team while it waits
	// or is assigned, else for the first-line team (conversationID may be
	// empty: no conversation yet). An error means it could not tell; the
	// widget then says nothing about hours.
	TeamHours(ctx context.Context, conversationID string) (frontline.TeamHours, error)
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.0/8, 192.168.1.7").
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxies: %q is not an address or CIDR prefix", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: %q is not an address or CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (c Config) validate() error {
	if len(c.TokenSecret) < 32 {
		return fmt.Errorf("widget config: TokenSecret: %d bytes, need at least 32", len(c.TokenSecret))
	}
	if c.TokenTTL < 0 {
		return fmt.Errorf("widget config: TokenTTL: must not be negative")
	}
	if len(c.Sites) == 0 {
		return fmt.Errorf("widget config: Sites: at least one site is needed")
	}
	seen := map[string]bool{}
	for i, s := range c.Sites {
		if !frontline.ValidID(s.Key) {
			return fmt.Errorf("widget config: Sites[%d].Key %q: 1 to 64 letters, digits, '_' or '-'", i, s.Key)
		}
		if seen[s.Key] {
			return fmt.Errorf("widget config: Sites[%d].Key %q: listed twice", i, s.Key)
		}
		seen[s.Key] = true
		if len(s.AllowedOrigins) == 0 {
			return fmt.Errorf("widget config: site %q: no AllowedOrigins: nobody could embed it", s.Key)
		}
		for j, o := range s.AllowedOrigins {
			if _, err := parseOrigin(o); err != nil {
				return fmt.Errorf("widget config: site %q: AllowedOrigins[%d]: %w", s.Key, j, err)
			}
		}
	}
	if c.DemoSiteKey != "" && !seen[c.DemoSiteKey] {
		return fmt.Errorf("widget config: DemoSiteKey %q: no such site", c.DemoSiteKey)
	}
	if err := c.Limits.withDefaults().validate(); err != nil {
		return fmt.Errorf("widget config: %w", err)
	}
	return nil
}

// limitFields maps ParseLimits keys to the fields they set.
var limitFields = map[string]func(*Limits, float64){
	"max_body_bytes":         func(l *Limits, v float64) { l.MaxBodyBytes = int(v) },
	"max_frame_bytes":        func(l *Limits, v float64) { l.MaxFrameBytes = int64(v) },
	"frames_per_second":      func(l *Limits, v float64) { l.FramesPerSecond = v },
	"frame_burst":            func(l *Limits, v float64) { l.FrameBurst = int(v) },
	"ip_frames_per_second":   func(l *Limits, v float64) { l.IPFramesPerSecond = v },
	"ip_frame_burst":         func(l *Limits, v float64) { l.IPFrameBurst = int(v) },
	"ip_connects_per_second": func(l *Limits, v float64) { l.IPConnectsPerSecond = v },
	"ip_connect_burst":       func(l *Limits, v float64) { l.IPConnectBurst = int(v) },
	"ip_max_connections":     func(l *Limits, v float64) { l.IPMaxConnections = int(v) },
	"send_buffer":            func(l *Limits, v float64) { l.SendBuffer = int(v) },
}

// ParseLimits reads "key=value,key=value" over DefaultLimits, for an
// environment variable: keys are max_body_bytes, max_frame_bytes,
// frames_per_second, frame_burst, ip_frames_per_second, ip_frame_burst,
// ip_connects_per_second, ip_connect_burst, ip_max_connections and
// send_buffer. A load test from one address needs, for example,
// "ip_connects_per_second=2000,ip_connect_burst=20000,ip_max_connections=20000,ip_frames_per_second=100000,ip_frame_burst=100000".
func ParseLimits(s string) (Limits, error) {
	l := DefaultLimits()
	for pair := range strings.SplitSeq(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		set, known := limitFields[strings.TrimSpace(k)]
		if !ok || !known {
			return Limits{}, fmt.Errorf("widget limits: %q: want key=number with a key of %s", pair, strings.Join(slices.Sorted(maps.Keys(limitFields)), ", "))
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f <= 0 {
			return Limits{}, fmt.Errorf("widget limits: %s: %q is not a positive number", k, v)
		}
		set(&l, f)
	}
	if err := l.validate(); err != nil {
		return Limits{}, fmt.Errorf("widget limits: %w", err)
	}
	return l, nil
}
