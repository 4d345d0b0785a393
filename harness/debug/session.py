"""The debugging engine behind `ppcvec debug` (a command stepper,
harness/debug/commands.py and repl.py) and `ppcvec gdbserver`
(harness/debug/gdbstub.py).

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

What a session shows (stops, registers, AIL) is in harness/debug/render.py.
See docs/debugging.md.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from emu.bits import MSR_LE
from emu.events import InterruptEvent, SprWriteEvent
from emu.interrupts import AIL2_OFFSET, AIL3_OFFSET, INTERRUPTS, SCV_AIL3_BASE, SCV_VECTOR_BASE
from emu.mmu import FETCH, READ
from emu.state import SPR_FIELDS
from harness.run.report import insn_text
from harness.toolchain.symbols import SymbolTable, quadrant_alias

# Registers `watch spr` accepts: every privileged register the state holds, and the MSR.
WATCHABLE = ("msr",) + SPR_FIELDS
# What an interrupt delivery may write (InterruptEvent field -> CpuState field).
DELIVERY_WRITES = ("msr", "srr0", "srr1", "hsrr0", "hsrr1", "fscr", "hfscr", "dar", "dsisr",
                   "heir")
INTERRUPT_KINDS = tuple(INTERRUPTS) + ("any",)
CHUNK = 1_000_000        # instructions per Machine.run call while continuing
EVENTS_KEPT = 10_000     # events a stop keeps (a storm must not fill memory)
SCV_LEVELS = 128         # scv LEV is a 7-bit field


def vector_addresses() -> dict:
    """Every address an interrupt can be delivered to -> what it is (ISA III 7.5
    vector table with AIL=2/3 relocation, emu.interrupts.apply_ail; scv: 0x17000
    + LEV*0x20, under AIL=3 0xc000000000003000 + LEV*0x20)."""
    out = {}
    for d in INTERRUPTS.values():
        if d.kind == "scv":
            for lev in range(SCV_LEVELS):
                out.setdefault(SCV_VECTOR_BASE + lev * 0x20, f"scv {lev}, AIL 0/2")
                out.setdefault(SCV_AIL3_BASE + lev * 0x20, f"scv {lev}, AIL 3")
            continue
        out.setdefault(d.vector, f"{d.name}, real mode")
        if d.ail:
            out.setdefault(d.vector | AIL2_OFFSET, f"{d.name}, AIL 2")
            out.setdefault(d.vector | AIL3_OFFSET, f"{d.name}, AIL 3")
    return out


VECTOR_ADDRESSES = vector_addresses()
VECTOR_FORMS = ("a real-mode vector (" + " ".join(
    f"{d.vector:#x}" for d in sorted(INTERRUPTS.values(), key=lambda d: d.vector)
    if d.kind != "scv") + f"), {AIL2_OFFSET:#x}|V (AIL=2), {AIL3_OFFSET:#x}|V (AIL=3), "
    f"{SCV_VECTOR_BASE:#x}+0x20*LEV (scv, AIL 0/2) or {SCV_AIL3_BASE:#x}+0x20*LEV (scv, AIL=3)")


from harness.debug.render import SessionRendering
from harness.run.api import prepare
from harness.run.signals import StopSignals


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


class Session(SessionRendering):
    """One machine under a debugger."""

    def __init__(self, machine, image, machine_name: str = "", cpu_name: str = "",
                 max_insns: int = 100_000_000):
        self.m = machine
        self.image = image
        self.machine_name = machine_name
        self.cpu_name = cpu_name
        self.max_insns = max_insns
        self.symbols = {k: v for k, v in image.symbols.items() if not k.startswith(".L")}
        self._symtab = SymbolTable(self.symbols)
        self.description = image.name      # what the banner names (a scenario: name, fix)
        self.events_hint = "events"         # how the front-end lists events (gdb: monitor events)
        self.cur = 0
        self.user_breaks: dict[int, int] = {}      # id -> address
        self.break_aliases: dict[int, int] = {}    # id -> the 0xc000... alias of a symbol's address
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
        self._lock = threading.RLock()     # RLock: the signal handler runs on the main thread
        self._running = False
        self._interrupted = False
        machine.events.listeners.append(self._on_event)

    @classmethod
    def from_image(cls, image, opts) -> "Session":
        m, mt, cpu, _checker = prepare(image, opts)
        return cls(m, image, mt.name, cpu, opts.max_insns)

    # ------------------------------------------------------------ symbols
    def symbolize(self, addr: int) -> str:
        """` <name>` or ` <name+0xoff>` for an address near a symbol, else ''
        (harness.toolchain.symbols: the address as it runs, then its 0xc000...
        alias: kernel text runs at 0xc000000000000000 + its real address)."""
        found = self._symtab.lookup(addr)
        return f" <{found}>" if found else ""

    def names_symbol(self, text: str) -> bool:
        """Whether an address expression starts from a symbol (not a number or
        a register): `break SYMBOL` also stops at the symbol's 0xc000... alias."""
        head = text.strip()
        for op in ("+", "-"):
            h, sep, t = head.rpartition(op)
            if sep and h and t:
                head = h
        return head.strip() in self.symbols

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
    def add_break(self, addr: int, alias: bool = False) -> int:
        """A breakpoint at `addr`; `alias`: also where the same code runs through
        the kernel linear map (the 0xc000... alias; for `break SYMBOL`)."""
        for bid, a in self.user_breaks.items():
            if a == addr:
                return bid
        bid = self._next_break_id
        self._next_break_id += 1
        self.user_breaks[bid] = addr
        other = quadrant_alias(addr) if alias else None
        if other is not None:
            self.break_aliases[bid] = other
        self._apply_breakpoints()
        return bid

    def delete_break(self, bid: int) -> None:
        if bid not in self.user_breaks:
            raise DebugError(f"no breakpoint {bid}")
        del self.user_breaks[bid]
        self.break_aliases.pop(bid, None)
        self._apply_breakpoints()

    def set_gdb_break(self, addr: int, on: bool) -> None:
        (self.gdb_breaks.add if on else self.gdb_breaks.discard)(addr)
        self._apply_breakpoints()

    def _apply_breakpoints(self) -> None:
        self.m.set_breakpoints(set(self.user_breaks.values()) | set(self.break_aliases.values())
                               | self.gdb_breaks)

    def break_interrupt(self, kind: str) -> None:
        if kind not in INTERRUPT_KINDS:
            raise DebugError(f"unknown interrupt {kind!r} (one of: {', '.join(INTERRUPT_KINDS)})")
        self.interrupt_breaks.add(kind)

    def break_vector(self, vector: int) -> None:
        """Stop after a delivery to exactly `vector` (0x17000 is not the AIL=3
        scv vector 0xc000000000003000); anything else is refused."""
        if vector not in VECTOR_ADDRESSES:
            raise DebugError(f"{vector:#x} is not an interrupt vector; valid forms: {VECTOR_FORMS}")
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
        if len(self._events) < EVENTS_KEPT:
            self._events.append(ev)
        why, changes = None, []
        if isinstance(ev, InterruptEvent):
            if ev.kind in self.interrupt_breaks or "any" in self.interrupt_breaks:
                why = "interrupt"
            elif ev.vector in self.vector_breaks:
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
        start = self.m.total_insns
        with self._lock:
            self._running = True
            self._interrupted = False
        # Ctrl-C / SIGTERM: stop at the end of the running slice, machine intact
        with StopSignals(self.interrupt) as sig:
            try:
                return self._cont_loop(end, budget, should_stop, sig, start)
            finally:
                with self._lock:
                    self._running = False
                    self._interrupted = False

    def _cont_loop(self, end, budget, should_stop, sig, start) -> Stop:
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
            if r.outcome in ("attn", "checkstop", "error", "poweroff"):
                c = next((c for c in self.m.cpus if c.halted == r.outcome), self.m.cpus[self.cur])
                return self._halt_stop(c)
            if r.outcome == "storm":
                return Stop("storm", self.m.stopped_cpu if self.m.stopped_cpu is not None
                            else self.cur, list(self._events), message=f"stopped: {r.detail}")
            if r.outcome == "idle":
                return Stop("idle", self.cur, list(self._events),
                            message="every CPU is idle (branch-to-self) or halted")
            if interrupted or (should_stop is not None and should_stop()):
                i = self.m.stopped_cpu if r.outcome == "stopped" else self.cur
                how = f" by {sig.name}" if sig.signum is not None else ""
                return Stop("interrupted", i if i is not None else self.cur,
                            list(self._events),
                            message=f"interrupted{how} after "
                                    f"{self.m.total_insns - start} instructions")
            # "budget" of one chunk, or a stale stop request: keep going

    def _halt_stop(self, c) -> Stop:
        if c.halted == "attn":
            code = c.gpr(3)
            return Stop("attn", c.index, list(self._events),
                        message=f"cpu{c.index} executed attn: exit code {code}", exit_code=code)
        return Stop(c.halted, c.index, list(self._events),
                    message=f"cpu{c.index} {c.halted}: {c.halt_detail}",
                    exit_code=self.m.exit_code if c.halted == "poweroff" else None)
