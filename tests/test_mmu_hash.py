"""Hash MMU (POWER8 always; POWER9 with LPCR[HR]=0) with hand-built SLB entries
and HPTs from guest_images/pagetables.py: one test per rule of emu/mmu_hash.py."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guest_images.pagetables import (Allocator, HashPageTable, PartitionTable,  # noqa: E402
                                     PhysImage, hash_identity_host, slb_esid_word,
                                     slb_vsid_word)
from progs import (MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF,  # noqa: E402
                   load64, program, srr1_of)

HV_MMU_ON = MSR_SF | MSR_HV | MSR_ME | MSR_IR | MSR_DR | MSR_RI
AIL3 = 3 << 23
HTAB = 0x200000
DATA = 0x30000
MAGIC = 0x1122334455667788
VSID = 0x123
CPUS = ("power8", "power9")


class Host:
    """A hash host: HPT at HTAB, SLB entry 0 = ESID 0 (VSID 0x123, 4 KiB pages),
    code/vectors pages 0..0x2ffff mapped 1:1 through the primary hash."""

    def __init__(self, cpu, data_secondary=False, data_pp=0b010, data=True):
        self.isa300 = cpu != "power8"
        self.mem = PhysImage()
        self.hpt = HashPageTable(self.mem, HTAB, 0, self.isa300)
        self.rs = slb_vsid_word(VSID)
        self.slb = [(self.rs, slb_esid_word(0, 0))]
        for a in range(0, DATA, 0x1000):
            self.hpt.insert(self.rs, a, a)
        self.data_hpte = None
        if data:
            self.data_hpte = self.hpt.insert(self.rs, DATA, DATA, pp=data_pp,
                                             secondary=data_secondary)
        if self.isa300:
            part = PartitionTable(self.mem, Allocator(HTAB + (1 << 18)))
            part.set(0, self.hpt.sdr1, 0)
            self.setup = load64(9, part.ptcr) + "    mtspr 464, 9\n"
        else:
            self.setup = load64(9, self.hpt.sdr1) + "    mtspr 25, 9\n"

    def slbmte(self):
        s = ""
        for rs, rb in self.slb:
            s += load64(9, rs) + load64(10, rb) + "    slbmte 9, 10\n"
        return s

    def prog(self, body, msr=HV_MMU_ON, lpcr=0xC, **kw):
        extra = f"    .org {DATA:#x}\ndata:\n    .quad {MAGIC:#x}\n" + self.mem.to_asm()
        src = program(body, lpcr=lpcr, extra=extra, **kw)
        head, tail = src.split("test:\n", 1)
        return head + self.setup + self.slbmte() + load64(9, msr) + "    mtmsrd 9\ntest:\n" + tail


def run(ppcvec, src, cpu, **kw):
    return ppcvec.run(src, cpu=cpu, mmu="architected", **kw)


@pytest.mark.parametrize("cpu", CPUS)
def test_hrfid_to_problem_state_with_empty_slb_is_instruction_segment(ppcvec, cpu):
    src = program("    nop\n", enter_msr=MSR_SF | MSR_PR)
    r = run(ppcvec, src, cpu)
    test = r.symbols["test"]
    e = ppcvec.assert_one_interrupt(r, "iseg", vector=0x480, srr0=test)
    want = MSR_PR | MSR_EE | MSR_IR | MSR_DR
    assert e.srr1 & want == want
    assert e.srr1 == srr1_of(MSR_SF | want)


@pytest.mark.parametrize("cpu", CPUS)
def test_primary_hash_hit_runs_code_and_loads(ppcvec, cpu):
    h = Host(cpu)
    body = load64(5, DATA) + "    ld 3, 0(5)\n    attn\n"
    r = run(ppcvec, h.prog(body), cpu)
    assert r.outcome == "attn", r.detail
    assert r.interrupts == [] and r.gpr(3) == MAGIC


@pytest.mark.parametrize("cpu", CPUS)
def test_secondary_hash_hit_and_reference_bit(ppcvec, cpu):
    h = Host(cpu, data_secondary=True)
    body = load64(5, DATA) + "    ld 3, 0(5)\n    attn\n"
    r = run(ppcvec, h.prog(body), cpu, dumps=[(h.data_hpte, 16)])
    assert r.outcome == "attn", r.detail
    assert r.gpr(3) == MAGIC
    dw0 = int.from_bytes(r.dumps[h.data_hpte][:8], "big")
    dw1 = int.from_bytes(r.dumps[h.data_hpte][8:], "big")
    assert dw0 & 0x2                       # the HPTE that matched has H=1
    assert dw1 & 0x180 == 0x100            # R set by the load, C clear


@pytest.mark.parametrize("cpu", CPUS)
def test_store_sets_change_bit(ppcvec, cpu):
    h = Host(cpu)
    body = load64(5, DATA) + "    std 5, 8(5)\n    attn\n"
    r = run(ppcvec, h.prog(body), cpu, dumps=[(h.data_hpte, 16)])
    assert r.outcome == "attn", r.detail
    assert int.from_bytes(r.dumps[h.data_hpte][8:], "big") & 0x180 == 0x180


@pytest.mark.parametrize("cpu", CPUS)
def test_no_hpte_is_dsi_with_exact_dar(ppcvec, cpu):
    h = Host(cpu, data=False)
    body = load64(5, DATA + 0x123) + "X:  lbz 3, 0(5)\n"
    r = run(ppcvec, h.prog(body), cpu)
    ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=r.symbols["X"],
                                dar=DATA + 0x123, dsisr=0x40000000)


@pytest.mark.parametrize("cpu", CPUS)
def test_no_slb_entry_is_data_segment_with_dar_and_no_dsisr(ppcvec, cpu):
    h = Host(cpu)
    body = load64(5, 0x10000008) + "X:  ld 3, 0(5)\n"
    r = run(ppcvec, h.prog(body), cpu)
    ppcvec.assert_one_interrupt(r, "dseg", vector=0x380, srr0=r.symbols["X"],
                                dar=0x10000008, dsisr=None)
    assert r.spr("dsisr") == 0


@pytest.mark.parametrize("cpu", CPUS)
def test_store_to_read_only_pp_is_protection_dsi(ppcvec, cpu):
    h = Host(cpu, data_pp=0b011)                 # key 0 (Ks=0): PP 011 = read-only
    body = load64(5, DATA) + "    ld 3, 0(5)\nX:  std 3, 16(5)\n"
    r = run(ppcvec, h.prog(body), cpu)
    ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=r.symbols["X"],
                                dar=DATA + 16, dsisr=0x0A000000)
    assert r.gpr(3) == MAGIC


def test_problem_state_key_pp000_is_no_access(ppcvec):
    """Kp=1 in problem state with PP=000: no access (ISA III 5.7.13.2)."""
    cpu = "power9"
    h = Host(cpu, data_pp=0b000)
    h.slb = [(slb_vsid_word(VSID, kp=True), slb_esid_word(0, 0))]
    # the code HPTEs use PP=010: key 1 still allows read/write/execute
    body = load64(5, DATA) + "X:  ld 3, 0(5)\n"
    src = program(body, enter_msr=MSR_SF | MSR_PR,
                  extra=f"    .org {DATA:#x}\n    .quad {MAGIC:#x}\n" + h.mem.to_asm())
    head, tail = src.split("    lis 9, test@h", 1)
    src = head + h.setup + h.slbmte() + "    lis 9, test@h" + tail
    r = run(ppcvec, src, cpu)
    e = ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=r.symbols["X"],
                                    dar=DATA, dsisr=0x08000000)
    assert e.srr1 & MSR_PR


@pytest.mark.parametrize("cpu", CPUS)
def test_fetch_from_no_execute_segment_is_isi_0x10000000(ppcvec, cpu):
    h = Host(cpu)
    h.slb = [(slb_vsid_word(VSID, n=True), slb_esid_word(0, 0))]
    r = run(ppcvec, h.prog("    nop\n"), cpu)
    e = ppcvec.assert_one_interrupt(r, "isi", vector=0x400, srr0=r.symbols["test"])
    assert e.srr1 & 0x10000000


@pytest.mark.parametrize("cpu", CPUS)
def test_bolted_64k_host_ail3_vector_runs_translated(ppcvec, cpu):
    """hash_identity_host: 64 KiB pages, SLB entries for 0x0... and 0xc000...;
    sc with AIL=3 lands at 0xc000000000004c00 and executes there."""
    mem, reg, slb = hash_identity_host(HTAB, size=4 << 20, isa300=cpu != "power8")
    setup = load64(9, reg) + ("    mtspr 25, 9\n" if cpu == "power8" else "    mtspr 464, 9\n")
    for rs, rb in slb:
        setup += load64(9, rs) + load64(10, rb) + "    slbmte 9, 10\n"
    handler = "    bl 1f\n1:  mflr 7\n    li 3, 0x77\n    attn\n"
    src = program("X:  sc\n", lpcr=0xC | AIL3, handlers={0x4C00: handler},
                  extra=mem.to_asm())
    head, tail = src.split("test:\n", 1)
    src = head + setup + load64(9, HV_MMU_ON) + "    mtmsrd 9\ntest:\n" + tail
    r = run(ppcvec, src, cpu)
    ppcvec.assert_one_interrupt(r, "sc", vector=0xC000000000004C00, ail=3)
    assert r.outcome == "attn" and r.exit_code == 0x77
    assert r.gpr(7) == 0xC000000000004C04


def test_1tb_segment_translates(ppcvec):
    cpu = "power9"
    h = Host(cpu)
    rs1t = slb_vsid_word(0x4567, ssize_1t=True)
    h.slb.append((rs1t, slb_esid_word(0x20000000000, 1, ssize_1t=True)))
    h.hpt.insert(rs1t, 0x20000000000 + 0x12345000, DATA)
    body = load64(5, 0x20000000000 + 0x12345000) + "    ld 3, 0(5)\n    attn\n"
    r = run(ppcvec, h.prog(body), cpu)
    assert r.outcome == "attn", r.detail
    assert r.gpr(3) == MAGIC


@pytest.mark.parametrize("cpu", CPUS)
def test_slb_read_back_find_and_invalidate(ppcvec, cpu):
    h = Host(cpu)
    extra_rs = slb_vsid_word(0x777, ks=True)
    extra_rb = slb_esid_word(0x30000000, 5)
    body = (load64(9, extra_rs) + load64(10, extra_rb) + "    slbmte 9, 10\n"
            "    li 11, 5\n    slbmfee 3, 11\n    slbmfev 4, 11\n"
            + load64(12, 0x30000040) + "    slbfee. 6, 12\n    mfcr 7\n"
            "    slbie 12\n    slbfee. 8, 12\n    mfcr 14\n"
            "    slbia\n    li 11, 0\n    slbmfee 15, 11\n    attn\n")
    r = run(ppcvec, h.prog(body), cpu)
    assert r.outcome == "attn", r.detail
    assert r.gpr(3) == 0x30000000 | 0x08000000          # ESID || V
    assert r.gpr(4) == extra_rs
    assert r.gpr(6) == extra_rs and r.gpr(7) >> 28 == 0b0010
    assert r.gpr(8) == 0 and r.gpr(14) >> 28 == 0b0000
    assert r.gpr(15) == 0x08000000                       # slbia keeps entry 0 (IH=0)


@pytest.mark.parametrize("cpu", CPUS)
def test_slbie_of_the_code_segment_gives_instruction_segment(ppcvec, cpu):
    h = Host(cpu)
    body = "    li 12, 0\n    slbie 12\nX:  isync\n"    # the very next fetch faults
    r = run(ppcvec, h.prog(body), cpu)
    ppcvec.assert_one_interrupt(r, "iseg", vector=0x480, srr0=r.symbols["X"])
