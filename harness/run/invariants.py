"""`--check-invariants`: find the scv/AIL hazard before any scv runs.

Invariant (the one Linux b5149e22 restores): whenever problem-state or guest
code runs on a CPU that has scv (ISA 3.0+), an `scv` executed there must not be
delivered to the real-mode vectors at 0x17000 + LEV*0x20, because Linux has no
handler there.  That is violated as soon as a CPU runs with MSR[PR]=1 (or HV=0
guest code on a hypervisor machine) while FSCR[SCV]=1 and AIL would not
relocate an scv interrupt (LPCR[AIL]=0 on P8/P9-style rules, HAIL off for HV
interrupts on POWER10, relocation off, ...).

The checker listens to the machine's events (it asks for MSR writes to be
recorded) and evaluates the invariant with the same pure functions interrupt
delivery uses (`emu.interrupts.delivery_target`), so "would go to 0x17000" means
exactly what a real scv would do.  For each CPU it reports the first moment the
state is entered: the instruction that entered it and the writes that created it
(the last LPCR and FSCR writes, with their symbols).
"""
from __future__ import annotations

from emu.bits import FSCR_SCV, MSR_HV, MSR_PR, decode_msr, lpcr_ail
from emu.events import InterruptEvent, SprWriteEvent
from emu.interrupts import SCV_VECTOR_BASE, delivery_target

from harness.run.report import insn_text, symbolize


def scv_would_reach_real_vector(model, state, hv_capable: bool) -> tuple[bool, str]:
    """Would `scv 0` from this state be delivered to 0x17000 (the real-mode scv
    vectors)?  Returns (answer, the AIL rule that decided)."""
    if not model.has_scv or not state.fscr & FSCR_SCV:
        return False, ""
    _, vector, _, decision = delivery_target(model, "scv", 0, state.msr, state.lpcr,
                                             state.hid0, hv_capable)
    return (vector & ~0xFFF) == SCV_VECTOR_BASE, decision.rule


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
        elif isinstance(ev, InterruptEvent):
            addr, insn, source = ev.insn_addr, ev.insn, f"{ev.kind} interrupt"
        else:
            return
        cpu = self.machine.cpus[ev.cpu]
        st = cpu.state
        if not self._running_untrusted(st):
            return
        bad, rule = scv_would_reach_real_vector(cpu.model, st, self.machine.hv_capable)
        if not bad:
            return
        if ev.cpu in self.reported:
            self.repeats[ev.cpu] = self.repeats.get(ev.cpu, 0) + 1
            return
        self.reported.add(ev.cpu)
        self.hazards.append(self._describe(ev, cpu, addr, insn, source, rule))

    def _where(self, addr) -> str:
        s = symbolize(self.symbols, addr)
        return f"{addr:#x}" + (f" <{s}>" if s else "")

    def _describe(self, ev, cpu, addr, insn, source, rule) -> dict:
        st = cpu.state
        made_by = []
        for spr in ("lpcr", "fscr"):
            w = self.last_write.get((ev.cpu, spr))
            if w is not None:
                made_by.append({"spr": spr, "value": f"{w.new:#018x}", "insn_addr": f"{w.insn_addr:#018x}",
                                "symbol": symbolize(self.symbols, w.insn_addr), "source": w.source,
                                "seq": w.seq})
        text = (f"cpu{ev.cpu}: {'problem-state' if st.msr & MSR_PR else 'guest'} code runs with "
                f"FSCR[SCV]=1 and LPCR[AIL]={lpcr_ail(st.lpcr)} (MSR {decode_msr(st.msr)}): an scv here "
                f"would be delivered to real {SCV_VECTOR_BASE:#x} ({rule}); entered by "
                f"{insn_text(insn, addr)} at {self._where(addr)} ({source})")
        for w in made_by:
            text += (f"; {w['spr'].upper()}={w['value']} written at "
                     f"{self._where(int(w['insn_addr'], 16))} by {w['source']}")
        return {"cpu": ev.cpu, "seq": ev.seq, "insn_addr": f"{addr:#018x}",
                "insn": insn_text(insn, addr), "symbol": symbolize(self.symbols, addr),
                "msr": f"{st.msr:#018x}", "lpcr": f"{st.lpcr:#018x}", "fscr": f"{st.fscr:#018x}",
                "ail_rule": rule, "created_by": made_by, "message": text}

    def report(self) -> list:
        out = []
        for h in self.hazards:
            h = dict(h)
            h["repeats"] = self.repeats.get(h["cpu"], 0)
            out.append(h)
        return out
