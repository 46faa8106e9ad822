package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	pgvector "github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/kb"
)

var _ kb.Store = (*KBStore)(nil)

// KBStore is the knowledge base on PostgreSQL: passages carry a tsvector
// (GIN) built with the text-search configuration of the article's language,
// and their pgvector embeddings live in kb_vectors (HNSW cosine index per
// dimension).
type KBStore struct {
	db *DB
	tx pgx.Tx // set in the view WithTx hands to its callback
	// bulk is set in the view BulkLoad hands to its callback: passage
	// writes leave the HNSW indexes to be built at the end.
	bulk *bulkLoad
	// shared across the views of one store
	shared *kbShared
}

type bulkLoad struct {
	dims map[int]bool // dimensions of the passages written
}

type kbShared struct {
	mu         sync.Mutex
	vectorOID  uint32
	hnswByDims map[int]bool // dimensions whose HNSW index exists
	// small says the index held fewer than exactBelow passages when
	// counted at smallAt (zero: count again).
	small   bool
	smallAt time.Time
	// vectors is this node's copy of a small vector index (kb_vectors.go).
	vectors vectorCache
}

// exactBelow is the passage count under which vector queries scan every
// passage instead of walking the HNSW graph: exact, and faster at that
// size (the demo KB's 230 passages: 0.33 ms against 0.85-1.5 ms for HNSW
// at ef_search 400, which visits the whole graph anyway).
const exactBelow = 2000

// smallTTL is how long a passage count is trusted. Writes through this
// store recount at once; other nodes' writes show within smallTTL (only
// speed depends on it: both scans return the same passages, up to HNSW's
// recall).
const smallTTL = 30 * time.Second

// NewKBStore returns the knowledge-base store on db (migrated).
func NewKBStore(db *DB) *KBStore {
	return &KBStore{db: db, shared: &kbShared{hnswByDims: map[int]bool{}}}
}

// registerVector teaches the connection pgvector's binary format (needed by
// COPY and by scanning embeddings). The type's OID is looked up once.
func (s *KBStore) registerVector(ctx context.Context, conn *pgx.Conn) error {
	if _, ok := conn.TypeMap().TypeForName("vector"); ok {
		return nil
	}
	s.shared.mu.Lock()
	oid := s.shared.vectorOID
	s.shared.mu.Unlock()
	if oid == 0 {
		var o *uint32
		if err := conn.QueryRow(ctx, "SELECT to_regtype('vector')::oid").Scan(&o); err != nil {
			return fmt.Errorf("look up vector type: %w", err)
		}
		if o == nil {
			return errors.New("the vector extension is not installed")
		}
		oid = *o
		s.shared.mu.Lock()
		s.shared.vectorOID = oid
		s.shared.mu.Unlock()
	}
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "vector", OID: oid, Codec: &pgxvec.VectorCodec{}})
	return nil
}

// do runs fn in the store's transaction, or in a new one it commits.
func (s *KBStore) do(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	// Every node's copy of the vector index is dropped when a write
	// commits (this node's at once, after it); reads need not be told.
	defer s.shared.vectors.invalidate()
	return s.db.withTx(ctx, func(tx pgx.Tx) error {
		if err := s.registerVector(ctx, tx.Conn()); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		return s.db.notifyTx(ctx, tx, kbIndexTopic, 1)
	})
}

// exec runs one statement in the store's transaction, or on its own (its
// own commit: one round trip instead of three).
func (s *KBStore) exec(ctx context.Context, sql string, args ...any) error {
	var err error
	if s.tx != nil {
		_, err = s.tx.Exec(ctx, sql, args...)
	} else {
		_, err = s.db.pool.Exec(ctx, sql, args...)
	}
	return err
}

// kbConn is what a read needs: the store's transaction or a pooled
// connection.
type kbConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// read runs fn on the store's transaction, or on a pooled connection
// outside any transaction: a single-statement read needs no BEGIN and
// COMMIT, which would triple its round trips.
func (s *KBStore) read(ctx context.Context, fn func(c kbConn) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	conn, err := s.db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire: %w", err)
	}
	defer conn.Release()
	if err := s.registerVector(ctx, conn.Conn()); err != nil {
		return err
	}
	return fn(conn)
}

