"""One hardware thread: architected state + its execution core + trap handling.

`Cpu` is the seam between the pure parts (emu.interrupts, emu.privileged,
emu.mmu) and the execution core (emu.unicorn_backend).  It owns the
architected MSR and SPRs, mirrors what must be mirrored into Unicorn, keeps the
translation cache coherent, and turns every trap into emulation or delivery.
"""
from __future__ import annotations

import struct

from .bits import (DSISR_ISSTORE, FSCR_IC_MASK, FSCR_IC_SHIFT, MASK64, MSR_BE,
                   MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_LE, MSR_ME, MSR_PR, MSR_SE,
                   SRR1_MC_LOADSTORE, SRR1_PROGFPE, SRR1_PROGILL)
from .events import HaltEvent, InterruptEvent, SprWriteEvent
from .interrupt_sources import InterruptSources, s32
from .interrupts import INTERRUPTS, InterruptRequest, apply_delivery, compute_delivery
from .mmu import FETCH, PROT_ALL, Fault, real_mode_address, translation_key
from .opcodes import (OP_19, OP_19_XOP_BCCTR, OP_19_XOP_BCLR, OP_19_XOP_BCTAR, OP_19_XOP_HRFID,
                      OP_19_XOP_RFEBB, OP_19_XOP_RFID, OP_19_XOP_RFSCV, OP_59, OP_63,
                      OP_B, OP_BC, OP_SC)
from .privileged import Halt, Trap, emulate, illegal
from .registers import field_masks, field_resets, implemented
from .state import CpuState
from .storage import first_fault, storage_access
from .storm import STORM_KINDS, StormDetector
from .unicorn_backend import UnicornCore

_U32BE = struct.Struct(">I")
_U32LE = struct.Struct("<I")
BRANCH_TO_SELF = 0x48000000
# What translations depend on (emu.mmu.translation_key): writes to these flush the TLB.
TRANSLATION_MSR = MSR_IR | MSR_DR | MSR_HV | MSR_PR
TRANSLATION_SPRS = frozenset({"lpcr", "pidr", "lpidr", "ptcr", "sdr1", "hrmor"})
# SPRs without a CpuState field: write_spr handles them (emu.registers hooks)
_COUNTING_SPRS = frozenset({"dec", "hdec", "tbl", "tbu", "dpdes"})
DEC_RESET = 0x7FFFFFFF   # far in the future: no decrementer interrupt unless a program arms one
MSR_TRACE = MSR_SE | MSR_BE
SRR1_TRACE = 0x40000000  # IBM bit 33: set by every Trace interrupt (ISA v3.1 Book III 7.5.15)
# XL-form (opcode 19) extended opcodes of the instructions tracing treats specially
NEVER_TRACED_19 = frozenset({OP_19_XOP_RFID, OP_19_XOP_HRFID, OP_19_XOP_RFSCV, OP_19_XOP_RFEBB})
BRANCH_19 = frozenset({OP_19_XOP_BCLR, OP_19_XOP_BCCTR, OP_19_XOP_BCTAR})


def never_traced(insn: int) -> bool:
    """Instructions after which no single-step Trace interrupt occurs although
    MSR[SE]=1: rfid, hrfid, rfscv and rfebb ("...unless that instruction is
    hrfid, rfid, ... which are never traced", Power ISA v3.1 Book III 4.2.1
    MSR[SE]), and sc/scv, which always cause a System Call interrupt instead of
    completing (kvm-unit-tests powerpc/interrupts.c test_trace: "no interrupt
    on single step rfid").  Instructions that take any other interrupt are
    excluded by `Cpu.run_traced` (not "successfully completed")."""
    op = insn >> 26
    if op == OP_SC:
        return True
    return op == OP_19 and (insn >> 1) & 0x3FF in NEVER_TRACED_19


def is_branch(insn: int) -> bool:
    """b, bc, bclr, bcctr, bctar: the instructions MSR[BE] traces, taken or not
    ("a branch type Trace interrupt after completing the execution of a branch
    instruction, whether or not the branch is taken", Power ISA v3.1 Book III
    4.2.1 MSR[BE]; QEMU 7.2 gen_bcond ends both paths with gen_goto_tb)."""
    op = insn >> 26
    if op == OP_BC or op == OP_B:
        return True
    return op == OP_19 and (insn >> 1) & 0x3FF in BRANCH_19


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


