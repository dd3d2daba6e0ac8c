# factledger: `make run` sets up and runs the main job; `make test` sets up and runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= ledger.db

.PHONY: run test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/factledger --db $(DB) ingest corpus/
	$(BIN)/factledger --db $(DB) sources
	$(BIN)/factledger --db $(DB) propose --all
	@# The review is interactive: open it only on a terminal (CI and pipes skip it).
	@if [ -t 0 ]; then $(BIN)/factledger --db $(DB) review --all; \
	else echo "(not a terminal: skipping the review; run .venv/bin/factledger --db $(DB) review --all)"; fi
	$(BIN)/factledger --db $(DB) claims
	$(BIN)/factledger --db $(DB) verify
	@# Serve the ledger on a terminal; elsewhere (CI, pipes) print how to.
	@if [ -t 0 ]; then $(BIN)/factledger --db $(DB) serve; \
	else echo "Browse it: .venv/bin/factledger --db $(DB) serve  (then open http://127.0.0.1:8001/)"; fi

lint: $(BIN)/.installed
	$(BIN)/ruff check ledger tests bench
	$(BIN)/ruff format --check ledger tests bench
	$(BIN)/mypy ledger

test: lint
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/append.py
	$(BIN)/python bench/verify.py
	$(BIN)/python bench/llm_overhead.py

clean:
	rm -rf $(VENV) ledger.db ledger.db-wal ledger.db-shm
