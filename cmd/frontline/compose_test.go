package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// There is no Docker engine where the tests run, so compose.yaml is checked
// for what would break `docker compose up`: services, images, ports, wiring.
func TestComposeFile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image string `yaml:"image"`
			Build struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile_inline"`
			} `yaml:"build"`
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Volumes     []string          `yaml:"volumes"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("compose.yaml does not parse: %v", err)
	}
	pg, ok := f.Services["postgres"]
	if !ok {
		t.Fatal("no postgres service")
	}
	if !strings.HasPrefix(pg.Image, "pgvector/pgvector:") || !strings.Contains(pg.Image, "pg15") {
		t.Errorf("postgres image = %q, want pgvector/pgvector on PostgreSQL 15", pg.Image)
	}
	if len(pg.Healthcheck.Test) == 0 || !strings.Contains(strings.Join(pg.Healthcheck.Test, " "), "pg_isready") {
		t.Errorf("postgres healthcheck = %v, want pg_isready", pg.Healthcheck.Test)
	}
	if len(pg.Volumes) == 0 || !strings.HasPrefix(pg.Volumes[0], "pgdata:") {
		t.Errorf("postgres volumes = %v, want the pgdata volume", pg.Volumes)
	}
	if _, ok := f.Volumes["pgdata"]; !ok {
		t.Error("volume pgdata is not declared")
	}

	app, ok := f.Services["frontline"]
	if !ok {
		t.Fatal("no frontline service")
	}
	if app.Build.Context != "." || !strings.Contains(app.Build.Dockerfile, "go build") || !strings.Contains(app.Build.Dockerfile, "./cmd/frontline") {
		t.Errorf("frontline build = %+v, want the binary built from this repository", app.Build)
	}
	if !strings.Contains(app.Build.Dockerfile, "golang:1.26") {
		t.Error("frontline is built with a Go other than the go.mod's 1.26")
	}
	url := app.Environment["DATABASE_URL"]
	if !strings.Contains(url, "@postgres:5432/") {
		t.Errorf("DATABASE_URL = %q, want the postgres service", url)
	}
	if app.Environment["FRONTLINE_ADDR"] != "0.0.0.0:8080" || len(app.Ports) == 0 || app.Ports[0] != "8080:8080" {
		t.Errorf("frontline listens on %q and publishes %v, want 0.0.0.0:8080 published as 8080", app.Environment["FRONTLINE_ADDR"], app.Ports)
	}
	if app.DependsOn["postgres"].Condition != "service_healthy" {
		t.Error("frontline must wait for a healthy postgres")
	}
	known := map[string]bool{}
	for _, o := range options {
		known[o.Env] = true
	}
	for k := range app.Environment {
		if !known[k] {
			t.Errorf("compose sets %s, which frontline does not read", k)
		}
	}
}
