package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/frontlinehq/frontline/internal/postgres"
)

const migrateUsage = `Usage: frontline migrate [--database-url URL]

Brings the PostgreSQL database in DATABASE_URL up to this version's schema
(creating the vector extension the first time, which needs a role allowed to
create it). Running it again does nothing.
`

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", migrateUsage)
	url := databaseURLFlag(fs, getenv)
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: migrate takes no arguments", errUsage)
	}
	if *url == "" {
		return errors.New("migrate: set DATABASE_URL (or --database-url) to the PostgreSQL database to migrate")
	}
	db, err := postgres.Open(ctx, postgres.Options{URL: *url})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "database schema is up to date (version %d)\n", postgres.LatestVersion())
		return nil
	}
	fmt.Fprintf(stdout, "applied migrations %v; schema is at version %d\n", applied, postgres.LatestVersion())
	return nil
}
