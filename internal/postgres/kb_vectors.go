package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/kb"
)

// A node keeps an in-process copy of a small vector index (fewer than
// exactBelow passages, where Postgres scans every vector anyway) and
// answers vector queries from it: the same exact cosine scan, without the
// statement, which under the widget bench was the costliest per customer
// message. PostgreSQL stays the source of truth: every write transaction
// of the KB store sends kbIndexTopic on the bus when it commits, and every
// node that hears it (or hears the bus resync) drops its copy and reloads
// on the next query. The node that wrote drops its copy at once, so it
// reads its own writes. Without a bus (the CLI) or in a transaction,
// queries go to PostgreSQL as before; a bus that was made but never
// started hears no other node, so a copy is never older than
// vectorCacheTTL either way.

// kbIndexTopic is woken when the KB's passages or articles change.
const kbIndexTopic = "kb:index"

// vectorCacheTTL bounds how long a copy is trusted without any wake-up,
// in case one was lost without the bus noticing.
const vectorCacheTTL = 30 * time.Second

// vectorIndex is one loaded copy of the index, read-only once built.
type vectorIndex struct {
	loadedAt time.Time
	large    bool // exactBelow or more passages: Postgres's HNSW serves
	entries  []vectorEntry
}

type vectorEntry struct {
	match kb.PassageMatch // Score unset
	lang  string
	vec   []float32
	norm  float32 // sum of squares
}

// vectorCache is kbShared's copy and what invalidates it.
type vectorCache struct {
	index atomic.Pointer[vectorIndex]
	// loading lets one query at a time load a copy: the others wait for
	// it rather than each reading the whole index.
	loading sync.Mutex
	// mu orders installing a copy against dropping it; gen counts the
	// drops, so a load that raced one is not kept.
	mu   sync.Mutex
	gen  int64
	subs atomic.Pointer[<-chan frontline.Notification]
	// served counts the queries the copy answered (for tests).
	served atomic.Int64
}

func (c *vectorCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.index.Store(nil)
	c.mu.Unlock()
}

func (c *vectorCache) fresh() *vectorIndex {
	if idx := c.index.Load(); idx != nil && time.Since(idx.loadedAt) < vectorCacheTTL {
		return idx
	}
	return nil
}

// currentVectors returns the copy to search, or nil to search in Postgres. It
// subscribes to the bus on first use; until a bus exists there is no copy.
func (s *KBStore) currentVectors(ctx context.Context) (*vectorIndex, error) {
	c := &s.shared.vectors
	sub := c.subs.Load()
	if sub == nil {
		hub := s.db.notify.local.Load()
		if hub == nil {
			return nil, nil
		}
		ch, cancel := hub.Subscribe(kbIndexTopic) // for the store's life
		var r <-chan frontline.Notification = ch
		if !c.subs.CompareAndSwap(nil, &r) {
			cancel() // another query subscribed first
			sub = c.subs.Load()
		} else {
			sub = &r
			c.invalidate() // anything loaded before listening is suspect
		}
	}
	select {
	case <-*sub:
		c.invalidate()
	default:
	}
	if idx := c.fresh(); idx != nil {
		return idx, nil
	}
	c.loading.Lock()
	defer c.loading.Unlock()
	if idx := c.fresh(); idx != nil {
		return idx, nil // loaded while this query waited
	}
	return s.loadVectors(ctx)
}

// loadVectors reads the whole index when it is small (else notes that it
// is large). The copy is kept only if no write was heard meanwhile.
func (s *KBStore) loadVectors(ctx context.Context) (*vectorIndex, error) {
	c := &s.shared.vectors
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	idx := &vectorIndex{loadedAt: time.Now()}
	err := s.read(ctx, func(conn kbConn) error {
		rows, err := conn.Query(ctx, `SELECT `+passageColumns+`, a.slug, a.title, v.lang, v.embedding::real[]
			FROM kb_vectors v
			JOIN kb_passages p ON p.id = v.passage_id
			JOIN kb_articles a ON a.id = p.article_id
			LIMIT $1`, exactBelow)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e vectorEntry
			if err := rows.Scan(scanPassage(&e.match.Passage, &e.match.Slug, &e.match.Title, &e.lang, &e.vec)...); err != nil {
				return err
			}
			for _, x := range e.vec {
				e.norm += x * x
			}
			idx.entries = append(idx.entries, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load vector index: %w", err)
	}
	if len(idx.entries) >= exactBelow {
		idx.large, idx.entries = true, nil
	}
	c.mu.Lock()
	if c.gen == gen {
		c.index.Store(idx)
	}
	c.mu.Unlock()
	return idx, nil
}

// search is SearchVector's exact scan, as PostgreSQL computes it:
// pgvector's cosine distance (float sums, the similarity clamped to
// [-1,1]), nearest first, ties by passage id.
func (idx *vectorIndex) search(q kb.VectorQuery) ([]kb.PassageMatch, error) {
	dims := len(q.Vector)
	var qnorm float32
	for _, x := range q.Vector {
		qnorm += x * x
	}
	lang := language(q.Locale)
	type scored struct {
		e    *vectorEntry
		dist float64
	}
	var hits []scored
	otherDims := 0
	for i := range idx.entries {
		e := &idx.entries[i]
		if len(e.vec) != dims {
			otherDims = len(e.vec)
			continue
		}
		if !slices.Contains(q.Audiences, e.match.Audience) || (lang != "" && e.lang != lang) {
			continue
		}
		var dot float32
		for j, x := range e.vec {
			dot += x * q.Vector[j]
		}
		sim := float64(dot) / math.Sqrt(float64(e.norm)*float64(qnorm))
		if !math.IsNaN(sim) { // a zero vector: NaN, which sorts last
			sim = max(-1, min(1, sim))
		}
		hits = append(hits, scored{e, 1 - sim})
	}
	if len(hits) == 0 && otherDims != 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "query vector has %d dimensions, the index has %d: reindex after changing the embedder", dims, otherDims)
	}
	slices.SortFunc(hits, func(a, b scored) int {
		if an, bn := math.IsNaN(a.dist), math.IsNaN(b.dist); an != bn {
			return cmp.Compare(boolInt(an), boolInt(bn))
		} else if c := cmp.Compare(a.dist, b.dist); !an && c != 0 {
			return c
		}
		return cmp.Compare(a.e.match.ID, b.e.match.ID)
	})
	hits = hits[:min(len(hits), max(q.Limit, 1))]
	out := make([]kb.PassageMatch, len(hits))
	for i, h := range hits {
		out[i] = h.e.match
		out[i].Score = 1 - h.dist
	}
	return out, nil
}
