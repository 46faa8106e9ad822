package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := pgtest.NewUnmigratedDB(t)

	var schemaErr *postgres.SchemaError
	if err := db.CheckSchema(ctx); !errors.As(err, &schemaErr) || schemaErr.Database != 0 {
		t.Fatalf("CheckSchema on an empty schema = %v, want a SchemaError at version 0", err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[len(applied)-1] != postgres.LatestVersion() {
		t.Fatalf("applied %v, want up to %d", applied, postgres.LatestVersion())
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after migrating: %v", err)
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v, %v; want nothing", again, err)
	}

	// A database migrated by a newer binary is refused, by serve and migrate.
	if _, err := db.Pool().Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future')", postgres.LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); !errors.As(err, &schemaErr) || schemaErr.Database <= schemaErr.Binary {
		t.Fatalf("CheckSchema on a newer schema = %v, want a SchemaError saying it is newer", err)
	}
	if _, err := db.Migrate(ctx); !errors.As(err, &schemaErr) {
		t.Fatalf("Migrate on a newer schema = %v, want a SchemaError", err)
	}
}

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	t.Parallel()
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if i > 0 && m.Version <= ms[i-1].Version {
			t.Fatalf("migration %d (%s) is out of order", m.Version, m.Name)
		}
		if m.SQL == "" {
			t.Fatalf("migration %d is empty", m.Version)
		}
	}
}
