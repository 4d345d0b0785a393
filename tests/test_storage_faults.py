"""One test per storage-fault class: a radix host (EA 0..1 GiB identity-mapped,
MSR[IR]=MSR[DR]=1) executes one storage instruction at X whose effective
address does not translate.  The Data Storage interrupt must be taken at X
(SRR0 = X) with DAR = the first byte that does not translate and DSISR[STORE]
for stores (Power ISA v3.1B Book III 7.5.3), whatever the instruction class —
including those Unicorn implements with a helper (dcbz, string, icbi), whose
raw fault report is imprecise (emu/storage.py)."""
import pytest

from guest_images.pagetables import radix_identity_host
from progs import MSR_DR, MSR_HV, MSR_IR, MSR_ME, MSR_RI, MSR_SF, load64, program

MSR_FP = 1 << 13
MSR_VEC = 1 << 25
MSR_VSX = 1 << 23
HV_MMU_ON = MSR_SF | MSR_HV | MSR_ME | MSR_RI | MSR_IR | MSR_DR | MSR_FP | MSR_VEC | MSR_VSX
LPCR_HR_UPRT = 0xC | (1 << 20) | (1 << 22)
UNMAPPED = 0x40000000                 # first byte past the 1 GiB leaf
DSISR_NOPTE = 0x40000000
DSISR_STORE = 0x02000000
MARK = 0x600D


def run_fault(ppcvec, insn: str, ea: int):
    """r5 = ea, then X: insn.  The DSI handler records DAR, DSISR, SRR0 in
    r20-r22, sets r23 = MARK and resumes after the instruction."""
    tables, ptcr = radix_identity_host(base=0x200000)
    handler = ("dsi_handler:\n    mfspr 20, 19\n    mfspr 21, 18\n    mfspr 22, 26\n    li 23, 0x600d\n    mr 24, 6\n"
               "    addi 22, 22, 4\n    mtspr 26, 22\n    addi 22, 22, -4\n    rfid")
    body = load64(5, ea) + "    li 3, 0x11\n    li 4, 0x22\n" + f"X: {insn}\n    b .\n"
    src = program(body, msr=HV_MMU_ON, lpcr=LPCR_HR_UPRT, handlers={0x300: "    b dsi_handler"},
                  extra=handler)
    setup = load64(3, ptcr) + "    mtspr 464, 3\n"
    src = src.replace("    .org 0x20000\nstart:\n", "    .org 0x20000\nstart:\n" + setup, 1)
    r = ppcvec.run(src + tables.to_asm(), cpu="power9", mmu="architected", max_insns=200_000)
    return r


def assert_precise_dsi(ppcvec, r, dar: int, store: bool):
    X = r.symbols["X"]
    e = ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=X, dar=dar)
    assert e.insn_addr == X
    g = r.cpus[0].gpr
    assert g[23] == MARK and g[20] == dar and g[22] == X
    assert g[21] == DSISR_NOPTE | (DSISR_STORE if store else 0)
    assert r.outcome == "idle" and r.cpus[0].pc == X + 4     # resumed after X


@pytest.mark.parametrize("insn,store", [
    ("dcbz 0, 5", True), ("dcbf 0, 5", False), ("dcbst 0, 5", False), ("icbi 0, 5", False)])
def test_cache_block_instruction_fault_is_precise(ppcvec, insn, store):
    r = run_fault(ppcvec, insn, UNMAPPED + 0x44)
    assert_precise_dsi(ppcvec, r, UNMAPPED + 0x44, store)


def test_dcbz_to_a_block_start_reports_the_block(ppcvec):
    assert_precise_dsi(ppcvec, run_fault(ppcvec, "dcbz 0, 5", UNMAPPED + 0x80), UNMAPPED + 0x80,
                       True)


@pytest.mark.parametrize("insn,store", [
    ("stswi 3, 5, 8", True), ("lswi 6, 5, 8", False), ("stmw 28, 0(5)", True),
    ("lmw 28, 0(5)", False)])
def test_string_and_multiple_fault_is_precise(ppcvec, insn, store):
    assert_precise_dsi(ppcvec, run_fault(ppcvec, insn, UNMAPPED + 0x10), UNMAPPED + 0x10, store)


@pytest.mark.parametrize("insn,store", [
    ("std 3, 0(5)", True), ("lwz 6, 0(5)", False), ("stbx 3, 0, 5", True), ("lhzx 6, 0, 5", False),
    (".long 0xE0C50000", False),                                    # lq 6, 0(5)
    (".long 0xF8850002", True),                                     # stq 4, 0(5)
    ("ldarx 6, 0, 5", False)])   # (stdcx. without a reservation need not access storage)
def test_fixed_point_and_atomic_fault_is_precise(ppcvec, insn, store):
    assert_precise_dsi(ppcvec, run_fault(ppcvec, insn, UNMAPPED + 0x20), UNMAPPED + 0x20, store)


@pytest.mark.parametrize("insn,store", [
    ("stfd 1, 0(5)", True), ("lfd 1, 0(5)", False), ("stvx 1, 0, 5", True),
    ("lvx 1, 0, 5", False), ("lxvd2x 1, 0, 5", False), ("stxvd2x 1, 0, 5", True)])
def test_fp_vmx_vsx_fault_is_precise(ppcvec, insn, store):
    assert_precise_dsi(ppcvec, run_fault(ppcvec, insn, UNMAPPED + 0x30), UNMAPPED + 0x30, store)


def test_update_form_leaves_ra_unchanged_on_a_fault(ppcvec):
    r = run_fault(ppcvec, "stdu 3, 8(5)", UNMAPPED)
    assert_precise_dsi(ppcvec, r, UNMAPPED + 8, True)
    assert r.cpus[0].gpr[5] == UNMAPPED


def test_access_crossing_into_an_unmapped_page_reports_the_first_unmapped_byte(ppcvec):
    r = run_fault(ppcvec, "stmw 28, 0(5)", UNMAPPED - 8)        # 16 bytes: 8 mapped, 8 not
    assert_precise_dsi(ppcvec, r, UNMAPPED, True)


@pytest.mark.parametrize("insn", ["dcbz 0, 5", "stswi 3, 5, 8", "lswi 8, 5, 8", "icbi 0, 5"])
def test_nothing_after_a_helper_instruction_fault_takes_effect(ppcvec, insn):
    """Unicorn runs on after a failing access inside a helper (dcbz, string,
    icbi): the next instructions of the block must not have executed when the
    DSI is taken (r6 still 0 in the handler), nor their trap (one DSI, then the
    sc after the resume)."""
    r = run_fault(ppcvec, f"{insn}\n    li 6, 0x77\n    tw 31, 0, 0\n    sc", UNMAPPED + 0x10)
    X = r.symbols["X"]
    kinds = [e.kind for e in r.interrupts]
    assert kinds[0] == "dsi" and r.interrupts[0].srr0 == X, kinds
    assert r.cpus[0].gpr[24] == 0          # li 6 had not run at the DSI
    assert kinds[1:] == ["program"]        # the tw, after the resume


def test_dcbz_fault_followed_by_a_store_to_the_same_page_is_taken_at_the_dcbz(ppcvec):
    r = run_fault(ppcvec, "dcbz 0, 5\n    std 3, 0(5)", UNMAPPED + 0x10)
    e = r.interrupts[0]
    assert e.kind == "dsi" and e.srr0 == r.symbols["X"] and e.dar == UNMAPPED + 0x10
