PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= auto

.PHONY: run test quality bench install seed worker system-packages loadtest messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian packages (WeasyPrint's libraries, Chromium, poppler): installed when missing.
system-packages:
	bash scripts/system-packages.sh

# The embedded default: SQLite under var/, Celery's filesystem transport (no Redis),
# e-mails and SMS in the development outbox (/dev/outbox/).
run: system-packages $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A mutuelle worker -B -P solo --without-mingle --without-gossip --loglevel=WARNING & \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

seed: $(STAMP)
	$(BIN)/python manage.py seed_demo

# The integration tests start real processes (gunicorn, Celery workers, beat) on the
# test database: they run on their own, after the rest, in a database of their own.
test: system-packages $(STAMP)
	REQUIRE_BROWSER=true DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not integration"
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -p no:xdist -m integration

quality: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check --fail-level WARNING

# The admin's French phrases (locale/fr/LC_MESSAGES/django.po → django.mo, committed).
messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --locale fr --ignore $(VENV)

bench: $(STAMP)
	$(BIN)/python manage.py bench

# gunicorn (production settings) on a 10,000-employee company, locust for 60 s. On the
# embedded SQLite by default; on PostgreSQL: DATABASE_URL=postgres://… make loadtest
# (load_db_ms_per_request from pg_stat_statements when the server preloads it).
loadtest: $(STAMP)
	$(BIN)/python manage.py loadtest
