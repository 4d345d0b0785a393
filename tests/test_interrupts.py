"""One test per interrupt rule, kvm-unit-tests style: a small program sets up
the state, executes one instruction at label X, and the vector slot it lands
in holds a branch-to-self.  Values come from the Power ISA and the fact sheet
(../shared/reference/ppc-semantics.md); see emu/interrupts.py."""
import pytest

from progs import (MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF,
                   SENTINEL_CTR, SENTINEL_LR, SENTINEL_SRR0, SENTINEL_SRR1, program, srr1_of)

AIL3 = 3 << 23
AIL2 = 2 << 23
AIL1 = 1 << 23
LPCR_HR = 1 << 20
LPCR_HAIL = 1 << 26
LPCR_RESET = 0xC
FSCR_SCV = 1 << 12

HV_MMU_ON = MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_IR | MSR_DR | MSR_RI
HV_MMU_OFF = MSR_SF | MSR_HV | MSR_ME | MSR_RI


def run(ppcvec, src, cpu="power9", **kw):
    kw.setdefault("mmu", "identity")
    return ppcvec.run(src, cpu=cpu, **kw)


# ---------------------------------------------------------------- scv

def test_scv_ail3_goes_to_relocated_scv_vector(ppcvec):
    src = program("X: scv 5", lpcr=LPCR_RESET | AIL3, fscr=FSCR_SCV, msr=HV_MMU_ON)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    e = ppcvec.assert_one_interrupt(r, "scv", vector=0xC0000000000030A0, lr=X + 4,
                                    ctr=srr1_of(HV_MMU_ON), srr0=None, srr1=None, ail=3, lev=5)
    # scv keeps EE and RI, HV unchanged, relocation on through AIL
    assert e.msr_after == MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_IR | MSR_DR | MSR_RI
    assert r.spr("srr0") == SENTINEL_SRR0 and r.spr("srr1") == SENTINEL_SRR1
    assert r.cpus[0].lr == X + 4 and r.cpus[0].ctr == srr1_of(HV_MMU_ON)
    assert r.outcome == "idle" and r.cpus[0].pc == 0xC0000000000030A0


def test_scv_ail0_goes_to_real_0x17000_with_relocation_off(ppcvec):
    src = program("X: scv 5", lpcr=LPCR_RESET, fscr=FSCR_SCV, msr=HV_MMU_ON)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    e = ppcvec.assert_one_interrupt(r, "scv", vector=0x170A0, lr=X + 4, ail=0,
                                    ctr=srr1_of(HV_MMU_ON), srr0=None)
    assert not e.msr_after & (MSR_IR | MSR_DR)
    assert e.msr_after & MSR_EE
    assert r.spr("srr0") == SENTINEL_SRR0


def test_scv_ail3_with_mmu_off_is_not_relocated(ppcvec):
    src = program("X: scv 0", lpcr=LPCR_RESET | AIL3, fscr=FSCR_SCV, msr=HV_MMU_OFF)
    r = run(ppcvec, src)
    ppcvec.assert_one_interrupt(r, "scv", vector=0x17000, ail=0)


def test_scv_ail2_keeps_address_sets_relocation_on_power9(ppcvec):
    src = program("X: scv 5", lpcr=LPCR_RESET | AIL2, fscr=FSCR_SCV, msr=HV_MMU_ON)
    r = run(ppcvec, src)
    e = ppcvec.assert_one_interrupt(r, "scv", vector=0x170A0, ail=2)
    assert e.msr_after & MSR_IR and e.msr_after & MSR_DR


def test_scv_levels_0_1_127(ppcvec):
    for lev, vec in ((0, 0xC000000000003000), (1, 0xC000000000003020), (127, 0xC000000000003FE0)):
        src = program(f"X: scv {lev}", lpcr=LPCR_RESET | AIL3, fscr=FSCR_SCV, msr=HV_MMU_ON)
        ppcvec.assert_one_interrupt(run(ppcvec, src), "scv", vector=vec, lev=lev)


def test_scv_with_fscr_scv_off_is_facility_unavailable_relocated(ppcvec):
    src = program("X: scv 5", lpcr=LPCR_RESET | AIL3, fscr=0, msr=HV_MMU_ON)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    e = ppcvec.assert_one_interrupt(r, "fu", vector=0xC000000000004F60, srr0=X,
                                    srr1=srr1_of(HV_MMU_ON), fscr_ic=12, lr=None, ctr=None)
    assert r.spr("fscr") >> 56 == 12
    assert r.cpus[0].lr == SENTINEL_LR and r.cpus[0].ctr == SENTINEL_CTR
    assert e.msr_after & MSR_HV  # FU does not change HV


