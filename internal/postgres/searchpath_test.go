package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// TestOpenSchemaFromSearchPath: a URL's search_path says where the tables
// are, so River's jobs and the bus follow it (two deployments in two
// schemas of one database once shared public.river_job: one's SLA
// timers were fired, to no effect, by the other).
func TestOpenSchemaFromSearchPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ searchPath, want string }{
		{"", "public"},
		{"tenant_a,public", "tenant_a"},
		{"tenant_b", "tenant_b"},
		{"%22%24user%22,public", "public"},
	} {
		url := pgtest.URL()
		if c.searchPath != "" {
			sep := "?"
			if strings.Contains(url, "?") {
				sep = "&"
			}
			url += sep + "search_path=" + c.searchPath
		}
		db, err := postgres.Open(context.Background(), postgres.Options{URL: url})
		if err != nil {
			t.Fatal(err)
		}
		if got := db.Schema(); got != c.want {
			t.Errorf("search_path %q: schema %q, want %q", c.searchPath, got, c.want)
		}
		db.Close()
	}
}
