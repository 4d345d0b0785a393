"""Interrupt delivery for Book3S-64: vectors, saved registers, the new MSR and AIL.

One function per architectural rule, each naming its source:
  * `INTERRUPTS`         — the interrupt table (Power ISA v3.1 Book III 7.5, Figure
                           "Interrupt vectors"; QEMU `init_excp_POWER8/9/10`).
  * `interrupt_new_msr`  — how the new MSR is formed (ISA III 7.5 "Interrupt
                           Definitions"; QEMU `powerpc_excp_books`).
  * `ail_p8_p9`, `ail_p10` — whether Alternate Interrupt Location applies
                           (ISA v3.0/v3.1 LPCR[AIL]/[HAIL]; QEMU `ppc_excp_apply_ail`).
  * `apply_ail`          — how an applicable AIL relocates the vector.
  * `compute_delivery`   — a pure function from (model, state, request) to the
                           register writes that delivering the interrupt makes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .bits import (FSCR_IC_MASK, FSCR_IC_SHIFT, LPCR_HAIL, LPCR_HR, LPCR_ILE, LPCR_LPES0,
                   MASK64, MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_LE, MSR_ME, MSR_RI, MSR_SF,
                   SRR1_CAUSE_MASK, lpcr_ail)
from .models import ProcessorModel
from .state import CpuState


@dataclass(frozen=True)
class InterruptDef:
    kind: str          # short name used in events, JSON and the debugger
    name: str          # Linux handler name (exceptions-64s.S), for traces
    vector: int        # real-mode vector offset
    hv: bool           # HV-class: saved in HSRR0/1, new MSR[HV]=1, keeps RI
    ail: bool = True   # False: AIL never applies (SRESET, MCE, HMI)


INTERRUPTS = {d.kind: d for d in (
    InterruptDef("sreset", "system_reset", 0x100, False, ail=False),
    InterruptDef("mce", "machine_check", 0x200, False, ail=False),
    InterruptDef("dsi", "data_access", 0x300, False),
    InterruptDef("dseg", "data_access_slb", 0x380, False),
    InterruptDef("isi", "instruction_access", 0x400, False),
    InterruptDef("iseg", "instruction_access_slb", 0x480, False),
    InterruptDef("external", "hardware_interrupt", 0x500, False),
    InterruptDef("alignment", "alignment", 0x600, False),
    InterruptDef("program", "program_check", 0x700, False),
    InterruptDef("fpu", "fp_unavailable", 0x800, False),
    InterruptDef("dec", "decrementer", 0x900, False),
    InterruptDef("hdec", "hdecrementer", 0x980, True),
    InterruptDef("doorbell", "doorbell_super", 0xA00, False),
    InterruptDef("sc", "system_call", 0xC00, False),
    InterruptDef("trace", "single_step", 0xD00, False),
    InterruptDef("hdsi", "h_data_storage", 0xE00, True),
    InterruptDef("hisi", "h_instr_storage", 0xE20, True),
    InterruptDef("heai", "emulation_assist", 0xE40, True),
    InterruptDef("hmi", "hmi_exception", 0xE60, True, ail=False),
    InterruptDef("hdoorbell", "h_doorbell", 0xE80, True),
    InterruptDef("hvirt", "h_virt_irq", 0xEA0, True),
    InterruptDef("perfmon", "performance_monitor", 0xF00, False),
    InterruptDef("vmx", "altivec_unavailable", 0xF20, False),
    InterruptDef("vsx", "vsx_unavailable", 0xF40, False),
    InterruptDef("fu", "facility_unavailable", 0xF60, False),
    InterruptDef("hfu", "h_facility_unavailable", 0xF80, True),
    InterruptDef("scv", "system_call_vectored", 0x17000, False),
)}

SCV_VECTOR_BASE = 0x17000          # real-mode scv vectors: 0x17000 + LEV * 0x20
SCV_AIL3_BASE = 0xC000000000003000  # AIL=3 scv vectors
AIL2_OFFSET = 0x18000
AIL3_OFFSET = 0xC000000000004000


@dataclass(slots=True)
class InterruptRequest:
    """What the executing instruction (or the machine) asks to deliver."""
    kind: str
    nip: int                 # SRR0/HSRR0 value (the instruction, or the next one for sc)
    insn_addr: int           # the instruction that caused it (for events/traces)
    insn: int | None = None  # its image, when there is one
    srr1_bits: int = 0       # cause bits ORed into SRR1/HSRR1
    lev: int = 0             # sc/scv LEV
    ic: int | None = None    # FSCR[IC] / HFSCR[IC] for fu/hfu
    dar: int | None = None
    dsisr: int | None = None
    heir: int | None = None
    reason: str = ""         # human text: why (illegal, privileged, no translation, ...)


@dataclass(frozen=True, slots=True)
class AilDecision:
    ail: int          # effective AIL applied (0 = none)
    lpcr_ail: int     # LPCR[AIL] at delivery
    hail: bool        # LPCR[HAIL] at delivery
    rule: str         # which row of the AIL table decided, in words


@dataclass(slots=True)
class Delivery:
    """Register writes of one interrupt delivery (pure result of compute_delivery)."""
    kind: str
    vector: int
    msr_before: int
    msr_after: int
    ail: AilDecision
    name: str = ""
    srr0: int | None = None
    srr1: int | None = None
    hsrr0: int | None = None
    hsrr1: int | None = None
    lr: int | None = None
    ctr: int | None = None
    fscr: int | None = None      # new FSCR (IC written)
    hfscr: int | None = None
    dar: int | None = None
    dsisr: int | None = None
    heir: int | None = None


# ------------------------------------------------------------------ new MSR

def interrupts_little_endian(model: ProcessorModel, state: CpuState, new_hv: bool) -> bool:
    """MSR[LE] after an interrupt: LPCR[ILE] for interrupts to the OS, HID0[HILE]
    for interrupts to the hypervisor (ISA III 2.2 LPCR ILE; QEMU
    `ppc_interrupts_little_endian`)."""
    if new_hv:
        return bool(state.hid0 & model.hile_mask)
    return bool(state.lpcr & LPCR_ILE)


def interrupt_new_msr(model: ProcessorModel, state: CpuState, d: InterruptDef, lev: int,
                      hv_capable: bool) -> int:
    """The MSR an interrupt is delivered with, before AIL (ISA III 7.5, "MSR setting
    due to interrupt"; QEMU powerpc_excp_books):
      * ME and HV are kept, every other bit starts at 0 (EE=PR=IR=DR=FP=RI=0);
      * HV-class interrupts set HV and keep RI;
      * scv keeps EE and RI ("scv instructions enter the kernel without changing EE,
        RI, ME, or HV", Linux exceptions-64s.S);
      * `sc 1` sets HV (a hypercall); system reset and machine check set HV on a CPU
        with a hypervisor;
      * machine check clears ME;
      * SF is always set; LE follows ILE/HILE.
    """
    old = state.msr
    new = old & (MSR_ME | MSR_HV)
    if d.hv:
        new |= MSR_HV | (old & MSR_RI)
    elif d.kind == "scv":
        new |= old & (MSR_EE | MSR_RI)
    elif d.kind == "sc" and lev == 1 and hv_capable:
        new |= MSR_HV
    elif d.kind in ("sreset", "mce") and hv_capable:
        new |= MSR_HV
    if d.kind == "mce":
        new &= ~MSR_ME
    new |= MSR_SF
    if interrupts_little_endian(model, state, bool(new & MSR_HV)):
        new |= MSR_LE
    return new


# ------------------------------------------------------------------ AIL

def ail_p8_p9(msr: int, new_msr: int, lpcr: int, reserved: frozenset,
              has_hr: bool = True) -> AilDecision:
    """AIL on POWER8 and POWER9 (ISA v2.07/v3.0 LPCR[AIL]; QEMU ppc_excp_apply_ail):

        MSR[IR&DR]  old HV  new HV  LPCR[HR]   effective AIL
        not both 1    x       x        x        0
        11            0       1        0        0   (HV 0->1 escalation from an HPT guest)
        11            0       1        1        a   (P9 radix: 0->1 may use AIL)
        11            1       1        x        a
        11            0       0        x        a
    where a = LPCR[AIL], and the reserved value 1 is treated as 0.  POWER8
    (ISA v2.07) has no LPCR[HR] (`has_hr` False): an HV 0->1 interrupt never
    uses AIL there; the texts say which bit, or its absence, decided.
    """
    a = lpcr_ail(lpcr)
    if not (msr & MSR_IR and msr & MSR_DR):
        return AilDecision(0, a, False, "no AIL: MSR[IR] and MSR[DR] were not both 1 (P8/P9 needs relocation on)")
    escalation = not msr & MSR_HV and new_msr & MSR_HV
    if escalation and not has_hr:
        return AilDecision(0, a, False, "no AIL: HV 0->1 escalation (P8: ISA v2.07 never "
                                        "applies AIL to it; there is no LPCR[HR])")
    if escalation and not lpcr & LPCR_HR:
        return AilDecision(0, a, False, "no AIL: HV 0->1 escalation with LPCR[HR]=0 (P9)")
    if a in reserved:
        return AilDecision(0, a, False, f"no AIL: LPCR[AIL]={a} is reserved, treated as 0")
    if a == 0:
        return AilDecision(0, a, False, "no AIL: LPCR[AIL]=0")
    if escalation:
        return AilDecision(a, a, False, f"AIL={a} applies: MSR[IR]=MSR[DR]=1, LPCR[AIL]={a} "
                                        f"and, for this HV 0->1 interrupt, LPCR[HR]=1 (P9 radix)")
    return AilDecision(a, a, False, f"AIL={a} applies: MSR[IR]=MSR[DR]=1 and LPCR[AIL]={a} (P8/P9 rule)")


def ail_p10(msr: int, new_msr: int, lpcr: int, reserved: frozenset) -> AilDecision:
    """AIL on POWER10 (ISA v3.1 LPCR[AIL] and LPCR[HAIL]; QEMU ppc_excp_apply_ail):

        MSR[IR&DR]  old HV  new HV   effective AIL
        not both 1    0       0      0
        11            0       0      a
        x             0       1      h (-> 3)   (escalation needs no relocation)
        not both 1    1       1      0
        11            1       1      h (-> 3)
    where a = LPCR[AIL] (1 and 2 reserved, treated as 0) and h = LPCR[HAIL]:
    interrupts delivered with HV=1 ignore LPCR[AIL].
    """
    a = lpcr_ail(lpcr)
    h = bool(lpcr & LPCR_HAIL)
    mmu_all_on = bool(msr & MSR_IR and msr & MSR_DR)
    escalation = not msr & MSR_HV and bool(new_msr & MSR_HV)
    if not mmu_all_on and not escalation:
        return AilDecision(0, a, h, "no AIL: MSR[IR] and MSR[DR] were not both 1 (P10)")
    if new_msr & MSR_HV:
        if h:
            return AilDecision(3, a, h, "HAIL applies: interrupt to HV=1 with LPCR[HAIL]=1 -> AIL=3 (P10; LPCR[AIL] ignored)")
        return AilDecision(0, a, h, f"no AIL: interrupt to HV=1 with LPCR[HAIL]=0 (P10 ignores LPCR[AIL]={a} for HV)")
    if a in reserved:
        return AilDecision(0, a, h, f"no AIL: LPCR[AIL]={a} is reserved on P10, treated as 0")
    if a == 0:
        return AilDecision(0, a, h, "no AIL: LPCR[AIL]=0")
    return AilDecision(a, a, h, f"AIL={a} applies: MSR[IR]=MSR[DR]=1, HV=0 and LPCR[AIL]={a} (P10 rule)")


AIL_RULES = {"p8_p9": ail_p8_p9, "p10": ail_p10}


def decide_ail(model: ProcessorModel, d: InterruptDef, msr: int, new_msr: int, lpcr: int) -> AilDecision:
    """Whether AIL applies to this interrupt: never for SRESET, MCE and HMI
    ("It's impossible to receive interrupts below 0x300 via AIL", Linux), else the
    model's table."""
    if not d.ail:
        return AilDecision(0, lpcr_ail(lpcr), bool(lpcr & LPCR_HAIL),
                           f"no AIL: {d.name} never uses AIL")
    if model.ail_rule == "p8_p9":
        return ail_p8_p9(msr, new_msr, lpcr, model.ail_reserved, bool(model.lpcr_mask & LPCR_HR))
    return AIL_RULES[model.ail_rule](msr, new_msr, lpcr, model.ail_reserved)


def apply_ail(d: InterruptDef, vector: int, new_msr: int, ail: int) -> tuple[int, int]:
    """Relocate the vector for an applicable AIL and turn relocation on
    (QEMU ppc_excp_apply_ail): AIL=2 ORs 0x18000, AIL=3 ORs 0xC000000000004000;
    scv: AIL=2 leaves the address (0x17000 + LEV*0x20) and only sets IR/DR, AIL=3
    moves it to 0xC000000000003000 + LEV*0x20."""
    if ail == 0:
        return vector, new_msr
    new_msr |= MSR_IR | MSR_DR
    if d.kind == "scv":
        if ail == 3:
            vector = (vector & ~SCV_VECTOR_BASE) | SCV_AIL3_BASE
    elif ail == 2:
        vector |= AIL2_OFFSET
    elif ail == 3:
        vector |= AIL3_OFFSET
    return vector, new_msr


# ------------------------------------------------------------------ delivery

def srr1_value(msr: int, cause_bits: int) -> int:
    """SRR1 = the MSR with IBM bits 33-36 and 42-47 cleared, plus cause bits
    (Linux SRR1_MSR_BITS; QEMU powerpc_excp_books)."""
    return (msr & ~SRR1_CAUSE_MASK & MASK64) | cause_bits


@lru_cache(maxsize=8192)
def delivery_target(model: ProcessorModel, kind: str, lev: int, msr: int, lpcr: int, hid0: int,
                    hv_capable: bool) -> tuple:
    """Where an interrupt goes and with which MSR: (definition, vector, new MSR,
    AIL decision).  A pure function of its arguments, so it is memoised."""
    d = INTERRUPTS[kind]
    if d.kind == "external" and hv_capable and not lpcr & LPCR_LPES0:
        d = InterruptDef("external", "hardware_interrupt", 0x500, True)
    st = CpuState(msr=msr, lpcr=lpcr, hid0=hid0)
    new = interrupt_new_msr(model, st, d, lev, hv_capable)
    vector = d.vector
    if d.kind == "scv":
        vector = SCV_VECTOR_BASE + (lev & 0x7F) * 0x20
    decision = decide_ail(model, d, msr, new, lpcr)
    vector, new = apply_ail(d, vector, new, decision.ail)
    return d, vector, new, decision


def compute_delivery(model: ProcessorModel, state: CpuState, req: InterruptRequest,
                     hv_capable: bool) -> Delivery:
    """Everything delivering `req` writes, as a pure function of the state."""
    old = state.msr
    d, vector, new, decision = delivery_target(model, req.kind, req.lev, old, state.lpcr,
                                               state.hid0, hv_capable)
    dl = Delivery(req.kind, vector, old, new, decision, name=d.name)
    if d.kind == "scv":
        # LR = next instruction, CTR = SRR1-style MSR; SRR0/SRR1 untouched (ISA III 7.5.18)
        dl.lr = req.nip
        dl.ctr = srr1_value(old, 0)
    elif d.hv:
        dl.hsrr0 = req.nip
        dl.hsrr1 = srr1_value(old, req.srr1_bits)
    else:
        dl.srr0 = req.nip
        dl.srr1 = srr1_value(old, req.srr1_bits)
    if req.ic is not None:
        # FSCR[IC]/HFSCR[IC] are overwritten (ISA III 9.2; PR-KVM kvmppc_trigger_fac_interrupt),
        # not ORed as QEMU does.
        if d.kind == "fu":
            dl.fscr = (state.fscr & ~FSCR_IC_MASK) | ((req.ic & 0xFF) << FSCR_IC_SHIFT)
        elif d.kind == "hfu":
            dl.hfscr = (state.hfscr & ~FSCR_IC_MASK) | ((req.ic & 0xFF) << FSCR_IC_SHIFT)
    if req.heir is not None:
        dl.heir = req.heir
    if req.dar is not None:
        dl.dar = req.dar
    if req.dsisr is not None:
        dl.dsisr = req.dsisr
    return dl


def apply_delivery(state: CpuState, dl: Delivery) -> None:
    """Write a Delivery's privileged registers into the state (LR/CTR and the PC
    belong to the execution core and are written by the caller)."""
    state.msr = dl.msr_after
    if dl.srr0 is not None:
        state.srr0 = dl.srr0
        state.srr1 = dl.srr1
    if dl.hsrr0 is not None:
        state.hsrr0 = dl.hsrr0
        state.hsrr1 = dl.hsrr1
    if dl.fscr is not None:
        state.fscr = dl.fscr
    if dl.hfscr is not None:
        state.hfscr = dl.hfscr
    if dl.heir is not None:
        state.heir = dl.heir
    if dl.dar is not None:
        state.dar = dl.dar
    if dl.dsisr is not None:
        state.dsisr = dl.dsisr
