# The two commands of the README:
#   make book   set up, execute every chapter at the quick preset, render _build/html
#   make test   set up, run the unit tests and every chapter at the smoke preset
# Everything the project needs is installed here; nothing is assumed on the machine
# except Python 3.11 (or 3.10+), make, and, for the offline MathJax, npm.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
MATHJAX_VERSION := 3.2.2
MATHJAX := _static/mathjax/tex-chtml.js
PRESET ?= quick
# worker processes for the chapters' units of work (a local Dask cluster) and chapters run side by side
WORKERS ?= $(shell nproc 2>/dev/null || echo 1)

.PHONY: book test unit chapters student benchmarks format sysdeps setup clean clean-cache help

help:
	@echo "make book        - set up, run the benchmarks, execute every chapter (PRESET=$(PRESET)), render _build/html (WORKERS=$(WORKERS) processes)"
	@echo "make test        - set up, unit tests + every chapter at the smoke preset (+ headless-browser check)"
	@echo "make unit        - set up, unit tests only (no chapter execution, no browser)"
	@echo "make chapters    - set up, execute every chapter at PRESET=$(PRESET) (no rendering; WORKERS=$(WORKERS) processes)"
	@echo "make student     - the book without exercise solutions, in _build/student"
	@echo "make benchmarks  - set up, run benchmarks/*.py (speed figures into _build/benchmarks)"
	@echo "make setup       - .venv with the pinned requirements, MathJax into _static, system packages"
	@echo "make format      - ruff-format the library, tests, benchmarks and the chapters' code cells (88 columns)"
	@echo "make clean       - remove rendered and executed output (_build/html, src, executed, claims)"
	@echo "make clean-cache - empty the result cache (_build/cache)"
	@echo "make help        - this list"
	@echo "One chapter, other parameters: $(PY) -m deepinfo.run --help (e.g. CHAPTER --preset smoke --set FIELD=VALUE)"

setup: $(STAMP) $(MATHJAX) sysdeps

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e . || $(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# MathJax 3 from the npm registry, served from _static (no CDN at read time; nothing vendored in git).
$(MATHJAX):
	@mkdir -p _build/vendor _static
	cd _build/vendor && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null
	rm -rf _static/mathjax _build/vendor/package
	tar -xzf _build/vendor/mathjax-$(MATHJAX_VERSION).tgz -C _build/vendor package/es5
	mv _build/vendor/package/es5 _static/mathjax
	@test -f $(MATHJAX)

# Debian packages: Fashion-MNIST (full set, offline) and Chromium for the rendering test.
# Skipped with a message where apt-get is not available (the chapters then say which
# dataset they substituted, and the browser test reports why it was skipped).
sysdeps: _build/.sysdeps
_build/.sysdeps:
	@mkdir -p _build
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  if ! dpkg -s dataset-fashion-mnist chromium >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      dataset-fashion-mnist chromium >/dev/null || exit 1; \
	  fi; \
	else echo "sysdeps: no root apt-get here; install Fashion-MNIST into data/fashion-mnist and chromium by hand (see README)"; fi
	@touch $@

test: setup
	$(PY) -m pytest tests -q

unit: setup
	$(PY) -m pytest tests -q -m "not chapter and not browser"

chapters: setup
	$(PY) -m deepinfo.run --preset $(PRESET) --workers $(WORKERS)

# the benchmarks run first, on a machine not yet busy with chapters: the performance page
# of the book is rendered from the figures they write to _build/benchmarks
book: benchmarks
	$(PY) -m deepinfo.run --preset $(PRESET) --workers $(WORKERS) --build-book

student: setup
	$(PY) -m deepinfo.classroom --out _build/student

benchmarks: setup
	@for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

format: setup
	$(VENV)/bin/ruff format lib tests benchmarks
	$(PY) -m deepinfo.chapter_format

clean:
	rm -rf _build/html _build/src _build/executed _build/claims _build/.doctrees _build/jupyter_execute

clean-cache:
	rm -rf _build/cache
