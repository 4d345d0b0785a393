"""What reaches the Python TLB-fill hook (emu/unicorn_backend.py): not emu_start's
`until` page once per slice (emu/_counter.c ppcvec_fill_never), and not a working
set larger than Unicorn's initial 256-entry TLB for ever (UnicornCore.tlb_thrashing)."""
from emu import Machine
from emu.unicorn_backend import UNTIL_PAGE, UnicornCore
from harness.toolchain.asm import assemble


def _count_fills(monkeypatch):
    seen = []
    orig = UnicornCore._hook_tlb_fill

    def hook(self, uc, vaddr, access, entry, data):
        seen.append(vaddr & ~0xFFF)
        return orig(self, uc, vaddr, access, entry, data)
    monkeypatch.setattr(UnicornCore, "_hook_tlb_fill", hook)
    return seen


def _run(src, slice_insns, budget):
    m = Machine("power9", mmu="identity", slice_insns=slice_insns)
    m.load(assemble(src).image)
    m.reset_cpu(0, 0x10, 0x9000000000000030)        # SF|HV|ME, IR|DR
    return m.run(budget)


LOOP = """
    .org 0x10
    lis 4, 1
    mtctr 4
loop:
    addi 3, 3, 1
    bdnz loop
    attn
"""


def test_until_page_is_not_filled_through_python_every_slice(monkeypatch):
    seen = _count_fills(monkeypatch)
    r = _run(LOOP, 500, 10_000_000)                 # 65536 iterations: ~260 slices
    assert r.outcome == "attn" and r.cpus[0].gpr[3] == 0x10000
    assert UNTIL_PAGE not in seen
    assert len(seen) < 10, [hex(a) for a in seen]


# sixteen passes over 2048 pages (8 MiB from 0x1000000), one load per page
SWEEP = """
    .org 0x10
    li 8, 16
pass:
    lis 5, 0x100
    li 4, 2048
    mtctr 4
page:
    lbz 6, 0(5)
    addi 5, 5, 0x800
    addi 5, 5, 0x800
    bdnz page
    addi 8, 8, -1
    cmpdi 8, 0
    bne pass
    attn
"""


def test_a_thrashing_tlb_grows_to_the_working_set(monkeypatch):
    seen = _count_fills(monkeypatch)
    r = _run(SWEEP, 2000, 10_000_000)
    assert r.outcome == "attn"
    data = [a for a in seen if a >= 0x1000000]
    # a 256-entry TLB refills every page on every pass (16 x 2048 fills); each
    # flush after two passes' worth of refills doubles it, from 4096 entries on
    # the passes find their pages
    assert len(data) < 12 * 2048, len(data)
    assert data.count(0x1000000) <= 10, data.count(0x1000000)


# Code stored through one address and run through another (the identity MMU maps
# 0xc000000000008000 and 0x8000 to the same real page).  The first store maps the
# page for data without execute (UnicornCore._unicorn_prot, Unicorn's fast store
# path); the first fetch from the real page must flush that mapping, or the second
# store would not invalidate the translated code and `bctrl` would run `li 3,1`.
ALIAS = """
    .org 0x10
    lis 9, 0xc000
    sldi 9, 9, 32
    ori 9, 9, 0x8000
    li 10, 0
    ori 10, 10, 0x8000
    mtctr 10
    lis 5, 0x3860
    ori 5, 5, 1
    stw 5, 0(9)
    lis 6, 0x4e80
    ori 6, 6, 0x20
    stw 6, 4(9)
    dcbst 0, 9
    sync
    icbi 0, 9
    isync
    bctrl
    mr 20, 3
    lis 5, 0x3860
    ori 5, 5, 2
    stw 5, 0(9)
    dcbst 0, 9
    sync
    icbi 0, 9
    isync
    bctrl
    mr 21, 3
    lis 5, 0x3860
    ori 5, 5, 3
    stw 5, 0(10)
    dcbst 0, 10
    sync
    icbi 0, 10
    isync
    bctrl
    mr 22, 3
    attn
"""


def test_code_stored_through_an_alias_runs_as_stored():
    r = _run(ALIAS, 20_000, 10_000)
    assert r.outcome == "attn"
    assert (r.cpus[0].gpr[20], r.cpus[0].gpr[21], r.cpus[0].gpr[22]) == (1, 2, 3)
