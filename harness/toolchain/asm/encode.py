"""Power ISA instruction encoder, table-driven like GNU as -mpower10.

The facts (mnemonics, opcodes, masks, CPU flags, operand lists, operand fields)
are the generated table harness/toolchain/ppc_opcodes.py; operand rules are in
harness/toolchain/ppcops.py.  This module is the assembler's reading of that
table: which entry a mnemonic names for the current CPU (`.machine`, `-m`),
how the operand text is split (`,`, `disp(reg)`, optional operands), the range
checks, and relocation suffixes.  The rules follow GNU as 2.40
(gas/config/tc-ppc.c md_assemble and ppc_insert_operand), re-implemented.

`encode(mn, args, addr, evaluate, cpu)` -> (value, size): size 4, or 8 for a
prefixed instruction (value = prefix << 32 | suffix).
`evaluate(text) -> (value, suffix, relocatable)`.
"""
from __future__ import annotations

import re

from harness.toolchain import ppcops
from harness.toolchain.ppc_opcodes import CPUS, OPERANDS, POWERPC_OPCODES, PREFIX_OPCODES

M64 = (1 << 64) - 1

# operand flags (include/opcode/ppc.h)
F_RELATIVE, F_ABSOLUTE, F_SIGNED, F_SIGNOPT = 0x800, 0x1000, 0x2000, 0x4000
F_PARENS, F_NEGATIVE, F_PLUS1, F_OPTIONAL = 0x8000, 0x40000, 0x80000, 0x100000
F_NEXT, F_OPTIONAL32, F_NONZERO = 0x200000, 0x400000, 0x4000000
F_CR_BIT, F_CR_REG = 0x80, 0x100
# cpu flags
C_PPC, C_64, C_ANY = 0x1, 0x8, 0x40
C_POWER6, C_POWER7, C_POWER9, C_E500MC = 0x400000, 0x10000000, 0x10000000000, 0x2000000


class EncodeError(Exception):
    pass


class UnknownMnemonic(EncodeError):
    pass


def parse_cpu(cpu: int, sticky: int, name: str):
    """`-mNAME` / `.machine NAME` -> (cpu, sticky) or None (binutils ppc_parse_cpu)."""
    ent = CPUS.get(name.lower())
    if ent is None:
        return None
    new, st = ent
    if st:
        sticky |= st
        if cpu & ~sticky:
            return cpu | sticky, sticky
    return new | sticky, sticky


def cpu_flags(name: str | None = None) -> int:
    """The CPU of `as -a64 -mbig -mpower10 [-mNAME]` (-a64 adds the 64-bit opcodes)."""
    cpu, sticky = parse_cpu(0, 0, "power10")
    if name:
        r = parse_cpu(cpu, sticky, name)
        if r is None:
            raise EncodeError(f"invalid machine `{name}'")
        cpu = r[0]
    if cpu & ~C_ANY == 0:
        cpu |= C_PPC | C_64
    return cpu


DEFAULT_CPU = cpu_flags()
_TABLES: dict[int, dict] = {}


def table(cpu: int) -> dict:
    """mnemonic -> opcode entry for `cpu` (first valid entry, like GNU as' hash)."""
    t = _TABLES.get(cpu)
    if t is None:
        t = {}
        for prefixed, tab in ((False, POWERPC_OPCODES), (True, PREFIX_OPCODES)):
            for e in tab:
                if cpu & e[3] and not cpu & e[4]:
                    t.setdefault(e[0], e + (prefixed,))
        if cpu & C_ANY:
            for prefixed, tab in ((False, POWERPC_OPCODES), (True, PREFIX_OPCODES)):
                for e in tab:
                    t.setdefault(e[0], e + (prefixed,))
        _TABLES[cpu] = t
    return t


def insn_size(mn: str, cpu: int = DEFAULT_CPU) -> int:
    e = table(cpu).get(mn)
    return 8 if e is not None and e[6] else 4


def is_known(mn: str, cpu: int = DEFAULT_CPU) -> bool:
    return mn.lower() in table(cpu)


