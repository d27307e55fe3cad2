# Set-up, run and test. `make run` and `make test` install whatever is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
DIST := tracker/static/dist
SECRET_FILE := instance/secret_key
DEMO_PASSWORD ?= demo-password-2026
# the local demo: plain http, and two-step verification optional so that the demo leader and admin sign in with the
# password alone (a real installation requires it of leaders and admins: TRACKER_TWO_STEP_REQUIRED_ROLES)
LOCAL_ENV = SECRET_KEY="$$(cat $(SECRET_FILE))" TRACKER_SECURE_COOKIES=0 TRACKER_TWO_STEP_REQUIRED_ROLES=

# the port make run serves on: make run PORT=8000 when 5000 is taken
PORT ?= 5000

.PHONY: help install run test lint bench loadtest check-system check-test-system assets clean secret-key

help:
	@echo "make run    install what is missing, migrate, load the demo and serve http://127.0.0.1:5000 (PORT=8000 for another port)"
	@echo "make test   install what is missing, then the guards (make lint) and every test"
	@echo "make lint   the guards alone: ruff's lint and format check (lines of at most 110 characters),"
	@echo "            import-linter's layering contracts and mypy on tracker/"
	@echo "make bench  generate county and region data, time pages, exports, a 200 MB upload and throughput:"
	@echo "            writes bench/results.md and bench/results.json (BENCH_DATABASE_URL=postgresql://... adds PostgreSQL)"
	@echo "make loadtest  50 people at once for 60 s against gunicorn (4 workers) on SQLite and PostgreSQL, with a worker"
	@echo "            killed and PostgreSQL restarted part-way; checks every accepted write is in the database and the audit"
	@echo "            chain is whole: writes loadtest/results.md and .json (LOADTEST_DATABASE_URL=none: SQLite only; about 10 min)"

# The Debian packages each target needs, each looked for by a file it installs. Running the service (make install):
# python3-venv where Debian's Python lacks venv, libmagic1 (python-magic recognises uploads by their content) and the
# fonts Typst sets the PDFs in, fonts-noto-core (Noto Sans with the scripts of English councils' community languages)
# and fonts-noto-color-emoji. Testing, besides (make test): poppler-utils (the tests read the PDFs back with pdftotext,
# a real reader that follows the tagged text), chromium for the browser tests and redis-server for the sign-in
# throttling test.
NOTO := /usr/share/fonts/truetype/noto

# $(call apt_install,PACKAGES): install Debian packages that are missing: as root, or with sudo when it works
# without asking (sudo -n); otherwise print the one apt-get line to run and stop
define apt_install
if [ "$$(id -u)" = 0 ]; then sudo=""; \
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
  else echo "These Debian packages are missing. Install them as root, then run make again:"; \
    echo "apt-get install -y$(1)"; exit 1; fi; \
command -v apt-get >/dev/null 2>&1 || { echo "apt-get is not here: install the packages$(1) and run make again."; exit 1; }; \
echo "Installing$(1) with $${sudo:+sudo }apt-get"; \
{ $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$(1) >/dev/null; } \
  || { echo "Could not install$(1): run apt-get install -y$(1) as root and try again."; exit 1; }
endef

