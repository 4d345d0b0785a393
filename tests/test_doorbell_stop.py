"""Doorbells (msgsnd/msgclr/msgsndp/msgclrp, 0xE80 and 0xA00) and wake-up from
`stop`/`nap`, kvm-unit-tests style: real machine code on a PowerNV machine whose
threads all start at 0x10 (QEMU convention) and pick their role from PIR.
Rules (emu/cpu.py doorbell_op, doorbell_interrupt, stop_wake_event,
resume_from_stop; emu/machine.py run):
  * msgsnd RB = type 5 << 27 | PIR makes a Directed Hypervisor Doorbell exception
    on that thread; taken at 0xE80 (HSRR0/1) when MSR[EE] | ~MSR[HV];
  * msgclr clears it; msgsndp/msgclrp do the same for the privileged doorbell
    (0xA00, SRR0/1, MSR[EE]) of this one-thread core;
  * stop with PSSCR[EC]=1 (and POWER8 nap) wakes on an LPCR[PECE]-enabled
    exception through System Reset 0x100, SRR0 = after the stop, SRR1[42:45] =
    wake reason (0b0011 hypervisor doorbell, 0b0110 decrementer, 0b0101
    privileged doorbell), SRR1[46:47] = 0b01 (no state loss);
  * stop with EC=0 resumes after the stop on any exception;
  * a thread nobody wakes stays stopped and the run ends "idle"."""
from progs import MSR_EE, MSR_HV, MSR_ME, MSR_RI, MSR_SF

HOST = MSR_SF | MSR_HV           # the PowerNV boot MSR (no ME, no RI)
GUEST = MSR_SF | MSR_ME | MSR_RI
DBELL_SERVER = 5 << 27
PSSCR_EC, PSSCR_ESL = 1 << 20, 1 << 21
LPCR_PDEE, LPCR_HDEE, LPCR_DEE = 0x10000, 0x8000, 0x2000
WAKE_HDBELL, WAKE_DEC, WAKE_DBELL = 0b0011 << 18, 0b0110 << 18, 0b0101 << 18
WS_NOLOSS = 1 << 16
LPCR_RESET = 0xC


# hrfid to label `g` as a guest: HV=0 with MSR = GUEST
ENTER_GUEST_AT_G = f"""    lis 9, g@ha
    addi 9, 9, g@l
    mtspr 314, 9
    li 9, 1
    sldi 9, 9, 63
    ori 9, 9, {GUEST & 0xFFFF}
    mtspr 315, 9
    hrfid
"""


def image(primary: str, secondary: str = "sec: b sec\n", lpcr: int = LPCR_RESET,
          psscr: int = 0) -> str:
    """All threads enter at 0x10; every vector slot parks (b .); PIR 0 runs
    `primary`, the others set LPCR/PSSCR and run `secondary`."""
    slots = "".join(f"    .org {v:#x}\nv{v:x}: b v{v:x}\n"
                    for v in (0x100, 0x200, 0x700, 0x900, 0x980, 0xA00, 0xE40, 0xE80, 0xF80))
    return f"""
    .org 0x10
    b start
{slots}
    .org 0x2000
start:
    lis 3, 0x7fff
    ori 3, 3, 0xffff
    mtspr 22, 3              # DEC far away
    lis 4, {lpcr >> 16}
    ori 4, 4, {lpcr & 0xFFFF}
    mtspr 318, 4             # LPCR
    lis 4, {psscr >> 16}
    ori 4, 4, {psscr & 0xFFFF}
    mtspr 855, 4             # PSSCR
    mfspr 31, 1023           # PIR
    cmpdi 31, 0
    bne secondary
{primary}
secondary:
{secondary}
"""


def run(ppcvec, src, smp=2, machine="powernv9", **kw):
    return ppcvec.run(src, machine=machine, smp=smp, mmu="identity", **kw)


def on(r, cpu):
    return [e for e in r.interrupts if e.cpu == cpu]


SEND_TO_1 = f"""
    lis 5, {DBELL_SERVER >> 16}
    ori 5, 5, 1              # type 5, tag = PIR 1
    msgsnd 5
p0: b p0
"""


def test_cpu0_releases_stopped_cpu1_with_msgsnd_through_system_reset(ppcvec):
    """CPU 1 stops with EC=ESL=1, LPCR[HDEE]; CPU 0's msgsnd wakes it at 0x100 with
    SRR0 = the instruction after stop and SRR1 wake reason 0b0011 | no loss."""
    sec = "halt: stop\nafter: b after\n"
    r = run(ppcvec, image(SEND_TO_1, sec, lpcr=LPCR_RESET | LPCR_HDEE,
                          psscr=PSSCR_EC | PSSCR_ESL))
    assert on(r, 0) == []
    (e,) = on(r, 1)
    assert e.kind == "sreset" and e.vector == 0x100
    assert e.srr0 == r.symbols["after"]
    assert e.srr1 == HOST | WAKE_HDBELL | WS_NOLOSS
    assert e.msr_after == HOST and e.hsrr0 is None
    assert r.cpus[1].pc == 0x100 and r.outcome == "idle"


