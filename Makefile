# Swiftlet: `make run` starts a node, `make test` runs every test. Both install what is missing first.

SWIFT ?= swift
VENV := .venv
PORT ?= 9000
DATA_DIR ?= ./.swiftlet

.PHONY: run test deps runtimes build release unit e2e node-runtime lint format bench clean

## Install the Debian packages, the Python virtual environment and the runtime clients functions run with.
deps:
	@scripts/install-deps.sh
	@scripts/make-venv.sh
	@scripts/install-runtimes.sh

runtimes:
	@scripts/install-runtimes.sh

## Debug build of the binary and the test targets.
build: deps
	$(SWIFT) build --build-tests

## Optimized build of the binary and of the namespace sandbox's launcher, which the node finds beside it.
release: deps
	$(SWIFT) build -c release --product swiftlet
	$(SWIFT) build -c release --product swiftlet-sandbox

## Start a node on the embedded default (SQLite in $(DATA_DIR)), listening on 127.0.0.1:$(PORT).
run: release
	.build/release/swiftlet serve --port $(PORT) --data-dir $(DATA_DIR)

## Every test: formatting, Swift unit tests, then end-to-end tests with the real aws CLI and boto3.
test: build lint unit node-runtime e2e

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

unit: build
	$(SWIFT) test --skip-build --parallel

node-runtime:
	node --test runtimes/node/test/

e2e: build
	SWIFTLET_BIN=$(CURDIR)/.build/debug/swiftlet $(VENV)/bin/python -m pytest -q Tests/e2e

## Benchmarks, each figure beside its floor measured in the same run.
bench: release
	@scripts/install-bench-deps.sh
	SWIFTLET_BIN=$(CURDIR)/.build/release/swiftlet $(VENV)/bin/python bench/run.py

clean:
	rm -rf .build $(VENV) runtimes/python/*/ runtimes/python/.pip-*
