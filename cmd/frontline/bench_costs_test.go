package main

import "testing"

// Which PostgreSQL processes' CPU the bench counts for its database.
func TestPostgresProcessServes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, cmdline string
		want          bool
	}{
		{"the postmaster", "/usr/lib/postgresql/15/bin/postgres\x00-D\x00/var/lib/postgresql/15/main\x00", true},
		{"a backend of the database", "postgres: 15/main: postgres bench 127.0.0.1(56124) idle\x00\x00", true},
		{"a backend of another database", "postgres: 15/main: postgres test 127.0.0.1(55078) INSERT", false},
		{"a backend without a cluster name", "postgres: frontline bench 10.0.0.7(4242) SELECT", true},
		{"a local socket backend of another database", "postgres: postgres test [local] idle", false},
		{"the WAL writer", "postgres: 15/main: walwriter ", true},
		{"the checkpointer", "postgres: checkpointer", true},
		{"a database whose name is a prefix", "postgres: 15/main: postgres benchmarks 127.0.0.1(1) idle", false},
	} {
		if got := postgresProcessServes(tc.cmdline, "bench"); got != tc.want {
			t.Errorf("%s: %q serves bench = %v, want %v", tc.name, tc.cmdline, got, tc.want)
		}
	}
}
