# The two commands of the README: `make serve` and `make test`. Each installs what it
# needs into .venv first (again only when pyproject.toml changes).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 4588

.PHONY: serve test lint bench clean custodian

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Cloud Custodian pins its own boto3 and botocore, so it gets an environment of its own;
# tests/query/test_custodian.py runs its `custodian` command against a live server (and
# is skipped when this step could not install it).
.venv-c7n/.installed:
	$(PYTHON) -m venv .venv-c7n
	.venv-c7n/bin/python -m pip install --quiet c7n && touch $@ || echo "c7n not installed: its test will be skipped"

custodian: .venv-c7n/.installed

serve: $(VENV)/.runtime
	$(VENV)/bin/configledger serve --port $(PORT)

test: $(VENV)/.dev .venv-c7n/.installed
	$(PY) -m pytest -q -n auto

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

bench: $(VENV)/.dev
	$(PY) bench/put_resource_config.py
	$(PY) bench/history_latency.py

clean:
	rm -rf $(VENV) .venv-c7n .pytest_cache .mypy_cache .ruff_cache
