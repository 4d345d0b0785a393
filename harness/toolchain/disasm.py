"""ppc64 big-endian disassembler: capstone 5 plus our own decoding for the
system instructions capstone lacks or prints poorly (scv, rfscv, urfid, sc LEV,
mtmsr[d], mtspr/mfspr with SPR names as GNU objdump spells them)."""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from emu.registers import disasm_names

# objdump -M power10 SPR names, from the register table (emu.registers)
MT_NAMES = disasm_names("mt")
MF_NAMES = disasm_names("mf")


@dataclass(frozen=True)
class Insn:
    addr: int
    word: int
    mnemonic: str
    op_str: str

    def __str__(self):
        return f"{self.mnemonic} {self.op_str}".strip()


_CS = None


def _cs():
    global _CS
    if _CS is None:
        from capstone import CS_ARCH_PPC, CS_MODE_64, CS_MODE_BIG_ENDIAN, Cs
        _CS = Cs(CS_ARCH_PPC, CS_MODE_64 | CS_MODE_BIG_ENDIAN)
    return _CS


_FIXED = {
    0x4C0000A4: "rfscv", 0x4C000024: "rfid", 0x4C000224: "hrfid", 0x4C000264: "urfid",
    0x4C0002E4: "stop", 0x00000200: "attn", 0x4C00012C: "isync", 0x60000000: "nop",
    0x7C0004AC: "sync", 0x7C2004AC: "lwsync", 0x7C4004AC: "ptesync", 0x7C0006AC: "eieio",
    0x7C00046C: "tlbsync", 0x7C0003E4: "slbia", 0x7FE00008: "trap",
}


def _own(word: int):
    """Our decoding for what capstone lacks; None -> ask capstone."""
    if word in _FIXED:
        return _FIXED[word], ""
    po = word >> 26
    rs = (word >> 21) & 31
    if po == 17:
        lev = (word >> 5) & 0x7F
        if word & 3 == 1 and word & 0x03FFF01C == 0:
            return "scv", str(lev)
        if word & 3 == 2 and word & 0x03FFF01C == 0:
            return "sc", (str(lev) if lev else "")
        return None
    if po == 31:
        xo = (word >> 1) & 0x3FF
        spr = ((word >> 16) & 31) | ((word >> 11) & 31) << 5
        if xo in (467, 339) and word & 1 == 0:
            if xo == 467:
                if 272 <= spr <= 275:
                    return "mtsprg", f"{spr - 272}, r{rs}"
                if spr in MT_NAMES:
                    return "mt" + MT_NAMES[spr], f"r{rs}"
                return "mtspr", f"{spr}, r{rs}"
            if 272 <= spr <= 275:
                return "mfsprg", f"r{rs}, {spr - 272}"
            if spr in MF_NAMES:
                return "mf" + MF_NAMES[spr], f"r{rs}"
            return "mfspr", f"r{rs}, {spr}"
        if xo in (178, 146) and word & 0x001EF801 == 0:     # mtmsrd / mtmsr
            name = "mtmsrd" if xo == 178 else "mtmsr"
            return name, f"r{rs}, 1" if word & 0x10000 else f"r{rs}"
        if xo == 83 and word & 0x001FF801 == 0:
            return "mfmsr", f"r{rs}"
    return None


def disasm_word(word: int, addr: int = 0) -> Insn:
    word &= 0xFFFFFFFF
    own = _own(word)
    if own is not None:
        return Insn(addr, word, own[0], own[1])
    try:
        res = list(_cs().disasm(struct.pack(">I", word), addr, 1))
    except Exception:
        res = []
    if not res:
        return Insn(addr, word, ".long", f"0x{word:08x}")
    i = res[0]
    op_str = re.sub(r",(?=\S)", ", ", i.op_str)
    return Insn(addr, word, i.mnemonic, op_str)


def disassemble(code: bytes, addr: int = 0, count: int | None = None) -> list[Insn]:
    out = []
    n = len(code) // 4
    if count is not None:
        n = min(n, count)
    for k in range(n):
        (w,) = struct.unpack_from(">I", code, 4 * k)
        out.append(disasm_word(w, addr + 4 * k))
    rem = len(code) - 4 * (len(code) // 4)
    if rem and (count is None or len(out) < count):
        tail = code[len(code) - rem:]
        out.append(Insn(addr + len(code) - rem, int.from_bytes(tail, "big"), ".byte",
                        ", ".join(f"0x{b:02x}" for b in tail)))
    return out


def format_insn(word: int, addr: int = 0) -> str:
    return str(disasm_word(word, addr))
