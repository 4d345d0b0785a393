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

from emu.interrupts import ail_p8_p9, ail_p10
from emu.registers import field_masks

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
    it).  Matches only HEIR values recorded at or after a ppcvec HEAI record
    (in the fuzzer, whose programs also mtspr HEIR, which QEMU 7.2 does not
    implement either: any HEIR QEMU reads as 0)."""
    if c.field != "heir" or c.index is None or c.qemu != 0 or not c.ppcvec:
        return False
    if c.program.startswith("fuzz"):
        return True       # QEMU has no HEIR at all: it never holds a written value either
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


def fscr_keeps_unimplemented(c: Context) -> bool:
    """QEMU 7.2 registers FSCR and HFSCR with spr_write_generic (cpu_init.c
    register_power8_fscr_sprs, register_power9_book4_sprs), so `mtspr` keeps
    every bit, also facilities the FSCR does not have (FP, VECVSX, PM, BHRB,
    MSGP: HFSCR-only) or the model lacks (SCV, LM before ISA v3.0, PREFIX
    before v3.1).  Power ISA v2.07B /
    v3.0B / v3.1B Book III "Facility Status and Control Register": those bits are
    reserved and read back 0 (ppcvec: the FSCR/HFSCR rows' writable masks in
    emu/registers.py).  Matches an FSCR/HFSCR value where QEMU's is ppcvec's
    plus bits outside that model's mask."""
    name = c.field.split(".")[-1]
    if name not in ("fscr", "hfscr") or c.qemu is None or c.ppcvec is None or c.qemu == c.ppcvec:
        return False
    model = c.machine.replace("powernv", "power")
    if model not in ("power8", "power9", "power10"):
        return False
    mask = field_masks(model)[name]
    if c.qemu & mask == c.ppcvec:
        return True
    # together with fscr-ic-or: the IC ORed into a value that also kept such bits
    return fscr_ic_ored(Context(c.program, c.machine, "fscr", c.index, c.qemu & mask, c.ppcvec,
                                c.qemu_records, c.ppcvec_records, c.ppcvec_outcome))


HV_CLASS_OFFSETS = frozenset({0x980, 0xE00, 0xE20, 0xE40, 0xE60, 0xE80, 0xEA0, 0xF80})
MSR_HV = 1 << 60
MSR_IR_DR = 0x30
NOT_READ = 0xEEEEEEEEEEEEEEEE


def _vector_offset(slot) -> int | None:
    """The real-mode vector offset of a non-scv slot: real `off`, AIL=2
    `0x18000 | off`, AIL=3 `0xc000000000004000 | off` (None for anything else)."""
    if slot is None:
        return None
    off = slot & 0xFFF
    if slot in (off, 0x18000 | off, 0xC000000000004000 | off) and off >= 0x100:
        return off
    return None


def _relocated(off: int, ail: int) -> int:
    return {0: off, 2: 0x18000 | off, 3: 0xC000000000004000 | off}[ail]


def _p8_takes_p10_ail_rule(c: Context) -> bool:
    """Record `c.index` differs exactly as QEMU 7.2's POWER10 AIL table, applied
    to a POWER8 (LPCR bit 37, RMLS's last bit there, read as HAIL), predicts
    against the POWER8 table ppcvec applies."""
    if c.machine != "powernv8" or c.index is None:
        return False
    if c.index >= len(c.qemu_records) or c.index >= len(c.ppcvec_records):
        return False
    q, p = c.qemu_records[c.index], c.ppcvec_records[c.index]
    off = _vector_offset(p["slot"])
    if off is None or _vector_offset(q["slot"]) != off:
        return False
    if p["lpcr"] == NOT_READ:
        return False                      # LPCR not recorded: cannot tell
    old = p["hsrr1"] if off in HV_CLASS_OFFSETS else p["srr1"]
    lpcr, new = p["lpcr"], p["msr"]
    a8 = ail_p8_p9(old, new, lpcr, frozenset({1})).ail
    a10 = ail_p10(old, new, lpcr, frozenset({1, 2})).ail
    return a8 != a10 and _relocated(off, a8) == p["slot"] and _relocated(off, a10) == q["slot"]


