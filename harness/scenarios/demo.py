"""`make demo`: the PR-KVM SCV/AIL host crash as upstream Linux had it, then
the fix (b5149e22), then the PowerNV side in one short block.

1. pseries-host-user-scv-during-pr-vm on POWER9, --fix none: the host is a
   hash pseries partition; CPU 0 creates a PR VM (kvmppc_core_init_vm_pr ->
   pseries_disable_reloc_on_exc -> H_SET_MODE(mflags 0, resource 3): AIL=0 on
   every CPU of the partition) and a host process on CPU 1 (the VMM's own I/O
   thread) makes a system call with `scv 0` -> real 0x17000 -> crash.
2. The same with --fix all: configure_exceptions keeps FSCR[SCV] off in
   init_task and HWCAP2 without SCV, so the C library uses `sc`; a stray `scv`
   takes Facility Unavailable (IC=12) -> SIGILL.
3. PowerNV (ppc-semantics.md (h), "Correction"): AIL=0 only between vcpu_load
   and vcpu_put, and the guest runs with the shadow FSCR, so the PowerNV hunks
   are defence in depth; the run that crashes gives the guest the host's FSCR
   (a what-if).

Every value printed comes from the run's events (hcalls, SPR writes,
interrupts), its results areas and its diagnosis.
"""
from __future__ import annotations

import sys
import time

from emu.bits import FSCR_SCV, decode_lpcr, lpcr_ail
from harness.scenarios.core import (
    PPC_FEATURE2_SCV,
    SCV_REAL_BASE,
    run_scenario,
    symbolize,
)
from harness.scenarios.pseries import _caller, read_pseries_results

PSERIES = "pseries-host-user-scv-during-pr-vm"
POWERNV = "powernv-pr-guest-scv"
POWERNV_WHATIF = "powernv-what-if-host-fscr-in-guest"
CPU = "power9"
H_SET_MODE_RESOURCE_ADDR_TRANS_MODE = 3     # PAPR: H_SET_MODE resource 3 (AIL)


def _at_real(addr: int) -> bool:
    return SCV_REAL_BASE <= addr < SCV_REAL_BASE + 0x1000


def _where(syms, addr: int) -> str:
    return f"{addr:#x} <{symbolize(syms, addr)}>"