// WithTx implements kb.Store. A nested call joins the outer transaction.
func (s *KBStore) WithTx(ctx context.Context, fn func(tx kb.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.do(ctx, func(tx pgx.Tx) error {
		return fn(&KBStore{db: s.db, tx: tx, shared: s.shared})
	})
}

// hnswBuildMemory is maintenance_work_mem while an HNSW index is built in
// one go: the graph is built fast while it fits (about 300 MB for 100k
// passages of 512 dimensions) and much slower once it does not.
const hnswBuildMemory = "1GB"

// BulkLoad runs fn like WithTx, but the passages it writes skip the HNSW
// indexes: they are dropped first and built once at the end, in the same
// transaction. Building the graph once is far cheaper than inserting into
// it row by row (100k passages: about a minute instead of more than ten).
// DROP INDEX locks kb_passages until commit, so searches wait meanwhile:
// use it to load a knowledge base before it serves (import, benchmark,
// eval), not under traffic.
func (s *KBStore) BulkLoad(ctx context.Context, fn func(tx kb.Store) error) error {
	if s.tx != nil {
		return frontline.Errorf(frontline.EInvalid, "bulk load: cannot run inside a transaction")
	}
	return s.do(ctx, func(tx pgx.Tx) error {
		view := &KBStore{db: s.db, tx: tx, shared: s.shared, bulk: &bulkLoad{dims: map[int]bool{}}}
		if err := view.lockPassages(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT indexname FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename = 'kb_vectors' AND indexname LIKE 'kb\_vectors\_hnsw\_%'`)
		if err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		for _, name := range names {
			var dims int
			if _, err := fmt.Sscanf(name, "kb_vectors_hnsw_%d", &dims); err != nil {
				continue
			}
			view.bulk.dims[dims] = true
			if _, err := tx.Exec(ctx, `DROP INDEX `+pgx.Identifier{name}.Sanitize()); err != nil {
				return fmt.Errorf("bulk load: drop %s: %w", name, err)
			}
		}
		if err := fn(view); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('maintenance_work_mem', $1, true)`, hnswBuildMemory); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		for dims := range view.bulk.dims {
			if err := s.createHNSW(ctx, tx, dims); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM kb_lexemes`); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb_lexemes (lexeme, ndoc)
			SELECT l, count(*) FROM kb_passages, unnest(tsvector_to_array(fts)) AS l GROUP BY l`); err != nil {
			return fmt.Errorf("bulk load: count lexemes: %w", err)
		}
		// Fresh statistics, so the planner knows the new table at once.
		if _, err := tx.Exec(ctx, `ANALYZE kb_passages, kb_vectors`); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		return nil
	})
}

const articleColumns = `id, slug, title, body, tags, locale, audience, state, published_revision_id, created_at, updated_at`

func scanArticle(row pgx.Row) (*kb.Article, error) {
	var a kb.Article
	err := row.Scan(&a.ID, &a.Slug, &a.Title, &a.Body, &a.Tags, &a.Locale, &a.Audience, &a.State, &a.PublishedRevisionID, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

func slugTaken(err error, slug string) error {
	if IsUniqueViolation(err, "kb_articles_slug_key") {
		return frontline.Errorf(frontline.EConflict, "slug %q is taken", slug)
	}
	return err
}

// CreateArticle implements kb.Store.
func (s *KBStore) CreateArticle(ctx context.Context, a *kb.Article) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO kb_articles (`+articleColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
			a.ID, a.Slug, a.Title, a.Body, nonNil(a.Tags), a.Locale, a.Audience, a.State, a.PublishedRevisionID, a.CreatedAt, a.UpdatedAt)
		if err != nil {
			return fmt.Errorf("create article: %w", slugTaken(err, a.Slug))
		}
		return nil
	})
}

// UpdateArticle implements kb.Store.
func (s *KBStore) UpdateArticle(ctx context.Context, a *kb.Article) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE kb_articles SET slug=$2, title=$3, body=$4, tags=$5, locale=$6, audience=$7, state=$8,
			published_revision_id=$9, updated_at=$10 WHERE id=$1`,
			a.ID, a.Slug, a.Title, a.Body, nonNil(a.Tags), a.Locale, a.Audience, a.State, a.PublishedRevisionID, a.UpdatedAt)
		if err != nil {
			return fmt.Errorf("update article: %w", slugTaken(err, a.Slug))
		}
		if tag.RowsAffected() == 0 {
			return frontline.Errorf(frontline.ENotFound, "article %s not found", a.ID)
		}
		return nil
	})
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func (s *KBStore) findArticle(ctx context.Context, where string, arg any) (*kb.Article, error) {
	var a *kb.Article
	err := s.read(ctx, func(tx kbConn) error {
		var err error
		a, err = scanArticle(tx.QueryRow(ctx, `SELECT `+articleColumns+` FROM kb_articles WHERE `+where, arg))
		if errors.Is(err, pgx.ErrNoRows) {
			return frontline.Errorf(frontline.ENotFound, "article %v not found", arg)
		}
		return err
	})
	return a, err
}

// FindArticleByID implements kb.Store.
func (s *KBStore) FindArticleByID(ctx context.Context, id string) (*kb.Article, error) {
	return s.findArticle(ctx, "id = $1", id)
}

// FindArticleBySlug implements kb.Store.
func (s *KBStore) FindArticleBySlug(ctx context.Context, slug string) (*kb.Article, error) {
	return s.findArticle(ctx, "slug = $1", slug)
}

// FindArticles implements kb.Store.
func (s *KBStore) FindArticles(ctx context.Context, f kb.ArticleFilter) ([]*kb.Article, error) {
	limit := any(nil)
	if f.Limit > 0 {
		limit = f.Limit
	}
	var out []*kb.Article
	err := s.read(ctx, func(tx kbConn) error {
		rows, err := tx.Query(ctx, `SELECT `+articleColumns+` FROM kb_articles
			WHERE ($1 = '' OR state = $1) AND ($2 = '' OR locale = $2) AND ($3 = '' OR audience = $3)
			  AND ($4 = '' OR $4 = ANY(tags))
			  AND ($5 = '' OR strpos(lower(title), lower($5)) > 0 OR strpos(slug, lower($5)) > 0)
			ORDER BY slug LIMIT $6 OFFSET $7`,
			string(f.State), f.Locale, string(f.Audience), f.Tag, f.Query, limit, max(f.Offset, 0))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*kb.Article, error) { return scanArticle(r) })
		return err
	})
	return out, err
}

