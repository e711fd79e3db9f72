# `make run` and `make test` work on a fresh machine with Python 3.10+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit bench snapshot-update clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/reader $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check reader tests
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint unit

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/run.py

snapshot-update: $(STAMP)
	$(BIN)/python -m pytest -q tests/tui/test_snapshots.py --snapshot-update

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache
