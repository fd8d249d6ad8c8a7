# The two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OVERSIGHT_DB_URL ?= sqlite:///var/oversight.db

.PHONY: install run test lint bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(BIN)/oversight serve --host 127.0.0.1 --port 8000 --demo-if-empty

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# schemathesis against a served demo store, with an officer's and an auditor's token, for
# FUZZ_SECONDS per role; fails on any 5xx or a response that breaks its documented schema.
FUZZ_SECONDS ?= 120
fuzz: install
	$(BIN)/python scripts/fuzz.py --seconds $(FUZZ_SECONDS)

bench: install
	for b in scripts/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