// PublishRevision implements kb.Store.
func (s *KBStore) PublishRevision(ctx context.Context, rev *kb.Revision, passages []kb.Passage) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		// Lock the article: concurrent publishes of one article number
		// their revisions one after the other.
		var n int
		err := tx.QueryRow(ctx, `SELECT coalesce((SELECT max(number) FROM kb_revisions WHERE article_id = a.id), 0)
			FROM kb_articles a WHERE a.id = $1 FOR UPDATE`, rev.ArticleID).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return frontline.Errorf(frontline.ENotFound, "article %s not found", rev.ArticleID)
		}
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		rev.Number = n + 1
		if _, err := tx.Exec(ctx, `INSERT INTO kb_revisions (id, article_id, number, title, body, tags, author, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, rev.ID, rev.ArticleID, rev.Number, rev.Title, rev.Body, nonNil(rev.Tags), rev.Author, rev.CreatedAt); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE kb_articles SET title=$2, body=$3, tags=$4, state='published',
			published_revision_id=$5, updated_at=$6 WHERE id=$1`, rev.ArticleID, rev.Title, rev.Body, nonNil(rev.Tags), rev.ID, rev.CreatedAt); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		return s.replacePassages(ctx, tx, rev.ArticleID, passages)
	})
}

const revisionColumns = `id, article_id, number, title, body, tags, author, created_at`

func scanRevision(row pgx.Row) (*kb.Revision, error) {
	var r kb.Revision
	if err := row.Scan(&r.ID, &r.ArticleID, &r.Number, &r.Title, &r.Body, &r.Tags, &r.Author, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// FindRevisions implements kb.Store.
func (s *KBStore) FindRevisions(ctx context.Context, articleID string) ([]*kb.Revision, error) {
	var out []*kb.Revision
	err := s.read(ctx, func(tx kbConn) error {
		rows, err := tx.Query(ctx, `SELECT `+revisionColumns+` FROM kb_revisions WHERE article_id = $1 ORDER BY number DESC`, articleID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*kb.Revision, error) { return scanRevision(r) })
		return err
	})
	return out, err
}

// FindRevisionByID implements kb.Store.
func (s *KBStore) FindRevisionByID(ctx context.Context, id string) (*kb.Revision, error) {
	var r *kb.Revision
	err := s.read(ctx, func(tx kbConn) error {
		var err error
		r, err = scanRevision(tx.QueryRow(ctx, `SELECT `+revisionColumns+` FROM kb_revisions WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return frontline.Errorf(frontline.ENotFound, "revision %s not found", id)
		}
		return err
	})
	return r, err
}

// ReplacePassages implements kb.Store: the new rows are loaded and the old
// ones deleted in one transaction, so readers (MVCC) see one set or the
// other and are never blocked.
func (s *KBStore) ReplacePassages(ctx context.Context, articleID string, passages []kb.Passage) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM kb_articles WHERE id = $1)`, articleID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return frontline.Errorf(frontline.ENotFound, "article %s not found", articleID)
		}
		return s.replacePassages(ctx, tx, articleID, passages)
	})
}

// lockPassages serialises the writers of the passage index until commit:
// they update the shared lexeme counts, and a fixed order of writers is
// what keeps those updates free of deadlocks. Readers are never blocked.
func (s *KBStore) lockPassages(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.kb_passages'))`)
	return err
}

func (s *KBStore) replacePassages(ctx context.Context, tx pgx.Tx, articleID string, passages []kb.Passage) error {
	if err := s.lockPassages(ctx, tx); err != nil {
		return fmt.Errorf("replace passages: %w", err)
	}
	if s.bulk != nil {
		// Counted once at the end of the bulk load.
		if _, err := tx.Exec(ctx, `DELETE FROM kb_passages WHERE article_id = $1`, articleID); err != nil {
			return fmt.Errorf("replace passages: %w", err)
		}
		for i := range passages {
			passages[i].ArticleID = articleID
		}
		return s.insertPassages(ctx, tx, passages)
	}
	_, err := tx.Exec(ctx, `WITH gone AS (DELETE FROM kb_passages WHERE article_id = $1 RETURNING fts),
		counts AS (SELECT l, count(*)::int AS n FROM gone, unnest(tsvector_to_array(gone.fts)) AS l GROUP BY l)
		UPDATE kb_lexemes x SET ndoc = x.ndoc - counts.n FROM counts WHERE x.lexeme = counts.l`, articleID)
	if err != nil {
		return fmt.Errorf("replace passages: %w", err)
	}
	for i := range passages {
		passages[i].ArticleID = articleID
	}
	return s.insertPassages(ctx, tx, passages)
}

// insertPassages loads passages with COPY (into a per-connection staging
// table, since tsvectors are computed by the server) and then moves them
// into kb_passages.
func (s *KBStore) insertPassages(ctx context.Context, tx pgx.Tx, passages []kb.Passage) error {
	if len(passages) == 0 {
		return nil
	}
	dims := len(passages[0].Embedding)
	for _, p := range passages {
		if len(p.Embedding) != dims || dims == 0 {
			return frontline.Errorf(frontline.EInvalid, "passage %s: embedding has %d dimensions, want %d", p.ID, len(p.Embedding), dims)
		}
	}
	s.forgetSize()
	if s.bulk != nil {
		s.bulk.dims[dims] = true
	} else if err := s.ensureHNSW(ctx, tx, dims); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS kb_passages_load (
		id text, article_id text, revision_id text, kind text, ordinal integer, heading text, text text,
		index_text text, locale text, audience text, embedding vector) ON COMMIT DELETE ROWS`); err != nil {
		return fmt.Errorf("stage passages: %w", err)
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"kb_passages_load"},
		[]string{"id", "article_id", "revision_id", "kind", "ordinal", "heading", "text", "index_text", "locale", "audience", "embedding"},
		pgx.CopyFromSlice(len(passages), func(i int) ([]any, error) {
			p := passages[i]
			return []any{p.ID, p.ArticleID, p.RevisionID, string(p.Kind), p.Ordinal, p.Heading, p.Text, p.IndexText,
				p.Locale, string(p.Audience), pgvector.NewVector(p.Embedding)}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy passages: %w", err)
	}
	// Build the tsvector per row with its own language's configuration.
	cases := make([]string, 0, len(textSearchConfigs))
	for lang, cfg := range textSearchConfigs {
		cases = append(cases, fmt.Sprintf("WHEN '%s' THEN to_tsvector('%s'::regconfig, index_text)", lang, cfg))
	}
	insert := `INSERT INTO kb_passages (id, article_id, revision_id, kind, ordinal, heading, text, index_text, locale, lang, audience, fts)
		SELECT id, article_id, revision_id, kind, ordinal, heading, text, index_text, locale, split_part(locale, '-', 1), audience,
		       CASE split_part(locale, '-', 1) ` + strings.Join(cases, " ") + ` ELSE to_tsvector('simple'::regconfig, index_text) END
		FROM kb_passages_load`
	if s.bulk == nil {
		// Count the new passages' lexemes in the same statement (in
		// lexeme order, the order every writer locks them in). A bulk
		// load counts once at the end instead: updating the same rows
		// thousands of times in one transaction grows version chains
		// every later update has to walk.
		insert = `WITH added AS (` + insert + ` RETURNING fts)
		INSERT INTO kb_lexemes (lexeme, ndoc)
		SELECT l, count(*) FROM added, unnest(tsvector_to_array(added.fts)) AS l GROUP BY l ORDER BY l
		ON CONFLICT (lexeme) DO UPDATE SET ndoc = kb_lexemes.ndoc + excluded.ndoc`
	}
	_, err = tx.Exec(ctx, insert)
	if err != nil {
		return fmt.Errorf("insert passages: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO kb_vectors (passage_id, audience, lang, embedding)
		SELECT id, audience, split_part(locale, '-', 1), embedding FROM kb_passages_load`)
	if err != nil {
		return fmt.Errorf("insert passage vectors: %w", err)
	}
	_, err = tx.Exec(ctx, `DELETE FROM kb_passages_load`)
	return err
}

// textSearchConfigs maps a language subtag to PostgreSQL's built-in
// text-search configuration (stemming and stop words); others use simple.
var textSearchConfigs = map[string]string{
	"ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english",
	"es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
	"hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
	"ne": "nepali", "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pt": "portuguese",
	"ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
	"tr": "turkish", "yi": "yiddish",
}

func textSearchConfig(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(locale), "-")
	if lang == "" {
		lang = kb.DefaultLocale
	}
	if cfg, ok := textSearchConfigs[lang]; ok {
		return cfg
	}
	return "simple"
}

