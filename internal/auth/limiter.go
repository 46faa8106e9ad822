package auth

import (
	"sync"
	"time"
)

// LoginLimits bound failed sign-ins. After Account failures for one email,
// or Address failures from one address, within Window, sign-ins for that
// email or from that address are refused, even with the right password,
// until the window that began with the first failure has passed. A
// successful sign-in clears its email's count.
//
// The counts live in each node's memory: with N nodes behind a balancer an
// attacker gets at most N times the limit.
type LoginLimits struct {
	Account int
	Address int
	Window  time.Duration
}

// DefaultLoginLimits allow 10 failures per email and 50 per address in 15
// minutes.
var DefaultLoginLimits = LoginLimits{Account: 10, Address: 50, Window: 15 * time.Minute}

// maxLimiterKeys bounds the limiter's memory; past it, expired windows are
// swept, and if none has expired the oldest-started window is dropped.
const maxLimiterKeys = 100_000

// failureCounter counts failures per key in fixed windows.
type failureCounter struct {
	max    int
	window time.Duration

	mu   sync.Mutex
	keys map[string]*failureWindow
}

type failureWindow struct {
	start time.Time
	count int
}

func newFailureCounter(max int, window time.Duration) *failureCounter {
	return &failureCounter{max: max, window: window, keys: map[string]*failureWindow{}}
}

// blocked reports whether key is over its limit at now, and until when.
func (c *failureCounter) blocked(key string, now time.Time) (bool, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.keys[key]
	if w == nil {
		return false, time.Time{}
	}
	end := w.start.Add(c.window)
	if !now.Before(end) {
		delete(c.keys, key)
		return false, time.Time{}
	}
	return w.count >= c.max, end
}

// fail records one failure for key at now.
func (c *failureCounter) fail(key string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.keys[key]
	if w != nil && !now.Before(w.start.Add(c.window)) {
		w = nil
	}
	if w == nil {
		if len(c.keys) >= maxLimiterKeys {
			c.sweepLocked(now)
		}
		w = &failureWindow{start: now}
		c.keys[key] = w
	}
	w.count++
}

// reset forgets key's failures.
func (c *failureCounter) reset(key string) {
	c.mu.Lock()
	delete(c.keys, key)
	c.mu.Unlock()
}

func (c *failureCounter) sweepLocked(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, w := range c.keys {
		if !now.Before(w.start.Add(c.window)) {
			delete(c.keys, k)
			continue
		}
		if oldestKey == "" || w.start.Before(oldest) {
			oldestKey, oldest = k, w.start
		}
	}
	if len(c.keys) >= maxLimiterKeys {
		delete(c.keys, oldestKey)
	}
}
