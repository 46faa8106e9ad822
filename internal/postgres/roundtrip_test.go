package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// roundTrips counts what a store sends PostgreSQL: round trips (a
// statement on its own, or a batch) and statements. Benchmarks report
// them per operation: unlike time, they do not depend on the machine's
// load, so they guard a cut in statements where a timing would be noise.
type roundTrips struct {
	trips, statements atomic.Int64
}

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.trips.Add(1)
	r.statements.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.trips.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	r.statements.Add(1)
}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// report adds round-trips/op and statements/op since the counts were
// taken at trips0, statements0.
func (r *roundTrips) report(b *testing.B, trips0, statements0 int64) {
	b.ReportMetric(float64(r.trips.Load()-trips0)/float64(b.N), "round-trips/op")
	b.ReportMetric(float64(r.statements.Load()-statements0)/float64(b.N), "statements/op")
}

func (r *roundTrips) now() (int64, int64) { return r.trips.Load(), r.statements.Load() }

// newCountedDB is a migrated test schema opened through a roundTrips.
func newCountedDB(tb testing.TB) (*postgres.DB, *roundTrips) {
	tb.Helper()
	first, schema := pgtest.NewUnmigratedDB(tb)
	if _, err := first.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	counter := &roundTrips{}
	db, err := postgres.Open(context.Background(), postgres.Options{URL: pgtest.URL(), Schema: schema, MaxConns: 16, Tracer: counter})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(db.Close)
	return db, counter
}
