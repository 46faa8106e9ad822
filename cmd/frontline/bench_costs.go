package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/widget"
)

// benchCosts is what one message cost during the load (--costs): the
// server's CPU and wake-ups, PostgreSQL's statements, commits and CPU, and
// the bench's own CPU, each divided by the messages acknowledged. The
// replies to them are included (the drain is inside the window).
type benchCosts struct {
	Messages        int64            `json:"messages"`
	ServerCPUMs     float64          `json:"server_cpu_ms"`
	ServerWakeups   float64          `json:"server_wakeups"`
	PostgresCPUMs   float64          `json:"postgres_cpu_ms"`
	BenchCPUMs      float64          `json:"bench_cpu_ms"`
	Statements      float64          `json:"statements"`
	Commits         float64          `json:"commits"`
	StatementExecMs float64          `json:"statement_exec_ms"`
	TopStatements   []benchStatement `json:"top_statements"`
}

type benchStatement struct {
	Calls  float64 `json:"calls"`
	ExecMs float64 `json:"exec_ms"`
	Query  string  `json:"query"`
}

// costMeter takes the readings before and after the load.
type costMeter struct {
	stats  *postgres.StatementStats
	server func(context.Context) (widget.Stats, error)
	dbName string // whose backends count, with the server's own processes

	pg      postgres.StatementSnapshot
	srv     widget.Stats
	pgCPU   float64 // seconds, every postgres process on this machine
	selfCPU float64
}

func newCostMeter(ctx context.Context, dbURL string, server func(context.Context) (widget.Stats, error)) (*costMeter, error) {
	st, err := postgres.NewStatementStats(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("bench: --costs: %w", err)
	}
	return &costMeter{stats: st, server: server, dbName: st.Database()}, nil
}

func (m *costMeter) Close(ctx context.Context) { m.stats.Close(ctx) }

func (m *costMeter) start(ctx context.Context) error {
	var err error
	if m.srv, err = m.server(ctx); err != nil {
		return fmt.Errorf("bench: --costs needs the server's stats: %w", err)
	}
	if m.pg, err = m.stats.Snapshot(ctx); err != nil {
		return err
	}
	m.pgCPU, m.selfCPU = postgresCPUSeconds(m.dbName), selfCPUSeconds()
	return nil
}

// stop reads again and divides by messages; probeCommits are the
// baseline probe's own commits, taken out of the count.
func (m *costMeter) stop(ctx context.Context, messages, probeCommits int64) (*benchCosts, error) {
	srv, err := m.server(ctx)
	if err != nil {
		return nil, err
	}
	pg, err := m.stats.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	pgCPU, selfCPU := postgresCPUSeconds(m.dbName), selfCPUSeconds()
	if messages <= 0 {
		return nil, fmt.Errorf("bench: --costs: no message acknowledged")
	}
	n := float64(messages)
	commits, stmts := pg.Since(m.pg)
	c := &benchCosts{
		Messages:      messages,
		ServerCPUMs:   1000 * (srv.CPUUserSeconds + srv.CPUSysSeconds - m.srv.CPUUserSeconds - m.srv.CPUSysSeconds) / n,
		ServerWakeups: float64(srv.Wakeups-m.srv.Wakeups) / n,
		PostgresCPUMs: 1000 * (pgCPU - m.pgCPU) / n,
		BenchCPUMs:    1000 * (selfCPU - m.selfCPU) / n,
		Commits:       float64(commits-probeCommits) / n,
	}
	for i, s := range stmts {
		c.Statements += float64(s.Calls) / n
		c.StatementExecMs += s.ExecMs / n
		if i < 15 {
			c.TopStatements = append(c.TopStatements, benchStatement{Calls: float64(s.Calls) / n, ExecMs: s.ExecMs / n, Query: s.Query})
		}
	}
	return c, nil
}

func printCosts(w io.Writer, c *benchCosts) {
	fmt.Fprintf(w, "cost per message   (over %d messages acknowledged in the load, their replies included)\n", c.Messages)
	fmt.Fprintf(w, "  server           %.3f ms CPU, %.1f wake-ups (voluntary context switches)\n", c.ServerCPUMs, c.ServerWakeups)
	fmt.Fprintf(w, "  postgres         %.3f ms CPU (this database's backends and the server's own processes), %.2f statements, %.2f commits, %.3f ms executing\n",
		c.PostgresCPUMs, c.Statements, c.Commits, c.StatementExecMs)
	fmt.Fprintf(w, "  bench            %.3f ms CPU (the customers' side)\n", c.BenchCPUMs)
	fmt.Fprintf(w, "  statements       calls/msg   ms/msg  query\n")
	for _, s := range c.TopStatements {
		fmt.Fprintf(w, "                   %9.3f %8.3f  %s\n", s.Calls, s.ExecMs, s.Query)
	}
}

func selfCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// postgresCPUSeconds sums the CPU time of the PostgreSQL processes on this
// machine that work for database db: its client backends and the server's
// own (postmaster, WAL writer, checkpointer, ...), not other databases'
// backends (Linux /proc; 0 elsewhere). A backend that exits between two
// readings takes its time with it, so keep the pool's connections (the
// server's) open across them.
func postgresCPUSeconds(db string) float64 {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		cmdline, _ := os.ReadFile(strings.TrimSuffix(p, "stat") + "cmdline")
		if !postgresProcessServes(string(cmdline), db) {
			continue
		}
		// After the name: state is field 3; utime and stime are 14 and 15.
		f := strings.Fields(s[end+1:])
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return float64(ticks) / 100 // USER_HZ is 100 on Linux
}

// postgresProcessServes reads a PostgreSQL process's title (its cmdline:
// "postgres: [cluster: ]user database host(port) state" for a client
// backend, "postgres: [cluster: ]walwriter" and the like for the server's
// own) and reports whether its work is db's: a backend of db, or a
// process of the whole server.
func postgresProcessServes(cmdline, db string) bool {
	title, ok := strings.CutPrefix(strings.TrimRight(cmdline, "\x00"), "postgres: ")
	if !ok {
		return true // the postmaster
	}
	f := strings.Fields(title)
	if len(f) > 0 && strings.HasSuffix(f[0], ":") {
		f = f[1:] // the cluster name
	}
	if len(f) >= 3 && (strings.Contains(f[2], "(") || f[2] == "[local]") {
		return f[1] == db
	}
	return true
}
