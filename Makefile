# The two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp

.PHONY: run test bench lint services browser assets pdf-libs install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed pdf-libs
install-dev: $(VENV)/.installed-dev pdf-libs

## run: the embedded mode (SQLite, in-process timers, demo users) on http://127.0.0.1:5000
run: install assets
	$(FLASK) init
	$(FLASK) serve --host 127.0.0.1 --port 5000

## test: lint, type-check, then the whole suite on SQLite and again on PostgreSQL
## (starts PostgreSQL and Redis if they are stopped; installs them and Chromium if absent)
## The two suites run side by side: each has its own databases, and every test its own ports and
## Redis, and both spend much of their time waiting (on PostgreSQL, on started processes), so on
## two cores this takes about the PostgreSQL suite's time rather than the sum. The SQLite suite's
## output is shown after the PostgreSQL suite's (and kept in test-artifacts/sqlite-suite.log).
## The browser tests run once, in the SQLite suite: their live server always uses SQLite, so
## running them again beside PostgreSQL would test nothing more.
test: install-dev assets browser services
	$(MAKE) --no-print-directory lint
	@mkdir -p test-artifacts
	$(BIN)/pytest -q -m "not scaled" $(PYTEST_ARGS) > test-artifacts/sqlite-suite.log 2>&1 & sqlite=$$!; \
	$(BIN)/pytest -q --postgres -m "not browser" $(PYTEST_ARGS); postgres=$$?; \
	wait $$sqlite; sqlite=$$?; \
	echo "--- the SQLite suite (test-artifacts/sqlite-suite.log) ---"; cat test-artifacts/sqlite-suite.log; \
	[ $$postgres -eq 0 ] && [ $$sqlite -eq 0 ]

## bench: the benchmarks in benchmarks/ at a size that fits in a few minutes (FULL=1: full size)
bench: install-dev services
	$(BIN)/python -m benchmarks.lifecycle $(if $(FULL),--cases 1000)
	$(BIN)/python -m benchmarks.http_load $(if $(FULL),--cases 5000,--cases 1000)
	$(BIN)/python -m benchmarks.timers $(if $(FULL),--full)
	$(BIN)/python -m benchmarks.dashboards $(if $(FULL),--full)
	$(BIN)/python -m benchmarks.inbox $(if $(FULL),--full)
	$(BIN)/python -m benchmarks.storage $(if $(FULL),--cases 2000)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## assets: the modeller's JavaScript, from npm (package-lock.json), bundled into webapp/static/vendor/;
## the public pages' translations (translations/*/LC_MESSAGES/messages.po) compiled to .mo
assets:
	@bash scripts/build-assets.sh
	@if [ -x $(BIN)/pybabel ]; then $(BIN)/pybabel -q compile -d translations; fi

browser:
	@bash scripts/ensure-chromium.sh
	@bash scripts/ensure-clamav.sh
	@bash scripts/ensure-oidc-provider.sh

## pdf-libs: Debian's Pango and a font, which WeasyPrint needs to make letters into PDFs
pdf-libs:
	@bash scripts/ensure-pdf-libs.sh

services:
	@bash scripts/ensure-services.sh

clean:
	rm -rf $(VENV) node_modules webapp/static/vendor instance test-artifacts .pytest_cache .mypy_cache .ruff_cache
