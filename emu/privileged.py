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

from .bits import (MSR_LE, MSR_S, FSCR_DSCR, FSCR_IC_SCV, FSCR_SCV, FSCR_TAR, MASK64, MSR_DR, MSR_EE, MSR_HV,
                   MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF, SRR1_PROGILL, SRR1_PROGPRIV,
                   SRR1_PROGTRAP, LPCR_GTSE, ibm_bit)
from .interrupts import InterruptRequest


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
    """An HEAI for an SPR number the CPU does not define (see `_undefined_spr`;
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


# --------------------------------------------------------------- SPR table
# name -> (mtspr level, mfspr level); level: "user", "sv", "hv", None (not allowed / read-only)
SPR_ACCESS = {
    3: ("dscr", "user", "user"), 17: ("dscr", "sv", "sv"),
    18: ("dsisr", "sv", "sv"), 19: ("dar", "sv", "sv"), 22: ("dec", "sv", "sv"),
    25: ("sdr1", "hv", "hv"), 26: ("srr0", "sv", "sv"), 27: ("srr1", "sv", "sv"),
    28: ("cfar", "sv", "sv"), 29: ("amr", "sv", "sv"), 48: ("pidr", "sv", "sv"),
    153: ("fscr", "sv", "sv"), 190: ("hfscr", "hv", "hv"),
    259: ("sprg3", None, "user"),
    268: ("tbl", None, "user"), 269: ("tbu", None, "user"),
    272: ("sprg0", "sv", "sv"), 273: ("sprg1", "sv", "sv"), 274: ("sprg2", "sv", "sv"),
    275: ("sprg3", "sv", "sv"), 284: ("tbl", "hv", None), 285: ("tbu", "hv", None),
    287: ("pvr", None, "sv"), 304: ("hsprg0", "hv", "hv"), 305: ("hsprg1", "hv", "hv"),
    306: ("hdsisr", "hv", "hv"), 307: ("hdar", "hv", "hv"), 310: ("hdec", "hv", "hv"),
    313: ("hrmor", "hv", "hv"), 314: ("hsrr0", "hv", "hv"), 315: ("hsrr1", "hv", "hv"),
    318: ("lpcr", "hv", "hv"), 319: ("lpidr", "hv", "hv"), 339: ("heir", "hv", "hv"),
    464: ("ptcr", "hv", "hv"), 816: ("asdr", "hv", "hv"), 815: ("tar", "user", "user"), 855: ("psscr", "sv", "sv"),
    796: ("siar", "sv", "sv"), 797: ("sdar", "sv", "sv"),
    896: ("ppr", "user", "user"), 1008: ("hid0", "hv", "hv"), 1023: ("pir", None, "sv"),
}
# Problem-state access to these user SPRs is gated by an FSCR facility (ISA III 9.2)
SPR_FSCR_FACILITY = {3: (FSCR_DSCR, 2), 815: (FSCR_TAR, 8)}


def spr_number(insn: int) -> int:
    return ((insn >> 16) & 0x1F) | (((insn >> 11) & 0x1F) << 5)


def _spr_check(cpu, addr, insn, sprn, level, what):
    if level is None:
        raise illegal(cpu, addr, insn, f"{what}: SPR {sprn} not accessible this way")
    msr = cpu.state.msr
    if level == "user":
        if msr & MSR_PR and sprn in SPR_FSCR_FACILITY:
            fac, ic = SPR_FSCR_FACILITY[sprn]
            if not cpu.state.fscr & fac:
                raise Trap(InterruptRequest("fu", addr, addr, insn, ic=ic,
                                            reason=f"{what}: FSCR facility {ic} disabled"))
        return
    if msr & MSR_PR:
        raise program(addr, insn, SRR1_PROGPRIV, f"{what}: privileged SPR {sprn} in problem state")
    if level == "hv" and not msr & MSR_HV:
        raise hv_resource_in_guest(cpu, addr, insn,
                                   f"{what}: hypervisor SPR {sprn} in supervisor state")


def _undefined_spr(cpu, addr, insn, sprn, what):
    """Undefined SPR (QEMU gen_mfspr/gen_mtspr, ISA III 4.4.4): SPR bit 0x10 set:
    Program[PRIV] in problem state, no-op otherwise; bit 0x10 clear: HEAI in
    problem state or for SPRs 0, 4, 5, 6, no-op otherwise."""
    pr = cpu.state.msr & MSR_PR
    if sprn & 0x10:
        if pr:
            raise program(addr, insn, SRR1_PROGPRIV, f"{what}: undefined SPR {sprn}")
    elif pr or sprn in (0, 4, 5, 6):
        raise hv_emulation_assist(cpu, addr, insn, f"{what}: undefined SPR {sprn}")


def emulate_mfspr(cpu, addr, insn):
    rt = (insn >> 21) & 31
    sprn = spr_number(insn)
    ent = SPR_ACCESS.get(sprn)
    if ent is None:
        _undefined_spr(cpu, addr, insn, sprn, "mfspr")
        return addr + 4
    name, _, level = ent
    _spr_check(cpu, addr, insn, sprn, level, f"mfspr {name}")
    cpu.set_gpr(rt, cpu.read_spr(name))
    return addr + 4


def emulate_mtspr(cpu, addr, insn):
    rs = (insn >> 21) & 31
    sprn = spr_number(insn)
    ent = SPR_ACCESS.get(sprn)
    if ent is None:
        _undefined_spr(cpu, addr, insn, sprn, "mtspr")
        return addr + 4
    name, level, _ = ent
    _spr_check(cpu, addr, insn, sprn, level, f"mtspr {name}")
    cpu.write_spr(name, cpu.gpr(rs), addr, insn, "mtspr")
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
# 0:2, 4:28, 32, 37:41, 49:50, 52:57, 60:63 — i.e. not HV (3), not ME (51, HV only),
# not EE/IR/DR (48, 58, 59; ORed with PR) and not the reserved/cause bits.
MSRD_COPY = _ibm_mask((0, 2), (4, 28), 32, (37, 41), (49, 50), (52, 57), (60, 63))
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
    gen_tlbie: a guest with GTSE may issue them; kvm-unit-tests mmu tlbie test)."""
    if cpu.state.lpcr & LPCR_GTSE:
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

