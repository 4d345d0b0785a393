"""Human-readable output: run summaries and interrupt trace lines."""
from __future__ import annotations

from emu.bits import decode_msr
from emu.events import same_interrupt
from harness.toolchain.disasm import format_insn
from harness.toolchain.symbols import table_for

# interrupts whose "instruction" is an instruction fetch that failed
FETCH_KINDS = frozenset({"isi", "iseg", "hisi"})
# interrupts that are not caused by an instruction: they interrupt one
ASYNC_KINDS = frozenset({"sreset", "external", "dec", "hdec", "doorbell", "hdoorbell",
                         "hvirt", "perfmon", "hmi"})


def insn_text(word, addr, kind: str | None = None, reason: str = "") -> str:
    """The instruction as text.  An interrupt event's `kind`/`reason` refine it:
    a fetch fault has no word ("(instruction fetch)"), an asynchronous
    interrupt names none ("(asynchronous)"), and an instruction the CPU found
    illegal is shown as its word, never as another ISA's mnemonic (on POWER8,
    0x7c0007fe is not Book-E dcbzep)."""
    if word is None:
        if kind is not None and kind not in FETCH_KINDS:
            return "(asynchronous)" if kind in ASYNC_KINDS else "(no instruction image)"
        return "(instruction fetch)"
    if reason and "illegal" in reason:
        return ".long 0x%08x" % word
    try:
        return format_insn(word, addr)
    except Exception:
        return ".long 0x%08x" % word


def event_insn(e) -> str:
    return insn_text(e.insn, e.insn_addr, e.kind, e.reason)


def symbolize(symbols, addr, max_offset=None) -> str:
    """`name` or `name+0xoff` for a label near `addr` ('' if none), matching the
    address as it runs and its 0xc000... alias (harness.toolchain.symbols)."""
    if not symbols:
        return ""
    return table_for(symbols).lookup(addr, max_offset)


def _sym(symbols, addr):
    s = symbolize(symbols, addr)
    return f" <{s}>" if s else ""


def trace_lines(e, symbols=None) -> list[str]:
    """Every fact about one delivered interrupt, for --trace and the debugger."""
    lines = [f"[cpu{e.cpu} #{e.number}] {e.kind:<8} {e.insn_addr:#018x}{_sym(symbols, e.insn_addr)}: "
             f"{event_insn(e)}  ->  {e.vector:#018x}{_sym(symbols, e.vector)} ({e.name})"]
    if e.reason:
        lines.append(f"    why:   {e.reason}")
    lines.append(f"    AIL:   {e.ail_rule}")
    lines.append(f"    MSR:   {e.msr_before:#018x} [{decode_msr(e.msr_before)}] -> "
                 f"{e.msr_after:#018x} [{decode_msr(e.msr_after)}]")
    saved = []
    for name in ("srr0", "srr1", "hsrr0", "hsrr1", "lr", "ctr", "dar", "dsisr", "heir"):
        v = getattr(e, name)
        if v is not None:
            saved.append(f"{name.upper()}={v:#x}")
    if e.fscr_ic is not None:
        saved.append(f"FSCR[IC]={e.fscr_ic}")
    if e.hfscr_ic is not None:
        saved.append(f"HFSCR[IC]={e.hfscr_ic}")
    lines.append("    saved: " + (" ".join(saved) if saved else "-"))
    return lines


def repeat_line(first, last, times: int) -> str:
    """The line that stands for `times` more deliveries identical to `first`."""
    return (f"    ... the same {first.kind} from {first.insn_addr:#x} ×{times} more "
            f"(#{first.number + 1}..#{last.number})")


