# The two commands: `make run` (set up and serve with demo data) and `make test`
# (set up and run the whole suite). Everything else here serves those two.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
PYTEST_ARGS ?=

.PHONY: run test lint format check-migrations install install-dev clean messages

$(PY):
	$(PYTHON) -m venv $(VENV)

# A developer's local settings: DEBUG on. The real environment always wins over it.
.env:
	printf '# Local settings for development (see .env.example); the environment overrides them.\nDEBUG=1\n' > .env

$(VENV)/.runtime-installed: requirements.txt | $(PY) .env
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY) .env
	$(PIP) install -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

## Serve the site on 127.0.0.1:8000 with demo data (SQLite, mail written to var/mail/),
## running the cron jobs every minute in the background.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 bash scripts/serve-dev.sh

## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run core api web blog
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Re-extract the translatable strings into locale/ru/LC_MESSAGES/django.po and compile
## them (needs GNU gettext). Both files are committed: running the site needs no gettext.
messages: install-dev
	DEBUG=1 $(PY) manage.py makemessages -l ru --add-location=file --ignore=.venv --ignore=staticfiles --ignore=test-artifacts --ignore=bench
	DEBUG=1 $(PY) manage.py compilemessages -l ru --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
