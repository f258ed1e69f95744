# coinbar-pay: the two commands a newcomer needs are `make demo` and `make test`.
# Each installs what it needs (scripts/deps.sh) before doing anything else.
SHELL := bash
.DEFAULT_GOAL := help

.PHONY: help deps build demo test test-rust test-js lint sizes sandbox

help:
	@echo "make demo   build the package and print a signed initiate request"
	@echo "make test   install tools, build, and run every test"

deps:
	@scripts/deps.sh

build: deps
	@scripts/build-wasm.sh server
	@scripts/build-wasm.sh browser

sizes:
	@node scripts/sizes.mjs

demo: build
	@node examples/prepare-initiate.mjs

sandbox:
	node www/sandbox/server.js --port 8790

lint: deps
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --target-dir target/browser -- -D warnings
	cargo test --no-default-features --target-dir target/browser --quiet

test-rust: deps
	cargo test

test-js: build
	node_modules/.bin/tsc -p tests/types
	node --test tests/js/ tests/sandbox/

test: lint test-rust test-js sizes
