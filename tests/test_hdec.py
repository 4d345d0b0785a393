"""Hypervisor Decrementer interrupt (0x980), kvm-unit-tests style (like test_dec
in kvm-unit-tests powerpc/interrupts.c, which programs HDEC via mtspr 0x136 with
LPCR[HDICE]).  Rules (emu/cpu.py hdec_write, hdec_enabled, async_interrupt):
  * the exception comes into existence when HDEC bit 0 goes 0 -> 1 (decrementing
    past 0, or a mtspr making it negative) and is consumed by the interrupt:
    edge-triggered (Linux exceptions-64s.S hdecrementer: "they are edge-triggered");
  * it is taken when LPCR[HDICE] & (MSR[EE] | ~MSR[HV]);
  * it is an HV-class interrupt: HSRR0/HSRR1, MSR[HV]=1, vector 0x980;
  * it ranks above the Decrementer.
The timebase ticks once per retired instruction."""
from progs import (needs_block_counter, MSR_EE, MSR_DR, MSR_HV, MSR_IR, MSR_ME, MSR_RI, MSR_SF, SENTINEL_SRR0,
                   SENTINEL_SRR1, program, srr1_of)

LPCR_HDICE = 1
LPCR_RESET = 0xC
LPCR_AIL3 = 3 << 23
HOST = MSR_SF | MSR_HV | MSR_ME | MSR_RI
GUEST = MSR_SF | MSR_ME | MSR_RI


def run(ppcvec, src, machine="powernv9", **kw):
    return ppcvec.run(src, machine=machine, mmu="identity", **kw)


def before_hrfid(src: str, code: str) -> str:
    """Insert `code` right before the hrfid that enters the test MSR."""
    return src.replace("    hrfid\n", code + "    hrfid\n", 1)


def test_hdec_interrupt_with_hdice_and_ee(ppcvec):
    """HV, EE=1, LPCR[HDICE]=1: 0x980 with HSRR0 = the waiting branch, HSRR1 = the
    MSR (EE=1); SRR0/SRR1 untouched; the handler runs with HV=1, EE=0."""
    body = "    li 3, 100\n    mtspr 310, 3\nX: b X\n"
    r = run(ppcvec, program(body, lpcr=LPCR_RESET | LPCR_HDICE, msr=HOST | MSR_EE))
    e = ppcvec.assert_one_interrupt(r, "hdec", vector=0x980, hsrr0=r.symbols["X"],
                                    hsrr1=srr1_of(HOST | MSR_EE), srr0=None)
    assert e.msr_after == HOST                      # SF, HV, ME, RI kept; EE cleared
    cpu = r.cpus[0]
    assert cpu.spr["srr0"] == SENTINEL_SRR0 and cpu.spr["srr1"] == SENTINEL_SRR1
    assert r.spr("hsrr0") == r.symbols["X"]
    assert r.outcome == "idle"                      # then parked in the 0x980 slot


@needs_block_counter
def test_hdec_fires_after_the_programmed_count(ppcvec):
    """HDEC=N: the interrupt comes N+1 timebase ticks after the mtspr (HDEC reads -1)."""
    body = "    li 3, 40\n    mtspr 310, 3\nloop: addi 5, 5, 1\n    b loop\n"
    r = run(ppcvec, program(body, lpcr=LPCR_RESET | LPCR_HDICE, msr=HOST | MSR_EE))
    e = ppcvec.assert_one_interrupt(r, "hdec", vector=0x980)
    # 41 ticks: about 20 iterations of the two-instruction loop (ppcvec delivers
    # asynchronous interrupts at translation-block boundaries, so within one block)
    assert 20 <= r.gpr(5) <= 21 and e.hsrr0 in (r.symbols["loop"], r.symbols["loop"] + 4)


def test_hdec_without_hdice_is_not_taken(ppcvec):
    body = "    li 3, 50\n    mtspr 310, 3\npark: b park\n"
    r = run(ppcvec, program(body, lpcr=LPCR_RESET, msr=HOST | MSR_EE))
    assert r.interrupts == [] and r.outcome == "idle"


@needs_block_counter
def test_hdec_masked_by_ee_in_hypervisor_state_until_mtmsrd(ppcvec):
    """HV=1, EE=0: the exception waits; mtmsrd EE=1 lets it in before the next
    instruction (HSRR0 = the instruction after the mtmsrd)."""
    body = ("    li 3, 10\n    mtspr 310, 3\n    li 4, 100\n    mtctr 4\n"
            "spin: bdnz spin\n    mfmsr 4\n    ori 4, 4, 0x8000\n    mtmsrd 4, 1\nY: nop\n    b .\n")
    r = run(ppcvec, program(body, lpcr=LPCR_RESET | LPCR_HDICE, msr=HOST))
    e = ppcvec.assert_one_interrupt(r, "hdec", vector=0x980, hsrr0=r.symbols["Y"])
    assert e.hsrr1 & MSR_EE and r.cpus[0].ctr == 0         # the spin loop ran to the end


