"""What a storage instruction accesses: effective address, length, load/store.

Unicorn executes every load and store natively; when one faults, the fault
reaches ppcvec as an access to an unmapped physical address (docs/mmu.md).  For
instructions QEMU implements with a helper (dcbz, the string instructions,
icbi, ...) that report is not precise: the PC may already be past the
instruction and the address is whichever piece of the access the helper tried
last (dcbz: EA+0x78).  `storage_access` decodes the instruction itself, so
emu.cpu can deliver the Data Storage / Data Segment interrupt the Power ISA
prescribes: at the instruction, with DAR = the effective address of the first
byte whose translation fails (Power ISA v3.1B Book III 7.5.3 "Data Storage
Interrupt", 7.5.4 "Data Segment Interrupt"; for dcbz and the other cache-block
instructions the DAR is an EA in the block: ppcvec uses the instruction's EA).

Encodings: Power ISA v3.1B Book I (fixed-point, floating-point, vector and VSX
load/store chapters) and Book II 4 (cache management).
"""
from __future__ import annotations

MASK64 = 0xFFFFFFFFFFFFFFFF

# primary opcode -> (length, is_store) for D-form loads/stores (EA = (RA|0) + D)
_D_FORM = {
    32: (4, False), 33: (4, False), 34: (1, False), 35: (1, False),       # lwz[u] lbz[u]
    36: (4, True), 37: (4, True), 38: (1, True), 39: (1, True),           # stw[u] stb[u]
    40: (2, False), 41: (2, False), 42: (2, False), 43: (2, False),       # lhz[u] lha[u]
    44: (2, True), 45: (2, True),                                         # sth[u]
    48: (4, False), 49: (4, False), 50: (8, False), 51: (8, False),       # lfs[u] lfd[u]
    52: (4, True), 53: (4, True), 54: (8, True), 55: (8, True),           # stfs[u] stfd[u]
}

# X-form (primary 31) extended opcode -> (length, is_store); EA = (RA|0) + RB
_X_FORM = {
    # fixed-point
    23: (4, False), 55: (4, False), 87: (1, False), 119: (1, False),      # lwzx lwzux lbzx lbzux
    151: (4, True), 183: (4, True), 215: (1, True), 247: (1, True),       # stwx stwux stbx stbux
    279: (2, False), 311: (2, False), 343: (2, False), 375: (2, False),   # lhzx lhzux lhax lhaux
    407: (2, True), 439: (2, True),                                       # sthx sthux
    21: (8, False), 53: (8, False), 149: (8, True), 181: (8, True),       # ldx ldux stdx stdux
    341: (4, False), 373: (4, False),                                     # lwax lwaux
    534: (4, False), 532: (8, False), 790: (2, False),                    # lwbrx ldbrx lhbrx
    662: (4, True), 660: (8, True), 918: (2, True),                       # stwbrx stdbrx sthbrx
    # load and reserve / store conditional
    52: (1, False), 116: (2, False), 20: (4, False), 84: (8, False), 276: (16, False),
    694: (1, True), 726: (2, True), 150: (4, True), 214: (8, True), 182: (16, True),
    # floating-point
    535: (4, False), 567: (4, False), 599: (8, False), 631: (8, False),
    663: (4, True), 695: (4, True), 727: (8, True), 759: (8, True), 983: (4, True),
    855: (4, False), 887: (4, False), 791: (16, False), 919: (16, True),  # lfiwax lfiwzx lfdpx stfdpx
    # vector (EA aligned down to the element size by the instruction)
    7: (1, False), 39: (2, False), 71: (4, False), 103: (16, False), 359: (16, False),
    135: (1, True), 167: (2, True), 199: (4, True), 231: (16, True), 487: (16, True),
    # VSX (XX1 form: the low bit is TX/SX, not part of the opcode)
    12: (4, False), 76: (4, False), 140: (4, True), 524: (4, False), 652: (4, True),
    588: (8, False), 716: (8, True), 332: (8, False), 780: (16, False), 844: (16, False),
    908: (16, True), 972: (16, True), 268: (16, False), 396: (16, True), 812: (16, False),
    876: (16, False), 940: (16, True), 1004: (16, True), 781: (1, False), 813: (2, False),
    909: (1, True), 941: (2, True),
    # cache management: dcbz is a store of the whole block; the rest are loads
    1014: (1, True), 86: (1, False), 54: (1, False), 982: (1, False),   # dcbz dcbf dcbst icbi
}
_ALIGN = {103: 16, 359: 16, 231: 16, 487: 16, 39: 2, 71: 4, 167: 2, 199: 4}
# string instructions: lswi 597, lswx 533, stswi 725, stswx 661


