"""ppcvec bugs found by the QEMU conformance suite (tests/conformance/), one
test per rule, kvm-unit-tests style (see tests/test_interrupts.py)."""
from progs import MSR_HV, MSR_ME, MSR_RI, MSR_SF, program, srr1_of

MSR_LE = 1
LPCR_AIL3 = 3 << 23


def test_mtmsrd_cannot_set_me_in_hypervisor_state(ppcvec):
    """ISA III 4.4.4 mtmsrd: MSR[ME] is not among the bits set from RS
    (tests/conformance/mtmsrd_me.S; QEMU 7.2 agrees)."""
    body = ("    lis 3, 0x9000\n    sldi 3, 3, 32\n    ori 3, 3, 0x1002\n"   # SF|HV|ME|RI
            "    mtmsrd 3\nX: sc\n")
    r = ppcvec.run(program(body, msr=MSR_SF | MSR_HV), machine="powernv9")
    ppcvec.assert_one_interrupt(r, "sc", vector=0xC00, srr0=r.symbols["X"] + 4,
                                srr1=srr1_of(MSR_SF | MSR_HV | MSR_RI))


def test_mtmsrd_cannot_clear_me_either(ppcvec):
    body = "    lis 3, 0x9000\n    sldi 3, 3, 32\n    mtmsrd 3\n    mfmsr 4\n    attn\n"
    r = ppcvec.run(program(body, msr=MSR_SF | MSR_HV | MSR_ME), machine="powernv9")
    assert r.outcome == "attn" and r.gpr(4) == MSR_SF | MSR_HV | MSR_ME


def test_mtmsrd_cannot_set_le(ppcvec):
    body = "    li 3, 1\n    mtmsrd 3\n    mfmsr 4\n    attn\n"   # LE only
    r = ppcvec.run(program(body, msr=MSR_SF | MSR_HV), machine="powernv9")
    assert r.outcome == "attn" and not r.gpr(4) & MSR_LE


def test_rfid_in_hypervisor_state_still_sets_me(ppcvec):
    r = ppcvec.run(program("    mfmsr 4\n    attn\n", msr=MSR_SF | MSR_HV | MSR_ME),
                   machine="powernv9")
    assert r.gpr(4) & MSR_ME


def test_mtspr_lpcr_drops_unimplemented_lpes1(ppcvec):
    """LPCR reads back `value & lpcr_mask`: the reset value 0xC has LPES1 (IBM 61),
    which no model lets software write (QEMU 7.2 reads 0x8 after writing 0xC on
    POWER8/9/10; tests/conformance/sc_ail3_mmuoff.S)."""
    for machine in ("powernv8", "powernv9", "powernv10"):
        body = "    mfspr 4, 318\n    attn\n"
        r = ppcvec.run(program(body, lpcr=0xC | LPCR_AIL3), machine=machine)
        assert r.gpr(4) == 0x8 | LPCR_AIL3, machine


def test_lpcr_reset_value_is_0xc_until_written(ppcvec):
    r = ppcvec.run(program("    mfspr 4, 318\n    attn\n"), machine="powernv9")
    assert r.gpr(4) == 0xC
