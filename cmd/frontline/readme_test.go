package main

import (
	"os"
	"strings"
	"testing"
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