def test_scv_with_fscr_scv_off_mmu_off_lands_at_0xf60(ppcvec):
    src = program("X: scv 0", lpcr=LPCR_RESET | AIL3, fscr=0, msr=HV_MMU_OFF)
    r = run(ppcvec, src)
    ppcvec.assert_one_interrupt(r, "fu", vector=0xF60, srr0=r.symbols["X"], fscr_ic=12, ail=0)


def test_fscr_ic_is_overwritten_not_ored(ppcvec):
    src = program("X: scv 0", lpcr=LPCR_RESET, fscr=3 << 56, msr=HV_MMU_OFF)
    r = run(ppcvec, src)
    ppcvec.assert_one_interrupt(r, "fu", vector=0xF60, fscr_ic=12)
    assert r.spr("fscr") >> 56 == 12   # QEMU's OR would give 15


def test_scv_on_power8_is_illegal_heai(ppcvec):
    src = program("X: scv 5", lpcr=LPCR_RESET, fscr=FSCR_SCV, msr=HV_MMU_OFF)
    r = run(ppcvec, src, cpu="power8")
    X = r.symbols["X"]
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=X, hsrr1=srr1_of(HV_MMU_OFF),
                                heir=None, srr0=None)
    assert "heir" not in r.cpus[0].spr     # POWER8 (ISA v2.07) has no HEIR


def test_scv_on_power8_with_ail3_heai_is_relocated(ppcvec):
    src = program("X: scv 5", lpcr=LPCR_RESET | AIL3, fscr=FSCR_SCV, msr=HV_MMU_ON)
    ppcvec.assert_one_interrupt(run(ppcvec, src, cpu="power8"), "heai",
                                vector=0xC000000000004E40, heir=None)


def test_power10_hail_relocates_hv_scv_even_with_ail0(ppcvec):
    src = program("X: scv 0", lpcr=LPCR_RESET | LPCR_HAIL, fscr=FSCR_SCV, msr=HV_MMU_ON)
    r = run(ppcvec, src, cpu="power10")
    ppcvec.assert_one_interrupt(r, "scv", vector=0xC000000000003000, ail=3)


def test_power10_hv_scv_ignores_lpcr_ail_without_hail(ppcvec):
    src = program("X: scv 0", lpcr=LPCR_RESET | AIL3, fscr=FSCR_SCV, msr=HV_MMU_ON)
    r = run(ppcvec, src, cpu="power10")
    ppcvec.assert_one_interrupt(r, "scv", vector=0x17000, ail=0)


def test_rfscv_returns_to_lr_with_msr_from_ctr(ppcvec):
    handler = {0x3000: "    rfscv"}   # AIL=3 scv 0 slot
    src = program("X: scv 0\nY: b .", lpcr=LPCR_RESET | AIL3, fscr=FSCR_SCV, msr=HV_MMU_ON,
                  handlers=handler)
    r = run(ppcvec, src)
    assert [e.kind for e in r.interrupts] == ["scv"]
    assert r.cpus[0].pc == r.symbols["Y"] and r.cpus[0].msr == HV_MMU_ON


# ---------------------------------------------------------------- sc

def test_sc_saves_next_instruction_in_srr0(ppcvec):
    src = program("X: sc", lpcr=LPCR_RESET, msr=HV_MMU_OFF)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    e = ppcvec.assert_one_interrupt(r, "sc", vector=0xC00, srr0=X + 4, srr1=srr1_of(HV_MMU_OFF),
                                    lr=None, ctr=None)
    assert e.msr_after == MSR_SF | MSR_HV | MSR_ME
    assert r.cpus[0].lr == SENTINEL_LR


def test_sc_ail3_hv_to_hv(ppcvec):
    src = program("X: sc", lpcr=LPCR_RESET | AIL3, msr=HV_MMU_ON)
    e = ppcvec.assert_one_interrupt(run(ppcvec, src), "sc", vector=0xC000000000004C00, ail=3)
    assert not e.msr_after & MSR_EE


