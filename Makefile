# Two commands for a newcomer on a fresh machine with Python 3.10+:
#   make lab    JupyterLab on notebooks/
#   make test   every test: doctests, unit and property tests, notebooks (nbval), browser
# Both build .venv from pyproject.toml first when it is missing or older.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab present test lint notebooks teacher bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[notebooks,test,present]'
	touch $(STAMP)

# Jupyter refuses to run as root without --allow-root (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

# One notebook as an app for a projector (Voilà): its text, outputs, sliders and figures, no code.
#   make present NB=05_shape_arithmetic.ipynb PORT=8867
# Voilà prints the URL to open; no browser is started. Unlike Jupyter it runs as root as it is
# (it has no --allow-root and refuses the flag), so ROOT_FLAG is not passed.
NB   ?= 01_start_here.ipynb
PORT ?= 8866
present: $(STAMP)
	$(VENV)/bin/voila notebooks/$(NB) --no-browser --strip_sources=True --Voila.ip=127.0.0.1 --port=$(PORT)

test: $(STAMP)
	$(PY) -m pytest

# Re-execute the notebooks in place (after a change to the library or a notebook), run-specific metadata stripped.
notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py

# The teacher's edition: every exercise answered (tools/solutions.py) and executed, in teacher/.
teacher: $(STAMP)
	$(PY) tools/teacher_edition.py teacher

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	$(PY) benchmarks/bench_conv_transpose.py
	$(PY) benchmarks/bench_slider_latency.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis

# The course as a JupyterLite site in _site/, nothing to install for students (tools/build_site.py
# needs only Python and npm; it builds its own venv in build/site/). PYODIDE=offline (default):
# everything served by the site itself; PYODIDE=cdn: current JupyterLite, Pyodide from jsdelivr.
PYODIDE ?= offline
SITE_PORT ?= 8000
.PHONY: site serve-site

site:
	$(PYTHON) tools/build_site.py --pyodide $(PYODIDE)

serve-site: site
	$(PYTHON) -m http.server -d _site $(SITE_PORT)
