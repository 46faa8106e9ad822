package auth

import (
	"strconv"
	"testing"
	"time"
)

func TestFailureCounter(t *testing.T) {
	t.Parallel()
	c := newFailureCounter(3, time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if blocked, _ := c.blocked("k", t0); blocked {
			t.Fatalf("blocked after %d failures, want after 3", i)
		}
		c.fail("k", t0.Add(time.Duration(i)*time.Second))
	}
	blocked, until := c.blocked("k", t0.Add(59*time.Second))
	if !blocked || !until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after 3 failures: blocked %v until %v, want blocked until the window that began with the first ends", blocked, until)
	}
	if blocked, _ := c.blocked("other", t0); blocked {
		t.Error("another key is blocked")
	}
	if blocked, _ := c.blocked("k", t0.Add(time.Minute)); blocked {
		t.Error("still blocked when the window has passed")
	}
	c.fail("k", t0)
	c.reset("k")
	if _, ok := c.keys["k"]; ok {
		t.Error("reset kept the key")
	}
}

// The counter's memory is bounded: past maxLimiterKeys it sweeps expired
// windows, and else drops the oldest.
func TestFailureCounterIsBounded(t *testing.T) {
	t.Parallel()
	c := newFailureCounter(3, time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxLimiterKeys {
		c.fail(strconv.Itoa(i), t0.Add(time.Duration(i)*time.Microsecond))
	}
	c.fail("one more", t0.Add(time.Second))
	if len(c.keys) > maxLimiterKeys {
		t.Fatalf("%d keys, want at most %d", len(c.keys), maxLimiterKeys)
	}
	if _, ok := c.keys["0"]; ok {
		t.Error("the oldest window survived a full counter")
	}
	c.fail("later", t0.Add(2*time.Minute)) // every earlier window has expired
	if len(c.keys) > 2 {
		t.Errorf("%d keys after every window expired, want the sweep to leave 2", len(c.keys))
	}
}
