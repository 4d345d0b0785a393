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

from dataclasses import dataclass, replace
from functools import lru_cache

from .bits import (FSCR_IC_MASK, FSCR_IC_SHIFT, LPCR_HAIL, LPCR_HR, LPCR_ILE, LPCR_LPES0,
                   MASK64, MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_LE, MSR_ME, MSR_RI, MSR_SF,
                   SRR1_CAUSE_MASK, lpcr_ail)
from .models import ProcessorModel
from .state import CpuState


SCV_VECTOR_BASE = 0x17000          # real-mode scv vectors: 0x17000 + LEV * 0x20
SCV_AIL3_BASE = 0xC000000000003000  # AIL=3 scv vectors
AIL2_OFFSET = 0x18000
AIL3_OFFSET = 0xC000000000004000

# Where an interrupt saves the interrupted context (ISA III 7.5 / 7.5.18).
SAVE_SRR = "srr0/srr1"        # SRR0 = the instruction (or the next), SRR1 = MSR + causes
SAVE_HSRR = "hsrr0/hsrr1"     # the same in HSRR0/HSRR1 (hypervisor-class interrupts)
SAVE_LR_CTR = "lr/ctr"        # scv: LR = next instruction, CTR = MSR; SRR0/1 untouched

# Which register an interrupt writes its interruption cause/image to.
IC_FSCR = "fscr"              # FSCR[IC] (Facility Unavailable, ISA III 9.2)
IC_HFSCR = "hfscr"            # HFSCR[IC] (Hypervisor Facility Unavailable)
IC_HEIR = "heir"              # HEIR = the instruction image (HEAI, ISA v3.0 III 7.5.16)

# New-MSR rules (ISA III 7.5 "MSR setting due to interrupt"; QEMU powerpc_excp_books):
KEEP_OS = MSR_ME | MSR_HV                      # every interrupt keeps ME and HV ...
KEEP_HV = MSR_ME | MSR_HV | MSR_RI             # ... HV-class ones also RI
KEEP_SCV = MSR_ME | MSR_HV | MSR_EE | MSR_RI   # "scv ... without changing EE, RI, ME, or HV"

# AIL relocation of a vector: ((clear, or) for AIL=2, (clear, or) for AIL=3)
# (QEMU ppc_excp_apply_ail): vector = (vector & ~clear) | or.
RELOC_NORMAL = ((0, AIL2_OFFSET), (0, AIL3_OFFSET))
RELOC_SCV = ((0, 0), (SCV_VECTOR_BASE, SCV_AIL3_BASE))


@dataclass(frozen=True)
class InterruptDef:
    """One row of the interrupt table: everything delivery needs to know.

    `compute_delivery` and `interrupt_new_msr` read these columns and nothing
    else about an interrupt; tests/test_interrupt_rows.py checks each row against
    a concrete delivery of machine code."""
    kind: str          # short name used in events, JSON and the debugger
    name: str          # Linux handler name (exceptions-64s.S), for traces
    vector: int        # real-mode vector offset (scv: for LEV 0)
    hv: bool           # hypervisor-class: delivered with MSR[HV]=1
    ail: bool = True   # False: AIL never applies (SRESET, MCE, HMI)
    save: str = ""     # SAVE_SRR / SAVE_HSRR / SAVE_LR_CTR ("" -> by `hv`)
    keep: int = -1     # MSR bits kept from the interrupted MSR (-1 -> KEEP_HV / KEEP_OS)
    sets_hv_if_capable: bool = False  # MSR[HV]=1 on a CPU with hypervisor state (SRESET, MCE)
    lev1_hv: bool = False   # LEV=1 is a hypercall: MSR[HV]=1 on a CPU with hypervisor state
    clears: int = 0    # MSR bits cleared although kept (MCE: ME)
    ic: str | None = None      # IC_FSCR / IC_HFSCR / IC_HEIR, or None
    fault: tuple = ()  # the registers a storage interrupt reports in (written by its source)
    hv_unless_lpcr: int = 0    # with hypervisor state and this LPCR bit 0: an HV-class interrupt
    lev_stride: int = 0        # vector = vector + LEV * stride (scv)
    reloc: tuple = RELOC_NORMAL

    def __post_init__(self):
        if not self.save:
            object.__setattr__(self, "save", SAVE_HSRR if self.hv else SAVE_SRR)
        if self.keep == -1:
            object.__setattr__(self, "keep", KEEP_HV if self.hv else KEEP_OS)


_D = InterruptDef
INTERRUPTS = {d.kind: d for d in (
    _D("sreset", "system_reset", 0x100, False, ail=False, sets_hv_if_capable=True),
    _D("mce", "machine_check", 0x200, False, ail=False, sets_hv_if_capable=True,
       clears=MSR_ME, fault=("dar",)),
    _D("dsi", "data_access", 0x300, False, fault=("dar", "dsisr")),
    _D("dseg", "data_access_slb", 0x380, False, fault=("dar",)),
    _D("isi", "instruction_access", 0x400, False),
    _D("iseg", "instruction_access_slb", 0x480, False),
    # LPCR[LPES0]=0 directs external interrupts to the hypervisor (ISA III 2.2 LPCR
    # LPES; QEMU powerpc_excp_books "POWERPC_EXCP_EXTERNAL ... lpes0")
    _D("external", "hardware_interrupt", 0x500, False, hv_unless_lpcr=LPCR_LPES0),
    _D("alignment", "alignment", 0x600, False, fault=("dar", "dsisr")),
    _D("program", "program_check", 0x700, False),
    _D("fpu", "fp_unavailable", 0x800, False),
    _D("dec", "decrementer", 0x900, False),
    _D("hdec", "hdecrementer", 0x980, True),
    _D("doorbell", "doorbell_super", 0xA00, False),
    _D("sc", "system_call", 0xC00, False, lev1_hv=True),
    _D("trace", "single_step", 0xD00, False),
    _D("hdsi", "h_data_storage", 0xE00, True, fault=("hdar", "hdsisr", "asdr")),
    _D("hisi", "h_instr_storage", 0xE20, True, fault=("asdr",)),
    _D("heai", "emulation_assist", 0xE40, True, ic=IC_HEIR),
    _D("hmi", "hmi_exception", 0xE60, True, ail=False),
    _D("hdoorbell", "h_doorbell", 0xE80, True),
    _D("hvirt", "h_virt_irq", 0xEA0, True),
    _D("perfmon", "performance_monitor", 0xF00, False),
    _D("vmx", "altivec_unavailable", 0xF20, False),
    _D("vsx", "vsx_unavailable", 0xF40, False),
    _D("fu", "facility_unavailable", 0xF60, False, ic=IC_FSCR),
    _D("hfu", "h_facility_unavailable", 0xF80, True, ic=IC_HFSCR),
    _D("scv", "system_call_vectored", SCV_VECTOR_BASE, False, save=SAVE_LR_CTR, keep=KEEP_SCV,
       lev_stride=0x20, reloc=RELOC_SCV),
)}

