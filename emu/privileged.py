"""Trap-and-emulate: every privileged or system instruction, against CpuState.

All code runs in Unicorn in problem state, so each of these instructions traps
to `emulate()` (via emu.cpu), which applies the Power ISA privilege checks to
the *architected* MSR and either performs the instruction on the architected
state or raises `Trap` with the interrupt the ISA prescribes.

Privilege rules (Power ISA v3.0/3.1 Book III 4.4 and the per-instruction text;
QEMU translate.c CHK_SV/CHK_HV and gen_mfspr/gen_mtspr):
  * privileged instruction in problem state       -> Program, SRR1[PRIV] (0x40000)
  * hypervisor-privileged instruction or SPR in
    supervisor (HV=0, PR=0) state                 -> Program, SRR1[PRIV]; with
                                                     LPCR[EVIRT]=1 (ISA v3.0+) a
                                                     Hypervisor Emulation Assistance
                                                     interrupt (0xE40) instead
  * illegal / unimplemented instruction           -> HEAI (0xE40, HEIR = image); Program
                                                     [ILL] without hypervisor state
"""
from __future__ import annotations

from .bits import (MSR_LE, MSR_S, FSCR_IC_SCV, FSCR_SCV, MASK64, MSR_DR, MSR_EE, MSR_HV,
                   MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF, MSR_TM, SRR1_PROGILL, SRR1_PROGPRIV,
                   SRR1_PROGTRAP, ibm_bit)
from .interrupts import InterruptRequest
from .bits import LPCR_GTSE
from .opcodes import (INSN_ATTN, OP_19, OP_19_XOP_DOZE, OP_19_XOP_HRFID, OP_19_XOP_ISYNC,
                      OP_19_XOP_NAP, OP_19_XOP_RFID, OP_19_XOP_RFSCV, OP_19_XOP_RVWINKLE,
                      OP_19_XOP_SLEEP, OP_19_XOP_STOP, OP_31, OP_31_XOP_EIEIO, OP_31_XOP_MFMSR,
                      OP_31_XOP_MFSPR, OP_31_XOP_MFTB, OP_31_XOP_MSGCLR, OP_31_XOP_MSGCLRP,
                      OP_31_XOP_MSGSND, OP_31_XOP_MSGSNDP, OP_31_XOP_MTMSR, OP_31_XOP_MTMSRD,
                      OP_31_XOP_MTSPR, OP_31_XOP_SLBFEE, OP_31_XOP_SLBIA, OP_31_XOP_SLBIE,
                      OP_31_XOP_SLBMFEE, OP_31_XOP_SLBMFEV, OP_31_XOP_SLBMTE, OP_31_XOP_SYNC,
                      OP_31_XOP_TLBIE, OP_31_XOP_TLBIEL, OP_31_XOP_TLBSYNC, OP_31_XOP_TRAP,
                      OP_31_XOP_TRAP_64, OP_ATTN, OP_SC, OP_TRAP, OP_TRAP_64, SC_FORM_SC,
                      SC_FORM_SC_BIT31, SC_FORM_SCV, XOP_ATTN, xop)
from .registers import FAC_TM, PSSCR_OS_VIEW, PSSCR_OS_WRITE


class Trap(Exception):
    """Raised by an emulated instruction: deliver `req` instead of completing."""

    def __init__(self, req: InterruptRequest):
        super().__init__(req.kind)
        self.req = req


