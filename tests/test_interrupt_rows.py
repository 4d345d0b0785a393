"""Every row of the interrupt table (emu/interrupts.py INTERRUPTS) says what
delivery does: where the context is saved (`save`: SRR0/1, HSRR0/1 or LR/CTR),
which MSR bits survive (`keep`, `clears`), whether the interrupt is
hypervisor-class (`hv`), which cause register it writes (`ic`: FSCR[IC],
HFSCR[IC], HEIR).  Here each row's declared facts are held against a concrete
interrupt of that row, raised by machine code running in the emulator, so a row
that lies fails.

Rows without a bare-metal machine-code source in ppcvec (see NO_SOURCE) are
checked through the pure delivery function in tests/test_delivery_table.py."""
import pytest

from emu.bits import FSCR_IC_MASK, FSCR_IC_SHIFT, MSR_LE
from emu.interrupts import (IC_FSCR, IC_HEIR, IC_HFSCR, INTERRUPTS, SAVE_HSRR, SAVE_LR_CTR,
                            SAVE_SRR)
from test_delivery_table import TABLE
from progs import (MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_ME, MSR_RI, MSR_SF, SENTINEL_CTR,
                   SENTINEL_LR, SENTINEL_SRR0, SENTINEL_SRR1, load64, program)

HV_EE = MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_RI       # relocation off: no AIL
GUEST_EE = MSR_SF | MSR_EE | MSR_ME | MSR_RI            # HV=0 supervisor
MSR_SE = 1 << 10
FSCR_SCV = 1 << 12
LPCR_RESET = 0xC
LPCR_HDICE = 1
DBELL_SERVER = 5 << 27
SET_EE_RI = "    li 8, 0\n    ori 8, 8, 0x8002\n    mtmsrd 8, 1\n"


# row -> (program, run options): one instruction (or event) raises that row's interrupt
PROGRAMS = {
    "sc": (program("X: sc", msr=HV_EE), {}),
    "scv": (program("X: scv 3", fscr=FSCR_SCV, msr=HV_EE), {}),
    "program": (program("X: tw 31, 0, 0", msr=HV_EE), {}),
    "heai": (program("X: .long 0", msr=HV_EE), {}),
    "fu": (program("X: scv 0", fscr=0, msr=HV_EE), {}),
    "hfu": (program(f"    lis 5, {DBELL_SERVER >> 16}\nX: msgsndp 5", hfscr=0,
                    enter_msr=GUEST_EE), {}),
    "fpu": (program("X: fadd 1, 1, 1", msr=HV_EE), {}),
    "vmx": (program("X: vaddubm 1, 1, 1", msr=HV_EE), {}),
    "vsx": (program("X: xxlor 1, 1, 1", msr=HV_EE), {}),
    "mce": (program(load64(5, 0x100000000) + "X: ld 3, 8(5)", msr=HV_EE), {}),
    "dec": (program("    li 3, 100\n    mtspr 22, 3\n" + SET_EE_RI + "X: b X", msr=HV_EE), {}),
    "hdec": (program("    li 3, 100\n    mtspr 310, 3\nX: b X", lpcr=LPCR_RESET | LPCR_HDICE,
                     msr=HV_EE), {}),
    "trace": (program(load64(4, HV_EE | MSR_SE) + "    mtmsrd 4\nX: addi 3, 3, 1\n    b .",
                      msr=HV_EE), {}),
    "doorbell": (program(f"    lis 5, {DBELL_SERVER >> 16}\n    msgsndp 5\n" + SET_EE_RI
                         + "X: b X", msr=HV_EE & ~MSR_EE), {}),
    "hdoorbell": (program(f"    lis 5, {DBELL_SERVER >> 16}\n    msgsnd 5\n" + SET_EE_RI
                          + "X: b X", msr=HV_EE & ~MSR_EE), {}),
}
# Rows ppcvec raises only from an MMU set-up, a platform or not at all: the storage
# rows are covered end to end by tests/test_storage_faults.py and tests/test_mmu_*.py,
# external by the pseries XICS tests, sreset by the stop/doorbell tests; hmi, hvirt
# and perfmon have no source in the machine model.
NO_SOURCE = {"sreset", "dsi", "dseg", "isi", "iseg", "external", "alignment", "hdsi", "hisi",
             "hmi", "hvirt", "perfmon"}


def test_every_row_is_either_raised_here_or_listed_without_a_source():
    assert set(PROGRAMS) | NO_SOURCE == set(INTERRUPTS)
    assert not set(PROGRAMS) & NO_SOURCE


# What the architecture says, independently of the row: the HV-class rows (the
# table of tests/test_delivery_table.py) save in HSRR0/1, scv in LR/CTR (ISA III
# 7.5.18), every other row in SRR0/1; the cause each concrete interrupt above
# writes: FSCR[IC]=12 (scv, ISA III 9.2), HFSCR[IC]=10 (msgsndp), HEIR = the image.
HV_CLASS = {k for k, _, hv, _ in TABLE if hv}
CAUSE = {"fu": (IC_FSCR, 12), "hfu": (IC_HFSCR, 10), "heai": (IC_HEIR, 0)}


def expected_save(kind):
    return SAVE_LR_CTR if kind == "scv" else SAVE_HSRR if kind in HV_CLASS else SAVE_SRR


def delivered(ppcvec, kind):
    src, opts = PROGRAMS[kind]
    r = ppcvec.run(src, cpu="power9", mmu="identity", **opts)
    evs = [e for e in r.interrupts if e.kind == kind]
    assert evs, f"no {kind} interrupt: {[e.kind for e in r.interrupts]} outcome {r.outcome}"
    return r, evs[0]


