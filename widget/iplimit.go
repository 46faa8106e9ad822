package widget

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ipLimiter holds, per client address, the limiters of new connections and
// of frames across all that address's connections, and the count of its
// open connections.
type ipLimiter struct {
	limits    Limits
	now       func() time.Time
	mu        sync.Mutex
	entries   map[string]*ipEntry
	lastSweep time.Time
	// released, when set (by tests), is called after a connection is
	// given back.
	released func()
}

type ipEntry struct {
	key      string // addressKey of the client's address
	frames   *rate.Limiter
	connects *rate.Limiter
	active   int       // open connections, under ipLimiter.mu
	lastSeen time.Time // under ipLimiter.mu
}

// ipIdleAfter: entries of addresses with no connection for this long are
// forgotten (their buckets have long refilled).
const ipIdleAfter = 10 * time.Minute

// connectVerdict is ipLimiter.connect's answer.
type connectVerdict int

const (
	connectAdmitted connectVerdict = iota
	connectTooFast                 // the address opens connections faster than its rate
	connectTooMany                 // the address holds Limits.IPMaxConnections already
)

func newIPLimiter(l Limits, now func() time.Time) *ipLimiter {
	return &ipLimiter{limits: l, now: now, entries: map[string]*ipEntry{}}
}

// addressKey is what the per-address limits count by: an IPv4 address as
// it is, an IPv6 address by its /64 (one subscriber's, which hands its
// hosts addresses from it at will). Anything unparsable counts as itself.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
	}
	return a.String()
}

// connect admits a new connection from ip, or says why not. An admitted
// entry is given back with release.
func (l *ipLimiter) connect(ip string) (*ipEntry, connectVerdict) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) > time.Minute {
		for k, e := range l.entries {
			if e.active == 0 && now.Sub(e.lastSeen) > ipIdleAfter {
				delete(l.entries, k)
			}
		}
		l.lastSweep = now
	}
	key := addressKey(ip)
	e := l.entries[key]
	if e == nil {
		e = &ipEntry{
			key:      key,
			frames:   rate.NewLimiter(rate.Limit(l.limits.IPFramesPerSecond), l.limits.IPFrameBurst),
			connects: rate.NewLimiter(rate.Limit(l.limits.IPConnectsPerSecond), l.limits.IPConnectBurst),
		}
		l.entries[key] = e
	}
	e.lastSeen = now
	if !e.connects.AllowN(now, 1) {
		return nil, connectTooFast
	}
	if e.active >= l.limits.IPMaxConnections {
		return nil, connectTooMany
	}
	e.active++
	return e, connectAdmitted
}

func (l *ipLimiter) release(e *ipEntry) {
	l.mu.Lock()
	e.active--
	e.lastSeen = l.now()
	l.mu.Unlock()
	if l.released != nil {
		l.released()
	}
}
