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


@pytest.fixture
def ppcvec():
    """Assemble and run programs; assertion helpers (see harness.testing.fixture.Ppcvec)."""
    return Ppcvec()


def pytest_configure(config):
    config.addinivalue_line("markers", "ppcvec_cpu(name): run a test on the given CPU model")
