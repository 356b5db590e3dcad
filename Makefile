# forcepack: `make run` and `make test` work on a fresh machine with Python 3.11, pip and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: install compile browser pango run demo test lint unit validate bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

## The project's modules compiled to bytecode, as an installed package's are: an editable install
## leaves that to the first import, and where PYTHONDONTWRITEBYTECODE is set every command would
## compile them again (0.1-0.15 s of a `forcepack solve` measured here).
compile: install
	$(BIN)/python -m compileall -q models solver api cli bench

## Debian's Chromium for the browser tests (tests/e2e), installed as root when it is missing.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## Pango and a font for the briefs (`forcepack brief`, `GET /v1/jobs/{id}/brief.pdf`: WeasyPrint prints
## through Pango), Debian's packages installed as root when any is missing.
PANGO_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pango:
	@dpkg -s $(PANGO_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PANGO_PACKAGES); }

## Serve the HTTP API on the embedded SQLite database, examples loaded, a coordinator token printed,
## on HOST:PORT (`make run HOST=0.0.0.0 PORT=8080`).
HOST ?= 127.0.0.1
PORT ?= 8000
run: install pango
	$(BIN)/forcepack serve --host $(HOST) --port $(PORT)

## Solve the illustrative Gaza scenario and print the package.
demo: install compile
	$(BIN)/forcepack solve examples/gaza-isf.yaml

## Lint, type-check, run every test, and validate the examples.
test: install browser pango lint unit validate

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: install pango
	$(BIN)/pytest -q -n $(PYTEST_WORKERS)

validate: install
	$(BIN)/forcepack validate examples/

## Benchmarks (docs/benchmarks.md).
bench: install compile
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
