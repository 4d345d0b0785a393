"""One test per register rule, kvm-unit-tests style: a small program writes or
reads one SPR from one state on one model, and the result is the value it
reads back or the interrupt it takes.  Expected values come from the Power ISA
(v2.07B for POWER8, v3.0B for POWER9, v3.1B for POWER10) Book III SPR tables
and the FSCR/HFSCR/PSSCR definitions; the rules live in emu/registers.py and
emu/privileged.py."""
import os
import re

import pytest

from progs import MSR_DR, MSR_HV, MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF, load64, program

HV = MSR_SF | MSR_HV | MSR_ME | MSR_RI                       # hypervisor, real mode
GUEST = MSR_SF | MSR_ME | MSR_RI                             # privileged, HV=0
HV_USER = MSR_SF | MSR_HV | MSR_PR | MSR_IR | MSR_DR | MSR_ME | MSR_RI
GUEST_USER = MSR_SF | MSR_PR | MSR_IR | MSR_DR | MSR_ME | MSR_RI
MSR_TM = 1 << 32
ALL_FACILITIES = 0x3FFF
SRR1_PRIV = 0x40000
POISON = 0x5A5A5A5A5A5A5A5A


def run(ppcvec, body, cpu="power9", *, msr=None, enter_msr=None, fscr=None, hfscr=None,
        lpcr=None, setup="", handlers=None):
    """`setup` runs first in hypervisor state, `body` in the state entered
    (`msr` in HV, or `enter_msr` through hrfid), with r4 = POISON."""
    if msr is None and enter_msr is None:
        msr = HV
    src = program(load64(4, POISON) + body + "    b .\n", msr=msr, enter_msr=enter_msr, fscr=fscr,
                  hfscr=hfscr, lpcr=lpcr, handlers=handlers)
    src = src.replace("    .org 0x20000\nstart:\n", "    .org 0x20000\nstart:\n" + setup, 1)
    return ppcvec.run(src, cpu=cpu, mmu="identity")


def r4(r):
    return r.cpus[0].gpr[4]


# ---------------------------------------------------------------- EBB registers

@pytest.mark.parametrize("spr", [804, 805])
def test_ebbhr_ebbrr_read_back_in_hypervisor_state(ppcvec, spr):
    r = run(ppcvec, load64(3, 0x123456789ABCDEF3) + f"    mtspr {spr}, 3\n    mfspr 4, {spr}\n")
    assert not r.interrupts
    assert r4(r) == 0x123456789ABCDEF3


def test_bescr_reads_back_in_privileged_state(ppcvec):
    r = run(ppcvec, load64(3, 0x8000000100000001) + "    mtspr 806, 3\n    mfspr 4, 806\n")
    assert not r.interrupts and r4(r) == 0x8000000100000001


def test_bescrs_sets_and_bescrr_clears_bits(ppcvec):
    body = (load64(3, 0xF0) + "    mtspr 806, 3\n" + load64(3, 0x1) + "    mtspr 800, 3\n"
            + load64(3, 0x30) + "    mtspr 802, 3\n" + load64(3, 0x2) + "    mtspr 801, 3\n"
            "    mfspr 4, 806\n")
    r = run(ppcvec, body)
    assert r4(r) == (0x2 << 32) | 0xC1


@pytest.mark.parametrize("cpu", ["power8", "power9", "power10"])
def test_ebbhr_in_problem_state_with_fscr_ebb_0_is_facility_unavailable_ic7(ppcvec, cpu):
    r = run(ppcvec, "X: mfspr 4, 804\n", cpu, enter_msr=GUEST_USER, fscr=0, hfscr=ALL_FACILITIES)
    ppcvec.assert_one_interrupt(r, "fu", vector=0xF60, fscr_ic=7, srr0=r.symbols["X"])
    assert r4(r) == POISON


