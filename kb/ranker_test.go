package kb

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// rankerSetup returns a small three-article training set.
func rankerSetup(t *testing.T) ([]string, []rankerExample) {
	t.Helper()
	classes := []string{"art_refund", "art_password", "art_delivery"}
	texts := [][]string{
		{"how do i get a refund", "refund for my order", "i want my refund", "refund to my card please", "when will my refund arrive"},
		{"i forgot my password", "reset password link", "password reset email missing", "change my password", "password does not work"},
		{"where is my delivery", "delivery is late", "when does delivery arrive", "track my delivery", "delivery to another address"},
	}
	var ex []rankerExample
	for c, ts := range texts {
		for _, s := range ts {
			ex = append(ex, rankerExample{text: s, class: c})
		}
	}
	return classes, ex
}

func TestRankerDeterministic(t *testing.T) {
	t.Parallel()
	classes, ex := rankerSetup(t)
	a := trainRanker(classes, ex, nil, defaultRankerOptions)
	b := trainRanker(classes, ex, nil, defaultRankerOptions)
	if !slices.Equal(a.w, b.w) || !slices.Equal(a.b, b.b) {
		t.Fatal("two trainings on the same data gave different weights")
	}
	if string(a.marshal()) != string(b.marshal()) {
		t.Error("two trainings on the same data marshal differently")
	}
}

func TestRankerRanks(t *testing.T) {
	t.Parallel()
	classes, ex := rankerSetup(t)
	r := trainRanker(classes, ex, nil, defaultRankerOptions)
	tests := []struct{ q, want string }{
		{"refund please", "art_refund"},
		{"forgot password", "art_password"},
		{"late delivery", "art_delivery"},
	}
	for _, tt := range tests {
		p := r.probs(tt.q)
		if got := classes[argmax(p)]; got != tt.want {
			t.Errorf("%q: top %s (probs %v), want %s", tt.q, got, p, tt.want)
		}
	}
}

func TestRankerMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	classes, ex := rankerSetup(t)
	r := trainRanker(classes, ex, ex[:3], defaultRankerOptions)
	got, err := unmarshalRanker(r.marshal())
	if err != nil {
		t.Fatal(err)
	}
	q := "my refund has not arrived"
	if a, b := r.probs(q), got.probs(q); !slices.Equal(a, b) || got.cal != r.cal {
		t.Errorf("restored model gives %v cal %v, want %v cal %v", b, got.cal, a, r.cal)
	}
	for _, bad := range [][]byte{nil, []byte("nope"), r.marshal()[:40]} {
		if _, err := unmarshalRanker(bad); err == nil {
			t.Errorf("unmarshal of %d corrupt bytes: no error", len(bad))
		}
	}
}

func TestCalibratorMonotone(t *testing.T) {
	t.Parallel()
	// Held-out points where confident, clear winners are mostly right.
	var pts []calPoint
	for i := 0; i < 200; i++ {
		p := float64(i%100) / 100
		pts = append(pts, calPoint{features: [2]float64{p, p / 2}, correct: i%100 < int(100*p*p)+5 || p > 0.7})
	}
	c := fitCalibrator(pts)
	if c.b < 0 || c.c < 0 {
		t.Fatalf("calibrator %+v: want non-negative slopes", c)
	}
	prev := -1.0
	for p := 0.0; p <= 1; p += 0.05 {
		s := c.score([2]float64{p, p / 2})
		if s < prev || s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("score(%.2f) = %v after %v: want non-decreasing in [0,1]", p, s, prev)
		}
		prev = s
	}
	if lo, hi := c.score([2]float64{0.1, 0}), c.score([2]float64{0.95, 0.9}); hi-lo < 0.3 {
		t.Errorf("score spread %.3f..%.3f: want confident winners well above weak ones", lo, hi)
	}
}

func TestCalibratorAllCorrectStaysBelowOne(t *testing.T) {
	t.Parallel()
	pts := []calPoint{{[2]float64{0.9, 0.8}, true}, {[2]float64{0.8, 0.7}, true}, {[2]float64{0.7, 0.5}, true}}
	c := fitCalibrator(pts)
	if s := c.score([2]float64{0.9, 0.8}); !(s > 0.5 && s < 1) {
		t.Errorf("score = %v, want in (0.5,1): smoothed targets never give certainty", s)
	}
}

func TestExpandQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q         string
		want, not []string
	}{
		{q: "I want my money back", want: []string{"refund"}},
		{q: "where is my parcel", want: []string{"package", "delivery"}},
		{q: "I can't sign in", want: []string{"login"}},
		{q: "I was charged twice", want: []string{"duplicate"}},
		{q: "the weather is nice", not: []string{"\n"}},
	}
	for _, tt := range tests {
		got := expandQuery(tt.q)
		if !strings.HasPrefix(got, tt.q) {
			t.Errorf("expandQuery(%q) = %q, want the question first", tt.q, got)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("expandQuery(%q) = %q, want it to contain %q", tt.q, got, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(got, w) {
				t.Errorf("expandQuery(%q) = %q, want no expansion", tt.q, got)
			}
		}
	}
}
