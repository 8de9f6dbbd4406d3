# policybook — `make build` builds the sample handbook, `make test` runs the tests.
# Both set everything up first on a fresh Debian machine (system packages, .venv).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
SYSTEM := $(VENV)/.system-stamp
PDFJS  := tests/js/node_modules/.package-lock.json

.PHONY: build test fuzz lint bench setup clean

build: $(STAMP)
	$(PY) build.py

test: $(STAMP) $(PDFJS)
	$(PY) -m pytest

# every case of the adversarial corpus and a longer hypothesis run (minutes, not part of `make test`)
fuzz: $(STAMP)
	POLICYBOOK_FUZZ=1 $(PY) -m pytest tests/test_hostile.py tests/test_hostile_surfaces.py tests/test_fuzz.py -q

lint: $(STAMP)
	$(VENV)/bin/ruff check policybook tests bench
	$(VENV)/bin/ruff format --check policybook tests bench
	$(VENV)/bin/mypy policybook

bench: $(STAMP)
	bash scripts/setup-system.sh --bench
	$(PY) bench/run.py

setup: $(STAMP)

$(SYSTEM): scripts/setup-system.sh
	bash scripts/setup-system.sh
	@mkdir -p $(VENV) && touch $@

# pdf.js (pdfjs-dist, pinned by package-lock.json): a real PDF form client for the tests
$(PDFJS): tests/js/package.json tests/js/package-lock.json $(SYSTEM)
	npm ci --prefix tests/js --no-audit --no-fund --silent
	touch $@

$(STAMP): pyproject.toml $(SYSTEM)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip >/dev/null
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m compileall -q policybook  # bytecode, as a regular install has: every command starts sooner
	touch $@

clean:
	rm -rf dist .pytest_cache