def test_ebbhr_in_problem_state_with_fscr_ebb_1_reads(ppcvec):
    r = run(ppcvec, "    mfspr 4, 804\n    sc\n", enter_msr=GUEST_USER, fscr=1 << 7,
            hfscr=ALL_FACILITIES, setup=load64(3, 0x4000) + "    mtspr 804, 3\n")
    assert [e.kind for e in r.interrupts] == ["sc"]
    assert r4(r) == 0x4000


def test_ebbhr_in_guest_with_hfscr_ebb_0_is_hypervisor_facility_unavailable_ic7(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 804\n", enter_msr=GUEST, fscr=ALL_FACILITIES,
            hfscr=ALL_FACILITIES & ~(1 << 7))
    e = ppcvec.assert_one_interrupt(r, "hfu", vector=0xF80, hfscr_ic=7, hsrr0=r.symbols["X"])
    assert e.fscr_ic is None


# ---------------------------------------------------------------- undefined SPRs

@pytest.mark.parametrize("spr", [339, 855, 464, 816])   # HEIR, PSSCR, PTCR, ASDR: ISA v3.0
def test_v3_register_is_undefined_on_power8_no_op_in_privileged_state(ppcvec, spr):
    """All four numbers have SPR bit 0x10 set: privileged mfspr is a no-op."""
    r = run(ppcvec, f"    mfspr 4, {spr}\n", "power8")
    assert not r.interrupts and r4(r) == POISON


def test_heir_in_problem_state_on_power8_is_program_priv(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 339\n", "power8", enter_msr=HV_USER)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"])
    assert r.interrupts[0].srr1 & SRR1_PRIV


def test_heir_reads_on_power9(ppcvec):
    r = run(ppcvec, load64(3, 0xFFFFFFFF12345678) + "    mtspr 339, 3\n    mfspr 4, 339\n")
    assert not r.interrupts and r4(r) == 0x12345678          # 32-bit register


@pytest.mark.parametrize("cpu", ["power8", "power9", "power10"])
def test_undefined_spr_with_bit_0x10_set_is_a_no_op_in_privileged_state(ppcvec, cpu):
    r = run(ppcvec, "    mfspr 4, 1010\n    mtspr 1010, 4\n", cpu)        # 1010 & 0x10
    assert not r.interrupts and r4(r) == POISON


def test_undefined_spr_with_bit_0x10_set_is_program_priv_in_problem_state(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 1010\n", enter_msr=HV_USER)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"])
    assert r.interrupts[0].srr1 & SRR1_PRIV


@pytest.mark.parametrize("state", [HV, GUEST])
def test_undefined_spr_with_bit_0x10_clear_is_heai_in_privileged_state(ppcvec, state):
    """999 & 0x10 == 0: Hypervisor Emulation Assistance, HEIR = the mfspr image."""
    r = run(ppcvec, "X: mfspr 4, 999\n", msr=state if state == HV else None,
            enter_msr=state if state != HV else None)
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=r.symbols["X"], heir=0x7C87FAA6)


def test_undefined_spr_with_bit_0x10_clear_is_heai_in_problem_state(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 999\n", enter_msr=GUEST_USER, hfscr=ALL_FACILITIES)
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=r.symbols["X"])


def test_mtspr_808_to_811_are_no_ops_in_problem_state(ppcvec):
    r = run(ppcvec, "    mtspr 808, 4\n    mfspr 4, 811\n    sc\n", enter_msr=GUEST_USER,
            hfscr=ALL_FACILITIES)
    assert [e.kind for e in r.interrupts] == ["sc"] and r4(r) == POISON


# ---------------------------------------------------------------- writable masks

@pytest.mark.parametrize("cpu,implemented", [
    ("power8", 0xFF000000000001A4),      # IC, TAR, EBB, TM, DSCR
    ("power9", 0xFF000000000019A4),      # + LM, SCV
    ("power10", 0xFF000000000039A4),     # + PREFIX
])
def test_fscr_keeps_only_the_facilities_it_implements(ppcvec, cpu, implemented):
    r = run(ppcvec, "    li 3, -1\n    mtspr 153, 3\n    mfspr 4, 153\n", cpu)
    assert r4(r) == implemented


