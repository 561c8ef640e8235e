# Herald: the commands of the README. `make help` lists them.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
DEV_CONFIG ?= herald.dev.toml

# The integration tests use these services (started by scripts/dev-services.sh).
HERALD_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HERALD_TEST_NATS_URL ?= nats://127.0.0.1:4222
export HERALD_TEST_DATABASE_URL HERALD_TEST_NATS_URL

.PHONY: help run services migrate test test-only test-console lint fmt bench soak check-tls openapi check-deploy image

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## Start NATS and Postgres if needed, migrate, then run every target (dev config); mails land in target/dev-mail/
	scripts/dev-services.sh
	$(CARGO) run -p herald -- --config $(DEV_CONFIG) migrate
	python3 scripts/dev-mail.py 1025 & trap 'kill $$! 2>/dev/null' EXIT; \
		$(CARGO) run -p herald -- --config $(DEV_CONFIG) serve --target all

services: ## Make sure NATS (JetStream) and Postgres answer on 127.0.0.1
	scripts/dev-services.sh

migrate: ## Apply the database migrations (dev config)
	scripts/dev-services.sh
	$(CARGO) run -p herald -- --config $(DEV_CONFIG) migrate

test: ## Services, lint, TLS and deploy checks, console browser tests, then every test of the workspace (what CI runs)
	scripts/dev-services.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory check-tls
	$(MAKE) --no-print-directory check-deploy
	$(MAKE) --no-print-directory test-console
	$(MAKE) --no-print-directory test-only

# Doc tests run first, so the run closes on nextest's summary of every test (CI reads the last one).
test-only: ## Run the workspace tests only (doc tests, then nextest when installed)
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		echo "$(CARGO) test --workspace --doc"; \
		$(CARGO) test --workspace --doc; \
		echo "$(CARGO) nextest run --workspace"; \
		$(CARGO) nextest run --workspace; \
	else \
		echo "$(CARGO) test --workspace (install cargo-nextest for faster runs)"; \
		$(CARGO) test --workspace; \
	fi

test-console: ## Browser tests of the console (Playwright + Debian chromium)
	scripts/console-test.sh

lint: ## cargo fmt --check and clippy with warnings as errors
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## Format the whole workspace
	$(CARGO) fmt --all

image: ## Build the container image herald:dev from deploy/Dockerfile (needs a Docker engine)
	scripts/image.sh

check-deploy: ## Check the container, compose, Helm, dashboard and alert files offline
	scripts/check-deploy.sh

openapi: ## Regenerate openapi.json from the code (a test fails while it is stale)
	HERALD_WRITE_OPENAPI=1 $(CARGO) test -p herald-api --test openapi openapi_json_is_current

bench: ## Run the load benchmark (release build)
	scripts/dev-services.sh
	$(CARGO) build --release -p herald -p herald-bench
	target/release/herald-bench
	target/release/digest-bench

soak: ## Steady load on a release Herald (SOAK_RATE events/s, 200; SOAK_MINUTES, 10): RSS, latency, table sizes every 30 s
	scripts/dev-services.sh
	$(CARGO) build --release -p herald -p herald-bench
	target/release/soak

check-tls: ## Fail if openssl-sys or native-tls is in the dependency tree (rustls only)
	@for pkg in openssl-sys native-tls; do \
		if out=$$($(CARGO) tree --workspace -i "$$pkg" 2>&1); then \
			if [ -n "$$out" ] && ! grep -q 'nothing to print' <<<"$$out"; then \
				echo "check-tls: $$pkg is in the dependency tree:" >&2; \
				echo "$$out" >&2; \
				exit 1; \
			fi; \
		elif ! grep -q 'did not match any packages' <<<"$$out"; then \
			echo "check-tls: cargo tree -i $$pkg failed:" >&2; \
			echo "$$out" >&2; \
			exit 1; \
		fi; \
	done
	@echo "check-tls: no openssl-sys, no native-tls."
