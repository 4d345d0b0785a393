"""`ppcvec disas` agrees with objdump -D -b binary -m powerpc:common64 -EB -M power10
(harness/toolchain/disasm_compare.py): on random words and on every word of the
binutils gas-suite images."""
import io
import os
import shutil

import pytest

from harness.toolchain import disasm_compare, gas_suite

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def need_objdump():
    if shutil.which(disasm_compare.OBJDUMP) is None:
        if CI:
            pytest.fail(f"CI=true: {disasm_compare.OBJDUMP} not found")
        pytest.skip(f"{disasm_compare.OBJDUMP} not installed")


@pytest.mark.parametrize("seed", [1, 2, 20260105])
def test_random_words_agree_with_objdump(seed):
    r = disasm_compare.compare(disasm_compare.random_words(seed, 20000), out=io.StringIO())
    assert r["decoded"] > 15000
    assert r["percent"] >= 99.0, r["bad"][:10]


def test_every_word_of_the_gas_suite_images_agrees():
    if not os.path.isfile(gas_suite.TARBALL):
        if CI:
            pytest.fail(f"CI=true: {gas_suite.TARBALL} not found")
        pytest.skip(f"{gas_suite.TARBALL} not found (binutils-source)")
    images = gas_suite.run(out=io.StringIO())["images"]
    assert len(images) == 44
    bad = {}
    for name, img in images.items():
        r = disasm_compare.compare(img, out=io.StringIO())
        if r["bad"]:
            bad[name] = r["bad"][:3]
    assert not bad
