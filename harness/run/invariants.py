"""`--check-invariants`: find the scv/AIL hazard before any scv runs.

Invariant (the one Linux b5149e22 restores): "FSCR[SCV]=1 => AIL applies" -
whenever a CPU could execute `scv` from problem state or guest code, the
scv must not be delivered to the real-mode vectors at 0x17000 + LEV*0x20,
because Linux has no handler there (0x17000 is ordinary kernel text).

The checker reports two levels, one hazard per CPU and level (the first
moment; later ones are counted in "repeats"; once a CPU is exposed, its
latent moments are no longer counted):

* **exposed** - problem-state code, or guest (HV=0) code on a hypervisor
  machine, is running with FSCR[SCV]=1 while an scv would reach 0x17000: any
  `scv` it executes crashes the host (pseries without configure_exceptions:
  H_SET_MODE turned AIL off under running processes).  Checked at every
  recorded event while such code runs.
* **latent** - the CPU runs kernel code with an LPCR/FSCR pair under which a
  problem-state `scv` (the current MSR with PR, IR and DR set) would reach
  0x17000, but no untrusted code runs until the state is gone (PowerNV
  without the vcpu_load/put hunk: between vcpu_load and the trampoline, and
  between the trampoline's exit and vcpu_put, the host thread's FSCR[SCV]=1
  meets LPCR[AIL]=0; upstream's trampoline loads the shadow FSCR, so the
  guest itself never sees it).  Checked where control can change context: at
  interrupt delivery and at MSR writes (rfid, hrfid, mtmsrd) - so the few
  instructions between the hunk's LPCR and FSCR writes inside
  kvmppc_core_vcpu_load_pr are not reported.

The checker listens to the machine's events (it asks for MSR writes to be
recorded) and evaluates the invariant with the same pure functions interrupt
delivery uses (`emu.interrupts.delivery_target`), so "would go to 0x17000"
means exactly what a real scv would do.  Each hazard names the instruction
that entered the state and the writes that created it (the last LPCR and
FSCR writes, with their symbols).
"""
from __future__ import annotations

from emu.bits import FSCR_SCV, MSR_DR, MSR_HV, MSR_IR, MSR_PR, decode_msr, lpcr_ail
from emu.events import InterruptEvent, SprWriteEvent
from emu.interrupts import SCV_VECTOR_BASE, delivery_target

from harness.run.report import insn_text, symbolize


LEVELS = ("exposed", "latent")


def scv_would_reach_real_vector(model, state, hv_capable: bool, msr: int | None = None
                                ) -> tuple[bool, str]:
    """Would `scv 0` executed with `msr` (default: the CPU's own) and this
    CPU's LPCR and FSCR be delivered to 0x17000 (the real-mode scv vectors)?
    Returns (answer, the AIL rule that decided).  Power ISA v3.0B III 7.5.19
    (System Call Vectored) with the AIL rules of emu.interrupts."""
    if not model.has_scv or not state.fscr & FSCR_SCV:
        return False, ""
    msr = state.msr if msr is None else msr
    _, vector, _, decision = delivery_target(model, "scv", 0, msr, state.lpcr,
                                             state.hid0, hv_capable)
    return (vector & ~0xFFF) == SCV_VECTOR_BASE, decision.rule


def problem_state_msr(msr: int) -> int:
    """The MSR a problem-state thread of this context runs with: the same HV
    bit, PR=1, relocation on (Linux' MSR_USER64; a PR guest's shadow MSR)."""
    return msr | MSR_PR | MSR_IR | MSR_DR


