# The README's quick start: `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-next-year lint bench clean

$(VENV)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(PY) run.py --demo-roster

test: $(VENV)/.installed-test
	$(PY) -m pytest

# The suite (but its browser tests) with the clock a year ahead in every Python process it runs
# (tests/timeshift/sitecustomize.py): nothing may depend on the date it runs on.
test-next-year: $(VENV)/.installed-test
	HALLQ_CLOCK_SHIFT_DAYS=365 PYTHONPATH=tests/timeshift $(PY) -m pytest -m "not browser" -q

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed-test
	$(PY) -m bench.issue_rate
	$(PY) -m bench.call_next
	$(PY) -m bench.pad_latency
	$(PY) -m bench.roster
	$(PY) -m bench.planner
	$(PY) -m bench.reports --tickets 2000000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
