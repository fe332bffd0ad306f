# Two commands set everything up: `make demo` and `make test`.
# Both bootstrap .venv/ from the package registries; nothing else is required.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUTPUT ?= output

.PHONY: demo test lint bootstrap clean bench metrics

bootstrap: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/articleaudio build samples/*.md -o $(OUTPUT)
	$(BIN)/articleaudio episodes -o $(OUTPUT)
	@echo "Episodes are in $(OUTPUT)/episodes/, the podcast feed is $(OUTPUT)/feed.xml"

test: $(STAMP)
	bash scripts/install-browser.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Longest function, most positional parameters, `# fmt: skip` count and import cycles;
# fails when one is over the house-style limit (scripts/code_metrics.py).
metrics: $(STAMP)
	$(BIN)/python scripts/code_metrics.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build.py

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

clean:
	rm -rf $(OUTPUT) .pytest_cache .mypy_cache
