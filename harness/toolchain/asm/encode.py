"""Power ISA (64-bit, big-endian) instruction encoder, matching GNU as -mpower10.

`encode(mnemonic, operands, addr, evaluate)` returns one 32-bit word.
`evaluate(text) -> (value, suffix)` resolves an operand expression to an int
(`suffix` is the @l/@h/... relocation suffix used, or None).

Everything the project uses is encoded here; keystone is only a last-resort
fallback (see `core.py`) for mnemonics missing from these tables.
"""
from __future__ import annotations

import re

from emu.registers import asm_names

M64 = 0xFFFFFFFFFFFFFFFF


class EncodeError(Exception):
    pass


class UnknownMnemonic(EncodeError):
    pass


def _fmt(v: int) -> str:
    return str(v) if -1000 <= v <= 1000 else hex(v & M64)


def out_of_range(v, lo, hi):
    if -1000 <= lo and hi <= 1000 and -1000 <= v <= 1000:
        return EncodeError(f"operand out of range ({v} is not between {lo} and {hi})")
    return EncodeError(f"operand out of range ({hex(v & M64)} is not between "
                       f"{hex(lo & M64)} and {hex(hi & M64)})")


def check(v, lo, hi):
    if not lo <= v <= hi:
        raise out_of_range(v, lo, hi)
    return v


# ---------------------------------------------------------------------------
# operand kinds: name -> (shift, bits, signed-range lo, hi)   (simple fields)
_SIMPLE = {
    "RT": (21, 5), "RS": (21, 5), "RA": (16, 5), "RB": (11, 5), "RC": (6, 5),
    "BF": (23, 3), "BFA": (18, 3), "L21": (21, 1), "L16": (16, 1), "TO": (21, 5),
    "BO": (21, 5), "BI": (16, 5), "BT": (21, 5), "BA": (16, 5), "BB": (11, 5),
    "BH": (11, 2), "SH": (11, 5), "MB": (6, 5), "ME": (1, 5), "LEV": (5, 7),
    "FXM": (12, 8), "RIC": (18, 2), "PRS": (17, 1), "RR": (16, 1), "IH": (21, 3),
    "EH": (0, 1), "TH": (21, 5), "LSYNC": (21, 3), "WC": (21, 2), "BC": (6, 5),
    "L21_2": (21, 2), "L16_2": (16, 2), "SL": (11, 5), "U": (12, 4), "W": (16, 1), "S": (11, 1),
    "CT": (21, 4), "SC": (16, 2),
}


def _field(kind, v):
    shift, bits = _SIMPLE[kind]
    check(v, 0, (1 << bits) - 1)
    return v << shift


def _imm16(kind, v, suffix):
    if suffix is not None:
        # GNU as: @l/@h/... give a 16-bit value (sign-extended for signed
        # fields, which leaves the encoded 16 bits unchanged): no range error.
        return v & 0xFFFF
    if kind == "SI":
        check(v, -0x8000, 0x7FFF)
    elif kind in ("SIS", "UIS"):
        check(v, -0x8000, 0xFFFF)
    elif kind == "UI":
        check(v, 0, 0xFFFF)
    return v & 0xFFFF


_MEM = re.compile(r"^(.*)\(\s*([^()]*)\s*\)\s*$", re.S)


def split_mem(text):
    """`disp(reg)` -> (disp_text, reg_text)."""
    t = text.strip()
    m = _MEM.match(t)
    if not m:
        raise EncodeError(f"syntax error; expected `disp(reg)' in `{t}'")
    disp = m.group(1).strip()
    # a trailing parenthesised group that is part of the displacement expression
    # (e.g. `(8)` alone) is not what we got here: `(8)(r4)` -> disp `(8)`.
    return (disp or "0"), m.group(2)


# ---------------------------------------------------------------------------
# The table: mnemonic -> (base word, operand spec).  `?` = optional (default 0,
# or `?=N`).  Rc / OE variants are added below.
T: dict[str, tuple[int, str]] = {}


