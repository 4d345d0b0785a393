"""Operand rules of the PowerPC opcode table (harness/toolchain/ppc_opcodes.py).

Most operands are a plain bit field (mask, shift).  The others name a rule;
this module implements each rule from the Power ISA's field layouts:
`INSERT[rule](insn, value, cpu) -> (insn, error or None)` and
`EXTRACT[rule](insn, cpu) -> (value, valid)`, plus `DEFAULT[rule]` for an
omitted optional operand.  Rule names are the ones binutils 2.40 gives them in
opcodes/ppc-opc.c, so the generated table can refer to them; the code is ours.

Sources: Power ISA v3.1B Book I 1.6 (instruction fields: split fields such as
SH = sh5||sh0 in MD-form, mb6, SPR = spr[5:9]||spr[0:4], TX/AX/BX/CX of the
XX forms, the 34-bit prefixed displacement d0||d1), 2.4 (BO encodings and
their `at`/`y` hint bits), and the extended mnemonics of Appendix C (the
rotate/shift aliases whose SH/MB/ME come from `n` and `b`).
"""
from __future__ import annotations


# cpu flag bits (include/opcode/ppc.h names)
POWER4 = 0x800
POWER10 = 0x400000000000
ISA_V2 = POWER4 | 0x2000000 | 0x80000000        # POWER4 | E500MC | TITAN
A2_E500MC = 0x20000000 | 0x2000000
FUTURE = 0x1000000000000
DCBT_EO = 0x100000000 | 0x2000000 | 0x40000000 | 0x20000000 | 0x200000000 | 0x20000000000
ALLOW8_SPRG = 0x400 | 0x4000000
ALLOW8_BAT = 0x2000000000

INSERT: dict = {}
EXTRACT: dict = {}
DEFAULT: dict = {}


def rule(name, default=0):
    def deco(pair):
        ins, ext = pair()
        INSERT[name] = ins
        if ext is not None:
            EXTRACT[name] = ext
        DEFAULT[name] = default
        return pair
    return deco


