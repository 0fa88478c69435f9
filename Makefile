# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
# `make run` is for a developer's machine over plain http on 127.0.0.1.
RUN_ENV := SESSION_COOKIE_SECURE=0 SECRET_KEY="$$(cat instance/secret_key)" \
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: run serve test setup translations extract-messages update-messages bench clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(BIN)/activate
	$(BIN)/pybabel compile --use-fuzzy -d translations -l $* 2>/dev/null || $(BIN)/pybabel compile -d translations -l $*

translations: $(MO_FILES)

instance/secret_key:
	mkdir -p instance
	$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

setup: $(BIN)/activate translations

# The settings of `make run`, kept for the commands run in the project folder afterwards
# (`flask --app wsgi counters` …: Flask's CLI reads .env; the environment wins over it).
# Written once: edit it freely; `rm .env` to start again.
.env: | instance/secret_key
	printf '%s\n' "# This machine's development settings, written by make run." \
		"SECRET_KEY=$$(cat instance/secret_key)" \
		"PUBLIC_BASE_URL=http://127.0.0.1:$(PORT)" "SESSION_COOKIE_SECURE=0" > $@
	chmod 600 $@

run: setup instance/secret_key .env
	$(RUN_ENV) $(FLASK) init-db
	$(RUN_ENV) $(FLASK) demo-data --if-empty
	$(RUN_ENV) $(FLASK) run --port $(PORT)

# Production: migrate, then gunicorn with gunicorn.conf.py (sync workers, BIND, WEB_CONCURRENCY).
# The settings come from the environment: the app refuses to start without SECRET_KEY and
# PUBLIC_BASE_URL. docs/deploy/ has a systemd unit and an nginx site.
serve: setup
	$(FLASK) init-db
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# axe-core for the accessibility tests, from the npm registry (never a CDN at run time).
AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --silent \
		|| echo "npm is not available: the accessibility tests cannot run"

# The suite runs on every core (pytest-xdist), a test file per worker at a time; each worker
# has its own SQLite file, PostgreSQL database and Redis database (tests/conftest.py).
# `make test PYTEST_ARGS="-n0 -k something"` runs in one process.
PYTEST_ARGS ?= -n auto --dist loadfile
test: setup $(AXE)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py

# Translation workflow: extract the strings, merge them into both catalogues, translate, compile.
extract-messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project "Cong gop y" -o translations/messages.pot .

update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo
