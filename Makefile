# Quick start: `make run` serves the demo portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format demo bench clean messages compilemessages api-fuzz page-sweep

install: $(VENV)/.installed compilemessages

# Translations (docs/i18n.md): the .po catalogues are committed, the .mo files compiled here (needs gettext).
LANGS := es pt pt_BR ro
# Without gettext (msgfmt) the portal still runs, in English only: say so rather than fail `make run`.
compilemessages: $(VENV)/.installed-run
	@if command -v msgfmt >/dev/null; then \
	  $(PY) manage.py compilemessages --ignore=.venv --ignore=staticfiles -v0; \
	else \
	  echo "gettext (msgfmt) is not installed: pages stay in English (apt-get install gettext, then make compilemessages)"; \
	fi

# After changing or merging templates: mark new text, then refresh every catalogue (translate the new entries).
messages: $(VENV)/.installed
	$(PY) manage.py templates_i18n --mark
	$(PY) manage.py makemessages $(addprefix -l ,$(LANGS)) -e html,txt,py --ignore=.venv --ignore=staticfiles \
	  --ignore=tests --ignore=bench --ignore=static --no-obsolete --add-location=file -v0
	$(PY) manage.py makemessages -d djangojs $(addprefix -l ,$(LANGS)) --ignore=.venv --ignore=staticfiles \
	  --ignore=tests --ignore=bench --ignore=static/vendor --no-obsolete --add-location=file -v0
	$(PY) manage.py compilemessages --ignore=.venv --ignore=staticfiles -v0

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@ $(VENV)/.installed-run

# Serving needs only the runtime dependencies: a fresh clone's `make run` skips the test and lint tools.
$(VENV)/.installed-run: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -e .
	touch $@

# The server starts at once: migrations and the demo load run beside it (log: demo-load.log) and every page says
# "demo data still loading (N%)" until the demo is in (abe/demo_loading.py; docs/performance.md "First run").
# With REDIS_URL the Celery workers need the tables, so migrations run first there.
DEMO_PROGRESS ?= $(or $(ABE_DEMO_PROGRESS_FILE),demo-loading.json)
run: $(VENV)/.installed-run compilemessages
	@if [ -n "$$REDIS_URL" ]; then $(PY) manage.py migrate --noinput; fi
	@echo ""
	@echo "  ABE Portal: http://$(HOST):$(PORT)/"
	@echo "  Logins: admin / marketing / sales / viewer, password: $${ABE_DEMO_PASSWORD:-demo}"
	@echo "  API docs: http://$(HOST):$(PORT)/api/docs/"
	@echo "  Migrations and the demo load run beside the server (log: demo-load.log); the pages show their progress."
	@echo ""
	@if [ -n "$$REDIS_URL" ]; then MIGRATE=; else MIGRATE=--migrate; fi; \
	( $(PY) manage.py load_demo --if-empty --progress $$MIGRATE > demo-load.log 2>&1 \
	  || echo "  make run: the migrations or the demo load failed; see demo-load.log" >&2 ) & \
	LOAD=$$!; \
	printf '{"step": "starting", "percent": 0, "pid": %s}' $$LOAD > "$(DEMO_PROGRESS)"; \
	if [ -n "$$REDIS_URL" ]; then \
	  echo "  REDIS_URL is set: starting Celery workers (deliveries+default with beat; scoring+imports) (log: celery.log)"; \
	  $(VENV)/bin/celery -A abe worker -B -Q deliveries,default -n fast@%h --loglevel=INFO --concurrency=1 >> celery.log 2>&1 & \
	  FAST=$$!; \
	  $(VENV)/bin/celery -A abe worker -Q scoring,imports -n bulk@%h --loglevel=INFO --concurrency=1 >> celery.log 2>&1 & \
	  BULK=$$!; \
	  trap 'pkill -P $$LOAD 2>/dev/null; kill $$FAST $$BULK 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT); \
	else \
	  trap 'pkill -P $$LOAD 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT); \
	fi

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# The API contract: schemathesis (every check, 25 examples per operation) against a live gunicorn on a fresh
# PostgreSQL database (FUZZ_DB, default abe_fuzz). Needs PostgreSQL on 127.0.0.1; see docs/api.md.
api-fuzz: install
	.ci/schemathesis.sh

# Every page with junk query strings and every form posted with junk values: no server error (docs/ui.md).
page-sweep: install
	.ci/page_sweep.sh

# Guardrails (docs/architecture.md): style, the layer contract between apps, and types.
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

demo: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --reset

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
