"""Architected register layouts: MSR, LPCR, FSCR/HFSCR bits (SPRs: emu.registers).

Bit numbers are LSB-0 (Linux `*_LG` style); masks follow Linux arch/powerpc/include/asm/reg.h
and QEMU target/ppc/cpu.h (see ../shared/reference/ppc-semantics.md, section (e)).
"""


def bit(n: int) -> int:
    """Mask for LSB-0 bit `n`."""
    return 1 << n


def ibm_bit(n: int) -> int:
    """Mask for IBM (MSB-0) bit `n` of a 64-bit register, like QEMU's PPC_BIT()."""
    return 1 << (63 - n)


MASK64 = (1 << 64) - 1

# ---------------------------------------------------------------- MSR
MSR_SF = bit(63)
MSR_HV = bit(60)
MSR_S = bit(22)
MSR_TS = bit(33) | bit(34)
MSR_TM = bit(32)
MSR_VEC = bit(25)
MSR_VSX = bit(23)
MSR_POW = bit(18)
MSR_ILE = bit(16)
MSR_EE = bit(15)
MSR_PR = bit(14)
MSR_FP = bit(13)
MSR_ME = bit(12)
MSR_FE0 = bit(11)
MSR_SE = bit(10)
MSR_BE = bit(9)
MSR_FE1 = bit(8)
MSR_IR = bit(5)
MSR_DR = bit(4)
MSR_PMM = bit(2)
MSR_RI = bit(1)
MSR_LE = bit(0)

MSR_NAMES = (
    ("SF", MSR_SF), ("HV", MSR_HV), ("TM", MSR_TM), ("VEC", MSR_VEC), ("S", MSR_S),
    ("VSX", MSR_VSX), ("POW", MSR_POW), ("EE", MSR_EE), ("PR", MSR_PR), ("FP", MSR_FP),
    ("ME", MSR_ME), ("FE0", MSR_FE0), ("SE", MSR_SE), ("BE", MSR_BE), ("FE1", MSR_FE1),
    ("IR", MSR_IR), ("DR", MSR_DR), ("PMM", MSR_PMM), ("RI", MSR_RI), ("LE", MSR_LE),
)

# SRR1 keeps the MSR except IBM bits 33-36 and 42-47, which carry interrupt causes
# (Linux SRR1_MSR_BITS = ~0x783f0000; QEMU powerpc_excp_books).
SRR1_CAUSE_MASK = 0x783F0000

# Program interrupt causes in SRR1 (Power ISA Book III 7.5.9; Linux SRR1_PROGFPE...)
SRR1_PROGFPE = 0x00100000
SRR1_PROGILL = 0x00080000
SRR1_PROGPRIV = 0x00040000
SRR1_PROGTRAP = 0x00020000
# ISI causes in SRR1 / DSI causes in DSISR (IBM bit 33/1, 35/3, 36/4, 38/6)
SRR1_ISI_NOPT = 0x40000000
SRR1_ISI_N_G_OR_CIP = 0x10000000
SRR1_ISI_PROT = 0x08000000
DSISR_NOHPTE = 0x40000000
DSISR_PROTFAULT = 0x08000000
DSISR_ISSTORE = 0x02000000
DSISR_BADACCESS = 0x04000000
# Machine check: SRR1 bit 42 (1<<21) says the error was on a load/store (kvm-unit-tests test_mce)
SRR1_MC_LOADSTORE = 0x00200000
# Wake reason on system reset from stop (SRR1[42:45]); 0b0100 = decrementer ... not modelled beyond reset.

# ---------------------------------------------------------------- LPCR (SPR 318)
LPCR_HAIL = ibm_bit(37)      # ISA v3.1
LPCR_ILE = ibm_bit(38)
LPCR_AIL_SHIFT = 23
LPCR_AIL = 3 << LPCR_AIL_SHIFT
LPCR_UPRT = ibm_bit(41)
LPCR_HR = ibm_bit(43)
LPCR_GTSE = ibm_bit(53)
LPCR_PECE = 0x1F000
LPCR_LPES0 = ibm_bit(60)
LPCR_HVICE = ibm_bit(62)
LPCR_HDICE = ibm_bit(63)

# ---------------------------------------------------------------- FSCR / HFSCR
FSCR_FP = bit(0)
FSCR_VECVSX = bit(1)
FSCR_DSCR = bit(2)
FSCR_PM = bit(3)
FSCR_BHRB = bit(4)
FSCR_TM = bit(5)
FSCR_EBB = bit(7)
FSCR_TAR = bit(8)
FSCR_MSGP = bit(10)
FSCR_SCV = bit(12)
FSCR_PREFIX = bit(13)
FSCR_IC_SHIFT = 56
FSCR_IC_MASK = 0xFF << FSCR_IC_SHIFT
FSCR_IC_SCV = 12
FSCR_IC_TAR = 8

FSCR_NAMES = (
    ("FP", FSCR_FP), ("VECVSX", FSCR_VECVSX), ("DSCR", FSCR_DSCR), ("PM", FSCR_PM),
    ("BHRB", FSCR_BHRB), ("TM", FSCR_TM), ("EBB", FSCR_EBB), ("TAR", FSCR_TAR),
    ("MSGP", FSCR_MSGP), ("SCV", FSCR_SCV), ("PREFIX", FSCR_PREFIX),
)

# HID0 bits that select big/little-endian HV interrupts (QEMU ppc_interrupts_little_endian)
HID0_POWER8_HILE = ibm_bit(19)
HID0_POWER9_HILE = ibm_bit(4)
HID0_ATTN = ibm_bit(31)  # P8/P9 "attn enable" (skiboot sets it); see emu/privileged.py

def decode_msr(msr: int) -> str:
    return " ".join(n for n, m in MSR_NAMES if msr & m) or "-"


def lpcr_ail(lpcr: int) -> int:
    return (lpcr & LPCR_AIL) >> LPCR_AIL_SHIFT


def decode_lpcr(lpcr: int) -> str:
    parts = [f"AIL={lpcr_ail(lpcr)}", f"HAIL={int(bool(lpcr & LPCR_HAIL))}",
             f"HR={int(bool(lpcr & LPCR_HR))}"]
    for name, m in (("ILE", LPCR_ILE), ("UPRT", LPCR_UPRT), ("GTSE", LPCR_GTSE),
                    ("LPES0", LPCR_LPES0), ("HVICE", LPCR_HVICE), ("HDICE", LPCR_HDICE)):
        if lpcr & m:
            parts.append(name)
    return " ".join(parts)


def decode_fscr(fscr: int) -> str:
    fac = " ".join(n for n, m in FSCR_NAMES if fscr & m) or "-"
    return f"{fac} IC={(fscr >> FSCR_IC_SHIFT) & 0xFF}"
