"""Issue 7: the debugger costs `run` nothing when it is not in use.

Side by side in one run, on an interrupt-heavy program (scv -> rfscv round
trips, one InterruptEvent each) and on interrupt-free code:
  * plain Machine.run                                   (baseline)
  * the same run under a debugging Session (listener attached, a breakpoint and
    an interrupt break on kinds that never occur)       (ratio should be ~1.0)
"""
from __future__ import annotations

import time

from harness.loader.images import image_from_source
from harness.run import RunOptions, prepare

N_SCV = 30_000
N_PLAIN = 10_000_000
LOOP = """
    .org 0x10
    b start
    .org 0x17000
    rfscv
    .org 0x20000
start:
    li 9, 0x1000
    mtspr 153, 9            # FSCR[SCV]
    li 9, 1
    sldi 9, 9, 32
    mtspr 1008, 9           # HID0[ATTN] (IBM bit 31)
    lis 4, {N} >> 16
    ori 4, 4, {N} & 0xFFFF
    mtctr 4
loop:
    mfctr 4
    scv 0
    mtctr 4
    bdnz loop
    li 3, 0
    attn
"""
SCV_LOOP = LOOP.format(N=N_SCV)
PLAIN_LOOP = LOOP.format(N=N_PLAIN).replace("    scv 0\n", "    addi 5, 5, 1\n")


def _time(src: str, debug: bool) -> float:
    image = image_from_source(src, "bench")
    opts = RunOptions(mmu="identity")
    m, mt, cpu, _ = prepare(image, opts)
    if debug:
        from harness.debug.session import Session
        s = Session(m, image, mt.name, cpu)
        s.add_break(0x7FF0000)            # never reached
        s.break_interrupt("hmi")          # never raised
    t = time.perf_counter()
    r = m.run(500_000_000)
    dt = time.perf_counter() - t
    assert r.outcome == "attn", r.outcome
    return dt


def main() -> None:
    for label, src in (("scv round trips", SCV_LOOP), ("interrupt-free loop", PLAIN_LOOP)):
        base = min(_time(src, False) for _ in range(3))
        dbg = min(_time(src, True) for _ in range(3))
        print(f"{label:<22} plain {base * 1e3:8.1f} ms   under debugger {dbg * 1e3:8.1f} ms   "
              f"ratio {dbg / base:5.2f} (target <= 1.10)")


if __name__ == "__main__":
    main()
