"""`ppcvec scenario bisect NAME`: run a scenario under every subset of its fix
hunks and tell which hunks alone, and which combinations, prevent the crash.

A setting "prevents the crash" when the outcome is not "host-crash" (a guest
process killed by SIGILL is a contained failure, not a host crash).  The
minimal preventing combinations are the preventing subsets none of whose
proper subsets prevents it.
"""
from __future__ import annotations

from dataclasses import dataclass

from harness.scenarios.core import fix_label, fix_settings, get_scenario, run_scenario


@dataclass
class BisectRow:
    fix: frozenset
    label: str
    outcome: str
    expected: str

    @property
    def prevents(self) -> bool:
        return self.outcome != "host-crash"


@dataclass
class BisectResult:
    scenario: str
    cpu: str
    hunks: tuple
    rows: list

    def alone(self) -> list:
        """Hunks that prevent the crash on their own."""
        return [h for h in self.hunks
                if any(r.fix == {h} and r.prevents for r in self.rows)]

    def minimal(self) -> list:
        """Minimal hunk combinations that prevent the crash."""
        good = [r.fix for r in self.rows if r.prevents]
        return [f for f in good if not any(g < f for g in good)]

    def crash_free_baseline(self) -> bool:
        return any(not r.fix and r.prevents for r in self.rows)

    def to_json_dict(self) -> dict:
        order = {h: i for i, h in enumerate(self.hunks)}
        return {"scenario": self.scenario, "cpu": self.cpu, "hunks": list(self.hunks),
                "rows": [{"fix": sorted(r.fix, key=order.get), "outcome": r.outcome,
                          "expected": r.expected, "prevents_crash": r.prevents}
                         for r in self.rows],
                "alone": self.alone(),
                "minimal": [sorted(f, key=order.get) for f in self.minimal()]}


def bisect(name: str, cpu: str = "power9") -> BisectResult:
    s = get_scenario(name)
    rows = []
    for fix in fix_settings(s):
        sr = run_scenario(name, fix, cpu)
        rows.append(BisectRow(fix, fix_label(fix, s), sr.outcome, sr.expected))
    return BisectResult(name, cpu, tuple(s.hunks), rows)


def table_lines(b: BisectResult) -> list[str]:
    """The hunk table: one column per hunk (x = built in), outcome, expectation."""
    hs = b.hunks
    widths = [max(len(h), 1) for h in hs]
    head = "  ".join(h.ljust(w) for h, w in zip(hs, widths))
    out = [f"scenario {b.scenario} on {b.cpu}: {len(b.rows)} fix settings",
           f"{head}  {'outcome':<14} {'expected':<14} crash prevented"]
    for r in b.rows:
        cells = "  ".join(("x" if h in r.fix else ".").ljust(w) for h, w in zip(hs, widths))
        mark = "" if r.outcome == r.expected else "   <- unexpected"
        out.append(f"{cells}  {r.outcome:<14} {r.expected:<14} "
                   f"{'yes' if r.prevents else 'no'}{mark}")
    order = {h: i for i, h in enumerate(hs)}
    if b.crash_free_baseline():
        out.append("no crash even without the fix: no hunk is needed here")
    else:
        alone = b.alone()
        out.append("hunks that prevent the crash alone: " + (", ".join(alone) or "none"))
        mins = b.minimal()
        out.append("minimal combinations that prevent it: " + (
            "; ".join("+".join(sorted(f, key=order.get)) for f in mins) or "none"))
    return out
