"""Scenario wall times (issue 5 targets: `make demo` < 2 s, `ppcvec regress`
over the whole matrix < 10 s on the 2-core machine), measured side by side in
one run, as ratios to those budgets."""
from __future__ import annotations

import subprocess
import sys
import time

DEMO_BUDGET = 2.0
REGRESS_BUDGET = 10.0


def _wall(argv) -> float:
    t = time.perf_counter()
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    demo = _wall([sys.executable, "-m", "harness.scenarios.demo"])
    regress = _wall([sys.executable, "-m", "harness.cli", "regress"])
    from harness.scenarios.core import SCENARIOS, fix_settings, run_scenario
    runs = sum(len(s.cpus) * len(fix_settings(s)) for s in SCENARIOS.values())
    t = time.perf_counter()
    sr = run_scenario("powernv-pr-guest-scv", "all", "power9")
    one = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(5):
        run_scenario("powernv-pr-guest-scv", "all", "power9")
    warm = (time.perf_counter() - t) / 5
    print(f"make demo (python -m harness.scenarios.demo, new process): {demo:.2f} s "
          f"= {demo / DEMO_BUDGET:.2f} of the {DEMO_BUDGET:.0f} s budget")
    print(f"ppcvec regress ({runs} runs, new process):     {regress:.2f} s "
          f"= {regress / REGRESS_BUDGET:.2f} of the {REGRESS_BUDGET:.0f} s budget")
    print(f"one scenario run: first {one * 1000:.0f} ms (assembly cached after), "
          f"warm {warm * 1000:.0f} ms, {sr.result.insns} instructions")


if __name__ == "__main__":
    main()
