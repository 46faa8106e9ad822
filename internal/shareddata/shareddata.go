// Package shareddata finds the team's labelled evaluation sets (banking77,
// CLINC150, the escalation set), which live beside the repository in
// ../shared/data, never inside it. Tests that need them fail, never skip,
// when they cannot be found.
package shareddata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvVar overrides where the data sets are.
const EnvVar = "FRONTLINE_SHARED_DATA"

// fallback is where the sets live on the team's machines.
const fallback = "/work/shared/data"

// Dir returns the shared data directory: $FRONTLINE_SHARED_DATA, else the
// first shared/data found beside the repository or any folder above it
// (so a clone anywhere under the team's workspace finds it), else the
// team's standard place. It returns "" when none exists.
func Dir() string {
	if d := os.Getenv(EnvVar); d != "" {
		return d
	}
	_, file, _, ok := runtime.Caller(0)
	if ok {
		// file is <repo>/internal/shareddata/shareddata.go.
		for dir := filepath.Dir(filepath.Dir(filepath.Dir(file))); ; dir = filepath.Dir(dir) {
			if st, err := os.Stat(filepath.Join(dir, "..", "shared", "data")); err == nil && st.IsDir() {
				return filepath.Clean(filepath.Join(dir, "..", "shared", "data"))
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
	}
	if st, err := os.Stat(fallback); err == nil && st.IsDir() {
		return fallback
	}
	return ""
}

// Path returns the path of rel (such as "escalation/dev.jsonl") in the
// shared data, failing the test with the places searched when it is missing.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	dir := Dir()
	if dir == "" {
		tb.Fatalf("shared evaluation data not found: set %s, or keep the repository beside shared/ (../shared/data) or use %s", EnvVar, fallback)
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared evaluation data: %v (set %s to the data directory)", err, EnvVar)
	}
	return p
}
