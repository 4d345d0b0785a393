"""binutils 2.40's own gas/testsuite/gas/ppc files through GNU as and ppcvec asm
(harness/toolchain/gas_suite.py): every file GNU as builds is byte-identical,
none differs, every file GNU as rejects is rejected."""
import io
import os
import shutil

import pytest

from harness.toolchain import gas_suite

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
MISSING = [t for t in ("as", "ld", "objcopy") if shutil.which(gas_suite.GNU + t) is None]
if not os.path.isfile(gas_suite.TARBALL):
    MISSING.append(gas_suite.TARBALL + " (Debian package binutils-source)")


@pytest.fixture(scope="module")
def result():
    if MISSING:
        if CI:
            pytest.fail("CI=true: missing " + ", ".join(MISSING))
        pytest.skip("missing " + ", ".join(MISSING))
    return gas_suite.run(out=io.StringIO())


def test_selection_is_the_54_in_scope_files(result):
    assert result["files"] == 54


def test_no_file_differs(result):
    assert result["DIFFERENT"] == 0, [r for r in result["rows"] if r[1] == "DIFFERENT"]


def test_every_file_gnu_rejects_is_rejected(result):
    assert result["GNU REJECTS"] == 0, [r for r in result["rows"] if r[1] == "GNU REJECTS"]


def test_every_file_gnu_builds_is_identical(result):
    assert result["ppcvec rejects"] == 0, [r for r in result["rows"] if r[1] == "ppcvec rejects"]
    assert result["identical"] == 44