def test_sc1_from_hv0_escalates_without_ail_on_power9_hpt(ppcvec):
    guest = MSR_SF | MSR_ME | MSR_IR | MSR_DR | MSR_RI
    src = program("X: sc 1", lpcr=LPCR_RESET | AIL3, enter_msr=guest)
    r = run(ppcvec, src)
    e = ppcvec.assert_one_interrupt(r, "sc", vector=0xC00, srr0=r.symbols["X"] + 4,
                                    srr1=srr1_of(guest), ail=0, lev=1)
    assert e.msr_before & MSR_HV == 0 and e.msr_after & MSR_HV
    assert "escalation" in e.ail_rule


def test_sc1_from_hv0_uses_ail_on_power9_radix(ppcvec):
    guest = MSR_SF | MSR_ME | MSR_IR | MSR_DR | MSR_RI
    src = program("X: sc 1", lpcr=LPCR_RESET | AIL3 | LPCR_HR, enter_msr=guest)
    ppcvec.assert_one_interrupt(run(ppcvec, src), "sc", vector=0xC000000000004C00, ail=3)


# ---------------------------------------------------------------- program / HEAI

def test_problem_state_mtspr_lpcr_is_privileged_program(ppcvec):
    user = MSR_SF | MSR_HV | MSR_PR | MSR_ME
    src = program("X: mtspr 318, 3", lpcr=LPCR_RESET, enter_msr=user)
    r = run(ppcvec, src)
    forced = user | MSR_EE | MSR_IR | MSR_DR   # PR forces EE, IR, DR
    e = ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"],
                                    srr1=srr1_of(forced) | 0x40000)
    assert e.msr_before == forced
    assert r.spr("lpcr") == LPCR_RESET & ~0x4   # unchanged since `mtspr LPCR, 0xC` (LPES1 reads 0)


def test_problem_state_mfmsr_is_privileged(ppcvec):
    src = program("X: mfmsr 3", enter_msr=MSR_SF | MSR_HV | MSR_PR)
    e = ppcvec.assert_one_interrupt(run(ppcvec, src), "program", vector=0x700)
    assert e.srr1 & 0x40000


def test_supervisor_mtspr_lpcr_is_hv_emulation_assist(ppcvec):
    # with LPCR[EVIRT]=1; EVIRT=0 gives Program[PRIV] (tests/test_conformance_regressions.py)
    sv = MSR_SF | MSR_ME
    src = program("X: mtspr 318, 3", lpcr=LPCR_RESET | (1 << 21), enter_msr=sv)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=X, heir=0x7C7E4BA6)


def test_supervisor_hrfid_is_hv_emulation_assist(ppcvec):
    src = program("X: hrfid", lpcr=LPCR_RESET | (1 << 21), enter_msr=MSR_SF | MSR_ME)   # EVIRT
    ppcvec.assert_one_interrupt(run(ppcvec, src), "heai", vector=0xE40, heir=0x4C000224)


def test_illegal_instruction_is_heai_with_heir(ppcvec):
    src = program("X: .long 0", msr=HV_MMU_OFF)
    r = run(ppcvec, src)
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=r.symbols["X"], heir=0)


def test_trap_sets_srr1_trap_bit(ppcvec):
    src = program("X: tw 31, 0, 0", msr=HV_MMU_OFF)
    r = run(ppcvec, src)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"],
                                srr1=srr1_of(HV_MMU_OFF) | 0x20000)


def test_untaken_conditional_trap_does_nothing(ppcvec):
    src = program("    li 3, 1\n    li 4, 2\nX: td 4, 3, 4\n    attn", msr=HV_MMU_OFF)  # trap if equal
    r = run(ppcvec, src)
    assert r.interrupts == [] and r.outcome == "attn"


# ---------------------------------------------------------------- machine check

def test_load_outside_ram_is_machine_check_with_dar(ppcvec):
    src = program("    lis 4, 0x1\n    sldi 4, 4, 16\nX: ld 3, 8(4)", msr=HV_MMU_OFF)
    r = run(ppcvec, src)   # EA 0x100000008: beyond the 2 GiB of RAM
    e = ppcvec.assert_one_interrupt(r, "mce", vector=0x200, srr0=r.symbols["X"], dar=0x100000008)
    assert e.srr1 & 0x200000
    assert not e.msr_after & MSR_ME


def test_machine_check_with_me_off_is_checkstop(ppcvec):
    src = program("    lis 4, 0x1\n    sldi 4, 4, 16\nX: ld 3, 8(4)",
                  msr=MSR_SF | MSR_HV)   # ME=0, as at reset
    r = run(ppcvec, src)
    assert r.outcome == "checkstop" and r.interrupts == []


