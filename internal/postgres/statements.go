package postgres

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// StatementStats reads what PostgreSQL spent on one database
// (pg_stat_statements, and pg_stat_database's commits), so `frontline
// bench --costs` can attribute statements and their time to each message.
// It uses a connection of its own; its own statements and the bench's
// commit probe are left out of the figures.
type StatementStats struct {
	conn *pgx.Conn
	db   string
}

// Statement is one normalised statement's totals.
type Statement struct {
	Query  string  // whitespace-collapsed, at most 160 characters
	Calls  int64   // executions
	Rows   int64   // rows returned or affected
	ExecMs float64 // time executing (wall clock, the server's)
}

// StatementSnapshot is the database's totals at one moment.
type StatementSnapshot struct {
	Commits    int64 // transactions committed (pg_stat_database.xact_commit)
	Statements map[string]Statement
}

// NewStatementStats connects to url and makes sure pg_stat_statements is
// there (it must be in shared_preload_libraries; creating the extension
// needs the right to).
func NewStatementStats(ctx context.Context, url string) (*StatementStats, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("statement stats: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("statement stats: %w (pg_stat_statements must be in shared_preload_libraries: see .ci/test-deps.sh)", err)
	}
	s := &StatementStats{conn: conn}
	if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&s.db); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("statement stats: %w", err)
	}
	return s, nil
}

// Database is the name of the database measured.
func (s *StatementStats) Database() string { return s.db }

// Close closes the connection.
func (s *StatementStats) Close(ctx context.Context) error { return s.conn.Close(ctx) }

var spaces = regexp.MustCompile(`\s+`)

// Snapshot reads the current totals. pg_stat_statements's figures are
// cumulative (never reset here: other users of the server may rely on
// them), so callers subtract two snapshots.
func (s *StatementStats) Snapshot(ctx context.Context) (StatementSnapshot, error) {
	snap := StatementSnapshot{Statements: map[string]Statement{}}
	if err := s.conn.QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&snap.Commits); err != nil {
		return snap, fmt.Errorf("statement stats: %w", err)
	}
	rows, err := s.conn.Query(ctx, `SELECT s.queryid::text, s.query, s.calls, s.rows, s.total_exec_time
		FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
		WHERE d.datname = current_database() AND s.query NOT LIKE '%frontline_commit_probe%'
		  AND s.query NOT LIKE '%pg_stat_statements%' AND s.query NOT LIKE '%pg_stat_database%'`)
	if err != nil {
		return snap, fmt.Errorf("statement stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, q string
		var st Statement
		if err := rows.Scan(&id, &q, &st.Calls, &st.Rows, &st.ExecMs); err != nil {
			return snap, fmt.Errorf("statement stats: %w", err)
		}
		q = strings.TrimSpace(spaces.ReplaceAllString(q, " "))
		if len(q) > 160 {
			q = q[:160]
		}
		st.Query = q
		// One queryid per user and top-level flag: add them up.
		prev := snap.Statements[id]
		st.Calls += prev.Calls
		st.Rows += prev.Rows
		st.ExecMs += prev.ExecMs
		snap.Statements[id] = st
	}
	if err := rows.Err(); err != nil {
		return snap, fmt.Errorf("statement stats: %w", err)
	}
	return snap, nil
}

// Since returns what was spent between before and s, most time first.
func (s StatementSnapshot) Since(before StatementSnapshot) (commits int64, stmts []Statement) {
	for id, st := range s.Statements {
		b := before.Statements[id]
		d := Statement{Query: st.Query, Calls: st.Calls - b.Calls, Rows: st.Rows - b.Rows, ExecMs: st.ExecMs - b.ExecMs}
		if d.Calls > 0 {
			stmts = append(stmts, d)
		}
	}
	sortStatements(stmts)
	return s.Commits - before.Commits, stmts
}

func sortStatements(st []Statement) {
	slices.SortFunc(st, func(a, b Statement) int {
		if c := cmp.Compare(b.ExecMs, a.ExecMs); c != 0 {
			return c
		}
		return strings.Compare(a.Query, b.Query)
	})
}
