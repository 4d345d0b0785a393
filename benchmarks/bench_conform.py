"""Conformance set: ppcvec (all programs, one process) vs QEMU 7.2 (one
qemu-system-ppc64 process per program), measured side by side in this run.
Target: ppcvec at least 10x faster."""
from __future__ import annotations

import time


def main() -> None:
    from harness.conform import suite as conform
    qemu = conform.find_qemu()
    progs = conform.discover()
    runs = [(p, m) for p in progs for m in conform.MACHINES if m in p.machines]
    for p, m in runs:                      # assemble once: both sides run the same bytes
        conform.build_image(p, m)
    mmu = conform.default_ppcvec_mmu(None)

    t0 = time.perf_counter()
    for p, m in runs:
        conform.run_ppcvec(p, m, mmu if p.mmu == "radix" else "identity")
    t_ppcvec = time.perf_counter() - t0
    print(f"conformance set: {len(runs)} program runs")
    print(f"  ppcvec (one process):        {t_ppcvec:8.3f} s")
    if qemu is None:
        print("  QEMU: qemu-system-ppc64 not found; ratio not measured")
        return
    t0 = time.perf_counter()
    for p, m in runs:
        conform.run_qemu(p, m, qemu)
    t_qemu = time.perf_counter() - t0
    ratio = t_qemu / t_ppcvec if t_ppcvec else float("inf")
    print(f"  QEMU (one process per run):  {t_qemu:8.3f} s")
    print(f"  ratio QEMU/ppcvec: {ratio:.1f}x (target >= 10x): {'ok' if ratio >= 10 else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
