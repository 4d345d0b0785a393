"""One hardware thread: architected state + its execution core + trap handling.

`Cpu` is the seam between the pure parts (emu.interrupts, emu.privileged,
emu.mmu) and the execution core (emu.unicorn_backend).  It owns the
architected MSR and SPRs, mirrors what must be mirrored into Unicorn, keeps the
translation cache coherent, and turns every trap into emulation or delivery.
"""
from __future__ import annotations

import struct

from .bits import (DSISR_ISSTORE, FSCR_IC_MASK, FSCR_IC_SHIFT, LPCR_HDICE, MASK64, MSR_BE,
                   MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_LE, MSR_ME, MSR_PR, MSR_SE,
                   SRR1_MC_LOADSTORE, SRR1_PROGFPE, SRR1_PROGILL)
from .events import HaltEvent, InterruptEvent, SprWriteEvent
from .interrupts import INTERRUPTS, InterruptRequest, apply_delivery, compute_delivery
from .mmu import FETCH, PROT_ALL, Fault, real_mode_address, translation_key
from .privileged import Halt, Trap, emulate, illegal
from .state import CpuState
from .unicorn_backend import UnicornCore

_U32BE = struct.Struct(">I")
_U32LE = struct.Struct("<I")
BRANCH_TO_SELF = 0x48000000
# What translations depend on (emu.mmu.translation_key): writes to these flush the TLB.
TRANSLATION_MSR = MSR_IR | MSR_DR | MSR_HV | MSR_PR
TRANSLATION_SPRS = frozenset({"lpcr", "pidr", "lpidr", "ptcr", "sdr1", "hrmor"})
DEC_RESET = 0x7FFFFFFF   # far in the future: no decrementer interrupt unless a program arms one
# Doorbells (Power ISA v3.0B/v3.1 Book III "Processor Control": msgsnd/msgclr/msgsndp/
# msgclrp; Linux asm/dbell.h PPC_DBELL_TYPE, PPC_DBELL_SERVER; QEMU 7.2 excp_helper.c)
DBELL_TYPE_SHIFT = 27          # RB[32:36]: message type
DBELL_TYPE_SERVER = 5          # the only server message type; any other makes a no-op
DBELL_PIR_MASK = 0xFFFFF       # msgsnd: the target thread's PIR (QEMU DBELL_PROCIDTAG_MASK)
DBELL_TIR_MASK = 0x7F          # msgsndp: the target thread within the core, RB[57:63]
HFSCR_MSGP = 1 << 10           # HFSCR[MSGP] (IBM bit 53); cause code 10 in HFSCR[IC]
HFSCR_IC_MSGP = 10
# Power-saving wake-up enables, LPCR[PECE] (IBM bits 47:51; QEMU cpu.h LPCR_PDEE..LPCR_OEE,
# Linux LPCR_PECEDP/PECEDH/PECE0/PECE1/PECE2 on POWER8)
LPCR_PDEE = 1 << (63 - 47)     # Directed Privileged Doorbell exit enable
LPCR_HDEE = 1 << (63 - 48)     # Directed Hypervisor Doorbell exit enable
LPCR_EEE = 1 << (63 - 49)      # External exit enable
LPCR_DEE = 1 << (63 - 50)      # Decrementer exit enable
LPCR_OEE = 1 << (63 - 51)      # Other (machine check, HMI) exit enable
PSSCR_ESL = 1 << (63 - 42)     # Enable State Loss
PSSCR_EC = 1 << (63 - 43)      # Exit Criterion: 1 = wake through System Reset per LPCR[PECE]
# SRR1[42:45] wake reason and [46:47] state loss on a System Reset from power-saving mode
# (Power ISA v3.0B Book III "System Reset Interrupt"; Linux reg.h SRR1_WAKE*, irq.c
# srr1_to_lazyirq; QEMU powerpc_reset_wakeup)
SRR1_WAKE = {"hdoorbell": 0b0011 << 18, "doorbell": 0b0101 << 18, "dec": 0b0110 << 18}
SRR1_WS_NOLOSS = 0b01 << 16    # all resources maintained (ppcvec never loses state)
MSR_TRACE = MSR_SE | MSR_BE
SRR1_TRACE = 0x40000000  # IBM bit 33: set by every Trace interrupt (ISA v3.1 Book III 7.5.15)
# XL-form (opcode 19) extended opcodes
XO_BCLR, XO_BCCTR, XO_BCTAR = 16, 528, 560
XO_RFID, XO_HRFID, XO_RFSCV, XO_RFEBB = 18, 274, 82, 146


