.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help requirements upgrade test coverage extract_translations dummy_translations compile_translations \
        build_dummy_translations pull_translations docs test-mariadb test-mariadb-all test-lms test-browser test-tutor dist bench test-fuzz loadtest lighthouse \
        system-requirements quality pii_check migrations-check validate demo clean

# Interpreters of the test matrix.  With pyenv, PYENV_VERSION makes both
# python3.11 and python3.12 resolve through the shims (override it if your
# pyenv has other patch releases, e.g. `make test PYENV_VERSION=3.11.9:3.12.4`).
export PYENV_VERSION ?= 3.11.7:3.12.1
PYTHON311 ?= python3.11
PYTHON312 ?= python3.12

PY_VERSIONS := py311 py312
REQ_FILES := base dev test browser quality mysql ci pip-tools tutor fuzz load dist docs

# Quiet-ish pip: no progress bars, no version nags.
PIP_INSTALL := pip install --quiet --disable-pip-version-check

# Virtualenv holding tox (created with python3.11 from requirements/py311/ci.txt).
TOX_VENV := .venv-tox
TOX := $(TOX_VENV)/bin/tox
TOX_STAMP := $(TOX_VENV)/.installed-ci

# Virtualenv of the local demo.
DEMO_VENV := .venv
DEMO_STAMP := $(DEMO_VENV)/.installed-dev

# Extra arguments for tox, e.g. `make test TOX_ARGS="-- -k nominations"`.
TOX_ARGS ?=

help: ## display this help message
	@echo "Please use \`make <target>' where <target> is one of"
	@awk -F ':.*?## ' '/^[a-zA-Z0-9_-]+:.*?## / {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --------------------------------------------------------------------------
# Virtualenvs (stamp files: pip only runs again when the requirements change)
# --------------------------------------------------------------------------

$(TOX_STAMP): requirements/py311/ci.txt
	@test -x $(TOX_VENV)/bin/python || $(PYTHON311) -m venv $(TOX_VENV)
	$(TOX_VENV)/bin/$(PIP_INSTALL) -r requirements/py311/ci.txt
	@touch $@

$(DEMO_STAMP): requirements/py311/dev.txt setup.py
	@# A plain .venv FILE is a PEP 832 redirect left by an older tox setup: replace it.
	@if [ -f $(DEMO_VENV) ]; then rm -f $(DEMO_VENV); fi
	@test -x $(DEMO_VENV)/bin/python || $(PYTHON311) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/$(PIP_INSTALL) -r requirements/py311/dev.txt
	$(DEMO_VENV)/bin/$(PIP_INSTALL) --no-deps -e .
	@touch $@

.venv-pip-tools-%/.installed: requirements/%/pip-tools.txt
	@test -x .venv-pip-tools-$*/bin/python || python$(subst py3,3.,$*) -m venv .venv-pip-tools-$*
	.venv-pip-tools-$*/bin/$(PIP_INSTALL) -r requirements/$*/pip-tools.txt
	@touch $@

# --------------------------------------------------------------------------
# Requirements
# --------------------------------------------------------------------------

requirements: ## install the dev requirements (+ this package, editable) into the current venv
	@pyver=$$(python -c 'import sys; print(f"py3{sys.version_info[1]}")'); \
	test -f requirements/$$pyver/dev.txt || { echo "No requirements/$$pyver: use Python 3.11 or 3.12"; exit 1; }; \
	set -x; $(PIP_INSTALL) -r requirements/$$pyver/dev.txt && $(PIP_INSTALL) --no-deps -e .

# mysql.in needs libmariadb-dev + pkg-config even to be compiled (mysqlclient
# is an sdist on Linux), hence the system-requirements prerequisite of upgrade.
# pip-compile options: never write this machine's index/find-links settings
# into the committed files; pin pip/setuptools too (--allow-unsafe).
PIP_COMPILE_OPTS := --quiet --upgrade --allow-unsafe --strip-extras --resolver=backtracking \
                    --no-emit-index-url --no-emit-find-links --no-emit-trusted-host

