"""Seeded random differential conformance: `ppcvec conform --fuzz N`.

Each random program is a random machine state followed by 2-5 random system
instructions.  N programs for one machine are packed into one bare-metal image
(the same bytes in ppcvec and under `qemu-system-ppc64 -M powernvN -bios`), so
each side runs in one process per machine; every interrupt is recorded by a
handler that resumes at the next instruction, and the two sides are compared
record by record (harness/conform/suite.py fields) plus the registers the
instructions read.  Disagreements are matched against the documented QEMU
deviations (harness/conform/deviations.py).  Design: docs/conformance.md.

State dimensions: MSR HV/PR/IR=DR/EE/RI; LPCR AIL, HAIL (v3.1), EVIRT (v3.0+),
LPES0, HR/UPRT; FSCR and HFSCR (random subsets of every facility bit); MMU
real / radix (POWER9/10) / hash (POWER8 everywhere, POWER9/10 in hypervisor
state: a hash guest in real mode needs a VRMA the frame does not build); HV=0
guests run as LPID 1.
Instruction classes: mfspr/mtspr of SPRs of the register table and of
undefined numbers, sc, sc 1, scv LEV, rfid, hrfid, mtmsr(d) (L=0 and L=1),
mfmsr, traps, illegal words, storage accesses to an unmapped EA (loads,
stores, update forms, multiple, string, dcbz/dcbst/dcbf/icbi), msgclrp,
tlbiel, stop (outside hypervisor state).
"""
from __future__ import annotations

import os
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from emu.registers import SPRS, implemented
from harness.conform.deviations import (Context, FuzzContext, find_deviation,
                                        find_fuzz_deviation)
from harness.conform.qmp import Qmp, QmpError, shut_down
from harness.loader.images import Image
from harness.run.api import RunOptions, run_image
from harness.toolchain.asm import assemble

MACHINES = ("powernv8", "powernv9", "powernv10")
MODEL = {"powernv8": "power8", "powernv9": "power9", "powernv10": "power10"}

# image layout (real addresses)
CTL = 0x6000               # control words: +0 end marker EA, +8 next program, +0x10 abort, +0x18 area
RESULTS = 0x100000         # per-program areas
AREA = 0x800               # bytes per program: header 0x40, 14 records of 0x80, regs
MAXREC = 14
REGS_OFF = 0x40 + MAXREC * 0x80     # the 5 registers the instructions read (r10-r14)
DONE_MAGIC = 0x46555A5A444F4E45     # "FUZZDONE"
NOT_READ = 0xEEEEEEEEEEEEEEEE
POISON = 0x5A5A5A5A5A5A5A5A
UNMAPPED_EA = 0x0000000100000000    # beyond both identity maps (4 GiB)
FIELDS = ("slot", "lr", "ctr", "srr0", "srr1", "hsrr0", "hsrr1", "msr", "fscr", "hfscr",
          "lpcr", "dar", "dsisr", "heir", "tag")
# registers whose value depends on time or on QEMU internals the frame cannot
# pin: their reads are compared for "did it trap", not for the value
# (QEMU 7.2 also runs the performance counters; the PMU registers' values are
# not compared: 736-754, 768-798)
VOLATILE_SPRS = frozenset({22, 28, 268, 269, 308, 309, 310, 446, 849, 136, 1023,
                           *range(736, 755), *range(768, 799)})
# problem-state writes of the user PMU numbers depend on MMCR0[PMCC], which
# ppcvec does not model (docs/conformance.md): not generated
PMU_USER = frozenset(range(768, 783))
# writes that would change the frame's own execution (translation, endianness,
# timers, debug/PMU interrupts, compatibility mode): generated only from states
# that cannot perform them
DANGEROUS_WRITES = frozenset({
    1, 8, 9, 13, 22, 25, 29, 48, 61, 152, 176, 180, 181, 186, 187, 188, 189, 284, 285, 286,
    308, 309, 310, 312, 313, 318, 319, 336, 337, 338, 349, 464, 768, 769, 770, 779, 784, 785, 786,
    795, 800, 801, 802, 803, 806, 823, 855, 896, 898, 1008, 157, 159})
HV_CLASS = (0x980, 0xE00, 0xE20, 0xE40, 0xE60, 0xE80, 0xEA0, 0xF80)

MSR_SF, MSR_HV, MSR_EE, MSR_PR, MSR_ME = 1 << 63, 1 << 60, 1 << 15, 1 << 14, 1 << 12
MSR_IR, MSR_DR, MSR_RI, MSR_FP = 1 << 5, 1 << 4, 1 << 1, 1 << 13
LPCR_HR, LPCR_UPRT, LPCR_EVIRT, LPCR_HAIL = 1 << 20, 1 << 22, 1 << 21, 1 << 26
PTCR_VALUE = 0x40000
HTAB = 0x80000