def test_stopped_cpu_nobody_wakes_ends_idle(ppcvec):
    """No msgsnd: CPU 1 stays in stop, CPU 0 spins; the run ends idle, CPU 1 at its stop."""
    sec = "halt: stop\nafter: b after\n"
    r = run(ppcvec, image("p0: b p0\n", sec, lpcr=LPCR_RESET | LPCR_HDEE,
                          psscr=PSSCR_EC | PSSCR_ESL))
    assert r.interrupts == [] and r.outcome == "idle"
    assert r.cpus[1].state == "stop" and r.cpus[1].pc == r.symbols["halt"]


def test_doorbell_without_hdee_does_not_wake_ec1_stop(ppcvec):
    """EC=1 wakes only on LPCR[PECE]-enabled exceptions: HDEE=0 keeps CPU 1 stopped."""
    sec = "halt: stop\nafter: b after\n"
    r = run(ppcvec, image(SEND_TO_1, sec, lpcr=LPCR_RESET | LPCR_DEE,
                          psscr=PSSCR_EC | PSSCR_ESL))
    assert r.interrupts == [] and r.cpus[1].state == "stop" and r.outcome == "idle"


def test_ec0_stop_resumes_after_stop_then_takes_e80_with_ee(ppcvec):
    """EC=0: the doorbell ends the stop even with EE=0 and without PECE; CPU 1
    continues after the stop (r7=1), opens EE, and takes 0xE80 with HSRR0 = the
    next instruction, HSRR1 = the MSR with EE."""
    sec = f"""
    stop
    li 7, 1
    li 8, 0
    ori 8, 8, {MSR_EE}
    mtmsrd 8, 1
w1: b w1
"""
    r = run(ppcvec, image(SEND_TO_1, sec, lpcr=LPCR_RESET, psscr=0))
    (e,) = on(r, 1)
    assert e.kind == "hdoorbell" and e.vector == 0xE80
    assert e.hsrr0 == r.symbols["w1"] and e.hsrr1 == HOST | MSR_EE
    assert e.srr0 is None and r.gpr(7, cpu=1) == 1


def test_e80_in_hypervisor_state_waits_for_ee(ppcvec):
    """A doorbell to itself with HV=1, EE=0 stays pending (r7 counts on); mtmsrd EE=1
    takes it at once at 0xE80, HSRR0 = the instruction after the mtmsrd."""
    prim = f"""
    lis 5, {DBELL_SERVER >> 16}
    msgsnd 5                 # tag 0: this thread
    li 7, 5
    li 8, 0
    ori 8, 8, {MSR_EE}
    mtmsrd 8, 1
next: b next
"""
    r = run(ppcvec, image(prim), smp=1)
    e = ppcvec.assert_one_interrupt(r, "hdoorbell", vector=0xE80, hsrr0=r.symbols["next"],
                                    hsrr1=HOST | MSR_EE)
    assert r.gpr(7) == 5 and e.msr_after == HOST


def test_e80_taken_in_guest_state_with_ee_off(ppcvec):
    """MSR[EE] | ~MSR[HV]: a guest (HV=0, EE=0) takes the hypervisor doorbell."""
    prim = f"""
    lis 5, {DBELL_SERVER >> 16}
    msgsnd 5
{ENTER_GUEST_AT_G}g:  b g
"""
    r = run(ppcvec, image(prim), smp=1)
    ppcvec.assert_one_interrupt(r, "hdoorbell", vector=0xE80, hsrr0=r.symbols["g"],
                                hsrr1=GUEST)


def test_msgclr_cancels_the_pending_doorbell(ppcvec):
    prim = f"""
    lis 5, {DBELL_SERVER >> 16}
    msgsnd 5
    msgclr 5
    li 8, 0
    ori 8, 8, {MSR_EE}
    mtmsrd 8, 1
next: b next
"""
    r = run(ppcvec, image(prim), smp=1)
    assert r.interrupts == [] and r.outcome == "idle"


def test_other_message_types_are_no_ops(ppcvec):
    """RB type 4 (not the server type 5): msgsnd does nothing."""
    prim = f"""
    lis 5, {(4 << 27) >> 16}
    msgsnd 5
    li 8, 0
    ori 8, 8, {MSR_EE}
    mtmsrd 8, 1
next: b next
"""
    r = run(ppcvec, image(prim), smp=1)
    assert r.interrupts == []


