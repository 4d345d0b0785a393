"""The pytest plugin's assertions (harness/testing): a failure names the
mismatched field with both values in hex and prints that interrupt's
why/AIL/MSR/saved lines; an unknown keyword is a clear error; integer
asserts in tests using the fixture compare in hex."""
import pytest

from harness.testing import pytest_plugin
from harness.testing.fixture import PpcvecUsageError

SCV_REAL = """
    .org 0x10
    b start
    .org 0x17000
    attn
    .org 0x20000
start:
    li 4, 0x1000
    mtspr 153, 4                # FSCR[SCV] = 1
scv_insn:
    scv 0                       # AIL=0: real 0x17000
"""


def test_mismatched_field_shows_hex_values_and_the_interrupts_lines(ppcvec):
    r = ppcvec.run(SCV_REAL, mmu="identity")
    with pytest.raises(AssertionError) as info:
        ppcvec.assert_one_interrupt(r, "scv", vector=0xC000000000003000)
    msg = str(info.value)
    first = msg.splitlines()[0].strip()
    assert first == "interrupt #1 (scv) vector = 0x17000, expected 0xc000000000003000"
    assert "    why:   scv 0" in msg
    assert "    AIL:   no AIL: MSR[IR] and MSR[DR] were not both 1" in msg
    assert "    MSR:   0x9000000000000000 [SF HV] -> " in msg
    assert "    saved: LR=0x2000c" in msg
    assert "interrupts (1):" in msg                       # then the run summary


def test_wrong_kind_names_the_interrupt_by_its_summary_number(ppcvec):
    r = ppcvec.run(SCV_REAL, mmu="identity")
    with pytest.raises(AssertionError) as info:
        ppcvec.assert_interrupt(r, 0, "sc")
    msg = str(info.value)
    assert msg.startswith("interrupt #1 is scv, expected sc\n") and "[cpu0 #1] scv " in msg


def test_unknown_keyword_is_a_clear_error(ppcvec):
    r = ppcvec.run(SCV_REAL, mmu="identity")
    with pytest.raises(PpcvecUsageError) as info:
        ppcvec.assert_one_interrupt(r, "scv", vectr=0x17000)
    assert str(info.value).startswith(
        "assert_one_interrupt: unknown keyword 'vectr'; did you mean 'vector'?")
    with pytest.raises(PpcvecUsageError) as info:
        ppcvec.run(SCV_REAL, cpuu="power9")
    assert "ppcvec.run: unknown keyword 'cpuu'; did you mean 'cpu'?" in str(info.value)


def test_integer_asserts_compare_in_hex_in_tests_using_the_fixture(ppcvec):
    lines = pytest_plugin.pytest_assertrepr_compare(None, "==", 0xC000000000003000, 0x17000)
    assert lines[0] == "0xc000000000003000 == 0x17000"
    assert pytest_plugin.pytest_assertrepr_compare(None, "==", True, 1) is None
    assert pytest_plugin.pytest_assertrepr_compare(None, "==", "a", "b") is None


def test_outside_the_fixture_asserts_are_left_alone():
    assert pytest_plugin.pytest_assertrepr_compare(None, "==", 1, 2) is None
