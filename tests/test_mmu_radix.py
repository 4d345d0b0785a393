"""Radix translation (LPCR[HR]=1, POWER9/10) with hand-built page tables from
guest_images/pagetables.py: one test per rule of emu/mmu_radix.py.  Each
program turns the MMU on with mtmsrd and then touches memory; vector slots
hold branch-to-self (tests/progs.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guest_images.pagetables import (EAA_PRIV, EAA_R, EAA_RWX, EAA_X, LPCR_HR,  # noqa: E402
                                     LPCR_UPRT, Allocator, PartitionTable, PhysImage,
                                     ProcessTable, RadixTree, PATE0_HR, radix_identity_host)
from emu.unicorn_backend import UnicornCore  # noqa: E402
from progs import (MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF,  # noqa: E402
                   load64, program)

LPCR_RADIX = 0xC | LPCR_HR | LPCR_UPRT
AIL3 = 3 << 23
HV_MMU_ON = MSR_SF | MSR_HV | MSR_ME | MSR_IR | MSR_DR | MSR_RI
TABLES = 0x200000
DATA = 0x30000
MAGIC = 0x1122334455667788


def radix_prog(body, tables, ptcr, lpcr=LPCR_RADIX, msr=HV_MMU_ON, **kw):
    """PTCR and LPCR in real mode, then `mtmsrd msr` (translation on), then body."""
    setup = load64(9, ptcr) + "    mtspr 464, 9\n"
    extra = (f"    .org {DATA:#x}\ndata:\n    .quad {MAGIC:#x}\n" + tables.to_asm()
             + kw.pop("extra", ""))
    src = program(body, lpcr=lpcr, msr=None, extra=extra, **kw)
    # PTCR before the MMU goes on: insert it ahead of the "test:" label
    head, tail = src.split("test:\n", 1)
    return head + setup + load64(9, msr) + "    mtmsrd 9\n" + "test:\n" + tail


def run(ppcvec, src, cpu="power9", **kw):
    return ppcvec.run(src, cpu=cpu, mmu="architected", **kw)


def test_1g_leaf_identity_maps_quadrant0_and_quadrant3(ppcvec):
    tables, ptcr = radix_identity_host(TABLES)
    body = (load64(5, DATA) + "    ld 4, 0(5)\n"                        # EA 0x0...
            + load64(5, 0xC000000000000000 | DATA) + "    ld 3, 0(5)\n"   # EA 0xc000...
            + "    lis 6, high@h\n    ori 6, 6, high@l\n"
            + load64(8, 0xC000000000000000) + "    or 6, 6, 8\n    mtctr 6\n    bctr\n"
            + "high:\n    bl 1f\n1:  mflr 7\n    attn\n")
    r = run(ppcvec, radix_prog(body, tables, ptcr))
    assert r.outcome == "attn", r.detail
    assert r.interrupts == []
    assert r.gpr(3) == MAGIC and r.gpr(4) == MAGIC
    # instructions executed at 0xc000...: bl stored its own translated address + 4
    assert r.gpr(7) == 0xC000000000000000 | (r.symbols["high"] + 4)


def test_invalid_1g_leaf_gives_isi_at_first_translated_fetch(ppcvec):
    tables, ptcr = radix_identity_host(TABLES, valid=False)
    r = run(ppcvec, radix_prog("    nop\n", tables, ptcr))
    test = r.symbols["test"]
    e = ppcvec.assert_one_interrupt(r, "isi", vector=0x400, srr0=test)
    assert e.srr1 & 0x40000000                       # no translation
    assert e.srr1 & (MSR_IR | MSR_DR) == MSR_IR | MSR_DR
    assert r.outcome == "idle" and r.cpus[0].pc == 0x400


def test_load_outside_mapping_is_dsi_with_exact_dar_and_dsisr(ppcvec):
    tables, ptcr = radix_identity_host(TABLES)          # only the first GiB
    body = load64(5, 0x40001238) + "X:  ld 4, 0(5)\n"
    r = run(ppcvec, radix_prog(body, tables, ptcr))
    ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=r.symbols["X"],
                                dar=0x40001238, dsisr=0x40000000)
    assert r.spr("dar") == 0x40001238 and r.spr("dsisr") == 0x40000000


def test_store_outside_mapping_sets_dsisr_store_bit(ppcvec):
    tables, ptcr = radix_identity_host(TABLES)
    body = load64(5, 0xC000000040000FF8) + "X:  std 4, 0(5)\n"
    r = run(ppcvec, radix_prog(body, tables, ptcr))
    ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=r.symbols["X"],
                                dar=0xC000000040000FF8, dsisr=0x42000000)


def test_ea_bits_2_to_11_nonzero_is_data_segment_interrupt(ppcvec):
    tables, ptcr = radix_identity_host(TABLES)
    body = load64(5, 0x0010000000000010) + "X:  ld 4, 0(5)\n"
    r = run(ppcvec, radix_prog(body, tables, ptcr))
    ppcvec.assert_one_interrupt(r, "dseg", vector=0x380, srr0=r.symbols["X"],
                                dar=0x0010000000000010, dsisr=None)


def test_store_to_read_only_leaf_is_protection_dsi(ppcvec):
    tables, ptcr = radix_identity_host(TABLES, eaa=EAA_PRIV | EAA_R | EAA_X)
    body = load64(5, DATA) + "    ld 4, 0(5)\nX:  std 4, 8(5)\n"
    r = run(ppcvec, radix_prog(body, tables, ptcr))
    ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=r.symbols["X"],
                                dar=DATA + 8, dsisr=0x0A000000)
    assert r.gpr(4) == MAGIC                 # the load before it was allowed


def test_problem_state_fetch_from_privileged_leaf_is_isi_protection(ppcvec):
    tables, ptcr = radix_identity_host(TABLES)          # EAA PRIV set
    setup = load64(9, ptcr) + "    mtspr 464, 9\n"
    src = program("    nop\n", lpcr=LPCR_RADIX, enter_msr=MSR_SF | MSR_PR,
                  extra=tables.to_asm())
    head, tail = src.split("    hrfid\n", 1)
    r = run(ppcvec, head + setup + "    hrfid\n" + tail)
    test = r.symbols["test"]
    e = ppcvec.assert_one_interrupt(r, "isi", vector=0x400, srr0=test)
    assert e.srr1 & 0x08000000
    assert e.srr1 & (MSR_PR | MSR_EE | MSR_IR | MSR_DR) == MSR_PR | MSR_EE | MSR_IR | MSR_DR


def test_ail3_system_call_vector_runs_translated_at_0xc000000000004c00(ppcvec):
    tables, ptcr = radix_identity_host(TABLES)
    handler = "    bl 1f\n1:  mflr 7\n    li 3, 0x77\n    attn\n"
    r = run(ppcvec, radix_prog("X:  sc\n", tables, ptcr, lpcr=LPCR_RADIX | AIL3,
                               handlers={0x4C00: handler}))
    ppcvec.assert_one_interrupt(r, "sc", vector=0xC000000000004C00, ail=3,
                                srr0=r.symbols["X"] + 4)
    assert r.outcome == "attn" and r.exit_code == 0x77
    assert r.gpr(7) == 0xC000000000004C04


def test_ail3_scv_vector_runs_translated_at_0xc000000000003000(ppcvec):
    tables, ptcr = radix_identity_host(TABLES)
    handler = "    bl 1f\n1:  mflr 7\n    li 3, 0x55\n    attn\n"
    r = run(ppcvec, radix_prog("X:  scv 0\n", tables, ptcr, lpcr=LPCR_RADIX | AIL3,
                               fscr=1 << 12, handlers={0x3000: handler}))
    ppcvec.assert_one_interrupt(r, "scv", vector=0xC000000000003000, ail=3)
    assert r.outcome == "attn" and r.exit_code == 0x55
    assert r.gpr(7) == 0xC000000000003004


def _two_level_tables(leaf_ea, leaf_ra):
    """Identity 1 GiB for code and tables plus one 4 KiB leaf leaf_ea -> leaf_ra."""
    mem = PhysImage()
    alloc = Allocator(TABLES)
    part = PartitionTable(mem, alloc)
    prtb = ProcessTable(mem, alloc)
    tree = RadixTree(mem, alloc)
    tree.map(0, 0, 1 << 30)
    leaf = tree.map(leaf_ea, leaf_ra, 0x1000, rc=False)
    prtb.set(0, tree)
    part.set(0, PATE0_HR | tree.root_word(), prtb.pate1())
    return mem, part.ptcr, leaf


def test_4k_leaf_sets_reference_and_change_bits(ppcvec):
    mem, ptcr, leaf = _two_level_tables(0x40000000, DATA)
    body = (load64(5, 0x40000000) + "    ld 3, 0(5)\n" + load64(6, leaf)
            + "    ld 10, 0(6)\n    std 3, 8(5)\n    ld 11, 0(6)\n    attn\n")
    r = run(ppcvec, radix_prog(body, mem, ptcr))
    assert r.outcome == "attn", r.detail
    assert r.gpr(3) == MAGIC
    assert r.gpr(10) & 0x180 == 0x100          # after the load: R set, C clear
    assert r.gpr(11) & 0x180 == 0x180          # after the store: R and C


def test_cleared_leaf_still_cached_until_tlbie(ppcvec):
    """A translation stays in the TLB until tlbie (ISA III 6.10.1); after it the
    invalid leaf gives a DSI at the first access."""
    mem, ptcr, leaf = _two_level_tables(0x40000000, DATA)
    body = (load64(5, 0x40000000) + load64(6, leaf) + "    li 0, 0\n"
            + "    ld 3, 0(5)\n    std 0, 0(6)\n    ptesync\n    ld 4, 0(5)\n"
            + "    li 7, 0\n    tlbie 7, 0, 2, 1, 1\n    ptesync\nX:  ld 8, 0(5)\n")
    r = run(ppcvec, radix_prog(body, mem, ptcr))
    assert r.gpr(3) == MAGIC and r.gpr(4) == MAGIC
    ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=r.symbols["X"],
                                dar=0x40000000, dsisr=0x40000000)


def test_tlbie_of_one_page_refills_that_page_alone(ppcvec, monkeypatch):
    """A radix tlbie of one 4 KiB page (RIC=0, IS=0, AP=0) drops that page from
    the execution core's TLB and nothing else, as QEMU's tlbie does
    (tlb_flush_page): the next load from the page sees the PTE's new real page,
    and the other data page is not refilled through the TLB-fill hook."""
    fills = []
    orig = UnicornCore._hook_tlb_fill

    def hook(self, uc, vaddr, access, entry, data):
        fills.append(vaddr >> 12)
        return orig(self, uc, vaddr, access, entry, data)
    monkeypatch.setattr(UnicornCore, "_hook_tlb_fill", hook)
    other = DATA + 0x1000                       # identity-mapped; the PTE's next target
    mem, ptcr, leaf = _two_level_tables(0x40000000, DATA)
    body = (load64(5, 0x40000000) + load64(6, leaf) + load64(7, other)
            + "    li 0, 0x77\n    std 0, 0(7)\n"
            + "    ld 3, 0(5)\n    ld 4, 0(7)\n"
            + "    ld 10, 0(6)\n    addi 10, 10, 0x1000\n    std 10, 0(6)\n    ptesync\n"
            + "    tlbie 5, 0, 0, 1, 1\n    eieio\n    tlbsync\n    ptesync\n"
            + "    ld 8, 0(5)\n    ld 9, 0(7)\n    attn\n")
    r = run(ppcvec, radix_prog(body, mem, ptcr))
    assert r.outcome == "attn", r.detail
    assert r.gpr(3) == MAGIC and r.gpr(4) == 0x77
    assert r.gpr(8) == 0x77 and r.gpr(9) == 0x77      # the new translation
    assert fills.count(0x40000000 >> 12) == 2         # before and after the tlbie
    assert fills.count(other >> 12) == 1              # kept


def test_pidr_selects_the_process_table_entry_for_quadrant0(ppcvec):
    """Quadrant 0 uses PID = PIDR, quadrant 3 PID 0: with PIDR=1 the process
    tree of PID 1 (mapping EA 0x50000000 -> DATA) is used for EA 0x5...."""
    mem = PhysImage()
    alloc = Allocator(TABLES)
    part = PartitionTable(mem, alloc)
    prtb = ProcessTable(mem, alloc)
    kernel = RadixTree(mem, alloc)
    kernel.map(0, 0, 1 << 30)
    user = RadixTree(mem, alloc)
    user.map(0, 0, 1 << 30)
    user.map(0x40000000, DATA & ~0xFFF, 0x1000, eaa=EAA_RWX)
    prtb.set(0, kernel)
    prtb.set(1, user)
    part.set(0, PATE0_HR | kernel.root_word(), prtb.pate1())
    body = ("    li 9, 1\n    mtspr 48, 9\n" + load64(5, 0x40000000) + "    ld 3, 0(5)\n"
            + load64(5, 0xC000000040000000) + "X:  ld 4, 0(5)\n")
    r = run(ppcvec, radix_prog(body, mem, part.ptcr))
    assert r.gpr(3) == MAGIC
    ppcvec.assert_one_interrupt(r, "dsi", vector=0x300, srr0=r.symbols["X"],
                                dar=0xC000000040000000)


def test_guest_partition_scoped_fault_is_hdsi_with_hdar_and_asdr(ppcvec):
    """LPID 1 guest (MSR[HV]=0): process-scoped maps EA 0x40000000 -> guest real
    0x40000000, which the partition-scoped tree does not map -> HDSI 0xE00 with
    HDAR = EA and ASDR = the guest real address."""
    mem = PhysImage()
    alloc = Allocator(TABLES)
    part = PartitionTable(mem, alloc)
    prtb = ProcessTable(mem, alloc)
    host = RadixTree(mem, alloc)                 # partition-scoped: guest real 0..1G -> 0
    host.map(0, 0, 1 << 30, eaa=EAA_RWX)
    guest = RadixTree(mem, alloc)                # process-scoped for PID 0 of LPID 1
    guest.map(0, 0, 1 << 30, eaa=EAA_PRIV | EAA_RWX)
    guest.map(0x40000000, 0x40000000, 1 << 30, eaa=EAA_PRIV | EAA_RWX)
    prtb.set(0, guest)
    part.set(0, PATE0_HR | host.root_word(), prtb.pate1())
    part.set(1, PATE0_HR | host.root_word(), prtb.pate1())
    body = "    li 9, 1\n    mtspr 319, 9\n" + load64(5, 0xC000000040000010) + "X:  ld 4, 0(5)\n"
    guest_msr = MSR_SF | MSR_ME | MSR_IR | MSR_DR | MSR_RI
    src = radix_prog("    nop\n", mem, part.ptcr)
    # enter the guest with hrfid after setting LPIDR
    src = src.replace("test:\n    nop\n", "test:\n" + body.split("X:")[0]
                      + "    lis 9, guest@h\n    ori 9, 9, guest@l\n    mtspr 314, 9\n"
                      + load64(9, guest_msr) + "    mtspr 315, 9\n    hrfid\n"
                      + "guest:\nX:  ld 4, 0(5)\n")
    r = run(ppcvec, src)
    e = ppcvec.assert_one_interrupt(r, "hdsi", vector=0xE00, hsrr0=r.symbols["X"])
    assert e.hsrr1 & MSR_HV == 0
    assert r.spr("hdar") == 0xC000000040000010
    assert r.spr("asdr") == 0x40000010
    assert r.spr("hdsisr") == 0x40000000


def test_partition_scoped_tlbie_forgets_what_was_translated_through_the_page(ppcvec):
    """A radix tlbie with PRS=0 names a guest real page (RB), not an EA: after
    the hypervisor remaps guest real 0x40000000 and invalidates it, an access
    through quadrant 1 (LPID 1 = LPIDR, PID 0: process-scoped EA 0x40000000 ->
    guest real 0x40000000, then partition-scoped) sees the new host page."""
    mem = PhysImage()
    alloc = Allocator(TABLES)
    part = PartitionTable(mem, alloc)
    hv_prtb, guest_prtb = ProcessTable(mem, alloc), ProcessTable(mem, alloc)
    kernel = RadixTree(mem, alloc)               # LPID 0 (the hypervisor): identity
    kernel.map(0, 0, 1 << 30)
    hv_prtb.set(0, kernel)
    host = RadixTree(mem, alloc)                 # partition-scoped for LPID 1
    host.map(0, 0, 1 << 30, eaa=EAA_RWX)
    leaf = host.map(0x40000000, DATA, 0x1000, eaa=EAA_RWX, rc=False)
    guest = RadixTree(mem, alloc)                # LPID 1, PID 0
    guest.map(0, 0, 1 << 30, eaa=EAA_PRIV | EAA_RWX)
    guest.map(0x40000000, 0x40000000, 0x1000, eaa=EAA_PRIV | EAA_RWX)
    guest_prtb.set(0, guest)
    part.set(0, PATE0_HR | kernel.root_word(), hv_prtb.pate1())
    part.set(1, PATE0_HR | host.root_word(), guest_prtb.pate1())
    other = DATA + 0x1000
    body = ("    li 9, 1\n    mtspr 319, 9\n"                       # LPIDR = 1
            + load64(5, 0x4000000040000000) + "    ld 3, 0(5)\n"
            + load64(7, other) + "    li 0, 0x77\n    std 0, 0(7)\n"
            + load64(6, leaf) + "    ld 10, 0(6)\n    addi 10, 10, 0x1000\n"
            + "    std 10, 0(6)\n    ptesync\n"
            + load64(8, 0x40000000) + "    li 11, 1\n"
            + "    tlbie 8, 11, 0, 0, 1\n    eieio\n    tlbsync\n    ptesync\n"
            + "    ld 4, 0(5)\n    attn\n")
    r = run(ppcvec, radix_prog(body, mem, part.ptcr))
    assert r.outcome == "attn", r.detail
    assert r.gpr(3) == MAGIC
    assert r.gpr(4) == 0x77


INC = Path(__file__).resolve().parents[1] / "guest_images" / "include"


def test_mmu_inc_macros_turn_radix_on_in_a_few_lines(ppcvec):
    """guest_images/include/mmu.inc: RADIX_HOST_ON + RADIX_IDENTITY_TABLES."""
    src = f"""
    .include "{INC / 'ppc.inc'}"
    .include "{INC / 'mmu.inc'}"
    .org 0x10
    RADIX_HOST_ON 9, 0x200000
    LOAD_IMM64 5, 0xc000000000030000
    ld 3, 0(5)
    attn
    .org 0x30000
    .quad {MAGIC:#x}
    RADIX_IDENTITY_TABLES 0x200000
"""
    r = run(ppcvec, src)
    assert r.outcome == "attn", r.detail
    assert r.interrupts == [] and r.gpr(3) == MAGIC
    assert r.cpus[0].msr & (MSR_IR | MSR_DR) == MSR_IR | MSR_DR
