"""Trace interrupts (0xD00): MSR[SE] single step and MSR[BE] branch trace,
kvm-unit-tests style (powerpc/interrupts.c test_trace).  Power ISA v3.1 Book III
4.2.1 MSR[SE]/[BE] and 7.5.15 "Trace Interrupt"; emu/cpu.py run_traced.

Most programs put `rfid` in the 0xD00 slot: it resumes at SRR0 with SRR1, so
SE (or BE) is on again and the next instruction is traced too; every trace is
an event with its SRR0.  The run ends at the System Call vector's `b .`."""
from emu.cpu import is_branch, never_traced, trace_after
from progs import needs_block_counter, MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF, load64, \
    program, srr1_of

MSR_SE = 1 << 10
MSR_BE = 1 << 9
SRR1_TRACE = 1 << 30            # IBM bit 33
SRR1_TRAP = 0x00020000
HV_REAL = MSR_SF | MSR_HV | MSR_ME | MSR_RI
HV_MMU_ON = HV_REAL | MSR_IR | MSR_DR
LPCR_RESET = 0xC
AIL3 = 3 << 23
LPCR_HAIL = 1 << 26
RESUME = {0xD00: "    rfid"}


def run(ppcvec, src, cpu="power9", **kw):
    kw.setdefault("mmu", "identity")
    return ppcvec.run(src, cpu=cpu, **kw)


def traces(r):
    return [e for e in r.interrupts if e.kind == "trace"]


def set_msr(msr):
    return load64(4, msr) + "    mtmsrd 4\n"


# ---------------------------------------------------------------- single step

STEPPED = """
X:  addi 3, 3, 1
    addi 3, 3, 2
    b 1f
    addi 3, 3, 0x100
1:  addi 3, 3, 4
    sc
"""


def test_single_step_traces_every_instruction_srr0_is_the_next_one(ppcvec):
    src = program("    li 3, 0\n" + set_msr(HV_REAL | MSR_SE) + STEPPED, msr=HV_REAL,
                  handlers=RESUME)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    t = traces(r)
    # the mtmsrd that set SE is not traced; b is traced at its target
    assert [e.insn_addr for e in t] == [X, X + 4, X + 8, X + 16]
    assert [e.srr0 for e in t] == [X + 4, X + 8, X + 16, X + 20]
    for e in t:
        assert e.vector == 0xD00 and e.ail == 0
        assert e.srr1 == srr1_of(HV_REAL | MSR_SE) | SRR1_TRACE
        assert e.msr_after == HV_REAL & ~MSR_RI          # SE cleared, RI cleared
    # sc is not traced: the System Call interrupt ends the run
    ppcvec.assert_interrupt(r, 4, "sc", vector=0xC00, srr0=X + 24)
    assert len(r.interrupts) == 5 and r.outcome == "idle" and r.cpus[0].pc == 0xC00
    assert r.gpr(3) == 7                                  # the stepped code really ran


def test_single_step_handler_sees_se_cleared_and_resumes(ppcvec):
    # without rfid in the slot the first trace parks at 0xd00 with SE=0
    src = program("    li 3, 0\n" + set_msr(HV_REAL | MSR_SE) + STEPPED, msr=HV_REAL)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    ppcvec.assert_one_interrupt(r, "trace", vector=0xD00, srr0=X + 4)
    assert not r.cpus[0].msr & MSR_SE and r.cpus[0].pc == 0xD00 and r.gpr(3) == 1


def test_mtmsrd_clearing_se_is_traced_then_nothing(ppcvec):
    body = ("    li 3, 0\n" + load64(5, HV_REAL) + set_msr(HV_REAL | MSR_SE)
            + "X:  addi 3, 3, 1\nY:  mtmsrd 5\n    addi 3, 3, 2\n    sc\n")
    r = run(ppcvec, program(body, msr=HV_REAL, handlers=RESUME))
    X, Y = r.symbols["X"], r.symbols["Y"]
    assert [e.srr0 for e in traces(r)] == [Y, Y + 4]
    assert traces(r)[1].srr1 == srr1_of(HV_REAL) | SRR1_TRACE   # the MSR after the mtmsrd
    ppcvec.assert_interrupt(r, 2, "sc", srr0=X + 16)


# ---------------------------------------------------------------- no trace

def test_no_trace_after_trap(ppcvec):
    src = program(set_msr(HV_REAL | MSR_SE) + "X:  tw 31, 0, 0\n", msr=HV_REAL,
                  handlers=RESUME)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=X,
                                srr1=srr1_of(HV_REAL | MSR_SE) | SRR1_TRAP)


def test_trap_that_does_not_trap_is_traced(ppcvec):
    src = program(set_msr(HV_REAL | MSR_SE) + "X:  tdi 0, 3, 0\n    tw 31, 0, 0\n",
                  msr=HV_REAL, handlers=RESUME)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    ppcvec.assert_interrupt(r, 0, "trace", srr0=X + 4)
    ppcvec.assert_interrupt(r, 1, "program", srr0=X + 4)
    assert len(r.interrupts) == 2