@dataclass
class FuzzProgram:
    index: int
    machine: str
    msr: int
    lpcr: int
    fscr: int
    hfscr: int
    mmu: str                    # "real", "radix", "hash"
    guest: bool
    insns: list                 # [(class, assembly text, spr or None)]
    r8: int = 0

    def describe(self) -> str:
        st = "user" if self.msr & MSR_PR else ("hv" if self.msr & MSR_HV else "guest")
        return (f"#{self.index} {self.machine} {st} mmu={self.mmu} msr={self.msr:#x} "
                f"lpcr={self.lpcr:#x} fscr={self.fscr:#x} hfscr={self.hfscr:#x}: "
                + "; ".join(t for _, t, _ in self.insns))


# ------------------------------------------------------------------ generation

def _state_letter(msr: int) -> str:
    if msr & MSR_PR:
        return "p"
    return "h" if msr & MSR_HV else "s"


def generate(seed: int, n: int, machines=MACHINES) -> list:
    """`n` programs, spread over `machines` in turn, from `seed` (the same
    seed gives the same programs, byte for byte)."""
    rng = random.Random(seed)
    return [_one(rng, k, machines[k % len(machines)]) for k in range(n)]


def _one(rng: random.Random, k: int, machine: str) -> FuzzProgram:
    model = MODEL[machine]
    v3 = model != "power8"
    hv = rng.random() < 0.45
    pr = rng.random() < 0.35
    guest = not hv
    mmus = ["real", "radix", "hash"] if v3 else ["real", "hash"]
    mmu = rng.choice(mmus)
    if v3 and guest:
        mmu = "radix"       # a POWER9/10 guest in real mode needs radix (hash: a VRMA)
    reloc = mmu != "real" and (pr or rng.random() < 0.6)
    if pr and mmu == "real":
        mmu = "radix" if v3 else "hash"     # problem state always translates
        reloc = True
    msr = MSR_SF | MSR_ME | (MSR_HV if hv else 0) | (MSR_PR if pr else 0)
    if reloc:
        msr |= MSR_IR | MSR_DR
    if rng.random() < 0.5:
        msr |= MSR_EE
    if rng.random() < 0.8:
        msr |= MSR_RI
    if rng.random() < 0.3:
        msr |= MSR_FP
    lpcr = 0xC | (rng.choice((0, 2, 3)) << 23)
    if rng.random() < 0.2:
        lpcr |= 1 << 23                     # AIL=1: reserved
    if v3 and rng.random() < 0.3:
        lpcr |= LPCR_EVIRT
    if model == "power10" and rng.random() < 0.4:
        lpcr |= LPCR_HAIL
    if mmu == "radix":
        lpcr |= LPCR_HR | LPCR_UPRT
    fscr = rng.getrandbits(14) if rng.random() < 0.7 else 0x3FFF
    hfscr = rng.getrandbits(14) if rng.random() < 0.5 else 0x3FFF
    prog = FuzzProgram(k, machine, msr, lpcr, fscr, hfscr, mmu, guest, [],
                       r8=rng.getrandbits(64))
    count = rng.randint(2, 5)
    for i in range(count):
        prog.insns.append(_insn(rng, prog, model, 10 + i))
    return prog


def _spr_choice(rng, model):
    r = rng.random()
    if r < 0.1:
        while True:
            n = rng.randrange(1024)
            if n not in {s.num for s in SPRS}:
                return n
    rows = [s for s in SPRS if s.models] if r < 0.9 else list(SPRS)
    return rng.choice(rows).num