def storage_access(insn: int, gpr, xer: int = 0):
    """(EA, length, is_store) of storage instruction `insn` given the register
    file `gpr(n)`, or None when `insn` is not a storage access that can fault."""
    op = insn >> 26
    ra = (insn >> 16) & 31
    base = gpr(ra) if ra else 0
    if op in _D_FORM:
        d = insn & 0xFFFF
        d -= (d & 0x8000) << 1
        n, st = _D_FORM[op]
        return (base + d) & MASK64, n, st
    if op in (46, 47):                                  # lmw, stmw: (32 - RT) words
        d = insn & 0xFFFF
        d -= (d & 0x8000) << 1
        rt = (insn >> 21) & 31
        return (base + d) & MASK64, 4 * (32 - rt), op == 47
    if op in (58, 62):                                  # DS-form ld ldu lwa / std stdu stq
        ds = insn & 0xFFFC
        ds -= (ds & 0x8000) << 1
        xo = insn & 3
        if op == 58:
            return (base + ds) & MASK64, 4 if xo == 2 else 8, False
        return (base + ds) & MASK64, 16 if xo == 2 else 8, True
    if op == 56:                                        # lq (DQ-form)
        dq = insn & 0xFFF0
        dq -= (dq & 0x8000) << 1
        return (base + dq) & MASK64, 16, False
    if op in (57, 61):                                  # lfdp/lxsd/lxssp, stfdp/stxsd/stxssp/lxv/stxv
        xo = insn & 3
        if op == 61 and xo in (1, 5):                   # lxv / stxv (DQ-form, xo 1: lxv, 5: stxv)
            dq = insn & 0xFFF0
            dq -= (dq & 0x8000) << 1
            return (base + dq) & MASK64, 16, (insn & 7) == 5
        ds = insn & 0xFFFC
        ds -= (ds & 0x8000) << 1
        length = 16 if xo == 0 else (8 if xo == 2 else 4)
        return (base + ds) & MASK64, length, op == 61
    if op != 31:
        return None
    xo = (insn >> 1) & 0x3FF
    rb = (insn >> 11) & 31
    if xo in (597, 725):                                # lswi / stswi: NB bytes (0 = 32)
        nb = rb or 32
        return base & MASK64, nb, xo == 725
    if xo in (533, 661):                                # lswx / stswx: XER[57:63] bytes
        n = xer & 0x7F
        return ((base + gpr(rb)) & MASK64, n, xo == 661) if n else None
    ent = _X_FORM.get(xo)
    if ent is None:
        return None
    n, st = ent
    ea = (base + gpr(rb)) & MASK64
    if xo in _ALIGN:
        ea &= ~(_ALIGN[xo] - 1)
    if xo == 1014:
        # dcbz zeroes the aligned block, which never crosses a page: the access
        # faults as a whole and DAR = the instruction's EA
        return ea, 1, True
    return ea, n, st


def first_fault(ea: int, length: int, faults) -> int | None:
    """The first address of [ea, ea+length) whose 4 KiB page `faults(page)`
    says does not translate (None: every page translates)."""
    page = ea & ~0xFFF
    end = ea + max(length, 1)
    while page < end:
        if faults(page & MASK64):
            return max(ea, page) & MASK64
        page += 0x1000
    return None
