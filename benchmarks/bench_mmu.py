"""Issue 4 speed target, measured side by side in one run: the same
interrupt-free loop (load/store/ALU, 6 instructions per iteration) runs

  * untranslated (hypervisor real mode, MSR[IR]=MSR[DR]=0),
  * under radix translation (POWER9, LPCR[HR]=1, one 1 GiB leaf),
  * under hash translation (POWER9 LPCR[HR]=0 and POWER8, bolted 64 KiB pages),

and each translated run must reach >= 80% of the untranslated speed.  Also
reported (no target): scv round trips with translation on, where every
interrupt changes the MSR and so refills Unicorn's TLB through the MMU's
translation cache.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emu import Machine  # noqa: E402
from guest_images.pagetables import (LPCR_HR, LPCR_UPRT, hash_identity_host,  # noqa: E402
                                     radix_identity_host)
from harness.toolchain.asm import assemble  # noqa: E402
from benchmarks.bench_core import loop_body  # noqa: E402

N = 2_000_000
TABLES = 0x200000


def _imm64(reg: int, v: int) -> str:
    return (f"    lis {reg}, {(v >> 48) & 0xFFFF:#x}\n    ori {reg}, {reg}, {(v >> 32) & 0xFFFF:#x}\n"
            f"    sldi {reg}, {reg}, 32\n    oris {reg}, {reg}, {(v >> 16) & 0xFFFF:#x}\n"
            f"    ori {reg}, {reg}, {v & 0xFFFF:#x}\n")


def program(setup: str, mmu_on: bool, tables: str, body: str) -> str:
    on = "    mfmsr 3\n    ori 3, 3, 0x30\n    mtmsrd 3\n" if mmu_on else ""
    return f"""
    .org 0x10
    b start
    .org 0x1000
start:
{setup}{on}{body}
{tables}
"""


LOOP = loop_body(N)      # the same loop bench_core compares with raw Unicorn

SCV_N = 30_000
SCV = f"""
    li 3, 0x1000
    mtspr 153, 3       # FSCR[SCV]=1
    lis 4, {SCV_N >> 16}
    ori 4, 4, {SCV_N & 0xFFFF}
    mtctr 4
loop:
    mfctr 9
    scv 0
    mtctr 9
    bdnz loop
    attn
    .org 0x3000        # 0xc000000000003000: system_call_vectored, LEV 0 (AIL=3)
    rfscv
    .org 0x17000       # real-mode scv vector (translation off: no AIL)
    rfscv
"""


def configs():
    """(name, cpu, setup assembly, tables assembly, translated?)"""
    mem, ptcr = radix_identity_host(TABLES)
    radix = (_imm64(9, ptcr) + "    mtspr 464, 9\n"
             + _imm64(9, 0xC | LPCR_HR | LPCR_UPRT | 3 << 23) + "    mtspr 318, 9\n")
    out = [("untranslated (real mode)", "power9", _imm64(9, 0xC | 3 << 23) + "    mtspr 318, 9\n",
            "", False),
           ("radix, 1 GiB leaf (POWER9)", "power9", radix, mem.to_asm(), True)]
    for cpu, isa300 in (("power9", True), ("power8", False)):
        hmem, reg, slb = hash_identity_host(TABLES, size=1 << 20, isa300=isa300)
        s = _imm64(9, reg) + ("    mtspr 464, 9\n" if isa300 else "    mtspr 25, 9\n")
        s += _imm64(9, 0xC | 3 << 23) + "    mtspr 318, 9\n"
        for rs, rb in slb:
            s += _imm64(9, rs) + _imm64(10, rb) + "    slbmte 9, 10\n"
        out.append((f"hash, 64 KiB pages ({cpu.upper()})", cpu, s, hmem.to_asm(), True))
    return out


def timed(cpu: str, src: str, budget: int):
    m = Machine(cpu, mmu="architected")
    m.load(assemble(src).image)
    m.reset_cpu(0, 0x10, 0x9000000000000000)
    t = time.perf_counter()
    r = m.run(budget)
    dt = time.perf_counter() - t
    assert r.outcome == "attn", (r.outcome, r.detail)
    return dt, r


def main():
    rows = []
    for name, cpu, setup, tables, on in configs():
        dt, r = min((timed(cpu, program(setup, on, tables, LOOP), 10 * N) for _ in range(3)),
                    key=lambda x: x[0])
        assert r.cpus[0].gpr[3] == N
        rows.append((name, dt, r.insns))
    base = rows[0][1]
    print(f"interrupt-free loop, {rows[0][2]:,} instructions")
    for name, dt, insns in rows:
        print(f"  {name:30s} {dt:7.3f} s  {insns / dt / 1e6:7.1f} MIPS  "
              f"{base / dt * 100:6.1f} % of untranslated  (target >= 80 %)")
    print(f"scv round trips ({SCV_N:,}), every interrupt refills the TLB:")
    for name, cpu, setup, tables, on in configs()[:2]:
        dt, r = min((timed(cpu, program(setup, on, tables, SCV), 100 * SCV_N) for _ in range(3)),
                    key=lambda x: x[0])
        print(f"  {name:30s} {SCV_N / dt:10,.0f} /s")


if __name__ == "__main__":
    main()
