"""What `ppcvec scenario run` prints for people: the run's outcome, the
results areas decoded into named words, and a per-CPU timeline of the events
that matter - LPCR and FSCR writes that change AIL/HAIL/HR or SCV (with the
function that wrote them, or the hypercall of which CPU), H_SET_MODE calls,
system calls (scv/sc) and the facility-unavailable interrupts that refuse
them, guest exits delivered with relocation on, and the crash (everything
on a CPU after an scv reached 0x17000) - each with its symbol.  Raw memory
is printed only on request (`--dump`).  Built from the run's events only.
"""
from __future__ import annotations

from emu.bits import FSCR_SCV, LPCR_HAIL, LPCR_HR, lpcr_ail
from harness.run.report import insn_text, summary_lines
from harness.scenarios.core import SCV_REAL_BASE, read_results, symbolize
from harness.scenarios.pseries import disable_reloc_path

KERNEL_EA = 0xC000000000000000
H_SET_MODE = "H_SET_MODE"


def _where(syms, addr: int) -> str:
    s = symbolize(syms, addr)
    return f"{addr:#x}" if s == f"{addr:#x}" else f"{addr:#x} <{s}>"


def _lpcr_bits(v: int) -> str:
    return f"AIL={lpcr_ail(v)} HAIL={int(bool(v & LPCR_HAIL))} HR={int(bool(v & LPCR_HR))}"


def _lpcr_change(w) -> str | None:
    """'AIL 3->0' etc. for the bits the scenarios are about, None if none changed."""
    parts = []
    if lpcr_ail(w.old) != lpcr_ail(w.new):
        parts.append(f"AIL {lpcr_ail(w.old)}->{lpcr_ail(w.new)}")
    for name, bit in (("HAIL", LPCR_HAIL), ("HR", LPCR_HR)):
        if (w.old ^ w.new) & bit:
            parts.append(f"{name} {int(bool(w.old & bit))}->{int(bool(w.new & bit))}")
    return ", ".join(parts) or None


def _by(w, syms) -> str:
    if w.source.startswith("hcall"):
        return f"{w.source} (`sc 1` at {_where(syms, w.insn_addr)})"
    return f"{w.source} at {_where(syms, w.insn_addr)}"


def timeline_events(r) -> list[tuple[int, int, str]]:
    """(cpu, seq, text) of the events that matter, in machine order."""
    syms = r.symbols
    out = []
    # the trampoline switches FSCR at every guest entry and exit: shown once each
    tramp = {}
    for w in r.spr_writes:
        if w.spr == "fscr" and (w.old ^ w.new) & FSCR_SCV and \
                symbolize(syms, w.insn_addr).startswith("kvmppc_handler_trampoline"):
            key = (w.cpu, w.insn_addr)
            tramp[key] = tramp.get(key, 0) + 1
    seen = set()
    for w in r.spr_writes:
        if w.spr == "lpcr":
            ch = _lpcr_change(w)
            if ch:
                out.append((w.cpu, w.seq, f"LPCR {ch} ({w.new:#x}) by {_by(w, syms)}"))
        elif w.spr == "fscr" and (w.old ^ w.new) & FSCR_SCV:
            key = (w.cpu, w.insn_addr)
            if key in seen:
                continue
            text = (f"FSCR[SCV] {int(bool(w.old & FSCR_SCV))}->{int(bool(w.new & FSCR_SCV))} "
                    f"({w.new:#x}) by {_by(w, syms)}")
            if key in tramp:
                seen.add(key)
                if tramp[key] > 1:
                    text += f" (the same at each of its {tramp[key]} runs)"
            out.append((w.cpu, w.seq, text))
    for h in r.hcalls:
        if h.name == H_SET_MODE:
            path = _where(syms, h.insn_addr)
            if h.args[0] == 0:
                path = f"{disable_reloc_path(r)} ({path})"
            out.append((h.cpu, h.seq, f"H_SET_MODE(mflags={h.args[0]}, resource={h.args[1]}) "
                                      f"from {path} -> {h.ret}: {h.detail}"))
    crashed = {}
    reloc_exit = set()
    for e in r.interrupts:
        if e.cpu in crashed:
            after = "" if crashed[e.cpu] is None else \
                f", {e.insns - crashed[e.cpu]} instructions after the scv"
            out.append((e.cpu, e.seq, f"then {e.name} ({e.vector:#x}) at {_where(syms, e.insn_addr)}"
                                      f" `{insn_text(e.insn, e.insn_addr)}`{after}"
                                      + (f": {e.reason}" if e.reason else "")))
            continue
        text = None
        if e.kind in ("scv", "sc"):
            text = (f"{e.kind}{f' {e.lev}' if e.kind == 'scv' and e.lev else ''} at "
                    f"{_where(syms, e.insn_addr)} -> {e.vector:#x} ({e.name}), AIL={e.ail}")
            if e.kind == "scv":
                text += f", FSCR[SCV]={int(bool(e.fscr & FSCR_SCV))}"
            if e.kind == "scv" and SCV_REAL_BASE <= e.vector < SCV_REAL_BASE + 0x1000:
                text += f" - real mode, {e.ail_rule}: the crash"
                crashed[e.cpu] = e.insns
        elif e.kind == "fu":
            text = (f"facility unavailable (FSCR[IC]={e.fscr_ic}) for `{insn_text(e.insn, e.insn_addr)}`"
                    f" at {_where(syms, e.insn_addr)} -> {e.vector:#x}, AIL={e.ail}")
            if 0x30000 <= e.insn_addr < 0x34000:
                text += " (a guest exit: kvmppc_handle_fac injects it into the guest)"
        elif e.vector >= KERNEL_EA and e.msr_before & 0x4000 and e.cpu not in reloc_exit \
                and 0x30000 <= (e.insn_addr & 0x0FFFFFFFFFFFFFFF) < 0x34000:
            reloc_exit.add(e.cpu)         # the first guest exit that arrived relocated
            crashed[e.cpu] = None
            text = (f"guest exit `{insn_text(e.insn, e.insn_addr)}` at {_where(syms, e.insn_addr)} "
                    f"-> {e.vector:#x} ({e.name}) with relocation on: {e.ail_rule} "
                    f"(vcpu_load clears only LPCR[AIL]; inferred from the upstream code, "
                    f"untested on hardware)")
        if text:
            out.append((e.cpu, e.seq, text))
    out.sort(key=lambda t: t[1])
    return _collapse(out)


