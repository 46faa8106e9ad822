// Package pgtest gives tests their own migrated schema on the real
// PostgreSQL. It never skips: when the database is unreachable or pgvector
// is missing, the test fails and says how to fix it.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline/internal/postgres"
)

// DefaultURL is the local test database; $DATABASE_URL overrides it.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL returns the database URL tests use.
func URL() string {
	if u := os.Getenv("FRONTLINE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

var (
	checkOnce sync.Once
	checkErr  error
)

// check runs once per test binary: the server answers and pgvector is
// installed (creating the extension here, once, avoids parallel tests racing
// on CREATE EXTENSION).
func check() error {
	checkOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, URL())
		if err != nil {
			checkErr = fmt.Errorf("PostgreSQL is not reachable at %s: %w\n"+
				"Start it with `make test` (it starts the local cluster), or set DATABASE_URL", redact(URL()), err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7170501); CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public; SELECT pg_advisory_unlock(7170501)"); err != nil {
			checkErr = fmt.Errorf("pgvector is not usable in %s: %w\n"+
				"Install it with `bash .ci/install-pgvector.sh` (make test does this)", redact(URL()), err)
		}
	})
	return checkErr
}

func redact(u string) string {
	if i := strings.Index(u, "@"); i >= 0 {
		if j := strings.Index(u, "://"); j >= 0 && j < i {
			user := u[j+3 : i]
			if k := strings.IndexByte(user, ':'); k >= 0 {
				return u[:j+3] + user[:k] + ":***" + u[i:]
			}
		}
	}
	return u
}

var schemaSeq struct {
	sync.Mutex
	n int
}

// NewDB returns a store on a schema of the test's own, migrated to the
// latest version and dropped when the test ends. Several connections and
// LISTEN/NOTIFY work in it, unlike in a rolled-back transaction.
func NewDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, _ := NewUnmigratedDB(tb)
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("pgtest: migrate: %v", err)
	}
	return db
}

// NewUnmigratedDB is NewDB without migrations, for tests of migrating itself.
// It also returns the schema name, to open more stores on the same schema.
func NewUnmigratedDB(tb testing.TB) (*postgres.DB, string) {
	tb.Helper()
	if err := check(); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	schemaSeq.Lock()
	schemaSeq.n++
	schema := fmt.Sprintf("t%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.n)
	schemaSeq.Unlock()
	db := OpenSchema(tb, schema)
	tb.Cleanup(func() {
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, URL())
		if err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return db, schema
}

// OpenSchema opens another store on an existing test schema: a second
// "node" sharing the first one's database. Closed at cleanup.
func OpenSchema(tb testing.TB, schema string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), postgres.Options{URL: URL(), Schema: schema, MaxConns: 16})
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(db.Close)
	return db
}
