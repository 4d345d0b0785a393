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
	@# bytecode for the checkout and the dependencies: an editable install (or an
	@# environment with PYTHONDONTWRITEBYTECODE) leaves none, and compiling ~90
	@# modules costs every process start ~90 ms (kvm-unit-tests starts ~10 per entry)
	$(BIN)/python -m compileall -q -j 0 emu harness guest_images \
	    $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') >/dev/null || true
	touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/python -m harness.scenarios.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -rs -n 2 tests

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info emu/_counter*.so