def _insn(rng, prog: FuzzProgram, model: str, rt: int):
    letter = _state_letter(prog.msr)
    v3 = model != "power8"
    reloc = bool(prog.msr & MSR_DR)
    classes = ["mfspr"] * 6 + ["mtspr"] * 4 + ["sc", "sc1", "trap", "illegal", "mfmsr",
                                                "mtmsrd1", "mtmsrd0", "rfid", "hrfid",
                                                "msgclrp", "tlbiel"]
    if v3:
        classes += ["scv"] * 2
    if letter != "h":
        classes.append("stop")
    if reloc:
        classes += ["storage"] * 3
    cls = rng.choice(classes)
    if cls == "mfspr":
        n = _spr_choice(rng, model)
        return cls, f"mfspr {rt}, {n}", n
    if cls == "mtspr":
        for _ in range(20):
            n = _spr_choice(rng, model)
            row = implemented(model).get(n)
            if letter == "p" and n in PMU_USER:
                continue
            if n not in DANGEROUS_WRITES or row is None or letter not in row.mt:
                return cls, f"mtspr {n}, 8", n
        return "mfspr", f"mfspr {rt}, {n}", n
    if cls == "sc":
        return cls, "sc", None
    if cls == "sc1":
        return cls, "sc 1", None
    if cls == "scv":
        return cls, f"scv {rng.randrange(4)}", None
    if cls == "trap":
        return cls, rng.choice(["tw 31, 0, 0", "td 31, 0, 0", "twi 0, 0, 0", "tdi 4, 3, 0x7fff"]), None
    if cls == "illegal":
        return cls, ".long 0x0000beef", None
    if cls == "mfmsr":
        return cls, f"mfmsr {rt}", None
    if cls == "mtmsrd1":
        bit = rng.choice((MSR_EE, MSR_RI))
        return cls, f"mfmsr 20\n    xori 20, 20, {bit:#x}\n    mtmsrd 20, 1", None
    if cls == "mtmsrd0":
        return cls, f"mfmsr 20\n    xori 20, 20, {MSR_FP:#x}\n    mtmsrd 20", None
    if cls in ("rfid", "hrfid"):
        s0, s1 = (26, 27) if cls == "rfid" else (314, 315)
        return cls, (f"bl 1f\n1:  mflr 20\n    addi 20, 20, 24\n    mtspr {s0}, 20\n"
                     f"    mfmsr 21\n    mtspr {s1}, 21\n    {cls}"), None
    if cls == "msgclrp":
        return cls, "msgclrp 8", None
    if cls == "tlbiel":
        return cls, "tlbiel 0", None
    if cls == "stop":
        return cls, "stop", None
    op = rng.choice(["ld {rt}, 0(7)", "stw 8, 0(7)", "stdu 8, 8(7)", "lmw 29, 0(7)",
                     "stswi 8, 7, 8", "dcbz 0, 7", "dcbst 0, 7", "dcbf 0, 7", "icbi 0, 7",
                     "lbzx {rt}, 0, 7", "stfd 1, 0(7)"])
    return "storage", op.format(rt=rt), None


# ------------------------------------------------------------------ image

