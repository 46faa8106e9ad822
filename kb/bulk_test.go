package kb_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
)

// bulkStore is a memory store that offers BulkLoad (running fn in one
// transaction, as a store without a faster path would) and counts its use.
type bulkStore struct {
	*memory.KBStore
	loads int
}

func (s *bulkStore) BulkLoad(ctx context.Context, fn func(tx kb.Store) error) error {
	s.loads++
	return s.WithTx(ctx, fn)
}

// TestBulkReindex checks that BulkReindex goes through the store's BulkLoad
// and leaves the same search results as Reindex.
func TestBulkReindex(t *testing.T) {
	t.Parallel()
	build := func(st kb.Store, bulk bool) *kb.Service {
		svc := kb.NewService(st, kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
		// Published one by one (not imported: Import reindexes, and a
		// Reindex is most of this test's cost under the race detector).
		// Ten articles are enough to compare the two paths.
		for _, a := range mustReadDemo(t)[:10] {
			art, err := svc.CreateArticle(t.Context(), kb.Article{Slug: a.Slug, Title: a.Title, Body: a.Body, Tags: a.Tags, Locale: a.Locale, Audience: a.Audience})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Publish(t.Context(), art.ID, "test"); err != nil {
				t.Fatal(err)
			}
		}
		reindex := svc.Reindex
		if bulk {
			reindex = svc.BulkReindex
		}
		if err := reindex(t.Context()); err != nil {
			t.Fatalf("reindex: %v", err)
		}
		return svc
	}
	bs := &bulkStore{KBStore: memory.NewKBStore()}
	bulk, plain := build(bs, true), build(memory.NewKBStore(), false)
	if bs.loads != 1 {
		t.Errorf("BulkLoad called %d times, want 1", bs.loads)
	}
	for _, q := range []string{"how do i reset my password", "my parcel never arrived"} {
		a, err := bulk.Search(t.Context(), kb.SearchQuery{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		b, err := plain.Search(t.Context(), kb.SearchQuery{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		slugs := func(r kb.SearchResult) (out []string) {
			for _, h := range r.Hits {
				out = append(out, h.Slug)
			}
			return out
		}
		// Within float noise: the embedder sums features in map order.
		if !slices.Equal(slugs(a), slugs(b)) || math.Abs(a.TopScore-b.TopScore) > 1e-6 {
			t.Errorf("%q: bulk %v %.3f, plain %v %.3f", q, slugs(a), a.TopScore, slugs(b), b.TopScore)
		}
	}
}
