"""The encoding table is data, checked against GNU as for every mnemonic x operand
form it contains (harness/toolchain/table_check.py), and the disassembler decodes
every one of those instructions as objdump does."""
import io
import os
import shutil

import pytest

from harness.toolchain import disasm_compare, table_check

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def need_binutils():
    missing = [t for t in ("as", "ld", "objcopy", "objdump")
               if shutil.which(table_check.GNU + t) is None]
    if missing:
        if CI:
            pytest.fail("CI=true: missing " + ", ".join(table_check.GNU + t for t in missing))
        pytest.skip("powerpc64-linux-gnu binutils not installed")


@pytest.fixture(scope="module")
def power10():
    return table_check.run("power10", out=io.StringIO())


def test_every_power10_form_gnu_accepts_is_identical(power10):
    assert power10["statements"] > 2900
    assert power10["different"] == []


def test_every_power10_form_gnu_rejects_is_rejected(power10):
    assert power10["wrongly_accepted"] == []


@pytest.mark.parametrize("cpu", ["power9", "power8", "ppc", "any"])
def test_other_cpus_agree(cpu):
    r = table_check.run(cpu, out=io.StringIO())
    assert r["different"] == [] and r["wrongly_accepted"] == []


def test_disassembler_decodes_every_encoded_form_like_objdump(power10):
    r = disasm_compare.compare(power10["image"], out=io.StringIO())
    assert r["bad"] == []
