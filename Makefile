# Every target sets itself up: the first run creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit integration e2e bench load token-soak example clean

$(STAMP): setup.py requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[emulator,redis]' -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m smartcar.emulator.demo

lint: $(STAMP)
	$(BIN)/ruff check smartcar tests benchmarks examples
	$(BIN)/ruff format --check smartcar

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

load: $(STAMP)
	$(BIN)/python benchmarks/load.py

example: $(STAMP)
	$(BIN)/python -m examples.flask_app

token-soak: $(STAMP)
	$(BIN)/python benchmarks/token_soak.py

clean:
	rm -rf $(VENV) benchmarks/.venv-official .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
