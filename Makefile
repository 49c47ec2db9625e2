# The README's two commands: `make run` (install, migrate, demo data, serve) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := shortscience.settings

.PHONY: run test install install-dev assets lint typecheck pytest pytest-sqlite pytest-postgres clean bench lock audit test-image test-production

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs come from the lock files in requirements/ (hashes checked), never from a fresh resolution;
# the project itself goes in last without its dependencies (docs/decisions/0013-locked-dependencies.md).
$(VENV)/.installed: requirements/bootstrap.txt requirements/runtime.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/bootstrap.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/runtime.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
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
	ALLOW_DEV_SECRET_KEY=1 $(BIN)/mypy shortscience tests

pytest: install-dev
	bash scripts/test-databases.sh $(BIN)

test: lint typecheck pytest

# The page benchmark (docs/performance.md); never part of `make test`. ARGS="--quick" for a short run.
bench: install-dev
	$(BIN)/python bench/bench_pages.py $(ARGS)

# Re-resolves the lock files from pyproject.toml and requirements/bootstrap.in on PyPI (uv's default
# index; pip's local extra indexes are not read). Existing pins are kept unless asked:
# `make lock LOCK_ARGS=--upgrade` or `LOCK_ARGS="--upgrade-package django"`.
UV_COMPILE = $(BIN)/uv pip compile --quiet --no-config --universal --python-version 3.11 --generate-hashes $(LOCK_ARGS)
lock: install-dev
	$(UV_COMPILE) requirements/bootstrap.in -o requirements/bootstrap.txt
	$(UV_COMPILE) pyproject.toml -o requirements/runtime.txt
	$(UV_COMPILE) pyproject.toml --extra dev -c requirements/bootstrap.txt -c requirements/runtime.txt -o requirements/dev.txt

# Known vulnerabilities in the locked versions (pip-audit); run by .ci/run, not by `make test`.
audit: install-dev
	$(BIN)/python scripts/audit.py --pip-audit $(BIN)/pip-audit

# Builds deploy/Containerfile with buildah on a debootstrapped Debian base and serves pages from it.
test-image:
	bash scripts/test-image.sh

# The production topology started and broken on purpose (docs/deploy.md); never part of `make test`.
# Needs root or postgresql/redis-server/nginx installed; ARGS go to pytest.
test-production: install-dev
	bash scripts/test-production.sh $(BIN) $(ARGS)

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache
