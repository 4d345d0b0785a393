"""The debugging engine behind `ppcvec debug` (a command stepper) and
`ppcvec gdbserver` (harness/debug/gdbstub.py).

Both front-ends drive one `Session`: the same Machine, boot and events as
`ppcvec run`.  Stops come from what the engine already offers and cost nothing
while the machine runs:
  * `break ADDR`               -> Machine.set_breakpoints (Unicorn exits);
  * `break interrupt KIND`,
    `break vector V`,
    `watch spr NAME`            -> an event listener (machine.events.listeners)
                                   that calls Machine.request_stop();
  * stepping                    -> Machine.step, which delivers an interrupt
                                   inside the step: stepping onto sc/scv or a
                                   faulting instruction lands on the handler's
                                   first instruction, and the InterruptEvent
                                   says why (vector, AIL rule, saved registers).

`Debugger` is the command interpreter (the stepper; gdb `monitor` commands
reuse it).  See docs/debugging.md.
"""
from __future__ import annotations

import bisect
import shlex
import threading
from dataclasses import dataclass, field

from emu.bits import (FSCR_SCV, LPCR_HAIL, LPCR_HR, MSR_DR, MSR_HV, MSR_IR, MSR_LE, MSR_PR,
                      decode_fscr, decode_lpcr, decode_msr, lpcr_ail)
from emu.events import HaltEvent, InterruptEvent, SprWriteEvent
from emu.interrupts import (INTERRUPTS, SCV_VECTOR_BASE, InterruptRequest, compute_delivery)
from emu.memory import MemoryError_
from emu.mmu import FETCH, READ
from emu.state import SPR_FIELDS

from harness.errors import UserError
from harness.run.report import insn_text, trace_lines

# Registers `watch spr` accepts: every privileged register the state holds, and the MSR.
WATCHABLE = ("msr",) + SPR_FIELDS
# What an interrupt delivery may write (InterruptEvent field -> CpuState field).
DELIVERY_WRITES = ("msr", "srr0", "srr1", "hsrr0", "hsrr1", "fscr", "hfscr", "dar", "dsisr",
                   "heir")
INTERRUPT_KINDS = tuple(INTERRUPTS) + ("any",)
CHUNK = 1_000_000        # instructions per Machine.run call while continuing


class DebugError(Exception):
    """A debugger command that cannot be done; the session goes on."""


@dataclass
class Stop:
    """Why the machine stopped after a step or a continue."""
    reason: str          # "step", "breakpoint", "interrupt", "vector", "watch", "interrupted",
                         # "attn", "checkstop", "error", "idle", "budget", "halted"
    cpu: int
    events: list = field(default_factory=list)   # every event emitted while resumed
    trigger: object = None                        # the event that made it stop
    message: str = ""                             # one-line explanation
    changes: list = field(default_factory=list)   # watch hits: (spr, old, new)
    exit_code: int | None = None


def parse_int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise DebugError(f"not a number: {text!r}") from None


def interrupt_offset(e: InterruptEvent) -> int:
    """The real-mode vector of an interrupt, before AIL relocation (ISA III 7.5
    vector table; scv: 0x17000 + LEV*0x20)."""
    if e.kind == "scv":
        return SCV_VECTOR_BASE + (e.lev or 0) * 0x20
    return INTERRUPTS[e.kind].vector


class Session:
    """One machine under a debugger."""

    def __init__(self, machine, image, machine_name: str = "", cpu_name: str = "",
                 max_insns: int = 100_000_000):
        self.m = machine
        self.image = image
        self.machine_name = machine_name
        self.cpu_name = cpu_name
        self.max_insns = max_insns
        self.symbols = {k: v for k, v in image.symbols.items() if not k.startswith(".L")}
        byaddr = {}
        for name in sorted(self.symbols):
            byaddr.setdefault(self.symbols[name], name)
        self._sym_addrs = sorted(byaddr)
        self._sym_names = [byaddr[a] for a in self._sym_addrs]
        self.cur = 0
        self.user_breaks: dict[int, int] = {}      # id -> address
        self.gdb_breaks: set[int] = set()
        self.interrupt_breaks: set[str] = set()
        self.vector_breaks: set[int] = set()
        self.spr_watches: set[str] = set()
        self._next_break_id = 1
        self._shadow = [dict() for _ in machine.cpus]
        self._stepping = False
        self._trigger = None
        self._changes = []
        self._events = []
        self._lock = threading.Lock()
        self._running = False
        self._interrupted = False
        machine.events.listeners.append(self._on_event)

    @classmethod
    def from_image(cls, image, opts) -> "Session":
        from harness.run.api import prepare
        m, mt, cpu, _checker = prepare(image, opts)
        return cls(m, image, mt.name, cpu, opts.max_insns)

    # ------------------------------------------------------------ symbols
    def symbolize(self, addr: int) -> str:
        """` <name>` or ` <name+0xoff>` for an address near a symbol, else ''.
        Kernel text runs at 0xc000000000000000 + its real (link) address."""
        found = self._symbolize(addr)
        if not found and addr >> 60 == 0xC:
            found = self._symbolize(addr & 0x0FFFFFFFFFFFFFFF)
        return found

    def _symbolize(self, addr: int) -> str:
        i = bisect.bisect_right(self._sym_addrs, addr) - 1
        if i < 0:
            return ""
        off = addr - self._sym_addrs[i]
        if off == 0:
            return f" <{self._sym_names[i]}>"
        if off < 0x1000:
            return f" <{self._sym_names[i]}+{off:#x}>"
        return ""

    def eval_addr(self, text: str) -> int:
        """A number, a symbol, `sym+off`/`sym-off`, or `$pc`/`$lr`/`$ctr`/`$rN`/`$spr`."""
        text = text.strip()
        for op in ("+", "-"):
            head, sep, tail = text.rpartition(op)
            if sep and head and tail:
                base = self.eval_addr(head)
                off = parse_int(tail)
                return (base + off if op == "+" else base - off) & 0xFFFFFFFFFFFFFFFF
        if text in self.symbols:
            return self.symbols[text]
        if text.startswith("$"):
            return self.register_value(text[1:])
        try:
            return int(text, 0) & 0xFFFFFFFFFFFFFFFF
        except ValueError:
            raise DebugError(f"no symbol {text!r} (and not a number)") from None

    def register_value(self, name: str, cpu: int | None = None) -> int:
        c = self.m.cpus[self.cur if cpu is None else cpu]
        name = name.lower()
        if name in ("pc", "nip"):
            return c.pc
        if name == "lr":
            return c.get_lr()
        if name == "ctr":
            return c.get_ctr()
        if name == "cr":
            return c.get_cr()
        if name == "xer":
            return c.get_xer()
        if name == "msr":
            return c.state.msr
        if name.startswith("r") and name[1:].isdigit() and int(name[1:]) < 32:
            return c.gpr(int(name[1:]))
        if name in SPR_FIELDS or name in ("dec", "hdec", "tbl", "tbu"):
            return c.read_spr(name)
        raise DebugError(f"no register {name!r}")

    # ------------------------------------------------------------ memory
    def read_virtual(self, ea: int, length: int, access: str = READ, cpu: int | None = None) -> bytes:
        """Bytes at effective address `ea` as the CPU sees them now (its MSR[IR/DR]
        and MMU); DebugError when a page does not translate or is outside RAM."""
        c = self.m.cpus[self.cur if cpu is None else cpu]
        out = bytearray()
        while length > 0:
            n = min(length, 0x1000 - (ea & 0xFFF))
            pa = self._pa(c, ea, access)
            out += self.m.ram.read(pa, n)
            ea = (ea + n) & 0xFFFFFFFFFFFFFFFF
            length -= n
        return bytes(out)

    def write_virtual(self, ea: int, data: bytes, cpu: int | None = None) -> None:
        c = self.m.cpus[self.cur if cpu is None else cpu]
        pos = 0
        while pos < len(data):
            n = min(len(data) - pos, 0x1000 - (ea & 0xFFF))
            pa = self._pa(c, ea, READ)
            self.m.ram.write(pa, data[pos:pos + n])
            ea = (ea + n) & 0xFFFFFFFFFFFFFFFF
            pos += n

    def _pa(self, c, ea: int, access: str) -> int:
        res = c.translate(ea, access)
        if not isinstance(res, tuple):
            raise DebugError(f"cannot access {ea:#x}: {res.reason or res.kind}")
        pa = res[0]
        if not self.m.ram.contains(pa, 1):
            raise DebugError(f"cannot access {ea:#x}: real address {pa:#x} is outside RAM")
        return pa

    def insn_at(self, ea: int, cpu: int | None = None) -> int | None:
        try:
            data = self.read_virtual(ea, 4, FETCH, cpu)
        except DebugError:
            return None
        c = self.m.cpus[self.cur if cpu is None else cpu]
        return int.from_bytes(data, "little" if c.state.msr & MSR_LE else "big")

    def location(self, cpu: int | None = None) -> str:
        i = self.cur if cpu is None else cpu
        c = self.m.cpus[i]
        word = self.insn_at(c.pc, i)
        text = "(no instruction: address does not translate)" if word is None else insn_text(word, c.pc)
        state = c.halted or ("idle" if c.idle else "")
        tail = f"   [{state}]" if state else ""
        return f"cpu{i} {c.pc:#018x}{self.symbolize(c.pc)}: {text}{tail}"

    # ------------------------------------------------------------ stop conditions
    def add_break(self, addr: int) -> int:
        for bid, a in self.user_breaks.items():
            if a == addr:
                return bid
        bid = self._next_break_id
        self._next_break_id += 1
        self.user_breaks[bid] = addr
        self._apply_breakpoints()
        return bid

    def delete_break(self, bid: int) -> None:
        if bid not in self.user_breaks:
            raise DebugError(f"no breakpoint {bid}")
        del self.user_breaks[bid]
        self._apply_breakpoints()

    def set_gdb_break(self, addr: int, on: bool) -> None:
        (self.gdb_breaks.add if on else self.gdb_breaks.discard)(addr)
        self._apply_breakpoints()

    def _apply_breakpoints(self) -> None:
        self.m.set_breakpoints(set(self.user_breaks.values()) | self.gdb_breaks)

    def break_interrupt(self, kind: str) -> None:
        if kind not in INTERRUPT_KINDS:
            raise DebugError(f"unknown interrupt {kind!r} (one of: {', '.join(INTERRUPT_KINDS)})")
        self.interrupt_breaks.add(kind)

    def break_vector(self, vector: int) -> None:
        self.vector_breaks.add(vector)

    def watch_spr(self, name: str) -> None:
        name = name.lower()
        if name not in WATCHABLE:
            raise DebugError(f"cannot watch {name!r} (one of: {', '.join(WATCHABLE)})")
        self.spr_watches.add(name)
        self.m.watch_sprs.add(name)
        for i, c in enumerate(self.m.cpus):
            self._shadow[i][name] = self._state_value(c, name)

    @staticmethod
    def _state_value(c, name):
        return getattr(c.state, name)

    def _on_event(self, ev) -> None:
        """Event listener: record; stop the run when a stop condition matches."""
        self._events.append(ev)
        why, changes = None, []
        if isinstance(ev, InterruptEvent):
            if ev.kind in self.interrupt_breaks or "any" in self.interrupt_breaks:
                why = "interrupt"
            elif ev.vector in self.vector_breaks or interrupt_offset(ev) in self.vector_breaks:
                why = "vector"
            if self.spr_watches:
                c = self.m.cpus[ev.cpu]
                for name in DELIVERY_WRITES:
                    if name in self.spr_watches:
                        new = self._state_value(c, name)
                        old = self._shadow[ev.cpu].get(name, new)
                        if new != old:
                            changes.append((name, old, new))
                        self._shadow[ev.cpu][name] = new
                if changes and why is None:
                    why = "watch"
        elif isinstance(ev, SprWriteEvent) and ev.spr in self.spr_watches:
            self._shadow[ev.cpu][ev.spr] = ev.new
            if ev.old != ev.new:
                changes.append((ev.spr, ev.old, ev.new))
                why = "watch"
        if why and self._trigger is None:
            self._trigger = (why, ev)
            self._changes = changes
            if not self._stepping:
                self.m.request_stop()
        elif changes and self._trigger is not None:
            self._changes.extend(changes)

    # ------------------------------------------------------------ resuming
    def interrupt(self) -> None:
        """Ctrl-C (from another thread): stop a running continue."""
        with self._lock:
            self._interrupted = True
            if self._running:
                self.m.request_stop()

    def _begin(self) -> None:
        self._trigger = None
        self._changes = []
        self._events = []
        self.m.outcome = None
        self.m.exit_code = None

    def _trigger_stop(self, default_reason: str, cpu: int) -> Stop:
        why, ev = self._trigger
        return Stop(why, ev.cpu, list(self._events), ev, changes=list(self._changes))

    def step(self, cpu: int | None = None) -> Stop:
        """Execute one instruction on `cpu` (an interrupt it raises is delivered
        within the step: the CPU is then at the handler's first instruction)."""
        i = self.cur if cpu is None else cpu
        c = self.m.cpus[i]
        self._begin()
        if c.halted is not None:
            return Stop("halted", i, message=f"cpu{i} is halted ({c.halted}); nothing to step")
        c.idle = False          # a parked branch-to-self steps like any instruction
        self._stepping = True
        try:
            self.m.step(i)
        finally:
            self._stepping = False
        if c.halted in ("attn", "checkstop", "error"):
            return self._halt_stop(c)
        st = Stop("step", i, list(self._events))
        if self._trigger is not None:
            st.trigger = self._trigger[1]
            st.changes = list(self._changes)
        return st

    def cont(self, max_insns: int | None = None, should_stop=None, step_over: bool = True) -> Stop:
        """Run every CPU until a stop condition, a breakpoint, an interrupt from
        `interrupt()`, the end of the program or `max_insns` instructions."""
        budget = self.max_insns if max_insns is None else max_insns
        self._begin()
        if step_over:
            # the instruction under a breakpoint the CPU sits on runs first
            bps = self.m.breakpoints
            for c in self.m.cpus:
                if c.pc in bps and c.runnable():
                    c.at_breakpoint = True
        end = self.m.total_insns + budget
        with self._lock:
            self._running = True
            interrupted = self._interrupted = False
        try:
            while True:
                remaining = end - self.m.total_insns
                if remaining <= 0:
                    return Stop("budget", self.cur, list(self._events),
                                message=f"instruction budget spent ({budget} instructions)")
                r = self.m.run(min(CHUNK, remaining))
                if self._trigger is not None:
                    return self._trigger_stop("", self.cur)
                with self._lock:
                    interrupted = self._interrupted
                if r.outcome == "breakpoint":
                    i = self.m.stopped_cpu
                    pc = self.m.cpus[i].pc
                    return Stop("breakpoint", i, list(self._events),
                                message=f"breakpoint at {pc:#x}{self.symbolize(pc)}")
                if r.outcome in ("attn", "checkstop", "error"):
                    c = next((c for c in self.m.cpus if c.halted == r.outcome), self.m.cpus[self.cur])
                    return self._halt_stop(c)
                if r.outcome == "idle":
                    return Stop("idle", self.cur, list(self._events),
                                message="every CPU is idle (branch-to-self) or halted")
                if interrupted or (should_stop is not None and should_stop()):
                    i = self.m.stopped_cpu if r.outcome == "stopped" else self.cur
                    return Stop("interrupted", i if i is not None else self.cur,
                                list(self._events), message="interrupted")
                # "budget" of one chunk, or a stale stop request: keep going
        finally:
            with self._lock:
                self._running = False
                self._interrupted = False

    def _halt_stop(self, c) -> Stop:
        if c.halted == "attn":
            code = c.gpr(3)
            return Stop("attn", c.index, list(self._events),
                        message=f"cpu{c.index} executed attn: exit code {code}", exit_code=code)
        return Stop(c.halted, c.index, list(self._events),
                    message=f"cpu{c.index} {c.halted}: {c.halt_detail}")

    # ------------------------------------------------------------ explanations
    def describe_stop(self, st: Stop, verbose_interrupts: bool) -> list[str]:
        """Lines explaining a stop: dispatch decisions, watch hits, the reason."""
        out = []
        ints = [e for e in st.events if isinstance(e, InterruptEvent)]
        shown = ints if verbose_interrupts else [e for e in ints if e is st.trigger]
        for e in shown:
            out += trace_lines(e, self.symbols)
            out.append(self.landing_line(e))
        if not verbose_interrupts and len(ints) > len(shown):
            out.append(f"({len(ints) - len(shown)} other interrupt(s) delivered on the way; "
                       f"`events` lists them)")
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
            e = st.trigger
            asked = e.vector if e.vector in self.vector_breaks else interrupt_offset(e)
            where = "" if asked == e.vector else f" (delivered at {e.vector:#x})"
            out.append(f"stopped: break vector {asked:#x}{where}")
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
        names = [n for n in SPR_FIELDS if n not in ("lpcr", "fscr", "hfscr")] + ["dec", "hdec"]
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
                out.append(f"#{e.seq:<4} cpu{e.cpu} {e.kind:<8} at {e.insn_addr:#018x}"
                           f"{self.symbolize(e.insn_addr)}  {insn_text(e.insn, e.insn_addr)}"
                           f"  -> {e.vector:#018x}{self.symbolize(e.vector)}  AIL={e.ail}")
            elif isinstance(e, SprWriteEvent):
                out.append(f"#{e.seq:<4} cpu{e.cpu} {e.spr:<8} {e.old:#x} -> {e.new:#x} "
                           f"at {e.insn_addr:#x} ({e.source})")
            elif isinstance(e, HaltEvent):
                out.append(f"#{e.seq:<4} cpu{e.cpu} halt     {e.reason} at {e.pc:#x} {e.detail}".rstrip())
        return out or ["no events yet"]


# ---------------------------------------------------------------- the stepper

HELP = """\
commands:
  step | stepi [N]         execute one instruction (N times) on the current CPU; an sc, scv
                           or faulting instruction is one step that lands in the handler
  next [N]                 like step, but runs a call (branch with LK=1) to its return
  continue                 run every CPU until a breakpoint, watch point or the end
  break ADDR|SYMBOL        stop before executing ADDR (number, symbol, sym+off)
  break vector V           stop after an interrupt is delivered to vector V
                           (0xf60 also matches its AIL-relocated 0xc000000000004f60)
  break interrupt KIND     stop after an interrupt of KIND is delivered
                           (scv, sc, fu, program, hfu, heai, dsi, ..., any)
  watch spr NAME           stop when a privileged register changes (lpcr, fscr, msr, ...)
  breaks                   list breakpoints, interrupt/vector breaks and watch points
  delete [ID]              delete breakpoint ID (all stop conditions without ID)
  regs                     GPRs, pc, msr, cr, lr, ctr, xer
  sprs                     privileged registers, MSR/LPCR/FSCR decoded
  ail                      where interrupts taken now would go, and why (AIL rule)
  disas [ADDR] [N]         disassemble N instructions (default 8) at ADDR (default pc)
  x ADDR [LEN]             dump LEN bytes (default 64) at effective address ADDR
  x real ADDR [LEN]        the same at a real (physical) address
  events [all]             interrupts delivered so far (all: SPR writes and halts too)
  cpu [N]                  show or select the current CPU
  help                     this text
  quit                     leave"""

