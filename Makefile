# The two quick-start commands are `make demo` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
DEMO_DIR := build/demo-tmf
DEMO_REPORT := build/demo-report
LINTED := $(wildcard etmf tests fixtures scripts benchmarks)

.PHONY: demo test lint typecheck unit system-deps accuracy schemas docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[all,fixtures]'
	touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME)

## demo: create .venv, install etmf, build the demo TMF and scan it
demo: $(RUNTIME) system-deps
	$(BIN)/python -m fixtures.demo $(DEMO_DIR)
	mkdir -p $(DEMO_REPORT)
	$(BIN)/etmf scan $(DEMO_DIR) --output - --output $(DEMO_REPORT)/report.json \
		--output $(DEMO_REPORT)/report.html || [ $$? -eq 1 ]

## test: install the development dependencies and run linters, type checks and the suite
test: lint typecheck unit

lint: $(DEV)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(DEV)
	$(BIN)/mypy

unit: $(DEV) system-deps
	$(BIN)/python -m pytest

## system-deps: Debian packages the tests need (installed only when missing)
system-deps:
	@scripts/install-system-deps

## accuracy: measure classification accuracy on the test, held-out and tuning sets (README table)
accuracy: $(DEV)
	@for set in testset heldout labelled; do \
	  echo "== fixtures/classification/$$set.yaml"; \
	  $(BIN)/python -m fixtures.classification_accuracy fixtures/classification/$$set.yaml | grep -E '^(all|sub-artifact) ' || exit 1; \
	done

## schemas: regenerate the JSON Schema of the report from the models
schemas: $(DEV)
	$(BIN)/python -m etmf.formats.json_report > etmf/schemas/report.schema.json

## docs: regenerate docs/rules.md from the rule data (a test fails when it is stale)
docs: $(DEV)
	mkdir -p docs
	$(BIN)/python -m etmf.formats.rules_markdown > docs/rules.md

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