// ensureHNSW creates the HNSW cosine index for vectors of dims dimensions
// (a partial expression index: one column holds any dimension).
func (s *KBStore) ensureHNSW(ctx context.Context, tx pgx.Tx, dims int) error {
	if dims > kb.MaxDimension {
		return frontline.Errorf(frontline.EInvalid, "embedding dimension %d is above the limit of %d", dims, kb.MaxDimension)
	}
	s.shared.mu.Lock()
	known := s.shared.hnswByDims[dims]
	s.shared.mu.Unlock()
	if known {
		return nil
	}
	if err := s.createHNSW(ctx, tx, dims); err != nil {
		return err
	}
	// Remember only after commit would be exact; a rolled-back creation
	// is re-done by IF NOT EXISTS the next time, so caching early only
	// skips the (cheap) check within this process.
	s.shared.mu.Lock()
	s.shared.hnswByDims[dims] = true
	s.shared.mu.Unlock()
	return nil
}

// createHNSW creates the HNSW index for dims unless it exists.
// HNSW build parameters: denser than pgvector's defaults (16, 64), since
// the offline embedder's spread-out vectors need more links for recall.
const (
	hnswM              = 24
	hnswEfConstruction = 128
)

func (s *KBStore) createHNSW(ctx context.Context, tx pgx.Tx, dims int) error {
	name := fmt.Sprintf("kb_vectors_hnsw_%d", dims)
	// Serialise creators: CREATE INDEX IF NOT EXISTS races otherwise.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))`, name); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON kb_vectors
		USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WITH (m = %d, ef_construction = %d)
		WHERE vector_dims(embedding) = %d`, name, dims, hnswM, hnswEfConstruction, dims))
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}

// passageColumns are what a search returns of a passage: not its
// embedding (2 kB at 512 dimensions, and no caller needs it).
const passageColumns = `p.id, p.article_id, p.revision_id, p.kind, p.ordinal, p.heading, p.text, p.index_text, p.locale, p.audience`

func scanPassage(dst *kb.Passage, extra ...any) []any {
	return append([]any{&dst.ID, &dst.ArticleID, &dst.RevisionID, &dst.Kind, &dst.Ordinal, &dst.Heading, &dst.Text, &dst.IndexText, &dst.Locale, &dst.Audience}, extra...)
}

// FindPassages implements kb.Store.
func (s *KBStore) FindPassages(ctx context.Context, articleID string) ([]kb.Passage, error) {
	var out []kb.Passage
	err := s.read(ctx, func(tx kbConn) error {
		rows, err := tx.Query(ctx, `SELECT p.id, p.article_id, p.revision_id, p.kind, p.ordinal, p.heading, p.text, p.index_text, p.locale, p.audience
			FROM kb_passages p WHERE p.article_id = $1 ORDER BY p.ordinal`, articleID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p kb.Passage
			if err := rows.Scan(scanPassage(&p)...); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// CountPassages implements kb.Store.
func (s *KBStore) CountPassages(ctx context.Context) (int, error) {
	var n int
	err := s.read(ctx, func(tx kbConn) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM kb_passages`).Scan(&n)
	})
	return n, err
}