def nop_padding(count: int, cpu: int) -> bytes:
    """Code alignment padding (GNU as ppc_handle_align): nops, a branch over them
    when more than 4, and on POWER6/7/8 a group-terminating last nop."""
    if count == 0 or count & 3:
        return bytes(count)
    out = []
    n = count
    if count > 16 and count < 0x2000000:
        out.append(0x48000000 + count)
        n -= 4
    out += [0x60000000] * (n // 4)
    if n and not cpu & (C_POWER9 | C_E500MC) and cpu & (C_POWER6 | C_POWER7) and n > 0:
        out[-1] = 0x60420000 if cpu & C_POWER7 else 0x60210000
    return b"".join(w.to_bytes(4, "big") for w in out)


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
        if ch == '"':
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


def _fmt(v):
    return str(v) if -1000 <= v <= 1000 else hex(v & M64)


def insert_operand(insn, op, val, cpu):
    """Range-check and insert one operand value (GNU as ppc_insert_operand)."""
    _name, bitm, shift, ins, _ext, flags = op
    mx = bitm
    right = mx & -mx
    mn = 0
    if flags & F_SIGNOPT:
        mn = ~(mx >> 1) & -right
    elif flags & F_SIGNED:
        mx = (mx >> 1) & -right
        mn = ~mx & -right
    elif flags & F_NONZERO:
        mn += 1
        mx += 1
    if flags & F_PLUS1:
        mx += 1
    if flags & F_NEGATIVE:
        mn, mx = -mx, -mn
    if mn <= mx:
        small = bitm & ~0xFFFFFFFF == 0
        if val > mx and small and mn <= val - (1 << 32) <= mx and (val - (1 << 32)) & (right - 1) == 0:
            val -= 1 << 32
        elif val < mn and small and mn <= val + (1 << 32) <= mx and \
                (val + (1 << 32)) & (right - 1) == 0:
            val += 1 << 32
        elif mn <= val <= mx and val & (right - 1):
            raise EncodeError(f"operand out of domain ({_fmt(val)} is not a multiple of {right})")
        elif val < mn or val > mx or val & (right - 1):
            raise EncodeError(f"operand out of range ({_fmt(val)} is not between "
                              f"{_fmt(mn)} and {_fmt(mx)})")
    return _raw_insert(insn, op, val, cpu, nonzero=True)


def _raw_insert(insn, op, val, cpu, nonzero=False):
    _name, bitm, shift, ins, _ext, flags = op
    if ins:
        rule = ppcops.INSERT.get(ins[7:])
        if rule is None:
            raise EncodeError(f"operand `{op[0]}' has no encoding rule ({ins})")
        insn, err = rule(insn, val, cpu)
        if err:
            raise EncodeError(err)
        return insn
    if nonzero and flags & F_NONZERO:
        val -= 1
    if shift >= 0:
        return insn | (val & bitm) << shift
    return insn | (val & bitm) >> -shift


def _default(op, missing):
    """Value of an omitted optional operand (-1: the first omitted, -2: ...)."""
    ext = op[4]
    if not ext:
        return 0
    rule = ext[8:]
    if rule in ("pcrel", "pcrel1"):
        return ~missing & 1
    return ppcops.DEFAULT.get(rule, 0)


def _expr_end(s, pos):
    """End of the operand expression starting at s[pos]: a top-level `,` or `)`,
    or a `(` that follows a complete term (`8(r1)`)."""
    depth, i, n = 0, pos, len(s)
    last = ""
    while i < n:
        c = s[i]
        if c == '"' or c == "'":
            i += 2 if c == "'" else s.find('"', i + 1) - i + 1 if s.find('"', i + 1) > 0 else n
            last = "x"
            continue
        if c == "(":
            if depth == 0 and last and (last.isalnum() or last in "_.$)\x02"):
                break
            depth += 1
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        elif c == "," and depth == 0:
            break
        if not c.isspace():
            last = c
        i += 1
    return i


def _count_provided(s, pos, ops, k):
    """GNU as' count of operands present from operand k on: (total, provided, optional)."""
    total = provided = nopt = 0
    t = pos
    for idx in ops[k:]:
        op = OPERANDS[idx]
        total += 1
        if op[5] & F_OPTIONAL and not op[5] & F_OPTIONAL32:
            nopt += 1
        if t is not None and t < len(s) and s[t:].strip() != "" and s[t] != "\0":
            provided += 1
            if op[5] & F_PARENS:
                cands = [j for j in (s.find("(", t), s.find(",", t)) if j >= 0]
                j = min(cands) if cands else -1
            else:
                j = s.find(",", t)
            t = j + 1 if j >= 0 else None
    return total, provided, nopt


_GOT_PCREL = re.compile(r"@got@pcrel\b", re.IGNORECASE)


def relax_got_pcrel(mn: str, args: str):
    """``pld RT,sym@got@pcrel`` becomes ``pla RT,sym@pcrel``, as GNU ld relaxes it.

    A flat image has no GOT and every symbol is local, so the link-time
    optimisation GNU ld applies to R_PPC64_GOT_PCREL34 on a ``pld`` of a
    non-preemptible symbol (bfd/elf64-ppc.c, ppc64_elf_relocate_section: the
    ``pld`` is rewritten to ``paddi RT,0,sym-.,1``) always applies; the bytes
    are then those of ``ld -N``'s output.  Any other instruction with
    @got@pcrel would need a GOT entry and is refused.
    """
    if not _GOT_PCREL.search(args):
        return mn, args
    if mn != "pld":
        raise EncodeError(f"@got@pcrel needs a GOT entry, which a flat image does not have "
                          f"(only `pld' is relaxed to `pla', as GNU ld does): `{mn}'")
    return "pla", _GOT_PCREL.sub("@pcrel", args)


def encode(mn: str, args: str, addr: int, evaluate, cpu: int = DEFAULT_CPU):
    mn = mn.lower()
    if "@" in args:
        mn, args = relax_got_pcrel(mn, args)
    ent = table(cpu).get(mn)
    if ent is None:
        raise UnknownMnemonic(f"unrecognized opcode: `{mn}'")
    _name, opcode, _mask, _fl, _dep, ops, prefixed = ent
    insn = opcode
    s = args.strip()
    pos = 0
    n = len(s)
    num_opt = 0
    prov_opt = 0
    next_idx = 0
    need_paren = False
    for k, idx in enumerate(ops):
        if next_idx:
            idx, next_idx = next_idx, 0
        op = OPERANDS[idx]
        flags = op[5]
        if flags & F_OPTIONAL and not flags & F_OPTIONAL32:
            if num_opt == 0:
                total, provided, num_opt = _count_provided(s, pos, ops, k)
                prov_opt = num_opt - (total - provided)
            prov_opt -= 1
            if prov_opt < 0:
                insn = _raw_insert(insn, op, _default(op, prov_opt), cpu)
                if flags & F_NEXT:
                    next_idx = idx + 1
                continue
        while pos < n and s[pos].isspace():
            pos += 1
        end = _expr_end(s, pos)
        text = s[pos:end].strip()
        pos = end
        if not text:
            raise EncodeError("missing operand")
        v, suf, reloc = evaluate(text)
        if suf == "pcrel":
            v -= addr
        elif suf is not None and flags & F_SIGNED:
            v = ((v & 0xFFFF) ^ 0x8000) - 0x8000
        elif reloc and flags & F_RELATIVE:
            v -= addr
        v &= M64
        if v >> 63:
            v -= 1 << 64
        insn = insert_operand(insn, op, v, cpu)
        # separators
        while pos < n and s[pos].isspace():
            pos += 1
        if need_paren:
            endc = ")"
            need_paren = False
            if pos < n and s[pos] == ")" and k + 1 < len(ops):
                pos += 1
                while pos < n and s[pos].isspace():
                    pos += 1
                endc = ","
        elif flags & F_PARENS:
            endc = "("
        else:
            endc = ","
        if pos < n and s[pos] == endc:
            pos += 1
            if endc == "(":
                need_paren = True
        elif pos < n:
            raise EncodeError(f"syntax error; found `{s[pos]}', expected `{endc}'")
        elif endc == ")":
            raise EncodeError("syntax error; end of line, expected `)'")
    rest = s[pos:].strip()
    if rest:
        raise EncodeError(f"junk at end of line: `{rest}'")
    return insn, (8 if prefixed else 4)
