package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/widget"
)

// Bounds on a bench run: it is a load test of this machine, not a tool for
// loading someone else's.
const (
	benchMaxCustomers = 20000
	benchMaxDuration  = 10 * time.Minute
	benchMaxRate      = 50.0
	benchDrain        = 10 * time.Second // wait for outstanding acks and replies
	benchIdleDrain    = 3 * time.Minute  // idle customers' one message each, at any scale
)

type benchOptions struct {
	url, site, origin, adminToken, message string
	// servers are the nodes (--url, comma-separated): customer n starts
	// on servers[n % len] and, when its socket drops, reconnects to the
	// next one; url is the first (memory figures come from it).
	servers                           []benchNode
	customers, dialers                int
	duration                          time.Duration
	rate                              float64
	idle, idleMessage, baseline, json bool
	costs, findMax                    bool
	maxReplyP99                       time.Duration
	drain                             time.Duration
	askHuman                          float64
	connectRate                       float64
	agentTokens                       string // file of agents' API tokens, one a line
	agentDelay                        time.Duration
}

// benchNode is one node: its base URL and the Origin its widget accepts.
type benchNode struct{ url, origin string }

// benchResult is what --json prints.
type benchResult struct {
	Customers  int     `json:"customers"`
	Connected  int     `json:"connected"`
	DurationS  float64 `json:"duration_s"`
	Sent       int64   `json:"sent"`
	Acked      int64   `json:"acked"`
	Replies    int64   `json:"replies"`
	Unanswered int64   `json:"unanswered"`
	HandedOff  int64   `json:"handed_off_customers"`
	AckP50Ms   float64 `json:"ack_p50_ms"`
	AckP99Ms   float64 `json:"ack_p99_ms"`
	ReplyP50Ms float64 `json:"reply_p50_ms"`
	ReplyP99Ms float64 `json:"reply_p99_ms"`
	// Of the replies, the hand-off notices (queueing, then the notice).
	HandoffP50Ms        float64          `json:"handoff_reply_p50_ms"`
	HandoffP99Ms        float64          `json:"handoff_reply_p99_ms"`
	MessagesPerS        float64          `json:"messages_per_s"`
	Errors              int64            `json:"errors"`
	ErrorKinds          map[string]int64 `json:"error_kinds,omitempty"`
	BaselineCommitP50Ms float64          `json:"baseline_commit_p50_ms"`
	BaselineCommitP99Ms float64          `json:"baseline_commit_p99_ms"`
	BaselineIdleP50Ms   float64          `json:"baseline_idle_commit_p50_ms"`
	AckRatioP50         float64          `json:"ack_ratio_p50"`
	// The websocket alone: ping to pong on one more connection during the
	// load, and what of the ack is left beyond it, over the bare commit.
	WSPingP50Ms           float64 `json:"ws_ping_p50_ms"`
	WSPingP99Ms           float64 `json:"ws_ping_p99_ms"`
	AckLessPingRatio50    float64 `json:"ack_less_ping_ratio_p50"`
	ServerKiBPerConn      float64 `json:"server_kib_per_conn"`
	ServerHeapKiBPerConn  float64 `json:"server_heap_kib_per_conn"`
	ServerStackKiBPerConn float64 `json:"server_stack_kib_per_conn"`
	ServerConnections     int64   `json:"server_connections"`
	ServerGoroutines      int     `json:"server_goroutines"`
	// Reconnects after a dropped socket; Check is what every customer
	// counted at the end against the log (all should be 0).
	Reconnects int64      `json:"reconnects"`
	Check      benchCheck `json:"check"`
	// Agents is what the --agent-tokens agents did and saw.
	Agents *benchAgentResult `json:"agents,omitempty"`
	// Costs per message (--costs).
	Costs *benchCosts `json:"costs,omitempty"`
	// FindMax is --find-max's climb.
	FindMax *benchFindMax `json:"find_max,omitempty"`
}

