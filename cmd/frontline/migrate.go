package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/frontlinehq/frontline/internal/postgres"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL connection string (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
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
