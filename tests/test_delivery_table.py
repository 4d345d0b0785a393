"""Every row of the interrupt table (ppc-semantics.md (a)) through the pure
delivery function: vector, which registers are saved, the new MSR's HV/ME/RI,
and the rows AIL never applies to.  Rows that machine code can raise in ppcvec
are also tested end to end in tests/test_interrupts.py, tests/test_mmu_*.py and
tests/test_hdec.py; the rest (external, doorbells, HMI, hvirt, trace,
performance monitor) have no source in the machine model yet, so their delivery
is checked here, from the same function interrupt delivery uses."""
import pytest

from emu.interrupts import INTERRUPTS, InterruptRequest, compute_delivery
from emu.models import POWER8, POWER9, POWER10
from emu.state import CpuState

MSR_SF, MSR_HV, MSR_EE, MSR_PR, MSR_ME, MSR_IR, MSR_DR, MSR_RI = (
    1 << 63, 1 << 60, 1 << 15, 1 << 14, 1 << 12, 1 << 5, 1 << 4, 1 << 1)
AIL3 = 3 << 23

# kind, real vector, saved in HSRR (HV class), AIL may apply
TABLE = [
    ("sreset", 0x100, False, False), ("mce", 0x200, False, False), ("dsi", 0x300, False, True),
    ("dseg", 0x380, False, True), ("isi", 0x400, False, True), ("iseg", 0x480, False, True),
    ("alignment", 0x600, False, True), ("program", 0x700, False, True),
    ("fpu", 0x800, False, True), ("dec", 0x900, False, True), ("hdec", 0x980, True, True),
    ("doorbell", 0xA00, False, True), ("sc", 0xC00, False, True), ("trace", 0xD00, False, True),
    ("hdsi", 0xE00, True, True), ("hisi", 0xE20, True, True), ("heai", 0xE40, True, True),
    ("hmi", 0xE60, True, False), ("hdoorbell", 0xE80, True, True), ("hvirt", 0xEA0, True, True),
    ("perfmon", 0xF00, False, True), ("vmx", 0xF20, False, True), ("vsx", 0xF40, False, True),
    ("fu", 0xF60, False, True), ("hfu", 0xF80, True, True),
]


def deliver(kind, msr, lpcr=0xC, model=POWER9, hv_capable=True):
    st = CpuState(msr=msr, lpcr=lpcr)
    return compute_delivery(model, st, InterruptRequest(kind, 0x1234, 0x1234, None), hv_capable)


def test_table_covers_every_interrupt_kind():
    assert {k for k, *_ in TABLE} | {"scv", "external"} == set(INTERRUPTS)


@pytest.mark.parametrize("kind,vector,hv,ail", TABLE, ids=[t[0] for t in TABLE])
def test_row_real_mode(kind, vector, hv, ail):
    msr = MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_RI
    dl = deliver(kind, msr)
    assert dl.vector == vector
    if hv:
        assert (dl.hsrr0, dl.srr0) == (0x1234, None)
        assert dl.hsrr1 == msr & ~0x783F0000
        assert dl.msr_after & MSR_RI            # HV-class interrupts keep RI
    else:
        assert (dl.srr0, dl.hsrr0) == (0x1234, None)
    assert dl.msr_after & MSR_HV                # from HV=1 everything stays in HV
    assert not dl.msr_after & (MSR_EE | MSR_PR | MSR_IR | MSR_DR)
    assert bool(dl.msr_after & MSR_ME) == (kind != "mce")


@pytest.mark.parametrize("kind,vector,hv,ail", TABLE, ids=[t[0] for t in TABLE])
def test_row_with_ail3_and_relocation_on(kind, vector, hv, ail):
    msr = MSR_SF | MSR_HV | MSR_ME | MSR_IR | MSR_DR
    dl = deliver(kind, msr, lpcr=0xC | AIL3)
    assert dl.vector == (0xC000000000004000 | vector if ail else vector)
    assert dl.ail.ail == (3 if ail else 0)


@pytest.mark.parametrize("kind,vector,hv,ail", TABLE, ids=[t[0] for t in TABLE])
def test_row_from_a_guest_sets_hv_only_for_hv_class(kind, vector, hv, ail):
    dl = deliver(kind, MSR_SF | MSR_ME | MSR_PR | MSR_EE | MSR_IR | MSR_DR)
    expect_hv = hv or kind in ("sreset", "mce")      # SRESET/MCE go to the hypervisor
    assert bool(dl.msr_after & MSR_HV) == expect_hv


def test_external_goes_to_hsrr_with_lpes0_clear_and_srr_with_it_set():
    msr = MSR_SF | MSR_ME | MSR_EE
    on_hv = deliver("external", msr, lpcr=0x0)
    assert on_hv.vector == 0x500 and on_hv.hsrr0 == 0x1234 and on_hv.msr_after & MSR_HV
    to_os = deliver("external", msr, lpcr=0x8)     # LPCR[LPES0]
    assert to_os.vector == 0x500 and to_os.srr0 == 0x1234 and not to_os.msr_after & MSR_HV


def test_scv_row_saves_lr_ctr_only():
    msr = MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_RI
    st = CpuState(msr=msr, lpcr=0xC)
    dl = compute_delivery(POWER9, st, InterruptRequest("scv", 0x1238, 0x1234, None, lev=3), True)
    assert dl.vector == 0x17000 + 3 * 0x20
    assert (dl.lr, dl.ctr, dl.srr0, dl.hsrr0) == (0x1238, msr & ~0x783F0000, None, None)
    assert dl.msr_after & MSR_EE and dl.msr_after & MSR_RI


@pytest.mark.parametrize("model", [POWER8, POWER9, POWER10])
def test_hmi_sreset_mce_never_use_ail_even_with_hail(model):
    for kind in ("sreset", "mce", "hmi"):
        dl = deliver(kind, MSR_SF | MSR_HV | MSR_IR | MSR_DR, lpcr=0xC | AIL3 | (1 << 26), model=model)
        assert dl.ail.ail == 0 and dl.vector < 0x1000
