# Profile API — every target sets up what it needs on a fresh machine (Python 3 + Node.js).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# uv installs the packages (parallel downloads; pip took most of a fresh clone's set-up); pip installs only uv.
UV     := $(VENV)/bin/uv
UV_VERSION := 0.13.9
LOCALDEPS := $(VENV)/.installed-local
PYDEPS := $(VENV)/.installed
NODEDEPS := node_modules/.installed
CHECKOV := .tools/checkov/.installed
HYPOTHESIS_TABLES := .cache/hypothesis/.tables
TEST_TMP := $(CURDIR)/.cache/tmp
# `make test`'s coverage: a report from each measured process (the pytest lanes, each local host), and their merge
# (tests/support/coverage.py; pyproject.toml's [tool.slipcover] says what is measured).
COVERAGE := .cache/coverage
# Its floor: the total measured when it was set (96.51% to 96.53% on four full runs), less half a point for the
# branches that timing decides (retries, races under load), so coverage may only rise. Raise it as it rises.
COVERAGE_FLOOR := 96.0
# `make test`'s parallel lanes (pytest-xdist): one per core (a lane more costs its own collection and servers,
# and measured slower); TEST_WORKERS=0: one process.
# A lane takes a whole file at a time, long-running files first (tests/support/lanes.py).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(os.cpu_count() or 1)')

# Tool caches stay inside the project (.cache/, gitignored) or are off: nothing is written under $HOME.
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip
export UV_CACHE_DIR := $(CURDIR)/.cache/uv
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export npm_config_cache := $(CURDIR)/.cache/npm
export npm_config_update_notifier := false
export CKV_SKIP_PACKAGE_UPDATE_CHECK := true
export HYPOTHESIS_STORAGE_DIRECTORY := $(CURDIR)/.cache/hypothesis
# Python's compiled files go to .cache/pycache, and are written even where the environment asks Python not to
# (PYTHONDONTWRITEBYTECODE): the installs compile nothing, and the tests start dozens of Python processes
# (lanes, local hosts, CLIs), each of which would otherwise compile from source every module it imports.
export PYTHONPYCACHEPREFIX := $(CURDIR)/.cache/pycache
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup browser run run-cosmos token lint test test-fast bench cosmos-server clean
.DEFAULT_GOAL := run

# The environment gets no pip of its own (uv installs into it): this Python's pip puts uv in it (`--python`, pip 22.3
# and later); where this Python has none, or an older one, the environment gets pip after all, and pip installs uv.
$(PY):
	$(PYTHON) -m venv --without-pip $(VENV)

$(UV): | $(PY)
	$(PYTHON) -m pip --python $(PY) install --quiet uv==$(UV_VERSION) 2>/dev/null \
		|| { $(PY) -m ensurepip --default-pip >/dev/null && $(PY) -m pip install --quiet uv==$(UV_VERSION); }

# `make run` needs only the app and the local host's server (requirements-local.txt); the tests need the rest.
$(LOCALDEPS): requirements.txt requirements-local.txt | $(UV)
	$(UV) pip install --quiet --python $(PY) -r requirements-local.txt
	@touch $@

$(PYDEPS): $(LOCALDEPS) requirements-dev.txt
	$(UV) pip install --quiet --python $(PY) -r requirements-dev.txt
	@touch $@

$(NODEDEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CHECKOV): scripts/install_checkov.sh | $(UV)
	UV=$(UV) bash scripts/install_checkov.sh
	@touch $@

# The installs (and Hypothesis' Unicode tables, scripts/hypothesis_tables.py) are independent: they run side by
# side, each one's output kept together.
SETUP := $(PYDEPS) $(NODEDEPS) $(CHECKOV) browser $(HYPOTHESIS_TABLES)
SIDE_BY_SIDE := $(MAKE) --no-print-directory -j4 --output-sync=target
setup:  ## install everything the tests use
	@$(SIDE_BY_SIDE) $(SETUP)

$(HYPOTHESIS_TABLES): scripts/hypothesis_tables.py | $(PYDEPS)
	$(PY) scripts/hypothesis_tables.py
	@touch $@

# Debian's chromium and chromium-driver for the explorer's browser test: apt-get only when they are missing;
# where they cannot be installed the script says so and the test skips (under CI=true a failed install fails).
browser:
	@bash scripts/install_browser.sh

run: $(LOCALDEPS)  ## start the API on http://127.0.0.1:$${PORT:-7071}/api (local.settings.json, else defaults)
	$(PY) -m devhost

run-cosmos: $(LOCALDEPS)  ## `make run` on the store of `make cosmos-server` (its request adjustments come from tests/support)
	PROFILE_STORE=cosmos COSMOS_ENDPOINT=$${COSMOS_ENDPOINT:-https://127.0.0.1:$${COSMOS_PORT:-3000}/} \
	COSMOS_KEY=$${COSMOS_KEY:-bG9jYWw=} $(PY) -m tests.support.cosmos_quirks

token: | $(LOCALDEPS)  ## print a development token (USER, NAME, SCOPES, ROLES variables); any port's `make run` accepts it
	@$(PY) scripts/dev_token.py

lint: $(PYDEPS)  ## ruff (lint and format check) and mypy (configuration in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test:  ## set up, lint, run every test in parallel lanes; prints branch coverage and fails under its floor
	@$(SIDE_BY_SIDE) $(SETUP) lint
	@rm -rf $(COVERAGE) && mkdir -p $(TEST_TMP) $(COVERAGE)/processes
	TMPDIR=$(TEST_TMP) TEST_COVERAGE=$(CURDIR)/$(COVERAGE)/processes $(PY) -m pytest -n $(TEST_WORKERS) \
		--dist loadfile --no-loadscope-reorder
	@$(PY) -m slipcover --merge $(COVERAGE)/processes/*.json --out $(COVERAGE)/coverage.json
	@$(PY) scripts/coverage_floor.py $(COVERAGE)/coverage.json $(COVERAGE_FLOOR)

test-fast: $(PYDEPS)  ## unit and function-level tests only
	$(PY) -m pytest tests/unit tests/functions

bench: setup  ## one table: every figure beside its floor, the ratio and the goal (benchmarks/run.py, ~3 min)
	@mkdir -p $(TEST_TMP)
	TMPDIR=$(TEST_TMP) $(PY) benchmarks/run.py

cosmos-server: $(NODEDEPS)  ## the Cosmos-protocol test server on https://127.0.0.1:$${COSMOS_PORT:-3000}
	node node_modules/@vercel/cosmosdb-server/lib/cli.js --host 127.0.0.1 --port $${COSMOS_PORT:-3000}

clean:
	rm -rf $(VENV) node_modules .tools .pytest_cache .cache