def test_no_trace_after_sc(ppcvec):
    src = program(set_msr(HV_REAL | MSR_SE) + "X:  sc\n", msr=HV_REAL, handlers=RESUME)
    r = run(ppcvec, src)
    ppcvec.assert_one_interrupt(r, "sc", vector=0xC00, srr0=r.symbols["X"] + 4)


def test_no_trace_after_rfid(ppcvec):
    # kvm-unit-tests "no interrupt on single step rfid": rfid to SE=0, sc at the target
    body = ("    lis 3, target@h\n    ori 3, 3, target@l\n    mtsrr0 3\n"
            + load64(3, HV_REAL) + "    mtsrr1 3\n" + set_msr(HV_REAL | MSR_SE)
            + "X:  rfid\ntarget:\n    sc\n")
    r = run(ppcvec, program(body, msr=HV_REAL, handlers=RESUME))
    ppcvec.assert_one_interrupt(r, "sc", srr0=r.symbols["target"] + 4)


def test_rfid_setting_se_traces_the_first_instruction_at_its_target(ppcvec):
    body = ("    lis 3, target@h\n    ori 3, 3, target@l\n    mtsrr0 3\n"
            + load64(3, HV_REAL | MSR_SE) + "    mtsrr1 3\n"
            + "X:  rfid\ntarget:\n    addi 3, 3, 1\n")
    r = run(ppcvec, program(body, msr=HV_REAL))
    T = r.symbols["target"]
    ppcvec.assert_one_interrupt(r, "trace", vector=0xD00, srr0=T + 4)
    assert r.interrupts[0].insn_addr == T


def test_instruction_that_takes_an_interrupt_is_not_traced(ppcvec):
    # problem state mfmsr: Program[PRIV] at 0x700, no trace for it
    user = MSR_SF | MSR_HV | MSR_ME | MSR_RI | MSR_IR | MSR_DR | MSR_PR | MSR_EE | MSR_SE
    r = run(ppcvec, program("X:  mfmsr 3\n", enter_msr=user, handlers=RESUME))
    X = r.symbols["X"]
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["test"])
    assert X == r.symbols["test"]


# ---------------------------------------------------------------- branch trace

def test_branch_trace_traces_branches_taken_or_not_and_nothing_else(ppcvec):
    body = ("    li 3, 0\n    lis 5, L2@h\n    ori 5, 5, L2@l\n    mtlr 5\n"
            + set_msr(HV_REAL | MSR_BE) + """
X:  addi 3, 3, 1
B1: b L1
    addi 3, 3, 0x100
L1: cmpdi 3, 1
B2: bne L3
    addi 3, 3, 2
B3: blr
L3: addi 3, 3, 0x200
L2: addi 3, 3, 4
    sc
""")
    r = run(ppcvec, program(body, msr=HV_REAL, handlers=RESUME))
    s = r.symbols
    t = traces(r)
    assert [e.insn_addr for e in t] == [s["B1"], s["B2"], s["B3"]]
    # taken b: its target; bne not taken: the next instruction; blr: LR
    assert [e.srr0 for e in t] == [s["L1"], s["B2"] + 4, s["L2"]]
    assert all(e.srr1 == srr1_of(HV_REAL | MSR_BE) | SRR1_TRACE for e in t)
    assert all(e.reason == "branch trace" for e in t)
    assert r.interrupts[-1].kind == "sc" and r.gpr(3) == 7


def test_trace_decoders():
    assert is_branch(0x48000008) and is_branch(0x4082000C)          # b, bne
    assert is_branch(0x4E800020) and is_branch(0x4E800420)          # blr, bctr
    assert is_branch(0x4E800460)                                    # bctar
    assert not is_branch(0x38630001) and not is_branch(0x4C000024)  # addi, rfid
    assert never_traced(0x4C000024) and never_traced(0x4C000224)    # rfid, hrfid
    assert never_traced(0x4C0000A4) and never_traced(0x44000002)    # rfscv, sc
    assert not never_traced(0x7C800164)                             # mtmsrd
    assert trace_after(MSR_BE, 0x48000008) and not trace_after(MSR_BE, 0x38630001)
    assert trace_after(MSR_SE, 0x38630001) and not trace_after(0, 0x38630001)
    assert not trace_after(MSR_SE, None)                            # fetch faulted


# ---------------------------------------------------------------- AIL

def test_trace_with_ail3_is_relocated(ppcvec):
    src = program("X:  addi 3, 3, 1\n", lpcr=LPCR_RESET | AIL3,
                  msr=HV_MMU_ON | MSR_SE)
    r = run(ppcvec, src)
    X = r.symbols["X"]
    e = ppcvec.assert_one_interrupt(r, "trace", vector=0xC000000000004D00, srr0=X + 4, ail=3)
    assert e.msr_after & (MSR_IR | MSR_DR) == MSR_IR | MSR_DR and not e.msr_after & MSR_SE
    assert e.srr1 == srr1_of(HV_MMU_ON | MSR_SE) | SRR1_TRACE