def never_traced(insn: int) -> bool:
    """Instructions after which no single-step Trace interrupt occurs although
    MSR[SE]=1: rfid, hrfid, rfscv and rfebb ("...unless that instruction is
    hrfid, rfid, ... which are never traced", Power ISA v3.1 Book III 4.2.1
    MSR[SE]), and sc/scv, which always cause a System Call interrupt instead of
    completing (kvm-unit-tests powerpc/interrupts.c test_trace: "no interrupt
    on single step rfid").  Instructions that take any other interrupt are
    excluded by `Cpu.run_traced` (not "successfully completed")."""
    op = insn >> 26
    if op == 17:
        return True
    return op == 19 and (insn >> 1) & 0x3FF in (XO_RFID, XO_HRFID, XO_RFSCV, XO_RFEBB)


def is_branch(insn: int) -> bool:
    """b, bc, bclr, bcctr, bctar: the instructions MSR[BE] traces, taken or not
    ("a branch type Trace interrupt after completing the execution of a branch
    instruction, whether or not the branch is taken", Power ISA v3.1 Book III
    4.2.1 MSR[BE]; QEMU 7.2 gen_bcond ends both paths with gen_goto_tb)."""
    op = insn >> 26
    if op in (16, 18):
        return True
    return op == 19 and (insn >> 1) & 0x3FF in (XO_BCLR, XO_BCCTR, XO_BCTAR)


def trace_after(msr_before: int, insn: int | None) -> bool:
    """Whether the instruction `insn`, started with MSR `msr_before` and completed
    without an interrupt, is followed by a Trace interrupt: single-step for any
    instruction with MSR[SE]=1, branch trace for branches with MSR[BE]=1 (Power
    ISA v3.1 Book III 4.2.1 MSR[SE]/[BE], 7.5.15 "Trace Interrupt").  The MSR
    before the instruction decides: the mtmsrd that sets SE is not traced, the
    next instruction is (kvm-unit-tests test_trace; QEMU 7.2 reads SE/BE from
    the hflags the instruction was translated with)."""
    if insn is None or never_traced(insn):
        return False
    if msr_before & MSR_SE:
        return True
    return bool(msr_before & MSR_BE) and is_branch(insn)


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


