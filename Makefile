# Vigía: `make run` sets up and runs the bot; `make test` sets up and runs every test.
# Both install exactly what uv.lock pins (uv itself is bootstrapped from the package index).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
RUNTIME_STAMP := $(VENV)/.installed
# uv installs into this venv with the Python that made it, and never downloads a Python.
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(BIN)/uv
# --inexact keeps pip in the venv (and uv until the lock's own uv replaces it).
SYNC := $(UV) sync --locked --inexact --python $(BIN)/python

.PHONY: run test lint bench demo migrate lock clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(RUNTIME_STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(SYNC)
	touch $(RUNTIME_STAMP)

$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(SYNC) --extra test
	touch $(STAMP) $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/python -m bot db upgrade
	$(BIN)/python -m bot run

demo: $(RUNTIME_STAMP)
	$(BIN)/python -m bot demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot storage tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ingest.py

migrate: $(RUNTIME_STAMP)
	$(BIN)/python -m bot db upgrade

# After changing dependencies in pyproject.toml: pin them anew, then commit uv.lock.
lock: | $(BIN)/uv
	$(UV) lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
