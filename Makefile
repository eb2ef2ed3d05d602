# One place for every command the README gives. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
# nbgrader runs `alembic` by name: the environment's bin/ must be on PATH.
export PATH := $(BIN):$(PATH)

STAMP := $(VENV)/.installed

.PHONY: setup lab test test-fast data release bundle book bench clean hub hub-setup

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(STAMP)  ## create .venv and install the course with its test tools

# Served from the course root (so nbgrader's Formgrader finds nbgrader_config.py), opened on chapters/,
# with the course's JupyterLab defaults (lab/settings: no news pop-up; lab/README.md). Instructors
# keep every nbgrader extension; the student bundle installs lab/student/ as well.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: setup  ## open the course in JupyterLab
	$(BIN)/jupyter lab --ServerApp.root_dir=. --ServerApp.default_url=/lab/tree/chapters \
		--LabApp.app_settings_dir=$(CURDIR)/lab/settings $(LAB_ARGS)

test: setup  ## run the whole test suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: setup  ## skip the tests that start kernels or nbgrader
	$(BIN)/python -m pytest -m "not slow"

data: setup  ## regenerate the shipped shop data in datasets/
	$(BIN)/python -m crm_lab.data build datasets

release: setup  ## regenerate chapters/ from solutions/ with nbgrader
	$(BIN)/python -m grader release

bundle: setup  ## build the student bundle dist/crm-course-student.zip
	$(BIN)/python -m grader bundle dist/crm-course-student.zip

book: setup  ## build the self-learners' book (chapters run, with outputs) into _build/book/ (Chinese: _build/book/zh/)
	$(BIN)/python -m book

bench: setup  ## run the benchmarks (they print figures)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# JupyterHub's proxy (configurable-http-proxy) comes from npm, pinned by hub/package-lock.json.
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy
$(HUB_PROXY): hub/package.json hub/package-lock.json
	npm ci --prefix hub --no-audit --no-fund --loglevel=error
	touch $@

hub-setup: setup $(HUB_PROXY)  ## install JupyterHub and its proxy (no hub started)

# Settings: CRM_HUB_STUDENTS, CRM_HUB_INSTRUCTORS, CRM_HUB_AUTH... (hub/jupyterhub_config.py).
hub: hub-setup  ## start the course's JupyterHub for a small class on this machine
	$(BIN)/jupyterhub -f hub/jupyterhub_config.py

clean:
	rm -rf $(VENV) dist .pytest_cache