class Halt(Exception):
    """The instruction ends this CPU's execution (attn, checkstop)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


# --------------------------------------------------------------- privilege checks

def program(addr, insn, bits, reason):
    return Trap(InterruptRequest("program", addr, addr, insn, srr1_bits=bits, reason=reason))


def illegal(cpu, addr, insn, reason="illegal instruction"):
    """An illegal instruction: HEAI with HEIR on a CPU with hypervisor state,
    else Program[ILL] (ISA III 7.5.16/7.5.9)."""
    if cpu.machine.hv_capable:
        return Trap(InterruptRequest("heai", addr, addr, insn, heir=insn, reason=reason))
    return program(addr, insn, SRR1_PROGILL, reason)


def hv_emulation_assist(cpu, addr, insn, reason):
    """An HEAI for an SPR number the CPU does not define (see `undefined_spr`;
    QEMU gen_hvpriv_exception(POWERPC_EXCP_INVAL_SPR)); Program[PRIV] in a
    partition without hypervisor state.  Defined hypervisor resources used in
    supervisor state go through `hv_resource_in_guest` (LPCR[EVIRT])."""
    if cpu.machine.hv_capable:
        return Trap(InterruptRequest("heai", addr, addr, insn, heir=insn, reason=reason))
    return program(addr, insn, SRR1_PROGPRIV, reason)


LPCR_EVIRT = 1 << (63 - 42)      # ISA v3.0 LPCR[EVIRT] (IBM bit 42)


def hv_resource_in_guest(cpu, addr, insn, reason):
    """A hypervisor-privileged instruction or SPR used in privileged
    non-hypervisor state (MSR[HV PR]=0b00): a Privileged Instruction type Program
    interrupt (SRR1 bit 45), unless LPCR[EVIRT]=1 (ISA v3.0+), which makes it a
    Hypervisor Emulation Assistance interrupt with HSRR1 bit 45 set (Power ISA
    v3.0B Book III LPCR[EVIRT] and "Program Interrupt: Privileged Instruction";
    Linux commit "KVM: PPC: Book3S HV: Handle hypervisor instruction faults
    better": "A HEAI occurs when a hypervisor resource or instruction is used in a
    privileged but non-hypervisor state and the LPCR_EVIRT bit is set"; QEMU 7.2
    GEN_PRIV/SPR_NOACCESS, confirmed by harness/conform/programs/guest_hrfid.S and
    guest_mtlpcr.S).  A partition without hypervisor state: Program[PRIV]."""
    if cpu.machine.hv_capable and cpu.state.lpcr & LPCR_EVIRT:
        return Trap(InterruptRequest("heai", addr, addr, insn, srr1_bits=SRR1_PROGPRIV,
                                     heir=insn, reason=reason + " (LPCR[EVIRT]=1)"))
    return program(addr, insn, SRR1_PROGPRIV, reason)


def check_sv(cpu, addr, insn, what):
    if cpu.state.msr & MSR_PR:
        raise program(addr, insn, SRR1_PROGPRIV, f"privileged instruction {what} in problem state")


def check_hv(cpu, addr, insn, what):
    check_sv(cpu, addr, insn, what)
    if not cpu.state.msr & MSR_HV:
        raise hv_resource_in_guest(cpu, addr, insn,
                                   f"hypervisor-privileged {what} in supervisor state")


# --------------------------------------------------------------- mtspr / mfspr
# Every fact about an SPR is a row of emu.registers; these functions apply the
# ISA's rules to the row (`cpu.sprs`: the rows the CPU's model implements).

def spr_number(insn: int) -> int:
    return ((insn >> 16) & 0x1F) | (((insn >> 11) & 0x1F) << 5)


def state_letter(msr: int) -> str:
    """p (problem), s (privileged, HV=0) or h (hypervisor): the access columns
    of emu.registers (Power ISA Book III 2.2 "privilege states")."""
    if msr & MSR_PR:
        return "p"
    return "h" if msr & MSR_HV else "s"


def spr_access_check(cpu, addr, insn, row, allowed: str, what: str) -> None:
    """Whether the SPR `row` may be read/written (`allowed`: its mf/mt column) in
    the current state, and what interrupt follows if not (Power ISA v3.0B/v3.1B
    Book III 4.4.4 mtspr/mfspr and the SPR encodings figure):
      * not allowed in problem state -> Program, Privileged Instruction;
      * hypervisor-only in privileged non-hypervisor state -> `hv_resource_in_guest`
        (Program[PRIV], or HEAI with LPCR[EVIRT]=1);
      (a direction the SPR encodings figure does not list for the number, e.g.
      mtspr PVR or mfspr 284, is an undefined SPR: `undefined_spr`);
    then the facilities: HFSCR bit 0 with MSR[HV]=0 -> Hypervisor Facility
    Unavailable (0xF80, HFSCR[IC] = bit), FSCR bit 0 in problem state -> Facility
    Unavailable (0xF60, FSCR[IC] = bit) (Book III 9.2 "Facility Status and Control
    Register"; the hypervisor interrupt takes precedence), and for the TM
    registers MSR[TM]=0 -> Facility Unavailable with IC=5 (Book II 5 / QEMU
    spr_read_tm: gen_msr_facility_check)."""
    msr = cpu.state.msr
    letter = "p" if msr & MSR_PR else ("h" if msr & MSR_HV else "s")   # state_letter, inline
    if letter not in allowed:
        if letter == "s" and "h" in allowed:
            raise hv_resource_in_guest(cpu, addr, insn,
                                       f"{what}: hypervisor SPR {row.num} in supervisor state")
        raise program(addr, insn, SRR1_PROGPRIV,
                      f"{what}: SPR {row.num} ({row.name}) not accessible in this state")
    if row.hfscr is None and row.fscr is None and not row.msr_tm:
        return                         # the common case: no facility gates it
    st = cpu.state
    if (row.hfscr is not None and not msr & MSR_HV and cpu.machine.hv_capable
            and not st.hfscr & (1 << row.hfscr)):
        raise Trap(InterruptRequest("hfu", addr, addr, insn, ic=row.hfscr,
                                    reason=f"{what}: HFSCR facility {row.hfscr} disabled"))
    if row.fscr is not None and msr & MSR_PR and not st.fscr & (1 << row.fscr):
        raise Trap(InterruptRequest("fu", addr, addr, insn, ic=row.fscr,
                                    reason=f"{what}: FSCR facility {row.fscr} disabled"))
    if row.msr_tm and not msr & MSR_TM:
        raise Trap(InterruptRequest("fu", addr, addr, insn, ic=FAC_TM,
                                    reason=f"{what}: MSR[TM]=0"))


def undefined_spr(cpu, addr, insn, sprn, what):
    """An SPR number the model does not implement (Power ISA v2.07B/v3.0B Book
    III 4.4.4 mtspr/mfspr, "If the SPR field contains a value that is not shown"):
    SPR bit 0x10 set (a privileged number): Program[PRIV] in problem state, a
    no-op in privileged state; bit 0x10 clear: Hypervisor Emulation Assistance in
    every state (Program[PRIV] without hypervisor state)."""
    if sprn & 0x10:
        if cpu.state.msr & MSR_PR:
            raise program(addr, insn, SRR1_PROGPRIV, f"{what}: undefined SPR {sprn}")
        return
    raise hv_emulation_assist(cpu, addr, insn, f"{what}: undefined SPR {sprn}")


def read_spr_view(cpu, row) -> int:
    """The value `mfspr` of `row` returns: its register through the view the
    number gives (upper word, privileged PSSCR view, ...), at its width."""
    hook = row.hook
    if hook is None:
        v = getattr(cpu.state, row.field)
    elif hook == "core":
        v = {1: cpu.get_xer, 8: cpu.get_lr, 9: cpu.get_ctr}[row.num]()
    elif hook == "tb":
        v = cpu.read_spr("tbl")
    elif hook == "tbu":
        v = cpu.read_spr("tbu")
    elif hook in ("dec", "hdec", "dpdes"):
        v = cpu.read_spr(hook)
    elif hook == "purr":
        v = cpu.read_spr(row.field)
    elif hook in ("upper32", "bescr_set_upper", "bescr_reset_upper"):
        v = getattr(cpu.state, row.field) >> 32
    elif hook == "psscr_os":
        v = cpu.state.psscr & PSSCR_OS_VIEW
    elif hook == "nop":
        v = 0
    else:
        v = getattr(cpu.state, row.field)
    return v & 0xFFFFFFFF if row.width == 32 else v


def write_spr_view(cpu, row, v: int, addr: int, insn) -> None:
    """`mtspr` of `row`: compose the new register value through the number's
    view, then write it (Cpu.write_spr applies the mask and side effects)."""
    hook = row.hook
    st = cpu.state
    if hook is None:
        new = v
    elif hook == "core":
        {1: cpu.set_xer, 8: cpu.set_lr, 9: cpu.set_ctr}[row.num](v)
        return
    elif hook in ("nop", "tb_write"):
        return     # 808-811: no-ops (ISA v2.07); the timebase is the instruction count
    elif hook in ("dec", "hdec", "dpdes", "purr", "lpcr", "translation"):
        cpu.write_spr(row.field or hook, v, addr, insn, "mtspr")
        return
    elif hook == "upper32":
        new = (getattr(st, row.field) & 0xFFFFFFFF) | ((v & row.mask_for(cpu.model.name)) << 32)
    elif hook == "uamr":
        # mtspr 13 in problem state changes only the AMR bits UAMOR enables (ISA v3.0B
        # Book III 5.7.14.3 / Linux Documentation "AMR, UAMOR")
        if st.msr & MSR_PR:
            new = (st.amr & ~st.uamor) | (v & st.uamor)
        else:
            new = v
    elif hook == "psscr_os":
        new = (st.psscr & ~PSSCR_OS_WRITE) | (v & PSSCR_OS_WRITE)
    elif hook == "bescr_set":
        new = st.bescr | v
    elif hook == "bescr_set_upper":
        new = st.bescr | ((v & 0xFFFFFFFF) << 32)
    elif hook == "bescr_reset":
        new = st.bescr & ~v
    elif hook == "bescr_reset_upper":
        new = st.bescr & ~((v & 0xFFFFFFFF) << 32)
    elif hook == "hmer":
        new = st.hmer & v      # mtspr HMER ANDs (Book III "Hypervisor Maintenance Exception Register")
    else:
        new = v
    cpu.write_spr(row.field, new, addr, insn, "mtspr")


def emulate_mfspr(cpu, addr, insn):
    rt = (insn >> 21) & 31
    sprn = spr_number(insn)
    row = cpu.sprs.get(sprn)
    if row is None or not row.mf:     # not implemented, or a number mfspr does not define
        undefined_spr(cpu, addr, insn, sprn, "mfspr")
        return addr + 4
    spr_access_check(cpu, addr, insn, row, row.mf, f"mfspr {row.name}")
    if row.hook != "nop":
        cpu.set_gpr(rt, read_spr_view(cpu, row))
    return addr + 4


def emulate_mtspr(cpu, addr, insn):
    rs = (insn >> 21) & 31
    sprn = spr_number(insn)
    row = cpu.sprs.get(sprn)
    if row is None or not row.mt:     # not implemented, or a number mtspr does not define
        undefined_spr(cpu, addr, insn, sprn, "mtspr")
        return addr + 4
    spr_access_check(cpu, addr, insn, row, row.mt, f"mtspr {row.name}")
    write_spr_view(cpu, row, cpu.gpr(rs), addr, insn)
    return addr + 4


# --------------------------------------------------------------- MSR writes

def _ibm_mask(*ranges) -> int:
    m = 0
    for r in ranges:
        a, b = (r, r) if isinstance(r, int) else r
        for n in range(a, b + 1):
            m |= ibm_bit(n)
    return m


# Bits mtmsrd L=0 / rfid copy from the source (ISA v3.0 III 4.4.4 mtmsrd; 4.3.1 rfid):
# 0:2, 4:28, 31 (TM), 32, 37:41, 49:50, 52:57, 60:63 — i.e. not HV (3), not ME (51,
# HV only), not EE/IR/DR (48, 58, 59; ORed with PR), not TS (29:30, whose
# transitions are not modelled) and not the reserved/cause bits.
MSRD_COPY = _ibm_mask((0, 2), (4, 28), 31, 32, (37, 41), (49, 50), (52, 57), (60, 63))
# mtmsr (32-bit form) only touches the low word: 32:47, 49:50, 52:57, 60:63
MSR_COPY32 = _ibm_mask((32, 47), (49, 50), (52, 57), (60, 63)) & ~MSR_EE


def msr_from_source(cur: int, src: int, copy_mask: int, may_alter_hv: bool) -> int:
    """The MSR write rule shared by mtmsr(d) and rfid/hrfid/rfscv:
      * EE, IR and DR are set from the source ORed with its PR (problem state
        always translates and takes external interrupts);
      * HV: rfid-style writes may clear it when HV=1 (HV <- HV & src.HV); mtmsr(d)
        never change it;
      * ME changes only in hypervisor state.
    """
    eeirdr = MSR_EE | MSR_IR | MSR_DR
    new = (cur & ~(copy_mask | eeirdr)) | (src & copy_mask) | (src & eeirdr)
    if src & MSR_PR:
        new |= eeirdr
    if may_alter_hv:
        if not (cur & MSR_HV and src & MSR_HV):
            new &= ~MSR_HV
    else:
        new = (new & ~MSR_HV) | (cur & MSR_HV)
    if cur & MSR_HV:
        new = (new & ~MSR_ME) | (src & MSR_ME)
    else:
        new = (new & ~MSR_ME) | (cur & MSR_ME)
    return new & MASK64


def mtmsr_keeps_me_le_s(cur: int, new: int) -> int:
    """mtmsr/mtmsrd (L=0) never write MSR[S] (IBM 41), MSR[ME] (51) or MSR[LE] (63),
    even in hypervisor state: they are not in the instruction's list of MSR bits
    set from RS (Power ISA v3.0B/v3.1 Book III 4.4.4 mtmsr, mtmsrd; QEMU gen_mtmsrd
    "mtmsrd does not alter HV, S, ME, or LE"; confirmed against QEMU 7.2 by the
    conformance suite).  Only rfid/hrfid (HV=1) change ME."""
    keep = MSR_ME | MSR_LE | MSR_S
    return (new & ~keep) | (cur & keep)


def check_tlbie(cpu, addr, insn, what):
    """tlbie and tlbsync are hypervisor privileged when LPCR[GTSE]=0 and privileged
    when LPCR[GTSE]=1 (Power ISA v3.0B Book III 5.10.1 tlbie, tlbsync: "If
    LPCR[GTSE]=0 this instruction is hypervisor privileged"; QEMU GEN_PRIV /
    gen_tlbie: a guest with GTSE may issue them; kvm-unit-tests mmu tlbie test).
    tlbiel follows the same rule on ISA v3.0 (QEMU 7.2 agrees, found by the
    fuzzer); on ISA v2.07 (POWER8) it is only privileged."""
    if cpu.state.lpcr & LPCR_GTSE or (what == "tlbiel" and not cpu.model.has_scv):
        check_sv(cpu, addr, insn, what)
    else:
        check_hv(cpu, addr, insn, what)


def emulate_mtmsrd(cpu, addr, insn, wide=True):
    check_sv(cpu, addr, insn, "mtmsrd" if wide else "mtmsr")
    rs = (insn >> 21) & 31
    l_bit = (insn >> 16) & 1
    src = cpu.gpr(rs)
    cur = cpu.state.msr
    if l_bit:
        # L=1: only EE and RI change ("partial" form used for soft-masking)
        new = (cur & ~(MSR_EE | MSR_RI)) | (src & (MSR_EE | MSR_RI))
    else:
        new = msr_from_source(cur, src, MSRD_COPY if wide else MSR_COPY32, may_alter_hv=False)
        new = mtmsr_keeps_me_le_s(cur, new)
    cpu.write_msr(new, addr, insn, "mtmsrd" if wide else "mtmsr")
    return addr + 4


def emulate_mfmsr(cpu, addr, insn):
    check_sv(cpu, addr, insn, "mfmsr")
    cpu.set_gpr((insn >> 21) & 31, cpu.state.msr)
    return addr + 4


def return_from_interrupt(cpu, addr, insn, nia, src_msr, source):
    """rfid/hrfid/rfscv: MSR from SRR1/HSRR1/CTR under the rfid rules, NIA with the
    low two bits cleared and truncated to 32 bits if the new MSR[SF]=0 (ISA III 4.3;
    QEMU do_rfi).  CFAR gets the address of the return instruction."""
    new = msr_from_source(cpu.state.msr, src_msr, MSRD_COPY, may_alter_hv=True)
    new &= ~(1 << 18)  # POW
    nia &= ~3
    if not new & MSR_SF:
        nia &= 0xFFFFFFFF
    cpu.state.cfar = addr
    cpu.write_msr(new, addr, insn, source)
    return nia


# --------------------------------------------------------------- dispatch
# One handler per instruction, `handler(cpu, addr, insn)` -> the next PC, or the
# InterruptRequest to deliver; it raises Trap or Halt.  DISPATCH maps
# (primary opcode, extended opcode) to it (emu.opcodes); an instruction with no
# row is illegal (`illegal`: HEAI, or Program[ILL] without hypervisor state).

def is_attn(insn: int) -> bool:
    return insn == INSN_ATTN


SCV_REASON = tuple(f"scv {lev}" for lev in range(128))


def emulate_sc(cpu, addr, insn):
    """sc LEV (bit 31 is reserved and ignored)."""
    return cpu.system_call(addr, insn, (insn >> 5) & 0x7F)


def emulate_scv(cpu, addr, insn):
    """scv LEV (ISA v3.0): illegal on ISA v2.07; FSCR[SCV]=0 -> Facility Unavailable
    IC=12 (ISA III 9.2); else System Call Vectored, LR = next instruction."""
    lev = (insn >> 5) & 0x7F
    if not cpu.model.has_scv:
        raise illegal(cpu, addr, insn, f"scv does not exist on {cpu.model.name}")
    if not cpu.state.fscr & FSCR_SCV:
        return InterruptRequest("fu", addr, addr, insn, ic=FSCR_IC_SCV, lev=lev,
                                reason="scv with FSCR[SCV]=0")
    return InterruptRequest("scv", addr + 4, addr, insn, lev=lev, reason=SCV_REASON[lev])


def emulate_rfid(cpu, addr, insn):
    check_sv(cpu, addr, insn, "rfid")
    st = cpu.state
    return return_from_interrupt(cpu, addr, insn, st.srr0, st.srr1, "rfid")


def emulate_hrfid(cpu, addr, insn):
    check_hv(cpu, addr, insn, "hrfid")
    st = cpu.state
    return return_from_interrupt(cpu, addr, insn, st.hsrr0, st.hsrr1, "hrfid")


def emulate_rfscv(cpu, addr, insn):
    """rfscv (ISA v3.0): MSR from CTR, NIA from LR; illegal on ISA v2.07."""
    if not cpu.model.has_scv:
        raise illegal(cpu, addr, insn)
    check_sv(cpu, addr, insn, "rfscv")
    return return_from_interrupt(cpu, addr, insn, cpu.get_lr(), cpu.get_ctr(), "rfscv")


def emulate_stop(cpu, addr, insn):
    """stop (ISA v3.0); illegal on POWER8, which has nap & co. instead."""
    if not cpu.model.has_stop:
        raise illegal(cpu, addr, insn)
    check_hv(cpu, addr, insn, "stop")
    return cpu.enter_stop(addr, insn)


def emulate_nap(cpu, addr, insn):
    """doze/nap/sleep/rvwinkle (ISA v2.07); illegal where `stop` replaced them."""
    if cpu.model.has_stop:
        raise illegal(cpu, addr, insn)
    check_hv(cpu, addr, insn, "nap")
    return cpu.enter_stop(addr, insn)


def emulate_nop(cpu, addr, insn):
    """isync, sync/ptesync, eieio: ordering only."""
    return addr + 4


def emulate_trap(cpu, addr, insn):
    """tw/td/twi/tdi: Unicorn evaluated the condition and trapped."""
    raise program(addr, insn, SRR1_PROGTRAP, "trap")


def emulate_mtmsr(cpu, addr, insn):
    return emulate_mtmsrd(cpu, addr, insn, wide=False)


def emulate_tlbie(cpu, addr, insn):
    check_tlbie(cpu, addr, insn, "tlbie")
    cpu.mmu_op("tlbie", addr, insn)
    return addr + 4


def emulate_tlbiel(cpu, addr, insn):
    check_tlbie(cpu, addr, insn, "tlbiel")
    cpu.mmu_op("tlbiel", addr, insn)
    return addr + 4


def emulate_tlbsync(cpu, addr, insn):
    check_tlbie(cpu, addr, insn, "tlbsync")
    return addr + 4


SLB_OPS = {OP_31_XOP_SLBMTE: "slbmte", OP_31_XOP_SLBIE: "slbie", OP_31_XOP_SLBIA: "slbia",
           OP_31_XOP_SLBMFEE: "slbmfee", OP_31_XOP_SLBMFEV: "slbmfev",
           OP_31_XOP_SLBFEE: "slbfee"}


def emulate_slb(cpu, addr, insn):
    check_sv(cpu, addr, insn, "slb")
    cpu.mmu_op(SLB_OPS[xop(insn)], addr, insn)
    return addr + 4


def emulate_msgsnd(cpu, addr, insn):
    """msgsnd/msgclr: hypervisor privileged."""
    check_hv(cpu, addr, insn, "msgsnd")
    return cpu.doorbell_op(xop(insn), addr, insn)


def emulate_msgsndp(cpu, addr, insn):
    """msgsndp/msgclrp: privileged (HFSCR[MSGP] is checked by doorbell_op)."""
    check_sv(cpu, addr, insn, "msgsndp")
    return cpu.doorbell_op(xop(insn), addr, insn)


def emulate_attn(cpu, addr, insn):
    """attn: implementation-specific (P8/P9 user manuals: enabled by HID0[en_attn]).
    ppcvec ends the run on attn in hypervisor state, whether or not HID0 enables
    it (documented deviation: QEMU 7.2 treats attn as illegal)."""
    if not is_attn(insn):
        raise illegal(cpu, addr, insn)
    msr = cpu.state.msr
    if msr & MSR_HV and not msr & MSR_PR:
        raise Halt("attn")
    raise illegal(cpu, addr, insn, "attn outside hypervisor state")


DISPATCH = {
    (OP_SC, SC_FORM_SC): emulate_sc,
    (OP_SC, SC_FORM_SC_BIT31): emulate_sc,
    (OP_SC, SC_FORM_SCV): emulate_scv,
    (OP_19, OP_19_XOP_RFID): emulate_rfid,
    (OP_19, OP_19_XOP_HRFID): emulate_hrfid,
    (OP_19, OP_19_XOP_RFSCV): emulate_rfscv,
    (OP_19, OP_19_XOP_STOP): emulate_stop,
    (OP_19, OP_19_XOP_DOZE): emulate_nap,
    (OP_19, OP_19_XOP_NAP): emulate_nap,
    (OP_19, OP_19_XOP_SLEEP): emulate_nap,
    (OP_19, OP_19_XOP_RVWINKLE): emulate_nap,
    (OP_19, OP_19_XOP_ISYNC): emulate_nop,
    (OP_31, OP_31_XOP_MFSPR): emulate_mfspr,
    (OP_31, OP_31_XOP_MFTB): emulate_mfspr,      # same SPR field: TBR 268/269
    (OP_31, OP_31_XOP_MTSPR): emulate_mtspr,
    (OP_31, OP_31_XOP_MFMSR): emulate_mfmsr,
    (OP_31, OP_31_XOP_MTMSRD): emulate_mtmsrd,
    (OP_31, OP_31_XOP_MTMSR): emulate_mtmsr,
    (OP_31, OP_31_XOP_TRAP): emulate_trap,
    (OP_31, OP_31_XOP_TRAP_64): emulate_trap,
    (OP_31, OP_31_XOP_TLBIE): emulate_tlbie,
    (OP_31, OP_31_XOP_TLBIEL): emulate_tlbiel,
    (OP_31, OP_31_XOP_TLBSYNC): emulate_tlbsync,
    **{(OP_31, xo): emulate_slb for xo in SLB_OPS},
    (OP_31, OP_31_XOP_SYNC): emulate_nop,
    (OP_31, OP_31_XOP_EIEIO): emulate_nop,
    (OP_31, OP_31_XOP_MSGSND): emulate_msgsnd,
    (OP_31, OP_31_XOP_MSGCLR): emulate_msgsnd,
    (OP_31, OP_31_XOP_MSGSNDP): emulate_msgsndp,
    (OP_31, OP_31_XOP_MSGCLRP): emulate_msgsndp,
    (OP_TRAP_64, None): emulate_trap,
    (OP_TRAP, None): emulate_trap,
    (OP_ATTN, XOP_ATTN): emulate_attn,
}


def dispatch_key(insn: int) -> tuple:
    """(primary, extended opcode) of `insn` as DISPATCH spells it: bits 21:30 for
    primary 0, 19 and 31, bits 30:31 for primary 17 (sc/scv), None otherwise."""
    op = insn >> 26
    if op == OP_31 or op == OP_19 or op == OP_ATTN:
        return op, (insn >> 1) & 0x3FF
    if op == OP_SC:
        return op, insn & 3
    return op, None


def emulate(cpu, addr: int, insn: int, intno_hint: str = ""):
    """Emulate one trapped instruction at `addr`.  Returns the next PC, or the
    InterruptRequest to deliver (the common sc/scv path); raises Trap for other
    interrupts and Halt when the CPU stops."""
    op = insn >> 26
    if op == OP_SC:
        handler = DISPATCH.get((op, insn & 3))
    elif op == OP_31:
        handler = DISPATCH.get((op, (insn >> 1) & 0x3FF))
    else:
        handler = DISPATCH.get(dispatch_key(insn))
    if handler is None:
        raise illegal(cpu, addr, insn)
    return handler(cpu, addr, insn)
