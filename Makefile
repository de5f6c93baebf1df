# Two commands: `make run` and `make test`. Both set everything up on a fresh machine,
# installing exactly uv.lock (Python) and pwa/package-lock.json (npm). `make lock` refreshes uv.lock.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RECAP := $(BIN)/recap
UV := $(BIN)/uv
PORT ?= 8000
# uv uses the machine's python3 through the venv, never a Python it downloads, and syncs this venv.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test setup lock pwa lint types pytest jstest chromium clean

run: setup
	@$(RECAP) migrate
	@$(RECAP) content publish --initial content
	@$(RECAP) users import --new-only server/demo/accounts.csv
	@echo "Sign in with rep@example.com (other demo accounts: docs/people.md); where the code goes is printed below."
	@PORT=$(PORT) exec $(RECAP) serve

test: setup chromium lint types jstest pytest

setup: $(VENV)/.installed pwa

# The venv on the machine's Python, and uv in it from the registry: the version and hashes of
# requirements/uv.txt (the same uv as in uv.lock). Python 3.11's venv also seeds setuptools, which
# is not in uv.lock and which `uv sync` would leave in place (as it does pip and uv, both locked).
$(UV): requirements/uv.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Recap needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-cache-dir --require-hashes --no-deps -r requirements/uv.txt
	@$(BIN)/python -m pip uninstall --quiet --yes setuptools 2>/dev/null || true
	@touch $@

# Exactly uv.lock (the dev extra included), with the project editable.
$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra dev --python $(BIN)/python --quiet
	@touch $@

# Newest versions within pyproject.toml's ranges; requirements/uv.txt follows the lock's uv.
# To add one dependency without upgrading the rest: edit pyproject.toml, then `.venv/bin/uv lock`.
lock: $(UV)
	$(UV) lock --upgrade --python $(BIN)/python
	@{ echo "# uv for the Makefile's bootstrap (pip install --require-hashes); written by \`make lock\` from uv.lock."; \
	  $(UV) export --frozen --extra dev --no-emit-project --no-header --no-annotate \
	  | awk '/^uv==/ {p = 1; print; next} p && /^ / {print; next} {p = 0}'; } > requirements/uv.txt.new
	@grep -q '^uv==' requirements/uv.txt.new
	@cmp -s requirements/uv.txt.new requirements/uv.txt && rm requirements/uv.txt.new || mv requirements/uv.txt.new requirements/uv.txt

pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund
	@touch $@

pwa: pwa/node_modules/.installed
	cd pwa && npm run --silent build

chromium:
	@bash .ci/ensure-chromium

lint:
	$(BIN)/ruff check server sync tests bench

types:
	$(BIN)/mypy

jstest:
	cd pwa && npm test

pytest:
	$(BIN)/pytest

clean:
	rm -rf $(VENV) pwa/node_modules pwa/dist .pytest_cache .mypy_cache .ruff_cache