def test_machine_check_never_uses_ail(ppcvec):
    src = program("    lis 4, 0x1\n    sldi 4, 4, 16\nX: ld 3, 8(4)",
                  lpcr=LPCR_RESET | AIL3, msr=HV_MMU_ON)
    ppcvec.assert_one_interrupt(run(ppcvec, src), "mce", vector=0x200, ail=0)


# ---------------------------------------------------------------- MSR instructions

def test_mtmsrd_l1_changes_only_ee_and_ri(ppcvec):
    src = program("    li 3, -1\nX: mtmsrd 3, 1\n    mfmsr 4\n    attn", msr=MSR_SF | MSR_HV)
    r = run(ppcvec, src)
    assert r.outcome == "attn"
    assert r.gpr(4) == MSR_SF | MSR_HV | MSR_EE | MSR_RI


def test_mtmsrd_cannot_change_hv(ppcvec):
    src = program("    li 3, 0\nX: mtmsrd 3\n    mfmsr 4\n    attn", msr=MSR_SF | MSR_HV)
    r = run(ppcvec, src)
    assert r.gpr(4) == MSR_HV     # SF cleared, HV kept


def test_rfid_from_hv_can_clear_hv(ppcvec):
    body = ("    lis 3, target@h\n    ori 3, 3, target@l\n    mtspr 26, 3\n"
            "    li 4, 0x1000\n    sldi 5, 4, 51\n    or 4, 4, 5\n    mtspr 27, 4\n"   # SF|ME
            "X: rfid\ntarget:\n    mfmsr 6\n    b .")
    r = run(ppcvec, program(body, msr=HV_MMU_OFF))
    assert r.cpus[0].pc == r.symbols["target"] + 4
    assert r.gpr(6) == MSR_SF | MSR_ME


def test_rfid_in_supervisor_cannot_set_hv(ppcvec):
    body = ("    lis 3, target@h\n    ori 3, 3, target@l\n    mtspr 26, 3\n"
            "    li 4, 1\n    sldi 4, 4, 60\n    mtspr 27, 4\n"     # HV only
            "X: rfid\ntarget:\n    b .")
    r = run(ppcvec, program(body, enter_msr=MSR_SF | MSR_ME))
    assert r.cpus[0].msr & MSR_HV == 0 and r.cpus[0].pc == r.symbols["target"]


# ---------------------------------------------------------------- SPRs and models

@pytest.mark.parametrize("cpu,pvr", [("power8", 0x004D0200), ("power9", 0x004E1200),
                                     ("power10", 0x00800200)])
def test_pvr(ppcvec, cpu, pvr):
    r = run(ppcvec, program("X: mfspr 3, 287\n    attn", msr=HV_MMU_OFF), cpu=cpu)
    assert r.gpr(3) == pvr


@pytest.mark.parametrize("cpu,keeps_hail", [("power9", False), ("power10", True)])
def test_lpcr_hail_writable_only_on_power10(ppcvec, cpu, keeps_hail):
    r = run(ppcvec, program("X: mfspr 3, 318\n    attn", lpcr=LPCR_RESET | LPCR_HAIL | AIL3),
            cpu=cpu)
    assert bool(r.gpr(3) & LPCR_HAIL) == keeps_hail
    assert r.gpr(3) & AIL3 == AIL3


def test_sprg_and_srr_round_trip_and_pir(ppcvec):
    """SPRG0/HSPRG0 round-trip; PIR (1023) reads each thread's own number: CPU 1
    publishes its PIR at 0x30000, CPU 0 waits for it before ending the run."""
    body = ("    mfspr 5, 1023\n    lis 9, 3\n    cmpdi 5, 0\n    bne cpu1\n"
            "    li 3, 0x123\n    mtspr 272, 3\n    mfspr 4, 272\n"
            "    li 6, 0x77\n    mtspr 304, 6\n    mfspr 7, 304\n"
            "wait: ld 8, 0(9)\n    cmpdi 8, 0\n    beq wait\n    attn\n"
            "cpu1: addi 10, 5, 0x100\n    std 10, 0(9)\n    b .")
    r = run(ppcvec, program(body, msr=HV_MMU_OFF), smp=2)
    assert r.gpr(4) == 0x123 and r.gpr(7) == 0x77
    assert r.gpr(5) == 0 and r.gpr(5, cpu=1) == 1
    assert r.gpr(8) == 0x101                 # what CPU 1 stored: its PIR + 0x100


