"""Builders for small bare-metal test programs (GNU as syntax), in the style of
kvm-unit-tests: every vector slot holds a branch-to-self, so a run ends
`idle` at the vector the interrupt was delivered to, and the event log says
how it got there.

Layout (real addresses):
  0x10                 b start                  (PowerNV reset vector)
  0x100  .. 0xfff      real-mode vectors        (b . every 0x20)
  0x3000 .. 0x4fff     AIL=3 scv and AIL=3 vectors (seen at 0xc000000000003000..)
  0x17000 .. 0x18fff   real-mode scv vectors and AIL=2 vectors (0x18100..)
  0x20000              start: state set-up, then the instruction under test
"""
import pytest

# pseries: RTAS power-off through H_RTAS (args at 0x100000: token 0x2003, 2 args,
# 1 return); the QEMU front end then exits 0
RTAS_POWER_OFF = """
    lis 20, 0x10
    li 5, 0x2003
    stw 5, 0(20)
    li 5, 2
    stw 5, 4(20)
    li 5, 1
    stw 5, 8(20)
    li 5, 0
    stw 5, 12(20)
    stw 5, 16(20)
    li 3, 0
    ori 3, 3, 0xf000       # KVMPPC_H_RTAS
    mr 4, 20
    sc 1
"""

MSR_SF = 1 << 63
MSR_HV = 1 << 60
MSR_EE = 1 << 15
MSR_PR = 1 << 14
MSR_ME = 1 << 12
MSR_IR = 1 << 5
MSR_DR = 1 << 4
MSR_RI = 1 << 1

SENTINEL_SRR0 = 0x5A5A0000000000A0
SENTINEL_SRR1 = 0x5A5A0000000000A1
SENTINEL_LR = 0x5A5A0000000000B0
SENTINEL_CTR = 0x5A5A0000000000B1
SENTINEL_HSRR0 = 0x5A5A0000000000C0
SENTINEL_HSRR1 = 0x5A5A0000000000C1

SLOT_REGIONS = ((0x100, 0x1000), (0x3000, 0x5000), (0x17000, 0x19000))


def vectors(handlers: dict | None = None) -> str:
    """The vector area: a branch-to-self in every 0x20-byte slot, except the
    slots in `handlers` ({real address: assembly}), which hold that code."""
    handlers = dict(handlers or {})
    out = ["    .text", "    .org 0x10", "    b start"]
    for lo, hi in SLOT_REGIONS:
        addr = lo
        while addr < hi:
            if addr in handlers:
                out.append(f"    .org {addr:#x}")
                out.append(handlers.pop(addr))
                addr += 0x20
                continue
            n = 0
            while addr + n * 0x20 < hi and addr + n * 0x20 not in handlers:
                n += 1
            out += [f"    .org {addr:#x}", f"    .rept {n}", "    b .", "    .fill 7, 4, 0", "    .endr"]
            addr += n * 0x20
    if handlers:
        raise ValueError(f"handler addresses outside the vector areas: {sorted(handlers)}")
    out += ["    .org 0x20000", "start:"]
    return "\n".join(out) + "\n"


VECTORS = vectors()


def load64(reg: int, value: int) -> str:
    v = value & 0xFFFFFFFFFFFFFFFF
    return (f"    lis {reg}, ({v:#x})@highest\n"
            f"    ori {reg}, {reg}, ({v:#x})@higher\n"
            f"    sldi {reg}, {reg}, 32\n"
            f"    oris {reg}, {reg}, ({v:#x})@h\n"
            f"    ori {reg}, {reg}, ({v:#x})@l\n")


def mtspr(spr: int, value: int, reg: int = 9) -> str:
    return load64(reg, value) + f"    mtspr {spr}, {reg}\n"


def program(body: str, *, lpcr: int | None = None, fscr: int | None = None,
            hfscr: int | None = None, hid0: int | None = None, msr: int | None = None,
            enter_msr: int | None = None, sentinels: bool = True, extra: str = "",
            handlers: dict | None = None) -> str:
    """Set up LPCR/FSCR/..., then either enter `msr` with hrfid (staying in HV) or enter
    `enter_msr` with hrfid (to reach HV=0 or problem state), then run `body`."""
    s = vectors(handlers)
    if lpcr is not None:
        s += mtspr(318, lpcr)
    if fscr is not None:
        s += mtspr(153, fscr)
    if hfscr is not None:
        s += mtspr(190, hfscr)
    if hid0 is not None:
        s += mtspr(1008, hid0)
    if sentinels:
        s += mtspr(26, SENTINEL_SRR0) + mtspr(27, SENTINEL_SRR1)
        s += load64(9, SENTINEL_LR) + "    mtlr 9\n" + load64(9, SENTINEL_CTR) + "    mtctr 9\n"
    if msr is not None:
        # hrfid, not mtmsrd: mtmsrd never changes MSR[ME] (ISA III 4.4.4), hrfid in HV does
        s += ("    lis 9, 1f@h\n    ori 9, 9, 1f@l\n    mtspr 314, 9\n"
              + load64(9, msr) + "    mtspr 315, 9\n    hrfid\n1:\n")
    if enter_msr is not None:
        s += ("    lis 9, test@h\n    ori 9, 9, test@l\n    mtspr 314, 9\n"
              + load64(9, enter_msr) + "    mtspr 315, 9\n")
        s += "    hrfid\n"
    s += "test:\n" + body + "\n" + extra + "\n"
    return s


def srr1_of(msr: int) -> int:
    """SRR1-style image of an MSR (IBM bits 33-36 and 42-47 cleared)."""
    return msr & ~0x783F0000 & 0xFFFFFFFFFFFFFFFF


def scenario_matrix(platform: str):
    """pytest.mark.parametrize over every (scenario, cpu, fix) of a platform, each
    case named like `pseries-kexec-scv-power9-none`, so a failure names its case."""
    from harness.scenarios.core import SCENARIOS, fix_settings
    cases = [(name, cpu, tuple(sorted(fix))) for name, s in SCENARIOS.items()
             if s.platform == platform for cpu in s.cpus for fix in fix_settings(s)]
    return pytest.mark.parametrize("name,cpu,fix", cases,
                                   ids=[f"{n}-{c}-{'+'.join(f) or 'none'}" for n, c, f in cases])


def _block_counter_built() -> bool:
    from emu import unicorn_backend
    return unicorn_backend._COUNTER_LIB is not None


# Tests that pin exact instruction counts, DEC/HDEC timing or breakpoints inside
# single-stepped code need emu/_counter (the C block hook, built by `make`);
# without it counts are slice-granular (README, "Requirements").
needs_block_counter = pytest.mark.skipif(
    not _block_counter_built(),
    reason="needs emu/_counter, the C block counter (a C compiler at install time)")
