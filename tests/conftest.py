"""The third-party yardsticks the suite holds ppcvec against (GNU binutils,
gdb-multiarch, QEMU 7.2).  Locally a missing tool skips the tests that need it
(`make test` prints the reasons); with CI=true it is an error before any test
runs, so CI cannot pass by skipping."""
import os
import re
import shutil
import subprocess

import pytest

TOOLS = {   # command -> Debian package (.ci/run installs them)
    "powerpc64-linux-gnu-as": "binutils-powerpc64-linux-gnu",
    "powerpc64-linux-gnu-ld": "binutils-powerpc64-linux-gnu",
    "powerpc64-linux-gnu-objcopy": "binutils-powerpc64-linux-gnu",
    "powerpc64-linux-gnu-objdump": "binutils-powerpc64-linux-gnu",
    "gdb-multiarch": "gdb-multiarch",
    "qemu-system-ppc64": "qemu-system-ppc",
}
# the QEMU the documented deviations (harness/conform/deviations.py) are written for
QEMU_VERSION = (7, 2)


def qemu_version(path: str):
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    m = re.search(r"version (\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def yardstick_problems() -> list[str]:
    problems = [f"{cmd} not found on PATH (Debian package {pkg})"
                for cmd, pkg in TOOLS.items() if shutil.which(cmd) is None]
    qemu = shutil.which("qemu-system-ppc64")
    if qemu:
        v = qemu_version(qemu)
        if v != QEMU_VERSION:
            problems.append(f"{qemu} is QEMU {'.'.join(map(str, v)) if v else '?'}; the documented "
                            f"deviations are written for QEMU {'.'.join(map(str, QEMU_VERSION))}")
    return problems


def pytest_sessionstart(session):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and \
            not hasattr(session.config, "workerinput"):
        problems = yardstick_problems()
        from emu import unicorn_backend
        if unicorn_backend._COUNTER_LIB is None:
            problems.append("emu/_counter (the C block counter) is not built")
        if problems:
            raise pytest.UsageError("CI=true: " + "; ".join(problems))