check-system:
	@command -v python3.11 >/dev/null 2>&1 || python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	  || { echo "Python 3.11 or newer is needed: install python3.11 and try again."; exit 1; }
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to build the GOV.UK styles: install nodejs and npm and try again."; exit 1; }
	@missing=""; \
	  [ -x $(PY) ] || $$(command -v python3.11 || command -v python3) -c 'import ensurepip' 2>/dev/null \
	    || missing="$$missing python3-venv"; \
	  { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q 'libmagic\.so\.1 ' || missing="$$missing libmagic1"; \
	  [ -f $(NOTO)/NotoSans-Regular.ttf ] || missing="$$missing fonts-noto-core"; \
	  [ -f $(NOTO)/NotoColorEmoji.ttf ] || missing="$$missing fonts-noto-color-emoji"; \
	  [ -z "$$missing" ] || { $(call apt_install,$$missing); }

# what make test needs beyond make install: chromium and redis-server are not looked for when TRACKER_CHROMIUM or
# TEST_REDIS_URL points to one elsewhere
check-test-system: check-system
	@missing=""; \
	  command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	  [ -n "$$TRACKER_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	  [ -n "$$TEST_REDIS_URL" ] || command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	  [ -z "$$missing" ] || { $(call apt_install,$$missing); }

install: check-system $(VENV)/.installed node_modules/.installed $(DIST)/.built

$(VENV)/.installed: pyproject.toml
	@PYTHON=$$(command -v python3.11 || command -v python3); \
	  [ -x $(PY) ] || $$PYTHON -m venv $(VENV) || { echo "Could not create $(VENV): install the python3-venv package."; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(DIST)/.built: node_modules/.installed package.json tracker/static/src/app.scss tracker/static/src/app.mjs
	@mkdir -p $(DIST)/assets/images
	npx sass --no-source-map --load-path=. --style=compressed --quiet-deps tracker/static/src/app.scss $(DIST)/app.css 2>/dev/null \
	  || npx sass --no-source-map --load-path=. --style=compressed tracker/static/src/app.scss $(DIST)/app.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(DIST)/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js $(DIST)/
	cp node_modules/@ministryofjustice/frontend/moj/assets/images/*.svg $(DIST)/assets/images/
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css $(DIST)/
	cp tracker/static/src/app.mjs $(DIST)/app.mjs
	@touch $@

assets: $(DIST)/.built

# the key that signs every session, for its owner only: made under umask 077 (the file 600, a new instance/ 700), and
# an existing key that other users could read is narrowed to 600, saying so
secret-key:
	@umask 077 && mkdir -p instance && { [ -s $(SECRET_FILE) ] || $(PY) -c 'import secrets; print(secrets.token_hex(32))' > $(SECRET_FILE); }
	@if [ -n "$$(find $(SECRET_FILE) -perm /077)" ]; then chmod 600 $(SECRET_FILE); \
	  echo "$(SECRET_FILE) could be read by other users: it is now for its owner only (600)."; fi

run: install secret-key
	@$(LOCAL_ENV) $(FLASK) db upgrade
	@$(LOCAL_ENV) DEMO_PASSWORD="$(DEMO_PASSWORD)" $(FLASK) demo load --if-empty
	@echo ""
	@echo "Inspection Readiness Tracker: http://127.0.0.1:$(PORT)"
	@echo "Sign in with any of these (password: $(DEMO_PASSWORD)):"
	@echo "  leader@demo.example   head of SEND: the whole plan, reviews evidence"
	@echo "  officer@demo.example  service manager: owns actions, attaches evidence"
	@echo "  viewer@demo.example   SEND board member: reads the plan"
	@echo "  admin@demo.example    system owner: manages users"
	@echo "Two-step verification is optional in this demo (TRACKER_TWO_STEP_REQUIRED_ROLES is empty); a real"
	@echo "installation requires it of leaders and admins by default."
	@echo ""
	@$(LOCAL_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The guards, fast, before any test runs; their settings are in pyproject.toml. One line each:
# ruff, lint and format, lines of at most 110 characters; import-linter, imports point down the stack
# (docs/architecture.md); mypy on tracker/, with its cache in .mypy_cache
lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy tracker

test: check-test-system install lint
	@[ -n "$$TEST_REDIS_URL" ] || $(PY) -c 'import redis; redis.Redis(socket_connect_timeout=2).ping()' 2>/dev/null \
	  || { command -v redis-server >/dev/null 2>&1 && redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null && sleep 1; } \
	  || { echo "Redis is needed on 127.0.0.1:6379 for the sign-in throttling test: apt-get install redis-server (or set TEST_REDIS_URL)."; exit 1; }
	$(VENV)/bin/pytest

bench: install
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) -m bench

$(VENV)/.installed-load: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,load]'
	@touch $@

# PostgreSQL: LOADTEST_DATABASE_URL from the environment, or tracker_loadtest on 127.0.0.1:5432 when it answers there
loadtest: install $(VENV)/.installed-load
	$(PY) -m loadtest

clean:
	rm -rf $(VENV) node_modules $(DIST)