def _collapse(events):
    """Fold a run of identical texts on one CPU into one line with a count."""
    folded = []
    for cpu, seq, text in events:
        if folded and folded[-1][0] == cpu and folded[-1][2] == text:
            folded[-1][3] += 1
            continue
        folded.append([cpu, seq, text, 1])
    return [(c, s, t if n == 1 else f"{t} (x{n})") for c, s, t, n in folded]


def timeline_lines(r) -> list[str]:
    events = timeline_events(r)
    out = ["  timeline (events that matter, per CPU):"]
    for c in r.cpus:
        mine = [(s, t) for cpu, s, t in events if cpu == c.index]
        out.append(f"    cpu{c.index}:" + ("" if mine else " (none)"))
        out.extend(f"      #{s:<5} {t}" for s, t in mine)
        out.append(f"      end   {c.state} at {_where(r.symbols, c.pc)}")
    return out


def results_lines(r) -> list[str]:
    """The results areas (docs/scenarios.md) as named words, non-zero ones."""
    res = read_results(r)
    out = ["  results (non-zero words; --json has all):"]

    def words(label, d):
        items = [f"{k}={v:#x}" for k, v in d.items() if v]
        if not items:
            out.append(f"    {label}: all zero")
        for i in range(0, len(items), 5):
            out.append(f"    {label + ':' if i == 0 else ' ' * (len(label) + 1)} "
                       + " ".join(items[i:i + 5]))
    if "host" in res:
        words("host", res["host"])
    for i, u in enumerate(res.get("user", [])):
        words(f"user cpu{i}", u)
    if "guest" in res:
        words("guest", res["guest"])
    return out


def run_lines(sr, dump: bool = False) -> list[str]:
    """The text `ppcvec scenario run` prints (without the outcome/diagnosis lines)."""
    r = sr.result
    head = summary_lines(_Head(r))
    out = [ln for ln in head if not ln.startswith("  interrupts")]
    out.append(f"  interrupts: {len(r.interrupts)}, hypercalls: {len(r.hcalls)} "
               f"(all of them: --trace or --json)")
    out += results_lines(r)
    out += timeline_lines(r)
    for h in r.hazards:
        out.append(f"  hazard: {h['message']}")
    if dump:
        for addr, data in r.dumps.items():
            out.append(f"  dump {addr:#x} ({len(data)} bytes):")
            for off in range(0, len(data), 16):
                out.append(f"    {addr + off:#010x}: {data[off:off + 16].hex(' ')}")
    return out


class _Head:
    """The run's header fields only (summary_lines without lists and memory)."""
    def __init__(self, r):
        self.__dict__.update({k: getattr(r, k) for k in ("image", "machine", "cpu", "outcome",
                                                          "exit_code", "insns", "detail",
                                                          "cpus", "symbols")})
        self.interrupts, self.hcalls, self.hazards, self.dumps = [], [], [], {}

