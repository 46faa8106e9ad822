package postgres_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
)

// TestKBBulkLoad checks that a bulk load leaves a searchable index: the
// HNSW index rebuilt and the lexeme counts equal to a recount, also after
// an ordinary replacement.
func TestKBBulkLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	store := postgres.NewKBStore(db)
	emb := kb.NewOfflineEmbedder(kb.OfflineOptions{})
	gen := newTextGen(rand.New(rand.NewPCG(1, 2)))
	// One ordinary publish first, so there is an index to drop.
	if err := publishSynthetic(ctx, store, emb, gen, 0, 100); err != nil {
		t.Fatal(err)
	}
	err := store.BulkLoad(ctx, func(tx kb.Store) error { return publishSynthetic(ctx, tx, emb, gen, 1, 300) })
	if err != nil {
		t.Fatal(err)
	}
	// An ordinary replacement afterwards keeps the counts too.
	a, err := store.FindArticleBySlug(ctx, "a000002")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ReplacePassages(ctx, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	var indexes, drift int
	err = db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'kb_vectors_hnsw_512'`).Scan(&indexes)
	if err != nil {
		t.Fatal(err)
	}
	if indexes != 1 {
		t.Errorf("HNSW indexes after bulk load: got %d, want 1", indexes)
	}
	err = db.Pool().QueryRow(ctx, `SELECT count(*) FROM (SELECT l, count(*) AS n FROM kb_passages, unnest(tsvector_to_array(fts)) AS l GROUP BY l) c
		FULL JOIN kb_lexemes x ON x.lexeme = c.l WHERE coalesce(c.n, 0) <> coalesce(x.ndoc, 0)`).Scan(&drift)
	if err != nil {
		t.Fatal(err)
	}
	if drift != 0 {
		t.Errorf("lexeme counts differing from a recount: got %d, want 0", drift)
	}
	text := gen.sentence(8)
	vec, err := emb.Embed(ctx, []string{text})
	if err != nil {
		t.Fatal(err)
	}
	aud := []kb.Audience{kb.AudiencePublic}
	vm, err := store.SearchVector(ctx, kb.VectorQuery{Vector: vec[0], Audiences: aud, Limit: 10})
	if err != nil || len(vm) != 10 {
		t.Errorf("vector search after bulk load: got %d matches (err %v), want 10", len(vm), err)
	}
	tm, err := store.SearchText(ctx, kb.TextQuery{Text: text, Audiences: aud, Limit: 10})
	if err != nil || len(tm) == 0 {
		t.Errorf("text search after bulk load: got %d matches (err %v), want some", len(tm), err)
	}
}
