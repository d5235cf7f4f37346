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
## Time: the last CI run before the fixtures below took 29 min (PostgreSQL suite 29:11 for 1,148
## tests, SQLite suite 18:14 for 1,177 with the browser tests). Each test's PostgreSQL database is
## now copied ahead of it and dropped after it by threads (tests/databases.py), test databases
## commit without waiting for fsync, and the browser tests share one Chromium and a seeded
## template: side by side under the same load the PostgreSQL suite ran about 1.2 times as fast
## and the browser tests 1.9 times. A clean clone's `make test` then took 20 min 41 s on a quiet
## 2-core machine (3 December 2026; PostgreSQL suite 19:38, SQLite suite 13:09).
test: install-dev assets browser services
	$(MAKE) --no-print-directory lint
	@mkdir -p test-artifacts
	$(BIN)/pytest -q -m "not scaled" $(PYTEST_ARGS) > test-artifacts/sqlite-suite.log 2>&1 & sqlite=$$!; \
	$(BIN)/pytest -q --postgres -m "not browser" $(PYTEST_ARGS); postgres=$$?; \
	wait $$sqlite; sqlite=$$?; \
	echo "--- the SQLite suite (test-artifacts/sqlite-suite.log) ---"; cat test-artifacts/sqlite-suite.log; \
	[ $$postgres -eq 0 ] && [ $$sqlite -eq 0 ]

## bench: every benchmark in benchmarks/, each printing its figures against a baseline measured
## in the same run, then the time each took and the total. The default sizes fit in under ten
## minutes on 2 quiet cores (see README, Performance); FULL=1 runs the full sizes (an hour or more).
## A benchmark that fails is reported at the end and does not stop the others.
BENCH_DEFAULT := lifecycle --cases 100|http_load --cases 500|timers|dashboards|inbox|storage|search
BENCH_FULL := lifecycle --cases 1000|http_load --cases 5000|timers --full|dashboards --full|inbox --full|storage --cases 2000|search
bench: install-dev services
	@IFS='|' read -ra runs <<< "$(if $(FULL),$(BENCH_FULL),$(BENCH_DEFAULT))"; \
	start=$$(date +%s); times=(); failed=(); \
	for run in "$${runs[@]}"; do \
		read -ra words <<< "$$run"; began=$$(date +%s); \
		echo "=== benchmarks.$$run"; \
		$(BIN)/python -m "benchmarks.$${words[0]}" "$${words[@]:1}" || failed+=("$${words[0]}"); \
		times+=("$$(printf '%-34s %5d s' "$$run" $$(( $$(date +%s) - began )))"); \
	done; \
	echo "=== time per benchmark (load average now: $$(cut -d' ' -f1-3 /proc/loadavg))"; \
	printf '%s\n' "$${times[@]}"; \
	echo "total: $$(( $$(date +%s) - start )) s"; \
	if [ $${#failed[@]} -gt 0 ]; then echo "FAILED: $${failed[*]}"; exit 1; fi

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