def p8_uses_p10_ail_rule(c: Context) -> bool:
    """QEMU 7.2 picks the AIL table by `pcc->lpcr_mask & LPCR_HAIL`, and LPCR_HAIL
    (IBM bit 37) is also the last bit of POWER8's LPCR[RMLS] (34:37), which is in
    the POWER8 mask: so QEMU's powernv8 applies the POWER10 table, where
    interrupts delivered with MSR[HV]=1 ignore LPCR[AIL] and use bit 37 as HAIL.
    Power ISA v2.07 Book III-S 6.5 and LPCR[AIL] (2.2.x): POWER8 has no HAIL;
    with MSR[IR]=MSR[DR]=1, LPCR[AIL] applies to every interrupt except an
    MSR[HV] 0->1 one (Linux sets LPCR[AIL]=3 on a POWER8 PowerNV host for its own
    interrupts).  Matches the slot and the MSR (IR/DR) of a POWER8 record only
    when QEMU's slot is the POWER10 rule's and ppcvec's the POWER8 rule's."""
    if c.field == "slot":
        return _p8_takes_p10_ail_rule(c)
    if c.field == "msr" and c.qemu is not None and c.ppcvec is not None:
        return (c.qemu ^ c.ppcvec) == MSR_IR_DR and _p8_takes_p10_ail_rule(c)
    return False


LPCR_EVIRT = 1 << 21
SRR1_PRIV = 0x40000


def evirt_ignored(c: Context) -> bool:
    """QEMU 7.2 ignores LPCR[EVIRT]: a hypervisor-privileged instruction or SPR in
    privileged non-hypervisor state is always a Privileged Instruction type
    Program interrupt (GEN_PRIV, SPR_NOACCESS).  Power ISA v3.0B Book III LPCR
    EVIRT (bit 42): with EVIRT=1 it is a Hypervisor Emulation Assistance
    interrupt with HSRR1 bit 45 set (Linux "KVM: PPC: Book3S HV: Handle hypervisor
    instruction faults better").  Matches every field of a record pair where
    ppcvec took that HEAI (LPCR[EVIRT]=1, HSRR1 bit 45) and QEMU a Program[PRIV]
    at the same instruction, from HV=0."""
    if c.index is None or c.index >= min(len(c.qemu_records), len(c.ppcvec_records)):
        return False
    q, p = c.qemu_records[c.index], c.ppcvec_records[c.index]
    return (_real_offset(p["slot"]) == 0xE40 and _real_offset(q["slot"]) == 0x700
            and p["lpcr"] != NOT_READ and bool(p["lpcr"] & LPCR_EVIRT)
            and bool(p["hsrr1"] & SRR1_PRIV) and not p["hsrr1"] & MSR_HV
            and bool(q["srr1"] & SRR1_PRIV) and not q["srr1"] & MSR_HV
            and q["srr0"] == p["hsrr0"])


SRR1_TRACE = 0x40000000          # IBM bit 33
MSR_SE_BE = (1 << 10) | (1 << 9)


def _is_trace(rec) -> bool:
    return rec is not None and _vector_offset(rec["slot"]) == 0xD00


def trace_srr1_33_clear(c: Context) -> bool:
    """QEMU 7.2 raises the Trace interrupt with error code 0 (gen_debug_exception ->
    helper_raise_exception), so SRR1 bit 33 stays 0.  Power ISA v3.0B/v3.1 Book
    III 7.5.15 (Trace Interrupt): "SRR1 33: Set to 1" for every Trace interrupt
    (bits 34-36 and 43 add prefixed/load/store/CIABR; Microwatt's tests/trace
    checks SRR1 & 0x781f0000 == 0x40000000 for a single step).  Matches only the
    SRR1 of a record pair that are both Trace interrupts and differ in exactly
    bit 33, set by ppcvec."""
    if c.field != "srr1" or c.index is None or c.qemu is None or c.ppcvec is None:
        return False
    if c.index >= min(len(c.qemu_records), len(c.ppcvec_records)):
        return False
    if not (_is_trace(c.qemu_records[c.index]) and _is_trace(c.ppcvec_records[c.index])):
        return False
    return c.ppcvec == c.qemu | SRR1_TRACE and not c.qemu & SRR1_TRACE