// runBench drives real websocket customers against a running server and
// prints latency, throughput and the server's memory per connection.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseBenchFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	if err := raiseFileLimit(o.customers + 256); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration+o.drain+5*time.Minute)
	defer cancel()

	b := &bench{ctx: ctx, o: o, errKinds: map[string]int64{}}
	res := benchResult{Customers: o.customers}

	var probe *postgres.CommitProbe
	if o.baseline {
		dbURL := os.Getenv("DATABASE_URL")
		if dbURL == "" {
			return errors.New("bench: --baseline needs DATABASE_URL (the server's database)")
		}
		if probe, err = postgres.NewCommitProbe(ctx, dbURL); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer probe.Close(context.WithoutCancel(ctx))
		idle, err := probeCommits(ctx, probe, 200, 0)
		if err != nil {
			return err
		}
		res.BaselineIdleP50Ms = benchMS(benchPercentile(idle, 50))
	}

	var meter *costMeter
	if o.costs {
		dbURL := os.Getenv("DATABASE_URL")
		if dbURL == "" {
			return errors.New("bench: --costs needs DATABASE_URL (the server's database)")
		}
		if meter, err = newCostMeter(ctx, dbURL, func(ctx context.Context) (widget.Stats, error) { return b.stats(ctx, 0) }); err != nil {
			return err
		}
		defer meter.Close(context.WithoutCancel(ctx))
	}

	before, err := b.stats(ctx, 3)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v (no memory figures)\n", err)
	}
	if o.agentTokens != "" {
		if err := b.startAgents(ctx); err != nil {
			return err
		}
		defer b.stopAgents()
	}
	fmt.Fprintf(stderr, "bench: connecting %d customers to %s\n", o.customers, o.url)
	b.connectAll(ctx)
	defer b.closeAll()
	res.Connected = len(b.customers)
	if res.Connected == 0 {
		return fmt.Errorf("bench: no customer could connect (%v)", b.errKinds)
	}

	if o.idle {
		// Hold: the customers have said hello (and with --idle-message one
		// message each, answered by the bot before measuring); measure what
		// the server keeps per connection.
		b.waitOutstanding(ctx, benchIdleDrain)
	} else if o.findMax {
		b.waitOutstanding(ctx, benchIdleDrain)
		res.FindMax = b.findMax(ctx, stderr)
	} else {
		// Each customer's first message (it creates their conversation) is
		// warm-up: measured are customers in a conversation, as in a chat.
		b.waitOutstanding(ctx, benchIdleDrain)
		b.resetCounts()
		if meter != nil {
			if err := meter.start(ctx); err != nil {
				return err
			}
		}
		fmt.Fprintf(stderr, "bench: %d customers sending %.2g messages/s each for %s\n", res.Connected, o.rate, o.duration)
		var concurrent, pings []time.Duration
		var probeErr, pingErr error
		probeDone := make(chan struct{})
		loadCtx, stopLoad := context.WithTimeout(ctx, o.duration)
		go func() {
			defer close(probeDone)
			if probe != nil {
				concurrent, probeErr = probeCommits(loadCtx, probe, 1<<30, 20*time.Millisecond)
			}
		}()
		pingDone := make(chan struct{})
		go func() {
			defer close(pingDone)
			pings, pingErr = b.probePings(loadCtx, 20*time.Millisecond)
		}()
		start := time.Now()
		b.load(loadCtx, o.rate)
		stopLoad()
		<-probeDone
		<-pingDone
		if probeErr != nil && !errors.Is(probeErr, context.DeadlineExceeded) && !errors.Is(probeErr, context.Canceled) {
			return probeErr
		}
		if pingErr != nil {
			b.fail(pingErr.Error()) // the server went away meanwhile
		}
		res.WSPingP50Ms, res.WSPingP99Ms = benchMS(benchPercentile(pings, 50)), benchMS(benchPercentile(pings, 99))
		res.DurationS = time.Since(start).Seconds()
		drainEnd := time.Now().Add(o.drain)
		b.waitOutstanding(ctx, o.drain)
		if b.agents != nil {
			b.agents.waitSettled(ctx, time.Until(drainEnd))
		}
		if meter != nil {
			b.mu.Lock()
			acked := int64(len(b.acks))
			b.mu.Unlock()
			if res.Costs, err = meter.stop(ctx, acked, int64(len(concurrent))); err != nil {
				return err
			}
		}
		if len(concurrent) > 0 {
			res.BaselineCommitP50Ms = benchMS(benchPercentile(concurrent, 50))
			res.BaselineCommitP99Ms = benchMS(benchPercentile(concurrent, 99))
		}
	}
	after, err := b.stats(ctx, 3)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v (no memory figures)\n", err)
	}
	if n := after.Connections - before.Connections; n > 0 && before.HeapInuse > 0 && after.HeapInuse > 0 {
		heap := float64(after.HeapInuse) - float64(before.HeapInuse)
		stack := float64(after.StackInuse) - float64(before.StackInuse)
		res.ServerKiBPerConn = (heap + stack) / float64(n) / 1024
		res.ServerHeapKiBPerConn = heap / float64(n) / 1024
		res.ServerStackKiBPerConn = stack / float64(n) / 1024
	}
	res.ServerConnections, res.ServerGoroutines = after.Connections, after.Goroutines
	if !o.idle || o.idleMessage {
		res.Check = b.check(ctx)
	}
	if b.agents != nil {
		res.Agents = b.agents.result()
	}
	res.Reconnects = b.reconnects.Load()

	b.mu.Lock()
	res.Sent, res.Acked, res.Replies = b.sent.Load(), int64(len(b.acks)), int64(len(b.replies))
	res.AckP50Ms, res.AckP99Ms = benchMS(benchPercentile(b.acks, 50)), benchMS(benchPercentile(b.acks, 99))
	res.ReplyP50Ms, res.ReplyP99Ms = benchMS(benchPercentile(b.replies, 50)), benchMS(benchPercentile(b.replies, 99))
	res.HandoffP50Ms, res.HandoffP99Ms = benchMS(benchPercentile(b.handoffs, 50)), benchMS(benchPercentile(b.handoffs, 99))
	for _, v := range b.errKinds {
		res.Errors += v
	}
	if missing := res.Sent - res.Acked; missing > 0 {
		b.errKinds["no ack"] += missing
		res.Errors += missing
	}
	res.ErrorKinds = b.errKinds
	b.mu.Unlock()
	if !o.idle || o.idleMessage {
		res.Unanswered = res.Acked - res.Replies
	}
	res.HandedOff = b.renewed.Load()
	if res.DurationS > 0 {
		res.MessagesPerS = float64(res.Acked) / res.DurationS
	}
	if res.BaselineCommitP50Ms > 0 {
		res.AckRatioP50 = res.AckP50Ms / res.BaselineCommitP50Ms
		if res.WSPingP50Ms > 0 {
			res.AckLessPingRatio50 = (res.AckP50Ms - res.WSPingP50Ms) / res.BaselineCommitP50Ms
		}
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		return enc.Encode(res)
	}
	printBench(stdout, res, o)
	return nil
}

