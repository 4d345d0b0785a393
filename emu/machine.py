"""A Machine: N hardware threads sharing RAM, scheduled round-robin in fixed
instruction slices, so every run is deterministic.

A run ends when
  * a CPU executes `attn` in hypervisor state            -> outcome "attn"
    (exit code = that CPU's r3, as skiboot uses it);
  * pseries: RTAS power-off                                -> "poweroff"
    (exit code = its first argument);
  * a machine check arrives with MSR[ME]=0                -> "checkstop";
  * every CPU sits in a branch-to-self or is stopped      -> "idle";
  * an interrupt storm (emu.storm): the same faulting
    instruction interrupted `storm_limit` times in a row   -> "storm";
  * the instruction budget is spent                        -> "budget";
  * the execution core reports something it cannot model   -> "error";
  * a debugger asked: a breakpoint was reached             -> "breakpoint",
    or `request_stop()` was called                          -> "stopped".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .cpu import Cpu
from .events import EventLog
from .memory import Ram
from .mmu_arch import make_mmu
from .models import ProcessorModel, get_model
from .registers import model_fields
from .storm import DEFAULT_STORM_LIMIT
from .unicorn_backend import MAX_RAM

DEFAULT_RAM = 2 << 30
DEFAULT_BUDGET = 100_000_000
DEFAULT_SLICE = 20_000
# SPR writes recorded as events unless a caller asks for others (debugger watch points,
# the invariant checker): the ones that decide where interrupts go.
DEFAULT_WATCH = frozenset({"lpcr", "fscr", "hfscr", "hid0", "ptcr", "sdr1", "hrmor"})


@dataclass
class CpuSnapshot:
    index: int
    pc: int
    msr: int
    cr: int
    lr: int
    ctr: int
    xer: int
    gpr: list
    spr: dict
    state: str          # "running", "idle", "attn", "checkstop", "stop", "stopped", "error"
    insns: int


@dataclass
class RunResult:
    outcome: str
    exit_code: int | None
    insns: int
    cpus: list
    interrupts: list
    halts: list
    spr_writes: list
    detail: str = ""
    hcalls: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


class Machine:
    def __init__(self, model: ProcessorModel | str = "power9", ncpus: int = 1,
                 ram_size: int = DEFAULT_RAM, hv_capable: bool = True, mmu: str = "identity",
                 slice_insns: int = DEFAULT_SLICE, hypervisor=None, watch_sprs=DEFAULT_WATCH,
                 storm_limit: int = DEFAULT_STORM_LIMIT):
        if isinstance(model, str):
            model = get_model(model)
        if ncpus < 1:
            raise ValueError("a machine needs at least one CPU")
        self.model = model
        self.hv_capable = hv_capable
        self.hypervisor = hypervisor
        if ram_size > MAX_RAM:
            raise ValueError(f"RAM of {ram_size:#x} bytes is larger than ppcvec's real address "
                             f"space ({MAX_RAM:#x} bytes below its private pages)")
        self.firmware = None         # PowerNV firmware called at its entry point (emu.opal)
        self.ram = Ram(ram_size)
        self.events = EventLog()
        self.watch_sprs = set(watch_sprs)
        self.mmu = make_mmu(mmu)
        self.slice_insns = slice_insns
        self.storm_limit = storm_limit       # 0: no storm detection
        self.storm = None                    # the last storm: {"cpu", "cycle", "repeats"}
        self._storm_hit = None
        self.cpus = [Cpu(self, i, model) for i in range(ncpus)]
        self.total_insns = 0
        self.clock = 0               # instructions retired by all CPUs + fast-forwards
        self.tb_scale = 1            # timebase ticks per instruction (Cpu.tb)
        self.outcome = None
        self.detail = ""
        self.exit_code = None
        self.breakpoints = set()
        self.stopped_cpu = None
        self._stop_request = False

    # ------------------------------------------------------------ set-up
    def load(self, data: bytes, addr: int = 0) -> None:
        self.ram.write(addr, data)

    def reset_cpu(self, index: int, pc: int, msr: int, gprs: dict | None = None,
                  **sprs) -> Cpu:
        cpu = self.cpus[index]
        cpu.pc = pc
        cpu.state.msr = msr
        for name, v in sprs.items():
            setattr(cpu.state, name, v)
        for n, v in (gprs or {}).items():
            cpu.set_gpr(n, v)
        cpu.halted = None
        cpu.idle = False
        cpu.sync_msr()
        return cpu

    def stop_cpu(self, index: int) -> None:
        """Hold a CPU stopped (e.g. pseries secondaries until RTAS start-cpu)."""
        self.cpus[index].halted = "stopped"

    def mmu_instruction(self, cpu: Cpu, op: str, addr: int, insn: int) -> None:
        handler = getattr(self.mmu, "instruction", None)
        if handler is not None:
            handler(cpu, op, addr, insn)
        cpu.invalidate_translations(op)

    # ------------------------------------------------------------ running
    def run(self, max_insns: int = DEFAULT_BUDGET, stop_at: int | None = None,
            results: bool = True) -> RunResult | None:
        """Run every CPU in turn, in slices, until an outcome: the budget of
        `max_insns` is spent ("budget", exactly), a halt ends the run, every CPU
        idles for good ("idle"), ...  `stop_at`: a soft stopping point, the run
        ends "paused" at the first round of slices that starts with `total_insns`
        at or past it (so a run in pieces is as deterministic as one run: the
        QEMU front end's migration replays one).  `results`: False returns None
        (the outcome is in `outcome`), without the per-CPU snapshots."""
        if max_insns <= 0:
            raise ValueError("the instruction budget must be positive")
        budget_end = self.total_insns + max_insns
        self.outcome = None
        while self.outcome is None:
            if stop_at is not None and self.total_insns >= stop_at:
                self.outcome = "paused"
                break
            progressed = False
            for cpu in self.cpus:
                if not cpu.runnable() and not cpu.wake_up():
                    continue
                remaining = budget_end - self.total_insns
                if remaining <= 0:
                    self.outcome = "budget"
                    break
                progressed = True
                last = remaining <= self.slice_insns      # this slice ends the budget
                self.total_insns += cpu.run_slice(min(self.slice_insns, remaining), exact=last)
                if self._storm_hit is not None:
                    self.outcome = "storm"
                    self.detail = self._storm_hit
                    self._storm_hit = None
                    self.stopped_cpu = cpu.index
                    break
                if self._stop_request:
                    self._stop_request = False
                    self.outcome = "stopped"
                    self.stopped_cpu = cpu.index
                    break
                if cpu.at_breakpoint:
                    self.outcome = "breakpoint"
                    self.stopped_cpu = cpu.index
                    break
                if self._run_ended_by(cpu):
                    break
            if self.outcome is None and not progressed:
                # every CPU is parked: the earliest decrementer wakes one, if within budget
                waits = [(w, c.index) for c in self.cpus
                         if (w := c.idle_wakeup()) is not None]
                if waits:
                    w, i = min(waits)
                    if self.total_insns + w <= budget_end:
                        self.cpus[i].fast_forward(w)
                        self.total_insns += w
                        continue
                self.outcome = "idle"
            elif self.outcome is None and self.total_insns >= budget_end:
                if any(c.runnable() for c in self.cpus):
                    self.outcome = "budget"
        return self.result() if results else None

    def storm_detected(self, cpu: Cpu, cycle: list) -> None:
        """Called by a CPU's storm detector (emu.storm): end the running slice;
        `run()` returns with outcome "storm".  `cycle` is the repeating
        [(kind, insn_addr, vector, dar)], oldest first."""
        n = self.storm_limit
        self.storm = {"cpu": cpu.index, "repeats": n,
                      "cycle": [{"kind": k, "insn_addr": a, "vector": v} for k, a, v, _ in cycle]}
        parts = [f"{k} at {a:#x} -> {v:#x}" for k, a, v, _ in cycle]
        if len(cycle) == 1:
            what = f"{parts[0]}, {n} times in a row"
        else:
            what = f"a cycle of {len(cycle)} interrupts ({'; '.join(parts)}) repeated {n} times"
        self._storm_hit = f"interrupt storm on cpu{cpu.index}: {what}"
        core = cpu.core
        if core.exact_count:
            core.counter.limit = core.counter.count     # the slice ends at the next block
        else:
            core.request_stop()

    def request_stop(self) -> None:
        """Make `run()` return with outcome "stopped" after the current
        instruction (debugger watch points, Ctrl-C from another thread)."""
        self._stop_request = True
        for c in self.cpus:
            c.core.request_stop()

    def set_breakpoints(self, addrs) -> None:
        """Stop `run()` (outcome "breakpoint", `stopped_cpu`) before any CPU executes
        an instruction at one of these effective addresses; the next `run()` or
        `step()` executes it."""
        self.breakpoints = set(addrs)
        for c in self.cpus:
            c.core.set_exits(self.breakpoints)

    def step(self, index: int = 0) -> int:
        """Execute one instruction on CPU `index`; an interrupt it causes is
        delivered within the step.  Returns instructions retired (0 or 1)."""
        cpu = self.cpus[index]
        if not cpu.runnable() and not cpu.wake_up():
            return 0
        cpu.at_breakpoint = False
        n = cpu.run_slice(1, step=True)
        self.total_insns += n
        self._storm_hit = None      # a deliberate step: the debugger shows what happened
        self._run_ended_by(cpu)
        return n

    def _run_ended_by(self, cpu: Cpu) -> bool:
        """A halt that ends the whole run (attn, checkstop, error, pseries
        power-off) sets the outcome; attn's exit code is that CPU's r3."""
        if cpu.halted not in ("attn", "checkstop", "error", "poweroff"):
            return False
        self.outcome = cpu.halted
        self.detail = cpu.halt_detail
        if cpu.halted == "attn":
            self.exit_code = cpu.gpr(3)
        return True

    def result(self) -> RunResult:
        return RunResult(self.outcome, self.exit_code, self.total_insns,
                         [self.snapshot(c) for c in self.cpus], list(self.events.interrupts),
                         list(self.events.halts), list(self.events.spr_writes), self.detail,
                         list(self.events.hcalls),
                         {"storm": self.storm if self.outcome == "storm" else None,
                          "interrupts_total": self.events.interrupt_count,
                          "interrupts_dropped": self.events.dropped_interrupts})

    def snapshot(self, cpu: Cpu) -> CpuSnapshot:
        core = cpu.core
        # the SPRs this model implements (emu.registers), live values for the
        # counting ones (PURR/SPURR, the decrementers)
        spr = {name: cpu.read_spr(name) for name in model_fields(cpu.model.name)}
        spr["dec"] = cpu.read_spr("dec")
        spr["hdec"] = cpu.read_spr("hdec")
        state = cpu.halted or ("idle" if cpu.idle else "running")
        return CpuSnapshot(cpu.index, cpu.pc, cpu.state.msr, core.get_cr(), core.get_lr(),
                           core.get_ctr(), core.get_xer(), core.gprs(), spr, state, cpu.insns)


