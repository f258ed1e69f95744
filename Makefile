# coinbar-pay: the two commands a newcomer needs are `make demo` and `make test`.
# Each installs what it needs (scripts/deps.sh) before doing anything else.
SHELL := bash
.DEFAULT_GOAL := help

.PHONY: help deps build demo example test test-rust test-js test-ledger test-e2e test-runtimes test-bundlers lint format sizes sandbox

help:
	@echo "make demo      build everything and start the demo shop + local CoinbarPay sandbox on 127.0.0.1"
	@echo "make test      install tools, build, and run every test"
	@echo "make bench     benchmarks vs node:crypto, WebCrypto, @noble/hashes (prints tables)"
	@echo "make fuzz      fuzz every target for FUZZ_SECONDS (default 60) each"
	@echo "make load      10,000 initiates at concurrency 200, without and with faults"
	@echo "make sandbox   start only the local CoinbarPay sandbox on 127.0.0.1:8790"
	@echo "make chaos     the demo backend's chaos run on SQLite and PostgreSQL: 500 checkouts each, callbacks lost/doubled/delayed, kill -9 restarts"
	@echo "make example   print a signed initiate request (examples/prepare-initiate.mjs)"
	@echo "make lint      Rust (rustfmt, clippy) and JS (Biome lint + format check, tsc --checkJs of pkg/src against pkg/types)"
	@echo "make format    apply rustfmt and Biome's formatter and safe fixes"

deps:
	@scripts/deps.sh

build: deps
	@scripts/build-wasm.sh server
	@node scripts/build-cjs.mjs
	@node scripts/build-cli.mjs
	@scripts/build-wasm.sh browser

sizes:
	@node scripts/sizes.mjs

demo: build
	@node www/serve.js

example: build
	@node examples/prepare-initiate.mjs

# Another port: make sandbox SANDBOX_PORT=8791 (make demo PORT=8081 SANDBOX_PORT=8791).
sandbox:
	node www/sandbox/server.js

# JS: Biome (pinned in package.json; biome.json, rules turned off and why: docs/contributing.md)
# lints pkg/src, pkg/cli, scripts, www, tests and bench and checks their formatting; tsc --checkJs checks
# pkg/src against the shipped declarations (pkg/types) through tests/types/checkjs/tsconfig.json.
lint: deps
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features server -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features browser --target-dir target/browser -- -D warnings
	cargo test --no-default-features --features browser --target-dir target/browser --quiet
	node_modules/.bin/biome ci --error-on-warnings
	node_modules/.bin/tsc -p tests/types/checkjs

# What `make lint` checks, applied: rustfmt, Biome's formatter and its safe lint fixes.
format: deps
	cargo fmt
	node_modules/.bin/biome check --write

test-rust: deps
	cargo test

# tests/js/size-budget.test.js fails when a shipped file (gzip -9) grows past its budget in
# bench/size-budget.json; to record new budgets: UPDATE_SIZE_BUDGET=1 node --test tests/js/size-budget.test.js
test-js: build
	@scripts/install-postgres.sh
	node_modules/.bin/tsc -p tests/types
	node_modules/.bin/tsc -p tests/types/es2022
	node --test tests/js/ tests/sandbox/ tests/load/ tests/types/ tests/demo/ tests/newcomer/

# One conformance suite (tests/vectors.json) in Node ESM/CJS, workerd, Deno, Bun, Vercel
# edge-runtime and Chromium, from the npm-packed package; prints runtime x group pass counts.
test-runtimes: build
	node tests/runtimes/run.mjs

# The payment ledger (coinbar-pay/ledger, issue 20): one conformance suite on better-sqlite3,
# Cloudflare D1 (Miniflare) and a throwaway PostgreSQL cluster; plus its migrations and CLI.
test-ledger: build
	@scripts/install-postgres.sh
	node --test --test-concurrency=1 tests/ledger/

test-e2e: build
	@scripts/install-chromium.sh
	@scripts/install-postgres.sh
	node --test --test-concurrency=1 tests/e2e/

# The packed package built by each toolchain merchants use, with no bundler configuration
# (Next.js, webpack, esbuild, wrangler, Vite; browser builds opened in Chromium); prints a
# toolchain x result table. Tools pinned in tests/bundlers/package-lock.json, installed into
# out/bundlers/ (npm ci only when the lock file changed).
test-bundlers: build
	@scripts/install-chromium.sh
	node tests/bundlers/run.mjs

test: lint test-rust test-js test-ledger test-e2e test-runtimes test-bundlers sizes

# Benchmark (issue 6): prepare/sign/verify vs node:crypto, WebCrypto and @noble/hashes in Node
# and workerd, cold start, sizes, memory, end to end against the sandbox, the Rust core
# (criterion). Prints tables and a targets table, writes out/bench.json; never fails on speed.
.PHONY: bench
bench: build
	node bench/run.mjs

# Fuzzing (issue 7 §1): every cargo-fuzz target of fuzz/ for FUZZ_SECONDS (default 60) each,
# on nightly (installed when missing); prints executions and crashes per target. A crash is
# copied to fuzz/regressions/, which `cargo test` (tests/fuzz_regressions.rs) replays.
.PHONY: fuzz
fuzz:
	scripts/fuzz.sh

# Load and faults (issue 7 §5): 10,000 initiates at concurrency 200 through the SDK against
# the local sandbox, without faults and with 10% injected faults and retries; prints the figures.
.PHONY: load
load: build
	node --expose-gc tests/load/run.mjs --calls 10000 --concurrency 200
	node --expose-gc tests/load/run.mjs --calls 10000 --concurrency 200 --faults 0.1

# Chaos run of the demo backend (issues 13 §6, 20 §4), on SQLite and on PostgreSQL: 500 checkouts
# per database over two Node instances on one database, callbacks dropped, failed, duplicated,
# delayed, reordered and reformatted, stray second attempts paid, kill -9 of each instance;
# prints a table per database (lost, doubled, budget overruns must be 0).
# `make test` runs a 100-checkout variant per database (tests/demo/chaos.test.js).
.PHONY: chaos
chaos: build
	@scripts/install-postgres.sh
	node tests/demo/chaos.mjs --checkouts 500 --restarts 2 --db both