def test_hdec_taken_in_a_guest_with_ee_off(ppcvec):
    """MSR[HV]=0: the interrupt is enabled whatever MSR[EE] is (ISA: HDICE &
    (EE | ~HV)); it escalates to HV=1 with HSRR1 = the guest MSR."""
    src = before_hrfid(program("X: b X\n", lpcr=LPCR_RESET | LPCR_HDICE, enter_msr=GUEST),
                       "    li 3, 30\n    mtspr 310, 3\n")
    r = run(ppcvec, src)
    e = ppcvec.assert_one_interrupt(r, "hdec", vector=0x980, hsrr0=r.symbols["X"],
                                    hsrr1=srr1_of(GUEST))
    assert e.msr_after & MSR_HV and not e.msr_before & MSR_HV


def test_hdec_is_edge_triggered_one_interrupt_per_underflow(ppcvec):
    """The handler returns with EE=1 while HDEC is still negative: no second
    interrupt (the decrementer, level-triggered, would fire again)."""
    handler = "    addi 8, 8, 1\n    hrfid\n"
    body = "    li 8, 0\n    li 3, 20\n    mtspr 310, 3\npark: b park\n"
    r = run(ppcvec, program(body, lpcr=LPCR_RESET | LPCR_HDICE, msr=HOST | MSR_EE,
                            handlers={0x980: handler}))
    ppcvec.assert_one_interrupt(r, "hdec", vector=0x980, hsrr0=r.symbols["park"])
    assert r.gpr(8) == 1 and r.spr("hsrr1") & MSR_EE
    assert r.outcome == "idle"


def test_mthdec_negative_raises_the_exception_at_once(ppcvec):
    """A mtspr that turns HDEC bit 0 from 0 to 1 is an underflow too: the interrupt
    comes before the next instruction."""
    body = "    li 3, -1\n    mtspr 310, 3\nY: nop\n    b .\n"
    r = run(ppcvec, program(body, lpcr=LPCR_RESET | LPCR_HDICE, msr=HOST | MSR_EE))
    ppcvec.assert_one_interrupt(r, "hdec", vector=0x980, hsrr0=r.symbols["Y"])


def test_hdec_ranks_above_the_decrementer(ppcvec):
    """DEC and HDEC both negative when EE comes on: the Hypervisor Decrementer is
    delivered first (ISA III "Interrupt Priorities")."""
    body = ("    li 3, -1\n    mtspr 22, 3\n    mtspr 310, 3\n"
            "    mfmsr 4\n    ori 4, 4, 0x8000\n    mtmsrd 4, 1\nY: b .\n")
    r = run(ppcvec, program(body, lpcr=LPCR_RESET | LPCR_HDICE, msr=HOST))
    assert [e.kind for e in r.interrupts][:1] == ["hdec"]
    assert r.interrupts[0].vector == 0x980 and r.interrupts[0].hsrr0 == r.symbols["Y"]


def test_hdec_with_ail3_and_relocation_on_power9(ppcvec):
    """An HV->HV interrupt like any other: LPCR[AIL]=3 with IR=DR=1 on POWER9
    relocates it to 0xc000000000004980; POWER10 needs HAIL (none here: 0x980)."""
    body = "    li 3, 20\n    mtspr 310, 3\nX: b X\n"
    msr = HOST | MSR_EE | MSR_IR | MSR_DR
    for machine, vector in (("powernv9", 0xC000000000004980), ("powernv10", 0x980)):
        r = run(ppcvec, program(body, lpcr=LPCR_RESET | LPCR_HDICE | LPCR_AIL3, msr=msr),
                machine=machine)
        ppcvec.assert_one_interrupt(r, "hdec", vector=vector, hsrr0=r.symbols["X"])


@needs_block_counter
def test_mfspr_hdec_reads_the_count_down(ppcvec):
    body = "    li 3, 1000\n    mtspr 310, 3\n    nop\n    nop\n    mfspr 4, 310\n    attn\n"
    r = run(ppcvec, program(body, lpcr=LPCR_RESET, msr=HOST))
    assert r.outcome == "attn" and 990 <= r.gpr(4) < 1000


def test_hdec_on_power8(ppcvec):
    body = "    li 3, 10\n    mtspr 310, 3\nX: b X\n"
    r = run(ppcvec, program(body, lpcr=LPCR_RESET | LPCR_HDICE, msr=HOST | MSR_EE),
            machine="powernv8")
    ppcvec.assert_one_interrupt(r, "hdec", vector=0x980, hsrr0=r.symbols["X"])