_FRAME = """
    .include "ppc.inc"
    .text
    .org 0x10
    b start
{slots_lo}
    .org 0x1000
fz_record:
    mflr 28
    addi 28, 28, -12
    andi. 24, 28, 0xfff
    cmpdi 24, 0xe40
    bne 3f
    mfspr 24, 314
    ld 25, {CTL}(0)
    cmpd 24, 25
    beq fz_next_prog
    ld 25, {CTL16}(0)
    cmpdi 25, 0
    bne fz_next_prog
3:  ld 27, {CTL24}(0)
    ld 24, 8(27)
    cmpdi 24, {MAXREC}
    bge fz_abort
    sldi 25, 24, 7
    add 25, 25, 27
    addi 25, 25, 0x40
    std 28, 0(25)
    std 30, 8(25)
    std 29, 16(25)
    mfspr 23, 26
    std 23, 24(25)
    mfspr 23, 27
    std 23, 32(25)
    mfmsr 23
    std 23, 56(25)
    mfspr 21, 153
    std 21, 64(25)
    mfspr 21, 19
    std 21, 88(25)
    mfspr 21, 18
    std 21, 96(25)
    rldicl. 21, 23, 4, 63
    beq 1f
    mfspr 21, 314
    std 21, 40(25)
    mfspr 21, 315
    std 21, 48(25)
    mfspr 21, 190
    std 21, 72(25)
    mfspr 21, 318
    std 21, 80(25)
    li 21, 0
    mfspr 21, 339
    std 21, 104(25)
    b 2f
1:  LOAD_IMM64 21, {NOT_READ}
    std 21, 40(25)
    std 21, 48(25)
    std 21, 72(25)
    std 21, 80(25)
    std 21, 104(25)
2:  std 22, 112(25)
    addi 24, 24, 1
    std 24, 8(27)
    /* resume */
    andi. 24, 28, 0xfff
    rldicl 21, 28, 0, 44
    srdi 21, 21, 12
    cmpdi 21, 0x17
    beq fz_scv
    cmpdi 21, 0x3
    beq fz_scv
    cmpdi 24, 0x400
    beq fz_abort
    cmpdi 24, 0x480
    beq fz_abort
    cmpdi 24, 0xe20
    beq fz_abort
    cmpdi 24, 0x100
    beq fz_abort
    cmpdi 24, 0x200
    beq fz_abort
    cmpdi 24, 0xe60
    beq fz_abort
    cmpdi 24, 0x980
    beq fz_hv_async
    cmpdi 24, 0xe80
    beq fz_hv_async
    cmpdi 24, 0xea0
    beq fz_hv_async
    cmpdi 24, 0xe00
    beq fz_hv
    cmpdi 24, 0xe40
    beq fz_hv
    cmpdi 24, 0xf80
    beq fz_hv
    cmpdi 24, 0x900
    beq fz_os_async
    cmpdi 24, 0xa00
    beq fz_os_async
    cmpdi 24, 0xd00
    beq fz_os_async
    cmpdi 24, 0xc00
    beq fz_os_async
    mfspr 21, 26
    addi 21, 21, 4
    mtspr 26, 21
fz_os_async:
    mtlr 30
    mtctr 29
    rfid
fz_hv:
    mfspr 21, 314
    addi 21, 21, 4
    mtspr 314, 21
fz_hv_async:
    mtlr 30
    mtctr 29
    hrfid
fz_scv:
    mtlr 30
    mtctr 29
    .long 0x4c0000a4        /* rfscv */
fz_abort:
    mfmsr 21
    rldicl. 21, 21, 4, 63
    bne fz_next_prog
    li 21, 1
    std 21, {CTL16}(0)
    .long 0                 /* illegal: HEAI to the hypervisor, which moves on */
fz_next_prog:
    li 21, 0
    std 21, {CTL16}(0)
    LOAD_IMM64 21, 0x9000000000001000
    mtmsrd 21
    isync
    ld 27, {CTL24}(0)
    std 10, {REGS_OFF}(27)
    std 11, {REGS_OFF8}(27)
    std 12, {REGS_OFF16}(27)
    std 13, {REGS_OFF24}(27)
    std 14, {REGS_OFF32}(27)
    ld 21, {CTL8}(0)
    mtctr 21
    bctr
fz_done:
    LOAD_IMM32 21, {RESULTS}
    LOAD_IMM64 20, {DONE_MAGIC}
    std 20, 0(21)
    b .
{slots_mid}
{slots_hi}
    .org 0x20000
start:
    b prog_0
{programs}
    .org 0x40000
    .quad 0x8000000000000000 | (2 << 61) | (5 << 5) | 0x50000 | 13
    .quad 0x8000000000000000 | 0x41000
    .quad 0x8000000000000000 | (2 << 61) | (5 << 5) | 0x50000 | 13
    .quad 0x8000000000000000 | 0x41000
    .org 0x41000
    .quad (2 << 61) | (5 << 5) | 0x50000 | 13
    .quad 0
    .org 0x42000
    .quad {HTAB}
    .quad 0
    .quad {HTAB}
    .quad 0
    .org 0x50000
    .quad 0x8000000000000000 | 0x60000 | 9
    .org 0x60000
    .quad 0xC000000000000000 | (0 << 30) | 0x180 | 0x7
    .quad 0xC000000000000000 | (1 << 30) | 0x180 | 0x7
    .org {HTAB} + 0x100 * 128
    .quad (0x100 << 12) | 0x4 | 0x1
    .quad 0x192
    .org {HTAB} + 0x101 * 128
    .quad (0x101 << 12) | 0x4 | 0x1
    .quad 0x192
"""
# radix: PTCR 0x40000 (LPID 0 and 1 share one identity tree, 2 GiB of 1 GiB
# leaves); POWER9/10 hash: PTCR 0x42000 (both LPIDs: HTAB); POWER8: SDR1 = HTAB.
# The HPT maps EA 0 and 0xc000... (SLB 0/1, 16 MiB pages) to real 0.


def _slots(lo: int, hi: int) -> str:
    n = (hi - lo) // 0x20
    return (f"    .org {lo:#x}\n    .rept {n}\n    mflr 30\n    mfctr 29\n    bl fz_record\n"
            f"    b .\n    .fill 4, 4, 0\n    .endr")


def _setspr(spr: int, value: int) -> str:
    return f"    LOAD_IMM64 20, {value & (2**64 - 1):#x}\n    mtspr {spr}, 20\n"


