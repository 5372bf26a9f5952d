# Two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := out/demo.db
DEMO_REPORT := out/demo-report.html

.PHONY: demo test setup browser lint clean benchmarks

setup: $(STAMP)

# The trained models are packages of their own (models/, models/pairs/) that parallax requires by folder, so
# the first pip call installs them too; the second makes them editable (a model file changed in models/ is
# read at once). One call cannot do both: pip refuses `-e ./models` beside a requirement on ./models itself.
$(STAMP): pyproject.toml models/pyproject.toml models/pairs/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "parallax needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps -e ./models -e ./models/pairs
	touch $(STAMP)

# Debian's Chromium drives the browser tests (Playwright uses it through executable_path; nothing is downloaded).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

demo: $(STAMP)
	@mkdir -p out
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/parallax --db $(DEMO_DB) ingest examples/
	$(BIN)/parallax --db $(DEMO_DB) analyze
	$(BIN)/parallax --db $(DEMO_DB) stories
	$(BIN)/parallax --db $(DEMO_DB) report "$$($(BIN)/parallax --db $(DEMO_DB) stories --format json | $(BIN)/python -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')" --format html -o $(DEMO_REPORT)
	@echo
	@echo "Report written to $(abspath $(DEMO_REPORT))"
	@echo "Browse every story with: $(BIN)/parallax --db $(DEMO_DB) serve   (then open http://127.0.0.1:8000)"

test: $(STAMP) browser
	$(BIN)/ruff check src tests
	$(BIN)/python -m pytest -q -p no:cacheprovider; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests were collected"; exit 1; fi; exit $$status

lint: $(STAMP)
	$(BIN)/ruff check src tests

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/ingest_analyze.py

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info
