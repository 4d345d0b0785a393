"""Assertions and helpers for tests of ppcvec runs (used by the pytest plugin
and by the project's own tests)."""
from __future__ import annotations

from harness.loader.images import image_from_source
from harness.run.api import Result, RunOptions, run_image, run_image_file
from harness.run.report import summary_lines
from harness.toolchain.asm import assemble


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
        opts = {**self.defaults, **opts}
        if "max_insns" not in opts:
            opts["max_insns"] = 1_000_000
        o = RunOptions(**opts)
        return run_image(image_from_source(source, name, o.defsyms), o)

    def run_file(self, path: str, **opts) -> Result:
        return run_image_file(path, RunOptions(**{**self.defaults, **opts}))

    # -------------------------------------------------------------- assertions
    @staticmethod
    def assert_one_interrupt(r: Result, kind: str, **fields):
        """Exactly one interrupt was taken, of `kind`, with the given field values
        (any InterruptEvent attribute: vector, srr0, lr, ctr, fscr_ic, ail, ...)."""
        assert len(r.interrupts) == 1, _describe(r, f"expected exactly one {kind} interrupt")
        return Ppcvec.assert_interrupt(r, 0, kind, **fields)

    @staticmethod
    def assert_interrupt(r: Result, index: int, kind: str, **fields):
        assert len(r.interrupts) > index, _describe(r, f"expected an interrupt #{index}")
        e = r.interrupts[index]
        assert e.kind == kind, _describe(r, f"interrupt #{index} is {e.kind}, expected {kind}")
        for name, want in fields.items():
            got = getattr(e, name)
            assert got == want, _describe(
                r, f"interrupt #{index} ({kind}) {name} = {_fmt(got)}, expected {_fmt(want)}")
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


def _describe(r: Result, msg: str) -> str:
    return msg + "\n" + "\n".join(summary_lines(r))