def test_decrementer_interrupt_when_ee(ppcvec):
    body = ("    li 3, 100\n    mtspr 22, 3\n    mfmsr 4\n    ori 4, 4, 0x8000\n    mtmsrd 4\n"
            "loop: addi 5, 5, 1\n    b loop")
    r = run(ppcvec, program(body, msr=HV_MMU_OFF))
    e = r.interrupts[0]
    assert e.kind == "dec" and e.vector == 0x900
    assert r.symbols["loop"] <= e.srr0 <= r.symbols["loop"] + 4


def test_decrementer_wakes_a_cpu_parked_in_branch_to_self(ppcvec):
    body = ("    li 3, 1000\n    mtspr 22, 3\n    mfmsr 4\n    ori 4, 4, 0x8000\n    mtmsrd 4\n"
            "park: b park")
    r = run(ppcvec, program(body, msr=HV_MMU_OFF))
    e = r.interrupts[0]
    assert e.kind == "dec" and e.vector == 0x900 and e.srr0 == r.symbols["park"]
    assert r.outcome == "idle"          # then parked again at the 0x900 slot (EE now 0)


def test_sprg3_user_alias_reads_architected_sprg3_in_problem_state(ppcvec):
    body = "X: mfspr 4, 259\n    mfspr 5, 272\n    b ."     # 259: user-readable SPRG3; 272: privileged
    src = program(body, enter_msr=MSR_SF | MSR_HV | MSR_PR | MSR_ME)
    src = src.replace("    hrfid\n", "    lis 3, 0x1234\n    ori 3, 3, 0x5678\n    mtspr 275, 3\n    hrfid\n", 1)
    r = run(ppcvec, src)
    assert r.gpr(4) == 0x12345678            # the alias, executed natively, sees SPRG3
    e = ppcvec.assert_one_interrupt(r, "program", vector=0x700)   # SPRG0 is privileged
    assert e.srr0 == r.symbols["X"] + 4 and e.srr1 & 0x40000


# ---------------------------------------------------------------- the AIL tables, row by row
# (../shared/reference/ppc-semantics.md (b); QEMU ppc_excp_apply_ail).  `sc`/`sc 1` is the
# probe: its real vector 0xc00 becomes 0x18c00 (AIL=2) or 0xc000000000004c00 (AIL=3).
GUEST = MSR_SF | MSR_ME | MSR_RI                   # HV=0
HOST = MSR_SF | MSR_HV | MSR_ME | MSR_RI           # HV=1
AIL_ROWS = [
    # id, cpu, LPCR extra, entry MSR, insn, vector, effective AIL
    ("p9-ir-only", "power9", AIL3, HOST | MSR_IR, "sc", 0xC00, 0),
    ("p9-dr-only", "power9", AIL3, HOST | MSR_DR, "sc", 0xC00, 0),
    ("p9-hv0to1-hr0", "power9", AIL3, GUEST | MSR_IR | MSR_DR, "sc 1", 0xC00, 0),
    ("p9-hv0to1-hr1", "power9", AIL3 | LPCR_HR, GUEST | MSR_IR | MSR_DR, "sc 1", 0xC000000000004C00, 3),
    ("p9-hr1-mmu-off", "power9", AIL3 | LPCR_HR, GUEST | MSR_DR, "sc 1", 0xC00, 0),
    ("p9-hv1to1", "power9", AIL3, HOST | MSR_IR | MSR_DR, "sc", 0xC000000000004C00, 3),
    ("p9-hv0to0-ail2", "power9", AIL2, GUEST | MSR_IR | MSR_DR, "sc", 0x18C00, 2),
    ("p9-hv0to0-ail3", "power9", AIL3, GUEST | MSR_IR | MSR_DR, "sc", 0xC000000000004C00, 3),
    ("p9-ail1-reserved", "power9", AIL1, HOST | MSR_IR | MSR_DR, "sc", 0xC00, 0),
    ("p8-hv1to1-ail2", "power8", AIL2, HOST | MSR_IR | MSR_DR, "sc", 0x18C00, 2),
    ("p8-hv0to1", "power8", AIL3, GUEST | MSR_IR | MSR_DR, "sc 1", 0xC00, 0),
    ("p10-mmu-off-0to0", "power10", AIL3, GUEST, "sc", 0xC00, 0),
    ("p10-0to0", "power10", AIL3, GUEST | MSR_IR | MSR_DR, "sc", 0xC000000000004C00, 3),
    ("p10-0to0-ail2-reserved", "power10", AIL2, GUEST | MSR_IR | MSR_DR, "sc", 0xC00, 0),
    ("p10-0to1-hail-mmu-off", "power10", LPCR_HAIL, GUEST, "sc 1", 0xC000000000004C00, 3),
    ("p10-0to1-no-hail", "power10", AIL3, GUEST | MSR_IR | MSR_DR, "sc 1", 0xC00, 0),
    ("p10-1to1-hail-mmu-off", "power10", LPCR_HAIL | AIL3, HOST, "sc", 0xC00, 0),
    ("p10-1to1-hail", "power10", LPCR_HAIL, HOST | MSR_IR | MSR_DR, "sc", 0xC000000000004C00, 3),
    ("p10-1to1-ail3-no-hail", "power10", AIL3, HOST | MSR_IR | MSR_DR, "sc", 0xC00, 0),
]


