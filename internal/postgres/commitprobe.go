package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CommitProbe measures the floor under every durable append: one bare
// single-row INSERT committed on its own (with the server's fsync settings),
// on a dedicated connection and a table of its own. `frontline bench
// --baseline` reports the widget's ack latency as a ratio to it.
type CommitProbe struct {
	conn   *pgx.Conn
	schema string
}

// NewCommitProbe connects to url and creates a scratch schema holding one
// ordinary (WAL-logged, so commits are real) table; Close drops it.
func NewCommitProbe(ctx context.Context, url string) (*CommitProbe, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("commit probe: connect: %w", err)
	}
	p := &CommitProbe{conn: conn, schema: fmt.Sprintf("frontline_commit_probe_%d", time.Now().UnixNano())}
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+p.schema+"; CREATE TABLE "+p.schema+".probe (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())")
	if err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("commit probe: create scratch table: %w", err)
	}
	return p, nil
}

// Commit inserts one row in its own transaction and returns how long the
// round trip and commit took.
func (p *CommitProbe) Commit(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	if _, err := p.conn.Exec(ctx, "INSERT INTO "+p.schema+".probe (body) VALUES ($1)", "How do I return an item?"); err != nil {
		return 0, fmt.Errorf("commit probe: insert: %w", err)
	}
	return time.Since(start), nil
}

// Close drops the scratch schema and disconnects.
func (p *CommitProbe) Close(ctx context.Context) error {
	_, err := p.conn.Exec(ctx, "DROP SCHEMA "+p.schema+" CASCADE")
	if cerr := p.conn.Close(ctx); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("commit probe: close: %w", err)
	}
	return nil
}
