# The two commands of the README: `make serve` and `make test`. Each installs what it
# needs into .venv first (again only when pyproject.toml changes).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 4588

.PHONY: serve test lint bench clean

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

serve: $(VENV)/.runtime
	$(VENV)/bin/configledger serve --port $(PORT)

test: $(VENV)/.dev
	$(PY) -m pytest -q -n auto

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

bench: $(VENV)/.dev
	$(PY) bench/put_resource_config.py
	$(PY) bench/history_latency.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