def is_attn(insn: int) -> bool:
    return insn == 0x00000200


SCV_REASON = tuple(f"scv {lev}" for lev in range(128))


def emulate(cpu, addr: int, insn: int, intno_hint: str = ""):
    """Emulate one trapped instruction at `addr`.  Returns the next PC, or the
    InterruptRequest to deliver (the common sc/scv path); raises Trap for other
    interrupts and Halt when the CPU stops."""
    op = insn >> 26
    st = cpu.state
    model = cpu.model
    if op == 17:
        lev = (insn >> 5) & 0x7F
        if insn & 2:          # sc LEV
            return cpu.system_call(addr, insn, lev)
        if insn & 3 == 1:     # scv LEV (ISA 3.0)
            if not model.has_scv:
                raise illegal(cpu, addr, insn, f"scv does not exist on {model.name}")
            if not st.fscr & FSCR_SCV:
                return InterruptRequest("fu", addr, addr, insn, ic=FSCR_IC_SCV, lev=lev,
                                        reason="scv with FSCR[SCV]=0")
            return InterruptRequest("scv", addr + 4, addr, insn, lev=lev, reason=SCV_REASON[lev])
        raise illegal(cpu, addr, insn)
    if op == 19:
        xo = (insn >> 1) & 0x3FF
        if xo == 18:          # rfid
            check_sv(cpu, addr, insn, "rfid")
            return return_from_interrupt(cpu, addr, insn, st.srr0, st.srr1, "rfid")
        if xo == 274:         # hrfid
            check_hv(cpu, addr, insn, "hrfid")
            return return_from_interrupt(cpu, addr, insn, st.hsrr0, st.hsrr1, "hrfid")
        if xo == 82 and model.has_scv:   # rfscv
            check_sv(cpu, addr, insn, "rfscv")
            return return_from_interrupt(cpu, addr, insn, cpu.get_lr(), cpu.get_ctr(), "rfscv")
        if xo == 370 and model.has_stop:  # stop
            check_hv(cpu, addr, insn, "stop")
            return cpu.enter_stop(addr, insn)
        if xo in (402, 434, 466, 498) and not model.has_stop:  # P8 doze/nap/sleep/rvwinkle
            check_hv(cpu, addr, insn, "nap")
            return cpu.enter_stop(addr, insn)
        if xo == 150:          # isync
            return addr + 4
        raise illegal(cpu, addr, insn)
    if op == 31:
        xo = (insn >> 1) & 0x3FF
        if xo == 339:
            return emulate_mfspr(cpu, addr, insn)
        if xo == 467:
            return emulate_mtspr(cpu, addr, insn)
        if xo == 83:
            return emulate_mfmsr(cpu, addr, insn)
        if xo == 178:
            return emulate_mtmsrd(cpu, addr, insn, wide=True)
        if xo == 146:
            return emulate_mtmsrd(cpu, addr, insn, wide=False)
        if xo in (4, 68):     # tw, td: Unicorn evaluated the condition and trapped
            raise program(addr, insn, SRR1_PROGTRAP, "trap")
        if xo in (306, 274):  # tlbie, tlbiel: HV-privileged unless LPCR[GTSE] (radix guests)
            if xo == 306:
                check_tlbie(cpu, addr, insn, "tlbie")
            else:
                check_sv(cpu, addr, insn, "tlbiel")
            cpu.mmu_op("tlbie" if xo == 306 else "tlbiel", addr, insn)
            return addr + 4
        if xo in (402, 434, 498, 915, 851, 979):  # slbmte slbie slbia slbmfee slbmfev slbfee.
            check_sv(cpu, addr, insn, "slb")
            cpu.mmu_op({402: "slbmte", 434: "slbie", 498: "slbia", 915: "slbmfee",
                        851: "slbmfev", 979: "slbfee"}[xo], addr, insn)
            return addr + 4
        if xo == 566:         # tlbsync
            check_tlbie(cpu, addr, insn, "tlbsync")
            return addr + 4
        if xo == 598 or xo == 854:   # sync/ptesync, eieio: ordering only
            return addr + 4
        if xo in (206, 238, 142, 174):  # msgsnd msgclr msgsndp msgclrp
            if xo in (206, 238):
                check_hv(cpu, addr, insn, "msgsnd")
            else:
                check_sv(cpu, addr, insn, "msgsndp")
            return cpu.doorbell_op(xo, addr, insn)
        raise illegal(cpu, addr, insn)
    if op in (2, 3):          # tdi, twi
        raise program(addr, insn, SRR1_PROGTRAP, "trap")
    if op == 0 and is_attn(insn):
        # attn: implementation-specific (P8/P9 user manuals: enabled by HID0[en_attn]).
        # ppcvec ends the run on attn in hypervisor state, whether or not HID0 enables
        # it (documented deviation: QEMU 7.2 treats attn as illegal).
        if st.msr & MSR_HV and not st.msr & MSR_PR:
            raise Halt("attn")
        raise illegal(cpu, addr, insn, "attn outside hypervisor state")
    raise illegal(cpu, addr, insn)


