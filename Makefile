# Frontline. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
PG_MAJOR ?= 15
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: help run test test-e2e test-deps vet race bench eval build clean

help: ## list targets
	@grep -E '^[a-z0-9-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: ## run the server on the in-memory store (no setup)
	$(GO) run ./cmd/frontline serve

build: ## build bin/frontline
	$(GO) build -o bin/frontline ./cmd/frontline

test-deps: ## start PostgreSQL, install pgvector and Chromium if missing, create the test database
	@bash .ci/test-deps.sh

vet: ## go vet
	$(GO) vet ./...

test: test-deps vet ## everything: dependencies, vet, and all tests with the race detector
	$(GO) test -race -count=1 -timeout 20m ./...

E2E := ^(TestBrowserJourney|TestThreeNodes|TestEveryMessageAnsweredOnceThroughFaults)$$

test-e2e: test-deps ## only the end-to-end tests (also in make test), printing what they checked: the browser journey, three nodes with one killed, faults
	$(GO) test -race -count=1 -timeout 20m -v -run '$(E2E)' ./cmd/frontline

BENCH ?= .
BENCHSKIP ?= passages=100000

bench: test-deps ## Go benchmarks of the hot paths (BENCH=regexp; BENCHSKIP= to include the 100k-passage search, minutes)
	$(GO) test -run '^$$' -bench '$(BENCH)' -skip '$(BENCHSKIP)' -benchtime 2s ./...

clean: ## remove build output
	rm -rf bin
