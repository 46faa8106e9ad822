package widget

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ipLimiter holds one pair of limiters per client address: new connections
// and frames across all that address's connections.
type ipLimiter struct {
	limits    Limits
	now       func() time.Time
	mu        sync.Mutex
	entries   map[string]*ipEntry
	lastSweep time.Time
}

type ipEntry struct {
	ip       string
	frames   *rate.Limiter
	connects *rate.Limiter
	active   int       // open connections, under ipLimiter.mu
	lastSeen time.Time // under ipLimiter.mu
}

// ipIdleAfter: entries of addresses with no connection for this long are
// forgotten (their buckets have long refilled).
const ipIdleAfter = 10 * time.Minute

func newIPLimiter(l Limits, now func() time.Time) *ipLimiter {
	return &ipLimiter{limits: l, now: now, entries: map[string]*ipEntry{}}
}

// connect admits a new connection from ip, or reports false when the
// address opens connections too fast.
func (l *ipLimiter) connect(ip string) (*ipEntry, bool) {
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
	e := l.entries[ip]
	if e == nil {
		e = &ipEntry{
			ip:       ip,
			frames:   rate.NewLimiter(rate.Limit(l.limits.IPFramesPerSecond), l.limits.IPFrameBurst),
			connects: rate.NewLimiter(rate.Limit(l.limits.IPConnectsPerSecond), l.limits.IPConnectBurst),
		}
		l.entries[ip] = e
	}
	e.lastSeen = now
	if !e.connects.AllowN(now, 1) {
		return nil, false
	}
	e.active++
	return e, true
}

func (l *ipLimiter) release(e *ipEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.active--
	e.lastSeen = l.now()
}
