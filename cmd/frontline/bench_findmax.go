package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// benchFindMax is --find-max's climb: one stage per rate, and the highest
// rate a stage sustained.
type benchFindMax struct {
	MaxReplyP99Ms float64      `json:"max_reply_p99_ms"`
	Stages        []benchStage `json:"stages"`
	Highest       *benchStage  `json:"highest,omitempty"` // nil when even the first stage failed
}

type benchStage struct {
	RatePerCustomer float64 `json:"rate_per_customer"`
	MessagesPerS    float64 `json:"messages_per_s"` // acknowledged, over the stage
	Sent            int64   `json:"sent"`
	Acked           int64   `json:"acked"`
	Unanswered      int64   `json:"unanswered"`
	Errors          int64   `json:"errors"`
	AckP50Ms        float64 `json:"ack_p50_ms"`
	AckP99Ms        float64 `json:"ack_p99_ms"`
	ReplyP50Ms      float64 `json:"reply_p50_ms"`
	ReplyP99Ms      float64 `json:"reply_p99_ms"`
	Passed          bool    `json:"passed"`
	Why             string  `json:"why,omitempty"` // why it failed
}

// findMaxGrowth is how much each stage raises the rate.
const findMaxGrowth = 1.25

// findMax runs stages of o.duration from o.rate up, a quarter more each
// time, until one fails: a reply p99 over o.maxReplyP99, an error, or a
// message still unanswered after the drain. Each stage starts from a
// drained server (its outstanding replies awaited).
func (b *bench) findMax(ctx context.Context, progress io.Writer) *benchFindMax {
	out := &benchFindMax{MaxReplyP99Ms: benchMS(b.o.maxReplyP99)}
	for rate := b.o.rate; rate <= benchMaxRate && ctx.Err() == nil; rate *= findMaxGrowth {
		b.resetCounts()
		errsBefore := b.errorCount()
		fmt.Fprintf(progress, "bench: find-max: %d customers at %.3g messages/s each for %s\n", len(b.customers), rate, b.o.duration)
		loadCtx, stop := context.WithTimeout(ctx, b.o.duration)
		start := time.Now()
		b.load(loadCtx, rate)
		stop()
		elapsed := time.Since(start)
		b.waitOutstanding(ctx, b.o.drain)
		st := benchStage{RatePerCustomer: rate, Sent: b.sent.Load(), Errors: b.errorCount() - errsBefore}
		b.mu.Lock()
		st.Acked = int64(len(b.acks))
		st.Unanswered = st.Acked - int64(len(b.replies))
		st.AckP50Ms, st.AckP99Ms = benchMS(benchPercentile(b.acks, 50)), benchMS(benchPercentile(b.acks, 99))
		st.ReplyP50Ms, st.ReplyP99Ms = benchMS(benchPercentile(b.replies, 50)), benchMS(benchPercentile(b.replies, 99))
		b.mu.Unlock()
		st.MessagesPerS = float64(st.Acked) / elapsed.Seconds()
		switch {
		case st.Errors > 0:
			st.Why = fmt.Sprintf("%d errors", st.Errors)
		case st.Sent > st.Acked:
			st.Why = fmt.Sprintf("%d messages not acknowledged", st.Sent-st.Acked)
		case st.Unanswered > 0:
			st.Why = fmt.Sprintf("%d messages unanswered after %s", st.Unanswered, b.o.drain)
		case st.ReplyP99Ms > out.MaxReplyP99Ms:
			st.Why = fmt.Sprintf("reply p99 %.1f ms over %.1f ms", st.ReplyP99Ms, out.MaxReplyP99Ms)
		default:
			st.Passed = true
		}
		out.Stages = append(out.Stages, st)
		fmt.Fprintf(progress, "bench: find-max: %.0f messages/s: reply p99 %.1f ms, %s\n", st.MessagesPerS, st.ReplyP99Ms, passWord(st))
		if !st.Passed {
			break
		}
		out.Highest = &out.Stages[len(out.Stages)-1]
	}
	return out
}

func passWord(st benchStage) string {
	if st.Passed {
		return "passed"
	}
	return "failed: " + st.Why
}

func (b *bench) errorCount() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n int64
	for _, v := range b.errKinds {
		n += v
	}
	return n
}

func printFindMax(w io.Writer, f *benchFindMax) {
	fmt.Fprintf(w, "find-max           rate/customer  messages/s  ack p50/p99 ms   reply p50/p99 ms  result (reply p99 limit %.0f ms)\n", f.MaxReplyP99Ms)
	for _, st := range f.Stages {
		fmt.Fprintf(w, "                   %13.3g  %10.0f  %6.2f / %6.2f  %7.2f / %7.2f  %s\n",
			st.RatePerCustomer, st.MessagesPerS, st.AckP50Ms, st.AckP99Ms, st.ReplyP50Ms, st.ReplyP99Ms, passWord(st))
	}
	if f.Highest == nil {
		fmt.Fprintln(w, "highest sustained  none: the first stage failed (start lower with --rate)")
		return
	}
	fmt.Fprintf(w, "highest sustained  %.0f messages/s (%.3g per customer), reply p99 %.1f ms\n", f.Highest.MessagesPerS, f.Highest.RatePerCustomer, f.Highest.ReplyP99Ms)
}
