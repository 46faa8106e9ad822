package strictyaml_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/internal/strictyaml"
)

type settings struct {
	Name  string `yaml:"name"`
	Count int    `yaml:"count"`
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s := settings{Name: "default", Count: 1}
	if err := strictyaml.ReadFile(write("ok.yaml", "count: 3\n"), &s); err != nil || s != (settings{"default", 3}) {
		t.Errorf("ReadFile = %+v, %v; want the default name kept and count 3", s, err)
	}
	if err := strictyaml.ReadFile(write("empty.yaml", "\n"), &s); err != nil || s != (settings{"default", 3}) {
		t.Errorf("empty file: %+v, %v; want nothing changed", s, err)
	}
	err := strictyaml.ReadFile(write("typo.yaml", "cuont: 3\n"), &s)
	if err == nil || !strings.Contains(err.Error(), "typo.yaml") || !strings.Contains(err.Error(), "cuont") {
		t.Errorf("unknown key: %v; want an error naming the file and the key", err)
	}
	if err := strictyaml.ReadFile(filepath.Join(dir, "missing.yaml"), &s); !os.IsNotExist(err) {
		t.Errorf("missing file: %v; want not-exist", err)
	}
}