def rfid_traced(c: Context) -> bool:
    """QEMU 7.2 single-steps rfid/hrfid: the TB was translated with MSR[SE]=1, so
    ppc_tr_tb_stop raises a Trace interrupt after the rfid (DISAS_EXIT), with
    SRR0 = the rfid's target and SRR1 = the MSR the rfid loaded, which has
    SE=BE=0.  Power ISA v3.1 Book III 4.2.1 MSR[SE]: a Trace interrupt follows
    the next instruction "unless that instruction is hrfid or rfid, which are
    never traced" (kvm-unit-tests test_trace: "no interrupt on single step
    rfid").  Matches every field of a record where QEMU took a Trace interrupt
    whose SRR1 has SE=BE=0 (no trace can come from such an MSR except after the
    instruction that cleared them) and ppcvec took none at that index."""
    if c.index is None or c.index >= len(c.qemu_records):
        return False
    q = c.qemu_records[c.index]
    p = c.ppcvec_records[c.index] if c.index < len(c.ppcvec_records) else None
    return _is_trace(q) and not q["srr1"] & MSR_SE_BE and not _is_trace(p)


MSR_HV_BIT = 1 << 60
MSR_EE_BIT = 1 << 15


def hdoorbell_needs_ee_in_guest(c: Context) -> bool:
    """QEMU 7.2 takes a Directed Hypervisor Doorbell only with MSR[EE]=1
    (ppc_hw_interrupt tests PPC_INTERRUPT_HDOORBELL under `async_deliver =
    msr_ee`), also in a guest.  Power ISA v3.0B Book III "Directed Hypervisor
    Doorbell Interrupt": the interrupt occurs when MSR[EE] | ~MSR[HV] is 1, like
    the Hypervisor Decrementer: a guest cannot mask it.  Matches every field of
    record 0 when ppcvec took 0xE80 from HV=0 with EE=0 and QEMU, which kept it
    pending, reached the program's fallback `sc 1` (0xC00 with HV=1)."""
    if c.index != 0 or not c.ppcvec_records or not c.qemu_records:
        return False
    p, q = c.ppcvec_records[0], c.qemu_records[0]
    return (_real_offset(p["slot"]) == 0xE80 and not p["hsrr1"] & MSR_HV_BIT
            and not p["hsrr1"] & MSR_EE_BIT and _real_offset(q["slot"]) == 0xC00
            and not q["srr1"] & MSR_HV_BIT)


def dsisr_64_bits(c: Context) -> bool:
    """QEMU 7.2 keeps DSISR (and HDSISR) as 64-bit registers (spr_write_generic),
    so a value written with mtspr reads back with its upper word.  Power ISA
    v3.0B Book III 7.x: DSISR is a 32-bit register (ppcvec: width 32 in
    emu/registers.py).  Matches a DSISR whose low word is ppcvec's."""
    return (c.field in ("dsisr", "hdsisr") and c.qemu is not None and c.ppcvec is not None
            and c.qemu & 0xFFFFFFFF == c.ppcvec and c.qemu >> 32 != 0)


DEVIATIONS = (
    Deviation("dsisr-64-bit", "QEMU 7.2 keeps the upper word of DSISR",
              "Power ISA v3.0B Book III DSISR (32 bits)", dsisr_64_bits),
    Deviation("hdbell-guest-ee", "QEMU 7.2 masks the hypervisor doorbell with MSR[EE] in a guest",
              "Power ISA v3.0B Book III Directed Hypervisor Doorbell Interrupt (MSR[EE] | ~MSR[HV])",
              hdoorbell_needs_ee_in_guest),
    Deviation("heir-zero", "QEMU 7.2 does not set HEIR on an HEAI",
              "Power ISA v3.1 Book III 7.5.17 Hypervisor Emulation Assistance Interrupt",
              heir_zero_after_heai),
    Deviation("attn-illegal", "QEMU 7.2 treats attn as an illegal instruction",
              "POWER9 User's Manual, attn (HID0[ENABLE_ATTN]); fact sheet (k)",
              attn_is_illegal),
    Deviation("fscr-ic-or", "QEMU 7.2 ORs FSCR[IC] instead of setting it",
              "Power ISA v3.0B Book III 9.2 Facility Status and Control Register, IC",
              fscr_ic_ored),
    Deviation("fscr-unimplemented", "QEMU 7.2 keeps FSCR/HFSCR bits they do not implement",
              "Power ISA v3.0B Book III Facility Status and Control Register (reserved bits)",
              fscr_keeps_unimplemented),
    Deviation("p8-hail", "QEMU 7.2 applies the POWER10 AIL/HAIL table on POWER8",
              "Power ISA v2.07 Book III-S LPCR[AIL] (no HAIL; LPCR bit 37 is RMLS)",
              p8_uses_p10_ail_rule),
    Deviation("evirt-ignored", "QEMU 7.2 ignores LPCR[EVIRT] (Program[PRIV], not HEAI)",
              "Power ISA v3.0B Book III LPCR[EVIRT], Hypervisor Emulation Assistance Interrupt",
              evirt_ignored),
    Deviation("trace-srr1-33", "QEMU 7.2 leaves SRR1 bit 33 clear on a Trace interrupt",
              "Power ISA v3.1 Book III 7.5.15 Trace Interrupt, SRR1 bit 33",
              trace_srr1_33_clear),
    Deviation("rfid-traced", "QEMU 7.2 takes a Trace interrupt after rfid with MSR[SE]=1",
              "Power ISA v3.1 Book III 4.2.1 MSR[SE]: rfid and hrfid are never traced",
              rfid_traced),
)