def _program_asm(p: FuzzProgram, last: bool) -> str:
    k = p.index
    model = MODEL[p.machine]
    area = RESULTS + AREA * (k + 1)
    out = [f"prog_{k}:", "    bl fz_reset_sprs"]
    out.append(f"    LOAD_IMM32 27, {area:#x}\n    li 20, 0\n    std 20, 8(27)\n"
               f"    std 27, {CTL + 0x18}(0)\n")
    out.append(f"    LOAD_IMM32 20, end_{k}\n    std 20, {CTL}(0)\n")
    out.append(f"    LOAD_IMM32 20, {'fz_done' if last else f'prog_{k + 1}'}\n"
               f"    std 20, {CTL + 8}(0)\n")
    if p.mmu == "hash":
        if model == "power8":
            out.append(_setspr(25, HTAB))
        else:
            out.append(_setspr(464, 0x42000))
        out.append("    slbia\n" + "    LOAD_IMM64 20, 0x100100\n    LOAD_IMM64 21, 0x8000000\n"
                   "    slbmte 20, 21\n    LOAD_IMM64 20, 0x101100\n"
                   "    LOAD_IMM64 21, 0xC000000008000001\n    slbmte 20, 21\n")
    elif p.mmu == "radix":
        out.append(_setspr(464, PTCR_VALUE))
    out.append(_setspr(318, p.lpcr))
    out.append(_setspr(319, 1 if p.guest else 0))
    if model != "power8":
        out.append(_setspr(339, 0))            # HEIR: no image left from an earlier program
    out.append(_setspr(153, p.fscr))
    out.append(_setspr(190, p.hfscr))
    out.append("    LOAD_IMM32 20, 0x7fffffff\n    mtspr 22, 20\n    isync\n")
    for spr, v in ((26, 0x5A5A0000000000A0), (27, 0x5A5A0000000000A1),
                   (314, 0x5A5A0000000000C0), (315, 0x5A5A0000000000C1)):
        out.append(_setspr(spr, v))
    out.append("    LOAD_IMM64 20, 0x5A5A0000000000B0\n    mtlr 20\n"
               "    LOAD_IMM64 20, 0x5A5A0000000000B1\n    mtctr 20\n")
    for r in range(10, 15):
        out.append(f"    LOAD_IMM64 {r}, {POISON:#x}\n")
    out.append(f"    LOAD_IMM64 7, {UNMAPPED_EA:#x}\n    LOAD_IMM64 8, {p.r8:#x}\n"
               "    li 22, 0\n")
    out.append(f"    LOAD_IMM32 20, body_{k}\n    mtspr 314, 20\n"
               f"    LOAD_IMM64 20, {p.msr:#x}\n    mtspr 315, 20\n    hrfid\n")
    out.append(f"body_{k}:")
    for i, (_, text, _) in enumerate(p.insns):
        out.append(f"    li 22, {i + 1}\n    {text}")
    out.append(f"end_{k}:\n    .long 0")
    return "\n".join(out) + "\n"


def _reset_sprs(model: str) -> str:
    """A subroutine that zeroes every SPR the frame does not set itself, so
    no program sees what an earlier one wrote (which may differ between the
    two sides after a deviation)."""
    from emu.registers import implemented
    out = ["fz_reset_sprs:", "    li 20, 0"]
    skip = DANGEROUS_WRITES | {26, 27, 314, 315, 153, 190, 339, 318, 319, 464, 25}
    for n, row in sorted(implemented(model).items()):
        if ("h" in row.mt and row.field and not row.view and row.hook is None and not row.msr_tm
                and n not in skip):
            out.append(f"    mtspr {n}, 20")
    out.append("    blr")
    return "\n".join(out) + "\n"


def build_source(programs: list) -> str:
    body = _reset_sprs(MODEL[programs[0].machine]) + "".join(_program_asm(p, i == len(programs) - 1) for i, p in enumerate(programs))
    return _FRAME.format(
        slots_lo=_slots(0x100, 0x1000), slots_mid=_slots(0x3000, 0x5000),
        slots_hi=_slots(0x17000, 0x19000), programs=body, CTL=CTL, CTL8=CTL + 8,
        CTL16=CTL + 0x10, CTL24=CTL + 0x18, MAXREC=MAXREC, NOT_READ=hex(NOT_READ),
        REGS_OFF=REGS_OFF, REGS_OFF8=REGS_OFF + 8, REGS_OFF16=REGS_OFF + 16,
        REGS_OFF24=REGS_OFF + 24, REGS_OFF32=REGS_OFF + 32, RESULTS=hex(RESULTS),
        DONE_MAGIC=hex(DONE_MAGIC), HTAB=hex(HTAB))


def build_image(programs: list, machine: str) -> Image:
    import guest_images
    cpu = {"powernv8": 8, "powernv9": 9, "powernv10": 10}[machine]
    res = assemble(build_source(programs), filename=f"<fuzz {machine}>",
                   defsyms={"CPU": cpu}, include_dirs=[guest_images.INCLUDE])
    return Image(f"<fuzz {machine}>", "source", res.image, 0, None, dict(res.symbols),
                 list(res.lines))


# ------------------------------------------------------------------ running

