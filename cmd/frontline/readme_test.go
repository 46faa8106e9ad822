package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/handoff"
)

// The README's configuration table is generated from the options table, so
// the documentation cannot drift from what the binary reads.
func TestREADMEConfigTable(t *testing.T) {
	const path = "../../README.md"
	const begin, end = "<!-- config-table:", "<!-- end config-table -->"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i := strings.Index(readme, begin)
	j := strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q ... %q section", begin, end)
	}
	i += strings.Index(readme[i:], "\n") + 1
	want := configTableMarkdown()
	if readme[i:j] == want {
		return
	}
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile(path, []byte(readme[:i]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's configuration table is out of date; run UPDATE_README=1 go test ./cmd/frontline -run README\nwant:\n%s", want)
}

func TestREADMECommands(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, cmd := range []string{"go run ./cmd/frontline", "make test"} {
		if !strings.Contains(readme, cmd) {
			t.Errorf("README.md does not show %q", cmd)
		}
	}
	if !strings.Contains(string(ci), "make test") {
		t.Error(".ci/run does not run the README's test command, make test")
	}
}

// TestREADMERouteTable: every route people call (routeRules, which
// TestAuthorizationMatrix keeps equal to what the server mounts) and the
// agent socket have a row in the README's URL table ("What runs where"):
// a new route without one fails here. A row names a route by its path in
// backticks, by a parent's row listing `/last-segment` (as `…/{id}` (+
// `/messages`)), or by a prefix row ending in `/…`.
func TestREADMERouteTable(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i := strings.Index(readme, "## What runs where")
	if i < 0 {
		t.Fatal(`README.md has no "## What runs where" section`)
	}
	table := readme[i+len("## What runs where"):]
	if j := strings.Index(table, "\n## "); j >= 0 {
		table = table[:j]
	}
	var rows []string
	for line := range strings.SplitSeq(table, "\n") {
		if strings.HasPrefix(line, "| `") {
			rows = append(rows, line)
		}
	}
	listed := func(path string) bool {
		for _, row := range rows {
			if strings.Contains(row, "`"+path+"`") {
				return true
			}
			parent, last := path[:strings.LastIndex(path, "/")], path[strings.LastIndex(path, "/"):]
			if parent != "" && strings.Contains(row, "`"+parent+"`") && strings.Contains(row, "`"+last+"`") {
				return true
			}
			for _, prefix := range strings.Split(row, "`") {
				if p, ok := strings.CutSuffix(prefix, "/…"); ok && strings.HasPrefix(p, "/") && strings.HasPrefix(path, p+"/") {
					return true
				}
			}
		}
		return false
	}
	paths := []string{handoff.SocketPath}
	for key := range routeRules {
		_, path, _ := strings.Cut(key, " ")
		paths = append(paths, strings.TrimSuffix(path, "{$}"))
	}
	slices.Sort(paths)
	for _, p := range slices.Compact(paths) {
		if !listed(p) && !listed(strings.TrimSuffix(p, "/")) {
			t.Errorf("README.md's URL table (What runs where) has no row for %s", p)
		}
	}
}