def find_deviation(c: Context) -> Deviation | None:
    for d in DEVIATIONS:
        if d.matches(c):
            return d
    return None


# ------------------------------------------------------------------ fuzzer
# `ppcvec conform --fuzz` compares each random instruction's interrupts (the
# records it produced, grouped by the tag the program sets before it) and the
# register it read.  These deviations explain the instruction as a whole.

@dataclass(frozen=True)
class FuzzContext:
    machine: str
    model: str                # power8 / power9 / power10
    state: str                # "p" problem, "s" privileged HV=0, "h" hypervisor
    cls: str                  # instruction class (harness/conform/fuzz.py)
    text: str
    spr: int | None
    qemu: list                # records of this instruction (dicts)
    ppcvec: list
    qemu_reg: int | None      # the register it read (mfspr/mfmsr/loads), if any
    ppcvec_reg: int | None
    lpcr: int = 0             # the LPCR the program set


HEAI, PROGRAM, HFU, FU = 0xE40, 0x700, 0xF80, 0xF60
POISON = 0x5A5A5A5A5A5A5A5A

# SPRs QEMU 7.2 does not register for the model (target/ppc/cpu_init.c
# init_proc_POWER8/9/10): it treats them as undefined SPR numbers.
QEMU_MISSING = {
    "power8": frozenset({3, 898}),
    "power9": frozenset({3, 339, 823, 898, 1006}),
    "power10": frozenset({3, 181, 189, 339, 736, 737, 738, 752, 753, 754, 823, 898, 1006}),
}
# SPR numbers QEMU 7.2 registers although the model does not implement them
# (ISA v3.0/v3.1 removed EAR; TM is not implemented by POWER10).
# 894 was found by seeds 77 (POWER8) and 202/303 (POWER9): QEMU reads 0 where the ISA table has no SPR.
QEMU_EXTRA = {
    "power8": frozenset({31, 282, 316, 317, 851, 888, 889, 890, 892, 893, 894, 895, 921}),
    "power9": frozenset({31, 282, 316, 317, 851, 888, 889, 890, 892, 893, 894, 921}),
    "power10": frozenset({31, 128, 129, 130, 131, 282, 316, 317, 851, 888, 889, 890, 892, 893, 894, 921}),
}


def _is_scv_slot(slot: int) -> bool:
    return 0x17000 <= slot < 0x18000 or 0xC000000000003000 <= slot < 0xC000000000004000


def _offsets(recs) -> list:
    """Vector offsets of records (0x17000 for any scv vector)."""
    return [0x17000 if _is_scv_slot(r["slot"]) else _vector_offset(r["slot"]) for r in recs]


def _qemu_undefined(c: FuzzContext) -> list:
    """What QEMU 7.2 gen_op_mfspr/gen_op_mtspr do for an SPR number it has no
    callbacks for: problem state: Program[PRIV] (bit 0x10 set) or HEAI; privileged
    state: HEAI only for SPR 0, 4, 5, 6 (mfspr) / 0 (mtspr), otherwise a no-op."""
    n = c.spr
    if c.state == "p":
        return [PROGRAM] if n & 0x10 else [HEAI]
    if c.cls == "mfspr" and n in (0, 4, 5, 6) or c.cls == "mtspr" and n == 0:
        return [HEAI]
    return []