def op(primary, xo=0, shift=1):
    return (primary << 26) | (xo << shift)


def add(names, base, spec, rc=False, oe=False):
    for name in names.split():
        T[name] = (base, spec)
        if rc:
            T[name + "."] = (base | 1, spec)
        if oe:
            T[name + "o"] = (base | 0x400, spec)
            if rc:
                T[name + "o."] = (base | 0x401, spec)


# D-form arithmetic / logical
for n, p, k in (("addi", 14, "SI"), ("addic", 12, "SI"), ("addic.", 13, "SI"),
                ("subfic", 8, "SI"), ("mulli", 7, "SI"), ("addis", 15, "SIS")):
    add(n, op(p), f"RT,RA,{k}")
for n, p in (("ori", 24), ("oris", 25), ("xori", 26), ("xoris", 27), ("andi.", 28), ("andis.", 29)):
    add(n, op(p), "RA,RS,UI")
add("la", op(14), "RT,D")
add("twi", op(3), "TO,RA,SI")
add("tdi", op(2), "TO,RA,SI")
add("cmpi", op(11), "BF,L21,RA,SI")
add("cmpli", op(10), "BF,L21,RA,UI")
add("cmpwi", op(11), "BF?,RA,SI")
add("cmpdi", op(11) | 1 << 21, "BF?,RA,SI")
add("cmplwi", op(10), "BF?,RA,UIS")
add("cmpldi", op(10) | 1 << 21, "BF?,RA,UIS")

# D-form loads/stores
for n, p in (("lwz", 32), ("lwzu", 33), ("lbz", 34), ("lbzu", 35), ("stw", 36), ("stwu", 37),
             ("stb", 38), ("stbu", 39), ("lhz", 40), ("lhzu", 41), ("lha", 42), ("lhau", 43),
             ("sth", 44), ("sthu", 45), ("lmw", 46), ("stmw", 47), ("lfs", 48), ("lfsu", 49),
             ("lfd", 50), ("lfdu", 51), ("stfs", 52), ("stfsu", 53), ("stfd", 54), ("stfdu", 55)):
    add(n, op(p), "RT,D")
for n, p, x in (("ld", 58, 0), ("ldu", 58, 1), ("lwa", 58, 2), ("std", 62, 0), ("stdu", 62, 1)):
    add(n, op(p) | x, "RT,DS")

# XO-form arithmetic (op 31)
for n, x in (("add", 266), ("addc", 10), ("adde", 138), ("subf", 40), ("subfc", 8),
             ("subfe", 136), ("mullw", 235), ("mulld", 233), ("divw", 491), ("divwu", 459),
             ("divd", 489), ("divdu", 457), ("divwe", 427), ("divweu", 395), ("divde", 425),
             ("divdeu", 393)):
    add(n, op(31, x), "RT,RA,RB", rc=True, oe=True)
for n, x in (("addme", 234), ("addze", 202), ("subfme", 232), ("subfze", 200), ("neg", 104)):
    add(n, op(31, x), "RT,RA", rc=True, oe=True)
for n, x in (("mulhw", 75), ("mulhwu", 11), ("mulhd", 73), ("mulhdu", 9)):
    add(n, op(31, x), "RT,RA,RB", rc=True)
for n, x in (("modsw", 779), ("moduw", 267), ("modsd", 777), ("modud", 265)):
    add(n, op(31, x), "RT,RA,RB")

# X-form logical / shifts
for n, x in (("and", 28), ("andc", 60), ("or", 444), ("orc", 412), ("xor", 316), ("nand", 476),
             ("nor", 124), ("eqv", 284), ("slw", 24), ("srw", 536), ("sraw", 792), ("sld", 27),
             ("srd", 539), ("srad", 794)):
    add(n, op(31, x), "RA,RS,RB", rc=True)
for n, x in (("extsb", 954), ("extsh", 922), ("extsw", 986), ("cntlzw", 26), ("cntlzd", 58),
             ("cnttzw", 538), ("cnttzd", 570)):
    add(n, op(31, x), "RA,RS", rc=True)