def test_fscr_drops_the_hfscr_only_vecvsx_bit(ppcvec):
    r = run(ppcvec, "    li 3, 0x2\n    mtspr 153, 3\n    mfspr 4, 153\n")
    assert r4(r) == 0


@pytest.mark.parametrize("cpu,implemented", [
    ("power8", 0xFF000000000005BF), ("power9", 0xFF00000000000DBF),
    ("power10", 0xFF00000000002DBF)])
def test_hfscr_keeps_only_the_facilities_it_implements(ppcvec, cpu, implemented):
    r = run(ppcvec, "    li 3, -1\n    mtspr 190, 3\n    mfspr 4, 190\n", cpu)
    assert r4(r) == implemented


@pytest.mark.parametrize("spr", [18, 22, 159, 256, 306, 319, 48])  # DSISR DEC PSPB VRSAVE HDSISR LPIDR PIDR
def test_32_bit_register_reads_back_32_bits(ppcvec, spr):
    r = run(ppcvec, f"    li 3, -1\n    mtspr {spr}, 3\n    mfspr 4, {spr}\n")
    assert r4(r) >> 32 == 0 and r4(r) != 0


def test_mtspr_hmer_ands(ppcvec):
    body = "    li 3, -1\n    mtspr 336, 3\n    li 3, 0x0F0\n    mtspr 336, 3\n" \
           "    li 3, 0x0FF\n    mtspr 336, 3\n    mfspr 4, 336\n"
    r = run(ppcvec, body)
    assert r4(r) == 0   # HMER starts 0; every write ANDs


# ---------------------------------------------------------------- PSSCR

def test_psscr_855_in_supervisor_state_is_program_priv(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 855\n", enter_msr=GUEST)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"])
    assert r.interrupts[0].srr1 & SRR1_PRIV and r4(r) == POISON


def test_psscr_855_with_evirt_in_supervisor_state_is_heai(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 855\n", enter_msr=GUEST, lpcr=0xC | (1 << 21))
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=r.symbols["X"])


def test_psscr_823_writes_the_requested_level_in_supervisor_state(ppcvec):
    body = "    li 3, 0x3F7\n    mtspr 823, 3\n    mfspr 4, 823\n    sc 1\n"
    r = run(ppcvec, body, enter_msr=GUEST, handlers={0xC00: "    mfspr 5, 855\n    b ."})
    assert r4(r) == 0x7                  # the privileged view shows RL (and PLS)
    assert r.cpus[0].gpr[5] == 0x7       # only RL was written


def test_psscr_823_in_problem_state_is_program_priv(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 823\n", enter_msr=GUEST_USER, hfscr=ALL_FACILITIES)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"])


# ---------------------------------------------------------------- PURR, SPURR, TB

@pytest.mark.parametrize("spr", [308, 309])
def test_purr_spurr_count_from_the_value_written(ppcvec, spr):
    r = run(ppcvec, load64(3, 1000) + f"    mtspr {spr}, 3\n    mfspr 4, {spr}\n")
    assert not r.interrupts and 1000 < r4(r) < 1010


@pytest.mark.parametrize("spr", [308, 309])
def test_purr_spurr_in_problem_state_are_program_priv_not_a_crash(ppcvec, spr):
    r = run(ppcvec, f"X: mfspr 4, {spr}\n", enter_msr=HV_USER)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"])
    assert r.interrupts[0].srr1 & SRR1_PRIV


def test_purr_write_from_supervisor_is_hypervisor_privileged(ppcvec):
    r = run(ppcvec, "X: mtspr 309, 4\n", enter_msr=GUEST)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"])


def test_mftb_in_problem_state_reads_the_timebase(ppcvec):
    r = run(ppcvec, "    mftb 4\n    mftb 5\n    sc\n", enter_msr=GUEST_USER, hfscr=ALL_FACILITIES)
    a, b = r.cpus[0].gpr[4], r.cpus[0].gpr[5]
    assert 0 < a < b


