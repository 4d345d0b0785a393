"""Assertions and helpers for tests of ppcvec runs (used by the pytest plugin
and by the project's own tests)."""
from __future__ import annotations

import dataclasses
import difflib

from emu.events import InterruptEvent
from harness.loader.images import image_from_source
from harness.run.api import Result, RunOptions, run_image, run_image_file
from harness.run.report import summary_lines, trace_lines
from harness.toolchain.asm import assemble

EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(InterruptEvent))
RUN_OPTIONS = tuple(f.name for f in dataclasses.fields(RunOptions))


class PpcvecUsageError(TypeError):
    """A test called the fixture with a keyword it does not have (a typo)."""


def _check_names(what: str, given, valid) -> None:
    for name in given:
        if name not in valid:
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PpcvecUsageError(f"{what}: unknown keyword {name!r}{hint} "
                                   f"(valid: {', '.join(valid)})")


class Ppcvec:
    """Facade handed out by the `ppcvec` fixture.  `defaults` are RunOptions
    every run starts from (the `ppcvec_cpu` marker sets cpu and machine)."""

    def __init__(self, **defaults):
        self.defaults = defaults

    def assemble(self, source: str, name: str = "<test>", defsyms=None):
        return assemble(source, filename=name, defsyms=defsyms or {})

    def run(self, source: str, name: str = "<test>", **opts) -> Result:
        """Assemble GNU-as `source` and run it; keyword arguments are RunOptions
        (machine, cpu, smp, max_insns, mmu, dumps, defsyms, ...)."""
        _check_names("ppcvec.run", opts, RUN_OPTIONS)
        opts = {**self.defaults, **opts}
        if "max_insns" not in opts:
            opts["max_insns"] = 1_000_000
        o = RunOptions(**opts)
        return run_image(image_from_source(source, name, o.defsyms), o)

    def run_file(self, path: str, **opts) -> Result:
        _check_names("ppcvec.run_file", opts, RUN_OPTIONS)
        return run_image_file(path, RunOptions(**{**self.defaults, **opts}))

    # -------------------------------------------------------------- assertions
    @staticmethod
    def assert_one_interrupt(r: Result, kind: str, **fields):
        """Exactly one interrupt was taken, of `kind`, with the given field values
        (any InterruptEvent attribute: vector, srr0, lr, ctr, fscr_ic, ail, ...)."""
        _check_names("assert_one_interrupt", fields, EVENT_FIELDS)
        assert len(r.interrupts) == 1, _describe(r, f"expected exactly one {kind} interrupt")
        return Ppcvec.assert_interrupt(r, 0, kind, **fields)

    @staticmethod
    def assert_interrupt(r: Result, index: int, kind: str, **fields):
        """Interrupt `index` (0-based; the summary's #index+1) is of `kind` with
        these field values.  A failure names the field, both values in hex, and
        that interrupt's why/AIL/MSR/saved lines, then the run summary."""
        _check_names("assert_interrupt", fields, EVENT_FIELDS)
        assert len(r.interrupts) > index, _describe(
            r, f"expected an interrupt #{index + 1} (index {index}); "
               f"the run has {len(r.interrupts)}")
        e = r.interrupts[index]
        assert e.kind == kind, _describe(
            r, f"interrupt #{e.number} is {e.kind}, expected {kind}", e)
        for name, want in fields.items():
            got = getattr(e, name)
            assert got == want, _describe(
                r, f"interrupt #{e.number} ({kind}) {name} = {_fmt(got)}, expected {_fmt(want)}", e)
        return e

    @staticmethod
    def assert_no_interrupt_at(r: Result, vector: int):
        hits = [e for e in r.interrupts if e.vector == vector]
        assert not hits, _describe(r, f"unexpected delivery to {vector:#x}")

    @staticmethod
    def assert_outcome(r: Result, outcome: str, exit_code=None):
        assert r.outcome == outcome, _describe(r, f"outcome {r.outcome}, expected {outcome}")
        if exit_code is not None:
            assert r.exit_code == exit_code, _describe(r, f"exit code {r.exit_code}, expected {exit_code}")


def _fmt(v):
    return hex(v) if isinstance(v, int) and not isinstance(v, bool) else repr(v)


def _describe(r: Result, msg: str, event=None) -> str:
    lines = [msg]
    if event is not None:
        lines += trace_lines(event, r.symbols)
    return "\n".join(lines + summary_lines(r))
