"""Where asynchronous and power-saving interrupts come from: the doorbells
(msgsnd/msgclr/msgsndp/msgclrp), power-saving mode (stop, POWER8 nap) and its
wake-up, the decrementer and the hypervisor decrementer.

`InterruptSources` is a part of `emu.cpu.Cpu` (a mixin): it decides *whether*
an exception exists and is enabled; `Cpu.deliver` (emu.interrupts) decides
*how* the interrupt is delivered.
"""
from __future__ import annotations

from .bits import LPCR_HDICE, MSR_EE, MSR_HV
from .interrupts import InterruptRequest
from .opcodes import OP_31_XOP_MSGCLR, OP_31_XOP_MSGCLRP, OP_31_XOP_MSGSND, OP_31_XOP_MSGSNDP
from .privileged import Halt, Trap

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


def s32(v: int) -> int:
    """A 32-bit decrementer value as a signed number."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


class InterruptSources:
    """Doorbell, power-saving and decrementer state of one hardware thread
    (attributes hdbell, pdbell, stop_pc, stop_ec, hdec_exc, hdec_edge_tb live on
    the Cpu)."""

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

    def doorbell_op(self, xo: int, addr: int, insn: int) -> int:
        """msgsnd (206), msgclr (238), msgsndp (142), msgclrp (174), privilege already
        checked (emu.privileged).  Only message type 5 does anything, any other is a
        no-op (Power ISA v3.0B Book III "Processor Control"; QEMU book3s_dbell2irq)."""
        rb = self.gpr((insn >> 11) & 31)
        self._async_dirty = True
        if xo == OP_31_XOP_MSGSNDP or xo == OP_31_XOP_MSGCLRP:
            self.check_msgp(addr, insn, "msgsndp" if xo == OP_31_XOP_MSGSNDP else "msgclrp")
        if (rb >> DBELL_TYPE_SHIFT) & 0x1F != DBELL_TYPE_SERVER:
            return addr + 4
        if xo == OP_31_XOP_MSGSND:
            self.msgsnd(rb & DBELL_PIR_MASK)
        elif xo == OP_31_XOP_MSGCLR:
            self.hdbell = False
        elif xo == OP_31_XOP_MSGSNDP:
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
        if self.ext_irq:
            return "external"
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
            self._async_dirty = True
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
        return self.ticks_to_insns(min(waits)) if waits else None

    # ------------------------------------------------------------ async
    def dec_pending(self) -> bool:
        return s32(self.read_spr("dec")) < 0

    def dec_ticks_left(self) -> int:
        """Timebase ticks until the decrementer exception exists (0: it does)."""
        v = s32(self.read_spr("dec"))
        return 0 if v < 0 else v + 1

    def insns_until_dec(self) -> int | None:
        if not self.state.msr & MSR_EE:
            return None
        return self.ticks_to_insns(self.dec_ticks_left())

    def ticks_to_insns(self, ticks: int) -> int:
        """Instructions until `ticks` timebase ticks have passed (Machine.tb_scale)."""
        scale = self.machine.tb_scale
        return ticks if scale == 1 else -(-ticks // scale)

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
        old = s32(self.read_spr("hdec"))
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
        return self.ticks_to_insns(self.hdec_edge_tb - self.tb())

    def insns_until_async(self) -> int | None:
        """Instructions until the decrementer, hypervisor decrementer or a doorbell
        interrupts (None: none is enabled)."""
        if self.doorbell_interrupt() is not None:
            return 0
        if self.ext_irq and self.state.msr & MSR_EE:
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

    def async_interrupt_exists(self) -> bool:
        """An asynchronous exception exists that MSR[EE]=1 would take now."""
        return bool(self.ext_irq or self.hdbell or self.pdbell or self.dec_pending()
                    or (self.state.lpcr & LPCR_HDICE and self.hdec_exception()))

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
        if self.ext_irq and self.state.msr & MSR_EE:
            # level-triggered: stays until the source is accepted (XICS H_XIRR)
            return self.deliver(InterruptRequest("external", pc, pc, None,
                                                 reason="external interrupt (XICS)"))
        if self.state.msr & MSR_EE and self.dec_pending():
            return self.deliver(InterruptRequest("dec", pc, pc, None, reason="decrementer"))
        if db == "doorbell":
            self.pdbell = False
            return self.deliver(InterruptRequest("doorbell", pc, pc, None,
                                                 reason="directed privileged doorbell"))
        return None
