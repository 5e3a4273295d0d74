# The one entry point for people and CI. Needs Python 3.11 or newer as python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA := $(or $(DATA_DIR),data)
MANAGE := $(BIN)/python manage.py
# make run uses a secret key generated once into the data folder, unless SECRET_KEY is set.
# It is a local demo on plain HTTP unless HTTPS is set (production settings are otherwise https-only).
STAFF_USER ?= admin
RUN_ENV := SECRET_KEY="$${SECRET_KEY:-$$(cat $(DATA)/secret_key)}" HTTPS="$${HTTPS:-false}"

# Translations: the .po catalogues are in the repo, the .mo files are compiled from them here (in
# pure Python, so GNU gettext is not needed to install).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
# axe-core and html-validate for the accessibility and HTML tests, from package-lock.json (skipped without npm).
AXE := node_modules/axe-core/axe.min.js

.PHONY: help install install-dev lock run admin-password test test-fast lint format typecheck check-migrations check-deploy bench relevance messages ci clean

help:
	@echo "make run               start the site with demo content on http://127.0.0.1:8000/"
	@echo "make admin-password    set a new password for the local site's admin (STAFF_USER=name for another)"
	@echo "make install           the virtualenv with what the site needs, translations compiled"
	@echo "make install-dev       the same with the test and lint tools"
	@echo "make lock              regenerate the hash-checked requirements*.txt from requirements*.in"
	@echo "make test              run the whole test suite (PYTEST_ARGS=... to narrow it)"
	@echo "make test-fast         the inner loop: the suite without browser, subprocess and slow tests, on every core"
	@echo "make lint              ruff (lint and format check) and the layout's import contracts (.importlinter)"
	@echo "make format            ruff: fix what can be fixed and format"
	@echo "make typecheck         mypy on every app, no module with more errors than tools/mypy-baseline.json"
	@echo "make check-migrations  fail if the models need a migration that is not written"
	@echo "make check-deploy      Django's deployment checklist with production settings"
	@echo "make ci                all the checks, then the suite on SQLite with coverage"
	@echo "make messages          update the Chinese catalogue after changing translatable strings"
	@echo "make bench             HTTP load benchmark, directly and through nginx (needs wrk and nginx; about 15 minutes)"
	@echo "make relevance         search relevance benchmark against a BM25 baseline (about a minute)"
	@echo "make clean             remove the virtualenv, caches, node_modules and compiled catalogues"

# Installs are hash-checked: requirements.txt and requirements-dev.txt are lock files generated from the
# .in lists by pip-compile (commands in requirements.in), with each file's SHA-256; pip refuses anything
# else, pip itself included (the venv keeps the pip its Python ships).
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed as $(PYTHON)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --require-hashes -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

$(MO_FILES): %.mo: %.po | $(VENV)/.installed
	DEBUG=true $(MANAGE) compile_translations

$(AXE): package.json package-lock.json
	@if ! command -v npm >/dev/null; then echo "npm not found: the accessibility browser tests will be skipped."; \
	elif npm ci --no-audit --no-fund --loglevel=error; then touch $@; \
	else echo "npm ci failed: the accessibility browser tests will be skipped."; fi

install: $(VENV)/.installed $(MO_FILES)

install-dev: $(VENV)/.installed-dev $(MO_FILES)

# After editing requirements.in or requirements-dev.in: the lock files again, with every file's SHA-256.
# Pins already in a lock are kept; PIP_COMPILE_ARGS="--upgrade-package NAME" moves one on. pip-compile
# resolves for this machine's platform (Linux, CPython 3.11 in CI).
LOCK := $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: install-dev
	$(LOCK) $(PIP_COMPILE_ARGS) -o requirements.txt requirements.in
	$(LOCK) $(PIP_COMPILE_ARGS) -o requirements-dev.txt requirements-dev.in
	$(LOCK) $(PIP_COMPILE_ARGS) -o requirements-rapidocr.txt requirements-rapidocr.in

# After adding or changing translatable strings: update the catalogue, translate, then make install.
messages: install-dev
	DEBUG=true $(MANAGE) makemessages -l zh_Hans --no-location --ignore=.venv --ignore=node_modules --ignore=data

$(DATA)/secret_key:
	@mkdir -p $(DATA)
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

run: install $(DATA)/secret_key
	@$(RUN_ENV) $(MANAGE) migrate --noinput -v0
	@$(RUN_ENV) $(MANAGE) load_demo --if-empty --create-admin
	@$(RUN_ENV) $(MANAGE) collectstatic --noinput -v0
	@echo
	@echo "  Piyao is starting on http://$${BIND:-127.0.0.1:8000}/  (English: http://$${BIND:-127.0.0.1:8000}/en/)"
	@echo "  Staff back end: http://$${BIND:-127.0.0.1:8000}/admin/  user 'admin', password printed above on the first run."
	@echo "  Lost it? make admin-password   Stop with Ctrl+C."
	@$(RUN_ENV) $(MANAGE) read_tip_screenshots --status | sed 's/^/  /'
	@echo
	@# The task queue's worker (screenshots, e-mails) runs beside gunicorn; Ctrl+C reaches both, and the
	@# worker is stopped too if gunicorn exits on its own.
	@$(RUN_ENV) $(MANAGE) run_worker -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/gunicorn

# A new password for a staff account of the local site (STAFF_USER=name for another than admin), with the
# same secret key as make run (manage.py alone would stop with "SECRET_KEY must be set").
admin-password: install $(DATA)/secret_key
	@$(RUN_ENV) $(MANAGE) changepassword "$(STAFF_USER)"

test: install-dev $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

# The inner loop while changing code: no test that drives the browser or starts a process (markers in
# pyproject.toml, checked by tests/conftest.py), in a process per core (TEST_PROCESSES=n for another
# number). make test runs them all before a commit.
TEST_PROCESSES ?= auto
FAST := not browser and not subprocess and not slow
test-fast: install-dev
	$(BIN)/pytest -m "$(FAST)" -n $(TEST_PROCESSES) -q $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# mypy over every app; a module's error count may fall below tools/mypy-baseline.json, never rise.
typecheck: install-dev
	$(BIN)/python tools/mypy_baseline.py

check-migrations: install-dev
	@# An empty database in memory: the check needs none of the local data (and never creates a file).
	DEBUG=true DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run

# Django's deployment checklist with production settings (https by default), a real key and host, one proxy.
check-deploy: install
	DEBUG=false ALLOWED_HOSTS=piyao.example.org TRUSTED_PROXY_COUNT=1 \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	$(MANAGE) check --deploy --fail-level WARNING

# Load benchmark against a hello-world Django app, directly and through nginx (needs wrk and nginx). About 15 minutes.
bench: install-dev
	$(BIN)/python benchmarks/http_bench.py $(BENCH_ARGS)

# Relevance benchmark: the search against a BM25 baseline on a labelled set, on SQLite (about a minute).
# RELEVANCE_ARGS="--postgres postgres://user@host:5432/db --json out.json" adds PostgreSQL and saves.
relevance: install
	$(BIN)/python benchmarks/relevance.py $(RELEVANCE_ARGS)

# The checks, then the suite (on whatever DATABASE_URL says) with the coverage figure printed; below
# [tool.coverage.report] fail_under in pyproject.toml it fails.
ci: lint check-migrations check-deploy typecheck
	$(MAKE) test PYTEST_ARGS="$(PYTEST_ARGS) --cov --cov-report=term:skip-covered"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .coverage node_modules $(MO_FILES)
