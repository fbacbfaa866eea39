# Every target sets itself up: the first run creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Checked by ruff and mypy besides the smartcar package.
PLUGIN := pytest_smartcar.py

.PHONY: setup test-deps demo test lint typecheck unit integration e2e bench load token-soak example example-django example-fastapi clean

# The first run installs quietly: pip's output goes to $(SETUP_LOG), shown only if it fails.
# The uninstall: this project replaces the official `smartcar` distribution (same import name).
SETUP_LOG := $(VENV)/setup.log
PIP := $(BIN)/python -m pip -q --disable-pip-version-check
$(STAMP): setup.py requirements.txt requirements-dev.txt
	@echo "Installing into $(VENV) (first run only; pip's output: $(SETUP_LOG))"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@( set -e; \
	  $(PIP) install --upgrade pip; \
	  $(PIP) uninstall -y smartcar || true; \
	  $(PIP) install -e '.[emulator,redis]' -r requirements-dev.txt; \
	) >$(SETUP_LOG) 2>&1 || { cat $(SETUP_LOG) >&2; echo "setup failed (pip's output above)" >&2; exit 1; }
	@touch $(STAMP)

setup: $(STAMP)

# redis-server and chromium, installed when missing (or a failure naming the command to run).
test-deps:
	bash scripts/install-test-deps.sh

# Only the story: the setup above is quiet and this command is not echoed.
demo: $(STAMP)
	@$(BIN)/python -m smartcar.emulator.demo

lint: $(STAMP)
	$(BIN)/ruff check smartcar tests benchmarks examples $(PLUGIN)
	$(BIN)/ruff format --check smartcar $(PLUGIN)

typecheck: $(STAMP)
	$(BIN)/mypy

# The documentation site (mkdocs.yml, docs/): strict, so a warning or a broken link fails it.
.PHONY: docs docs-serve
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

# CI=1: a test whose OS package or tool is missing fails instead of skipping.
test: test-deps lint typecheck docs
	CI=1 $(BIN)/pytest

# Tests mirror the package (tests/<area>/); an area's loopback tests against a live emulator
# sit in its integration/ folder, the examples' end-to-end tests in tests/examples.
INTEGRATION = $(wildcard tests/*/integration)

unit: $(STAMP)
	$(BIN)/pytest tests $(addprefix --ignore=,$(INTEGRATION)) --ignore=tests/examples

integration: test-deps $(STAMP)
	CI=1 $(BIN)/pytest $(INTEGRATION)

e2e: test-deps $(STAMP)
	CI=1 $(BIN)/pytest tests/examples

# Single calls and import time (run.py; BENCH_ARGS go to it), then the fleet sweep (fleet.py:
# 100 ms per request, N = 500, 2,000, 8,000 at concurrency 32, the official 6.19.1 loop at
# N = 500), then webhook ingestion (webhooks.py), then the async sweep beside the threaded and bare
# ones and single-read CPU pairs (async_sweep.py: N = 8,192 at 1,024, 2 s reads).
# BENCH_ARGS=--quick keeps all four short.
BENCH_QUICK = $(filter --quick,$(BENCH_ARGS))
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/fleet.py $(BENCH_QUICK) $(FLEET_ARGS)
	$(BIN)/python benchmarks/webhooks.py $(if $(BENCH_QUICK),--rounds 3 --seconds 0.2) $(WEBHOOK_ARGS)
	$(BIN)/python benchmarks/async_sweep.py $(BENCH_QUICK) $(ASYNC_ARGS)

load: $(STAMP)
	$(BIN)/python benchmarks/load.py

example: $(STAMP)
	$(BIN)/python -m examples.flask_app

# The FastAPI example (examples/fastapi_app): AsyncClient, served by uvicorn.
example-fastapi: $(STAMP)
	$(BIN)/python -m examples.fastapi_app

# The Django example (examples/django_app): SQLite, or PostgreSQL when DATABASE_URL is set.
example-django: $(STAMP)
	$(BIN)/python -m examples.django_app

token-soak: test-deps $(STAMP)
	$(BIN)/python benchmarks/token_soak.py

clean:
	rm -rf $(VENV) site benchmarks/.venv-official .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