const benchUsage = `Usage: frontline bench [flags]

Connects websocket customers to a running frontline on this machine, has
each send messages at a steady rate, and prints how long acknowledgements
and replies take (p50, p99), the throughput and the server's memory per
connection. Start the server first (a load from one address needs the
ip_ widget limits raised: FRONTLINE_WIDGET_LIMITS).
`

func parseBenchFlags(args []string, stdout, stderr io.Writer) (benchOptions, error) {
	fs := newFlagSet("bench", benchUsage)
	var o benchOptions
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the running server's `url` (loopback only); several nodes comma-separated: customers are spread over them and reconnect to the next when one goes away")
	fs.StringVar(&o.site, "site", "demo", "widget site key")
	fs.StringVar(&o.origin, "origin", "", "Origin header to send (default: the server's own origin, which the demo site allows)")
	adminToken := &secretValue{s: os.Getenv("FRONTLINE_ADMIN_TOKEN"), arg: "token"}
	fs.Var(adminToken, "admin-token", "the admin token, for the server's memory figures (env FRONTLINE_ADMIN_TOKEN; required for /debug/widget/stats)")
	fs.StringVar(&o.message, "message", "", "what each customer asks (default: a rotation of shop questions)")
	fs.IntVar(&o.customers, "customers", 50, fmt.Sprintf("concurrent customers (1..%d)", benchMaxCustomers))
	fs.IntVar(&o.dialers, "dialers", 64, "connections opened at once while connecting")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, fmt.Sprintf("how long customers send (at most %s)", benchMaxDuration))
	fs.Float64Var(&o.rate, "rate", 1, "messages per second per customer")
	fs.BoolVar(&o.idle, "idle", false, "connect and hold only, to measure the server's memory per connection")
	fs.BoolVar(&o.idleMessage, "idle-message", false, "with --idle: each customer also sends one message (so holds a conversation) before holding")
	fs.Float64Var(&o.connectRate, "connect-rate", 0, "new connections per second while connecting (0: as fast as --dialers allow)")
	fs.BoolVar(&o.baseline, "baseline", false, "also time a bare single-row insert+commit on DATABASE_URL in the same run")
	fs.BoolVar(&o.json, "json", false, "print one JSON object")
	fs.BoolVar(&o.findMax, "find-max", false, "raise the rate from --rate by a quarter per stage of --duration until a stage fails (reply p99 over --max-reply-p99, an error, or a message unanswered after --drain) and print the highest rate that passed")
	fs.DurationVar(&o.maxReplyP99, "max-reply-p99", 50*time.Millisecond, "with --find-max: the reply p99 a stage must stay within")
	fs.BoolVar(&o.costs, "costs", false, "attribute what each message costs during the load: server CPU and wake-ups (needs the admin token), PostgreSQL statements, commits and CPU (needs DATABASE_URL, pg_stat_statements, and the bench on the database's machine)")
	fs.Float64Var(&o.askHuman, "ask-human", 0, "share of messages (0..1) sent with the \"talk to a human\" button instead of typed")
	fs.StringVar(&o.agentTokens, "agent-tokens", "", "`file` of agents' API tokens, one a line: each becomes an agent on the agent socket (spread over the nodes) who goes online, answers and resolves every conversation assigned to it")
	fs.DurationVar(&o.agentDelay, "agent-delay", time.Second, "how long an agent takes before answering an assigned conversation")
	fs.DurationVar(&o.drain, "drain", benchDrain, "after the load, how long to wait for outstanding acks and replies (customers reconnect meanwhile)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return o, err
	}
	o.adminToken = adminToken.s
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	case o.customers < 1 || o.customers > benchMaxCustomers:
		return o, fmt.Errorf("bench: --customers %d: want 1..%d", o.customers, benchMaxCustomers)
	case o.duration <= 0 || o.duration > benchMaxDuration:
		return o, fmt.Errorf("bench: --duration %s: want up to %s", o.duration, benchMaxDuration)
	case !o.idle && (o.rate <= 0 || o.rate > benchMaxRate):
		return o, fmt.Errorf("bench: --rate %g: want more than 0 and at most %g", o.rate, benchMaxRate)
	case o.askHuman < 0 || o.askHuman > 1:
		return o, fmt.Errorf("bench: --ask-human %g: want 0..1", o.askHuman)
	case o.drain < 0 || o.drain > benchMaxDuration:
		return o, fmt.Errorf("bench: --drain %s: want up to %s", o.drain, benchMaxDuration)
	case o.findMax && (o.idle || o.costs):
		return o, fmt.Errorf("bench: --find-max runs its own stages: without --idle or --costs")
	case o.maxReplyP99 <= 0:
		return o, fmt.Errorf("bench: --max-reply-p99 %s: want more than 0", o.maxReplyP99)
	case o.dialers < 1:
		return o, fmt.Errorf("bench: --dialers: want at least 1")
	}
	for _, raw := range strings.Split(o.url, ",") {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return o, fmt.Errorf("bench: --url %q: want http://host:port", raw)
		}
		if err := requireLoopback(u.Hostname()); err != nil {
			return o, err
		}
		srv := benchNode{url: strings.TrimRight(u.String(), "/"), origin: o.origin}
		if srv.origin == "" {
			srv.origin = u.Scheme + "://" + u.Host
		}
		o.servers = append(o.servers, srv)
	}
	o.url = o.servers[0].url
	return o, nil
}

