package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
)

// kbFixture is a migrated schema of its own and the environment that points
// `frontline kb` at it.
type kbFixture struct {
	env map[string]string
	svc *kb.Service // reads what the commands wrote
}

func setupKB(t *testing.T) *kbFixture {
	t.Helper()
	db, schema := pgtest.NewUnmigratedDB(t)
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	env := map[string]string{"DATABASE_URL": testDatabaseURL(schema)}
	svc := kb.NewService(postgres.NewKBStore(db), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	return &kbFixture{env: env, svc: svc}
}

// run runs `frontline kb args…` and returns its output.
func (f *kbFixture) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runKBWith(t.Context(), args, func(k string) string { return f.env[k] }, &stdout, &stderr)
	return stdout.String() + stderr.String(), err
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func (f *kbFixture) articleCount(t *testing.T) int {
	t.Helper()
	arts, err := f.svc.Articles(t.Context(), kb.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(arts)
}

func TestKBImportExport(t *testing.T) {
	t.Parallel()
	f := setupKB(t)
	dir := writeFiles(t, map[string]string{
		"cancel-an-order.md": "---\ntitle: Cancel an order\ntags: [orders]\n---\nCancel within one hour from Account → Orders.\n",
		"track-a-parcel.md":  "---\ntitle: Track a parcel\n---\nThe tracking link is in your shipping email.\n",
		"phrasings.csv":      "text,label\nwhere is my box,track-a-parcel\n",
	})
	out, err := f.run(t, "import", dir)
	if err != nil {
		t.Fatalf("kb import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "2 created") || !strings.Contains(out, "1 added") {
		t.Errorf("kb import output %q, want 2 created and 1 phrasing added", out)
	}
	res, err := f.svc.Search(t.Context(), kb.SearchQuery{Text: "where is my box"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Slug != "track-a-parcel" {
		t.Errorf("search after import: %+v, want track-a-parcel first", res.Hits)
	}

	out, err = f.run(t, "import-phrasings", writeFiles(t, map[string]string{"p.csv": "text,label\nstop my order,cancel-an-order\n"})+"/p.csv")
	if err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("kb import-phrasings = %v, %q; want 1 added", err, out)
	}

	exported := filepath.Join(t.TempDir(), "out")
	out, err = f.run(t, "export", exported)
	if err != nil || !strings.Contains(out, "exported 2 articles and 2 phrasings") {
		t.Fatalf("kb export = %v, %q", err, out)
	}
	arts, err := kb.ReadDir(os.DirFS(exported))
	if err != nil || len(arts) != 2 {
		t.Fatalf("ReadDir(export) = %d articles, %v; want 2", len(arts), err)
	}

	// Importing the export into the same KB changes nothing.
	out, err = f.run(t, "import", exported)
	if err != nil || !strings.Contains(out, "2 unchanged") || !strings.Contains(out, "0 added, 2 already present") {
		t.Errorf("re-import of the export = %v, %q; want nothing changed", err, out)
	}
}

func TestKBImportErrors(t *testing.T) {
	t.Parallel()
	f := setupKB(t)
	tests := []struct {
		name  string
		args  func(t *testing.T) []string
		usage bool     // a usage error (exit code 2)
		want  []string // substrings of the error
	}{
		{"no command", func(t *testing.T) []string { return nil }, true, []string{"needs a command"}},
		{"unknown command", func(t *testing.T) []string { return []string{"delete", "x"} }, true, []string{`unknown kb command "delete"`}},
		{"no folder", func(t *testing.T) []string { return []string{"import"} }, true, []string{"exactly one"}},
		{"missing folder", func(t *testing.T) []string { return []string{"import", "/no/such/folder"} }, false, []string{"/no/such/folder"}},
		{"bad article", func(t *testing.T) []string {
			return []string{"import", writeFiles(t, map[string]string{
				"good.md": "---\ntitle: Good\n---\nFine.\n",
				"bad.md":  "---\ntitle: Bad\nstate: live\n---\nNot fine.\n",
			})}
		}, false, []string{`bad.md:3: state: "live"`}},
		{"unknown slug in the folder's phrasings", func(t *testing.T) []string {
			return []string{"import", writeFiles(t, map[string]string{
				"good.md":       "---\ntitle: Good\n---\nFine.\n",
				"phrasings.csv": "text,label\nhello,good\nbye,gone\n",
			})}
		}, false, []string{`phrasings.csv:3: label: no article with slug "gone"`}},
		{"unknown slug in a phrasings file", func(t *testing.T) []string {
			return []string{"import-phrasings", writeFiles(t, map[string]string{"p.csv": "text,label\nhello,nowhere\n"}) + "/p.csv"}
		}, false, []string{`p.csv:2: label: no article with slug "nowhere"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := f.run(t, tt.args(t)...)
			if err == nil {
				t.Fatalf("kb %v = nil error, want one containing %q\n%s", tt.args(t), tt.want, out)
			}
			if got := errors.Is(err, errUsage); got != tt.usage {
				t.Errorf("usage error = %v, want %v (%v)", got, tt.usage, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// Nothing of the failed imports was kept: "good" came with bad company.
	if n := f.articleCount(t); n != 0 {
		t.Errorf("%d articles after failed imports, want 0", n)
	}
}

func TestKBImportCheck(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a.md": "---\ntitle: A\n---\nBody.\n"})
	var stdout, stderr bytes.Buffer
	// --check needs no database.
	err := runKBWith(t.Context(), []string{"import", "--check", dir}, func(string) string { return "" }, &stdout, &stderr)
	if err != nil || !strings.Contains(stdout.String(), "1 articles and 0 phrasings are valid") {
		t.Fatalf("kb import --check = %v, %q", err, stdout.String())
	}
}

func TestKBNeedsDatabase(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a.md": "---\ntitle: A\n---\nBody.\n"})
	var stdout, stderr bytes.Buffer
	err := runKBWith(t.Context(), []string{"import", dir}, func(string) string { return "" }, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("kb import without a database = %v, want an error naming DATABASE_URL", err)
	}
}