@pytest.mark.parametrize("cpu,lpcr,msr,insn,vector,ail", [r[1:] for r in AIL_ROWS],
                         ids=[r[0] for r in AIL_ROWS])
def test_ail_table_row(ppcvec, cpu, lpcr, msr, insn, vector, ail):
    src = program(f"X: {insn}", lpcr=LPCR_RESET | lpcr, enter_msr=msr)
    r = run(ppcvec, src, cpu=cpu)
    e = ppcvec.assert_one_interrupt(r, "sc", vector=vector, ail=ail, srr0=r.symbols["X"] + 4,
                                    srr1=srr1_of(msr))
    assert bool(e.msr_after & MSR_IR) == bool(e.msr_after & MSR_DR) == bool(ail)
    assert bool(e.msr_after & MSR_HV) == (insn == "sc 1" or bool(msr & MSR_HV))


# ---------------------------------------------------------------- little-endian

def _le(src: str) -> str:
    """Assemble `src` and re-emit it as little-endian instruction words."""
    from harness.toolchain.asm import assemble
    image = assemble(".org 0\n" + src).image
    return "\n".join(f"    .long 0x{int.from_bytes(image[i:i + 4], 'little'):08x}"
                     for i in range(0, len(image), 4))


MSR_LE = 1
LPCR_ILE = 1 << 25
HID0_P9_HILE = 1 << 59


def test_little_endian_code_traps_and_hv_interrupt_follows_hid0_hile(ppcvec):
    body = "X: " + _le("li 3, 5\nmfmsr 4\nsc")   # mfmsr and sc are emulated: decoded as LE
    handler = {0xC00: _le("mfsrr0 5\nattn")}
    src = program(body, lpcr=LPCR_RESET, hid0=HID0_P9_HILE, enter_msr=HOST | MSR_LE,
                  handlers=handler)
    r = run(ppcvec, src)
    assert r.outcome == "attn" and r.gpr(3) == 5 and r.gpr(4) == HOST | MSR_LE
    e = ppcvec.assert_one_interrupt(r, "sc", vector=0xC00, srr0=r.symbols["X"] + 12)
    assert e.msr_after & MSR_LE and r.gpr(5) == r.symbols["X"] + 12


def test_interrupt_to_the_os_takes_le_from_lpcr_ile(ppcvec):
    guest = MSR_SF | MSR_ME | MSR_LE                  # HV=0, little-endian
    src = program("X: " + _le("sc"), lpcr=LPCR_RESET | LPCR_ILE, enter_msr=guest,
                  handlers={0xC00: _le("b .")})     # the handler is little-endian code too
    e = ppcvec.assert_one_interrupt(run(ppcvec, src), "sc", vector=0xC00)
    assert e.msr_after & MSR_LE and not e.msr_after & MSR_HV
    src = program("X: " + _le("sc"), lpcr=LPCR_RESET, enter_msr=guest)      # ILE=0: big-endian
    e = ppcvec.assert_one_interrupt(run(ppcvec, src), "sc", vector=0xC00)
    assert not e.msr_after & MSR_LE


@pytest.mark.ppcvec_cpu("power8")
def test_ppcvec_cpu_marker_runs_on_power8_where_scv_is_illegal(ppcvec):
    """The pytest plugin's `ppcvec_cpu` marker: the same scv program that takes
    system_call_vectored on POWER9 is an illegal instruction (HEAI 0xe40,
    no HEIR: ISA v2.07) on POWER8."""
    r = ppcvec.run(program("    scv 0\n    attn", msr=HV_MMU_OFF))
    e = r.interrupts[0]
    assert e.kind == "heai" and e.vector == 0xE40 and e.heir is None
