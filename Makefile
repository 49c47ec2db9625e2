# The README's two commands: `make run` (install, migrate, demo data, serve) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := shortscience.settings

.PHONY: run test install install-dev assets lint typecheck pytest pytest-sqlite pytest-postgres clean bench test-production

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

install: $(VENV)/.installed node_modules/.package-lock.json
install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

run: install
	DEBUG=$${DEBUG:-0} ALLOW_DEV_SECRET_KEY=$${ALLOW_DEV_SECRET_KEY:-1} $(BIN)/python -m shortscience.manage serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	ALLOW_DEV_SECRET_KEY=1 $(BIN)/python -m shortscience.manage makemigrations --check --dry-run

typecheck: install-dev
	ALLOW_DEV_SECRET_KEY=1 $(BIN)/mypy shortscience

pytest: install-dev
	bash scripts/test-databases.sh $(BIN)

test: lint typecheck pytest

# The page benchmark (docs/performance.md); never part of `make test`. ARGS="--quick" for a short run.
bench: install-dev
	$(BIN)/python bench/bench_pages.py $(ARGS)

# The production topology started and broken on purpose (docs/deploy.md); never part of `make test`.
# Needs root or postgresql/redis-server/nginx installed; ARGS go to pytest.
test-production: install-dev
	bash scripts/test-production.sh $(BIN) $(ARGS)

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache
