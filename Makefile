# The gauge book: everyday commands.
#
#   make lab              open the book in JupyterLab (creates .venv on first use)
#   make test             unit tests + environment/hygiene checks + browser tests, then every
#                         notebook in book/ run top to bottom under nbval
#   make clean-notebooks  clear outputs/execution counts/widget state before committing
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
STAMP     := $(VENV)/.installed
PIP_FLAGS ?= --quiet
# Jupyter refuses to start as root without --allow-root (containers, CI machines).
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

# What `make test` runs (README and .ci/run refer to `make test`, not to these lines).
# Browser tests live in tests/browser/ and skip themselves when /usr/bin/chromium is missing.
TEST_UNIT_CMD := $(BIN)/python -m pytest tests
NBVAL_FLAGS   := --nbval-lax --nbval-current-env --nbval-cell-timeout=120 -p no:cacheprovider
TEST_BOOK_CMD := $(BIN)/python -m pytest $(NBVAL_FLAGS) book

.PHONY: venv $(VENV) lab test test-unit test-book clean-notebooks bench

venv $(VENV): $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install whenever pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[test]'
	touch $(STAMP)

lab: $(STAMP)
	exec $(BIN)/jupyter lab $(LAB_FLAGS) book/

test: test-unit test-book

test-unit: $(STAMP)
	$(TEST_UNIT_CMD)

# pytest exits 5 when it collects nothing (no notebooks yet): fine for this step only.
test-book: $(STAMP)
	@if ! ls book/*.ipynb >/dev/null 2>&1; then \
		echo "book/: no notebooks yet, nothing to run under nbval"; exit 0; fi; \
	echo "$(TEST_BOOK_CMD)"; \
	$(TEST_BOOK_CMD); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "book/: pytest collected no notebooks (exit 5), treated as success"; exit 0; fi; \
	exit $$rc

clean-notebooks:
	$(PYTHON) tools/clear_notebooks.py

bench: $(STAMP)
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
