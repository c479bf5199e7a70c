# Verdicts: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Embedded defaults for local work: SQLite in var/, eager tasks, console email.
LOCAL_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run test install lint format bench clean

# Links in emails, feeds, canonical and og:image URLs point at the server
# `make run` starts, unless SITE_URL says otherwise.
RUN_ENV := $(LOCAL_ENV) SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

run: install
	@mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@$(RUN_ENV) $(BIN)/python manage.py ensure_local_admin --url http://$(HOST):$(PORT)/admin/
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(LOCAL_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(LOCAL_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(PIP_STAMP) $(NPM_STAMP)

$(PIP_STAMP): requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf $(VENV) node_modules var/static

# Send one issue to N subscribers through Redis, PostgreSQL and two Celery
# worker processes to a local SMTP server; prints emails/s and peak memory.
N ?= 10000
.PHONY: bench-newsletter
bench-newsletter: install
	$(BIN)/python bench/newsletter.py --subscribers $(N)

# Serve the site with gunicorn and load each reader page and the vote
# endpoint with wrk, at demo size and at scale; prints one table.
.PHONY: bench-pages
bench-pages: install
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

bench: bench-newsletter bench-pages
