# The two set-up commands: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements/dev.txt | cut -c1-12)

.PHONY: run test lint format bench install migrate messages lock clean audit check-deploy

$(STAMP): requirements/dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

## make run: venv, install, migrate, demo data, then web + Celery worker with beat (Ctrl-C stops all)
run: migrate
	$(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} bash scripts/run.sh

## make test: the whole suite; PostgreSQL/Redis/browser tests run where reachable, else skip
test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

## make audit: known vulnerabilities in the locked requirements (pip-audit; see scripts/audit.py)
audit: install
	$(BIN)/python scripts/audit.py

## make check-deploy: Django's deployment checks with production-like settings, warnings fail
check-deploy: install
	env DJANGO_SETTINGS_MODULE=config.settings DJANGO_DEBUG=0 DJANGO_REQUIRE_SECRET_KEY=1 \
	  DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  DJANGO_ALLOWED_HOSTS=zapisy.mok.example.pl DJANGO_CSRF_TRUSTED_ORIGINS=https://zapisy.mok.example.pl \
	  DJANGO_HTTPS=1 $(BIN)/python manage.py check --deploy --fail-level WARNING

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m benchmarks

messages: install
	$(BIN)/python manage.py makemessages -l pl -l en --no-obsolete --ignore=.venv --ignore=var --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv

lock: install
	cd requirements && ../$(BIN)/pip-compile -q --allow-unsafe --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile -q --allow-unsafe --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links -o dev.txt dev.in

clean:
	rm -rf var/db.sqlite3* var/broker var/staticfiles
