# Baijia Training — `make run` serves the site, `make test` runs every check. Both set up what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
# System libraries: Pango and HarfBuzz's subsetter for WeasyPrint, CJK fonts for certificates (Noto;
# HanaMin for the rare characters of CJK Extensions A and B), gettext.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-hanazono gettext
# Fault tests (tests/faults) start a private redis-server (pg_dump comes with PostgreSQL itself).
TEST_SYSTEM_PACKAGES := $(SYSTEM_PACKAGES) chromium redis-server
PG_URL ?= postgres://postgres@127.0.0.1:5432/baijia
ARTIFACTS := $(CURDIR)/test-artifacts
export ARTIFACTS_DIR := $(ARTIFACTS)

.PHONY: help
help: ## List the commands
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: run
run: setup db ## Set everything up and serve the site at http://127.0.0.1:8000
	$(PY) manage.py runserver 127.0.0.1:8000

.PHONY: test
# The two passes run side by side, each on its own Redis database: most of each is one busy CPU, and
# there are two. The SQLite pass's output is printed when both are done. The browser journeys (marker
# `journey`, about 3 minutes) run once, in the PostgreSQL pass: they test the pages, not the database.
test: setup-test lint ## Set everything up, lint, then run the whole suite on SQLite and on PostgreSQL
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	@mkdir -p $(ARTIFACTS)
	@echo "== Tests on SQLite (browser journeys: on PostgreSQL only), output in $(ARTIFACTS)/tests-sqlite.log =="
	@TEST_REDIS_DB=14 $(PY) -m pytest -m "not journey" -p no:cacheprovider > $(ARTIFACTS)/tests-sqlite.log 2>&1 & sqlite=$$!; \
	TEST_REDIS_DB=15 $(MAKE) --no-print-directory test-postgres; postgres=$$?; \
	wait $$sqlite; sqlite=$$?; \
	echo "== Tests on SQLite =="; cat $(ARTIFACTS)/tests-sqlite.log; \
	echo "Screenshots and other test artifacts: $(ARTIFACTS)"; \
	if [ $$sqlite -ne 0 ]; then echo "FAILED: the SQLite pass"; fi; \
	if [ $$postgres -ne 0 ]; then echo "FAILED: the PostgreSQL pass"; fi; \
	[ $$sqlite -eq 0 ] && [ $$postgres -eq 0 ]

.PHONY: test-postgres
test-postgres: setup-test ## Run the suite on PostgreSQL (127.0.0.1:5432)
	@if $(PY) -c "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== Tests on PostgreSQL =="; \
		DATABASE_URL=$(PG_URL) $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL does not answer at 127.0.0.1:5432, and CI=true needs it."; \
		echo "Start it: pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start"; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL run: nothing answers at 127.0.0.1:5432 (start PostgreSQL to run it)."; \
	fi

.PHONY: lint
lint: $(STAMP) ## ruff check
	$(VENV)/bin/ruff check .

.PHONY: setup setup-test db
setup: system-packages $(STAMP) $(MO_FILES) signing-key ## Virtualenv, packages, system libraries, translations, signing key

setup-test: setup node_modules/.package-lock.json
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(TEST_SYSTEM_PACKAGES)"

# Test-only tools from the npm registry (axe-core, which the browser tests inject into each page),
# exactly as package-lock.json pins them.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 with npm (e.g. apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund

db: $(STAMP) $(MO_FILES) ## Migrate and load the demo data
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

# The Ed25519 key that signs certificates' credentials: created once (var/keys/, mode 0600, never in git),
# then kept; CREDENTIAL_SIGNING_KEY in the environment overrides it.
.PHONY: signing-key
signing-key: $(STAMP)
	$(PY) manage.py create_signing_key

.PHONY: system-packages
system-packages:
	@missing=""; for pkg in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing system packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	elif command -v apt-get >/dev/null; then \
		echo "Missing system packages. Install them, then run make again:"; \
		echo "  sudo apt-get install -y$$missing"; exit 1; \
	else \
		echo "This is not Debian or Ubuntu. Install the equivalents of:$$missing"; exit 1; \
	fi

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

%.mo: %.po
	msgfmt --check -o $@ $<

.PHONY: messages
messages: $(STAMP) ## Update the .po files from the code
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'test-artifacts/*' --no-obsolete

.PHONY: prod-check
prod-check: setup ## Django's deployment checks with production settings
	DJANGO_ENV=production SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		ALLOWED_HOSTS=example.org $(PY) manage.py check --deploy --fail-level WARNING

.PHONY: backup restore
BACKUP_DIR ?= backups
backup: $(STAMP) ## Back up the database and media into backups/baijia-<time>.tar (BACKUP_DIR=…)
	$(PY) manage.py backup --output-dir "$(BACKUP_DIR)"

restore: $(STAMP) ## Restore BACKUP=path into an empty database (FORCE=1 replaces what is there)
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=backups/baijia-YYYYmmdd-HHMMSS.tar [FORCE=1]"; exit 1; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

.PHONY: clean
clean: ## Remove the virtualenv, the SQLite database and test artifacts
	rm -rf $(VENV) node_modules db.sqlite3* $(ARTIFACTS) $(MO_FILES)
