"""Human-readable output: run summaries and interrupt trace lines."""
from __future__ import annotations

from emu.bits import decode_msr
from harness.toolchain.disasm import format_insn


def insn_text(word, addr) -> str:
    if word is None:
        return "(instruction fetch)"
    try:
        return format_insn(word, addr)
    except Exception:
        return ".long 0x%08x" % word


def symbolize(symbols, addr, max_offset=0x10000) -> str:
    """`name` or `name+0xoff` for the nearest label at or below `addr` ('' if none).
    Images are linked at 0 and Linux-style kernels run their text at
    0xc000000000000000 + real address, so a 0xc... address also finds the label of
    its real address."""
    if not symbols:
        return ""
    if addr >> 60 == 0xC:
        return _symbolize(symbols, addr, max_offset) or _symbolize(symbols, addr & 0x0FFFFFFFFFFFFFFF, max_offset)
    return _symbolize(symbols, addr, max_offset)


def _symbolize(symbols, addr, max_offset):
    best = None
    for name, v in symbols.items():
        if name.startswith(".L") or v > addr or addr - v > max_offset:
            continue
        if best is None or v > best[1] or (v == best[1] and name < best[0]):
            best = (name, v)
    if best is None:
        return ""
    off = addr - best[1]
    return best[0] if off == 0 else f"{best[0]}+{off:#x}"


def _sym(symbols, addr):
    s = symbolize(symbols, addr)
    return f" <{s}>" if s else ""


def trace_lines(e, symbols=None) -> list[str]:
    """Every fact about one delivered interrupt, for --trace and the debugger."""
    lines = [f"[cpu{e.cpu} #{e.seq}] {e.kind:<8} {e.insn_addr:#018x}{_sym(symbols, e.insn_addr)}: "
             f"{insn_text(e.insn, e.insn_addr)}  ->  {e.vector:#018x}{_sym(symbols, e.vector)} ({e.name})"]
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


def summary_lines(r) -> list[str]:
    ncpu = len(r.cpus)
    head = (f"{r.image}: machine {r.machine} ({r.cpu}, {ncpu} CPU{'s' if ncpu > 1 else ''}) "
            f"outcome {r.outcome}")
    if r.exit_code is not None:
        head += f", exit code {r.exit_code}"
    head += f", {r.insns} instructions"
    out = [head]
    if r.detail:
        out.append(f"  {r.detail}")
    for c in r.cpus:
        out.append(f"  cpu{c.index}: {c.state:<9} pc {c.pc:#018x}{_sym(r.symbols, c.pc)}  "
                   f"msr {c.msr:#018x} [{decode_msr(c.msr)}]")
    if r.interrupts:
        out.append(f"  interrupts ({len(r.interrupts)}):")
        shown = r.interrupts if len(r.interrupts) <= 40 else r.interrupts[:20] + [None] + r.interrupts[-19:]
        for e in shown:
            if e is None:
                out.append(f"    ... {len(r.interrupts) - 39} more ...")
                continue
            out.append(f"    #{e.seq:<4} cpu{e.cpu} {e.kind:<8} at {e.insn_addr:#018x}  "
                       f"{insn_text(e.insn, e.insn_addr):<24} -> {e.vector:#018x}  AIL={e.ail}")
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