def pseries_lines(sr) -> list[str]:
    """The facts of one pseries run: the AIL hypercalls and what they did to
    each CPU's LPCR, the boot's SCV decision, the system calls of the host
    process on the other CPU, what became of its scv."""
    r = sr.result
    syms = r.symbols
    res = read_pseries_results(r)
    host = res.get("host", {})
    out = []
    hwcap2 = host.get("hwcap2", 0)
    out.append(f"  boot: init_task FSCR={host.get('init_fscr', 0):#x} "
               f"(FSCR[SCV]={int(bool(host.get('init_fscr', 0) & FSCR_SCV))}), "
               f"AT_HWCAP2={hwcap2:#x} "
               f"({'with' if hwcap2 & PPC_FEATURE2_SCV else 'without'} PPC_FEATURE2_SCV)")
    for h in r.hcalls:
        if h.name != "H_SET_MODE" or h.args[1] != H_SET_MODE_RESOURCE_ADDR_TRANS_MODE:
            continue
        writes = [w for w in r.spr_writes if w.spr == "lpcr" and w.insn_addr == h.insn_addr
                  and w.source.startswith("hcall H_SET_MODE") and h.seq - 4 <= w.seq <= h.seq]
        path = symbolize(syms, h.insn_addr)
        if writes and lpcr_ail(writes[0].new) == 0:
            path = _caller(r, writes[0], syms)
        out.append(f"  cpu{h.cpu} H_SET_MODE(mflags={h.args[0]}, resource={h.args[1]}) "
                   f"`sc 1` at {_where(syms, h.insn_addr)}: {h.detail}")
        if writes and lpcr_ail(writes[0].new) == 0:
            out.append(f"        called from {path}")
        for w in writes:
            out.append(f"        cpu{w.cpu} LPCR {decode_lpcr(w.old)} -> {decode_lpcr(w.new)}")
    users = res.get("user", [])
    for i, u in enumerate(users):
        n = u.get("syscalls", 0)
        if not n:
            continue
        how = "scv 0" if u.get("use_scv") else "sc"
        out.append(f"  cpu{i} host process: {n} system call{'s' if n != 1 else ''} with {how} "
                   f"(its HWCAP2={u.get('hwcap2', 0):#x})")
    for e in r.interrupts:
        if e.kind == "scv" and _at_real(e.vector):
            out.append(f"  cpu{e.cpu} `scv {e.lev}` at {_where(syms, e.insn_addr)} -> real "
                       f"{e.vector:#x} ({e.name}), AIL={e.ail}, FSCR[SCV]="
                       f"{int(bool(e.fscr & FSCR_SCV))}: {e.ail_rule}")
            nxt = next((n for n in r.interrupts if n.cpu == e.cpu and n.seq > e.seq), None)
            if nxt is not None:
                out.append(f"  cpu{nxt.cpu} real {e.vector:#x} is kernel text, "
                           f"<{symbolize(syms, e.vector)}>: {nxt.insns - e.insns} instructions "
                           f"later {nxt.name} at {_where(syms, nxt.insn_addr)} -> {nxt.vector:#x}")
        elif e.kind == "fu" and e.fscr_ic == 12 and not (0x30000 <= e.insn_addr < 0x34000):
            u = users[e.cpu] if e.cpu < len(users) else {}
            sig = (f" -> signal {u['sig_no']} (SIGILL) at {u.get('sig_nip', 0):#x}"
                   if u.get("sig_no") else "")
            out.append(f"  cpu{e.cpu} stray `scv` at {_where(syms, e.insn_addr)} -> "
                       f"{e.vector:#x} ({e.name}, FSCR[IC]={e.fscr_ic}), AIL={e.ail} at the "
                       f"time{sig}")
    reached = [e for e in r.interrupts if _at_real(e.vector)]
    if not reached:
        out.append(f"  interrupts delivered to real {SCV_REAL_BASE:#x}: none")
    return out


def powernv_lines() -> list[str]:
    """The PowerNV story, one line per run."""
    out = [f"== PowerNV ({CPU}): the b5149e22 hunks there are defence in depth "
           f"(ppc-semantics.md (h), Correction)"]
    for name, note in ((POWERNV, "the guest runs with the shadow FSCR, as upstream's "
                        "kvmppc_handler_trampoline_enter loads it"),
                       (POWERNV_WHATIF, "what-if: the guest runs with the host thread's FSCR")):
        for fix in ("none", "all"):
            sr = run_scenario(name, fix, CPU)
            r = sr.result
            scv = next((e for e in r.interrupts if e.kind in ("scv", "fu")
                        and 0x30000 <= e.insn_addr < 0x34000), None)
            what = (f"guest `scv` at {scv.insn_addr:#x} -> "
                    f"{scv.vector:#x} ({scv.name}"
                    + (f", FSCR[IC]={scv.fscr_ic}" if scv.fscr_ic is not None else "")
                    + f", AIL={scv.ail})") if scv is not None else "no guest scv"
            out.append(f"  {name} --fix {fix}: {sr.outcome} (expected {sr.expected}); {what}")
        out.append(f"      ({note})")
    out.append("  upstream, AIL=0 only between vcpu_load and vcpu_put, and the guest never sees the "
               "host's FSCR:")
    out.append("  the hunks keep \"FSCR[SCV]=1 => AIL applies\" true on every CPU wherever it can "
               "change context")
    out.append("  (without them the state is latent: kernel code only, between vcpu_load and the "
               "trampoline; --check-invariants)")
    return out


def main() -> int:
    t0 = time.perf_counter()
    for fix in ("none", "all"):
        sr = run_scenario(PSERIES, fix, CPU)
        print(f"== {PSERIES} on {CPU.upper()}, --fix {fix}: {sr.outcome} "
              f"(expected {sr.expected})")
        print("\n".join(pseries_lines(sr)))
        print(f"  diagnosis: {sr.diagnosis}")
        print()
    print("\n".join(powernv_lines()))
    print()
    print(f"({time.perf_counter() - t0:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