for n, x in (("popcntb", 122), ("popcntw", 378), ("popcntd", 506), ("prtyw", 154), ("prtyd", 186)):
    add(n, op(31, x), "RA,RS")
add("cmpb", op(31, 508), "RA,RS,RB")
add("srawi", op(31, 824), "RA,RS,SH", rc=True)
add("sradi", op(31, 413, 2), "RA,RS,SH6", rc=True)
add("extswsli", op(31, 445, 2), "RA,RS,SH6", rc=True)
add("isel", op(31, 15), "RT,RA,RB,BC")

# compares
add("cmp", op(31, 0), "BF,L21,RA,RB")
add("cmpl", op(31, 32), "BF,L21,RA,RB")
add("cmpw", op(31, 0), "BF?,RA,RB")
add("cmpd", op(31, 0) | 1 << 21, "BF?,RA,RB")
add("cmplw", op(31, 32), "BF?,RA,RB")
add("cmpld", op(31, 32) | 1 << 21, "BF?,RA,RB")

# traps
add("tw", op(31, 4), "TO,RA,RB")
add("td", op(31, 68), "TO,RA,RB")
T["trap"] = (op(31, 4) | 31 << 21, "")
for cond, to in (("lt", 16), ("le", 20), ("eq", 4), ("ge", 12), ("gt", 8), ("nl", 12),
                 ("ne", 24), ("ng", 20), ("llt", 2), ("lle", 6), ("lge", 5), ("lgt", 1),
                 ("lnl", 5), ("lng", 6), ("u", 31)):
    add("tw" + cond, op(31, 4) | to << 21, "RA,RB")
    add("td" + cond, op(31, 68) | to << 21, "RA,RB")
    add("tw" + cond + "i", op(3) | to << 21, "RA,SI")
    add("td" + cond + "i", op(2) | to << 21, "RA,SI")

# indexed loads / stores (op 31)
for n, x in (("lbzx", 87), ("lbzux", 119), ("lhzx", 279), ("lhzux", 311), ("lhax", 343),
             ("lhaux", 375), ("lwzx", 23), ("lwzux", 55), ("lwax", 341), ("lwaux", 373),
             ("ldx", 21), ("ldux", 53), ("stbx", 215), ("stbux", 247), ("sthx", 407),
             ("sthux", 439), ("stwx", 151), ("stwux", 183), ("stdx", 149), ("stdux", 181),
             ("lhbrx", 790), ("lwbrx", 534), ("ldbrx", 532), ("sthbrx", 918), ("stwbrx", 662),
             ("stdbrx", 660), ("lbzcix", 853), ("lhzcix", 821), ("lwzcix", 789), ("ldcix", 885),
             ("stbcix", 981), ("sthcix", 949), ("stwcix", 917), ("stdcix", 1013),
             ("lfdx", 599), ("stfdx", 727)):
    add(n, op(31, x), "RT,RA,RB")
for n, x in (("lbarx", 52), ("lharx", 116), ("lwarx", 20), ("ldarx", 84)):
    add(n, op(31, x), "RT,RA,RB,EH?")
for n, x in (("stbcx.", 694), ("sthcx.", 726), ("stwcx.", 150), ("stdcx.", 214)):
    add(n, op(31, x) | 1, "RS,RA,RB")

# cache management
for n, x in (("dcbst", 54), ("dcbz", 1014), ("icbi", 982), ("dcbi", 470), ("icbt", 22)):
    add(n, op(31, x), "RA,RB")
add("dcbf", op(31, 86), "RA,RB,L21_2?")
add("dcbfl", op(31, 86) | 1 << 21, "RA,RB")
add("dcbflp", op(31, 86) | 3 << 21, "RA,RB")
add("dcbt", op(31, 278), "RA,RB,TH?")
add("dcbtst", op(31, 246), "RA,RB,TH?")

