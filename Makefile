# Two commands: `make run` and `make test`. Both set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RECAP := $(BIN)/recap
PORT ?= 8000

.PHONY: run test setup pwa lint types pytest jstest chromium clean

run: setup
	@$(RECAP) migrate
	@$(RECAP) content publish --initial content
	@$(RECAP) users import --new-only server/demo/accounts.csv
	@echo "Sign in with rep@example.com (other demo accounts: docs/people.md); where the code goes is printed below."
	@PORT=$(PORT) exec $(RECAP) serve

test: setup chromium lint types jstest pytest

setup: $(VENV)/.installed pwa

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Recap needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

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