@pytest.mark.parametrize("kind", sorted(PROGRAMS))
def test_row_save_column_is_what_delivery_saves(ppcvec, kind):
    d = INTERRUPTS[kind]
    r, e = delivered(ppcvec, kind)
    saved = {SAVE_SRR: e.srr0 is not None and e.srr1 is not None,
             SAVE_HSRR: e.hsrr0 is not None and e.hsrr1 is not None,
             SAVE_LR_CTR: e.lr is not None and e.ctr is not None}
    assert [s for s, yes in saved.items() if yes] == [d.save] == [expected_save(kind)]
    assert d.hv == (kind in HV_CLASS)
    cpu = r.cpus[0]
    if d.save == SAVE_SRR:
        assert r.spr("srr0") == e.srr0 and r.spr("srr1") == e.srr1
        assert (cpu.lr, cpu.ctr) == (SENTINEL_LR, SENTINEL_CTR)
    elif d.save == SAVE_HSRR:
        assert r.spr("hsrr0") == e.hsrr0 and r.spr("hsrr1") == e.hsrr1
        assert (r.spr("srr0"), r.spr("srr1")) == (SENTINEL_SRR0, SENTINEL_SRR1)
    else:
        assert (cpu.lr, cpu.ctr) == (e.lr, e.ctr)
        assert (r.spr("srr0"), r.spr("srr1")) == (SENTINEL_SRR0, SENTINEL_SRR1)
    # the saved MSR image is the interrupted MSR (cause bits aside)
    image = e.srr1 if d.save == SAVE_SRR else e.hsrr1 if d.save == SAVE_HSRR else e.ctr
    keep_bits = MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_RI | MSR_IR | MSR_DR
    assert image & keep_bits == e.msr_before & keep_bits


@pytest.mark.parametrize("kind", sorted(PROGRAMS))
def test_row_keep_and_hv_columns_are_the_new_msr(ppcvec, kind):
    d = INTERRUPTS[kind]
    _, e = delivered(ppcvec, kind)
    before, after = e.msr_before, e.msr_after
    assert before & (MSR_EE | MSR_RI | MSR_ME), "the test must start with bits to keep or drop"
    kept = d.keep & ~d.clears & ~MSR_HV
    assert after & kept == before & kept
    assert not after & d.clears
    relocation = (MSR_IR | MSR_DR) if e.ail else 0
    assert after & ~(d.keep | MSR_HV | MSR_SF | MSR_LE | relocation) == 0
    assert bool(after & MSR_HV) == (d.hv or bool(before & MSR_HV))
    # independently of the row (ISA III 7.5): RI survives HV-class interrupts and
    # scv, EE only scv; every program above starts with RI=1
    assert before & MSR_RI
    assert bool(after & MSR_RI) == (kind in HV_CLASS or kind == "scv")
    assert bool(after & MSR_EE) == (kind == "scv" and bool(before & MSR_EE))


@pytest.mark.parametrize("kind", sorted(PROGRAMS))
def test_row_ic_column_is_the_cause_register_written(ppcvec, kind):
    d = INTERRUPTS[kind]
    r, e = delivered(ppcvec, kind)
    ic, value = CAUSE.get(kind, (None, None))
    assert d.ic == ic
    assert value is None or value == {IC_FSCR: e.fscr_ic, IC_HFSCR: e.hfscr_ic, IC_HEIR: e.heir}[ic]
    assert (e.fscr_ic is not None) == (d.ic == IC_FSCR)
    assert (e.hfscr_ic is not None) == (d.ic == IC_HFSCR)
    assert (e.heir is not None) == (d.ic == IC_HEIR)
    if d.ic == IC_FSCR:
        assert (r.spr("fscr") & FSCR_IC_MASK) >> FSCR_IC_SHIFT == e.fscr_ic == 12
    if d.ic == IC_HFSCR:
        assert (r.spr("hfscr") & FSCR_IC_MASK) >> FSCR_IC_SHIFT == e.hfscr_ic == 10
    if d.ic == IC_HEIR:
        assert r.spr("heir") == e.heir == e.insn


@pytest.mark.parametrize("kind", sorted(PROGRAMS))
def test_row_vector_is_where_delivery_goes(ppcvec, kind):
    d = INTERRUPTS[kind]
    _, e = delivered(ppcvec, kind)
    assert e.ail == 0
    assert e.vector == d.vector + (e.lev or 0) * d.lev_stride


def test_external_with_lpes0_zero_takes_the_hypervisor_form():
    """LPCR[LPES0]=0 on a CPU with hypervisor state: the row's `hv_unless_lpcr`
    makes the external interrupt hypervisor-class (HSRR0/1, HV=1, RI kept)."""
    from emu.interrupts import InterruptRequest, compute_delivery, row_for
    from emu.models import POWER9
    from emu.state import CpuState
    d = INTERRUPTS["external"]
    assert row_for(d, 0, True).save == SAVE_HSRR and row_for(d, d.hv_unless_lpcr, True) is d
    assert row_for(d, 0, False) is d
    st = CpuState(msr=GUEST_EE, lpcr=LPCR_RESET & ~d.hv_unless_lpcr)
    dl = compute_delivery(POWER9, st, InterruptRequest("external", 0x100, 0x100), True)
    assert dl.hsrr0 == 0x100 and dl.srr0 is None
    assert dl.msr_after & (MSR_HV | MSR_RI) == MSR_HV | MSR_RI