# rotates
add("rlwinm", op(21), "RA,RS,SH,MB,ME", rc=True)
add("rlwimi", op(20), "RA,RS,SH,MB,ME", rc=True)
add("rlwnm", op(23), "RA,RS,RB,MB,ME", rc=True)
add("rldicl", op(30, 0, 2), "RA,RS,SH6,MB6", rc=True)
add("rldicr", op(30, 1, 2), "RA,RS,SH6,MB6", rc=True)
add("rldic", op(30, 2, 2), "RA,RS,SH6,MB6", rc=True)
add("rldimi", op(30, 3, 2), "RA,RS,SH6,MB6", rc=True)
add("rldcl", op(30, 8, 1), "RA,RS,RB,MB6", rc=True)
add("rldcr", op(30, 9, 1), "RA,RS,RB,MB6", rc=True)

# CR logical
for n, x in (("crand", 257), ("cror", 449), ("crxor", 193), ("crnand", 225), ("crnor", 33),
             ("creqv", 289), ("crandc", 129), ("crorc", 417)):
    add(n, op(19, x), "BT,BA,BB")
add("mcrf", op(19, 0), "BF,BFA")

# system / privileged
T.update({
    "rfid": (op(19, 18), ""), "hrfid": (op(19, 274), ""), "urfid": (op(19, 306), ""),
    "rfscv": (op(19, 82), ""), "stop": (op(19, 370), ""), "isync": (op(19, 150), ""),
    "attn": (0x00000200, ""), "nop": (0x60000000, ""), "xnop": (0x68000000, ""),
    "eieio": (op(31, 854), ""), "tlbsync": (op(31, 566), ""), "msgsync": (op(31, 886), ""),
    "lwsync": (op(31, 598) | 1 << 21, ""), "ptesync": (op(31, 598) | 2 << 21, ""),
    "hwsync": (op(31, 598), ""), "slbsync": (op(31, 338), ""), "cp_abort": (op(31, 838), ""),
    "blr": (0x4E800020, ""), "blrl": (0x4E800021, ""), "bctr": (0x4E800420, ""),
    "bctrl": (0x4E800421, ""), "bdnzlr": (op(19, 16) | 16 << 21, ""),
    "bdzlr": (op(19, 16) | 18 << 21, ""), "bdnzlrl": (op(19, 16) | 16 << 21 | 1, ""),
    "bdzlrl": (op(19, 16) | 18 << 21 | 1, ""),
})
add("sc", 0x44000002, "LEV?")
add("scv", 0x44000001, "LEV")
add("rfebb", op(19, 146), "S?=1")
add("sync", op(31, 598), "LSYNC?,SC?")
add("mfmsr", op(31, 83), "RT")
add("mtmsr", op(31, 146), "RS,L16?")
add("mtmsrd", op(31, 178), "RS,L16?")
add("mfcr", op(31, 19), "RT")
add("mfocrf", op(31, 19) | 1 << 20, "RT,FXM")
add("mtcrf", op(31, 144), "FXM,RS")
add("mtocrf", op(31, 144) | 1 << 20, "FXM,RS")
add("mtcr", op(31, 144) | 0xFF << 12, "RS")
add("mtspr", op(31, 467), "SPR,RS")
add("mfspr", op(31, 339), "RT,SPR")
add("mtsprg", op(31, 467), "SPRG,RS")
add("mfsprg", op(31, 339), "RT,SPRG")
add("tlbie", op(31, 306), "RB,RS?,RIC?,PRS?,RR?")
add("tlbiel", op(31, 274), "RB,RS?,RIC?,PRS?,RR?")
add("slbie", op(31, 434), "RB")
add("slbiag", op(31, 850), "RS,L16?")
add("slbia", op(31, 498), "IH?")
add("slbmte", op(31, 402), "RS,RB")
add("slbmfee", op(31, 915), "RT,RB,L16?")
add("slbmfev", op(31, 851), "RT,RB,L16?")
add("slbfee.", op(31, 979) | 1, "RT,RB")
add("msgsnd", op(31, 206), "RB")
add("msgclr", op(31, 238), "RB")
add("msgsndp", op(31, 142), "RB")
add("msgclrp", op(31, 174), "RB")
add("wait", op(31, 30), "WC?")
add("mfvsrd", op(31, 51), "RA,RT")
add("darn", op(31, 755), "RT,L16_2")
add("mcrxrx", op(31, 576), "BF")
add("setb", op(31, 128), "RT,BFA")

