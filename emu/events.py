"""What happened, as data.  The harness builds traces, JSON, assertions and
diagnoses from these; emu never formats them for people."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class InterruptEvent:
    cpu: int
    seq: int                  # machine-wide sequence number, from 0
    kind: str                 # "scv", "sc", "fu", "program", ... (emu.interrupts.INTERRUPTS)
    name: str                 # Linux handler name, e.g. "system_call_vectored"
    insn_addr: int            # the instruction that caused it (or was interrupted)
    insn: int | None          # its image, when it has one
    vector: int               # where it was delivered
    ail: int                  # effective AIL (0 = AIL did not apply)
    ail_rule: str             # why AIL did or did not apply
    lpcr: int                 # LPCR at delivery
    fscr: int                 # FSCR at delivery (before IC is written)
    msr_before: int
    msr_after: int
    srr0: int | None = None   # registers written by the delivery; None = untouched
    srr1: int | None = None
    hsrr0: int | None = None
    hsrr1: int | None = None
    lr: int | None = None
    ctr: int | None = None
    fscr_ic: int | None = None
    hfscr_ic: int | None = None
    dar: int | None = None
    dsisr: int | None = None
    heir: int | None = None
    lev: int | None = None
    reason: str = ""
    insns: int = 0            # instructions the CPU had retired when it happened
    number: int = 0           # interrupt number on this machine, from 1 (EventLog)
    repeats: int = 0          # identical interrupts after this one not stored (EventLog cap)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class SprWriteEvent:
    """A privileged register changed (emulated mtspr/mtmsr/rfid/delivery/hcall)."""
    cpu: int
    seq: int
    spr: str                  # "lpcr", "fscr", "msr", ...
    old: int
    new: int
    insn_addr: int            # the instruction that changed it
    insn: int | None
    source: str               # "mtspr", "mtmsrd", "rfid", "interrupt", "hcall", ...
    insns: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class HcallEvent:
    """A hypercall handled by the machine's hypervisor (pseries: `sc 1` from HV=0)."""
    cpu: int
    seq: int
    name: str                 # "H_SET_MODE", "H_ENTER", "H_RTAS(start-cpu)", ...
    opcode: int
    args: tuple               # r4.. as passed
    ret: int                  # r3 returned
    insn_addr: int            # the sc 1
    insns: int = 0
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class HaltEvent:
    cpu: int
    seq: int
    reason: str               # "attn", "checkstop", "stop", "idle"
    pc: int
    insns: int = 0
    detail: str = ""


EVENT_CAP = 50_000     # events of each class kept per machine (memory bounded at any budget)


def same_interrupt(a: InterruptEvent, b: InterruptEvent) -> bool:
    """Two deliveries that read the same in a summary (collapsed "×N")"""
    return (a.cpu == b.cpu and a.kind == b.kind and a.insn_addr == b.insn_addr
            and a.vector == b.vector)


@dataclass
class EventLog:
    """Per-machine ordered event list with listeners (the debugger and the
    invariant checker subscribe; the plain run adds nothing per instruction).

    Memory is bounded: each class keeps its first `cap` events; after that an
    interrupt identical to the last one kept (`same_interrupt`) only counts in
    its `repeats`, any other is counted in `dropped_*`.  Listeners see every
    event."""
    interrupts: list = field(default_factory=list)
    spr_writes: list = field(default_factory=list)
    halts: list = field(default_factory=list)
    hcalls: list = field(default_factory=list)
    seq: int = 0
    listeners: list = field(default_factory=list)
    record_spr_writes: bool = True
    cap: int = EVENT_CAP
    interrupt_count: int = 0
    dropped_interrupts: int = 0
    dropped_other: int = 0

    def next_seq(self) -> int:
        s = self.seq
        self.seq += 1
        return s

    def emit_interrupt(self, ev) -> None:
        self.interrupt_count += 1
        ev.number = self.interrupt_count
        ints = self.interrupts
        if len(ints) < self.cap:
            ints.append(ev)
        elif same_interrupt(ints[-1], ev):
            ints[-1].repeats += 1
        else:
            self.dropped_interrupts += 1
        for fn in self.listeners:
            fn(ev)

    def _keep(self, lst, ev) -> None:
        if len(lst) < self.cap:
            lst.append(ev)
        else:
            self.dropped_other += 1

    def emit(self, ev) -> None:
        if isinstance(ev, InterruptEvent):
            self.emit_interrupt(ev)
            return
        if isinstance(ev, SprWriteEvent):
            self._keep(self.spr_writes, ev)
        elif isinstance(ev, HaltEvent):
            self._keep(self.halts, ev)
        elif isinstance(ev, HcallEvent):
            self._keep(self.hcalls, ev)
        for fn in self.listeners:
            fn(ev)
