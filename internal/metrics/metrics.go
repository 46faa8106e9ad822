// Package metrics is the node's Prometheus instrumentation: one registry,
// the collectors bound once at start-up, and decorators around the
// interfaces the parts meet through (the conversation log, the responder,
// the hand-off store), so no domain package knows about Prometheus.
//
// Labels are small closed sets (author kind, decision, signal kind, SLA
// target, tier, configured team, route pattern): never a conversation id,
// a raw path or customer text. Counters on the per-message path are bound
// once (WithLabelValues at construction), so counting costs no allocation.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/frontlinehq/frontline"
)

// Names of the label values the counters are bound with.
const (
	OutcomeAnswered  = "answered"
	OutcomeClarified = "clarified"
	OutcomeFallback  = "fallback"
	OutcomeHandedOff = "handed_off"
	OutcomeDropped   = "dropped"
	other            = "other"
)

var (
	authors  = []frontline.Author{frontline.AuthorCustomer, frontline.AuthorBot, frontline.AuthorAgent, frontline.AuthorSystem}
	outcomes = []string{OutcomeAnswered, OutcomeClarified, OutcomeFallback, OutcomeHandedOff, OutcomeDropped}
	reasons  = []frontline.SignalKind{frontline.SignalFrustration, frontline.SignalHumanRequest, frontline.SignalSeverity,
		frontline.SignalRepetition, frontline.SignalBotLoop, frontline.SignalPrivateData}
	slaTargets = []string{"first_response", "next_response", "resolution"}
)

// latencyBuckets span a fast commit (1 ms) to a slow model (30 s).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// waitBuckets span a hand-off claimed at once to one waiting hours.
var waitBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400}

// Metrics holds the node's registry and its bound collectors. Safe for
// concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	messages  map[frontline.Author]prometheus.Counter
	decisions map[string]prometheus.Counter
	handoffs  map[frontline.SignalKind]prometheus.Counter
	warnings  map[string]prometheus.Counter
	breaches  map[string]prometheus.Counter

	ack       prometheus.Histogram
	botReply  prometheus.Histogram
	claimWait prometheus.Histogram
	http      *prometheus.HistogramVec
}

// New returns metrics on a fresh registry holding the Go runtime and
// process collectors too.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{reg: reg}

	messages := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "frontline_messages_total", Help: "Messages stored in conversations by this node, by author kind.",
	}, []string{"author"})
	m.messages = bind(messages, authors, func(a frontline.Author) string { return string(a) })

	decisions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "frontline_bot_decisions_total", Help: "What the bot did with a customer message: answered, clarified, fallback (no confident answer), handed_off, dropped (a person owns it, or queued with nothing to add).",
	}, []string{"outcome"})
	m.decisions = bind(decisions, append(outcomes, other), func(s string) string { return s })

	handoffs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "frontline_handoffs_total", Help: "Hand-offs to the human queue, by reason (the signal kinds in the packet; one hand-off counts once per kind).",
	}, []string{"reason"})
	m.handoffs = bind(handoffs, append(reasons, other), func(k frontline.SignalKind) string { return string(k) })

	warnings := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "frontline_sla_warnings_total", Help: "SLA warnings (a deadline near), by target.",
	}, []string{"target"})
	m.warnings = bind(warnings, append(slaTargets, other), func(s string) string { return s })
	breaches := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "frontline_sla_breaches_total", Help: "SLA breaches (a deadline passed), by target.",
	}, []string{"target"})
	m.breaches = bind(breaches, append(slaTargets, other), func(s string) string { return s })

	m.ack = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "frontline_message_ack_seconds", Help: "Time to commit a customer message, which its acknowledgement waits on.", Buckets: latencyBuckets,
	})
	m.botReply = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "frontline_bot_reply_seconds", Help: "From a customer message's commit to the bot having answered it (a reply, a hand-off or a drop).", Buckets: latencyBuckets,
	})
	m.claimWait = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "frontline_handoff_claim_wait_seconds", Help: "From a hand-off entering the queue to an agent being assigned it.", Buckets: waitBuckets,
	})
	m.http = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "frontline_http_request_duration_seconds", Help: "HTTP requests (websocket upgrades excluded), by route pattern and status code.", Buckets: latencyBuckets,
	}, []string{"route", "code"})
	reg.MustRegister(messages, decisions, handoffs, warnings, breaches, m.ack, m.botReply, m.claimWait, m.http)
	return m
}

// bind makes one counter per value (and "other") up front.
func bind[K comparable](vec *prometheus.CounterVec, values []K, name func(K) string) map[K]prometheus.Counter {
	out := make(map[K]prometheus.Counter, len(values))
	for _, v := range values {
		out[v] = vec.WithLabelValues(name(v))
	}
	return out
}

// count adds one to the counter of k, or of "other" for a value outside
// the bound set.
func count[K comparable](cs map[K]prometheus.Counter, k K, otherKey K) {
	c, ok := cs[k]
	if !ok {
		c = cs[otherKey]
	}
	c.Inc()
}

// Register adds collectors (gauges read at scrape time).
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Connections registers the live socket counts, read at scrape time.
func (m *Metrics) Connections(widget, agent func() int64) error {
	gauge := func(socket string, read func() int64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "frontline_connections", Help: "Open websocket connections to this node, by socket (widget: customers; agent: consoles).",
			ConstLabels: prometheus.Labels{"socket": socket},
		}, func() float64 { return float64(read()) })
	}
	return m.Register(gauge("widget", widget), gauge("agent", agent))
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Gatherer is the registry, for tests.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }
