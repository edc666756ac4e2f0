# Two commands (README): `make run` and `make test`. Everything they need is installed by
# .ci/setup when missing.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export LEPTOS_SITE_ADDR ?= 127.0.0.1:3000
export DATABASE_URL ?= sqlite://data/portal.db?mode=rwc
export TEST_DATABASE_URL ?= postgres://root@127.0.0.1:5432/test
export LEPTOS_SITE_ROOT := target/site

.PHONY: run test bench build setup lint unit e2e clean

## Build (release), migrate, seed and serve the portal on http://$(LEPTOS_SITE_ADDR)
run: build data/dev-secrets.env
	set -a && . ./data/dev-secrets.env && set +a && ./target/release/server

# Development keys, generated once per checkout and never committed (data/ is ignored). Values
# already in the environment win.
data/dev-secrets.env:
	mkdir -p data
	umask 077 && { \
	  echo "PORTAL_JWT_SECRET=\$${PORTAL_JWT_SECRET:-$$(head -c 48 /dev/urandom | base64 -w0)}"; \
	  echo "PORTAL_DATA_KEY=\$${PORTAL_DATA_KEY:-$$(head -c 32 /dev/urandom | base64 -w0)}"; \
	} > $@

## Every check: format, lints, Rust tests (SQLite + PostgreSQL), browser tests (JS on and off)
test: lint unit e2e

## Lighthouse, asset sizes and HTTP load; writes end2end/bench-results/ (see BENCHMARKS.md)
bench: build
	bash end2end/bench.sh

setup:
	bash .ci/setup

build: setup
	cargo leptos build --release
	node end2end/scripts/precompress.mjs target/site/pkg

lint: setup
	cargo fmt --all -- --check
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

unit: setup
	cargo test --workspace --exclude frontend

# The protocol simulators (target/debug/peer) come from the test build, a no-op after `unit`.
e2e: build
	bash .ci/setup test
	cargo test --workspace --exclude frontend --no-run
	playwright test -c end2end/playwright.config.ts

clean:
	cargo clean
	rm -rf data node_modules
