"""Issue 2 speed targets, measured side by side in one run:
  * interrupt-free code vs raw Unicorn on the same loop (>= 80%)
  * emulated privileged instructions per second (>= 200,000)
  * scv -> handler -> rfscv round trips per second (>= 100,000)
"""
from __future__ import annotations

import time

from unicorn import UC_ARCH_PPC, UC_MODE_BIG_ENDIAN, UC_MODE_PPC64, UC_HOOK_TLB_FILL, Uc
from unicorn.ppc_const import UC_PPC_REG_3, UC_PPC_REG_MSR
from unicorn.unicorn_const import UC_PROT_ALL, UC_TLB_VIRTUAL

from emu import Machine
from harness.toolchain.asm import assemble

N = 3_000_000


def loop_body(n: int) -> str:
    """The interrupt-free loop every speed figure uses: load/store/ALU, 6
    instructions per iteration, n iterations, r3 = n at the end."""
    return f"""
    lis 4, {n >> 16}
    ori 4, 4, {n & 0xFFFF}
    mtctr 4
    li 5, 0
    ori 5, 5, 0x8000
    li 3, 0
loop:
    addi 3, 3, 1
    ld 6, 0(5)
    add 6, 6, 3
    std 6, 0(5)
    xor 7, 6, 3
    bdnz loop
done:
    attn
"""


LOOP = """
    .org 0x10
    b start
    .org 0x1000
start:""" + loop_body(N)


def raw_unicorn(code: bytes, start: int, end: int) -> float:
    """The same loop in a bare Unicorn (problem state, virtual TLB with a
    full-permission fill hook, no other hooks): the best Unicorn can do."""
    uc = Uc(UC_ARCH_PPC, UC_MODE_PPC64 | UC_MODE_BIG_ENDIAN)
    uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)

    def fill(u, vaddr, acc, entry, d):
        entry.paddr = vaddr & 0x0FFFFFFFFFFFFFFF
        entry.perms = UC_PROT_ALL
        return True
    uc.hook_add(UC_HOOK_TLB_FILL, fill)
    uc.mem_map(0, 0x100000)
    uc.mem_write(0, code)
    uc.reg_write(UC_PPC_REG_MSR, (1 << 63) | (1 << 14))
    t = time.perf_counter()
    uc.emu_start(start, end)
    dt = time.perf_counter() - t
    assert uc.reg_read(UC_PPC_REG_3) == N
    return dt


def ppcvec_loop(code: bytes) -> tuple[float, int]:
    m = Machine("power9", mmu="identity")
    m.load(code)
    m.reset_cpu(0, 0x10, 0x9000000000000000)
    t = time.perf_counter()
    r = m.run(10 * N)
    dt = time.perf_counter() - t
    assert r.outcome == "attn" and r.cpus[0].gpr[3] == N, r.outcome
    return dt, r.insns


PRIV = """
    .org 0x10
    lis 4, {n}@h
    ori 4, 4, {n}@l
    mtctr 4
loop:
    mfspr 5, 318       # mflpcr   (each of these traps and is emulated)
    mtspr 272, 5       # mtsprg0
    mfmsr 6
    mtspr 153, 7       # mtfscr
    bdnz loop
    attn
"""

SCV = """
    .org 0x10
    li 3, 3
    sldi 3, 3, 23
    ori 3, 3, 0xc
    mtspr 318, 3       # LPCR[AIL]=3
    li 3, 0x1000
    mtspr 153, 3       # FSCR[SCV]=1
    mfmsr 3
    ori 3, 3, 0x30     # IR|DR
    mtmsrd 3
    lis 4, {n}@h
    ori 4, 4, {n}@l
    mtctr 4
loop:
    mfctr 9
    scv 0
    mtctr 9
    bdnz loop
    attn
    .org 0x3000        # 0xc000000000003000: system_call_vectored, LEV 0
    rfscv
"""


def rate(src: str, n: int, per_iter: int) -> tuple[float, int]:
    m = Machine("power9", mmu="identity")
    m.load(assemble(src.format(n=n)).image)
    m.reset_cpu(0, 0x10, 0x9000000000000000)
    t = time.perf_counter()
    r = m.run(100 * n)
    dt = time.perf_counter() - t
    assert r.outcome == "attn", (r.outcome, r.detail)
    return n * per_iter / dt, len(r.interrupts)


def main():
    img = assemble(LOOP)
    code = img.image
    start, end = img.symbols["start"], img.symbols["done"]
    raw = min(raw_unicorn(code, start, end) for _ in range(3))
    ours, insns = min(ppcvec_loop(code) for _ in range(3))
    print(f"interrupt-free loop, {insns:,} instructions")
    print(f"  raw Unicorn (no hooks, no budget) {raw:7.3f} s  {insns / raw / 1e6:7.1f} MIPS")
    print(f"  ppcvec Machine (budget, counting)  {ours:7.3f} s  {insns / ours / 1e6:7.1f} MIPS")
    print(f"  ratio ppcvec / raw Unicorn         {raw / ours * 100:6.1f} %   (target >= 80 %)")
    p, _ = rate(PRIV, 50_000, 4)
    print(f"emulated privileged instructions    {p:10,.0f} /s  (target >= 200,000)")
    s, nint = rate(SCV, 50_000, 1)
    print(f"scv -> handler -> rfscv round trips {s:10,.0f} /s  (target >= 100,000; {nint:,} scv events)")


if __name__ == "__main__":
    main()
