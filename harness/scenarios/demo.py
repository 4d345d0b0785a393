"""`make demo`: the PR-KVM SCV/AIL host crash on a POWER9 PowerNV host without
the fix (b5149e22), and the clean run with it - the trace lines that matter."""
from __future__ import annotations

import sys
import time

from emu.bits import decode_fscr, decode_lpcr

from harness.scenarios.core import run_scenario, symbolize

NAME = "powernv-pr-guest-scv"


def interesting(sr):
    """LPCR/FSCR writes by PR-KVM, and the interrupts of the guest's system calls."""
    r = sr.result
    syms = r.symbols
    evs = [(w.seq, "spr", w) for w in r.spr_writes
           if w.spr in ("lpcr", "fscr") and "kvmppc_core_vcpu" in symbolize(syms, w.insn_addr)]
    evs += [(e.seq, "int", e) for e in r.interrupts
            if e.kind in ("scv", "fu", "heai") and 0x30000 <= (e.insn_addr & 0xFFFFFFF) < 0x34000
            or (e.kind == "heai")]
    out = []
    for _, k, ev in sorted(evs, key=lambda t: t[0]):
        if k == "spr":
            dec = decode_lpcr if ev.spr == "lpcr" else decode_fscr
            out.append(f"  cpu{ev.cpu} {ev.spr.upper()} {dec(ev.old)} -> {dec(ev.new)}  "
                       f"({ev.source} at {ev.insn_addr:#x} <{symbolize(syms, ev.insn_addr)}>)")
        else:
            line = (f"  cpu{ev.cpu} {ev.kind:<4} at {ev.insn_addr:#x} -> {ev.vector:#x} "
                    f"({ev.name}), AIL={ev.ail}")
            if ev.fscr_ic is not None:
                line += f", FSCR[IC]={ev.fscr_ic}"
            if ev.hsrr0 is not None:
                line += f", HSRR0={ev.hsrr0:#x}"
            out.append(line)
            out.append(f"        {ev.ail_rule}")
    return out


def main() -> int:
    t0 = time.perf_counter()
    for fix in ("none", "all"):
        sr = run_scenario(NAME, fix, "power9")
        print(f"== {NAME} on POWER9, --fix {fix}: {sr.outcome} (expected {sr.expected})")
        print("\n".join(interesting(sr)))
        print(f"  diagnosis: {sr.diagnosis}")
        print()
    print(f"({time.perf_counter() - t0:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