def _decode(words: list, n: int) -> tuple[bool, list]:
    done = words[0] == DONE_MAGIC
    out = []
    for k in range(n):
        base = (AREA * (k + 1)) // 8
        count = min(words[base + 1], MAXREC)
        recs = []
        for i in range(count):
            rb = base + (0x40 + i * 0x80) // 8
            recs.append(dict(zip(FIELDS, words[rb:rb + len(FIELDS)])))
        regs = words[base + REGS_OFF // 8: base + REGS_OFF // 8 + 5]
        out.append((recs, regs))
    return done, out


def _words(data: bytes) -> list:
    return [int.from_bytes(data[i:i + 8], "big") for i in range(0, len(data), 8)]


def run_ppcvec_batch(img: Image, machine: str, n: int):
    size = AREA * (n + 1)
    opts = RunOptions(machine=machine, mmu="architected", max_insns=2_000 * (n + 10),
                      dumps=[(RESULTS, size)])
    r = run_image(img, opts)
    done, progs = _decode(_words(r.dumps[RESULTS]), n)
    return done, progs, r.outcome, r.detail


def run_qemu_batch(img: Image, machine: str, n: int, qemu: str, timeout: float):
    from harness.conform.suite import qemu_command
    tmp = tempfile.mkdtemp(prefix="ppcvec-fuzz-")
    path = os.path.join(tmp, "image.bin")
    sock = os.path.join(tmp, "qmp.sock")
    with open(path, "wb") as f:
        f.write(img.data)
    proc = None
    q = None
    try:
        proc = subprocess.Popen(qemu_command(qemu, machine, path, sock), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
        q = Qmp.connect(sock, timeout=timeout, alive=lambda: proc.poll() is None)
        deadline = time.monotonic() + timeout
        while q.read_phys(RESULTS, 1)[0] != DONE_MAGIC and time.monotonic() < deadline:
            time.sleep(0.005)
        done, progs = _decode(q.read_phys(RESULTS, AREA * (n + 1) // 8), n)
        return done, progs, "done" if done else "timeout"
    except QmpError as e:
        return False, [([], [])] * n, f"error: {e}"
    finally:
        shut_down(q, proc, tmp)


# ------------------------------------------------------------------ comparing

@dataclass
class FuzzResult:
    program: FuzzProgram
    status: str                       # "agree", "deviation", "DISAGREE"
    diffs: list = field(default_factory=list)    # (field, qemu, ppcvec, agree)


# registers an interrupt writes: after an instruction-level deviation where one
# side took an interrupt the other did not, they differ for the rest of the program
CONSEQUENCE_FIELDS = ("srr0", "srr1", "hsrr0", "hsrr1", "heir", "dar", "dsisr")


CONSEQUENCE_SPRS = frozenset({18, 19, 26, 27, 306, 307, 314, 315, 339, 153, 190})


def _same_but_ic(p: FuzzProgram, f: str, qv, pv) -> bool:
    """FSCR/HFSCR equal but for IC (a deviation's facility interrupt set it)."""
    if qv is None or pv is None:
        return False
    from emu.registers import field_masks
    mask = field_masks(MODEL[p.machine])[f] & ~(0xFF << 56)
    return qv & mask == pv & mask


def _retag_msgp_hfus(p: FuzzProgram, recs: list) -> list:
    """QEMU 7.2 raises its HFSCR[MSGP] Hypervisor Facility Unavailable for
    msgclrp / mfspr DPDES before the program's tag for that instruction is set
    (deviation msgp-hfscr): give those records the next instruction's tag."""
    out = []
    for r in recs:
        t = r["tag"]
        if r["slot"] & 0xFFF == 0xF80 and (r["hfscr"] >> 56) == 10:   # IC = MSGP
            for k in range(max(t - 1, 0), len(p.insns)):
                cls, _, spr = p.insns[k]
                if cls == "msgclrp" or (cls == "mfspr" and spr == 176):
                    r = dict(r, tag=k + 1)
                    break
        out.append(r)
    return out


def _reads_register(cls: str) -> bool:
    return cls in ("mfspr", "mfmsr", "storage")


def compare_program(p: FuzzProgram, q, v) -> FuzzResult:
    """Compare instruction by instruction: the records each produced (by the tag
    the program sets before it) and the register it read.  A difference is
    first offered to the instruction-level deviations, then field by field to
    the record-level ones (harness/conform/deviations.py)."""
    (qrecs, qregs), (vrecs, vregs) = q, v
    res = FuzzResult(p, "agree")
    # records made with MSR[HV]=0 cannot read LPCR; the deviations may use the
    # value the program set (it never writes LPCR itself)
    vctx = [dict(r, lpcr=p.lpcr) if r.get("lpcr") == NOT_READ else r for r in vrecs]
    qrecs = _retag_msgp_hfus(p, qrecs)
    name = f"fuzz{p.index}"
    model = MODEL[p.machine]
    letter = _state_letter(p.msr)

    def diff(label, qv, pv, agree):
        res.diffs.append((label, qv, pv, agree))

    tainted = {}

    for i, (cls, text, spr) in enumerate(p.insns):
        tag = i + 1
        qg = [r for r in qrecs if r["tag"] == tag]
        vg = [r for r in vrecs if r["tag"] == tag]
        reg_q = qregs[i] if i < len(qregs) else None
        reg_v = vregs[i] if i < len(vregs) else None
        reads = _reads_register(cls) and not (spr in VOLATILE_SPRS and cls == "mfspr")
        same_slots = [r["slot"] for r in qg] == [r["slot"] for r in vg]
        if same_slots and (not reads or reg_q == reg_v) and all(
                all(a.get(f) == b.get(f) for f in FIELDS) for a, b in zip(qg, vg)):
            continue
        fc = FuzzContext(p.machine, model, letter, cls, text, spr, qg, vg,
                         reg_q if reads else None, reg_v if reads else None, p.lpcr)
        d = find_fuzz_deviation(fc)
        if d is None and not same_slots and len(qg) == len(vg):
            same_slots = True          # same interrupts, elsewhere: field by field (AIL deviations)
        if d is not None:
            diff(f"insn{tag}", None, None, f"dev:{d.id}")
            if len(qg) != len(vg) or any(a["slot"] != b["slot"] for a, b in zip(qg, vg)):
                # an interrupt one side took leaves its save registers behind
                tainted[CONSEQUENCE_FIELDS] = d.id
            continue
        if (not same_slots and tainted and len(qg) != len(vg)
                and max(len(qrecs), len(vrecs)) >= MAXREC):
            # the earlier deviation's extra records used up one side's record space
            diff(f"insn{tag}", None, None, f"dev:{tainted[CONSEQUENCE_FIELDS]}")
            continue
        if not same_slots:
            diff(f"insn{tag}.slots", len(qg), len(vg), "NO")
            for k in range(max(len(qg), len(vg))):
                a = qg[k]["slot"] if k < len(qg) else None
                b = vg[k]["slot"] if k < len(vg) else None
                diff(f"insn{tag}#{k}.slot", a, b, "NO")
            continue
        for k, (a, b) in enumerate(zip(qg, vg)):
            idx = vrecs.index(b)
            qaligned = list(vctx)
            qaligned[idx] = a
            for f in FIELDS:
                if a.get(f) == b.get(f):
                    continue
                ctx = Context(name, p.machine, f, idx, a.get(f), b.get(f), qaligned, vctx, "done")
                dd = find_deviation(ctx)
                if dd is None and tainted and (f in CONSEQUENCE_FIELDS or f in ("fscr", "hfscr")
                                               and _same_but_ic(p, f, a.get(f), b.get(f))):
                    diff(f"insn{tag}#{k}.{f}", a.get(f), b.get(f),
                         f"dev:{tainted[CONSEQUENCE_FIELDS]}")
                    continue
                diff(f"insn{tag}#{k}.{f}", a.get(f), b.get(f), f"dev:{dd.id}" if dd else "NO")
        if reads and reg_q != reg_v:
            if not qg and not vg and max(len(qrecs), len(vrecs)) >= MAXREC:
                # one side ran out of record space: this instruction's interrupt (if
                # any) was not recorded and the program ended there
                diff(f"insn{tag}.r{10 + i}", reg_q, reg_v, "frame:record-limit")
            elif tainted and cls == "mfspr" and spr in CONSEQUENCE_SPRS:
                diff(f"insn{tag}.r{10 + i}", reg_q, reg_v, f"dev:{tainted[CONSEQUENCE_FIELDS]}")
            else:
                diff(f"insn{tag}.r{10 + i}", reg_q, reg_v, "NO")
    if any(a == "NO" for *_, a in res.diffs):
        res.status = "DISAGREE"
    elif any(a.startswith("dev:") for *_, a in res.diffs):
        res.status = "deviation"
    elif res.diffs:
        res.status = "agree"       # only what the frame could not record
    return res


@dataclass
class FuzzRun:
    seed: int
    results: list
    coverage: dict
    errors: list

    @property
    def failures(self) -> list:
        return [r for r in self.results if r.status == "DISAGREE"]


def coverage_of(programs: list) -> dict:
    cov: dict = {}

    def bump(key):
        cov[key] = cov.get(key, 0) + 1
    for p in programs:
        bump(f"machine={p.machine}")
        bump("state=" + {"p": "problem", "s": "guest-supervisor", "h": "hypervisor"}[
            _state_letter(p.msr)] + ("-guest" if p.guest and p.msr & MSR_PR else ""))
        bump(f"mmu={p.mmu}")
        bump(f"relocation={'on' if p.msr & MSR_IR else 'off'}")
        bump(f"msr.ee={int(bool(p.msr & MSR_EE))}")
        bump(f"msr.ri={int(bool(p.msr & MSR_RI))}")
        bump(f"lpcr.ail={(p.lpcr >> 23) & 3}")
        if p.lpcr & LPCR_HAIL:
            bump("lpcr.hail=1")
        if p.lpcr & LPCR_EVIRT:
            bump("lpcr.evirt=1")
        if p.guest:
            bump("lpid=1")
        if p.fscr != 0x3FFF:
            bump("fscr=random")
        if p.hfscr != 0x3FFF:
            bump("hfscr=random")
        for cls, _, _ in p.insns:
            bump(f"insn={cls}")
    sprs = {spr for p in programs for cls, _, spr in p.insns if spr is not None}
    cov["sprs.distinct"] = len(sprs)
    cov["sprs.table-rows-touched"] = len(sprs & {r.num for r in SPRS})
    return dict(sorted(cov.items()))


def run_fuzz(n: int, seed: int, qemu: str, machines=MACHINES, timeout: float = 60.0,
             batch: int = 100) -> FuzzRun:
    programs = generate(seed, n, machines)
    results, errors = [], []
    for m in machines:
        mine = [p for p in programs if p.machine == m]
        for start in range(0, len(mine), batch):
            chunk = mine[start:start + batch]
            # renumber within the image; keep the global index for reports
            local = [FuzzProgram(i, p.machine, p.msr, p.lpcr, p.fscr, p.hfscr, p.mmu, p.guest,
                                 p.insns, p.r8) for i, p in enumerate(chunk)]
            img = build_image(local, m)
            vdone, vprogs, outcome, detail = run_ppcvec_batch(img, m, len(chunk))
            qdone, qprogs, qoutcome = run_qemu_batch(img, m, len(chunk), qemu, timeout)
            if not vdone:
                errors.append(f"{m}: ppcvec did not finish the batch ({outcome} {detail})")
            if not qdone:
                errors.append(f"{m}: QEMU did not finish the batch ({qoutcome})")
            for p, q, v in zip(chunk, qprogs, vprogs):
                results.append(compare_program(p, q, v))
    results.sort(key=lambda r: r.program.index)
    return FuzzRun(seed, results, coverage_of(programs), errors)


# ------------------------------------------------------------------ output

def _hx(v):
    return None if v is None else "0x%016x" % v


def report_lines(run: FuzzRun, verbose: bool = False) -> list:
    """Every disagreeing program with its differences (with `verbose` also the
    programs that differ only by documented deviations), a summary, the
    deviations seen and the coverage counts."""
    out = []
    for r in run.results:
        if r.status == "agree" or (r.status == "deviation" and not verbose):
            continue
        out.append(f"{r.status}: {r.program.describe()}".replace("\n", " / "))
        for label, qv, pv, agree in r.diffs:
            out.append(f"    {label:<18} QEMU {_fmt(qv):<18} ppcvec {_fmt(pv):<18} {agree}")
    counts = {}
    for r in run.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    devs = {}
    for r in run.results:
        for *_, agree in r.diffs:
            if agree.startswith("dev:"):
                devs[agree[4:]] = devs.get(agree[4:], 0) + 1
    out.append("")
    out.append(f"fuzz: seed {run.seed}, {len(run.results)} programs: "
               + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("agree", "deviation", "DISAGREE")))
    for e in run.errors:
        out.append(f"  error: {e}")
    if devs:
        out.append("  documented QEMU deviations seen: " + ", ".join(
            f"{k} ({v})" for k, v in sorted(devs.items())) + " (harness/conform/deviations.py)")
    out.append("coverage:")
    for k, v in run.coverage.items():
        out.append(f"  {k:<28} {v}")
    return out


def _fmt(v) -> str:
    if v is None:
        return "-"
    return "0x%x" % v


def run_json(run: FuzzRun) -> dict:
    return {
        "seed": run.seed,
        "programs": len(run.results),
        "summary": {k: sum(1 for r in run.results if r.status == k)
                    for k in ("agree", "deviation", "DISAGREE")},
        "errors": run.errors,
        "coverage": run.coverage,
        "results": [{
            "index": r.program.index, "machine": r.program.machine, "status": r.status,
            "program": r.program.describe(),
            "diffs": [{"field": label, "qemu": _hx(qv), "ppcvec": _hx(pv), "agree": agree}
                      for label, qv, pv, agree in r.diffs],
        } for r in run.results if r.status != "agree"],
    }