def _ppcvec_undefined(c: FuzzContext) -> list:
    """The Power ISA rule ppcvec applies (emu.privileged.undefined_spr)."""
    if c.spr & 0x10:
        return [PROGRAM] if c.state == "p" else []
    return [HEAI]


def _is_spr(c: FuzzContext) -> bool:
    return c.cls in ("mfspr", "mtspr") and c.spr is not None


def _row(c: FuzzContext):
    from emu.registers import implemented
    return implemented(c.model).get(c.spr)


def undefined_spr_noop(c: FuzzContext) -> bool:
    """QEMU 7.2 treats an undefined SPR number with bit 0x10 clear as a no-op
    in privileged state, except SPRs 0/4/5/6 (gen_op_mfspr) and 0 (gen_op_mtspr,
    target/ppc/translate.c).  Power ISA v3.0B/v3.1B Book III 4.4.4 mtspr/mfspr
    (undefined SPR field values): Hypervisor Emulation Assistance interrupt for
    spr[0]=0 in every state; no-op only for spr[0]=1 in privileged state.
    Matches an undefined SPR (also a number defined only for the other
    direction) where ppcvec took the HEAI and QEMU followed its own rule."""
    if not _is_spr(c):
        return False
    row = _row(c)
    undefined = row is None or not (row.mf if c.cls == "mfspr" else row.mt)
    return (undefined and c.spr not in QEMU_MISSING.get(c.model, ()) and c.spr not in
            QEMU_EXTRA.get(c.model, ()) and _offsets(c.ppcvec) == _ppcvec_undefined(c)
            and _offsets(c.qemu) == _qemu_undefined(c) and c.ppcvec != c.qemu)


def qemu_lacks_spr(c: FuzzContext) -> bool:
    """QEMU 7.2 does not register some SPRs the model has (QEMU_MISSING: the user
    DSCR alias 3, PPR32 898, HEIR 339, the privileged PSSCR view 823, POWER10's
    DAWR1/DAWRX1 181/189 and SIER2/SIER3/MMCR3 736-738/752-754; cpu_init.c
    register_*_sprs; the POWER9/POWER10 User's Manual TRACE 1006) and handles them
    as undefined numbers.  Power ISA
    v2.07B/v3.0B/v3.1B Book III SPR encodings list them for the model.
    Matches an access to such an SPR where QEMU's outcome is its undefined-SPR
    rule (no record, or its HEAI/Program, and the register left unread)."""
    if not _is_spr(c) or c.spr not in QEMU_MISSING.get(c.model, ()):
        return False
    if _offsets(c.qemu) != _qemu_undefined(c):
        return False
    return c.qemu_reg in (None, POISON)


def qemu_extra_spr(c: FuzzContext) -> bool:
    """QEMU 7.2 registers SPRs the model does not have (QEMU_EXTRA: EAR 282,
    removed from ISA v3.0 and absent from POWER8's Book IV; the
    implementation-specific 31, 316, 317, 851, 888-890, 892-894, 921 and on POWER8 895, found by the
    fuzzer; the TM registers
    128-131 on POWER10, which implements no transactional memory).  Power ISA
    v3.1B Book III SPR encodings / POWER10 has no TM (ISA v3.1 makes it
    optional).  Matches an access to such a number where ppcvec applied the
    undefined-SPR rule."""
    if not _is_spr(c) or c.spr not in QEMU_EXTRA.get(c.model, ()):
        return False
    return _offsets(c.ppcvec) == _ppcvec_undefined(c) and c.ppcvec_reg in (None, POISON)


def direction_undefined(c: FuzzContext) -> bool:
    """QEMU 7.2 registers the numbers the SPR encodings define for one direction
    only with callbacks for both (cpu_init.c: SPR_WR_TBL 284 / SPR_WR_TBU 285
    read the timebase / 0, SPR_PURR 308/309 are readable in problem state), or
    with SPR_NOACCESS, which is a Program[PRIV] interrupt in every state
    (CTRL 136/152, TBU40 286, the read-only user numbers 259, 268, 269, 768,
    780-782).  Power ISA v3.0B Book III 4.4.4: a number the encodings figure
    does not list for mfspr (mtspr) is an undefined SPR for it; PURR/SPURR are
    privileged (encodings figure, "mfspr: privileged").  Matches such an access
    where ppcvec applied the undefined-SPR rule (or, for PURR/SPURR in problem
    state, Program[PRIV]) and QEMU either read/wrote the register or took a
    Program[PRIV] interrupt."""
    if not _is_spr(c):
        return False
    row = _row(c)
    purr_user = row is not None and c.spr in (308, 309) and c.state == "p" and c.cls == "mfspr"
    if purr_user:
        return _offsets(c.ppcvec) == [PROGRAM] and _offsets(c.qemu) == []
    if row is None or (row.mf if c.cls == "mfspr" else row.mt):
        return False
    if _offsets(c.ppcvec) != _ppcvec_undefined(c):
        return False
    return _offsets(c.qemu) in ([], [PROGRAM])


