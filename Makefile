# Commands for a newcomer on a fresh machine with Python 3.10+:
#   make lab      JupyterLab on notebooks/                (installs deconvlib[notebooks])
#   make present  one notebook as an app, code hidden     (installs deconvlib[present])
#   make test     every test: doctests, unit and property tests, notebooks (nbval), browser
#   make check    the fast lane: core, properties, references, doctests, lint (no notebooks, no browser)
#   make book     the course as a static book in _book/, no kernel needed (installs deconvlib[book])
#   make html     every notebook as HTML in _html/, formulas typeset offline
# Each builds .venv first when it is missing, or installs what it needs when pyproject.toml is newer than
# its stamp: lab and present only their extra, test and check the test tools too.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LAB_STAMP     := $(VENV)/.installed-notebooks
PRESENT_STAMP := $(VENV)/.installed-present
BOOK_STAMP    := $(VENV)/.installed-book
# make test and make check: every extra (the notebooks, their presentation, the book and the test tools)
ALL_EXTRAS    := notebooks,test,present,book

.PHONY: lab present test check lint notebooks teacher nbgrader nbgrader-students otter formula-sheet bench clean book html serve-book

# $(call install,EXTRAS): the venv, then deconvlib (editable) with EXTRAS; the target is the stamp.
define install
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(1)]'
	touch $@
endef

$(STAMP): pyproject.toml
	$(call install,$(ALL_EXTRAS))

$(LAB_STAMP): pyproject.toml
	$(call install,notebooks)

$(PRESENT_STAMP): pyproject.toml
	$(call install,present)

$(BOOK_STAMP): pyproject.toml
	$(call install,book)

# Jupyter refuses to run as root without --allow-root (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(LAB_STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

# One notebook as an app for a projector (Voilà): its text, outputs, sliders and figures, no code.
#   make present NB=05_shape_arithmetic.ipynb PORT=8867
# Voilà prints the URL to open; no browser is started. Unlike Jupyter it runs as root as it is
# (it has no --allow-root and refuses the flag), so ROOT_FLAG is not passed.
NB   ?= 01_start_here.ipynb
PORT ?= 8866
present: $(PRESENT_STAMP)
	$(VENV)/bin/voila notebooks/$(NB) --no-browser --strip_sources=True --Voila.ip=127.0.0.1 --port=$(PORT)

# The slowest 15 tests are listed at the end (--durations, in pyproject.toml's addopts).
test: $(STAMP)
	$(PY) -m pytest

# The inner loop, under 90 s: everything but the notebooks, the explorers' widgets and the browsers.
CHECK := deconvlib tests/core tests/properties tests/references tests/test_architecture.py tests/test_lint.py \
	tests/test_packaging.py
check: $(STAMP)
	$(PY) -m pytest $(CHECK)

# Re-execute the notebooks in place (after a change to the library or a notebook), run-specific metadata stripped.
notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py

# The teacher's edition: every exercise answered (tools/solutions.py) and executed, in teacher/.
teacher: $(STAMP)
	$(PY) tools/teacher_edition.py teacher

# The one-page printable formula sheet (docs/teaching.md): docs/formula_sheet.html, its worked example computed.
formula-sheet: $(STAMP)
	$(PY) tools/formula_sheet.py docs/formula_sheet.html

# The course as graded assignments (docs/grading.md), one per notebook with exercises, from the same
# solutions: an nbgrader course directory (source/<assignment>/, nbgrader_config.py) and otter-grader
# master notebooks. Then, in $(GRADING_OUT): nbgrader generate_assignment <assignment>; otter assign.
# SEEDS=alice,bob: each student's own numbers (course.variant) are checked; after generate_assignment,
# `make nbgrader-students SEEDS=alice,bob` writes each student's release in $(GRADING_OUT)/release-students/.
GRADING_OUT ?= grading
SEEDS ?=
nbgrader: $(STAMP)
	$(PY) tools/grading.py nbgrader $(GRADING_OUT)$(if $(SEEDS), --seeds $(SEEDS))