func audienceStrings(as []kb.Audience) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

func language(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(locale), "-")
	return lang
}

// forgetSize makes the next vector query count the passages again.
func (s *KBStore) forgetSize() {
	s.shared.mu.Lock()
	s.shared.smallAt = time.Time{}
	s.shared.mu.Unlock()
}

// isSmall reports whether the index holds fewer than exactBelow passages,
// counting at most exactBelow rows.
func (s *KBStore) isSmall(ctx context.Context, c kbConn) (bool, error) {
	s.shared.mu.Lock()
	small, at := s.shared.small, s.shared.smallAt
	s.shared.mu.Unlock()
	if !at.IsZero() && time.Since(at) < smallTTL && s.tx == nil {
		return small, nil
	}
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM kb_vectors LIMIT $1) v`, exactBelow).Scan(&n); err != nil {
		return false, err
	}
	small = n < exactBelow
	if s.tx == nil { // a transaction's count may include its own uncommitted writes
		s.shared.mu.Lock()
		s.shared.small, s.shared.smallAt = small, time.Now()
		s.shared.mu.Unlock()
	}
	return small, nil
}

// efSearchFloor is the least hnsw.ef_search a query runs with. The offline
// embedder's vectors are high-dimensional and spread out, which HNSW finds
// hard: at 100k passages ef_search 100 kept recall@10 near 0.7 (see
// BenchmarkKBSearch).
const efSearchFloor = 400

// SearchVector implements kb.Store with the HNSW index, or an exact scan
// when q.Exact or the index is small (exactBelow). ef_search is raised to
// cover the limit and the filters. The settings and the query go to the
// server in one round trip.
func (s *KBStore) SearchVector(ctx context.Context, q kb.VectorQuery) ([]kb.PassageMatch, error) {
	dims := len(q.Vector)
	if dims == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "query vector is empty")
	}
	limit := max(q.Limit, 1)
	if s.tx == nil {
		idx, err := s.currentVectors(ctx)
		if err != nil {
			return nil, fmt.Errorf("vector search: %w", err)
		}
		if idx != nil && !idx.large {
			s.shared.vectors.served.Add(1)
			return idx.search(q)
		}
	}
	var out []kb.PassageMatch
	err := s.read(ctx, func(c kbConn) error {
		exact := q.Exact
		if !exact {
			small, err := s.isSmall(ctx, c)
			if err != nil {
				return err
			}
			exact = small
		}
		b := &pgx.Batch{}
		if s.tx == nil {
			b.Queue(`BEGIN READ ONLY`)
		}
		if exact {
			b.Queue(`SELECT set_config('enable_indexscan', 'off', true)`)
		} else {
			// Filters are applied after the index scan; iterative scans
			// (pgvector 0.8) keep going until limit rows pass them.
			b.Queue(`SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
				fmt.Sprint(min(max(2*limit, efSearchFloor), 1000)))
		}
		// The nearest passages are limited before the join: a join (or
		// sort) above the index scan would drain it, and an iterative
		// scan then walks the whole graph.
		b.Queue(fmt.Sprintf(`SELECT `+passageColumns+`, a.slug, a.title, 1 - v.distance AS score
			FROM (SELECT passage_id, embedding::vector(%[1]d) <=> $1::vector(%[1]d) AS distance FROM kb_vectors
			      WHERE vector_dims(embedding) = %[1]d AND audience = ANY($2) AND ($3 = '' OR lang = $3)
			      ORDER BY embedding::vector(%[1]d) <=> $1::vector(%[1]d)
			      LIMIT $4) v
			JOIN kb_passages p ON p.id = v.passage_id
			JOIN kb_articles a ON a.id = p.article_id
			ORDER BY v.distance, p.id`, dims), pgvector.NewVector(q.Vector), audienceStrings(q.Audiences), language(q.Locale), limit)
		if s.tx == nil {
			b.Queue(`COMMIT`)
		}
		br := c.SendBatch(ctx, b)
		defer br.Close()
		for range b.Len() - 1 - boolInt(s.tx == nil) {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		if out, err = collectMatches(rows); err != nil {
			return err
		}
		if s.tx == nil {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		if err := br.Close(); err != nil || len(out) > 0 {
			return err
		}
		// Nothing found: say so if it is because the index holds vectors
		// of another dimension (the embedder changed without a reindex).
		var other *int
		err = c.QueryRow(ctx, `SELECT vector_dims(embedding) FROM kb_vectors WHERE vector_dims(embedding) <> $1 LIMIT 1`, dims).Scan(&other)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if other != nil {
			return frontline.Errorf(frontline.EInvalid, "query vector has %d dimensions, the index has %d: reindex after changing the embedder", dims, *other)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vector search: %w", err)
	}
	// relaxed_order may return rows slightly out of order.
	sortMatches(out)
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func collectMatches(rows pgx.Rows) ([]kb.PassageMatch, error) {
	defer rows.Close()
	var out []kb.PassageMatch
	for rows.Next() {
		var m kb.PassageMatch
		if err := rows.Scan(scanPassage(&m.Passage, &m.Slug, &m.Title, &m.Score)...); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func sortMatches(ms []kb.PassageMatch) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && (ms[j].Score > ms[j-1].Score || ms[j].Score == ms[j-1].Score && ms[j].ID < ms[j-1].ID); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// Full-text search bounds the rows it ranks, since ranking is what costs
// (each matching row's tsvector is read and scored): a question's common
// words match a large share of the passages.
const (
	// textTermBudget: a query's lexemes are taken rarest first, by the
	// passage counts in kb_lexemes, while the passages they may match add
	// up to at most this many; the rarest is always taken. Below it (every
	// knowledge base of up to this many passages) nothing is left out.
	textTermBudget = 500
	// textRankCap bounds the rows ranked when even the rarest lexeme is
	// more common than the budget.
	textRankCap = 2000
)

// searchTextSQL takes the text-search configuration, the question, the
// audiences, the language (or ""), textTermBudget, textRankCap and the limit.
const searchTextSQL = `WITH terms AS MATERIALIZED (
		SELECT t.lexeme, coalesce(x.ndoc, 0) AS ndoc
		FROM unnest(tsvector_to_array(to_tsvector($1::regconfig, $2))) AS t(lexeme)
		LEFT JOIN kb_lexemes x ON x.lexeme = t.lexeme),
	ordered AS (
		SELECT lexeme, sum(ndoc) OVER w AS upto, row_number() OVER w AS n
		FROM terms WINDOW w AS (ORDER BY ndoc, lexeme)),
	q AS MATERIALIZED (
		SELECT (SELECT string_agg(quote_literal(lexeme), ' | ') FROM ordered WHERE upto <= $5 OR n = 1)::tsquery AS narrow,
		       (SELECT string_agg(quote_literal(lexeme), ' | ') FROM terms)::tsquery AS tsq),
	ranked AS MATERIALIZED (
		SELECT p.id, ts_rank(p.fts, q.tsq, 1)::float8 AS score
		FROM q, kb_passages p
		WHERE q.narrow IS NOT NULL AND p.fts @@ q.narrow AND p.audience = ANY($3) AND ($4 = '' OR p.lang = $4)
		LIMIT $6),
	top AS (SELECT id, score FROM ranked ORDER BY score DESC, id LIMIT $7)
	SELECT ` + passageColumns + `, a.slug, a.title, top.score
	FROM top JOIN kb_passages p ON p.id = top.id JOIN kb_articles a ON a.id = p.article_id
	ORDER BY top.score DESC, p.id`

// SearchText implements kb.Store: the question's lexemes (stemmed with the
// query language's configuration) are OR-ed, so a passage matching any of
// them is a candidate, ranked by ts_rank normalised by length. In a large
// index the lexemes so common that the rarer ones already fill
// textTermBudget select no candidates of their own (they still count in the
// rank), which keeps the work per query bounded.
func (s *KBStore) SearchText(ctx context.Context, q kb.TextQuery) ([]kb.PassageMatch, error) {
	var out []kb.PassageMatch
	err := s.read(ctx, func(c kbConn) error {
		rows, err := c.Query(ctx, searchTextSQL,
			textSearchConfig(q.Locale), q.Text, audienceStrings(q.Audiences), language(q.Locale),
			textTermBudget, textRankCap, max(q.Limit, 1))
		if err != nil {
			return err
		}
		out, err = collectMatches(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("text search: %w", err)
	}
	return out, nil
}

const phrasingColumns = `id, article_id, text, source, created_at`

func scanPhrasing(row pgx.Row) (*kb.Phrasing, error) {
	var p kb.Phrasing
	if err := row.Scan(&p.ID, &p.ArticleID, &p.Text, &p.Source, &p.CreatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

// AddPhrasings implements kb.Store.
func (s *KBStore) AddPhrasings(ctx context.Context, ps []*kb.Phrasing) error {
	if len(ps) == 0 {
		return nil
	}
	return s.do(ctx, func(tx pgx.Tx) error {
		ids := map[string]bool{}
		for _, p := range ps {
			ids[p.ArticleID] = true
		}
		for id := range ids {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM kb_articles WHERE id = $1)`, id).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return frontline.Errorf(frontline.ENotFound, "article %s not found", id)
			}
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"kb_phrasings"}, []string{"id", "article_id", "text", "source", "created_at"},
			pgx.CopyFromSlice(len(ps), func(i int) ([]any, error) {
				p := ps[i]
				return []any{p.ID, p.ArticleID, p.Text, string(p.Source), p.CreatedAt}, nil
			}))
		if err != nil {
			return fmt.Errorf("add phrasings: %w", err)
		}
		return nil
	})
}

// DeletePhrasing implements kb.Store.
func (s *KBStore) DeletePhrasing(ctx context.Context, id string) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM kb_phrasings WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return frontline.Errorf(frontline.ENotFound, "phrasing %s not found", id)
		}
		return nil
	})
}

// FindPhrasings implements kb.Store.
func (s *KBStore) FindPhrasings(ctx context.Context, articleID string) ([]*kb.Phrasing, error) {
	var out []*kb.Phrasing
	err := s.read(ctx, func(tx kbConn) error {
		rows, err := tx.Query(ctx, `SELECT `+phrasingColumns+` FROM kb_phrasings WHERE article_id = $1 ORDER BY seq`, articleID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*kb.Phrasing, error) { return scanPhrasing(r) })
		return err
	})
	return out, err
}

// FindPhrasingByID implements kb.Store.
func (s *KBStore) FindPhrasingByID(ctx context.Context, id string) (*kb.Phrasing, error) {
	var p *kb.Phrasing
	err := s.read(ctx, func(tx kbConn) error {
		var err error
		p, err = scanPhrasing(tx.QueryRow(ctx, `SELECT `+phrasingColumns+` FROM kb_phrasings WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return frontline.Errorf(frontline.ENotFound, "phrasing %s not found", id)
		}
		return err
	})
	return p, err
}

// SaveIndexState implements kb.Store.
func (s *KBStore) SaveIndexState(ctx context.Context, name string, data []byte) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO kb_index_state (name, data, updated_at) VALUES ($1, $2, now())
			ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = now()`, name, data)
		return err
	})
}

// LoadIndexState implements kb.Store.
func (s *KBStore) LoadIndexState(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := s.read(ctx, func(tx kbConn) error {
		err := tx.QueryRow(ctx, `SELECT data FROM kb_index_state WHERE name = $1`, name).Scan(&data)
		if errors.Is(err, pgx.ErrNoRows) {
			return frontline.Errorf(frontline.ENotFound, "index state %q not found", name)
		}
		return err
	})
	return data, err
}

// RecordQuestion implements kb.Store.
func (s *KBStore) RecordQuestion(ctx context.Context, q *kb.QuestionRecord) error {
	return s.exec(ctx, `INSERT INTO kb_questions (id, conversation_id, text, abstained, article_ids, handoff_signals, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, q.ID, q.ConversationID, q.Text, q.Abstained, nonNil(q.ArticleIDs), nonNil(q.HandoffSignals), q.CreatedAt)
}

// RecordVote implements kb.Store.
func (s *KBStore) RecordVote(ctx context.Context, v *kb.Vote) error {
	err := s.exec(ctx, `INSERT INTO kb_votes (article_id, helpful, created_at) VALUES ($1, $2, $3)`, v.ArticleID, v.Helpful, v.CreatedAt)
	if isForeignKeyViolation(err) {
		return frontline.Errorf(frontline.ENotFound, "article %s not found", v.ArticleID)
	}
	return err
}

// RecordHandoff implements kb.Store.
func (s *KBStore) RecordHandoff(ctx context.Context, conversationID string, t time.Time) error {
	return s.exec(ctx, `INSERT INTO kb_handoffs (conversation_id, at) VALUES ($1, $2)`, conversationID, t)
}

// FindQuestions implements kb.Store.
func (s *KBStore) FindQuestions(ctx context.Context, f kb.QuestionFilter) ([]*kb.QuestionRecord, error) {
	limit := any(nil)
	if f.Limit > 0 {
		limit = f.Limit
	}
	since := any(nil)
	if !f.Since.IsZero() {
		since = f.Since
	}
	var out []*kb.QuestionRecord
	err := s.read(ctx, func(tx kbConn) error {
		rows, err := tx.Query(ctx, `SELECT q.id, q.conversation_id, q.text, q.abstained, q.article_ids, q.resolved_article_id, q.created_at,
				EXISTS (SELECT 1 FROM kb_handoffs h WHERE h.conversation_id = q.conversation_id AND h.at >= q.created_at) AS handed_off,
				q.handoff_signals
			FROM kb_questions q
			WHERE ($1::timestamptz IS NULL OR q.created_at >= $1)
			  AND (NOT $2 OR (q.resolved_article_id = '' AND cardinality(q.handoff_signals) = 0 AND (q.abstained OR
			       EXISTS (SELECT 1 FROM kb_handoffs h WHERE h.conversation_id = q.conversation_id AND h.at >= q.created_at))))
			  AND (NOT $4 OR cardinality(q.handoff_signals) > 0)
			ORDER BY q.created_at DESC, q.seq DESC LIMIT $3`, since, f.Unanswered, limit, f.HandedOffForSignal)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*kb.QuestionRecord, error) {
			var q kb.QuestionRecord
			err := r.Scan(&q.ID, &q.ConversationID, &q.Text, &q.Abstained, &q.ArticleIDs, &q.ResolvedArticleID, &q.CreatedAt, &q.HandedOff, &q.HandoffSignals)
			q.CreatedAt = q.CreatedAt.UTC()
			if len(q.ArticleIDs) == 0 {
				q.ArticleIDs = nil
			}
			if len(q.HandoffSignals) == 0 {
				q.HandoffSignals = nil
			}
			return &q, err
		})
		return err
	})
	return out, err
}

// ResolveQuestions implements kb.Store.
func (s *KBStore) ResolveQuestions(ctx context.Context, ids []string, articleID string) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE kb_questions SET resolved_article_id = $2 WHERE id = ANY($1)`, ids, articleID)
		if err != nil {
			return err
		}
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		if int(tag.RowsAffected()) != len(want) {
			return frontline.Errorf(frontline.ENotFound, "%d of %d questions not found", len(want)-int(tag.RowsAffected()), len(want))
		}
		return nil
	})
}

// ArticleStats implements kb.Store.
func (s *KBStore) ArticleStats(ctx context.Context) ([]kb.ArticleStat, error) {
	var out []kb.ArticleStat
	err := s.read(ctx, func(tx kbConn) error {
		rows, err := tx.Query(ctx, `WITH cited AS (
				SELECT DISTINCT q.id, unnest(q.article_ids) AS article_id,
				       EXISTS (SELECT 1 FROM kb_handoffs h WHERE h.conversation_id = q.conversation_id AND h.at >= q.created_at) AS handed_off
				FROM kb_questions q),
			use AS (
				SELECT article_id, count(*)::int AS cited, (count(*) FILTER (WHERE handed_off))::int AS handed_off
				FROM cited GROUP BY article_id),
			votes AS (
				SELECT article_id, (count(*) FILTER (WHERE helpful))::int AS helpful, (count(*) FILTER (WHERE NOT helpful))::int AS not_helpful
				FROM kb_votes GROUP BY article_id)
			SELECT a.id, a.slug, a.title, coalesce(u.cited, 0), coalesce(u.handed_off, 0), coalesce(v.helpful, 0), coalesce(v.not_helpful, 0)
			FROM kb_articles a
			LEFT JOIN use u ON u.article_id = a.id
			LEFT JOIN votes v ON v.article_id = a.id
			WHERE u.article_id IS NOT NULL OR v.article_id IS NOT NULL
			ORDER BY coalesce(u.cited, 0) DESC, a.slug`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (kb.ArticleStat, error) {
			var st kb.ArticleStat
			err := r.Scan(&st.ArticleID, &st.Slug, &st.Title, &st.Cited, &st.HandedOffAfter, &st.Helpful, &st.NotHelpful)
			return st, err
		})
		return err
	})
	return out, err
}

const candidateColumns = `id, article_id, text, text_key, source, locale, count, state, phrasing_id, created_at, updated_at`

func scanCandidate(row pgx.Row) (*kb.Candidate, error) {
	var c kb.Candidate
	if err := row.Scan(&c.ID, &c.ArticleID, &c.Text, &c.TextKey, &c.Source, &c.Locale, &c.Count, &c.State, &c.PhrasingID, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// ProposeCandidate implements kb.Store: one statement, so concurrent
// proposals of the same question count on one row.
func (s *KBStore) ProposeCandidate(ctx context.Context, c *kb.Candidate) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		got, err := scanCandidate(tx.QueryRow(ctx, `INSERT INTO kb_candidates (`+candidateColumns+`)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 WHERE EXISTS (SELECT 1 FROM kb_articles WHERE id = $2)
			ON CONFLICT (article_id, text_key) DO UPDATE SET count = kb_candidates.count + 1, updated_at = excluded.updated_at
			RETURNING `+candidateColumns,
			c.ID, c.ArticleID, c.Text, c.TextKey, string(c.Source), c.Locale, c.Count, string(c.State), c.PhrasingID, c.CreatedAt, c.UpdatedAt))
		if errors.Is(err, pgx.ErrNoRows) {
			return frontline.Errorf(frontline.ENotFound, "article %s not found", c.ArticleID)
		}
		if err != nil {
			return fmt.Errorf("propose candidate: %w", err)
		}
		*c = *got
		return nil
	})
}

// FindCandidates implements kb.Store.
func (s *KBStore) FindCandidates(ctx context.Context, f kb.CandidateFilter) ([]*kb.Candidate, error) {
	var out []*kb.Candidate
	limit := any(nil)
	if f.Limit > 0 {
		limit = f.Limit
	}
	err := s.read(ctx, func(tx kbConn) error {
		rows, err := tx.Query(ctx, `SELECT `+candidateColumns+` FROM kb_candidates
			WHERE ($1 = '' OR state = $1) AND ($2 = '' OR article_id = $2)
			ORDER BY count DESC, created_at DESC, id DESC LIMIT $3`, string(f.State), f.ArticleID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*kb.Candidate, error) { return scanCandidate(r) })
		return err
	})
	return out, err
}

// FindCandidateByID implements kb.Store.
func (s *KBStore) FindCandidateByID(ctx context.Context, id string) (*kb.Candidate, error) {
	var c *kb.Candidate
	err := s.read(ctx, func(tx kbConn) error {
		var err error
		c, err = scanCandidate(tx.QueryRow(ctx, `SELECT `+candidateColumns+` FROM kb_candidates WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return frontline.Errorf(frontline.ENotFound, "candidate %s not found", id)
		}
		return err
	})
	return c, err
}

// SetCandidateState implements kb.Store.
func (s *KBStore) SetCandidateState(ctx context.Context, id string, state kb.CandidateState, phrasingID string, at time.Time) error {
	return s.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE kb_candidates SET state = $2, phrasing_id = $3, updated_at = $4 WHERE id = $1`, id, string(state), phrasingID, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return frontline.Errorf(frontline.ENotFound, "candidate %s not found", id)
		}
		return nil
	})
}