def _sx(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _ok(insn):
    return insn, None


# ---- split register fields of the XX forms: (low 5 bits at shift, bit 5 at pos)
def _split(lo_shift, hi_pos):
    def ins(insn, v, cpu):
        return insn | (v & 0x1f) << lo_shift | ((v >> 5) & 1) << hi_pos, None

    def ext(insn, cpu):
        return ((insn >> lo_shift) & 0x1f) | ((insn >> hi_pos) & 1) << 5, True
    return ins, ext


for _n, _lo, _hi in (("xt6", 21, 0), ("xa6", 16, 2), ("xb6", 11, 1), ("xc6", 6, 3),
                     ("xtq6", 21, 3), ("xts", 21, 16), ("mb6", 6, 5), ("sh6", 11, 1),
                     ("dcmxs_lo", 16, 2)):
    INSERT[_n], EXTRACT[_n] = _split(_lo, _hi)
    DEFAULT[_n] = 0
del INSERT["dcmxs_lo"], EXTRACT["dcmxs_lo"], DEFAULT["dcmxs_lo"]
_mb6_i, _mb6_e = INSERT["mb6"], EXTRACT["mb6"]
_sh6_i, _sh6_e = INSERT["sh6"], EXTRACT["sh6"]


def _reg(name, fn_ins, fn_ext, default=0):
    INSERT[name], EXTRACT[name], DEFAULT[name] = fn_ins, fn_ext, default


def _acc_guard(base):
    bi, be = INSERT[base], EXTRACT[base]

    def ins(insn, v, cpu):
        err = None
        if not cpu & FUTURE and (v >> 2) == (insn >> 23) & 7:
            err = "VSR overlaps ACC operand"
        return bi(insn, v, cpu)[0], err

    def ext(insn, cpu):
        v, _ = be(insn, cpu)
        return v, not (not cpu & FUTURE and (v >> 2) == (insn >> 23) & 7)
    return ins, ext


_reg("xa6a", *_acc_guard("xa6"))
_reg("xb6a", *_acc_guard("xb6"))
_reg("xab6", lambda i, v, c: (INSERT["xb6"](INSERT["xa6"](i, v, c)[0], v, c)[0], None),
     lambda i, c: (EXTRACT["xa6"](i, c)[0], EXTRACT["xa6"](i, c)[0] == EXTRACT["xb6"](i, c)[0]))
_reg("xtp", lambda i, v, c: (i | (v & 0x1e) << 21 | ((v >> 5) & 1) << 21, None),
     lambda i, c: (((i >> 21) & 0x1e) | ((i >> 21) & 1) << 5, True))
_reg("dcmxs", lambda i, v, c: (i | (v & 0x1f) << 16 | ((v >> 5) & 1) << 2 | (v & 0x40), None),
     lambda i, c: ((i & 0x40) | ((i >> 2) & 1) << 5 | ((i >> 16) & 0x1f), True))

# ---- equal-field aliases (crset/vmr/mr...)
_reg("bab", lambda i, v, c: (i | (v & 31) << 16 | (v & 31) << 11, None),
     lambda i, c: ((i >> 16) & 31, (i >> 16) & 31 == (i >> 11) & 31))
_reg("btab", lambda i, v, c: (i | (v & 31) << 21 | (v & 31) << 16 | (v & 31) << 11, None),
     lambda i, c: ((i >> 21) & 31, (i >> 21) & 31 == (i >> 16) & 31 == (i >> 11) & 31))
_reg("rsb", lambda i, v, c: (i | (v & 31) << 21 | (v & 31) << 11, None),
     lambda i, c: ((i >> 21) & 31, (i >> 21) & 31 == (i >> 11) & 31))


# ---- BO and branch hints (Book I 2.4)
def valid_bo_pre_v2(v):
    """BO with a `y` bit (before ISA 2.0): z bits must be zero."""
    if v & 0x14 == 0:
        return True
    if v & 0x14 == 0x4:
        return v & 0x2 == 0
    if v & 0x14 == 0x10:
        return v & 0x8 == 0
    return v == 0x14


def valid_bo_post_v2(v):
    """BO with `at` hint bits (ISA 2.0+): `at`=01 is reserved, z bits zero."""
    if v & 0x14 == 0:
        return v & 1 == 0
    if v & 0x14 == 0x14:
        return v == 0x14
    if v & 0x14 == 0x4:
        return v & 3 != 1
    if v & 0x14 == 0x10:
        return v & 9 != 1
    return True


def valid_bo(v, cpu, extract=False):
    if extract and cpu == ~0x40 & ((1 << 64) - 1):
        return valid_bo_pre_v2(v) or valid_bo_post_v2(v)
    return valid_bo_post_v2(v) if cpu & ISA_V2 else valid_bo_pre_v2(v)


def _ins_bo(i, v, c):
    err = None
    if not valid_bo(v, c):
        err = "invalid conditional option"
    elif i >> 26 == 19 and (i >> 1) & 0x3ff == 528 and not v & 4:
        err = "invalid counter access"
    return i | (v & 31) << 21, err


_reg("bo", _ins_bo, lambda i, c: ((i >> 21) & 31, valid_bo((i >> 21) & 31, c, True)))


def _hint_mask(bo, cpu):
    if not cpu & ISA_V2:
        return 0 if bo & 0x14 == 0x14 else 1
    return 0x3 if bo & 0x14 == 0x4 else 0x9 if bo & 0x14 == 0x10 else 0


def _boe(taken):
    def ins(i, v, c):
        mask = _hint_mask(v, c)
        implied = mask if taken else mask & ~1
        err = None
        if implied == 0:
            err = "BO value implies no branch hint, when using + or - modifier"
        elif v & mask and v & mask != implied:
            err = ("attempt to set 'at' bits when using + or - modifier" if c & ISA_V2
                   else "attempt to set y bit when using + or - modifier")
        i2, err2 = _ins_bo(i, v | implied, c)
        return i2, err or err2

    def ext(i, c):
        v = (i >> 21) & 31
        mask = _hint_mask(v, c)
        implied = mask if taken else mask & ~1
        return v, valid_bo(v, c, True) and implied != 0 and v & mask == implied
    return ins, ext


_reg("bom", *_boe(False))
_reg("bop", *_boe(True))


def _bd_hint(taken):
    """BD of `bc-`/`bc+` extended mnemonics: the hint goes into BO."""
    def ins(i, v, c):
        if not c & ISA_V2:
            if ((v & 0x8000) == 0) == taken:
                i |= 1 << 21
        elif i & (0x14 << 21) == 0x04 << 21:
            i |= (0x03 if taken else 0x02) << 21
        elif i & (0x14 << 21) == 0x10 << 21:
            i |= (0x09 if taken else 0x08) << 21
        return i | (v & 0xfffc), None

    def ext(i, c):
        if not c & ISA_V2:
            ok = (i & (1 << 21) == 0) == (i & (1 << 15) == 0)
            ok = not ok if taken else ok
        else:
            a, b = (0x07, 0x19) if taken else (0x06, 0x18)
            ok = i & (0x17 << 21) == a << 21 or i & (0x1d << 21) == b << 21
        return _sx(i & 0xfffc, 16), ok
    return ins, ext


_reg("bdm", *_bd_hint(False))
_reg("bdp", *_bd_hint(True))


# ---- fixed-point fields with conditions
def _ral(i, v, c):
    return i | (v & 31) << 16, ("invalid register operand when updating"
                                if v == 0 or v == (i >> 21) & 31 else None)


_reg("ral", _ral, lambda i, c: ((i >> 16) & 31, not ((i >> 21) & 31 == (i >> 16) & 31 or
                                                   (i >> 16) & 31 == 0)))
_reg("ram", lambda i, v, c: (i | (v & 31) << 16, "index register in load range"
                             if v >= (i >> 21) & 31 else None),
     lambda i, c: ((i >> 16) & 31, (i >> 16) & 31 < (i >> 21) & 31))
_reg("raq", lambda i, v, c: (i | (v & 31) << 16, "source and target register operands must "
                             "be different" if v == (i >> 21) & 31 else None),
     lambda i, c: ((i >> 16) & 31, (i >> 16) & 31 != (i >> 21) & 31))
_reg("ras", lambda i, v, c: (i | (v & 31) << 16, "invalid register operand when updating"
                             if v == 0 else None),
     lambda i, c: ((i >> 16) & 31, (i >> 16) & 31 != 0))
_reg("rbx", lambda i, v, c: (i | (v & 31) << 11, "source and target register operands must "
                             "be different" if v == (i >> 21) & 31 else None),
     lambda i, c: ((i >> 11) & 31, (i >> 11) & 31 != (i >> 21) & 31))


def _nbi(i, v, c):
    rt, ra = (i >> 21) & 31, (i >> 16) & 31
    n = 32 if v == 0 else v
    err = None
    if rt + (n + 3) // 4 > (ra + 32 if rt > ra else ra):
        err = "address register in load range"
    return i | (n & 31) << 11, err


_reg("nbi", _nbi, None)
_reg("nsi", lambda i, v, c: (i | (-v & 0xffff), None),
     lambda i, c: (-_sx(i & 0xffff, 16), False))


def _d34_i(i, v, c):
    return i | (v & 0x3ffff0000) << 16 | (v & 0xffff), None


def _d34_e(i, c):
    return _sx(((i >> 16) & 0x3ffff0000) | (i & 0xffff), 34), True


_reg("d34", _d34_i, _d34_e)
_reg("nsi34", lambda i, v, c: _d34_i(i, -v, c), lambda i, c: (-_d34_e(i, c)[0], False))
_reg("imm32", lambda i, v, c: (i | (v & 0xffff0000) << 16 | (v & 0xffff), None),
     lambda i, c: ((i & 0xffff) | ((i >> 16) & 0xffff0000), True))


def _pcrel_i(i, v, c):
    v &= 1
    return i | v << 52, ("invalid R operand" if (i >> 16) & 31 and v else None)


def _pcrel_e(i, c):
    return (i >> 52) & 1, not ((i >> 16) & 31 and (i >> 52) & 1)


_reg("pcrel", _pcrel_i, _pcrel_e)
EXTRACT["pcrel1"] = lambda i, c: (_pcrel_e(i, c)[0], _pcrel_e(i, c)[1] and (i >> 52) & 1 == 1)


def _dw(i, v, c):
    err = None
    if v < -512 or v > -8 or v & 7:
        err = "invalid offset: must be in the range [-512, -8] and be a multiple of 8"
    return i | (v & 0xf8) << 18 | ((v >> 8) & 1), err


_reg("dw", _dw, lambda i, c: ((((i & 1) << 8) | ((i >> 18) & 0xf8)) - 512, True))


def _dxd_i(i, v, c):
    return i | (v & 0xffc1) | (v & 0x3e) << 15, None


def _dxd_e(i, c):
    return _sx((i & 0xffc1) | ((i >> 15) & 0x3e), 16), True


_reg("dxd", _dxd_i, _dxd_e)
_reg("dxdn", lambda i, v, c: _dxd_i(i, -v, c), lambda i, c: (-_dxd_e(i, c)[0], True))
_reg("dm", lambda i, v, c: (i | (3 if v else 0) << 8, None if v in (0, 1) else "invalid constant"),
     lambda i, c: (1 if (i >> 8) & 3 else 0, (i >> 8) & 3 in (0, 3)))


def _fxm_i(i, v, c):
    err = None
    if i & (1 << 20):
        if v == 0 or v & -v != v:
            err, v = "invalid mask field", 0
    elif v > 0 and v & -v == v and (c & POWER4 or (c & 0x40 and i & (0x3ff << 1) == 19 << 1)):
        i |= 1 << 20
    elif i & (0x3ff << 1) == 19 << 1:
        if v != -1:
            err = "invalid mfcr mask"
        v = 0
    return i | (v & 0xff) << 12, err


def _fxm_e(i, c):
    m = (i >> 12) & 0xff
    if i & (1 << 20):
        return m, not (m == 0 or m & -m != m)
    if i & (0x3ff << 1) == 19 << 1:
        return (-1, True) if m == 0 else (m, False)
    return m, True


_reg("fxm", _fxm_i, _fxm_e, default=-1)
_reg("l1opt", lambda i, v, c: (i | (v & 1) << 21, None), lambda i, c: ((i >> 21) & 1, True),
     default=1)


def _ls_mask_bad(i, v, c):
    xo = (i >> 1) & 0x3ff
    if xo == 598:                                   # sync L
        mask = 7 if c & POWER10 else 3
        bad = v in (3, 6, 7) or (v == 2 and not c & POWER4)
    elif xo == 86:                                  # dcbf L
        mask = 7 if c & POWER10 else 3
        bad = v in (2, 5, 7)
    else:                                           # wait WC
        mask = 3
        bad = not c & A2_E500MC and (v == 3 or (v in (1, 2) and not c & POWER10))
    return mask, bad, xo


def _ls_i(i, v, c):
    mask, bad, xo = _ls_mask_bad(i, v, c)
    err = None
    if v & mask == v and bad:
        err = "illegal WC operand value" if xo not in (598, 86) else "illegal L operand value"
    return i | (v & mask) << 21, err


def _ls_e(i, c):
    xo = (i >> 1) & 0x3ff
    v = (i >> 21) & ((7 if c & POWER10 else 3) if xo in (598, 86) else 3)
    return v, not _ls_mask_bad(i, v, c)[1]


_reg("ls", _ls_i, _ls_e)
_reg("pl", lambda i, v, c: (i | (v & 3) << 16, "illegal PL operand value"
                            if (i >> 1) & 0x3ff == 30 and v else None),
     lambda i, c: ((i >> 16) & 3, not ((i >> 1) & 0x3ff == 30 and (i >> 16) & 3)))
_reg("sxl", lambda i, v, c: (i | (v & 1) << 11, None), lambda i, c: ((i >> 11) & 1, True),
     default=1)


def _spr_i(i, v, c):
    return i | (v & 0x1f) << 16 | (v & 0x3e0) << 6, None


def _spr_e(i, c):
    return ((i >> 16) & 0x1f) | ((i >> 6) & 0x3e0), True


_reg("spr", _spr_i, _spr_e)
_reg("tbr", lambda i, v, c: (_spr_i(i, v, c)[0], None if v in (268, 269) else "invalid tbr number"),
     lambda i, c: (_spr_e(i, c)[0], _spr_e(i, c)[0] in (268, 269)), default=268)


def _sprg_i(i, v, c):
    err = None
    if v > 7 or v < 0 or (v > 3 and not c & ALLOW8_SPRG):
        err = "invalid sprg number"
    if v <= 3 or i & 0x100:
        v |= 0x10
    return i | (v & 0x17) << 16, err


def _sprg_e(i, c):
    v = (i >> 16) & 0x1f
    bad = ((v - 0x10) & ((1 << 64) - 1) > 3 and not c & ALLOW8_SPRG) or \
        ((v - 0x10) & ((1 << 64) - 1) > 7 and i & 0x100) or v <= 3 or v & 8
    return v & 7, not bad


_reg("sprg", _sprg_i, _sprg_e)


def _sprbat_i(i, v, c):
    err = "invalid bat number" if v > 7 or v < 0 or (v > 3 and not c & ALLOW8_BAT) else None
    v = ((v & 3) << 6 | 1) if v > 3 else v << 6
    return i | v << 11, err


_reg("sprbat", _sprbat_i, lambda i, c: (((i >> 17) & 3) + ((i >> 9) & 4),
                                        ((i >> 17) & 3) + ((i >> 9) & 4) <= 3 or
                                        bool(c & ALLOW8_BAT)))
_reg("thct", lambda i, v, c: (i | (v & 7) << 21, "invalid TH value" if v > 7 or v < 0 else None),
     lambda i, c: ((i >> 21) & 31, (i >> 21) & 31 <= 7 and not c & DCBT_EO))
_reg("thds", lambda i, v, c: (i | (v & 31) << 21, None if 8 <= v <= 15 else "invalid TH value"),
     lambda i, c: ((i >> 21) & 31, 8 <= (i >> 21) & 31 <= 15 and not c & DCBT_EO), default=8)


# ---- rotate/shift extended mnemonics (Book I Appendix C.8): n and b operands
def _mb6v(i):
    return ((i >> 6) & 0x1f) | (i & 0x20)


def _sh6v(i):
    return ((i >> 11) & 0x1f) | ((i << 4) & 0x20)


_reg("crdn", lambda i, v, c: _mb6_i(i, 63 - v, c), lambda i, c: (63 - _mb6v(i), True))
_reg("crwn", lambda i, v, c: (i | (~v & 31) << 1, None), lambda i, c: (~(i >> 1) & 31, True))
_reg("eldn", lambda i, v, c: _mb6_i(i, v - 1, c), lambda i, c: (_mb6v(i) + 1, True))
_reg("elwn", lambda i, v, c: (i | ((v - 1) & 31) << 1, None), lambda i, c: (((i >> 1) & 31) + 1, True))
_reg("erdn", lambda i, v, c: _mb6_i(i, -v, c), lambda i, c: ((~_mb6v(i) & 63) + 1, True))
_reg("erwn", lambda i, v, c: (i | (-v & 31) << 6, None), lambda i, c: ((~(i >> 6) & 31) + 1, True))
_reg("erdb", lambda i, v, c: _sh6_i(i, v + (~_mb6v(i) & 63) + 1, c),
     lambda i, c: ((_sh6v(i) - ((~_mb6v(i) & 63) + 1)) & 63, True))
_reg("erwb", lambda i, v, c: (i | ((((~(i >> 6) & 31) + 1) + v) & 31) << 11, None),
     lambda i, c: ((((i >> 11) & 31) - ((~(i >> 6) & 31) + 1)) & 31, True))
_reg("rrdn", lambda i, v, c: _sh6_i(i, -v, c), lambda i, c: (-_sh6v(i) & 63, True))
_reg("rrwn", lambda i, v, c: (i | (-v & 31) << 11, None), lambda i, c: (31 & -(i >> 11), True))
_reg("sldn", lambda i, v, c: _mb6_i(_sh6_i(i, v, c)[0], 63 - v, c),
     lambda i, c: (_sh6v(i), _sh6v(i) == 63 - _mb6v(i)))
_reg("slwn", lambda i, v, c: (i | (v & 31) << 11 | (~v & 31) << 1, None),
     lambda i, c: ((i >> 11) & 31, (i >> 11) & 31 == ~(i >> 1) & 31))
_reg("srdn", lambda i, v, c: _mb6_i(_sh6_i(i, -v, c)[0], v, c),
     lambda i, c: (-_sh6v(i) & 63, -_sh6v(i) & 63 == _mb6v(i)))
_reg("srwn", lambda i, v, c: (i | (-v & 31) << 11 | (v & 31) << 6, None),
     lambda i, c: (-(i >> 11) & 31, -(i >> 11) & 31 == (i >> 6) & 31))


def _csldn(i, v, c):
    b = _mb6v(i)
    i = (i & ~(0x3f << 5)) | 0
    i = _mb6_i(i & ~0x7e0, b - v, c)[0]
    return _sh6_i(i, v, c)


_reg("csldn", _csldn, None)
_reg("cslwn", lambda i, v, c: ((i & ~(31 << 6)) | (v & 31) << 11 | ((((i >> 6) & 31) - v) & 31) << 6
                               | (~v & 31) << 1, None), None)
_reg("ilwb", lambda i, v, c: ((i & ~(31 << 1)) | (-v & 31) << 11 | (v & 31) << 6
                              | ((v + ((i >> 1) & 31) - 1) & 31) << 1, None), None)
_reg("irwb", lambda i, v, c: ((i & ~(31 << 1)) | (-(v + ((i >> 1) & 31)) & 31) << 11
                              | (v & 31) << 6 | ((v + ((i >> 1) & 31) - 1) & 31) << 1, None), None)


def _irdb(i, v, c):
    n = _sh6v(i)
    i = _sh6_i(i & ~((0x1f << 11) | 2), -(v + n), c)[0]
    return _mb6_i(i, v, c)


_reg("irdb", _irdb, None)
# ilwn/irwn/irdn/csldb/cslwb: n operands that only carry a value for the next
# operand's rule (they are stored in the ME/SH field first).


def _ext_csldb(i, c):
    return (_mb6v(i) + _sh6v(i)) & 63, True


def _ext_cslwb(i, c):
    sh, mb, me = (i >> 11) & 31, (i >> 6) & 31, (i >> 1) & 31
    return (mb + sh) & 31, sh == 31 - me


def _ext_ilwn(i, c):
    sh, mb, me = (i >> 11) & 31, (i >> 6) & 31, (i >> 1) & 31
    return ((me - mb) & 31) + 1, (sh + mb) & 31 == 0


def _ext_irdn(i, c):
    return (~(_mb6v(i) + _sh6v(i)) & 63) + 1, True


def _ext_irwn(i, c):
    sh, mb, me = (i >> 11) & 31, (i >> 6) & 31, (i >> 1) & 31
    return ((me - mb) & 31) + 1, (sh + me + 1) & 31 == 0


def _ext_nb(i, c):
    n = (i >> 11) & 31
    return (32 if n == 0 else n), True


EXTRACT.update(csldb=_ext_csldb, cslwb=_ext_cslwb, ilwn=_ext_ilwn, irdn=_ext_irdn,
               irwn=_ext_irwn, nb=_ext_nb)


# ---- the 32-bit mask form `rlwinm ra,rs,sh,MASK` (MB and ME from a contiguous mask)
def _mbe_i(i, v, c):
    u = v & 0xFFFFFFFF
    if u == 0:
        return i, "illegal bitmask"
    mb, me, last, count = 0, 32, u & 1, 0
    for mx in range(32):
        bit = (u >> (31 - mx)) & 1
        if bit and not last:
            count, mb, last = count + 1, mx, 1
        elif not bit and last:
            count, me, last = count + 1, mx, 0
    if me == 0:
        me = 32
    err = None if count == 2 or (count == 0 and last) else "illegal bitmask"
    return i | mb << 6 | (me - 1) << 1, err


def _mbe_e(i, c):
    mb, me = (i >> 6) & 31, (i >> 1) & 31
    if mb < me + 1:
        v = sum(1 << (31 - k) for k in range(mb, me + 1))
    elif mb == me + 1:
        v = -1
    else:
        v = ~sum(1 << (31 - k) for k in range(me + 1, mb))
    return v, False             # the disassembler prints MB, ME instead


_reg("mbe", _mbe_i, _mbe_e)
# ---- the remaining fields: esync L, P2 split, paired-VSR XA5/XB5
_reg("esync", lambda i, v, c: (i | (v & 0xf) << 16, "incompatible L operand value"
                               if v and ((~v >> 1) & 1) != (i >> 21) & 3 else None),
     lambda i, c: ((i >> 16) & 0xf, not ((i >> 16) & 0xf and
                                        ((~((i >> 16) & 0xf) >> 1) & 1) != (i >> 21) & 3)))
_reg("p2", lambda i, v, c: (i | (v & 2) << 15 | (v & 1) << 11, None),
     lambda i, c: (((i >> 15) & 2) | ((i >> 11) & 1), True))
_reg("xa5", lambda i, v, c: (i | (v & 0x1e) << 16 | (v & 0x20) >> 3, None),
     lambda i, c: (((i << 3) & 0x20) | ((i >> 16) & 0x1e), True))
_reg("xb5", lambda i, v, c: (i | (v & 0x1e) << 11 | (v & 0x20) >> 4, None),
     lambda i, c: (((i << 4) & 0x20) | ((i >> 11) & 0x1e), True))
