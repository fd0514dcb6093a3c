# qagraph: `make run` serves the app with the sample data; `make test` runs every test.
# Both install what is missing first (virtual environment, Python packages, Node.js and
# npm from Debian, front-end packages; for the tests also Chromium). `make run PORT=8080`
# serves on another port.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PY_STAMP  := $(VENV)/.installed
SYS_STAMP := $(VENV)/.system-deps
NODE_STAMP := $(VENV)/.node-deps
BENCH_STAMP := $(VENV)/.bench-deps

.PHONY: run test install lint bench clean

run: install
	@$(BIN)/qagraph init
	@$(BIN)/qagraph serve --host $(HOST) --port $(PORT)

test: install $(SYS_STAMP)
	$(BIN)/pytest

install: $(PY_STAMP) node_modules/.package-lock.json

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	@$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	@$(BIN)/python -m pip install --quiet --config-settings editable_mode=compat -e . --group test
	@touch $@

# Front-end libraries from the npm registry, pinned by package-lock.json (npm itself
# comes from Debian when it is missing).
node_modules/.package-lock.json: package.json package-lock.json | $(NODE_STAMP)
	@npm ci --no-audit --no-fund --loglevel=error

$(NODE_STAMP): scripts/system-deps.sh | $(BIN)/python
	@bash scripts/system-deps.sh node
	@touch $@

# Debian packages the tests need (Chromium for the browser tests, Virtuoso for the
# remote-store tests).
$(SYS_STAMP): scripts/system-deps.sh | $(BIN)/python
	@bash scripts/system-deps.sh test
	@touch $@

lint: install
	$(BIN)/ruff check graph_app loaders tests bench
	$(BIN)/mypy

# The benchmarks of loads, validation and pages (bench/README.md); wrk, the HTTP load
# generator of bench/web.py, comes from Debian.
bench: install $(BENCH_STAMP)
	$(BIN)/python bench/load.py
	$(BIN)/python bench/load.py --change
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/web.py --http

$(BENCH_STAMP): scripts/bench-deps.sh | $(BIN)/python
	@bash scripts/bench-deps.sh
	@touch $@

clean:
	rm -rf $(VENV) node_modules instance
