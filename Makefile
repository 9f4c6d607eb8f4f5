# Two entry points: `make run` (the catalog job) and `make test` (the test suite).
# Both create .venv with pinned versions (constraints.txt) on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOURCE ?= https://github.com/box/developer.box.com.git
OUT ?= catalog
ARGS ?=

.PHONY: run test lint setup clean

$(BIN)/model-catalog: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

setup: $(BIN)/model-catalog

run: setup
	$(BIN)/model-catalog run --source "$(SOURCE)" --out "$(OUT)" $(ARGS)

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
