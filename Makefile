# Portail Famille: `make run` serves the portal with demo data, `make test` runs the tests.
# Both work on a fresh clone with only Python 3.11 installed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# pip runs again only when pyproject.toml changes.
INSTALLED := $(VENV)/.installed
# Two test processes: the browser and worker tests spend much of their time waiting.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint messages

run: $(INSTALLED)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(INSTALLED)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

# Needs gettext. The compiled .mo files are committed, so running the portal does not.
messages: $(INSTALLED)
	$(PY) manage.py makemessages -l fr -l en --ignore=var --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@
