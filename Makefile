# `make run` and `make test` work on a fresh machine with Python 3.10+.
# `make run` installs the app with its runtime extra (web: --serve) only; `make test` (and lint,
# bench, snapshot-update) adds the test extra: ruff, mypy, pytest, playwright, ...
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CREATED := $(VENV)/.created
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test

.PHONY: run test lint unit bench mutate snapshot-update clean

$(CREATED):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	touch $(CREATED)

$(RUNTIME): pyproject.toml | $(CREATED)
	$(BIN)/python -m pip install -q -e '.[web]'
	touch $(RUNTIME)

$(TESTING): pyproject.toml | $(CREATED)
	$(BIN)/python -m pip install -q -e '.[web,test]'
	touch $(RUNTIME) $(TESTING)

run: $(RUNTIME)
	$(BIN)/reader $(ARGS)

lint: $(TESTING)
	$(BIN)/ruff check reader tests
	$(BIN)/mypy

unit: $(TESTING)
	$(BIN)/python -m pytest -q

test: lint unit

bench: $(TESTING)
	$(BIN)/python tests/benchmarks/run.py

# Mutation testing of the Textual-free core (tests/mutation/mutate.py; ARGS='--every 10 --budget 3600').
mutate: $(TESTING)
	test -x $(BIN)/mutmut || $(BIN)/python -m pip install -q -e '.[web,test,mutate]'
	nice -n 10 $(BIN)/python tests/mutation/mutate.py $(ARGS)

snapshot-update: $(TESTING)
	$(BIN)/python -m pytest -q tests/tui/test_snapshots.py --snapshot-update

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache mutants
