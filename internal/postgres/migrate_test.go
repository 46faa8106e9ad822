package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
)

func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := pgtest.NewUnmigratedDB(t)

	var schemaErr *postgres.SchemaError
	if err := db.CheckSchema(ctx); !errors.As(err, &schemaErr) || schemaErr.Database != 0 {
		t.Fatalf("CheckSchema on an empty schema = %v, want a SchemaError at version 0", err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[len(applied)-1] != postgres.LatestVersion() {
		t.Fatalf("applied %v, want up to %d", applied, postgres.LatestVersion())
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after migrating: %v", err)
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v, %v; want nothing", again, err)
	}

	// A database migrated by a newer binary is refused, by serve and migrate.
	if _, err := db.Pool().Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future')", postgres.LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); !errors.As(err, &schemaErr) || schemaErr.Database <= schemaErr.Binary {
		t.Fatalf("CheckSchema on a newer schema = %v, want a SchemaError saying it is newer", err)
	}
	if _, err := db.Migrate(ctx); !errors.As(err, &schemaErr) {
		t.Fatalf("Migrate on a newer schema = %v, want a SchemaError", err)
	}
}

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	t.Parallel()
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if i > 0 && m.Version <= ms[i-1].Version {
			t.Fatalf("migration %d (%s) is out of order", m.Version, m.Name)
		}
		if m.SQL == "" {
			t.Fatalf("migration %d is empty", m.Version)
		}
	}
}

// Migration 4 moves the vectors of a knowledge base indexed before it into
// kb_vectors, inline, with their HNSW index, and search finds them there.
func TestMigrationMovesVectorsOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := pgtest.NewUnmigratedDB(t)
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:3] {
		if _, err := db.Pool().Exec(ctx, m.SQL); err != nil {
			t.Fatalf("%04d: %v", m.Version, err)
		}
		if _, err := db.Pool().Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	// An article and two passages as version 3 stored them.
	_, err = db.Pool().Exec(ctx, `
		INSERT INTO kb_articles (id, slug, title, body, locale, audience, state, created_at, updated_at)
			VALUES ('a_1', 'refunds', 'Refunds', 'Money back.', 'en', 'public', 'published', now(), now());
		INSERT INTO kb_passages (id, article_id, revision_id, kind, ordinal, text, index_text, locale, lang, audience, fts, embedding)
			SELECT 'p_' || i, 'a_1', 'r_1', 'chunk', i, 'Money back.', 'Refunds money back', 'en', 'en', 'public',
			       to_tsvector('english', 'Refunds money back'), array_fill(i::real, ARRAY[512])::vector
			FROM generate_series(1, 2) i;
		CREATE INDEX kb_passages_hnsw_512 ON kb_passages USING hnsw ((embedding::vector(512)) vector_cosine_ops) WHERE vector_dims(embedding) = 512`)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil || len(applied) == 0 || applied[0] != 4 {
		t.Fatalf("Migrate from version 3 = %v, %v", applied, err)
	}
	var vectors, inline, indexes int
	err = db.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE pg_column_size(embedding) = 8 + 4 * vector_dims(embedding)),
		(SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'kb_vectors_hnsw_512')
		FROM kb_vectors`).Scan(&vectors, &inline, &indexes)
	if err != nil {
		t.Fatal(err)
	}
	if vectors != 2 || inline != 2 || indexes != 1 {
		t.Fatalf("after migrating: %d vectors, %d inline, %d HNSW indexes; want 2, 2, 1", vectors, inline, indexes)
	}
	v := make([]float32, 512)
	for i := range v {
		v[i] = 1
	}
	got, err := postgres.NewKBStore(db).SearchVector(ctx, kb.VectorQuery{Vector: v, Audiences: []kb.Audience{kb.AudiencePublic}, Limit: 5})
	if err != nil || len(got) != 2 || got[0].Slug != "refunds" {
		t.Fatalf("search after migrating = %+v, %v; want both passages of refunds", got, err)
	}
}

// The pool has room for the bot's workers and the acknowledgements unless
// the URL sizes it.
func TestPoolSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	for _, tt := range []struct {
		url  string
		want int32
	}{
		{url, postgres.DefaultMaxConns()},
		{url + sep + "pool_max_conns=7", 7},
	} {
		db, err := postgres.Open(ctx, postgres.Options{URL: tt.url})
		if err != nil {
			t.Fatal(err)
		}
		if got := db.Pool().Config().MaxConns; got != tt.want {
			t.Errorf("pool of %s: %d connections, want %d", tt.url, got, tt.want)
		}
		db.Close()
	}
	if postgres.DefaultMaxConns() < 16 {
		t.Errorf("DefaultMaxConns() = %d, want at least 16", postgres.DefaultMaxConns())
	}
}