def hfscr_not_checked(c: FuzzContext) -> bool:
    """QEMU 7.2 checks HFSCR only for msgsndp/msgclrp and DPDES (helper
    hfscr_facility_check); for the EBB, TAR, DSCR, PM and TM registers it
    checks FSCR (gen_fscr_facility_check) or nothing.  Power ISA v3.0B Book III
    "Hypervisor Facility Status and Control Register": with MSR[HV]=0 an access
    to a facility whose HFSCR bit is 0 causes a Hypervisor Facility Unavailable
    interrupt, HFSCR[IC] = the facility.  Matches an SPR access where ppcvec
    took that interrupt (0xF80) and QEMU did something else."""
    if not _is_spr(c):
        return False
    row = _row(c)
    return (row is not None and row.hfscr is not None and c.state != "h"
            and _offsets(c.ppcvec)[:1] == [HFU] and _offsets(c.qemu)[:1] != [HFU])


def msgp_hfscr(c: FuzzContext) -> bool:
    """QEMU 7.2's HFSCR[MSGP] check for msgclrp and mfspr DPDES in HV=0 state
    (helper_hfscr_facility_check from helper_msgclrp / spr_read_dpdes) raises
    Hypervisor Facility Unavailable when HFSCR[MSGP]=1 and lets the access
    through when it is 0, and the interrupt repeats with the previous
    instruction's state (records with the earlier tag).  Power ISA v3.0B Book
    III "Hypervisor Facility Status and Control Register", MSGP: the facility is
    available when the bit is 1.  Matches msgclrp or mfspr 176 from HV=0 where
    one side took only HFUs and the other nothing."""
    if c.state == "h" or not (c.cls == "msgclrp" or _is_spr(c) and c.spr == 176):
        return False
    q, p = set(_offsets(c.qemu)), set(_offsets(c.ppcvec))
    if not q and not p and c.cls == "mfspr":
        # QEMU's HFU for this read was taken (and recorded) with another tag
        return c.qemu_reg == POISON and c.ppcvec_reg != POISON
    return (q == {HFU} and not p) or (p == {HFU} and not q) or (p == q == {HFU})


GUEST_NOOP_SPRS = frozenset({855, 284, 285, 286})


def guest_hv_spr_noop(c: FuzzContext) -> bool:
    """QEMU 7.2 gives some hypervisor-only SPRs no privileged-state callbacks
    (the hypervisor PSSCR 855; on POWER8 the timebase write numbers 284-286)
    and treats an access from HV=0 as an undefined SPR (a no-op: bit 0x10 is
    set).  Power ISA v3.0B Book III 4.4.4: hypervisor-privileged SPRs give
    Program[PRIV] (HEAI with LPCR[EVIRT]) in privileged HV=0 state.  Matches
    such an access from HV=0 privileged state where QEMU took nothing and
    ppcvec that interrupt."""
    return (_is_spr(c) and c.spr in GUEST_NOOP_SPRS and c.state == "s" and not c.qemu
            and _offsets(c.ppcvec) in ([PROGRAM], [HEAI]))


def bescr_views(c: FuzzContext) -> bool:
    """QEMU 7.2 registers BESCRS/BESCRSU/BESCRR/BESCRRU (800-803) as plain
    registers (spr_read_generic/spr_write_generic on their own slots).  Power
    ISA v2.07B Book II 7.2 "Branch Event Status and Control Register": they are
    views of BESCR that set (S) or reset (R) the bits written, the U forms on
    the upper word.  Matches reads of 800-803 (and BESCR 806) whose values
    differ while neither side interrupted."""
    return (_is_spr(c) and c.spr in (800, 801, 802, 803, 806) and not c.qemu
            and not c.ppcvec)


