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