class Cpu:
    def __init__(self, machine, index: int, model):
        self.machine = machine
        self.index = index
        self.model = model
        self.state = CpuState(pvr=model.pvr, pir=index, lpcr=model.reset_lpcr,
                              dec=DEC_RESET, hdec=DEC_RESET)
        self.core = UnicornCore(machine.ram, self)
        self.pc = 0
        self.insns = 0               # instructions retired (also the timebase)
        self.halted = None           # None, "attn", "checkstop", "stop", "stopped", "error"
        self.halt_detail = ""
        self.idle = False            # parked in a branch-to-self
        self.stop_pc = None          # where `stop` resumes
        self.at_breakpoint = False   # stopped before the instruction at a breakpoint
        self._tkey = None
        self._tmsr = None
        self._mm = machine.ram.mm
        self._fetch_cache = {}       # page -> real page, for reading trapped instructions
        self.last_trap_pc = None
        # Hypervisor decrementer (edge-triggered; see hdec_write): the exception
        # exists from the timebase `hdec_edge_tb` on (HDEC bit 0 goes 0 -> 1) until
        # the interrupt is delivered.
        self.hdec_exc = False
        self.hdec_edge_tb = DEC_RESET + 1
        # Doorbell exceptions of this thread (one thread per core: the privileged
        # doorbell is this thread's DPDES bit) and the stop it is in.
        self.hdbell = False
        self.pdbell = False
        self._async_dirty = False    # something that gates an asynchronous interrupt changed
        self.stop_ec = False
        self.deliveries = 0          # interrupts delivered so far (trace: did a step interrupt?)
        self._tracing = False        # inside run_traced: one instruction per step
        self._step_reason = None     # SliceResult.reason of the last run_slice
        self.sync_msr()

    # ------------------------------------------------------------ registers
    def gpr(self, n):
        return self.core.gpr(n)

    def set_gpr(self, n, v):
        self.core.set_gpr(n, v)

    def get_lr(self):
        return self.core.get_lr()

    def get_ctr(self):
        return self.core.get_ctr()

    def tb(self) -> int:
        """Deterministic timebase: one tick per instruction retired on this CPU."""
        return self.insns + self.core.counter.count

    def read_spr(self, name: str) -> int:
        st = self.state
        if name == "dec":
            return (st.dec - (self.tb() - st.dec_tb)) & 0xFFFFFFFF
        if name == "hdec":
            return (st.hdec - (self.tb() - st.hdec_tb)) & 0xFFFFFFFF
        if name == "tbl":
            return self.tb() & MASK64
        if name == "tbu":
            return (self.tb() >> 32) & 0xFFFFFFFF
        return getattr(st, name)

    def write_spr(self, name: str, value: int, addr: int, insn, source: str) -> None:
        st = self.state
        value &= MASK64
        if name == "dec":
            st.dec, st.dec_tb = _s32(value), self.tb()
            self._async_dirty = True
            return
        if name == "hdec":
            self.hdec_write(_s32(value))
            self._async_dirty = True
            return
        if name in ("tbl", "tbu", "pvr", "pir"):
            return  # read-only here (the timebase is the instruction count)
        if name == "lpcr":
            self._async_dirty = True             # LPCR[HDICE] gates the HDEC interrupt
            # bits the model does not implement read 0 after any write, including
            # LPES1 that the reset value has (QEMU ppc_store_lpcr: val & lpcr_mask;
            # confirmed against QEMU 7.2 by harness/conform/programs/sc_ail3_mmuoff.S)
            value &= self.model.lpcr_mask
        elif name == "heir":
            value &= 0xFFFFFFFF
        elif name in ("dsisr", "hdsisr"):
            value &= 0xFFFFFFFF
        old = getattr(st, name)
        setattr(st, name, value)
        if name in self.machine.watch_sprs:
            ev = self.machine.events
            ev.emit(SprWriteEvent(self.index, ev.next_seq(), name, old, value, addr, insn,
                                  source, self.tb()))
        if name in TRANSLATION_SPRS:
            self.check_translation()
        elif name == "sprg3":
            self.core.set_native_sprg3(value)

    def write_msr(self, new: int, addr: int, insn, source: str) -> None:
        st = self.state
        old = st.msr
        if new & MSR_PR:
            new |= MSR_EE | MSR_IR | MSR_DR   # problem state always translates (ISA III 4.2.1)
        st.msr = new
        if (old ^ new) & (MSR_EE | MSR_HV | MSR_PR):
            self._async_dirty = True             # may unmask a pending asynchronous interrupt
        if new & MSR_TRACE and not self._tracing:
            self.core.request_stop()   # end the slice here: run_traced steps from the next one
        if "msr" in self.machine.watch_sprs and old != new:
            ev = self.machine.events
            ev.emit(SprWriteEvent(self.index, ev.next_seq(), "msr", old, new, addr, insn,
                                  source, self.tb()))
        self.sync_msr()

    def sync_msr(self) -> None:
        msr = self.state.msr
        self.core.sync_msr(msr)
        if (msr & TRANSLATION_MSR) != self._tmsr:
            self.check_translation()

    def check_translation(self) -> None:
        key = translation_key(self.state)
        self._tmsr = self.state.msr & TRANSLATION_MSR
        if key != self._tkey:
            self._tkey = key
            self._fetch_cache.clear()
            self.core.flush_tlb()

    def invalidate_translations(self, what: str = "all") -> None:
        self.machine.mmu.invalidate(self, what)
        self._fetch_cache.clear()
        self.core.flush_tlb()

    # ------------------------------------------------------------ translation
    def translate(self, ea: int, access: str):
        """(real address, perms) or a Fault, for the TLB-fill hook."""
        st = self.state
        on = st.msr & (MSR_IR if access == FETCH else MSR_DR)
        if not on:
            return real_mode_address(st, ea), PROT_ALL
        return self.machine.mmu.translate(self, ea, access)

    def fetch_word(self, ea: int) -> int:
        """The instruction image at `ea` (as fetched: translated, in MSR[LE] order)."""
        page = ea >> 12
        pa_page = self._fetch_cache.get(page)
        if pa_page is not None:
            pa = pa_page | (ea & 0xFFF)
        else:
            res = self.translate(ea, FETCH)
            if not isinstance(res, tuple) or not self.machine.ram.contains(res[0], 4):
                raise RuntimeError(f"cannot read instruction at {ea:#x}")
            pa = res[0]
            if len(self._fetch_cache) >= 64:
                self._fetch_cache.clear()
            self._fetch_cache[page] = pa & ~0xFFF
        if self.state.msr & MSR_LE:
            return _U32LE.unpack_from(self._mm, pa)[0]
        return _U32BE.unpack_from(self._mm, pa)[0]

    # ------------------------------------------------------------ traps
    def on_trap(self, kind: str, x: int):
        """A trap from the execution core at instruction `x`: emulate or deliver.
        Returns the next PC, or None when this CPU halts."""
        self.last_trap_pc = x
        try:
            if kind in ("program", "syscall", "hv_emu", "fu"):
                insn = self.fetch_word(x)
                op = insn >> 26
                if kind == "program" and op in (59, 63):
                    raise Trap(InterruptRequest("program", x, x, insn, srr1_bits=SRR1_PROGFPE,
                                                reason="floating-point enabled exception"))
                r = emulate(self, x, insn, kind)
                if r.__class__ is int:
                    return self.after_emulation(r)
                return self.deliver(r)
            if kind == "fpu":
                raise Trap(InterruptRequest("fpu", x, x, self.fetch_word(x), reason="MSR[FP]=0"))
            if kind == "vpu":
                raise Trap(InterruptRequest("vmx", x, x, self.fetch_word(x), reason="MSR[VEC]=0"))
            if kind == "vsxu":
                raise Trap(InterruptRequest("vsx", x, x, self.fetch_word(x), reason="MSR[VSX]=0"))
            if kind == "alignment":
                raise Trap(InterruptRequest("alignment", x, x, self.fetch_word(x), dar=0,
                                            reason="alignment (DAR not computed)"))
            insn = self.fetch_word(x)
            raise illegal(self, x, insn, f"unhandled trap {kind}")
        except Trap as t:
            return self.deliver(t.req)
        except Halt as h:
            self.halt(h.reason, x, h.detail)
            return None

    def after_emulation(self, next_pc: int) -> int:
        """Deliver an asynchronous interrupt that an MSR change just enabled, or cut
        the running slice where a (hypervisor) decrementer the instruction armed
        or unmasked will fire.  Only instructions that changed what gates them
        (MSR[EE/HV/PR], DEC, HDEC, LPCR, a doorbell) need the check."""
        if not self._async_dirty:
            return next_pc
        self._async_dirty = False
        v = self.async_interrupt(next_pc)
        if v is not None:
            return v
        w = self.insns_until_async()
        if w is not None:
            c = self.core.counter
            if c.limit > c.count + w:
                c.limit = c.count + max(w, 1)
        return next_pc

    def halt(self, reason: str, pc: int, detail: str = "") -> None:
        self.halted = reason
        self.halt_detail = detail
        self.pc = pc
        ev = self.machine.events
        ev.emit(HaltEvent(self.index, ev.next_seq(), reason, pc, self.tb(), detail))

    def deliver(self, req: InterruptRequest) -> int:
        """Deliver an interrupt: compute it (pure), record it, apply it; return the vector."""
        st = self.state
        if req.kind == "mce" and not st.msr & MSR_ME:
            raise Halt("checkstop", f"machine check with MSR[ME]=0 at {req.insn_addr:#x}: {req.reason}")
        if not self.machine.hv_capable and INTERRUPTS[req.kind].hv:
            # a partition without hypervisor state: HEAI-class events are Program interrupts
            bits = SRR1_PROGILL
            req = InterruptRequest("program", req.nip, req.insn_addr, req.insn, srr1_bits=bits,
                                   reason=req.reason)
        dl = compute_delivery(self.model, st, req, self.machine.hv_capable)
        ev = self.machine.events
        fic = dl.fscr
        hic = dl.hfscr
        ie = InterruptEvent(
            self.index, ev.seq, req.kind, dl.name, req.insn_addr, req.insn, dl.vector,
            dl.ail.ail, dl.ail.rule, st.lpcr, st.fscr, dl.msr_before, dl.msr_after,
            dl.srr0, dl.srr1, dl.hsrr0, dl.hsrr1, dl.lr, dl.ctr,
            None if fic is None else (fic & FSCR_IC_MASK) >> FSCR_IC_SHIFT,
            None if hic is None else (hic & FSCR_IC_MASK) >> FSCR_IC_SHIFT,
            dl.dar, dl.dsisr, dl.heir,
            req.lev if req.kind in ("sc", "scv") else None, req.reason,
            self.insns + self.core.counter.count)
        ev.seq += 1
        # An interrupt raised by the first instruction of its own handler, with the
        # same MSR it sets, would repeat forever with identical state: the CPU is
        # parked, exactly like a branch-to-self (e.g. executing zeroes at 0xe40).
        if req.insn_addr == dl.vector and dl.msr_before == dl.msr_after:
            self.idle = True
            self.core.request_stop()
        apply_delivery(st, dl)
        self.deliveries += 1
        if dl.lr is not None:
            self.core.set_lr_ctr(dl.lr, dl.ctr)
        self.sync_msr()
        ev.emit_interrupt(ie)
        return dl.vector

    # ------------------------------------------------------------ system instructions
    def system_call(self, addr: int, insn: int, lev: int) -> int:
        hyp = self.machine.hypervisor
        if lev == 1 and hyp is not None and not self.state.msr & MSR_HV:
            return hyp.hcall(self, addr)
        return InterruptRequest("sc", addr + 4, addr, insn, lev=lev,
                                reason="sc 1 (hypercall)" if lev == 1 else f"sc {lev}")

    def enter_stop(self, addr: int, insn: int):
        """stop (ISA v3.0+) / doze, nap, sleep, rvwinkle (POWER8): the thread enters
        power-saving mode until `stop_wake_event` finds an exception that ends it.
        PSSCR[EC]=0: execution resumes after the stop; PSSCR[EC]=1, and always for
        the POWER8 instructions, the thread wakes with a System Reset interrupt
        (Power ISA v3.0B Book III "Power-Saving Mode", stop; v2.07 nap; QEMU 7.2
        helper_pminsn: resume_as_sreset = insn != stop || PSSCR[EC])."""
        self.stop_pc = addr + 4
        self.stop_ec = not self.model.has_stop or bool(self.state.psscr & PSSCR_EC)
        raise Halt("stop", "power-saving stop (EC=%d)" % self.stop_ec)

    def mmu_op(self, op: str, addr: int, insn: int) -> None:
        self.machine.mmu_instruction(self, op, addr, insn)

    def doorbell_op(self, xo: int, addr: int, insn: int) -> int:
        """msgsnd (206), msgclr (238), msgsndp (142), msgclrp (174), privilege already
        checked (emu.privileged).  Only message type 5 does anything, any other is a
        no-op (Power ISA v3.0B Book III "Processor Control"; QEMU book3s_dbell2irq)."""
        rb = self.gpr((insn >> 11) & 31)
        self._async_dirty = True
        if xo in (142, 174):
            self.check_msgp(addr, insn, "msgsndp" if xo == 142 else "msgclrp")
        if (rb >> DBELL_TYPE_SHIFT) & 0x1F != DBELL_TYPE_SERVER:
            return addr + 4
        if xo == 206:
            self.msgsnd(rb & DBELL_PIR_MASK)
        elif xo == 238:
            self.hdbell = False
        elif xo == 142:
            if rb & DBELL_TIR_MASK == 0:   # thread 0 of this one-thread core: itself
                self.pdbell = True
        else:
            self.pdbell = False
        return addr + 4

    def check_msgp(self, addr: int, insn: int, what: str) -> None:
        """msgsndp/msgclrp in privileged non-hypervisor state with HFSCR[MSGP]=0: a
        Hypervisor Facility Unavailable interrupt, HFSCR[IC]=10 (Power ISA v3.0B
        Book III HFSCR; QEMU helper_hfscr_facility_check)."""
        st = self.state
        if self.machine.hv_capable and not st.msr & MSR_HV and not st.hfscr & HFSCR_MSGP:
            raise Trap(InterruptRequest("hfu", addr, addr, insn, ic=HFSCR_IC_MSGP,
                                        reason=f"{what} with HFSCR[MSGP]=0"))

    def msgsnd(self, pir: int) -> None:
        """msgsnd type 5: a Directed Hypervisor Doorbell exception on every thread
        whose PIR matches the tag (Linux PPC_DBELL_SERVER, tag = target PIR on
        POWER8/9/10; QEMU helper_book3s_msgsnd).  The target sees it at its next
        slice (Machine.run wakes a parked target first)."""
        for cpu in self.machine.cpus:
            if cpu.state.pir & DBELL_PIR_MASK == pir:
                cpu.hdbell = True

    # ------------------------------------------------------------ power-saving
    def stop_wake_event(self) -> str | None:
        """The exception that ends power-saving mode now ("hdoorbell", "hdec", "dec",
        "doorbell"), or None.  EC=1 (and POWER8 nap): only those LPCR[PECE] enables:
        HDEE, DEE, PDEE (Power ISA v3.0B Book III LPCR[PECE], "Power-Saving Mode";
        QEMU cpu_has_work_POWER8/9).  EC=0: any exception that exists, whatever
        MSR[EE] (Linux enters stop with EC=0 hard-disabled, idle.c
        power9_idle_stop; QEMU cpu_has_work_POWER9 "If EC is clear, just return
        true on any pending interrupt")."""
        st = self.state
        if self.stop_ec:
            lpcr = st.lpcr
            if self.hdbell and lpcr & LPCR_HDEE:
                return "hdoorbell"
            if lpcr & LPCR_DEE and self.dec_pending():
                return "dec"
            if self.pdbell and lpcr & LPCR_PDEE:
                return "doorbell"
            return None
        if self.hdbell:
            return "hdoorbell"
        if st.lpcr & LPCR_HDICE and self.hdec_exception():
            return "hdec"
        if self.dec_pending():
            return "dec"
        if self.pdbell:
            return "doorbell"
        return None

    def resume_from_stop(self, event: str) -> None:
        """Leave power-saving mode because of `event`.  EC=0: continue after the
        stop (the interrupt, if enabled, is then taken there).  EC=1: a System
        Reset interrupt, SRR0 = the instruction after the stop, SRR1[42:45] = the
        wake reason, SRR1[46:47] = 0b01 (no state lost); a doorbell that woke the
        thread is consumed, a decrementer stays pending (Power ISA v3.0B Book III
        "System Reset Interrupt"; Linux irq.c srr1_to_lazyirq replays it; QEMU
        powerpc_reset_wakeup)."""
        self.halted = None
        self.halt_detail = ""
        if not self.stop_ec:
            self.pc = self.stop_pc
            return
        if event == "hdoorbell":
            self.hdbell = False
        elif event == "doorbell":
            self.pdbell = False
        self.pc = self.deliver(InterruptRequest(
            "sreset", self.stop_pc, self.stop_pc - 4, None,
            srr1_bits=SRR1_WAKE[event] | SRR1_WS_NOLOSS,
            reason=f"wake-up from power-saving mode ({event})"))

    def wake_up(self) -> bool:
        """At this thread's turn: a stopped thread leaves power-saving mode, an idle
        branch-to-self resumes, when an exception can end its wait now (a doorbell
        another thread sent).  Returns whether the thread can run."""
        if self.halted == "stop":
            event = self.stop_wake_event()
            if event is not None:
                self.resume_from_stop(event)
        elif self.idle and self.halted is None and self.insns_until_async() == 0:
            self.idle = False
        return self.runnable()

    def stop_wakeup_in(self) -> int | None:
        """Timebase ticks until a decrementer (or, with EC=0, hypervisor
        decrementer) exception ends this thread's stop (None: no timer will)."""
        waits = []
        if not self.stop_ec or self.state.lpcr & LPCR_DEE:
            waits.append(self.dec_ticks_left())
        if not self.stop_ec and self.state.lpcr & LPCR_HDICE:
            if self.hdec_exception():
                waits.append(0)
            elif self.hdec_edge_tb is not None:
                waits.append(self.hdec_edge_tb - self.tb())
        return min(waits) if waits else None

    # ------------------------------------------------------------ async
    def dec_pending(self) -> bool:
        return _s32(self.read_spr("dec")) < 0

    def dec_ticks_left(self) -> int:
        """Timebase ticks until the decrementer exception exists (0: it does)."""
        v = _s32(self.read_spr("dec"))
        return 0 if v < 0 else v + 1

    def insns_until_dec(self) -> int | None:
        if not self.state.msr & MSR_EE:
            return None
        return self.dec_ticks_left()

    def hdec_write(self, v: int) -> None:
        """mtspr HDEC: a Hypervisor Decrementer exception comes into existence when
        HDEC bit 0 changes from 0 to 1, by decrementing past 0 or by a mtspr that
        makes a non-negative HDEC negative; it ceases to exist when the interrupt
        is delivered, a later write does not cancel it (Power ISA v3.1 Book III,
        Timer Facilities "Hypervisor Decrementer" and Interrupts "Hypervisor
        Decrementer Interrupt"; QEMU __cpu_ppc_store_decr, PPC_DECR_UNDERFLOW_TRIGGERED)."""
        st = self.state
        t = self.tb()
        self.hdec_exception()                  # materialise an edge already passed
        old = _s32(self.read_spr("hdec"))
        st.hdec, st.hdec_tb = v, t
        if v >= 0:
            self.hdec_edge_tb = t + v + 1      # the tick at which HDEC reads -1
        else:
            if old >= 0:
                self.hdec_exc = True
            self.hdec_edge_tb = None

    def hdec_exception(self) -> bool:
        """A Hypervisor Decrementer exception exists (not yet delivered)."""
        if self.hdec_edge_tb is not None and self.tb() >= self.hdec_edge_tb:
            self.hdec_exc = True
            self.hdec_edge_tb = None
        return self.hdec_exc

    def hdec_enabled(self) -> bool:
        """hdecrementer_enabled: the interrupt is taken when the exception exists and
        LPCR[HDICE] & (MSR[EE] | ~MSR[HV]) (Power ISA v3.1 Book III, "Hypervisor
        Decrementer Interrupt"; QEMU ppc_next_unmasked_interrupt PPC_INTERRUPT_HDECR):
        always enabled in a guest, masked by EE in hypervisor state."""
        st = self.state
        return bool(st.lpcr & LPCR_HDICE) and bool(st.msr & MSR_EE or not st.msr & MSR_HV)

    def insns_until_hdec(self) -> int | None:
        if not self.hdec_enabled():
            return None
        if self.hdec_exception():
            return 0
        if self.hdec_edge_tb is None:
            return None
        return self.hdec_edge_tb - self.tb()

    def insns_until_async(self) -> int | None:
        """Instructions until the decrementer, hypervisor decrementer or a doorbell
        interrupts (None: none is enabled)."""
        if self.doorbell_interrupt() is not None:
            return 0
        waits = [w for w in (self.insns_until_dec(), self.insns_until_hdec()) if w is not None]
        return min(waits) if waits else None

    def doorbell_interrupt(self) -> str | None:
        """The doorbell interrupt that would be taken now, if any: a Directed
        Hypervisor Doorbell when MSR[EE] | ~MSR[HV] (like the Hypervisor
        Decrementer: always in a guest), a Directed Privileged Doorbell when
        MSR[EE] (Power ISA v3.0B Book III "Directed Hypervisor Doorbell
        Interrupt", "Directed Privileged Doorbell Interrupt")."""
        msr = self.state.msr
        if self.hdbell and (msr & MSR_EE or not msr & MSR_HV):
            return "hdoorbell"
        if self.pdbell and msr & MSR_EE:
            return "doorbell"
        return None

    def async_interrupt(self, pc: int) -> int | None:
        """Deliver the highest-priority pending asynchronous interrupt at `pc`
        (the Hypervisor Decrementer ranks above the Decrementer: ISA III
        "Interrupt Priorities"); return the vector, or None."""
        if self.hdec_enabled() and self.hdec_exception():
            self.hdec_exc = False              # edge-triggered: delivery consumes it
            return self.deliver(InterruptRequest("hdec", pc, pc, None,
                                                 reason="hypervisor decrementer"))
        db = self.doorbell_interrupt()
        if db == "hdoorbell":                  # ranks above the Decrementer
            self.hdbell = False                # delivery clears the exception
            return self.deliver(InterruptRequest("hdoorbell", pc, pc, None,
                                                 reason="directed hypervisor doorbell"))
        if self.state.msr & MSR_EE and self.dec_pending():
            return self.deliver(InterruptRequest("dec", pc, pc, None, reason="decrementer"))
        if db == "doorbell":
            self.pdbell = False
            return self.deliver(InterruptRequest("doorbell", pc, pc, None,
                                                 reason="directed privileged doorbell"))
        return None

    # ------------------------------------------------------------ running
    def runnable(self) -> bool:
        return self.halted is None and not self.idle

    def run_slice(self, limit: int, step: bool = False) -> int:
        """Run up to `limit` instructions (or exactly one with `step`); return how
        many were retired."""
        if self.at_breakpoint and not step:
            # resume from a breakpoint: execute the instruction under it first
            self.at_breakpoint = False
            n = self.run_slice(1, step=True)
            if not self.runnable() or limit <= n:
                return n
            return n + self.run_slice(limit - n)
        if self.state.msr & MSR_TRACE and not self._tracing:
            return self.run_traced(1 if step else limit, check_breakpoints=not step)
        self.at_breakpoint = False
        v = self.async_interrupt(self.pc)
        if v is not None:
            self.pc = v
        until_dec = self.insns_until_async()
        if until_dec is not None and until_dec < limit:
            limit = max(until_dec, 1)
        try:
            res = self.core.step(self.pc) if step else self.core.run(self.pc, limit)
        except Halt as h:
            self.halt(h.reason, self.last_trap_pc or self.pc, h.detail)
            self._step_reason = "halt"
            return 0
        self._step_reason = res.reason
        self.insns += res.executed
        self.core.counter.count = 0           # retired: now in self.insns (tb() counts once)
        self.pc = res.pc
        if self.halted is not None and self.last_trap_pc is not None and res.reason == "stopped":
            self.pc = self.last_trap_pc      # attn/stop/checkstop: where the CPU stopped
        if res.reason == "fault":
            self.insns += 1 if res.fault_access == FETCH else 0
            try:
                self.pc = self.handle_fault(res)
            except Halt as h:
                self.halt(h.reason, res.pc, h.detail)
            return res.executed + (1 if res.fault_access == FETCH else 0)
        if res.reason == "error":
            self.halt("error", res.pc, f"execution error at {res.pc:#x}: {res.error}")
            return res.executed
        if res.reason == "breakpoint":
            self.at_breakpoint = True
            return res.executed
        if self.halted is None and (res.reason == "idle" or (
                res.reason == "limit" and not self.core.exact_count
                and self.is_branch_to_self(self.pc))):
            self.idle = True
        return res.executed

    def run_traced(self, limit: int, check_breakpoints: bool = True) -> int:
        """Run up to `limit` instructions one at a time while MSR[SE] or MSR[BE] is
        1, delivering a Trace interrupt (0xD00, SRR0 = the next instruction, SRR1
        bit 33) after each instruction `trace_after` selects that completed
        without an interrupt (Power ISA v3.1 Book III 7.5.15 "Trace Interrupt").
        Only this CPU, only while the architected MSR asks for it: the fast path
        stays a plain Unicorn run (write_msr cuts the slice that sets SE/BE)."""
        n = 0
        machine = self.machine
        while n < limit and self.runnable() and not machine._stop_request:
            msr = self.state.msr
            if not msr & MSR_TRACE:
                return n + self.run_slice(limit - n)
            pc = self.pc
            if check_breakpoints and pc in machine.breakpoints:
                self.at_breakpoint = True
                break
            check_breakpoints = True
            try:
                insn = self.fetch_word(pc)
            except RuntimeError:
                insn = None                    # the fetch faults: ISI, never traced
            before = self.deliveries
            self._tracing = True
            try:
                k = self.run_slice(1, step=True)
            finally:
                self._tracing = False
            n += k
            if (k and self.deliveries == before and self.halted is None
                    and self._step_reason in ("limit", "stopped") and trace_after(msr, insn)):
                self.pc = self.deliver(InterruptRequest(
                    "trace", self.pc, pc, insn, srr1_bits=SRR1_TRACE,
                    reason="single-step trace" if msr & MSR_SE else "branch trace"))
        return n

    def idle_wakeup(self) -> int | None:
        """Instructions an idle `b .` would spin before a decrementer or hypervisor
        decrementer interrupt wakes it (None: nothing will)."""
        if self.halted == "stop":
            return self.stop_wakeup_in()
        if not self.idle or self.halted is not None:
            return None
        return self.insns_until_async()

    def fast_forward(self, n: int) -> None:
        """Account `n` iterations of the branch-to-self and wake up."""
        self.insns += n
        self.idle = False

    def is_branch_to_self(self, pc: int) -> bool:
        try:
            return self.fetch_word(pc) == BRANCH_TO_SELF
        except RuntimeError:
            return False

    def handle_fault(self, res) -> int:
        ea = self.core.fault_ea(res.fault_pa)
        pc = res.pc
        if ea is None:
            raise Halt("error", f"access to unmapped physical address {res.fault_pa:#x} at {pc:#x}")
        access = res.fault_access
        tr = self.translate(ea, access)
        if isinstance(tr, tuple):
            pa, _ = tr
            if self.machine.ram.contains(pa):
                self.core.flush_tlb()          # stale or per-access permission entry: retry
                return pc
            # real address outside RAM: machine check (kvm-unit-tests test_mce)
            insn = None if access == FETCH else self.fetch_word(pc)
            return self.deliver(InterruptRequest(
                "mce", pc, pc, insn, dar=None if access == FETCH else ea,
                srr1_bits=0 if access == FETCH else SRR1_MC_LOADSTORE,
                reason=f"{access} of real address {pa:#x} outside RAM (EA {ea:#x})"))
        f: Fault = tr
        if f.kind in ("hdsi", "hisi"):
            # partition-scoped fault (radix guest): HDAR/HDSISR/ASDR, HSRR1 causes
            # (ISA v3.0 III 7.5.14-15)
            st = self.state
            if f.asdr is not None:
                st.asdr = f.asdr
            if f.kind == "hdsi":
                st.hdar = ea
                st.hdsisr = f.dsisr | (DSISR_ISSTORE if access == "write" else 0)
            nip = ea if access == FETCH else pc
            return self.deliver(InterruptRequest(
                f.kind, nip, nip, None if access == FETCH else self.fetch_word(pc),
                srr1_bits=f.srr1_bits, reason=f.reason))
        if access == FETCH:
            return self.deliver(InterruptRequest(f.kind, ea, ea, None, srr1_bits=f.srr1_bits,
                                                 reason=f.reason))
        insn = self.fetch_word(pc)
        dsisr = f.dsisr | (DSISR_ISSTORE if access == "write" else 0)
        if f.kind == "dseg":
            dsisr = None
        return self.deliver(InterruptRequest(f.kind, pc, pc, insn, dar=ea, dsisr=dsisr,
                                             reason=f.reason))


