# Breadbox: the two commands that matter are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BREADBOX := $(VENV)/bin/breadbox
LOCK ?= requirements/dev.txt

.PHONY: install install-bench run test test-fast lint bench demo lock clean

# Finds uv (or installs it with pip), creates .venv and syncs it to the lock file.
install: $(VENV)/.synced-$(notdir $(LOCK))

$(VENV)/.synced-$(notdir $(LOCK)): $(LOCK) pyproject.toml
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@if command -v uv >/dev/null 2>&1; then UV=uv; else UV="python3 -m uv"; fi; \
	  test -x $(PY) || $$UV venv --quiet --python python3 $(VENV); \
	  $$UV pip sync --quiet --python $(PY) $(LOCK) && \
	  $$UV pip install --quiet --python $(PY) --no-deps -e .
	@rm -f $(VENV)/.synced-*; touch $@

install-bench:
	@$(MAKE) --no-print-directory install LOCK=requirements/bench.txt

# Migrates, prints a first API key once, serves on 127.0.0.1:8000 (embedded SQLite + in-process worker).
run: install
	@$(BREADBOX) migrate
	@$(BREADBOX) keys bootstrap
	@$(BREADBOX) serve

# The whole suite, on SQLite and PostgreSQL (a throwaway database per run).
test: install
	@$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	@$(VENV)/bin/ruff check src tests bench
	@$(VENV)/bin/ruff format --check src tests bench
	@$(VENV)/bin/mypy

bench: install-bench
	@$(PY) -m bench

demo: install
	@$(BREADBOX) demo

# Re-pins the lock files after a change to pyproject.toml.
lock:
	uv pip compile -q pyproject.toml -o requirements/runtime.txt --python-version 3.11 --no-header --no-annotate --generate-hashes
	uv pip compile -q pyproject.toml --extra dev -o requirements/dev.txt --python-version 3.11 --no-header --no-annotate --generate-hashes
	uv pip compile -q pyproject.toml --extra dev --extra bench -o requirements/bench.txt --python-version 3.11 --no-header --no-annotate --generate-hashes

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
