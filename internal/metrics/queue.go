package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/handoff"
)

// QueueCacheTTL is how long a read of the queue answers scrapes: several
// Prometheus servers scraping every node cost one read per node per TTL.
const QueueCacheTTL = 5 * time.Second

// queueReadTimeout bounds the read a scrape waits on.
const queueReadTimeout = 3 * time.Second

// Queue registers the length of every line (tier and team), read from the
// store at scrape time (at most once per QueueCacheTTL), so every node
// reports the same, whole queue: never a count of what this node saw.
func (m *Metrics) Queue(store handoff.Store) error {
	return m.Register(&queueCollector{store: store, now: time.Now})
}

type queueCollector struct {
	store handoff.Store
	now   func() time.Time

	mu     sync.Mutex
	readAt time.Time
	cached []prometheus.Metric
}

var queueWaiting = prometheus.NewDesc("frontline_queue_waiting",
	"Conversations waiting for a person, by tier and team (the whole queue, read from the store; every configured team is listed).",
	[]string{"tier", "team"}, nil)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueWaiting }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached == nil || c.now().Sub(c.readAt) >= QueueCacheTTL {
		ms, err := c.read()
		if err != nil {
			ch <- prometheus.NewInvalidMetric(queueWaiting, err)
			return
		}
		c.cached, c.readAt = ms, c.now()
	}
	for _, m := range c.cached {
		ch <- m
	}
}

type line struct {
	tier frontline.Tier
	team string
}

func (c *queueCollector) read() ([]prometheus.Metric, error) {
	ctx, cancel := context.WithTimeout(context.Background(), queueReadTimeout)
	defer cancel()
	places, err := c.store.WaitingPlaces(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := c.store.FindTeams(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[line]int{}
	for _, t := range teams {
		for _, tier := range frontline.Tiers {
			counts[line{tier, t.ID}] = 0
		}
	}
	for _, p := range places {
		counts[line{p.Tier, p.Team}]++
	}
	out := make([]prometheus.Metric, 0, len(counts))
	for l, n := range counts {
		out = append(out, prometheus.MustNewConstMetric(queueWaiting, prometheus.GaugeValue, float64(n), string(l.tier), l.team))
	}
	return out, nil
}