// requireLoopback refuses any target that is not this machine.
func requireLoopback(host string) error {
	ips, err := net.LookupIP(host)
	if err != nil {
		return fmt.Errorf("bench: --url host %q: %w", host, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("bench: --url host %q resolves to %s: bench only drives a server on this machine (loopback)", host, ip)
		}
	}
	return nil
}

// raiseFileLimit lifts the soft descriptor limit toward the hard one; each
// customer holds one socket.
func raiseFileLimit(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("bench: read file limit: %w", err)
	}
	if lim.Cur >= uint64(need) {
		return nil
	}
	if lim.Max < uint64(need) {
		return fmt.Errorf("bench: %d customers need %d file descriptors; the hard limit is %d (raise it: ulimit -Hn)", need-256, need, lim.Max)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("bench: raise file limit to %d: %w", lim.Max, err)
	}
	return nil
}

type bench struct {
	ctx        context.Context // the run's: reconnects stop with it
	o          benchOptions
	reconnects atomic.Int64
	customers  []*benchCustomer
	sent       atomic.Int64
	renewed    atomic.Int64 // customers replaced after a hand-off
	agents     *benchAgents // nil without --agent-tokens

	mu       sync.Mutex
	acks     []time.Duration
	replies  []time.Duration
	handoffs []time.Duration // the replies that were hand-off notices
	errKinds map[string]int64
}

