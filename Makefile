# claimtrack: `make run` to try it, `make test` to check it. Only Python 3.11 is needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install migrate demo lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The interface's translation catalogues: .po in the repository, .mo built here (polib, no gettext).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

# Reinstall whenever the lock file changes.
$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	DEBUG=1 $(BIN)/python manage.py compile_catalogues
	touch $(STAMP)

# A catalogue is compiled again whenever its .po changes.
%.mo: %.po | $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compile_catalogues $<

install: $(STAMP) $(MO_FILES)

# The embedded default: SQLite in the project folder, Celery on a folder of message files.
run: export DEBUG ?= 1
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py loaddemo
	@echo ""
	@echo "  claimtrack is starting: open http://127.0.0.1:8000/ and log in with a demo user above."
	@echo "  Admin: http://127.0.0.1:8000/admin/ (user admin). Ctrl-C stops web, worker and beat."
	@echo ""
	$(BIN)/honcho --procfile Procfile.dev start

# ruff, and the layering contract of pyproject.toml ([tool.importlinter]): a new upward import fails.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Rewrite requirements.lock from pyproject.toml's pinned direct dependencies.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade "pip==25.3"
	.venv-lock/bin/python -m pip install --quiet ".[dev]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^claimtrack' > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
