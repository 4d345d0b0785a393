"""How a debugging session explains itself: stops with their dispatch
decisions, registers, decoded SPRs, where an interrupt taken now would go (AIL)
and the event list.  A part of `harness.debug.session.Session` (a mixin)."""
from __future__ import annotations


from emu.bits import (FSCR_SCV, LPCR_HAIL, LPCR_HR, MSR_DR, MSR_HV, MSR_IR, MSR_PR,
                      decode_fscr, decode_lpcr, decode_msr, lpcr_ail)
from emu.events import HaltEvent, InterruptEvent, SprWriteEvent
from emu.interrupts import InterruptRequest, compute_delivery
from emu.registers import model_fields

from harness.run.report import event_insn, insn_text, trace_lines





class SessionRendering:
    """Text for people, from the session's machine and events."""

    def describe_stop(self, st, verbose_interrupts: bool) -> list[str]:
        """Lines explaining a stop: dispatch decisions, watch hits, the reason."""
        out = []
        ints = [e for e in st.events if isinstance(e, InterruptEvent)]
        shown = ints if verbose_interrupts else [e for e in ints if e is st.trigger]
        for e in shown:
            out += trace_lines(e, self.symbols)
            out.append(self.landing_line(e))
        if not verbose_interrupts and len(ints) > len(shown):
            out.append(f"({len(ints) - len(shown)} other interrupt(s) delivered on the way; "
                       f"`{self.events_hint}` lists them)")
        if st.reason == "watch" or st.changes:
            ev = st.trigger
            for name, old, new in st.changes:
                if isinstance(ev, InterruptEvent):
                    how = f"by the {ev.kind} interrupt delivery at {ev.insn_addr:#x}"
                elif isinstance(ev, SprWriteEvent):
                    how = (f"by {ev.insn_addr:#x}{self.symbolize(ev.insn_addr)}: "
                           f"{insn_text(ev.insn, ev.insn_addr)} ({ev.source})")
                else:
                    how = ""
                out.append(f"watch spr {name}: {old:#x} -> {new:#x} {how}".rstrip())
                out += ["    " + ln for ln in self.decode_spr(name, new)]
        if st.reason == "interrupt":
            out.append(f"stopped: break interrupt {st.trigger.kind}")
        elif st.reason == "vector":
            out.append(f"stopped: break vector {st.trigger.vector:#x}")
        elif st.message:
            out.append(st.message)
        return out

    def landing_line(self, e: InterruptEvent) -> str:
        return (f"landed at vector {e.vector:#x}{self.symbolize(e.vector)} ({e.name}), "
                f"AIL={e.ail}: {e.ail_rule}")

    @staticmethod
    def decode_spr(name: str, value: int) -> list[str]:
        if name == "msr":
            return [f"[{decode_msr(value)}]"]
        if name == "lpcr":
            return [f"[{decode_lpcr(value)}]"]
        if name in ("fscr", "hfscr"):
            return [f"[{decode_fscr(value)}]"]
        return []

    def regs_lines(self, cpu: int | None = None) -> list[str]:
        i = self.cur if cpu is None else cpu
        c = self.m.cpus[i]
        g = c.gprs()
        out = []
        for row in range(0, 32, 4):
            out.append("  ".join(f"r{n:<2} {g[n]:#018x}" for n in range(row, row + 4)))
        out.append(f"pc  {c.pc:#018x}{self.symbolize(c.pc)}")
        out.append(f"msr {c.state.msr:#018x} [{decode_msr(c.state.msr)}]")
        out.append(f"cr  {c.get_cr():#010x}  xer {c.get_xer():#018x}")
        out.append(f"lr  {c.get_lr():#018x}{self.symbolize(c.get_lr())}")
        out.append(f"ctr {c.get_ctr():#018x}")
        return out

    def sprs_lines(self, cpu: int | None = None) -> list[str]:
        i = self.cur if cpu is None else cpu
        c = self.m.cpus[i]
        st = c.state
        out = [f"msr    {st.msr:#018x}  [{decode_msr(st.msr)}]",
               f"lpcr   {st.lpcr:#018x}  [{decode_lpcr(st.lpcr)}]",
               f"fscr   {st.fscr:#018x}  [{decode_fscr(st.fscr)}]",
               f"hfscr  {st.hfscr:#018x}  [{decode_fscr(st.hfscr)}]"]
        names = [n for n in model_fields(c.model.name) if n not in ("lpcr", "fscr", "hfscr")]
        names += ["dec", "hdec"]
        for k in range(0, len(names), 3):
            out.append("  ".join(f"{n:<6} {c.read_spr(n):#018x}" for n in names[k:k + 3]))
        return out

    def ail_lines(self, cpu: int | None = None) -> list[str]:
        """Where interrupts taken now would go, and which AIL rule decides
        (emu.interrupts.compute_delivery on the current state, nothing applied)."""
        i = self.cur if cpu is None else cpu
        c = self.m.cpus[i]
        st = c.state
        model = c.model
        msr = st.msr
        out = [f"cpu{i} ({model.name}, AIL rule {model.ail_rule}): LPCR[AIL]={lpcr_ail(st.lpcr)} "
               f"HAIL={int(bool(st.lpcr & LPCR_HAIL))} HR={int(bool(st.lpcr & LPCR_HR))}; "
               f"MSR IR={int(bool(msr & MSR_IR))} DR={int(bool(msr & MSR_DR))} "
               f"HV={int(bool(msr & MSR_HV))} PR={int(bool(msr & MSR_PR))}; "
               f"FSCR[SCV]={int(bool(st.fscr & FSCR_SCV))}"]
        cases = [("scv 0", InterruptRequest("scv", c.pc + 4, c.pc, lev=0)),
                 ("sc 0", InterruptRequest("sc", c.pc + 4, c.pc)),
                 ("fu", InterruptRequest("fu", c.pc, c.pc, ic=12)),
                 ("program", InterruptRequest("program", c.pc, c.pc)),
                 ("hfu", InterruptRequest("hfu", c.pc, c.pc, ic=12))]
        for label, req in cases:
            if not model.has_interrupt(req.kind):
                continue
            dl = compute_delivery(model, st, req, self.m.hv_capable)
            out.append(f"  {label:<8} -> {dl.vector:#018x}  AIL={dl.ail.ail}: {dl.ail.rule}")
        if model.has_scv and not st.fscr & FSCR_SCV:
            out.append("  note: FSCR[SCV]=0, so an scv here is a facility unavailable interrupt "
                       "(0xf60, FSCR[IC]=12), not a system call")
        return out

    def event_lines(self, include_all: bool = False) -> list[str]:
        ev = self.m.events
        items = list(ev.interrupts)
        if include_all:
            items += ev.spr_writes + ev.halts
        items.sort(key=lambda e: e.seq)
        out = []
        for e in items:
            if isinstance(e, InterruptEvent):
                times = f"  ×{e.repeats + 1}" if e.repeats else ""
                out.append(f"#{e.number:<4} cpu{e.cpu} {e.kind:<8} at {e.insn_addr:#018x}"
                           f"{self.symbolize(e.insn_addr)}  {event_insn(e)}"
                           f"  -> {e.vector:#018x}{self.symbolize(e.vector)}  AIL={e.ail}{times}")
            elif isinstance(e, SprWriteEvent):   # not interrupts: no interrupt number
                out.append(f"      cpu{e.cpu} {e.spr:<8} {e.old:#x} -> {e.new:#x} "
                           f"at {e.insn_addr:#x} ({e.source})")
            elif isinstance(e, HaltEvent):
                out.append(f"      cpu{e.cpu} halt     {e.reason} at {e.pc:#x} {e.detail}".rstrip())
        return out or ["no events yet"]