COMMAND_WORDS = ("step", "stepi", "next", "continue", "break", "watch", "breaks", "delete",
                 "regs", "sprs", "ail", "disas", "x", "events", "cpu", "help", "quit")
ALIASES = {"s": "step", "si": "stepi", "n": "next", "ni": "next", "c": "continue",
           "cont": "continue", "b": "break", "q": "quit", "exit": "quit", "info": "breaks",
           "disassemble": "disas", "r": "regs", "registers": "regs"}


class Debugger:
    """The command interpreter of `ppcvec debug` (and gdb `monitor`)."""

    def __init__(self, session: Session, write=print):
        self.s = session
        self.write = write
        self.done = False
        self.failures = 0

    def emit(self, lines) -> None:
        for ln in lines:
            self.write(ln)

    def banner(self) -> list[str]:
        s = self.s
        n = len(s.m.cpus)
        return [f"ppcvec debug: {s.image.name} on {s.machine_name} ({s.cpu_name}, "
                f"{n} CPU{'s' if n > 1 else ''}); `help` lists commands",
                s.location()]

    def execute(self, line: str, allow_run: bool = True) -> None:
        """Run one command line; errors are printed, never raised."""
        try:
            words = shlex.split(line, comments=True)
        except ValueError as e:
            self.write(f"error: {e}")
            self.failures += 1
            return
        if not words:
            return
        cmd = ALIASES.get(words[0], words[0])
        args = words[1:]
        fn = getattr(self, "cmd_" + cmd, None) if cmd in COMMAND_WORDS else None
        if fn is None:
            self.write(f"unknown command {words[0]!r} (`help` lists commands)")
            self.failures += 1
            return
        if not allow_run and cmd in ("step", "stepi", "next", "continue", "cpu", "quit"):
            self.write(f"{cmd}: not available here (use gdb's own commands)")
            self.failures += 1
            return
        try:
            fn(args)
        except (DebugError, UserError, MemoryError_) as e:
            self.write(f"error: {e}")
            self.failures += 1

    # ------------------------------------------------------------ execution
    def _count(self, args) -> int:
        n = parse_int(args[0]) if args else 1
        if n < 1:
            raise DebugError("the count must be positive")
        return n

    def cmd_step(self, args) -> None:
        n = self._count(args)
        for _ in range(n):
            st = self.s.step()
            self.emit(self.s.describe_stop(st, verbose_interrupts=True))
            if st.reason != "step" or st.trigger is not None:
                break
        self.write(self.s.location())

    cmd_stepi = cmd_step

    def cmd_next(self, args) -> None:
        n = self._count(args)
        for _ in range(n):
            s = self.s
            c = s.m.cpus[s.cur]
            word = s.insn_at(c.pc)
            if word is not None and _is_call(word):
                ret = c.pc + 4
                temp = ret not in s.m.breakpoints
                if temp:
                    s.m.set_breakpoints(set(s.m.breakpoints) | {ret})
                try:
                    st = s.step()
                    if st.reason == "step" and st.trigger is None and c.pc != ret:
                        st = s.cont()
                finally:
                    if temp:
                        s._apply_breakpoints()
                if st.reason == "breakpoint" and c.pc == ret and temp:
                    st.message = ""
            else:
                st = s.step()
            self.emit(s.describe_stop(st, verbose_interrupts=st.reason == "step"))
            if st.message or st.trigger is not None:
                break
        self.write(self.s.location())

    def cmd_continue(self, args) -> None:
        if args:
            raise DebugError("continue takes no arguments")
        st = self.s.cont()
        self.s.cur = st.cpu
        self.emit(self.s.describe_stop(st, verbose_interrupts=False))
        self.write(self.s.location())

    def cmd_quit(self, args) -> None:
        self.done = True

    def cmd_cpu(self, args) -> None:
        if args:
            n = parse_int(args[0])
            if not 0 <= n < len(self.s.m.cpus):
                raise DebugError(f"no cpu {n} (this machine has {len(self.s.m.cpus)})")
            self.s.cur = n
        self.write(self.s.location())

    # ------------------------------------------------------------ stop conditions
    def cmd_break(self, args) -> None:
        if not args:
            raise DebugError("usage: break ADDR|SYMBOL | break vector V | break interrupt KIND")
        if args[0] == "vector":
            if len(args) != 2:
                raise DebugError("usage: break vector V (e.g. break vector 0xf60)")
            v = self.s.eval_addr(args[1])
            self.s.break_vector(v)
            self.write(f"break vector {v:#x}")
            return
        if args[0] == "interrupt":
            if len(args) != 2:
                raise DebugError("usage: break interrupt scv|sc|fu|program|...|any")
            self.s.break_interrupt(args[1])
            self.write(f"break interrupt {args[1]}")
            return
        if len(args) != 1:
            raise DebugError("usage: break ADDR|SYMBOL")
        addr = self.s.eval_addr(args[0])
        bid = self.s.add_break(addr)
        self.write(f"breakpoint {bid} at {addr:#x}{self.s.symbolize(addr)}")

    def cmd_watch(self, args) -> None:
        if len(args) != 2 or args[0] != "spr":
            raise DebugError("usage: watch spr NAME (lpcr, fscr, hfscr, msr, srr0, ...)")
        self.s.watch_spr(args[1])
        self.write(f"watch spr {args[1].lower()}")

    def cmd_breaks(self, args) -> None:
        s = self.s
        lines = [f"breakpoint {bid} at {a:#x}{s.symbolize(a)}" for bid, a in sorted(s.user_breaks.items())]
        lines += [f"break interrupt {k}" for k in sorted(s.interrupt_breaks)]
        lines += [f"break vector {v:#x}" for v in sorted(s.vector_breaks)]
        lines += [f"watch spr {n}" for n in sorted(s.spr_watches)]
        self.emit(lines or ["no breakpoints or watch points"])

    def cmd_delete(self, args) -> None:
        s = self.s
        if not args:
            s.user_breaks.clear()
            s.interrupt_breaks.clear()
            s.vector_breaks.clear()
            s.spr_watches.clear()
            s._apply_breakpoints()
            self.write("deleted every breakpoint and watch point")
            return
        s.delete_break(parse_int(args[0]))
        self.write(f"deleted breakpoint {args[0]}")

    # ------------------------------------------------------------ inspection
    def cmd_regs(self, args) -> None:
        self.emit(self.s.regs_lines())

    def cmd_sprs(self, args) -> None:
        self.emit(self.s.sprs_lines())

    def cmd_ail(self, args) -> None:
        self.emit(self.s.ail_lines())

    def cmd_events(self, args) -> None:
        if args and args != ["all"]:
            raise DebugError("usage: events [all]")
        self.emit(self.s.event_lines(include_all=bool(args)))

    def cmd_disas(self, args) -> None:
        s = self.s
        c = s.m.cpus[s.cur]
        addr = s.eval_addr(args[0]) if args else c.pc
        n = parse_int(args[1]) if len(args) > 1 else 8
        if not 1 <= n <= 4096:
            raise DebugError("disas: count must be 1..4096")
        if len(args) > 2:
            raise DebugError("usage: disas [ADDR] [N]")
        addr &= ~3
        for k in range(n):
            a = addr + 4 * k
            word = s.insn_at(a)
            if word is None:
                if k == 0:
                    raise DebugError(f"cannot read instructions at {a:#x}")
                break
            mark = "=>" if a == c.pc else "  "
            label = s.symbolize(a)
            self.write(f"{mark} {a:#018x}{label}:  {word:08x}  {insn_text(word, a)}")

    def cmd_x(self, args) -> None:
        real = bool(args) and args[0] == "real"
        if real:
            args = args[1:]
        if not args or len(args) > 2:
            raise DebugError("usage: x [real] ADDR [LEN]")
        s = self.s
        addr = s.eval_addr(args[0])
        n = parse_int(args[1]) if len(args) > 1 else 64
        if not 1 <= n <= 0x10000:
            raise DebugError("x: length must be 1..65536")
        if real:        # a real (physical) address, whatever the CPU's translation
            ram = s.m.ram
            if not ram.contains(addr, n):
                raise DebugError(f"x real: {addr:#x}+{n:#x} is outside RAM ({ram.size:#x} bytes)")
            data = ram.read(addr, n)
        else:
            data = s.read_virtual(addr, n)
        for off in range(0, n, 16):
            chunk = data[off:off + 16]
            self.write(f"{addr + off:#018x}: {chunk.hex(' ')}")

    def cmd_help(self, args) -> None:
        self.emit(HELP.splitlines())


