"""Minimal ELF64 big-endian (EM_PPC64) writer and reader for flat guest images.

`write_elf` produces an ET_EXEC with one PT_LOAD segment (RWX) covering the
flat image at `base`, a `.text` section (or the assembler's sections), and
`.symtab`/`.strtab` holding every label.  `read_elf` loads the PT_LOAD
segments back into one flat image from the lowest virtual address.
"""
from __future__ import annotations

import struct

from harness.errors import UserError

EM_PPC64 = 21
ELF_MAGIC = b"\x7fELF"


def is_elf(data: bytes) -> bool:
    return data[:4] == ELF_MAGIC


def write_elf(image: bytes, *, base: int = 0, entry: int = 0, symbols: dict | None = None,
              sections: list | None = None, alias: int | None = None) -> bytes:
    """sections: [(name, addr, size, is_code)] inside the image (default: one .text).
    `alias`: the image is also mapped at `alias + base` (a second PT_LOAD and a
    `.text.alias` section over the same file bytes) and every symbol is also
    defined there — for a debugger, the kernel's linear map at
    0xc000000000000000 where the same code runs relocated."""
    symbols = dict(symbols or {})
    if not sections:
        sections = [(".text", base, len(image), True)]
    sections = list(sections)
    if alias is not None:
        sections.append((".text.alias", alias + base, len(image), True))
        symbols = {**{f"{n}\0alias": (v + alias) & 0xFFFFFFFFFFFFFFFF
                      for n, v in symbols.items()}, **symbols}
    ehsize, phsize, shsize = 64, 56, 64
    data_off = 0x100
    shstr = bytearray(b"\0")
    strtab = bytearray(b"\0")

    def add_str(tab, s):
        off = len(tab)
        tab.extend(s.encode("utf-8", "surrogateescape") + b"\0")
        return off

    # section headers: null, progbits..., .symtab, .strtab, .shstrtab
    shdrs = [bytes(shsize)]
    sec_index = {}
    for i, (name, addr, size, code) in enumerate(sections, 1):
        flags = 0x2 | (0x4 if code else 0x1)        # ALLOC | EXECINSTR / WRITE
        nm = add_str(shstr, name)
        in_file = addr - (alias + base if name == ".text.alias" else base)
        shdrs.append(struct.pack(">IIQQQQIIQQ", nm, 1, flags, addr, data_off + in_file,
                                 size, 0, 0, 4 if code else 1, 0))
        sec_index[name] = i

    def sec_of(value):
        for i, (_n, addr, size, _c) in enumerate(sections, 1):
            if addr <= value < addr + size:
                return i
        return 0xFFF1  # SHN_ABS

    syms = bytearray(24)                    # null symbol
    for name, value in sorted(symbols.items(), key=lambda kv: (kv[1], kv[0])):
        name = name.split("\0", 1)[0]      # an alias keeps its symbol's name
        nm = add_str(strtab, name)
        shndx = sec_of(value)
        info = (1 << 4 | 0) if name == "_start" else 0   # _start GLOBAL NOTYPE, rest LOCAL
        syms += struct.pack(">IBBHQQ", nm, info, 0, shndx, value & 0xFFFFFFFFFFFFFFFF, 0)
    # ELF wants locals first: reorder (only _start is global)
    entries = [syms[i:i + 24] for i in range(24, len(syms), 24)]
    locals_ = [e for e in entries if e[4] >> 4 == 0]
    globals_ = [e for e in entries if e[4] >> 4 != 0]
    symtab = bytes(24) + b"".join(locals_ + globals_)
    first_global = 1 + len(locals_)

    off = data_off + len(image)
    off = (off + 7) & ~7
    symtab_off = off
    off += len(symtab)
    strtab_off = off
    off += len(strtab)
    nsec = len(shdrs)
    symtab_name = add_str(shstr, ".symtab")
    strtab_name = add_str(shstr, ".strtab")
    shstr_name = add_str(shstr, ".shstrtab")
    shstr_off = off
    off += len(shstr)
    off = (off + 7) & ~7
    shoff = off
    shdrs.append(struct.pack(">IIQQQQIIQQ", symtab_name, 2, 0, 0, symtab_off, len(symtab),
                             nsec + 1, first_global, 8, 24))
    shdrs.append(struct.pack(">IIQQQQIIQQ", strtab_name, 3, 0, 0, strtab_off, len(strtab),
                             0, 0, 1, 0))
    shdrs.append(struct.pack(">IIQQQQIIQQ", shstr_name, 3, 0, 0, shstr_off, len(shstr),
                             0, 0, 1, 0))
    ehdr = ELF_MAGIC + bytes([2, 2, 1, 0]) + bytes(8)
    nph = 1 if alias is None else 2
    ehdr += struct.pack(">HHIQQQIHHHHHH", 2, EM_PPC64, 1, entry, ehsize, shoff,
                        2 if True else 0, ehsize, phsize, nph, shsize, len(shdrs), len(shdrs) - 1)
    phdr = struct.pack(">IIQQQQQQ", 1, 7, data_off, base, base, len(image), len(image), 0x100)
    if alias is not None:
        phdr += struct.pack(">IIQQQQQQ", 1, 7, data_off, alias + base, base, len(image),
                            len(image), 0x100)
    assert ehsize + len(phdr) <= data_off
    out = bytearray(ehdr + phdr)
    out += bytes(data_off - len(out))
    out += image
    out += bytes(symtab_off - len(out))
    out += symtab
    out += strtab
    out += shstr
    out += bytes(shoff - len(out))
    out += b"".join(shdrs)
    return bytes(out)