def test_trace_from_user_with_hail_on_power10_is_relocated(ppcvec):
    user = MSR_SF | MSR_HV | MSR_ME | MSR_RI | MSR_IR | MSR_DR | MSR_PR | MSR_EE | MSR_SE
    src = program("X:  addi 3, 3, 1\n", lpcr=LPCR_RESET | AIL3 | LPCR_HAIL, enter_msr=user)
    r = run(ppcvec, src, cpu="power10")
    ppcvec.assert_one_interrupt(r, "trace", vector=0xC000000000004D00,
                                srr0=r.symbols["X"] + 4, ail=3)


# ---------------------------------------------------------------- run loop

@needs_block_counter
def test_stepped_loop_respects_the_budget(ppcvec):
    src = program(set_msr(HV_REAL | MSR_SE) + "X:  b X\n", msr=HV_REAL, handlers=RESUME)
    r = run(ppcvec, src, max_insns=1000)
    assert r.outcome == "budget" and r.insns == 1000
    t = traces(r)
    assert t and all(e.srr0 == r.symbols["X"] and e.insn_addr == r.symbols["X"] for e in t)
    # each iteration: the traced `b X` (the event counts it), then the handler's rfid
    assert [b.insns - a.insns for a, b in zip(t, t[1:])] == [2] * (len(t) - 1)
    assert t[-1].insns == 1000 and len(t) == (1000 - t[0].insns) // 2 + 1


def test_se_off_runs_natively_without_traces(ppcvec):
    src = program("    li 3, 0\n" + STEPPED, msr=HV_REAL, handlers=RESUME)
    r = run(ppcvec, src)
    assert not traces(r) and r.gpr(3) == 7
    ppcvec.assert_one_interrupt(r, "sc", srr0=r.symbols["X"] + 24)


@needs_block_counter
def test_breakpoint_inside_single_stepped_code_stops_before_it(ppcvec):
    from emu.machine import Machine
    src = program("    li 3, 0\n" + set_msr(HV_REAL | MSR_SE) + STEPPED, msr=HV_REAL,
                  handlers=RESUME)
    a = ppcvec.assemble(src)
    m = Machine("power9")
    m.load(a.image)
    m.reset_cpu(0, 0x10, 0x9000000000000000)
    X = a.symbols["X"]
    m.set_breakpoints({X + 8})                            # the `b 1f`
    r = m.run(10_000)
    assert r.outcome == "breakpoint" and r.cpus[0].pc == X + 8
    assert [e.srr0 for e in r.interrupts if e.kind == "trace"] == [X + 4, X + 8]
    # the step executes the instruction under the breakpoint and delivers its trace
    assert m.step(0) == 1
    assert m.cpus[0].pc == 0xD00 and m.cpus[0].state.srr0 == X + 16
    m.set_breakpoints(set())
    r = m.run(10_000)
    assert r.outcome == "idle" and r.cpus[0].pc == 0xC00 and r.cpus[0].gpr[3] == 7


# ---------------------------------------------------------------- QEMU deviations

def _ctx(field, q, p, qrecs, precs, index=0):
    from harness.conform.deviations import Context
    return Context("trace_x", "powernv9", field, index, q, p, qrecs, precs, "done")


def test_trace_srr1_33_deviation_is_narrow():
    from harness.conform.deviations import find_deviation
    qs, ps = 0x9000000000001402, 0x9000000040001402
    tr = [{"slot": 0xD00, "srr1": qs}], [{"slot": 0xD00, "srr1": ps}]
    assert find_deviation(_ctx("srr1", qs, ps, *tr)).id == "trace-srr1-33"
    assert find_deviation(_ctx("srr1", qs, ps | 0x10000000, *tr)) is None    # bit 35 too
    assert find_deviation(_ctx("srr1", ps, qs, *tr)) is None                 # the other way
    pr = [{"slot": 0x700, "srr1": qs}], [{"slot": 0x700, "srr1": ps}]
    assert find_deviation(_ctx("srr1", qs, ps, *pr)) is None                 # not a trace


def test_rfid_traced_deviation_is_narrow():
    from harness.conform.deviations import find_deviation
    q = [{"slot": 0xD00, "srr1": 0x9000000000001002, "srr0": 0x20124}]
    p = [{"slot": 0xC00, "srr1": 0x9000000000001002, "srr0": 0x20128}]
    assert find_deviation(_ctx("slot", 0xD00, 0xC00, q, p)).id == "rfid-traced"
    assert find_deviation(_ctx("srr0", 0x20124, 0x20128, q, p)).id == "rfid-traced"
    q_se = [dict(q[0], srr1=0x9000000000001402)]          # SE=1: an ordinary trace
    assert find_deviation(_ctx("slot", 0xD00, 0xC00, q_se, p)) is None
    p_tr = [dict(p[0], slot=0xD00)]                         # ppcvec traced too: a real diff
    assert find_deviation(_ctx("srr0", 0x20124, 0x20128, q, p_tr)) is None