upgrade: export CUSTOM_COMPILE_COMMAND=make upgrade
upgrade: system-requirements $(foreach v,$(PY_VERSIONS),.venv-pip-tools-$(v)/.installed) ## recompile every requirements/py3XX/*.txt from requirements/*.in, upgrading all pins
	@set -e; for v in $(PY_VERSIONS); do \
	    mkdir -p requirements/$$v; \
	    for f in $(REQ_FILES); do \
	        echo "pip-compile [$$v] requirements/$$f.in -> requirements/$$v/$$f.txt"; \
	        .venv-pip-tools-$$v/bin/pip-compile $(PIP_COMPILE_OPTS) \
	            --constraint requirements/constraints-$$v.txt \
	            --output-file requirements/$$v/$$f.txt requirements/$$f.in; \
	    done; \
	done

# --------------------------------------------------------------------------
# Tests and quality
# --------------------------------------------------------------------------

test: $(TOX_STAMP) ## run the test suite: Python 3.11 + Django 4.2 and Python 3.12 + Django 5.2 (SQLite)
	$(TOX) -e py311-django42,py312-django52 $(TOX_ARGS)

coverage: $(TOX_STAMP) ## the SQLite suite on Python 3.12 + Django 5.2 with branch coverage (terminal report and coverage.xml)
	$(TOX) -e py312-django52 -- --cov openedx_distinguished --cov-report term-missing --cov-report xml

test-mariadb: system-requirements $(TOX_STAMP) ## run the test suite against MariaDB on 127.0.0.1:3306 with Python 3.12 + Django 5.2 (DB_HOST/DB_PORT/DB_USER/DB_PASSWORD override; ADR 0023)
	$(TOX) -e py312-django52-mariadb $(TOX_ARGS)

test-mariadb-all: system-requirements $(TOX_STAMP) ## the MariaDB suite on both Python/Django pairs
	$(TOX) -e py311-django42-mariadb,py312-django52-mariadb $(TOX_ARGS)

test-lms: $(TOX_STAMP) ## run the suite with settings like the LMS's: its profile and preference tables, its REST settings, eager Celery
	$(TOX) -e lms $(TOX_ARGS)

test-browser: system-requirements $(TOX_STAMP) ## run the browser tests: Playwright driving Debian's Chromium against a live server
	$(TOX) -e browser $(TOX_ARGS)

dist: $(TOX_STAMP) ## build the release into dist/: sdists and wheels of openedx-distinguished and tutor-contrib-distinguished, twine check, contents check, and the wheel installed alone in a clean venv (django check, migrate, pages served)
	$(TOX) -e dist $(TOX_ARGS)

test-tutor: $(TOX_STAMP) ## run the Tutor plugin's tests (tutor/): render it with tutor and tutor-mfe, parse its widgets and render their slots with the real frontend packages in Node.js
	$(TOX) -e tutor $(TOX_ARGS)

# Sizes of `make bench`: full (the sizes the targets are set for: ~15 min on 2 CPUs) or small (the CI smoke run, <1 min).
BENCH_SCALE ?= full

bench: $(TOX_STAMP) ## run the benchmarks against floors measured in the same run and print the table (BENCH_SCALE=small: smoke run); see docs/performance.rst
	BENCH_SCALE=$(BENCH_SCALE) $(TOX) -e bench $(TOX_ARGS)

lighthouse: system-requirements $(TOX_STAMP) ## audit the demo's hall of fame, a member page, a verification page and the nomination form with Lighthouse (Debian's Chromium)
	$(TOX) -e lighthouse $(TOX_ARGS)

test-fuzz: $(TOX_STAMP) ## fuzz the REST API from its OpenAPI schema (schemathesis) as anonymous, learner and staff; DISTINGUISHED_FUZZ_EXAMPLES per operation (25)
	$(TOX) -e fuzz $(TOX_ARGS)

loadtest: system-requirements $(TOX_STAMP) ## load-test the demo site under gunicorn on MariaDB (a throwaway database); options: TOX_ARGS="-- --duration 30"
	$(TOX) -e load $(TOX_ARGS)