def test_user_sprg3_alias_reads_sprg3_and_cannot_be_written(ppcvec):
    r = run(ppcvec, "    mfspr 4, 259\nX:  mtspr 259, 4\n", enter_msr=GUEST_USER,
            hfscr=ALL_FACILITIES, setup=load64(3, 0xABCD) + "    mtspr 275, 3\n")
    assert r4(r) == 0xABCD
    # mtspr 259 is undefined (259 & 0x10 == 0): Hypervisor Emulation Assistance
    ppcvec.assert_one_interrupt(r, "heai", vector=0xE40, hsrr0=r.symbols["X"])


# ---------------------------------------------------------------- other gates

def test_tm_register_with_msr_tm_0_is_facility_unavailable_ic5(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 130\n")
    ppcvec.assert_one_interrupt(r, "fu", vector=0xF60, fscr_ic=5, srr0=r.symbols["X"])


def test_tm_register_with_msr_tm_1_reads(ppcvec):
    r = run(ppcvec, load64(3, 0x55) + "    mtspr 130, 3\n    mfspr 4, 130\n", msr=HV | MSR_TM)
    assert not r.interrupts and r4(r) == 0x55


def test_user_dscr_with_fscr_dscr_0_is_facility_unavailable_ic2(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 3\n", enter_msr=GUEST_USER, fscr=0, hfscr=ALL_FACILITIES)
    ppcvec.assert_one_interrupt(r, "fu", vector=0xF60, fscr_ic=2)


def test_pmu_register_in_guest_with_hfscr_pm_0_is_hfu_ic3(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 787\n", enter_msr=GUEST, hfscr=ALL_FACILITIES & ~(1 << 3))
    ppcvec.assert_one_interrupt(r, "hfu", vector=0xF80, hfscr_ic=3)


def test_user_pmc_alias_reads_the_privileged_pmc(ppcvec):
    r = run(ppcvec, "    li 3, 77\n    mtspr 787, 3\n    mfspr 4, 771\n")
    assert r4(r) == 77


def test_uamr_in_problem_state_writes_only_uamor_bits(ppcvec):
    r = run(ppcvec, "    li 3, -1\n    mtspr 13, 3\n    mfspr 4, 13\n    sc\n",
            enter_msr=GUEST_USER, hfscr=ALL_FACILITIES,
            setup="    li 3, 0xF0\n    mtspr 157, 3\n    li 3, 0\n    mtspr 29, 3\n")
    assert r4(r) == 0xF0


def test_hypervisor_spr_from_supervisor_is_program_priv(ppcvec):
    r = run(ppcvec, "X: mfspr 4, 318\n", enter_msr=GUEST)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"])


def test_mtspr_pvr_is_an_undefined_spr_a_no_op_in_hypervisor_state(ppcvec):
    """The encodings figure lists PVR (287) for mfspr only: mtspr 287 is an
    undefined SPR, and 287 has bit 0x10 set."""
    r = run(ppcvec, "    mtspr 287, 4\n    mfspr 4, 287\n")
    assert not r.interrupts and r4(r) == 0x004E1200


def test_mtspr_pvr_in_problem_state_is_program_priv(ppcvec):
    r = run(ppcvec, "X: mtspr 287, 4\n", enter_msr=HV_USER)
    ppcvec.assert_one_interrupt(r, "program", vector=0x700, srr0=r.symbols["X"])


def test_mfspr_of_the_timebase_write_number_is_undefined(ppcvec):
    """284 is TBL for mtspr only: mfspr 284 is a no-op in privileged state."""
    r = run(ppcvec, "    mfspr 4, 284\n")
    assert not r.interrupts and r4(r) == POISON


# ---------------------------------------------------------------- one table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_no_spr_number_appears_in_a_second_table():
    """emu/registers.py is the only table of SPR numbers: no other source file
    maps an SPR number to one of its names (`318: "lpcr"`, `"lpcr": 318`) or
    defines an SPR number constant (`SPR_LPCR = 318`, `SPRN_LPCR = 318`)."""
    from emu.registers import SPRS
    names = {}
    for r in SPRS:
        for n in (r.name.lower(), *(r.field and [r.field] or []), *r.mf_asm, *r.mt_asm):
            names.setdefault(n, set()).add(r.num)
    pair = re.compile(r'''(\d+)\s*:\s*\(?\s*["'](\w+)["']|["'](\w+)["']\s*:\s*(\d+)''')
    gas = re.compile(r'^\s*\.set\s+SPRN?_\w+\s*,\s*(\d+)', re.M)
    const = re.compile(r'^\s*SPRN?_\w+\s*=\s*(\d+)', re.M)
    offenders = []
    for top in ("emu", "harness", "guest_images"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                path = os.path.join(dirpath, f)
                if f.endswith((".S", ".inc")) and f != "sprs.inc":
                    offenders += [f"{os.path.relpath(path, ROOT)}: {m.group(0).strip()}"
                                  for m in gas.finditer(open(path).read())]
                if not f.endswith(".py"):
                    continue
                if path.endswith(os.path.join("emu", "registers.py")):
                    continue
                text = open(path).read()
                for m in pair.finditer(text):
                    num = int(m.group(1) or m.group(4))
                    name = (m.group(2) or m.group(3)).lower()
                    if num in names.get(name, ()):
                        offenders.append(f"{os.path.relpath(path, ROOT)}: {m.group(0)}")
                offenders += [f"{os.path.relpath(path, ROOT)}: {m.group(0).strip()}"
                              for m in const.finditer(text)]
    assert not offenders, "\n".join(offenders)


def test_every_row_is_consistent():
    from emu.registers import SPRS
    for r in SPRS:
        assert set(r.mf) <= set("psh") and set(r.mt) <= set("psh"), r
        assert r.width in (32, 64), r
        if r.models and not r.hook:
            assert r.field, r
        for fac in (r.fscr, r.hfscr):
            assert fac is None or 0 <= fac < 14, r


def test_assembly_spr_symbols_are_generated_from_the_table():
    """guest_images/include/sprs.inc is a view of emu/registers.py."""
    from emu.registers import gas_symbols
    with open(os.path.join(ROOT, "guest_images", "include", "sprs.inc")) as f:
        assert f.read() == gas_symbols(), "regenerate: python -m emu.registers > guest_images/include/sprs.inc"


def test_assembler_opcode_table_agrees_with_the_register_table():
    """The assembler and disassembler encode mtNAME/mfNAME from the binutils
    opcode table (harness/toolchain/ppc_opcodes.py, generated from binutils);
    every name of the register table must encode the same SPR number there."""
    from emu.registers import SPRS
    from harness.toolchain.ppc_opcodes import POWERPC_OPCODES
    table = {}
    for ent in POWERPC_OPCODES:          # several entries per name (other processors)
        op, mask = ent[1], ent[2]
        if mask & 0x1FF800 == 0x1FF800:   # the SPR field is fixed (not an operand, as in mftb)
            table.setdefault(ent[0], set()).add(((op >> 16) & 0x1F) | (((op >> 11) & 0x1F) << 5))
    checked = 0
    for r in SPRS:
        for direction, names in (("mf", r.mf_asm), ("mt", r.mt_asm)):
            for n in names:
                if direction + n in table:
                    checked += 1
                    assert r.num in table[direction + n], (direction + n, r.num)
    assert checked > 150


# ---------------------------------------------------------------- TIDR (POWER9 only)

def test_tidr_reads_back_in_privileged_state_on_power9(ppcvec):
    # ISA v3.0B: TIDR is SPR 144, privileged; Linux sets it on POWER9 (set_thread_tidr)
    r = run(ppcvec, load64(3, 0x1234) + "    mtspr 144, 3\n    mfspr 4, 144\n", enter_msr=GUEST)
    assert not r.interrupts and r4(r) == 0x1234


def test_tidr_is_an_undefined_spr_on_power10(ppcvec):
    # ISA v3.1B removed TIDR: 144 has SPR bit 0x10 set, so privileged mfspr is a no-op
    r = run(ppcvec, "    mfspr 4, 144\n", "power10")
    assert not r.interrupts and r4(r) == POISON
