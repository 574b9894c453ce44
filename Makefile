# Two commands for a newcomer: `make demo` scores the bundled sample, `make test` runs the tests.
# Both set up a local virtual environment in .venv on first use (Python 3.11+ needed).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DB ?= sample.duckdb

# Prefect runs in its local ephemeral mode (no server to start); keep its files in the project.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: install demo test lint lock audit clean

# Dependencies come at the exact versions in requirements.lock (tested together), then the project
# itself from pyproject.toml with the dev tools and the Dask extra (the tests need both); `pip check` fails the
# install if the two disagree (run `make lock`).
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("xborder-pipeline needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e '.[dev,dask]'
	$(BIN)/python -m pip check
	touch $@

install: $(BIN)/.installed

# Re-resolve the dependencies from pyproject.toml and pin them again.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet '.[dev,dask]'
	(echo "# Exact versions the project is tested with (make lock regenerates this; make install uses it)."; \
	 .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^xborder') > requirements.lock
	rm -rf .lock-venv

# Known vulnerabilities in the pinned dependencies (needs pip-audit's vulnerability service; this
# project's own build machines cannot reach it, so CI does not run this).
audit: install
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit -r requirements.lock --no-deps

demo: install
	$(BIN)/xborder score data/sample/sample_catalogue.csv --db $(DEMO_DB)
	$(BIN)/xborder query "select suitability_band, warehouse_flag, count(*) as listings from latest_scores group by all order by all" --db $(DEMO_DB)

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .prefect build dist *.egg-info .pytest_cache $(DEMO_DB)
