"""pytest plugin (entry point `pytest11: ppcvec`): fixtures and assertions for
regression suites over ppcvec runs.

    def test_scv_lands_in_real_mode(ppcvec):
        r = ppcvec.run(SOURCE, machine="powernv9")
        ppcvec.assert_one_interrupt(r, "scv", vector=0x17000, lr=r.symbols["after_scv"])

Works under pytest-xdist: every run builds its own Machine in the worker.
"""
from __future__ import annotations

import pytest

from harness.testing.fixture import Ppcvec


CPU_MACHINES = {"power8": "powernv8", "power9": "powernv9", "power10": "powernv10"}


_active = [0]      # tests using the fixture are running: integer comparisons in hex


@pytest.fixture
def ppcvec(request):
    """Assemble and run programs; assertion helpers (see harness.testing.fixture.Ppcvec).
    `@pytest.mark.ppcvec_cpu("power8")` runs the test's programs on that CPU (on
    its PowerNV machine unless the run names another).  While a test using it
    runs, a failed `assert a == b` between integers shows both in hex."""
    marker = request.node.get_closest_marker("ppcvec_cpu")
    if marker is None:
        fx = Ppcvec()
    else:
        cpu = marker.args[0] if marker.args else marker.kwargs.get("name")
        if cpu not in CPU_MACHINES:
            raise pytest.UsageError(f"ppcvec_cpu({cpu!r}): choose from {', '.join(CPU_MACHINES)}")
        fx = Ppcvec(cpu=cpu, machine=CPU_MACHINES[cpu])
    _active[0] += 1
    try:
        yield fx
    finally:
        _active[0] -= 1


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def pytest_assertrepr_compare(config, op, left, right):
    """Registers and addresses read in hex: `assert e.vector == 0x17000` fails
    with `0xc000000000003000 == 0x17000` (only in tests using the fixture)."""
    if not _active[0] or op not in ("==", "!=") or not (_is_int(left) and _is_int(right)):
        return None
    return [f"{left:#x} {op} {right:#x}", f"(decimal: {left} {op} {right})"]


def pytest_configure(config):
    config.addinivalue_line("markers", "ppcvec_cpu(name): run a test on the given CPU model")
