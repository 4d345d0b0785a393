"""Run control: assemble/load, boot, run, and collect a typed Result.

This is the Python API behind `ppcvec run` and the pytest plugin:

    from harness.run.api import run_source, run_image_file
    r = run_source(src, machine="powernv9")
    assert r.outcome == "attn" and r.interrupts[0].vector == 0x17000
"""
from __future__ import annotations

from dataclasses import dataclass, field

from emu.machine import DEFAULT_BUDGET, DEFAULT_WATCH
from emu.storm import DEFAULT_STORM_LIMIT
from harness.errors import UserError
from harness.loader.boot import (
    build_machine,
    load_and_boot,
    parse_size,
    resolve_machine,
)
from harness.loader.images import Image, image_from_source, load_image
from harness.run.invariants import InvariantChecker
from harness.run.report import collapse, symbolize
from harness.run.signals import StopSignals

HEX = "0x%016x"
# --json schema version (README "JSON output"): 2 added number/repeats per
# interrupt, interrupts_total, interrupts_dropped, storm and the outcomes
# storm and interrupted
JSON_SCHEMA_VERSION = 2


def hx(v):
    return None if v is None else HEX % (v & 0xFFFFFFFFFFFFFFFF)


@dataclass
class RunOptions:
    machine: str | None = None
    cpu: str | None = None
    smp: int = 1
    ram: int = 2 << 30
    max_insns: int = DEFAULT_BUDGET
    defsyms: dict = field(default_factory=dict)
    dumps: list = field(default_factory=list)      # [(addr, length)]
    mmu: str | None = None
    slice_insns: int | None = None
    check_invariants: bool = False
    storm_limit: int = DEFAULT_STORM_LIMIT       # emu.storm; 0 = no storm detection
    watch_sprs: tuple = ()
    hv_options: dict = field(default_factory=dict)


@dataclass
class Result:
    image: str
    machine: str
    cpu: str
    outcome: str
    exit_code: int | None
    insns: int
    cpus: list            # emu.machine.CpuSnapshot
    interrupts: list      # emu.events.InterruptEvent
    dumps: dict           # {addr: bytes}
    detail: str = ""
    spr_writes: list = field(default_factory=list)
    halts: list = field(default_factory=list)
    hazards: list = field(default_factory=list)
    symbols: dict = field(default_factory=dict)
    hcalls: list = field(default_factory=list)    # emu.events.HcallEvent (pseries)
    interrupts_total: int = 0     # interrupts delivered (the list keeps the first EVENT_CAP)
    interrupts_dropped: int = 0   # delivered but not kept (the event log's cap)
    storm: dict | None = None     # outcome "storm": {"cpu", "repeats", "cycle": [...]}

    # convenience for assertions
    def interrupts_of(self, kind: str) -> list:
        return [e for e in self.interrupts if e.kind == kind]

    def gpr(self, n: int, cpu: int = 0) -> int:
        return self.cpus[cpu].gpr[n]

    def spr(self, name: str, cpu: int = 0) -> int:
        return self.cpus[cpu].spr[name]

    def to_json_dict(self) -> dict:
        return {
            "schema_version": JSON_SCHEMA_VERSION,
            "image": self.image,
            "machine": self.machine,
            "cpu": self.cpu,
            "outcome": self.outcome,
            "exit_code": None if self.exit_code is None else self.exit_code & 0xFFFFFFFFFFFFFFFF,
            "insns": self.insns,
            "detail": self.detail,
            "cpus": [cpu_json(c) for c in self.cpus],
            "interrupts": [interrupt_json(e, n) for e, n in collapse(self.interrupts)],
            "interrupts_total": self.interrupts_total or len(self.interrupts),
            "interrupts_dropped": self.interrupts_dropped,
            "storm": None if self.storm is None else {
                "cpu": self.storm["cpu"], "repeats": self.storm["repeats"],
                "cycle": [{"kind": c["kind"], "insn_addr": hx(c["insn_addr"]),
                           "vector": hx(c["vector"])} for c in self.storm["cycle"]]},
            "dumps": {"0x%x" % a: d.hex() for a, d in self.dumps.items()},
            "hcalls": [hcall_json(h) for h in self.hcalls],
            "hazards": list(self.hazards),
        }


def storm_text(storm: dict, symbols: dict) -> str:
    """The storm's loop in words, with symbols (emu.machine.Machine.storm)."""
    cyc = storm["cycle"]
    parts = []
    for c in cyc:
        a, v = symbolize(symbols, c["insn_addr"]), symbolize(symbols, c["vector"])
        parts.append(f"{c['kind']} at {c['insn_addr']:#x}{f' <{a}>' if a else ''} -> "
                     f"{c['vector']:#x}{f' <{v}>' if v else ''}")
    n = storm["repeats"]
    if len(cyc) == 1:
        what = f"{parts[0]}, {n} times in a row"
    else:
        what = f"a cycle of {len(cyc)} interrupts ({'; '.join(parts)}) repeated {n} times"
    return f"interrupt storm on cpu{storm['cpu']}: {what} (--storm-limit sets K)"


def cpu_json(c) -> dict:
    return {
        "index": c.index, "state": c.state, "insns": c.insns,
        "pc": hx(c.pc), "msr": hx(c.msr), "cr": hx(c.cr), "lr": hx(c.lr), "ctr": hx(c.ctr),
        "xer": hx(c.xer), "gpr": [hx(v) for v in c.gpr],
        "spr": {k: hx(v) for k, v in c.spr.items()},
    }