class InvariantChecker:
    def __init__(self, machine, symbols=None):
        self.machine = machine
        self.symbols = symbols or {}
        self.hazards = []
        self.last_write = {}          # (cpu, spr) -> SprWriteEvent
        self.reported = set()
        self.repeats = {}
        machine.watch_sprs |= {"msr", "lpcr", "fscr"}
        machine.events.listeners.append(self.on_event)


    def _running_untrusted(self, st) -> bool:
        """Problem-state code, or guest (HV=0) code on a machine with a hypervisor."""
        if st.msr & MSR_PR:
            return True
        return self.machine.hv_capable and not st.msr & MSR_HV

    def on_event(self, ev) -> None:
        if isinstance(ev, SprWriteEvent):
            self.last_write[(ev.cpu, ev.spr)] = ev
            addr, insn, source = ev.insn_addr, ev.insn, ev.source
            context_change = ev.spr == "msr"
        elif isinstance(ev, InterruptEvent):
            addr, insn, source = ev.insn_addr, ev.insn, f"{ev.kind} interrupt"
            context_change = True
        else:
            return
        cpu = self.machine.cpus[ev.cpu]
        st = cpu.state
        if self._running_untrusted(st):
            level = "exposed"
            bad, rule = scv_would_reach_real_vector(cpu.model, st, self.machine.hv_capable)
        elif context_change:
            level = "latent"
            bad, rule = scv_would_reach_real_vector(cpu.model, st, self.machine.hv_capable,
                                                    problem_state_msr(st.msr))
        else:
            return
        if not bad:
            return
        key = (ev.cpu, level)
        if level == "latent" and (ev.cpu, "exposed") in self.reported:
            return                    # the worse level is already reported for this CPU
        if key in self.reported:
            self.repeats[key] = self.repeats.get(key, 0) + 1
            return
        self.reported.add(key)
        self.hazards.append(self._describe(ev, cpu, addr, insn, source, rule, level))

    def _where(self, addr) -> str:
        s = symbolize(self.symbols, addr)
        return f"{addr:#x}" + (f" <{s}>" if s else "")

    def _describe(self, ev, cpu, addr, insn, source, rule, level) -> dict:
        st = cpu.state
        made_by = []
        for spr in ("lpcr", "fscr"):
            w = self.last_write.get((ev.cpu, spr))
            if w is not None:
                made_by.append({"spr": spr, "value": f"{w.new:#018x}", "insn_addr": f"{w.insn_addr:#018x}",
                                "symbol": symbolize(self.symbols, w.insn_addr), "source": w.source,
                                "seq": w.seq})
        if level == "exposed":
            text = (f"exposed: cpu{ev.cpu}: {'problem-state' if st.msr & MSR_PR else 'guest'} "
                    f"code runs with FSCR[SCV]=1 and LPCR[AIL]={lpcr_ail(st.lpcr)} (MSR "
                    f"{decode_msr(st.msr)}): an scv here would be delivered to real "
                    f"{SCV_VECTOR_BASE:#x} ({rule}); entered by "
                    f"{insn_text(insn, addr)} at {self._where(addr)} ({source})")
        else:
            text = (f"latent: cpu{ev.cpu}: kernel code (MSR {decode_msr(st.msr)}) runs with "
                    f"FSCR[SCV]=1 and LPCR[AIL]={lpcr_ail(st.lpcr)}: a problem-state scv would "
                    f"be delivered to real {SCV_VECTOR_BASE:#x} ({rule}), but none can run "
                    f"while it lasts; seen at {insn_text(insn, addr)} at {self._where(addr)} "
                    f"({source})")
        for w in made_by:
            text += (f"; {w['spr'].upper()}={w['value']} written at "
                     f"{self._where(int(w['insn_addr'], 16))} by {w['source']}")
        return {"level": level, "cpu": ev.cpu, "seq": ev.seq, "insn_addr": f"{addr:#018x}",
                "insn": insn_text(insn, addr), "symbol": symbolize(self.symbols, addr),
                "msr": f"{st.msr:#018x}", "lpcr": f"{st.lpcr:#018x}", "fscr": f"{st.fscr:#018x}",
                "ail_rule": rule, "created_by": made_by, "message": text}

    def report(self) -> list:
        out = []
        for h in self.hazards:
            h = dict(h)
            h["repeats"] = self.repeats.get((h["cpu"], h["level"]), 0)
            out.append(h)
        return out
