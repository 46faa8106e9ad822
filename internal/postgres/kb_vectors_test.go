package postgres_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/frontlinehq/frontline/internal/kbtest"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
)

// The KB conformance suite again, on a node with a bus: vector queries are
// then answered from the node's in-process copy of the index.
func TestKBStoreWithNodeCopy(t *testing.T) {
	t.Parallel()
	kbtest.RunTests(t, func(t *testing.T) kb.Store {
		db := pgtest.NewDB(t)
		mustStartBus(t, db)
		return postgres.NewKBStore(db)
	})
}

// The node's copy answers exactly what PostgreSQL's exact scan answers
// (the view in a transaction always asks PostgreSQL), over the demo KB.
func TestKBNodeCopyMatchesPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	mustStartBus(t, db)
	store := postgres.NewKBStore(db)
	svc := kb.NewService(store, kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	articles, err := kb.ReadDir(demo.Articles())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.Import(ctx, svc, articles); err != nil {
		t.Fatal(err)
	}
	for _, question := range []string{"How do I start a return?", "Which payment methods do you accept?",
		"my parcel never arrived", "¿Cómo devuelvo un pedido?", "gift card balance"} {
		vecs, err := svc.Embedder().Embed(ctx, []string{question})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []kb.VectorQuery{
			{Vector: vecs[0], Audiences: []kb.Audience{kb.AudiencePublic}, Limit: 40},
			{Vector: vecs[0], Audiences: []kb.Audience{kb.AudiencePublic, kb.AudienceCustomers}, Locale: "en", Limit: 7},
		} {
			got, err := store.SearchVector(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var want []kb.PassageMatch
			if err := store.WithTx(ctx, func(tx kb.Store) error {
				want, err = tx.SearchVector(ctx, q)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if store.VectorQueriesFromCopy() == 0 {
				t.Fatal("the node's copy answered no vector query")
			}
			if len(got) == 0 || len(got) != len(want) {
				t.Fatalf("%q: node copy found %d passages, PostgreSQL %d (want the same, more than 0)", question, len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i].ID || got[i].Slug != want[i].Slug || got[i].Title != want[i].Title || got[i].Text != want[i].Text ||
					math.Abs(got[i].Score-want[i].Score) > 1e-6 {
					t.Errorf("%q #%d: node copy %s %s %.7f, PostgreSQL %s %s %.7f", question, i,
						got[i].ID, got[i].Slug, got[i].Score, want[i].ID, want[i].Slug, want[i].Score)
				}
			}
		}
	}
}

// A write on one node reaches the other node's copy through the bus: its
// next vector query sees the new passages, and no longer the old ones.
func TestKBNodeCopyFollowsOtherNodesWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodeA, schema := pgtest.NewUnmigratedDB(t)
	if _, err := nodeA.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	nodeB := pgtest.OpenSchema(t, schema)
	mustStartBus(t, nodeA)
	mustStartBus(t, nodeB)
	emb := kb.NewOfflineEmbedder(kb.OfflineOptions{Dimension: 64})
	svcA := kb.NewService(postgres.NewKBStore(nodeA), emb, kb.Options{})
	storeB := postgres.NewKBStore(nodeB)
	if _, err := kb.Import(ctx, svcA, []kb.ImportedArticle{{Slug: "returns", Title: "Returns", Body: "Start a return from your order page."}}); err != nil {
		t.Fatal(err)
	}
	vecs, err := emb.Embed(ctx, []string{"refund to my card"})
	if err != nil {
		t.Fatal(err)
	}
	q := kb.VectorQuery{Vector: vecs[0], Audiences: []kb.Audience{kb.AudiencePublic}, Limit: 10}
	slugs := func() map[string]bool {
		got, err := storeB.SearchVector(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, m := range got {
			out[m.Slug] = true
		}
		return out
	}
	if s := slugs(); !s["returns"] || len(s) != 1 || storeB.VectorQueriesFromCopy() != 1 {
		t.Fatalf("node B before the write found %v (%d from its copy), want returns only, from its copy", s, storeB.VectorQueriesFromCopy())
	}
	// Node A replaces the article's passages with another article's.
	if _, err := kb.Import(ctx, svcA, []kb.ImportedArticle{{Slug: "refunds", Title: "Refunds", Body: "Refunds reach your card in five days."}}); err != nil {
		t.Fatal(err)
	}
	arts, err := svcA.Articles(ctx, kb.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		if a.Slug == "returns" {
			if err := svcA.Archive(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second) // well inside the copy's TTL: the bus must do it
	for {
		s := slugs()
		if s["refunds"] && !s["returns"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B still finds %v 10 s after node A's writes, want refunds and not returns", s)
		}
		time.Sleep(20 * time.Millisecond) // waiting on another node's bus delivery
	}
}
