# Vigía: `make run` sets up and runs the bot; `make test` sets up and runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench demo migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot db upgrade
	$(BIN)/python -m bot run

demo: $(STAMP)
	$(BIN)/python -m bot demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot storage tests bench migrations
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ingest.py

migrate: $(STAMP)
	$(BIN)/python -m bot db upgrade

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