def interrupt_json(e, repeats: int = 0) -> dict:
    """One delivery; `repeats` identical deliveries that followed it are folded
    into it (harness.run.report.collapse)."""
    return {
        "cpu": e.cpu, "seq": e.seq, "number": e.number, "repeats": repeats,
        "kind": e.kind, "name": e.name,
        "insn_addr": hx(e.insn_addr), "insn": None if e.insn is None else "0x%08x" % e.insn,
        "vector": hx(e.vector), "ail": e.ail, "ail_rule": e.ail_rule,
        "msr_before": hx(e.msr_before), "msr_after": hx(e.msr_after),
        "srr0": hx(e.srr0), "srr1": hx(e.srr1), "hsrr0": hx(e.hsrr0), "hsrr1": hx(e.hsrr1),
        "lr": hx(e.lr), "ctr": hx(e.ctr), "fscr_ic": e.fscr_ic, "hfscr_ic": e.hfscr_ic,
        "dar": hx(e.dar), "dsisr": hx(e.dsisr), "heir": hx(e.heir), "lev": e.lev,
        "lpcr": hx(e.lpcr), "fscr": hx(e.fscr), "reason": e.reason,
    }


def hcall_json(h) -> dict:
    return {"cpu": h.cpu, "seq": h.seq, "name": h.name, "opcode": "0x%x" % h.opcode,
            "args": [hx(a) for a in h.args], "ret": h.ret, "insn_addr": hx(h.insn_addr),
            "detail": h.detail}


def parse_dump(text: str) -> tuple[int, int]:
    try:
        a, n = text.split(":", 1)
        addr, length = int(a, 0), int(n, 0)
    except ValueError:
        raise UserError(f"bad --dump {text!r} (expected ADDR:LEN, e.g. 0x30000:64)") from None
    if length <= 0 or addr < 0:
        raise UserError(f"bad --dump {text!r}: length must be positive")
    return addr, length


def prepare(image: Image, opts: RunOptions, listeners=()):
    mt, cpu = resolve_machine(opts.machine, opts.cpu)
    for addr, length in opts.dumps:
        if addr + length > opts.ram:
            raise UserError(f"--dump {addr:#x}:{length:#x} is outside RAM ({opts.ram:#x} bytes)")
    kw = {}
    if opts.slice_insns:
        kw["slice_insns"] = opts.slice_insns
    if opts.watch_sprs:
        kw["watch_sprs"] = set(DEFAULT_WATCH) | set(opts.watch_sprs)
    if opts.hv_options:
        kw["hv_options"] = dict(opts.hv_options)
    if opts.storm_limit != DEFAULT_STORM_LIMIT:
        if opts.storm_limit < 0:
            raise UserError("--storm-limit must be 0 (off) or positive")
        kw["storm_limit"] = opts.storm_limit
    m = build_machine(mt, cpu, smp=opts.smp, ram=opts.ram, mmu=opts.mmu, **kw)
    for fn in listeners:
        m.events.listeners.append(fn)
    checker = None
    if opts.check_invariants:
        checker = InvariantChecker(m, image.symbols)
    load_and_boot(m, image)
    return m, mt, cpu, checker


def run_loaded(m, mt, cpu, image: Image, opts: RunOptions, checker=None,
               on_interrupt: str = "raise") -> Result:
    """Run the prepared machine.  SIGINT/SIGTERM during the run stop it at the
    end of the running slice (harness.run.signals: no execution-core callback
    ever sees a KeyboardInterrupt); then `on_interrupt="raise"` raises
    KeyboardInterrupt here, in plain Python, and `"result"` returns the result
    so far with outcome "interrupted" (what `ppcvec run` prints)."""
    if opts.max_insns <= 0:
        raise UserError("--max-insns must be positive")
    with StopSignals(m.request_stop) as sig:
        r = m.run(opts.max_insns)
    if sig.signum is not None:
        if on_interrupt == "raise":
            raise KeyboardInterrupt
        if r.outcome == "stopped":
            r.outcome = "interrupted"
            r.detail = f"interrupted by {sig.name} after {r.insns} instructions"
    if r.outcome == "storm" and r.extra.get("storm"):
        r.detail = storm_text(r.extra["storm"], image.symbols)
    dumps = {addr: m.ram.read(addr, length) for addr, length in opts.dumps}
    return Result(image=image.name, machine=mt.name, cpu=cpu, outcome=r.outcome,
                  exit_code=r.exit_code, insns=r.insns, cpus=r.cpus, interrupts=r.interrupts,
                  dumps=dumps, detail=r.detail, spr_writes=r.spr_writes, halts=r.halts,
                  hazards=checker.report() if checker else [], symbols=image.symbols,
                  hcalls=r.hcalls, interrupts_total=r.extra.get("interrupts_total", 0),
                  interrupts_dropped=r.extra.get("interrupts_dropped", 0),
                  storm=r.extra.get("storm"))


def run_image(image: Image, opts: RunOptions | None = None, listeners=()) -> Result:
    opts = opts or RunOptions()
    m, mt, cpu, checker = prepare(image, opts, listeners)
    return run_loaded(m, mt, cpu, image, opts, checker)


def run_image_file(path: str, opts: RunOptions | None = None, listeners=()) -> Result:
    opts = opts or RunOptions()
    return run_image(load_image(path, opts.defsyms), opts, listeners)


def run_source(source: str, name: str = "<source>", listeners=(), **kw) -> Result:
    """Assemble `source` (GNU as syntax) and run it; keyword arguments are RunOptions."""
    if "ram" in kw and isinstance(kw["ram"], str):
        kw["ram"] = parse_size(kw["ram"])
    opts = RunOptions(**kw)
    return run_image(image_from_source(source, name, opts.defsyms), opts, listeners)


