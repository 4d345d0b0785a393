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


@pytest.fixture
def ppcvec(request):
    """Assemble and run programs; assertion helpers (see harness.testing.fixture.Ppcvec).
    `@pytest.mark.ppcvec_cpu("power8")` runs the test's programs on that CPU (on
    its PowerNV machine unless the run names another)."""
    marker = request.node.get_closest_marker("ppcvec_cpu")
    if marker is None:
        return Ppcvec()
    cpu = marker.args[0] if marker.args else marker.kwargs.get("name")
    if cpu not in CPU_MACHINES:
        raise pytest.UsageError(f"ppcvec_cpu({cpu!r}): choose from {', '.join(CPU_MACHINES)}")
    return Ppcvec(cpu=cpu, machine=CPU_MACHINES[cpu])


def pytest_configure(config):
    config.addinivalue_line("markers", "ppcvec_cpu(name): run a test on the given CPU model")