class Cpu(InterruptSources):
    def __init__(self, machine, index: int, model):
        self.machine = machine
        self.index = index
        self.model = model
        self.state = CpuState(**field_resets(model.name), dec=DEC_RESET, hdec=DEC_RESET)
        self.state.pir = index
        self.sprs = implemented(model.name)          # SPR number -> emu.registers row
        self._field_masks = field_masks(model.name)
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
        self.ext_irq = False         # External exception (pseries: XICS presented an IPI)
        self.prodded = False         # pseries H_PROD before H_CEDE
        self.deliveries = 0          # interrupts delivered so far (trace: did a step interrupt?)
        self._tracing = False        # inside run_traced: one instruction per step
        self._step_reason = None     # SliceResult.reason of the last run_slice
        limit = getattr(machine, "storm_limit", 0)
        self.storm = StormDetector(limit) if limit else None    # emu.storm
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

    # The user-visible registers the tools read and write (debugger, gdb stub,
    # reports): nothing outside emu/ touches the execution core.
    def gprs(self) -> list:
        return self.core.gprs()

    def set_lr(self, v: int) -> None:
        self.core.set_lr(v)

    def set_ctr(self, v: int) -> None:
        self.core.set_ctr(v)

    def get_cr(self) -> int:
        return self.core.get_cr()

    def set_cr(self, v: int) -> None:
        self.core.set_cr(v)

    def get_xer(self) -> int:
        return self.core.get_xer()

    def set_xer(self, v: int) -> None:
        self.core.set_xer(v)

    def fpr(self, n: int) -> int:
        return self.core.fpr(n)

    def set_fpr(self, n: int, v: int) -> None:
        self.core.set_fpr(n, v)

    def get_fpscr(self) -> int:
        return self.core.get_fpscr()

    def set_fpscr(self, v: int) -> None:
        self.core.set_fpscr(v)

    def tb(self) -> int:
        """Deterministic timebase, one for the whole machine (so it is consistent
        across CPUs, as the architecture requires of the TB of all threads):
        `Machine.tb_scale` ticks per instruction retired by any CPU (the CPUs run
        in turn), plus the time fast-forwarded while every CPU waited."""
        m = self.machine
        return (m.clock + self.core.counter.count) * m.tb_scale

    def read_spr(self, name: str) -> int:
        """The value of SPR storage field `name` (emu.registers), live for the
        registers that count: DEC/HDEC, the timebase, PURR/SPURR, DPDES."""
        st = self.state
        if name == "dec":
            return (st.dec - (self.tb() - st.dec_tb)) & 0xFFFFFFFF
        if name == "hdec":
            return (st.hdec - (self.tb() - st.hdec_tb)) & 0xFFFFFFFF
        if name == "tbl":
            return self.tb() & MASK64
        if name == "tbu":
            return (self.tb() >> 32) & 0xFFFFFFFF
        if name in ("purr", "spurr"):
            # count with the timebase (one per instruction; QEMU 7.2 does the same:
            # cpu_ppc_load_purr reads the timebase), stored as an offset from it
            return (getattr(st, name) + self.tb()) & MASK64
        if name == "dpdes":
            return int(self.pdbell)   # one thread per core: bit 63 is this thread's doorbell
        return getattr(st, name)

    def write_spr(self, name: str, value: int, addr: int, insn, source: str) -> None:
        """Write SPR storage field `name`: the model's writable mask (emu.registers),
        then the register's side effect (DEC/HDEC timing, LPCR, translation
        flushes, PURR offset, DPDES doorbell)."""
        st = self.state
        value &= MASK64
        if name in _COUNTING_SPRS:
            if name == "dec":
                st.dec, st.dec_tb = s32(value), self.tb()
                self._async_dirty = True
            elif name == "hdec":
                self.hdec_write(s32(value))
                self._async_dirty = True
            elif name == "dpdes":
                self.pdbell = bool(value & 1)
                self._async_dirty = True
            # tbl/tbu: the timebase is the instruction count: writes are ignored
            return
        mask = self._field_masks.get(name)
        if mask is not None:
            # bits the model does not implement read 0 after any write, including
            # LPES1 that the LPCR reset value has (QEMU ppc_store_lpcr: val & lpcr_mask;
            # confirmed against QEMU 7.2 by harness/conform/programs/sc_ail3_mmuoff.S)
            value &= mask
        if name == "lpcr":
            self._async_dirty = True             # LPCR[HDICE] gates the HDEC interrupt
        elif name in ("purr", "spurr"):
            value = (value - self.tb()) & MASK64
        old = getattr(st, name)
        setattr(st, name, value)
        if name in self.machine.watch_sprs:
            ev = self.machine.events
            ev.emit(SprWriteEvent(self.index, ev.next_seq(), name, old, value, addr, insn,
                                  source, self.tb()))
        if name in TRANSLATION_SPRS:
            self.check_translation()

    def write_msr(self, new: int, addr: int, insn, source: str) -> None:
        st = self.state
        old = st.msr
        if new & MSR_PR:
            new |= MSR_EE | MSR_IR | MSR_DR   # problem state always translates (ISA III 4.2.1)
        if self.machine.hypervisor is not None:
            new = self.machine.hypervisor.partition_msr(new)
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

    def forget_fetch_translations(self) -> None:
        """Drop the translations `fetch_word` cached (another thread's tlbie)."""
        self._fetch_cache.clear()

    def invalidate_translations(self, what: str = "all") -> None:
        if self.machine.mmu.invalidate(self, what):
            self.core.flush_tlb()
        self._fetch_cache.clear()

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
            fw = self.machine.firmware
            if fw is not None and x == fw.entry:
                return fw.call(self)           # PowerNV: an OPAL call (emu.opal)
            if kind in ("program", "syscall", "hv_emu", "fu"):
                insn = self.fetch_word(x)
                op = insn >> 26
                if kind == "program" and (op == OP_59 or op == OP_63):
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
        if req.heir is not None and "heir" not in self._field_masks:
            req.heir = None          # a model without HEIR (POWER8, ISA v2.07) saves no image
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
        if self.machine.hypervisor is not None:
            st.msr = self.machine.hypervisor.partition_msr(st.msr)
        self.deliveries += 1
        if dl.lr is not None:
            self.core.set_lr_ctr(dl.lr, dl.ctr)
        self.sync_msr()
        ev.emit_interrupt(ie)
        sd = self.storm
        if sd is not None:
            if req.kind in STORM_KINDS:
                p = sd.see((req.kind, req.insn_addr, dl.vector, dl.dar))
                if p:
                    self.machine.storm_detected(self, sd.cycle(p))
                    sd.reset()
            else:
                sd.break_chain()
        return dl.vector

    # ------------------------------------------------------------ system instructions
    def system_call(self, addr: int, insn: int, lev: int) -> int:
        hyp = self.machine.hypervisor
        if lev == 1 and hyp is not None and not self.state.msr & MSR_HV:
            return hyp.hcall(self, addr)
        return InterruptRequest("sc", addr + 4, addr, insn, lev=lev,
                                reason="sc 1 (hypercall)" if lev == 1 else f"sc {lev}")

    def mmu_op(self, op: str, addr: int, insn: int) -> None:
        self.machine.mmu_instruction(self, op, addr, insn)

    # ------------------------------------------------------------ running
    def lose_reservation(self) -> None:
        """The reservation (lwarx & co.) is lost: the next stcx. fails (a migrated
        partition; Power ISA Book II 4.6.2 lets an implementation lose it at will)."""
        self.core.clear_reservation()

    def reservation(self) -> int | None:
        return self.core.reservation()

    def runnable(self) -> bool:
        return self.halted is None and not self.idle

    def run_slice(self, limit: int, step: bool = False, exact: bool = False) -> int:
        """Run up to `limit` instructions (or exactly one with `step`); return how
        many were retired.  `exact` (the slice that ends the budget): never more
        than `limit`, the instructions a whole block would overshoot are stepped."""
        if self.at_breakpoint and not step:
            # resume from a breakpoint: execute the instruction under it first
            self.at_breakpoint = False
            n = self.run_slice(1, step=True)
            if not self.runnable() or limit <= n:
                return n
            return n + self.run_slice(limit - n, exact=exact)
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
            if step:
                res = self.core.step(self.pc)
            else:
                res = self.core.run(self.pc, limit, exact=exact and self.core.exact_count)
                if (exact and res.reason == "limit" and res.executed == 0
                        and self.core.exact_count):
                    # the next block is longer than what is left: one instruction at a time
                    return self.run_slice(1, step=True)
        except Halt as h:
            self.halt(h.reason, self.last_trap_pc or self.pc, h.detail)
            self._step_reason = "halt"
            return 0
        self._step_reason = res.reason
        self.insns += res.executed
        self.machine.clock += res.executed
        self.core.counter.count = 0           # retired: now in self.insns (tb() counts once)
        self.pc = res.pc
        if self.halted is not None and self.last_trap_pc is not None and res.reason == "stopped":
            self.pc = self.last_trap_pc      # attn/stop/checkstop: where the CPU stopped
        if res.reason == "fault":
            if res.fault_access == FETCH:
                self.insns += 1
                self.machine.clock += 1
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
                # SIAR = the traced instruction (Power ISA v3.1 Book III 7.5.15 Trace
                # Interrupt: "SIAR Set to the effective address of the instruction
                # that caused the Trace interrupt"; kvm-unit-tests test_trace)
                self.state.siar = pc
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
        """Account `n` iterations of the branch-to-self and wake up (the machine's
        timebase moves on by as much)."""
        self.insns += n
        self.machine.clock += n
        self.idle = False

    def is_branch_to_self(self, pc: int) -> bool:
        try:
            return self.fetch_word(pc) == BRANCH_TO_SELF
        except RuntimeError:
            return False

    def _page_faults(self, page: int, access: str) -> bool:
        tr = self.translate(page, access)
        return not (isinstance(tr, tuple) and self.machine.ram.contains(tr[0]))

    def precise_data_fault(self, pc: int, ea: int, access: str):
        """(instruction address, DAR, access) of a data fault Unicorn reported at
        `pc` for `ea`: the storage instruction is decoded (emu.storage) because
        for helper-implemented instructions (dcbz, string, icbi, ...) Unicorn's
        PC may be past the instruction and its address any piece of the access.
        The interrupt is taken at the instruction whose access covers the
        faulting page, with DAR = the first byte of it that does not translate
        (Power ISA v3.1B Book III 7.5.3 Data Storage Interrupt)."""
        gpr = self.core.gpr
        xer = self.core.get_xer()
        for cand in (pc, pc - 4):
            try:
                insn = self.fetch_word(cand)
            except RuntimeError:
                continue
            acc = storage_access(insn, gpr, xer)
            if acc is None:
                continue
            a_ea, n, store = acc
            if not a_ea & ~0xFFF <= ea & ~0xFFF <= (a_ea + max(n, 1) - 1) & ~0xFFF:
                continue
            kind = "write" if store else "read"
            if kind != access:
                continue
            dar = first_fault(a_ea, n, lambda page: self._page_faults(page, kind))
            if dar is None:
                continue
            return cand, dar, kind
        return pc, ea, access

    def handle_fault(self, res) -> int:
        ea = self.core.fault_ea(res.fault_pa)
        pc = res.pc
        if ea is None:
            raise Halt("error", f"access to unmapped physical address {res.fault_pa:#x} at {pc:#x}")
        access = res.fault_access
        if access != FETCH:
            pc, ea, access = self.precise_data_fault(pc, ea, access)
            if pc != res.pc:
                self.insns -= 1            # counted as retired by the slice, but it faulted
        tr = self.translate(ea, access)
        if isinstance(tr, tuple):
            pa, _ = tr
            if self.machine.ram.contains(pa):
                self.core.stale_fault(ea)      # stale or per-access permission entry: retry
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


