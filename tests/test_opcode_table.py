"""The checked-in opcode table is exactly what tools/gen_ppc_opcodes.py generates
from the binutils 2.40 source tarball, and every operand rule it names exists."""
import os
import shutil
import subprocess
import sys

import pytest

from harness.toolchain import ppcops
from harness.toolchain.ppc_opcodes import OPERANDS, POWERPC_OPCODES, PREFIX_OPCODES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARBALL = "/usr/src/binutils/binutils-2.40.tar.xz"
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def test_every_rule_named_by_the_table_is_implemented():
    used = {i for tab in (POWERPC_OPCODES, PREFIX_OPCODES) for e in tab for i in e[5]}
    used |= {i + 1 for i in used if OPERANDS[i][5] & 0x200000}      # PPC_OPERAND_NEXT
    for i in used:
        _name, _bitm, _shift, ins, ext, _flags = OPERANDS[i]
        assert ins is None or ins[7:] in ppcops.INSERT, ins
        assert ext is None or ext[8:] in ppcops.EXTRACT, ext


def test_generated_table_is_reproducible():
    if not os.path.isfile(TARBALL) or shutil.which("gcc") is None:
        if CI:
            pytest.fail(f"CI=true: needs {TARBALL} (binutils-source) and gcc")
        pytest.skip("binutils-source tarball or gcc missing")
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_ppc_opcodes.py")],
                         capture_output=True, text=True, check=True, timeout=300).stdout
    with open(os.path.join(ROOT, "harness", "toolchain", "ppc_opcodes.py")) as f:
        assert out == f.read()