class TraceWriter:
    """`--trace`: every interrupt in full, except that a delivery identical to
    the one before it (same CPU, kind, instruction address, vector:
    emu.events.same_interrupt) is only counted, and one `×N` line stands for
    the whole run of repeats.  Call `flush()` at the end of the run."""

    def __init__(self, out, symbols):
        self.out = out
        self.symbols = symbols
        self.prev = None
        self.last = None
        self.repeats = 0

    def interrupt(self, e) -> None:
        if self.prev is not None and same_interrupt(self.prev, e):
            self.repeats += 1
            self.last = e
            return
        self.flush()
        self.prev = e
        print("\n".join(trace_lines(e, self.symbols)), file=self.out, flush=True)

    def line(self, text: str) -> None:
        self.flush()
        self.prev = None
        print(text, file=self.out, flush=True)

    def flush(self) -> None:
        if self.repeats:
            print(repeat_line(self.prev, self.last, self.repeats), file=self.out, flush=True)
        self.repeats = 0


def collapse(events) -> list:
    """[(event, repeats)] with runs of identical consecutive deliveries
    (same_interrupt) folded into their first; `repeats` counts the others
    (including those the event log itself folded past its cap)."""
    out = []
    for e in events:
        if out and same_interrupt(out[-1][0], e):
            first, n = out[-1]
            out[-1] = (first, n + 1 + e.repeats)
        else:
            out.append((e, e.repeats))
    return out


def exit_code_text(code: int) -> str:
    """A program's exit code (r3 at attn, often a panic code like 0x50): hex,
    and the decimal beside it when they differ."""
    return f"{code:#x}" if 0 <= code < 10 else f"{code:#x} ({code})"


def summary_lines(r) -> list[str]:
    ncpu = len(r.cpus)
    head = (f"{r.image}: machine {r.machine} ({r.cpu}, {ncpu} CPU{'s' if ncpu > 1 else ''}) "
            f"outcome {r.outcome}")
    if r.exit_code is not None:
        head += f", exit code {exit_code_text(r.exit_code)}"
    head += f", {r.insns} instructions"
    out = [head]
    if r.detail:
        out.append(f"  {r.detail}")
    for c in r.cpus:
        out.append(f"  cpu{c.index}: {c.state:<9} pc {c.pc:#018x}{_sym(r.symbols, c.pc)}  "
                   f"msr {c.msr:#018x} [{decode_msr(c.msr)}]")
    total = getattr(r, "interrupts_total", None) or len(r.interrupts)
    if r.interrupts:
        rows = collapse(r.interrupts)
        out.append(f"  interrupts ({total}):")
        shown = rows if len(rows) <= 40 else rows[:20] + [None] + rows[-19:]
        for row in shown:
            if row is None:
                out.append(f"    ... {len(rows) - 39} more ...")
                continue
            e, n = row
            times = f"  ×{n + 1}" if n else ""
            out.append(f"    #{e.number:<4} cpu{e.cpu} {e.kind:<8} at {e.insn_addr:#018x}  "
                       f"{event_insn(e):<24} -> {e.vector:#018x}  AIL={e.ail}{times}")
        dropped = getattr(r, "interrupts_dropped", 0)
        if dropped:
            out.append(f"    ({dropped} later interrupts not kept: the event log keeps "
                       f"the first {len(r.interrupts)})")
    else:
        out.append("  interrupts: none")
    hcalls = getattr(r, "hcalls", []) or []
    if hcalls:
        out.append(f"  hypercalls ({len(hcalls)}):")
        for h in hcalls[:20]:
            out.append(f"    #{h.seq:<4} cpu{h.cpu} {h.name:<22} at {h.insn_addr:#018x} -> r3={h.ret}  {h.detail}")
        if len(hcalls) > 20:
            out.append(f"    ... {len(hcalls) - 20} more")
    for h in getattr(r, "hazards", []) or []:
        out.append(f"  hazard: {h.get('message', h)}")
    for addr, data in r.dumps.items():
        out.append(f"  dump {addr:#x} ({len(data)} bytes):")
        for off in range(0, len(data), 16):
            chunk = data[off:off + 16]
            out.append(f"    {addr + off:#010x}: {chunk.hex(' ')}")
    return out