# GNU as mtNAME/mfNAME (binutils 2.40 -mpower10), from the register table
for _name, _spr in asm_names("mt").items():
    T.setdefault("mt" + _name, (op(31, 467) | ((_spr & 31) << 16) | ((_spr >> 5) << 11), "RS"))
for _name, _spr in asm_names("mf").items():
    T.setdefault("mf" + _name, (op(31, 339) | ((_spr & 31) << 16) | ((_spr >> 5) << 11), "RT"))

# unconditional branches
add("b", op(18), "LI")
add("bl", op(18) | 1, "LI")
add("ba", op(18) | 2, "LIA")
add("bla", op(18) | 3, "LIA")
add("bc", op(16), "BO,BI,BD")
add("bcl", op(16) | 1, "BO,BI,BD")
add("bca", op(16) | 2, "BO,BI,BDA")
add("bcla", op(16) | 3, "BO,BI,BDA")
add("bclr", op(19, 16), "BO,BI,BH?")
add("bclrl", op(19, 16) | 1, "BO,BI,BH?")
add("bcctr", op(19, 528), "BO,BI,BH?")
add("bcctrl", op(19, 528) | 1, "BO,BI,BH?")
add("bctar", op(19, 560), "BO,BI,BH?")
add("bctarl", op(19, 560) | 1, "BO,BI,BH?")

# conditional branch extended mnemonics: b<cond>[l][a] [crN,]target, b<cond>lr[l], b<cond>ctr[l]
_CONDS = {"lt": (12, 0), "gt": (12, 1), "eq": (12, 2), "so": (12, 3), "un": (12, 3),
          "ge": (4, 0), "nl": (4, 0), "le": (4, 1), "ng": (4, 1), "ne": (4, 2), "ns": (4, 3),
          "nu": (4, 3)}
for cond, (bo, bit) in _CONDS.items():
    base_bo = bo << 21 | bit << 16
    add("b" + cond, op(16) | base_bo, "CR?,BD")
    add("b" + cond + "l", op(16) | base_bo | 1, "CR?,BD")
    add("b" + cond + "a", op(16) | base_bo | 2, "CR?,BDA")
    add("b" + cond + "la", op(16) | base_bo | 3, "CR?,BDA")
    add("b" + cond + "lr", op(19, 16) | base_bo, "CR?")
    add("b" + cond + "lrl", op(19, 16) | base_bo | 1, "CR?")
    add("b" + cond + "ctr", op(19, 528) | base_bo, "CR?")
    add("b" + cond + "ctrl", op(19, 528) | base_bo | 1, "CR?")
for n, bo in (("bdnz", 16), ("bdz", 18)):
    add(n, op(16) | bo << 21, "BD")
    add(n + "l", op(16) | bo << 21 | 1, "BD")
    add(n + "a", op(16) | bo << 21 | 2, "BDA")
    add(n + "la", op(16) | bo << 21 | 3, "BDA")
for n, bo in (("bdnzt", 8), ("bdnzf", 0), ("bdzt", 10), ("bdzf", 2)):
    add(n, op(16) | bo << 21, "BI,BD")
    add(n + "l", op(16) | bo << 21 | 1, "BI,BD")
    add(n + "a", op(16) | bo << 21 | 2, "BI,BDA")
    add(n + "la", op(16) | bo << 21 | 3, "BI,BDA")
for n, bo in (("bt", 12), ("bf", 4)):
    add(n, op(16) | bo << 21, "BI,BD")
    add(n + "l", op(16) | bo << 21 | 1, "BI,BD")
    add(n + "a", op(16) | bo << 21 | 2, "BI,BDA")
    add(n + "la", op(16) | bo << 21 | 3, "BI,BDA")
    add(n + "lr", op(19, 16) | bo << 21, "BI")
    add(n + "lrl", op(19, 16) | bo << 21 | 1, "BI")
    add(n + "ctr", op(19, 528) | bo << 21, "BI")
    add(n + "ctrl", op(19, 528) | bo << 21 | 1, "BI")