def _is_call(word: int) -> bool:
    """A branch that sets LR (LK=1): b/bc/bclr/bcctr/bctar with LK."""
    op = word >> 26
    if op in (16, 18):
        return bool(word & 1)
    if op == 19 and ((word >> 1) & 0x3FF) in (16, 528, 560):
        return bool(word & 1)
    return False


# ---------------------------------------------------------------- front-end loop

def command_source(commands_file: str | None, stdin, interactive: bool, session: Session):
    """Yield command lines: from a file, from a pipe, or from a line editor with
    history and completion (prompt_toolkit) on a terminal."""
    if commands_file is not None:
        try:
            with open(commands_file, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise UserError(f"--commands {commands_file}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise UserError(f"--commands {commands_file}: not a text file") from None
        for ln in lines:
            yield ln, True
        return
    if interactive:
        try:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.completion import WordCompleter
            from prompt_toolkit.history import InMemoryHistory
        except ImportError:
            interactive = False
        else:
            words = list(COMMAND_WORDS) + ["vector", "interrupt", "spr", "all"]
            words += list(INTERRUPT_KINDS) + list(WATCHABLE) + sorted(session.symbols)
            ps = PromptSession(history=InMemoryHistory(),
                               completer=WordCompleter(sorted(set(words)), sentence=False))
            last = ""
            while True:
                try:
                    ln = ps.prompt("(ppcvec) ")
                except EOFError:
                    return
                except KeyboardInterrupt:
                    continue
                if not ln.strip():
                    ln = last       # an empty line repeats the last command (gdb style)
                last = ln
                yield ln, False
    for ln in stdin:
        yield ln.rstrip("\n"), True


def run_stepper(session: Session, commands_file: str | None, stdin, out, interactive: bool) -> int:
    def write(line):
        out.write(line + "\n")

    dbg = Debugger(session, write)
    dbg.emit(dbg.banner())
    for ln, echo in command_source(commands_file, stdin, interactive, session):
        if echo and ln.strip():
            write(f"(ppcvec) {ln.strip()}")
        dbg.execute(ln)
        out.flush()
        if dbg.done:
            break
    return 0
