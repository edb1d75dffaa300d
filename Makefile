# The commands the README gives. `make run` and `make test` work on a fresh clone of a fresh
# Debian machine: they create .venv, install what pyproject.toml pins, and go.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: run test test-fast lint format bench worker clean system-deps

# WeasyPrint needs Pango and a font; Debian's venv needs python3-venv. Installed only if missing
# (and only when we may: root with apt-get).
system-deps:
	@missing=""; \
	$(PYTHON) -c "import ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; \
		fi; \
	fi

$(BIN)/python:
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q ".[test]"
	@touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_cac_defaults
	$(BIN)/python manage.py runserver $(HOST)

# On SQLite each test process has its own in-memory database: the suite runs on two processes.
# On PostgreSQL (CI) it runs in one: the tests of the real Celery worker share its broker.
TEST_WORKERS ?= $(if $(DATABASE_URL),0,2)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The day-to-day loop: everything but the tests marked slow (the fuzz walks, WeasyPrint's
# batches, the real browser and the real worker), which `make test` still runs.
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The batch's line needs PostgreSQL (DATABASE_URL): a real worker on SQLite would wait on its
# one write lock. It starts and stops its own redis-server and Celery worker.
bench: $(TEST_STAMP)
	@status=0; \
	$(BIN)/python -m tests.bench.receipts || status=1; \
	$(BIN)/python -m tests.bench.reminders || status=1; \
	$(BIN)/python -m tests.bench.batch || status=1; \
	$(BIN)/python -m tests.bench.pages || status=1; \
	exit $$status

worker: $(STAMP)
	$(BIN)/celery -A cac_portal worker -l info

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