# Textual aliases, expanded like binutils' macro table (ppc-opc.c).
MACROS: dict[str, tuple[int, str]] = {
    "li": (2, "addi %0,0,%1"), "lis": (2, "addis %0,0,%1"),
    "subi": (3, "addi %0,%1,-(%2)"), "subis": (3, "addis %0,%1,-(%2)"),
    "subic": (3, "addic %0,%1,-(%2)"), "subic.": (3, "addic. %0,%1,-(%2)"),
    "sub": (3, "subf %0,%2,%1"), "sub.": (3, "subf. %0,%2,%1"),
    "subc": (3, "subfc %0,%2,%1"), "subc.": (3, "subfc. %0,%2,%1"),
    "mr": (2, "or %0,%1,%1"), "mr.": (2, "or. %0,%1,%1"),
    "not": (2, "nor %0,%1,%1"), "not.": (2, "nor. %0,%1,%1"),
    "extldi": (4, "rldicr %0,%1,%3,(%2)-1"), "extldi.": (4, "rldicr. %0,%1,%3,(%2)-1"),
    "extrdi": (4, "rldicl %0,%1,((%2)+(%3))&63,64-(%2)"),
    "extrdi.": (4, "rldicl. %0,%1,((%2)+(%3))&63,64-(%2)"),
    "insrdi": (4, "rldimi %0,%1,64-((%2)+(%3))&63,%3"),
    "insrdi.": (4, "rldimi. %0,%1,64-((%2)+(%3))&63,%3"),
    "rotldi": (3, "rldicl %0,%1,%2,0"), "rotldi.": (3, "rldicl. %0,%1,%2,0"),
    "rotrdi": (3, "rldicl %0,%1,(-(%2))&63,0"), "rotrdi.": (3, "rldicl. %0,%1,(-(%2))&63,0"),
    "rotld": (3, "rldcl %0,%1,%2,0"), "rotld.": (3, "rldcl. %0,%1,%2,0"),
    "sldi": (3, "rldicr %0,%1,%2,63-(%2)"), "sldi.": (3, "rldicr. %0,%1,%2,63-(%2)"),
    "srdi": (3, "rldicl %0,%1,(-(%2))&63,%2"), "srdi.": (3, "rldicl. %0,%1,(-(%2))&63,%2"),
    "clrldi": (3, "rldicl %0,%1,0,%2"), "clrldi.": (3, "rldicl. %0,%1,0,%2"),
    "clrrdi": (3, "rldicr %0,%1,0,63-(%2)"), "clrrdi.": (3, "rldicr. %0,%1,0,63-(%2)"),
    "clrlsldi": (4, "rldic %0,%1,%3,(%2)-(%3)"), "clrlsldi.": (4, "rldic. %0,%1,%3,(%2)-(%3)"),
    "extlwi": (4, "rlwinm %0,%1,%3,0,(%2)-1"), "extlwi.": (4, "rlwinm. %0,%1,%3,0,(%2)-1"),
    "extrwi": (4, "rlwinm %0,%1,((%2)+(%3))&((%2)+(%3)<>32),32-(%2),31"),
    "extrwi.": (4, "rlwinm. %0,%1,((%2)+(%3))&((%2)+(%3)<>32),32-(%2),31"),
    "inslwi": (4, "rlwimi %0,%1,(-(%3))&31,%3,(%2)+(%3)-1"),
    "inslwi.": (4, "rlwimi. %0,%1,(-(%3))&31,%3,(%2)+(%3)-1"),
    "insrwi": (4, "rlwimi %0,%1,(-((%2)+(%3)))&31,%3,(%2)+(%3)-1"),
    "insrwi.": (4, "rlwimi. %0,%1,(-((%2)+(%3)))&31,%3,(%2)+(%3)-1"),
    "rotlwi": (3, "rlwinm %0,%1,%2,0,31"), "rotlwi.": (3, "rlwinm. %0,%1,%2,0,31"),
    "rotrwi": (3, "rlwinm %0,%1,(-(%2))&31,0,31"), "rotrwi.": (3, "rlwinm. %0,%1,(-(%2))&31,0,31"),
    "rotlw": (3, "rlwnm %0,%1,%2,0,31"), "rotlw.": (3, "rlwnm. %0,%1,%2,0,31"),
    "slwi": (3, "rlwinm %0,%1,%2,0,31-(%2)"), "slwi.": (3, "rlwinm. %0,%1,%2,0,31-(%2)"),
    "srwi": (3, "rlwinm %0,%1,(-(%2))&((%2)|31),%2,31"),
    "srwi.": (3, "rlwinm. %0,%1,(-(%2))&((%2)|31),%2,31"),
    "clrlwi": (3, "rlwinm %0,%1,0,%2,31"), "clrlwi.": (3, "rlwinm. %0,%1,0,%2,31"),
    "clrrwi": (3, "rlwinm %0,%1,0,0,31-(%2)"), "clrrwi.": (3, "rlwinm. %0,%1,0,0,31-(%2)"),
    "clrlslwi": (4, "rlwinm %0,%1,%3,(%2)-(%3),31-(%3)"),
    "clrlslwi.": (4, "rlwinm. %0,%1,%3,(%2)-(%3),31-(%3)"),
    "crset": (1, "creqv %0,%0,%0"), "crclr": (1, "crxor %0,%0,%0"),
    "crmove": (2, "cror %0,%1,%1"), "crnot": (2, "crnor %0,%1,%1"),
}


