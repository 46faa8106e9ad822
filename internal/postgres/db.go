// Package postgres implements Frontline's storage interfaces on PostgreSQL
// with pgvector, through one pgx pool. All SQL and the migrations live here.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/frontlinehq/frontline"
)

// Options configure Open.
type Options struct {
	// URL is a PostgreSQL connection string (DATABASE_URL).
	URL string
	// Schema, when set, puts every table in that schema (created if
	// missing) instead of public; tests use one schema each.
	Schema string
	// MaxConns bounds the pool; 0 takes the URL's pool_max_conns, or else
	// DefaultMaxConns.
	MaxConns int32
	Logger   *slog.Logger
	// Tracer, when set, sees every statement (diagnostics and tests).
	Tracer pgx.QueryTracer
}

// DefaultMaxConns is the pool size unless configured: pgxpool's own default
// (4 on a 2-CPU machine) makes acknowledgements queue behind the bot, whose
// workers (4 per CPU) each use two connections at once while searching.
func DefaultMaxConns() int32 { return int32(8*runtime.GOMAXPROCS(0) + 8) }

// DB is the PostgreSQL store: the conversation log and, in sibling files,
// the stores of kb and handoff. It is safe for concurrent use.
type DB struct {
	pool    *pgxpool.Pool
	schema  string
	channel string // NOTIFY channel, one per schema
	logger  *slog.Logger
	notify  *notifier
	recent  *recentMessages
	owed    chan struct{} // see Owed
	// answered are the obligations this node's replies ended (see
	// DropObligation).
	answered answeredSet
}

var _ frontline.Log = (*DB)(nil)

// Open connects and pings. It does not migrate: call Migrate, or
// CheckSchema before serving.
func Open(ctx context.Context, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse database url: %w", err) // pgx redacts the password
	}
	schema := opts.Schema
	if schema == "" {
		schema = schemaOfSearchPath(cfg.ConnConfig.RuntimeParams["search_path"])
	}
	if !validIdentifier(schema) {
		return nil, fmt.Errorf("postgres: invalid schema name %q", schema)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	}
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = opts.MaxConns
	case !strings.Contains(opts.URL, "pool_max_conns"):
		cfg.MaxConns = DefaultMaxConns()
	}
	if opts.Tracer != nil {
		cfg.ConnConfig.Tracer = opts.Tracer
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	db := &DB{pool: pool, schema: schema, channel: notifyChannel(schema), logger: logger, recent: newRecentMessages(), owed: make(chan struct{}, 1)}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: cannot reach %s: %w", describeTarget(cfg.ConnConfig), err)
	}
	if opts.Schema != "" {
		if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres: create schema %s: %w", schema, err)
		}
	}
	db.notify = newNotifier(db)
	return db, nil
}

// Pool returns the pool for sibling stores in this package's callers' tests
// and benchmarks.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Schema is the schema the tables live in.
func (db *DB) Schema() string { return db.schema }

// Close sends the pending bus wake-ups and closes the pool.
func (db *DB) Close() {
	db.notify.close()
	db.pool.Close()
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// schemaOfSearchPath is where unqualified tables go with this search_path
// (a URL's search_path parameter): its first schema, or public. River's
// jobs and the NOTIFY channel follow it, so two deployments in two
// schemas of one database neither share SLA timers nor wake each other.
func schemaOfSearchPath(sp string) string {
	first, _, _ := strings.Cut(sp, ",")
	first = strings.TrimSpace(first)
	if !validIdentifier(first) {
		return "public" // empty, "$user" or quoted: the default
	}
	return first
}

func notifyChannel(schema string) string {
	if schema == "public" {
		return "frontline"
	}
	return "frontline_" + schema
}

func validIdentifier(s string) bool {
	if s == "" || len(s) > 50 {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// describeTarget names host, port and database without the password.
func describeTarget(c *pgx.ConnConfig) string {
	return fmt.Sprintf("PostgreSQL at %s:%d (database %q, user %q)", c.Host, c.Port, c.Database, c.User)
}

// withTx runs fn in a transaction and commits it, rolling back on error.
func (db *DB) withTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique constraint violation,
// optionally of the named constraint.
func IsUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}