def reserved_bits_kept(c: FuzzContext) -> bool:
    """QEMU 7.2 writes most SPRs with spr_write_generic, which keeps every bit
    (FSCR, HFSCR, PPR, DSISR's upper word, ...).  Power ISA Book III: reserved
    bits of an SPR read back 0 (ppcvec: the writable mask of the register
    table, emu/registers.py).  Matches a value read back where QEMU's, masked
    with ppcvec's writable mask for the register, is ppcvec's."""
    if not _is_spr(c) or c.cls != "mfspr" or c.qemu or c.ppcvec:
        return False
    from emu.registers import field_masks
    row = _row(c)
    if row is None or not row.field or c.qemu_reg is None or c.ppcvec_reg is None:
        return False
    mask = field_masks(c.model).get(row.field)
    if mask is None:
        return False
    if row.hook == "upper32":
        mask >>= 32
    return c.qemu_reg & mask == c.ppcvec_reg


def evirt_ignored_insn(c: FuzzContext) -> bool:
    """The instruction-level form of `evirt_ignored` (QEMU 7.2 GEN_PRIV /
    SPR_NOACCESS ignore LPCR[EVIRT]; Power ISA v3.0B Book III LPCR[EVIRT]):
    in privileged HV=0 state with LPCR[EVIRT]=1, ppcvec took Hypervisor
    Emulation Assistance interrupts where QEMU took Program interrupts."""
    pv, qv = _offsets(c.ppcvec), _offsets(c.qemu)
    return (c.state == "s" and bool(c.lpcr & LPCR_EVIRT) and bool(pv) and len(pv) == len(qv)
            and set(pv) == {HEAI} and set(qv) == {PROGRAM})


FUZZ_DEVIATIONS = (
    Deviation("evirt-ignored", "QEMU 7.2 ignores LPCR[EVIRT] (Program[PRIV], not HEAI)",
              "Power ISA v3.0B Book III LPCR[EVIRT], Hypervisor Emulation Assistance Interrupt",
              evirt_ignored_insn),
    Deviation("undefined-spr-noop", "QEMU 7.2: undefined SPRs with bit 0x10 clear are no-ops in privileged state",
              "Power ISA v3.0B Book III 4.4.4 mtspr/mfspr, undefined SPR numbers", undefined_spr_noop),
    Deviation("qemu-lacks-spr", "QEMU 7.2 does not implement some SPRs of the model",
              "Power ISA v2.07B/v3.0B/v3.1B Book III SPR encodings", qemu_lacks_spr),
    Deviation("qemu-extra-spr", "QEMU 7.2 implements SPRs the model lacks (EAR; TM on POWER10)",
              "Power ISA v3.1B Book III SPR encodings", qemu_extra_spr),
    Deviation("spr-direction", "QEMU 7.2 reads/writes SPR numbers defined for the other direction only",
              "Power ISA v3.0B Book III 4.4.4 and the SPR encodings figure", direction_undefined),
    Deviation("hfscr-unchecked", "QEMU 7.2 does not check HFSCR for SPR facilities",
              "Power ISA v3.0B Book III Hypervisor Facility Status and Control Register",
              hfscr_not_checked),
    Deviation("msgp-hfscr", "QEMU 7.2 inverts HFSCR[MSGP] for msgclrp/DPDES in a guest",
              "Power ISA v3.0B Book III HFSCR[MSGP]", msgp_hfscr),
    Deviation("guest-hv-spr-noop", "QEMU 7.2: PSSCR (855) and (POWER8) TB writes from HV=0 are no-ops",
              "Power ISA v3.0B Book III 4.4.4, hypervisor-privileged SPRs", guest_hv_spr_noop),
    Deviation("bescr-views", "QEMU 7.2 keeps BESCRS/BESCRR/... as separate registers",
              "Power ISA v2.07B Book II 7.2 BESCR", bescr_views),
    Deviation("reserved-bits-kept", "QEMU 7.2 keeps reserved SPR bits",
              "Power ISA Book III: reserved SPR bits read 0", reserved_bits_kept),
)


def find_fuzz_deviation(c: FuzzContext) -> Deviation | None:
    for d in FUZZ_DEVIATIONS:
        if d.matches(c):
            return d
    return None
