# PerfCycle: `make run` starts everything on a fresh machine; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: extract run test install install-test system-deps frontend migrate messages demo lint bench ci clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.lock
	touch $@

install: $(VENV)/.installed frontend

frontend: node_modules/.installed
node_modules/.installed: package.json
	@command -v npm >/dev/null || { echo "npm is needed for the front-end packages (apt-get install npm)"; exit 1; }
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the product needs: gettext (translations), Pango + a CJK font (PDFs in Chinese).
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -qiE "wqy|noto sans cjk" || missing="$$missing fonts-wqy-microhei"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then echo "Installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

# Chromium for the browser tests (Playwright drives Debian's Chromium; it cannot download its own).
test-browser-deps:
	@command -v chromium >/dev/null || { echo "Installing chromium"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Extract the strings of one app (APP=plans) or of everything (no APP) into the zh-Hans catalogs.
# makemessages writes each app's strings into that app's own locale/ folder.
extract: $(VENV)/.installed
	@ig=(-i .venv -i node_modules -i tests -i bench -i staticfiles); \
	if [ -n "$(APP)" ]; then mkdir -p apps/$(APP)/locale; ig+=(-i 'templates/*.html' -i 'config/*.py')  # not 'dir/*': Django reduces that to any dir of the name; \
	  for d in apps/*/; do n=$$(basename $$d); [ "$$n" = "$(APP)" ] || ig+=(-i "apps/$$n/*"); done; fi; \
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location "$${ig[@]}"

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

migrate: install
	$(PY) manage.py migrate --noinput -v1

demo: migrate
	$(PY) manage.py seed_demo

run: install system-deps messages migrate demo
	@mkdir -p .celery/broker .celery/broker-processed
	@echo ""
	@echo "  PerfCycle is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops the web server, worker and beat)"
	@echo "  Database: $${DATABASE_URL:-SQLite (db.sqlite3)}   Broker: $${REDIS_URL:-filesystem (.celery/broker)}"
	@echo ""
	$(PY) manage.py run_all $(HOST):$(PORT)

install-test: install system-deps test-browser-deps messages

test: install-test
	@if [ -n "$$DATABASE_URL" ]; then db="PostgreSQL ($$DATABASE_URL)"; else db="SQLite"; fi; \
	if [ -n "$$REDIS_URL" ]; then br="eager, plus a real worker on Redis ($$REDIS_URL)"; else br="eager (the real-worker test needs REDIS_URL)"; fi; \
	echo "Tests run on $$db; Celery $$br"
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

# ruff, then the project's own layer check (.ci/layers.py: an upward import between apps fails CI)
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) .ci/layers.py

bench: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf .celery staticfiles
