"""Instruction opcodes that emu/ decodes: the one copy of each number.

Primary opcodes are bits 0:5 of the instruction; XL-form (primary 19) and X/XFX-
form (primary 31) extended opcodes are bits 21:30; `sc`/`scv` (primary 17) are
told apart by bits 30:31.  Names follow Linux arch/powerpc/include/asm/ppc-opcode.h
(OP_*, OP_19_XOP_*, OP_31_XOP_*) where it has them, else the Power ISA mnemonic;
the numbers are Power ISA v3.1 Book I/III "Instruction index sorted by opcode".
emu.privileged dispatches on (primary, extended) with these; emu.cpu,
emu.interrupt_sources and emu.timebase use the same names.  (The load/store
forms that emu.storage decodes for precise storage interrupts are its own table:
no other module decodes them.)
"""

# ------------------------------------------------------------------ primary opcodes
OP_ATTN = 0          # attn (implementation-specific, P8/P9 user manuals): 0x00000200
OP_TRAP_64 = 2       # tdi
OP_TRAP = 3          # twi
OP_BC = 16           # bc
OP_SC = 17           # sc, scv
OP_B = 18            # b
OP_19 = 19           # XL-form: bclr, bcctr, rfid, hrfid, rfscv, isync, stop, ...
OP_31 = 31           # X/XFX-form: mfspr, mtspr, mtmsrd, tlbie, msgsnd, ...
OP_59 = 59           # floating-point single (A-form)
OP_63 = 63           # floating-point double / X-form FP

# attn's extended opcode field value (the word is exactly 0x00000200)
XOP_ATTN = 256
INSN_ATTN = 0x00000200

# sc/scv (primary 17): bits 30:31
SC_FORM_SCV = 1      # scv LEV  (ISA v3.0)
SC_FORM_SC = 2       # sc LEV   (bit 30 = 1)
SC_FORM_SC_BIT31 = 3  # sc with bit 31 set: still sc (bit 31 is reserved)

# ------------------------------------------------------------------ primary 19
OP_19_XOP_BCLR = 16
OP_19_XOP_RFID = 18
OP_19_XOP_RFSCV = 82
OP_19_XOP_RFEBB = 146
OP_19_XOP_ISYNC = 150
OP_19_XOP_HRFID = 274
OP_19_XOP_STOP = 370          # ISA v3.0
OP_19_XOP_DOZE = 402          # ISA v2.07 power-saving (POWER8)
OP_19_XOP_NAP = 434
OP_19_XOP_SLEEP = 466
OP_19_XOP_RVWINKLE = 498
OP_19_XOP_BCCTR = 528
OP_19_XOP_BCTAR = 560

# ------------------------------------------------------------------ primary 31
OP_31_XOP_TRAP = 4            # tw
OP_31_XOP_TRAP_64 = 68        # td
OP_31_XOP_MFMSR = 83
OP_31_XOP_MSGSNDP = 142
OP_31_XOP_MTMSR = 146
OP_31_XOP_MSGCLRP = 174
OP_31_XOP_MTMSRD = 178
OP_31_XOP_MSGSND = 206
OP_31_XOP_MSGCLR = 238
OP_31_XOP_TLBIEL = 274
OP_31_XOP_TLBIE = 306
OP_31_XOP_MFSPR = 339
OP_31_XOP_MFTB = 371
OP_31_XOP_SLBMTE = 402
OP_31_XOP_SLBIE = 434
OP_31_XOP_OR = 444            # or (priority hints are or rN,rN,rN)
OP_31_XOP_MTSPR = 467
OP_31_XOP_SLBIA = 498
OP_31_XOP_TLBSYNC = 566
OP_31_XOP_SYNC = 598          # sync, lwsync, ptesync
OP_31_XOP_SLBMFEV = 851
OP_31_XOP_EIEIO = 854
OP_31_XOP_SLBMFEE = 915
OP_31_XOP_SLBFEE = 979        # slbfee.


def primary(insn: int) -> int:
    """Bits 0:5."""
    return insn >> 26


def xop(insn: int) -> int:
    """The X/XL/XFX-form extended opcode, bits 21:30."""
    return (insn >> 1) & 0x3FF
