"""Address translation: real mode and the translated (IR/DR=1) modes.

`translate(cpu, ea, access)` answers one question for the TLB-fill hook: the
real address and the permissions of the page holding `ea` for this access, or
the storage interrupt the access must take.  Results are cached by Unicorn's
TLB; emu.cpu flushes that TLB whenever the translation context changes (MSR
IR/DR/PR/HV, LPCR, PIDR, LPIDR, PTCR, SDR1, SLB and TLB invalidations).

Translation modes of a Machine (`mmu=`):
  * "identity": a test convenience, not the architecture.  With IR/DR=1 the
    effective address is used like a real-mode one (top 4 bits ignored), so a
    program can switch translation on without page tables.  No segment or
    storage interrupts are raised.
  * "architected": radix or hash translation as the Power ISA says
    (emu/mmu_arch.py, emu/mmu_radix.py, emu/mmu_hash.py; docs/mmu.md).
"""
from __future__ import annotations

from dataclasses import dataclass

from .bits import MSR_DR, MSR_HV, MSR_IR

PROT_READ = 1
PROT_WRITE = 2
PROT_EXEC = 4
PROT_ALL = 7

FETCH, READ, WRITE = "fetch", "read", "write"

REAL_MODE_MASK = 0x0FFFFFFFFFFFFFFF


@dataclass(frozen=True)
class Fault:
    """A translation that failed: deliver `kind` with these cause bits."""
    kind: str                 # "isi", "dsi", "iseg", "dseg", "hisi", "hdsi"
    srr1_bits: int = 0        # ISI causes (SRR1) 
    dsisr: int = 0            # DSI causes
    reason: str = ""
    asdr: int | None = None   # HDSI/HISI: guest real address (ASDR, ISA v3.0)


def real_mode_address(state, ea: int) -> int:
    """Real addressing (IR or DR = 0; ISA III 5.7.3): the top 4 bits of the EA are
    ignored; in hypervisor state an EA with bit 0 (MSB) = 0 is offset by HRMOR."""
    ra = ea & REAL_MODE_MASK
    if state.msr & MSR_HV and not ea >> 63:
        ra |= state.hrmor
    return ra


class IdentityMmu:
    name = "identity"

    def translate(self, cpu, ea: int, access: str):
        return ea & REAL_MODE_MASK, PROT_ALL

    def invalidate(self, cpu, what: str) -> bool:
        return True         # nothing cached here; the core's TLB is flushed


def translation_key(state) -> tuple:
    """What the cached translations depend on (the TLB is flushed when it changes)."""
    msr = state.msr
    return (msr & (MSR_IR | MSR_DR | MSR_HV | 0x4000), state.lpcr, state.pidr, state.lpidr,
            state.ptcr, state.sdr1, state.hrmor)