nbgrader-students: $(STAMP)
	$(PY) tools/grading.py personalise $(GRADING_OUT) --seeds $(SEEDS)

otter: $(STAMP)
	$(PY) tools/grading.py otter $(GRADING_OUT)/otter$(if $(SEEDS), --seeds $(SEEDS))

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The last line: every lesson in JupyterLab, each explorer's slider latency in the browser (README "Speed").
bench: $(STAMP)
	$(PY) benchmarks/bench_conv_transpose.py
	$(PY) benchmarks/bench_slider_latency.py
	$(PY) -m pytest tests/course/test_browser.py --latency -s -q -n0

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis

# The course as a book in _book/ (tools/build_book.py: Sphinx + myst-nb, the stored outputs, nothing executed,
# MathJax from npm into build/site/downloads/ once, then offline; a warning fails it). Every page has a
# "Run it live" button into the site at lite/ beside the book: make serve-book shows them together.
#   make book BINDER=owner/repo   adds an "Open on Binder" button to every notebook's page
BINDER ?=
book: $(BOOK_STAMP)
	$(PY) tools/build_book.py$(if $(BINDER), --binder $(BINDER))

# Every notebook as HTML in _html/ with MathJax beside it (tools/export_html.py): formulas without network.
html: $(LAB_STAMP)
	$(PY) tools/export_html.py

# The course as a JupyterLite site in _site/, nothing to install for students (tools/build_site.py
# needs only Python and npm; it builds its own venv in build/site/). PYODIDE=offline (default):
# everything served by the site itself, cross-origin isolated (Kernel > Interrupt works; NO_ISOLATE=1
# builds it without); PYODIDE=cdn: current JupyterLite, Pyodide from jsdelivr, never isolated.
PYODIDE ?= offline
NO_ISOLATE ?=
SITE_PORT ?= 8000
.PHONY: site serve-site

site:
	$(PYTHON) tools/build_site.py --pyodide $(PYODIDE)$(if $(NO_ISOLATE), --no-isolate)

# A graded site in _site-graded/ (docs/grading.md "With the site"): nbgrader's release of every assignment
# (make nbgrader, then nbgrader generate_assignment each) served as the site, so that what a student hands in
# with course.hand_in() is what nbgrader autograde takes. Needs nbgrader (NBGRADER=/path/to/nbgrader).
NBGRADER ?= nbgrader
.PHONY: site-graded
site-graded: nbgrader
	@command -v $(NBGRADER) >/dev/null || { echo "make site-graded needs nbgrader: pip install nbgrader==0.9.6"; exit 1; }
	cd $(GRADING_OUT) && for a in source/*/; do $(NBGRADER) generate_assignment "$$(basename $$a)" --force || exit 1; done
	$(PYTHON) tools/build_site.py --pyodide $(PYODIDE) --notebooks $(GRADING_OUT)/release --output _site-graded$(if $(NO_ISOLATE), --no-isolate)

# The site on http://127.0.0.1:$(SITE_PORT)/ with the headers a host should send (tools/serve_site.py: a cache
# policy, gzip, COOP/COEP for an isolated site; NO_ISOLATE=1: neither built nor served isolated); README
# "Hosting the course" has them for other hosts.
serve-site: site
	$(PYTHON) tools/serve_site.py --directory _site --port $(SITE_PORT)$(if $(NO_ISOLATE), --no-isolate)

# The book with the site under it at lite/, as the deploy publishes them, on http://127.0.0.1:$(SITE_PORT)/
# (COOP/COEP too, unless NO_ISOLATE=1: the folder _book/ has no site stamp to tell).
serve-book: book site
	ln -sfn ../_site _book/lite
	$(PYTHON) tools/serve_site.py --directory _book --port $(SITE_PORT)$(if $(NO_ISOLATE), --no-isolate)