// resetCounts forgets the warm-up's latencies; its errors stay counted.
func (b *bench) resetCounts() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.acks, b.replies, b.handoffs = nil, nil, nil
	b.sent.Store(0)
	b.renewed.Store(0)
}

func (b *bench) fail(kind string) {
	b.mu.Lock()
	b.errKinds[kind]++
	b.mu.Unlock()
}

// benchQuestions are what simulated customers of the demo shop ask.
var benchQuestions = []string{
	"How do I start a return?",
	"How long does a refund take to arrive?",
	"Which payment methods do you accept?",
	"How do I use a promo code?",
	"How can I reset my password?",
	"What shipping options do you have?",
	"Where can I see the status of my order?",
	"How do gift cards work?",
}

// server is the n-th node, round the list.
func (b *bench) server(n int) benchNode { return b.o.servers[n%len(b.o.servers)] }

func (b *bench) wsURL(srv benchNode) string {
	return "ws" + strings.TrimPrefix(srv.url, "http") + "/widget/ws?site=" + url.QueryEscape(b.o.site)
}

func (b *bench) connectAll(ctx context.Context) {
	dialer := &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	var mu sync.Mutex
	sem := make(chan struct{}, b.o.dialers)
	var wg sync.WaitGroup
	var pace *time.Ticker
	if b.o.connectRate > 0 {
		pace = time.NewTicker(time.Duration(float64(time.Second) / b.o.connectRate))
		defer pace.Stop()
	}
	for i := range b.o.customers {
		if ctx.Err() != nil {
			break
		}
		if pace != nil {
			<-pace.C
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := b.connect(ctx, dialer, i)
			if err != nil {
				b.fail(err.Error())
				return
			}
			mu.Lock()
			b.customers = append(b.customers, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
}

// errorKind shortens network errors so they group in the report.
func errorKind(err error) string {
	if err == nil {
		return "none"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// load makes every customer send at rate until ctx ends; start times
// are spread over one period so sends do not arrive in lockstep.
func (b *bench) load(ctx context.Context, rate float64) {
	period := time.Duration(float64(time.Second) / rate)
	var wg sync.WaitGroup
	for _, c := range b.customers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTimer(time.Duration(rand.Int64N(int64(period))))
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-c.done:
					return
				case <-t.C:
					if c.handedOff.Load() {
						if err := c.renew(ctx); err != nil {
							b.fail("renew: " + err.Error())
							return
						}
					}
					c.send()
					t.Reset(period)
				}
			}
		}()
	}
	wg.Wait()
}

// waitOutstanding waits until every customer has its acks and replies, or
// until max passes (what is still missing is reported as errors).
func (b *bench) waitOutstanding(ctx context.Context, max time.Duration) {
	deadline := time.NewTimer(max)
	defer deadline.Stop()
	for _, c := range b.customers {
		select {
		case <-c.waitIdle():
		case <-c.done:
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (b *bench) closeAll() {
	for _, c := range b.customers {
		c.close()
	}
}

// check has every customer count what it saw against the log.
func (b *bench) check(ctx context.Context) benchCheck {
	var (
		mu    sync.Mutex
		total benchCheck
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, b.o.dialers)
	for _, c := range b.customers {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			k := c.check(ctx)
			mu.Lock()
			total.add(k)
			mu.Unlock()
		})
	}
	wg.Wait()
	return total
}

// stats reads the server's figures after gc garbage collections.
func (b *bench) stats(ctx context.Context, gc int) (widget.Stats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/widget/stats?gc=%d", b.o.url, gc), nil)
	if err != nil {
		return widget.Stats{}, err
	}
	if b.o.adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+b.o.adminToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return widget.Stats{}, fmt.Errorf("bench: server stats: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusNotFound:
		return widget.Stats{}, fmt.Errorf("bench: server stats: HTTP %d: /debug/widget/stats needs the server's admin token (--admin-token or FRONTLINE_ADMIN_TOKEN; the server must have one set)", resp.StatusCode)
	default:
		return widget.Stats{}, fmt.Errorf("bench: server stats: HTTP %d", resp.StatusCode)
	}
	var s widget.Stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return widget.Stats{}, fmt.Errorf("bench: server stats: %w", err)
	}
	return s, nil
}

// probePings times websocket ping/pong round trips on one more customer
// connection, pausing between them, until ctx ends: what the transport
// alone costs under the same load.
func (b *bench) probePings(ctx context.Context, pause time.Duration) ([]time.Duration, error) {
	srv := b.server(0)
	ws, _, err := (&websocket.Dialer{HandshakeTimeout: 10 * time.Second}).DialContext(ctx, b.wsURL(srv), http.Header{"Origin": {srv.origin}})
	if err != nil {
		return nil, fmt.Errorf("bench: ping probe: %w", err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"v": widget.ProtocolVersion, "type": "hello"}); err != nil {
		return nil, fmt.Errorf("bench: ping probe: %w", err)
	}
	pongs := make(chan time.Time, 1)
	ws.SetPongHandler(func(string) error {
		select {
		case pongs <- time.Now():
		default:
		}
		return nil
	})
	go func() { // reading is what runs the pong handler
		for {
			if _, _, err := ws.NextReader(); err != nil {
				return
			}
		}
	}()
	var out []time.Duration
	for ctx.Err() == nil {
		start := time.Now()
		if err := ws.WriteControl(websocket.PingMessage, nil, start.Add(5*time.Second)); err != nil {
			return out, fmt.Errorf("bench: ping probe: %w", err)
		}
		select {
		case t := <-pongs:
			out = append(out, t.Sub(start))
		case <-time.After(5 * time.Second):
			return out, errors.New("bench: ping probe: no pong within 5s")
		case <-ctx.Done():
			return out, nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
	return out, nil
}

// probeCommits times up to n bare commits, pausing between them, until ctx ends.
func probeCommits(ctx context.Context, p *postgres.CommitProbe, n int, pause time.Duration) ([]time.Duration, error) {
	var out []time.Duration
	for range n {
		d, err := p.Commit(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			return out, fmt.Errorf("bench: baseline: %w", err)
		}
		out = append(out, d)
		if pause > 0 {
			select {
			case <-ctx.Done():
				return out, nil
			case <-time.After(pause):
			}
		}
	}
	return out, nil
}

func benchPercentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func benchMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printBench(w io.Writer, r benchResult, o benchOptions) {
	fmt.Fprintf(w, "customers          %d connected of %d\n", r.Connected, r.Customers)
	if !o.idle && r.FindMax == nil {
		fmt.Fprintf(w, "messages           %d sent, %d acked, %d answered (%d not: in the human queue) in %.1f s (%.0f messages/s)\n", r.Sent, r.Acked, r.Replies, r.Unanswered, r.DurationS, r.MessagesPerS)
		fmt.Fprintf(w, "hand-offs          %d customers handed off and replaced by new visitors\n", r.HandedOff)
		fmt.Fprintf(w, "ack latency        p50 %.2f ms   p99 %.2f ms\n", r.AckP50Ms, r.AckP99Ms)
		fmt.Fprintf(w, "bot reply latency  p50 %.2f ms   p99 %.2f ms (hand-off notices: p50 %.2f ms, p99 %.2f ms)\n", r.ReplyP50Ms, r.ReplyP99Ms, r.HandoffP50Ms, r.HandoffP99Ms)
	}
	if r.WSPingP50Ms > 0 {
		fmt.Fprintf(w, "websocket ping     p50 %.2f ms   p99 %.2f ms during the load (the transport alone)\n", r.WSPingP50Ms, r.WSPingP99Ms)
	}
	if o.baseline {
		fmt.Fprintf(w, "bare commit        p50 %.2f ms   p99 %.2f ms during the load (%.2f ms idle)\n", r.BaselineCommitP50Ms, r.BaselineCommitP99Ms, r.BaselineIdleP50Ms)
		if r.AckRatioP50 > 0 {
			fmt.Fprintf(w, "ack / bare commit  %.2fx at p50\n", r.AckRatioP50)
		}
		if r.AckLessPingRatio50 > 0 {
			fmt.Fprintf(w, "(ack - ping) / bare commit  %.2fx at p50\n", r.AckLessPingRatio50)
		}
	}
	fmt.Fprintf(w, "server memory      %.1f KiB per connection (heap %.1f + stacks %.1f; %d connections, %d goroutines)\n",
		r.ServerKiBPerConn, r.ServerHeapKiBPerConn, r.ServerStackKiBPerConn, r.ServerConnections, r.ServerGoroutines)
	fmt.Fprintf(w, "reconnects         %d\n", r.Reconnects)
	k := r.Check
	fmt.Fprintf(w, "every client's view  lost %d, duplicated %d, out of order %d, unanswered %d, answered twice %d (unacknowledged %d, unchecked %d)\n",
		k.Lost, k.Duplicated, k.OutOfOrder, k.Unanswered, k.AnsweredTwice, k.Unacked, k.Unchecked)
	if a := r.Agents; a != nil {
		fmt.Fprintf(w, "agents             %d: %d hand-offs assigned (%d conversations held by two agents), %d replied, %d resolved, %d unfinished, %d still queued; %d SLA frames, %d reconnects, errors %v\n",
			a.Agents, a.Assigned, a.AssignedTwice, a.Replied, a.Resolved, a.Unfinished, a.Queued, a.SLAFrames, a.Reconnects, a.Errors)
	}
	if r.Costs != nil {
		printCosts(w, r.Costs)
	}
	if r.FindMax != nil {
		printFindMax(w, r.FindMax)
	}
	fmt.Fprintf(w, "errors             %d", r.Errors)
	for k, v := range r.ErrorKinds {
		fmt.Fprintf(w, "  [%s: %d]", k, v)
	}
	fmt.Fprintln(w)
}
