"""ppcvec bugs found by the QEMU conformance suite (harness/conform/programs/), one
test per rule, kvm-unit-tests style (see tests/test_interrupts.py)."""
from progs import MSR_HV, MSR_ME, MSR_RI, MSR_SF, program, srr1_of

MSR_LE = 1
LPCR_AIL3 = 3 << 23


def test_mtmsrd_cannot_set_me_in_hypervisor_state(ppcvec):
    """ISA III 4.4.4 mtmsrd: MSR[ME] is not among the bits set from RS
    (harness/conform/programs/mtmsrd_me.S; QEMU 7.2 agrees)."""
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


def test_hrfid_into_hypervisor_state_sets_me(ppcvec):
    r = ppcvec.run(program("    mfmsr 4\n    attn\n", msr=MSR_SF | MSR_HV | MSR_ME),
                   machine="powernv9")
    assert r.gpr(4) & MSR_ME


def test_mtspr_lpcr_drops_unimplemented_lpes1(ppcvec):
    """LPCR reads back `value & lpcr_mask`: the reset value 0xC has LPES1 (IBM 61),
    which no model lets software write (QEMU 7.2 reads 0x8 after writing 0xC on
    POWER8/9/10; harness/conform/programs/sc_ail3_mmuoff.S)."""
    for machine in ("powernv8", "powernv9", "powernv10"):
        body = "    mfspr 4, 318\n    attn\n"
        r = ppcvec.run(program(body, lpcr=0xC | LPCR_AIL3), machine=machine)
        assert r.gpr(4) == 0x8 | LPCR_AIL3, machine


def test_lpcr_reset_value_is_0xc_until_written(ppcvec):
    r = ppcvec.run(program("    mfspr 4, 318\n    attn\n"), machine="powernv9")
    assert r.gpr(4) == 0xC


# ------------------------------------------------------------ hypervisor resources from HV=0
# harness/conform/programs/guest_hrfid.S, guest_mtlpcr.S: QEMU 7.2 takes a Privileged Instruction
# type Program interrupt; ppcvec took an HEAI.  The ISA agrees with QEMU while LPCR[EVIRT]=0
# (emu/privileged.py hv_resource_in_guest).
GUEST = MSR_SF | MSR_ME | MSR_RI
LPCR_EVIRT = 1 << 21
SRR1_PRIV = 0x40000


def test_supervisor_hrfid_is_program_priv_without_evirt(ppcvec):
    for machine in ("powernv8", "powernv9", "powernv10"):
        r = ppcvec.run(program("X: hrfid\n", lpcr=0xC, enter_msr=GUEST), machine=machine)
        ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"],
                                    srr1=srr1_of(GUEST) | SRR1_PRIV, hsrr0=None)


def test_supervisor_mtspr_lpcr_is_program_priv_without_evirt(ppcvec):
    r = ppcvec.run(program("X: mtspr 318, 3\n", lpcr=0xC, enter_msr=GUEST), machine="powernv9")
    e = ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"],
                                    srr1=srr1_of(GUEST) | SRR1_PRIV)
    assert not e.msr_after & MSR_HV                  # stays in the partition
    assert r.spr("lpcr") == 0x8                      # not written


def test_supervisor_hv_spr_with_evirt_is_heai_with_hsrr1_bit45(ppcvec):
    """LPCR[EVIRT]=1 (ISA v3.0): HEAI, HSRR1 bit 45 set, HEIR = the instruction
    (QEMU 7.2 ignores EVIRT: deviation evirt-ignored)."""
    r = ppcvec.run(program("X: mfspr 4, 318\n", lpcr=0xC | LPCR_EVIRT, enter_msr=GUEST),
                   machine="powernv10")
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=r.symbols["X"],
                                hsrr1=srr1_of(GUEST) | SRR1_PRIV, heir=0x7C9E4AA6)


def test_undefined_spr_zero_from_supervisor_is_still_heai(ppcvec):
    """Not a hypervisor resource: SPR 0 is illegal (HEAI) whatever EVIRT is."""
    r = ppcvec.run(program("X: mtspr 0, 3\n", lpcr=0xC, enter_msr=GUEST), machine="powernv9")
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=r.symbols["X"])