# The hypervisor-class form a row takes when `hv_unless_lpcr` redirects it.
HV_FORMS = {k: replace(d, hv=True, save=SAVE_HSRR, keep=KEEP_HV)
            for k, d in INTERRUPTS.items() if d.hv_unless_lpcr}


def row_for(d: InterruptDef, lpcr: int, hv_capable: bool) -> InterruptDef:
    """The row that applies: an interrupt whose LPCR bit (`hv_unless_lpcr`) is 0 on a
    CPU with hypervisor state is delivered as hypervisor-class (ISA III 2.2 LPCR[LPES])."""
    if d.hv_unless_lpcr and hv_capable and not lpcr & d.hv_unless_lpcr:
        return HV_FORMS[d.kind]
    return d




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
    due to interrupt"; QEMU powerpc_excp_books), from the row's columns:
      * `keep`: the bits kept from the interrupted MSR, every other bit starts at 0
        (ME and HV always; HV-class interrupts also RI; scv also EE and RI, "scv
        instructions enter the kernel without changing EE, RI, ME, or HV", Linux
        exceptions-64s.S);
      * `hv`: HV-class interrupts set HV; `lev1_hv`: `sc 1` sets HV (a hypercall)
        and `sets_hv_if_capable`: system reset and machine check set HV, on a CPU
        with a hypervisor;
      * `clears`: machine check clears ME;
      * SF is always set; LE follows ILE/HILE.
    """
    old = state.msr
    new = old & d.keep
    if d.hv or (hv_capable and (d.sets_hv_if_capable or (d.lev1_hv and lev == 1))):
        new |= MSR_HV
    new &= ~d.clears
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
    """Relocate the vector for an applicable AIL by the row's `reloc` and turn
    relocation on (QEMU ppc_excp_apply_ail): AIL=2 ORs 0x18000, AIL=3 ORs
    0xC000000000004000; scv (RELOC_SCV): AIL=2 leaves the address (0x17000 +
    LEV*0x20) and only sets IR/DR, AIL=3 moves it to 0xC000000000003000 + LEV*0x20."""
    if ail == 0:
        return vector, new_msr
    new_msr |= MSR_IR | MSR_DR
    if ail in (2, 3):
        clear, add = d.reloc[ail - 2]
        vector = (vector & ~clear) | add
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
    d = row_for(INTERRUPTS[kind], lpcr, hv_capable)
    st = CpuState(msr=msr, lpcr=lpcr, hid0=hid0)
    new = interrupt_new_msr(model, st, d, lev, hv_capable)
    vector = d.vector + (lev & 0x7F) * d.lev_stride
    decision = decide_ail(model, d, msr, new, lpcr)
    vector, new = apply_ail(d, vector, new, decision.ail)
    return d, vector, new, decision


def compute_delivery(model: ProcessorModel, state: CpuState, req: InterruptRequest,
                     hv_capable: bool) -> Delivery:
    """Everything delivering `req` writes, as a pure function of the state, read
    from the interrupt's row: `save` says where the context goes (SRR0/1, HSRR0/1,
    or LR/CTR for scv, ISA III 7.5.18, SRR0/SRR1 untouched), `ic` which cause
    register is written (FSCR[IC]/HFSCR[IC] are overwritten, ISA III 9.2 and PR-KVM
    kvmppc_trigger_fac_interrupt, not ORed as QEMU does; HEIR = the image)."""
    old = state.msr
    d, vector, new, decision = delivery_target(model, req.kind, req.lev, old, state.lpcr,
                                               state.hid0, hv_capable)
    dl = Delivery(req.kind, vector, old, new, decision, name=d.name)
    save = d.save
    if save is SAVE_LR_CTR:
        dl.lr = req.nip
        dl.ctr = srr1_value(old, 0)
    elif save is SAVE_HSRR:
        dl.hsrr0 = req.nip
        dl.hsrr1 = srr1_value(old, req.srr1_bits)
    else:
        dl.srr0 = req.nip
        dl.srr1 = srr1_value(old, req.srr1_bits)
    ic = d.ic
    if ic is not None:
        if ic is IC_HEIR:
            if req.heir is not None:
                dl.heir = req.heir
        elif req.ic is not None:
            field = ((req.ic & 0xFF) << FSCR_IC_SHIFT)
            if ic is IC_FSCR:
                dl.fscr = (state.fscr & ~FSCR_IC_MASK) | field
            else:
                dl.hfscr = (state.hfscr & ~FSCR_IC_MASK) | field
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
