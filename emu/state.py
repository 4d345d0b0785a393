"""Architected privileged state of one hardware thread.

GPRs, CR, LR, CTR, XER and the FP/vector registers live in Unicorn (they are
not privileged and run natively); everything a privileged instruction or an
interrupt reads or writes lives here, in Python, and is the only truth
(Unicorn always runs in problem state; see docs/design.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from .bits import MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_PR, MSR_SF

# SPRs kept as plain fields of CpuState, by SPR name.
SPR_FIELDS = (
    "lpcr", "fscr", "hfscr", "srr0", "srr1", "hsrr0", "hsrr1", "sprg0", "sprg1", "sprg2",
    "sprg3", "hsprg0", "hsprg1", "dar", "dsisr", "hdar", "hdsisr", "heir", "cfar", "pir",
    "pvr", "pidr", "lpidr", "ptcr", "hrmor", "hid0", "sdr1", "amr", "tar", "dscr", "psscr",
    "ppr", "asdr", "siar", "sdar",
)


@dataclass(slots=True)
class CpuState:
    msr: int = 0
    lpcr: int = 0
    fscr: int = 0
    hfscr: int = 0
    srr0: int = 0
    srr1: int = 0
    hsrr0: int = 0
    hsrr1: int = 0
    sprg0: int = 0
    sprg1: int = 0
    sprg2: int = 0
    sprg3: int = 0
    hsprg0: int = 0
    hsprg1: int = 0
    dar: int = 0
    dsisr: int = 0
    hdar: int = 0
    hdsisr: int = 0
    heir: int = 0
    cfar: int = 0
    pir: int = 0
    pvr: int = 0
    pidr: int = 0
    lpidr: int = 0
    ptcr: int = 0
    hrmor: int = 0
    hid0: int = 0
    sdr1: int = 0
    amr: int = 0
    tar: int = 0
    dscr: int = 0
    psscr: int = 0
    ppr: int = 0
    siar: int = 0          # Sampled Instruction Address (set by Trace interrupts)
    sdar: int = 0          # Sampled Data Address
    asdr: int = 0          # Access Segment Descriptor Register (HDSI/HISI guest real address)
    # Decrementers: value at `dec_tb` (timebase when last written); they count down
    # one per timebase tick (see CpuState.tb_at / emu.cpu).
    dec: int = 0xFFFFFFFF
    dec_tb: int = 0
    hdec: int = 0xFFFFFFFF
    hdec_tb: int = 0
    # SLB: list of (esid_word, vsid_word) as written by slbmte (used by emu.mmu)
    slb: list = field(default_factory=list)

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
