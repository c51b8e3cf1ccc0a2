# Two commands do all the set-up on a fresh machine:
#   make run    opens briefreader on the bundled sample corpus
#   make test   runs the whole test suite headless
#   make bench  runs every speed benchmark (SIZE=10000 by default; BENCH_ARGS=--quick)
# Both create .venv and install the project with its pinned dependencies when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench app clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# Our modules' bytecode, as pip writes it for an installed wheel's (an editable install
	# leaves it to the first run, which never writes it under PYTHONDONTWRITEBYTECODE).
	$(BIN)/python -m compileall -q briefreader > /dev/null
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/briefreader $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (the rules selected in pyproject.toml, and its formatting), mypy on the core, and the
# import contracts (the core knows no Qt, only core/index knows Whoosh, widgets stay
# reusable, no cycles).
lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/ruff check briefreader tests benchmarks
	$(BIN)/ruff format --check briefreader tests benchmarks
	$(BIN)/mypy briefreader/core
	$(BIN)/lint-imports

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run.py --size $(or $(SIZE),10000) $(BENCH_ARGS)

# The standalone app in dist/briefreader/ (PyInstaller, its own build environment), smoke-tested.
app:
	PYTHON=$(PYTHON) packaging/build.sh

clean:
	rm -rf $(VENV) .venv-build build dist *.egg-info .pytest_cache
