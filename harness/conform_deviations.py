"""Documented deviations of QEMU 7.2 from the Power ISA, as seen by the
conformance suite (`ppcvec conform`, docs/conformance.md).

ppcvec keeps the ISA behaviour; where QEMU differs, a disagreement that one of
these predicates explains is reported as `dev:<id>` instead of a failure.
Each deviation is one function of the comparison context, with a docstring
naming the ISA text it departs from.  Keep them narrow: they must match only
the exact pattern QEMU produces, never a plain ppcvec bug.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

FSCR_IC_MASK = 0xFF << 56
HEAI_OFFSETS = (0xE40, 0x4E40, 0x18E40)


@dataclass(frozen=True)
class Context:
    """One compared value: `field` of record `index` (None: a run-level field
    such as "done" or "records")."""
    program: str
    machine: str
    field: str
    index: int | None
    qemu: int | None
    ppcvec: int | None
    qemu_records: list       # list of dicts (field -> int)
    ppcvec_records: list
    ppcvec_outcome: str


@dataclass(frozen=True)
class Deviation:
    id: str
    title: str
    isa: str
    matches: Callable[[Context], bool]


def _real_offset(slot: int) -> int:
    return slot & 0x0FFFFFFFFFFFFFFF


def heir_zero_after_heai(c: Context) -> bool:
    """QEMU 7.2 leaves HEIR at 0 when it delivers a Hypervisor Emulation
    Assistance interrupt.  Power ISA v3.0B/v3.1 Book III 7.5.17 (Hypervisor
    Emulation Assistance Interrupt): "HEIR: set to the instruction image of the
    instruction that caused the interrupt" (kvm-unit-tests test_illegal checks
    it).  Matches only HEIR values recorded at or after a ppcvec HEAI record."""
    if c.field != "heir" or c.index is None or c.qemu != 0 or not c.ppcvec:
        return False
    return any(_real_offset(r["slot"]) in HEAI_OFFSETS for r in c.ppcvec_records[:c.index + 1])


def attn_is_illegal(c: Context) -> bool:
    """QEMU 7.2 treats `attn` (0x00000200) as an illegal instruction (HEAI)
    even in hypervisor state; ppcvec ends the run as the processor does when
    attn is enabled (POWER8/POWER9 user manuals: attn "causes the thread to stop
    and the service processor to be notified", HID0[ENABLE_ATTN]; skiboot uses it
    to end a run).  Matches a ppcvec run that ended with outcome "attn" against a
    QEMU run that took an HEAI."""
    if c.ppcvec_outcome != "attn":
        return False
    if not c.qemu_records or _real_offset(c.qemu_records[0]["slot"]) not in HEAI_OFFSETS:
        return False
    return c.field in ("done", "records") or (c.index is not None and c.ppcvec is None)


def fscr_ic_ored(c: Context) -> bool:
    """QEMU 7.2 ORs the interrupt cause into FSCR[IC] (`env->spr[SPR_FSCR] |=
    cause << 56`) instead of setting the field.  Power ISA v3.0B Book III 9.2.x
    (Facility Status and Control Register): "IC: when a Facility Unavailable
    interrupt occurs, the field is set to indicate the cause" — the old value
    is replaced (PR-KVM kvmppc_trigger_fac_interrupt clears it first).  Visible
    only when IC was non-zero before.  Matches when the two FSCRs are equal
    outside IC and QEMU's IC is ppcvec's IC ORed with other bits."""
    if c.field != "fscr" or c.qemu is None or c.ppcvec is None:
        return False
    if c.qemu & ~FSCR_IC_MASK != c.ppcvec & ~FSCR_IC_MASK:
        return False
    q, p = c.qemu >> 56, c.ppcvec >> 56
    return q != p and q & p == p


DEVIATIONS = (
    Deviation("heir-zero", "QEMU 7.2 does not set HEIR on an HEAI",
              "Power ISA v3.1 Book III 7.5.17 Hypervisor Emulation Assistance Interrupt",
              heir_zero_after_heai),
    Deviation("attn-illegal", "QEMU 7.2 treats attn as an illegal instruction",
              "POWER9 User's Manual, attn (HID0[ENABLE_ATTN]); fact sheet (k)",
              attn_is_illegal),
    Deviation("fscr-ic-or", "QEMU 7.2 ORs FSCR[IC] instead of setting it",
              "Power ISA v3.0B Book III 9.2 Facility Status and Control Register, IC",
              fscr_ic_ored),
)


def find_deviation(c: Context) -> Deviation | None:
    for d in DEVIATIONS:
        if d.matches(c):
            return d
    return None