EM_PPC64 = 21   # ELF e_machine of 64-bit PowerPC (System V ABI, PowerPC64 supplement)


def read_elf(data: bytes):
    """-> (flat image from the lowest PT_LOAD vaddr, base, entry, {symbol: value})."""
    if not is_elf(data) or len(data) < 64:
        raise UserError("not an ELF file")
    if data[4] != 2:
        raise UserError("not a 64-bit ELF file (ELF class %d; only ELFCLASS64 is supported)"
                        % data[4])
    if data[5] not in (1, 2):
        raise UserError(f"bad ELF byte order (EI_DATA {data[5]})")
    end = ">" if data[5] == 2 else "<"
    try:
        (_t, _m, _v, entry, phoff, shoff, _f, _eh, phentsize, phnum, shentsize, shnum,
         _shstrndx) = struct.unpack(end + "HHIQQQIHHHHHH", data[16:64])
        if _m != EM_PPC64:
            raise UserError(f"ELF machine {_m} is not PowerPC 64-bit (EM_PPC64 = {EM_PPC64})")
        if end == "<":
            raise UserError("a little-endian (ppc64le) ELF file: ppcvec boots big-endian "
                            "images (MSR[LE]=0)")
        segs = []
        for i in range(phnum):
            p = phoff + i * phentsize
            (ptype, _fl, off, vaddr, _pa, filesz, memsz, _al) = struct.unpack(
                end + "IIQQQQQQ", data[p:p + 56])
            if ptype == 1 and memsz:
                segs.append((vaddr, data[off:off + filesz], memsz))
        if not segs:
            raise UserError("ELF file has no PT_LOAD segment")
        base = min(s[0] for s in segs)
        top = max(s[0] + max(len(s[1]), 0) for s in segs)
        if top - base > 1 << 30:
            raise UserError("ELF PT_LOAD segments span more than 1 GiB")
        image = bytearray(top - base)
        for vaddr, blob, _m in segs:
            image[vaddr - base:vaddr - base + len(blob)] = blob
        symbols = {}
        shdrs = []
        for i in range(shnum):
            s = shoff + i * shentsize
            shdrs.append(struct.unpack(end + "IIQQQQIIQQ", data[s:s + 64]))
        for sh in shdrs:
            if sh[1] != 2:            # SHT_SYMTAB
                continue
            strsh = shdrs[sh[6]]
            strtab = data[strsh[4]:strsh[4] + strsh[5]]
            for j in range(1, sh[5] // 24):
                e = sh[4] + j * 24
                nm, info, _o, shndx, value, _sz = struct.unpack(end + "IBBHQQ", data[e:e + 24])
                if info & 0xF in (3, 4):          # SECTION / FILE
                    continue
                name = strtab[nm:strtab.index(b"\0", nm)].decode("utf-8", "replace")
                if name and shndx != 0:
                    symbols.setdefault(name, value)
    except (struct.error, ValueError, IndexError):
        raise UserError("truncated or corrupt ELF file")
    return bytes(image), base, entry, symbols


SHF_EXECINSTR = 0x4


def code_ranges(data: bytes, base: int) -> list[tuple[int, int]] | None:
    """(offset from `base`, length) of each SHF_EXECINSTR section of a big-endian
    ELF64 (the flat image read_elf returns starts at `base`); None when the file
    has no section headers (then every loaded word may be code)."""
    try:
        shoff, = struct.unpack_from(">Q", data, 40)
        shentsize, shnum = struct.unpack_from(">HH", data, 58)
        out = []
        for i in range(shnum):
            (_n, stype, flags, addr, _o, size, *_r) = struct.unpack_from(
                ">IIQQQQIIQQ", data, shoff + i * shentsize)
            if stype == 1 and flags & SHF_EXECINSTR and size:      # SHT_PROGBITS
                out.append((addr - base, size))
    except struct.error:
        return None
    return out if shnum else None