system-requirements: ## apt-get install whatever is missing of libmariadb-dev pkg-config chromium chromium-driver poppler-utils gettext (root only)
	@pkgs="libmariadb-dev pkg-config chromium chromium-driver poppler-utils gettext"; \
	if [ "$$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then \
	    echo "system-requirements: not root or no apt-get; make sure these are installed: $$pkgs"; exit 0; \
	fi; \
	missing=""; \
	for p in $$pkgs; do \
	    dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "system-requirements: all present ($$pkgs)"; exit 0; fi; \
	echo "system-requirements: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y -q $$missing || { apt-get update -q && apt-get install -y -q $$missing; }

quality: $(TOX_STAMP) ## run pylint, pycodestyle, isort, import-linter, the PII annotation check and doc8 (the docs parse)
	$(TOX) -e quality $(TOX_ARGS)

pii_check: $(TOX_STAMP) ## check that every Django model has a PII annotation (pii_report/)
	$(TOX) -e pii_check $(TOX_ARGS)

migrations-check: $(TOX_STAMP) ## fail if the models have changes without a migration (Django 4.2 and 5.2)
	$(TOX) exec -e py311-django42 -- python manage.py makemigrations --check --dry-run
	$(TOX) exec -e py312-django52 -- python manage.py makemigrations --check --dry-run

docs: $(TOX_STAMP) ## build the documentation site into docs/_build/html (Sphinx, warnings are errors; settings, REST API, events, filters and commands generated from the code)
	$(TOX) -e docs $(TOX_ARGS)

validate: test quality migrations-check ## run the tests, the quality checks and the migrations check

# --------------------------------------------------------------------------
# Translations (OEP-58; docs/translations.rst, ADR 0024)
# --------------------------------------------------------------------------

# Where openedx-translations keeps this plugin's catalogues, and where they go in the package.
LOCALE_DIR := openedx_distinguished/conf/locale
ATLAS_SOURCE := translations/openedx-distinguished/openedx_distinguished/conf/locale
# e.g. `make pull_translations ATLAS_OPTIONS="--filter=fr_CA,ar --revision=release/ulmo"`
ATLAS_OPTIONS ?=

extract_translations: system-requirements $(TOX_STAMP) ## write the strings to translate (Python, templates, the MFE widgets) to openedx_distinguished/conf/locale/en/LC_MESSAGES/django.po and djangojs.po
	$(TOX) -e i18n -- extract

dummy_translations: $(TOX_STAMP) ## the eo pseudo-language from the English catalogues (after extract_translations)
	$(TOX) -e i18n -- dummy

compile_translations: system-requirements $(TOX_STAMP) ## msgfmt every catalogue under openedx_distinguished/conf/locale into its .mo
	$(TOX) -e i18n -- compile

build_dummy_translations: extract_translations dummy_translations compile_translations ## extract, make eo and compile: the demo can then be seen in the pseudo-language

pull_translations: system-requirements $(TOX_STAMP) ## atlas pull the plugin's translations from openedx-translations into the package and compile them (ATLAS_OPTIONS)
	find $(LOCALE_DIR) -mindepth 1 -maxdepth 1 -type d -exec rm -r {} +
	rm -rf translations_TEMP  # what an interrupted atlas pull leaves behind
	$(TOX) exec -e i18n -- atlas pull $(ATLAS_OPTIONS) $(ATLAS_SOURCE):$(LOCALE_DIR)
	$(TOX) -e i18n -- compile

# --------------------------------------------------------------------------
# Demo
# --------------------------------------------------------------------------

# Port of the demo (`make demo PORT=8001`); links, badge images and credential ids follow it.
PORT ?= 8000

demo: $(DEMO_STAMP) ## run the demo LMS-like site on http://127.0.0.1:$(PORT) (PORT=8000; venv in .venv)
	DISTINGUISHED_DEMO_PORT=$(PORT) $(DEMO_VENV)/bin/python demo/manage.py migrate --noinput -v 0
	DISTINGUISHED_DEMO_PORT=$(PORT) $(DEMO_VENV)/bin/python demo/manage.py load_distinguished_program -v 0
	DISTINGUISHED_DEMO_PORT=$(PORT) $(DEMO_VENV)/bin/python demo/manage.py seed_demo
	DISTINGUISHED_DEMO_PORT=$(PORT) $(DEMO_VENV)/bin/python demo/manage.py runserver 127.0.0.1:$(PORT)

clean: ## remove generated files (keeps the .venv* virtualenvs; `rm -rf .venv*` for those)
	find . -path ./.tox -prune -o -path './.venv*' -prune -o -name '__pycache__' -type d -print0 | xargs -0 rm -rf
	find . -path ./.tox -prune -o -path './.venv*' -prune -o -name '*.py[co]' -print0 | xargs -0 rm -f
	rm -rf .tox .pytest_cache .coverage .coverage.* coverage.xml htmlcov pii_report \
	       .import_linter_cache test_static default.sqlite3 build dist *.egg-info docs/_build
