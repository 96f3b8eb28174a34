# Profile API — every target sets up what it needs on a fresh machine (Python 3 + Node.js).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PYDEPS := $(VENV)/.installed
NODEDEPS := node_modules/.installed
CHECKOV := .tools/checkov/.installed

.PHONY: setup run token lint test test-fast bench cosmos-server clean
.DEFAULT_GOAL := run

$(PYDEPS): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

$(NODEDEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CHECKOV): scripts/install_checkov.sh
	bash scripts/install_checkov.sh
	@touch $@

setup: $(PYDEPS) $(NODEDEPS) $(CHECKOV)  ## install everything the tests use

run: $(PYDEPS)  ## start the API on http://127.0.0.1:$${PORT:-7071}/api (embedded SQLite store)
	$(PY) -m devhost

token: $(PYDEPS)  ## print a development token (USER, NAME, SCOPES, ROLES variables)
	@$(PY) scripts/dev_token.py

lint: $(PYDEPS)  ## ruff and mypy (configuration in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: setup  ## set up and run every test
	$(PY) -m pytest

test-fast: $(PYDEPS)  ## unit and function-level tests only
	$(PY) -m pytest tests/unit tests/functions

bench: setup  ## print the benchmark figures
	$(PY) benchmarks/cosmos_round_trips.py

cosmos-server: $(NODEDEPS)  ## the Cosmos-protocol test server on https://127.0.0.1:$${COSMOS_PORT:-3000}
	node node_modules/@vercel/cosmosdb-server/lib/cli.js --host 127.0.0.1 --port $${COSMOS_PORT:-3000}

clean:
	rm -rf $(VENV) node_modules .tools .pytest_cache