def test_msgsndp_privileged_doorbell_a00_and_msgclrp(ppcvec):
    """msgsndp to thread 0 of this core: 0xA00 with SRR0/SRR1 once EE=1 (HV kept);
    a msgclrp before EE cancels it."""
    prim = f"""
    lis 5, {DBELL_SERVER >> 16}
    msgsndp 5
    li 8, 0
    ori 8, 8, {MSR_EE}
    mtmsrd 8, 1
next: b next
"""
    r = run(ppcvec, image(prim), smp=1)
    e = ppcvec.assert_one_interrupt(r, "doorbell", vector=0xA00, srr0=r.symbols["next"],
                                    srr1=HOST | MSR_EE, hsrr0=None)
    assert e.msr_after == HOST
    r2 = run(ppcvec, image(prim.replace("msgsndp 5\n", "msgsndp 5\n    msgclrp 5\n")), smp=1)
    assert r2.interrupts == []


def test_msgsndp_in_guest_needs_hfscr_msgp(ppcvec):
    """HV=0 with HFSCR[MSGP]=0: Hypervisor Facility Unavailable 0xF80, HFSCR[IC]=10."""
    prim = f"""
    lis 5, {DBELL_SERVER >> 16}
{ENTER_GUEST_AT_G}g:  msgsndp 5
"""
    r = run(ppcvec, image(prim), smp=1)
    ppcvec.assert_one_interrupt(r, "hfu", vector=0xF80, hsrr0=r.symbols["g"], hfscr_ic=10)


def test_stop_woken_by_decrementer_through_system_reset(ppcvec):
    """EC=1, LPCR[DEE]: DEC=50 then stop; nobody else runs, the machine fast-forwards
    to the decrementer, which wakes the thread at 0x100 with reason 0b0110."""
    prim = "    li 3, 50\n    mtspr 22, 3\n    stop\nafter: b after\n"
    r = run(ppcvec, image(prim, lpcr=LPCR_RESET | LPCR_DEE, psscr=PSSCR_EC | PSSCR_ESL),
            smp=1)
    e = ppcvec.assert_one_interrupt(r, "sreset", vector=0x100, srr0=r.symbols["after"])
    assert e.srr1 == HOST | WAKE_DEC | WS_NOLOSS
    assert r.cpus[0].insns >= 50


def test_stop_without_dee_is_not_woken_by_decrementer(ppcvec):
    prim = "    li 3, 50\n    mtspr 22, 3\n    stop\nafter: b after\n"
    r = run(ppcvec, image(prim, lpcr=LPCR_RESET, psscr=PSSCR_EC | PSSCR_ESL), smp=1)
    assert r.interrupts == [] and r.cpus[0].state == "stop" and r.outcome == "idle"


def test_ec0_stop_woken_by_decrementer_then_0x900(ppcvec):
    """EC=0: the decrementer ends the stop (EE=0); after opening EE the thread takes
    0x900 with SRR0 = the instruction after the mtmsrd."""
    prim = f"""
    li 3, 30
    mtspr 22, 3
    stop
    li 8, 0
    ori 8, 8, {MSR_EE}
    mtmsrd 8, 1
next: b next
"""
    r = run(ppcvec, image(prim, psscr=0), smp=1)
    ppcvec.assert_one_interrupt(r, "dec", vector=0x900, srr0=r.symbols["next"])


def test_power8_nap_wakes_through_system_reset_with_pdee(ppcvec):
    """POWER8 nap always resumes through 0x100; msgsndp + LPCR[PDEE] gives reason 0b0101."""
    prim = f"""
    lis 5, {DBELL_SERVER >> 16}
    msgsndp 5
    .long 0x4c000364         # nap
after: b after
"""
    r = run(ppcvec, image(prim, lpcr=LPCR_RESET | LPCR_PDEE), smp=1, machine="powernv8")
    e = ppcvec.assert_one_interrupt(r, "sreset", vector=0x100, srr0=r.symbols["after"])
    assert e.srr1 == HOST | WAKE_DBELL | WS_NOLOSS


def test_two_cpu_run_is_deterministic(ppcvec):
    sec = "halt: stop\nafter: b after\n"
    src = image(SEND_TO_1, sec, lpcr=LPCR_RESET | LPCR_HDEE, psscr=PSSCR_EC | PSSCR_ESL)
    a, b = run(ppcvec, src), run(ppcvec, src)
    assert [e.to_dict() for e in a.interrupts] == [e.to_dict() for e in b.interrupts]
    assert a.insns == b.insns
