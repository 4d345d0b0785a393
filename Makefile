# ppcvec — `make demo` and `make test` do everything on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all demo test bench clean

all: $(STAMP)

$(STAMP): pyproject.toml setup.py emu/_counter.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/python -m harness.scenarios.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -rs -n 2 tests

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info emu/_counter*.so
