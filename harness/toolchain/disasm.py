"""ppc64 big-endian disassembler, decoding from the same opcode table the
assembler encodes with (harness/toolchain/ppc_opcodes.py, one copy of the facts).

The reading of the table follows objdump -M power10 (binutils 2.40
opcodes/ppc-dis.c, re-implemented): the first table entry, in table order,
whose opcode/mask match, whose CPU flags include POWER10's and whose operands
are all valid (e.g. BO values, `mr` needs RS == RB) names the instruction;
optional operands holding their default value are not printed; a prefixed
word (primary opcode 1) followed by a suffix that forms a known POWER10
prefixed instruction decodes as one 8-byte instruction.  Operands print as
objdump prints them (r/f/v/vs/a registers, crN, `4*crN+eq` CR bits, signed
decimals, absolute branch targets in hex), separated by ", ".  SPR names come
from the table's extended mnemonics (mtlpcr, mfsprg ...), as objdump's do.

docs/disassembler.md has the measurement against objdump and capstone.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from harness.toolchain import ppcops
from harness.toolchain.asm.encode import (F_ABSOLUTE, F_NEXT, F_NONZERO, F_OPTIONAL,
                                          F_PARENS, F_RELATIVE, F_SIGNED, _default, cpu_flags)
from harness.toolchain.ppc_opcodes import OPERANDS, POWERPC_OPCODES, PREFIX_OPCODES

DIALECT = cpu_flags()
M64 = (1 << 64) - 1
F_GPR, F_GPR_0, F_FPR, F_VR, F_VSR, F_ACC, F_DMR = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40
F_CR_BIT, F_CR_REG = 0x80, 0x100


@dataclass(frozen=True)
class Insn:
    addr: int
    word: int           # 32 bits, or 64 for a prefixed instruction (prefix << 32 | suffix)
    mnemonic: str
    op_str: str
    size: int = 4

    def __str__(self):
        return f"{self.mnemonic} {self.op_str}".strip()


def _index(table, key):
    idx: dict[int, list] = {}
    for e in table:
        if e[3] & DIALECT and not e[4] & DIALECT:
            idx.setdefault(key(e[1]), []).append(e)
    return idx


_MAIN = _index(POWERPC_OPCODES, lambda opc: opc >> 26)
_PREFIX = _index(PREFIX_OPCODES, lambda opc: 0)          # 113 entries: no index needed


def _valid(e, insn):
    for i in e[5]:
        ext = OPERANDS[i][4]
        if ext and not ppcops.EXTRACT[ext[8:]](insn, DIALECT)[1]:
            return False
    return True


def _lookup(idx, key, insn):
    for e in idx.get(key, ()):
        if insn & e[2] == e[1] and _valid(e, insn):
            return e
    return None


def operand_value(op, insn):
    """The operand's value in `insn` (objdump operand_value_powerpc)."""
    _n, bitm, shift, _ins, ext, flags = op
    if ext:
        v = ppcops.EXTRACT[ext[8:]](insn, DIALECT)[0]
    else:
        v = (insn >> shift) & bitm if shift >= 0 else (insn << -shift) & bitm
        if flags & F_SIGNED:
            top = bitm | ((bitm & -bitm) - 1)
            top &= ~(top >> 1)
            v = (v ^ top) - top
    if flags & F_NONZERO:
        v += 1
    return v


def _skip_optional(ops, insn):
    """(skip, pcrel): skip when every optional operand from here on holds its
    default; pcrel when an R operand seen on the way is 1."""
    missing = 0
    pcrel = False
    for i in ops:
        op = OPERANDS[i]
        if op[5] & F_NEXT:
            return False, pcrel
        if op[5] & F_OPTIONAL:
            v = operand_value(op, insn)
            if op[2] == 52:
                pcrel = v != 0
            missing -= 1
            if v != _default(op, missing):
                return False, pcrel
    return True, pcrel


def _fmt_operand(op, v, addr):
    f = op[5]
    if f & F_GPR or (f & F_GPR_0 and v != 0):
        return f"r{v}"
    if f & F_FPR:
        return f"f{v}"
    if f & F_VR:
        return f"v{v}"
    if f & F_VSR:
        return f"vs{v}"
    if f & F_DMR:
        return f"dm{v}"
    if f & F_ACC:
        return f"a{v}"
    if f & F_RELATIVE:
        return f"{(addr + v) & M64:#x}"
    if f & F_ABSOLUTE:
        return f"{v & 0xFFFFFFFF:#x}"
    if f & F_CR_REG and not f & F_CR_BIT:
        return f"cr{v}"
    if f & F_CR_BIT and not f & F_CR_REG:
        cc = ("lt", "gt", "eq", "so")[v & 3]
        return f"4*cr{v >> 2}+{cc}" if v >> 2 else cc
    return str(v)


def _render(e, insn, addr, size):
    parts = []
    skip = False
    is_pcrel, d34 = False, 0
    ops = e[5]
    paren = False
    for k, i in enumerate(ops):
        op = OPERANDS[i]
        if op[5] & F_OPTIONAL:
            if not skip:
                skip, pcrel = _skip_optional(ops[k:], insn)
                is_pcrel = is_pcrel or pcrel
            if skip:
                continue
        v = operand_value(op, insn)
        text = _fmt_operand(op, v, addr)
        if paren:
            parts[-1] += f"({text})"
        else:
            parts.append(text)
        if op[2] == 52:
            is_pcrel = v != 0
        elif op[1] == 0x3FFFFFFFF:
            d34 = v
        paren = bool(op[5] & F_PARENS)
    op_str = ", ".join(parts)
    if is_pcrel:
        op_str += f"\t# {(d34 + addr) & M64:x}"
    return Insn(addr, insn, e[0], op_str, size)


def disasm_word(word: int, addr: int = 0, suffix: int | None = None) -> Insn:
    """Decode one word; with `suffix` (the next word) a prefixed pair decodes as one."""
    word &= 0xFFFFFFFF
    if word >> 26 == 1 and suffix is not None:
        insn = word << 32 | (suffix & 0xFFFFFFFF)
        e = _lookup(_PREFIX, 0, insn)
        if e is not None:
            return _render(e, insn, addr, 8)
    e = _lookup(_MAIN, word >> 26, word)
    if e is None:
        return Insn(addr, word, ".long", f"{word:#x}")
    return _render(e, word, addr, 4)


def disassemble(code: bytes, addr: int = 0, count: int | None = None) -> list[Insn]:
    out = []
    off = 0
    n = len(code)
    while off + 4 <= n and (count is None or len(out) < count):
        (w,) = struct.unpack_from(">I", code, off)
        nxt = struct.unpack_from(">I", code, off + 4)[0] if off + 8 <= n else None
        i = disasm_word(w, addr + off, nxt)
        out.append(i)
        off += i.size
    if off < n and (count is None or len(out) < count):
        tail = code[off:]
        out.append(Insn(addr + off, int.from_bytes(tail, "big"), ".byte",
                        ", ".join(f"0x{b:02x}" for b in tail), len(tail)))
    return out


def format_insn(word: int, addr: int = 0, suffix: int | None = None) -> str:
    return str(disasm_word(word, addr, suffix))