def expand_macro(mn, ops):
    n, tmpl = MACROS[mn]
    if len(ops) < n:
        raise EncodeError("missing operand")
    if len(ops) > n:
        raise EncodeError("too many operands")
    text = re.sub(r"%(\d)", lambda m: ops[int(m.group(1))].strip(), tmpl)
    new_mn, _, rest = text.partition(" ")
    return new_mn, split_operands(rest)


def split_operands(text: str) -> list[str]:
    """Split at top-level commas (not inside parentheses or quotes)."""
    text = text.strip()
    if not text:
        return []
    out, depth, cur, q = [], 0, [], None
    for ch in text:
        if q:
            cur.append(ch)
            if ch == q:
                q = None
            continue
        if ch in "\"'" and ch == '"':
            q = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur).strip())
    return out


def _parse_spec(spec):
    res = []
    for s in spec.split(","):
        s = s.strip()
        if not s:
            continue
        default = 0
        optional = False
        if "?" in s:
            s, _, d = s.partition("?")
            optional = True
            if d.startswith("="):
                default = int(d[1:])
        res.append((s, optional, default))
    return res


_SPECS: dict[str, list] = {}


def lookup(mn: str):
    if mn in T:
        base, spec = T[mn]
        if mn not in _SPECS:
            _SPECS[mn] = _parse_spec(spec)
        return base, _SPECS[mn]
    return None


def is_known(mn: str) -> bool:
    m = mn.lower()
    if m in MACROS or m in T:
        return True
    if m[-1:] in "+-" and m[:-1] in T and (m[:-1].startswith("b")):
        return True
    return False


