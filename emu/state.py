"""Architected privileged state of one hardware thread.

GPRs, CR, LR, CTR, XER and the FP/vector registers live in Unicorn (they are
not privileged and run natively); everything a privileged instruction or an
interrupt reads or writes lives here, in Python, and is the only truth
(Unicorn always runs in problem state; see docs/design.md).

The SPR fields are not listed here: they are the storage fields of the rows of
the register table (emu.registers), one slot each.
"""
from __future__ import annotations

from dataclasses import field, fields, make_dataclass

from .bits import MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_PR, MSR_SF
from .registers import spr_fields

# SPRs kept as plain fields of CpuState, by field name (emu.registers order).
SPR_FIELDS = spr_fields()


class _StateMethods:
    __slots__ = ()

    def copy(self) -> "CpuState":
        new = CpuState(**{f.name: getattr(self, f.name) for f in fields(self)})
        new.slb = list(self.slb)
        return new

    def sprs(self) -> dict:
        return {name: getattr(self, name) for name in SPR_FIELDS}

    # Mode helpers named after the MSR bits
    @property
    def hv(self) -> bool:
        return bool(self.msr & MSR_HV)

    @property
    def pr(self) -> bool:
        return bool(self.msr & MSR_PR)

    @property
    def ir(self) -> bool:
        return bool(self.msr & MSR_IR)

    @property
    def dr(self) -> bool:
        return bool(self.msr & MSR_DR)

    @property
    def ee(self) -> bool:
        return bool(self.msr & MSR_EE)

    @property
    def sf(self) -> bool:
        return bool(self.msr & MSR_SF)


CpuState = make_dataclass(
    "CpuState",
    [("msr", int, 0)]
    + [(name, int, 0) for name in SPR_FIELDS]
    + [
        # Decrementers: value at `dec_tb` (timebase when last written); they count
        # down one per timebase tick (see emu.cpu).
        ("dec", int, 0xFFFFFFFF), ("dec_tb", int, 0),
        ("hdec", int, 0xFFFFFFFF), ("hdec_tb", int, 0),
        # SLB: list of (esid_word, vsid_word) as written by slbmte (used by emu.mmu)
        ("slb", list, field(default_factory=list)),
    ],
    bases=(_StateMethods,), slots=True)
CpuState.__module__ = __name__
CpuState.__doc__ = "Architected privileged state of one hardware thread (see module doc)."
