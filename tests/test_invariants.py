"""--check-invariants: the scv/AIL hazard is reported when problem-state code
starts running with FSCR[SCV]=1 and AIL off — before any scv executes — and
never when SCV is off or AIL relocates scv."""
import pytest

from harness.run import run_source

SRC = """
    .org 0x10
    b start
    .org 0x20000
start:
    li 4, FSCR_VALUE
    mtspr 153, 4
vcpu_load:
    lis 4, LPCR_VALUE@h
    ori 4, 4, LPCR_VALUE@l
    mtspr 318, 4
    lis 3, user@h
    ori 3, 3, user@l
    mtspr 314, 3
    li 4, 1
    sldi 4, 4, 60
    ori 4, 4, 0x4000     # HV|PR: a PR-KVM guest's shadow MSR (IR/DR forced)
    mtspr 315, 4
enter_guest:
    hrfid
user:
    b .
"""


def run(fscr, lpcr, cpu="power9"):
    return run_source(SRC, cpu=cpu, mmu="identity", check_invariants=True,
                      defsyms={"FSCR_VALUE": fscr, "LPCR_VALUE": lpcr})


def test_hazard_reported_without_any_scv_executing():
    r = run(0x1000, 0xC)
    assert r.interrupts == []                       # nobody executed scv
    (h,) = r.hazards
    assert h["cpu"] == 0 and h["symbol"] == "enter_guest" and h["insn"] == "hrfid"
    lpcr_write = [w for w in h["created_by"] if w["spr"] == "lpcr"][0]
    assert lpcr_write["symbol"] == "vcpu_load+0x8"
    assert "0x17000" in h["message"]


@pytest.mark.parametrize("fscr,lpcr,cpu", [
    (0x0000, 0xC, "power9"),               # the fix: SCV off while AIL is off
    (0x1000, 0xC | (3 << 23), "power9"),   # AIL=3 relocates scv: Linux handles it
    (0x1000, 0xC, "power8"),               # no scv on POWER8
])
def test_no_hazard(fscr, lpcr, cpu):
    assert run(fscr, lpcr, cpu).hazards == []


def test_power10_hail_decides_for_hv_scv():
    # PR-KVM style guest runs HV=1 PR=1: on POWER10 its scv (HV->HV) uses HAIL, not AIL
    assert run(0x1000, 0xC | (3 << 23), "power10").hazards != []
    assert run(0x1000, 0xC | (1 << 26), "power10").hazards == []