def encode(mn: str, ops: list[str], addr: int, evaluate) -> int:
    mn = mn.lower()
    hint = None
    for _ in range(3):
        if mn in MACROS:
            mn, ops = expand_macro(mn, ops)
        else:
            break
    ent = lookup(mn)
    if ent is None and mn[-1:] in "+-" and lookup(mn[:-1]) is not None and mn.startswith("b"):
        hint = mn[-1]
        mn = mn[:-1]
        ent = lookup(mn)
    if ent is None:
        raise UnknownMnemonic(f"unrecognized opcode: `{mn}'")
    base, spec = ent
    required = sum(1 for s in spec if not s[1])
    if len(ops) < required:
        raise EncodeError("missing operand")
    if len(ops) > len(spec):
        raise EncodeError("too many operands" if spec else f"`{mn}' takes no operands")
    opt_provided = len(ops) - required
    word = base
    it = iter(ops)
    for kind, optional, default in spec:
        if optional:
            if opt_provided <= 0:
                word |= _insert(kind, default, None, word, addr)
                continue
            opt_provided -= 1
        text = next(it)
        if kind in ("D", "DS"):
            disp, reg = split_mem(text)
            d, suf, _ = evaluate(disp)
            r, _, _ = evaluate(reg)
            word |= _field("RA", r)
            if kind == "D":
                word |= _imm16("SI", d, suf)
            else:
                if suf is None:
                    check(d, -0x8000, 0x7FFC)
                if d & 3:
                    raise EncodeError(f"operand out of domain ({d} is not a multiple of 4)")
                word |= d & 0xFFFC
            continue
        v, suf, reloc = evaluate(text)
        if kind in ("LI", "BD") and not reloc:
            v += addr       # GNU as: an absolute target is the displacement itself
        word |= _insert(kind, v, suf, word, addr)
    if hint is not None:
        word = _apply_hint(word, hint)
    if mn == "mtcrf":
        fxm = (word >> 12) & 0xFF
        if fxm and fxm & (fxm - 1) == 0:    # GNU as (power4+): one field -> mtocrf form
            word |= 1 << 20
    elif mn in ("mtocrf", "mfocrf"):
        fxm = (word >> 12) & 0xFF
        if not fxm or fxm & (fxm - 1):
            raise EncodeError(f"invalid mask field for `{mn}' (exactly one bit must be set)")
    return word & 0xFFFFFFFF


def _apply_hint(word, hint):
    """Power4-style static branch prediction hints (`+` / `-`)."""
    bo = (word >> 21) & 31
    if bo & 0x14 == 0x14:  # branch always
        raise EncodeError("invalid conditional option")
    if bo & 0x10 == 0:     # condition-based: 'at' bits are BO[3:4] = 0b00011
        at = 3 if hint == "+" else 2
        bo = (bo & ~3) | at
    else:                  # CTR-based: 'at' bits are 0b01001
        at = 9 if hint == "+" else 8
        bo = (bo & ~9) | at
    return (word & ~(31 << 21)) | bo << 21


def _insert(kind, v, suf, word, addr):
    if kind in _SIMPLE:
        return _field(kind, v)
    if kind in ("SI", "SIS", "UI", "UIS"):
        return _imm16(kind, v, suf)
    if kind == "SH6":
        check(v, 0, 63)
        return (v & 31) << 11 | (v >> 5) << 1
    if kind == "MB6":
        check(v, 0, 63)
        return (((v & 31) << 1) | (v >> 5)) << 5
    if kind == "SPR":
        check(v, 0, 1023)
        return (v & 31) << 16 | (v >> 5) << 11
    if kind == "SPRG":
        if not 0 <= v <= 3:
            raise EncodeError("invalid sprg number")
        v += 272
        return (v & 31) << 16 | (v >> 5) << 11
    if kind == "CR":
        check(v, 0, 7)
        return (v * 4) << 16
    if kind in ("LI", "BD"):
        off = v - addr
        bits = 26 if kind == "LI" else 16
        if off & 3:
            raise EncodeError(f"branch address must be a multiple of 4 (offset {_fmt(off)})")
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 4
        if not lo <= off <= hi:
            raise EncodeError(f"operand out of range ({hex(off & M64)} is not between "
                              f"{hex(lo & M64)} and {hex(hi)})")
        return off & ((1 << bits) - 4)
    if kind in ("LIA", "BDA"):
        bits = 26 if kind == "LIA" else 16
        if v & 3:
            raise EncodeError("branch address must be a multiple of 4")
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 4
        if not lo <= v <= hi:
            raise out_of_range(v, lo, hi)
        return v & ((1 << bits) - 4)
    raise EncodeError(f"internal: unknown operand kind {kind}")
