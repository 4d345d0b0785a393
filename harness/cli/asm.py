"""`ppcvec asm` and `ppcvec disas` sub-commands."""
from __future__ import annotations

import os
import struct

from harness.errors import UserError


def _int(text: str) -> int:
    from harness.toolchain.asm.expr import parse_int
    try:
        return parse_int(text)
    except ValueError:
        raise UserError(f"`{text}' is not a number")


def register(subparsers):
    p = subparsers.add_parser("asm", help="assemble a GNU-as ppc64 source to a flat image",
                              description="Assemble SRC.S (GNU as syntax, ppc64 big-endian) "
                                          "into a flat binary image based at address 0.")
    p.add_argument("source", metavar="SRC.S")
    p.add_argument("-o", "--output", metavar="OUT.bin", required=True)
    p.add_argument("--elf", metavar="OUT.elf", help="also write an ELF64 image")
    p.add_argument("--defsym", metavar="NAME=VALUE", action="append", default=[])
    p.add_argument("-I", dest="include", metavar="DIR", action="append", default=[])
    p.add_argument("-m", dest="cpu", metavar="CPU",
                   help="GNU as CPU (-mpower9, -mppc, -many ...; default power10)")
    p.set_defaults(func=cmd_asm)

    d = subparsers.add_parser("disas", help="disassemble an image (.bin, ELF or .S)",
                              description="Disassemble IMAGE (raw .bin, ELF, or a .S source "
                                          "assembled on the fly).")
    d.add_argument("image", metavar="IMAGE")
    d.add_argument("addr", metavar="ADDR", nargs="?", help="start address (default 0 / ELF entry)")
    d.add_argument("count", metavar="COUNT", nargs="?", help="instructions (default 16)")
    d.add_argument("--defsym", metavar="NAME=VALUE", action="append", default=[])
    d.add_argument("-I", dest="include", metavar="DIR", action="append", default=[])
    d.set_defaults(func=cmd_disas)


def _defsyms(items):
    from harness.toolchain.asm import parse_defsym
    return dict(parse_defsym(t) for t in items)


def _write(path, data):
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise UserError(f"{path}: cannot write: {e.strerror}")


def cmd_asm(args) -> int:
    from harness.toolchain.asm import assemble_file
    res = assemble_file(args.source, defsyms=_defsyms(args.defsym), include_dirs=args.include,
                        cpu=args.cpu)
    _write(args.output, res.image)
    if args.elf:
        _write(args.elf, res.to_elf())
    return 0


def load_image(path, defsyms=None, include_dirs=()):
    """-> (image bytes, base address, entry, symbols)."""
    if path.endswith((".S", ".s", ".asm")):
        from harness.toolchain.asm import assemble_file
        res = assemble_file(path, defsyms=defsyms, include_dirs=include_dirs)
        return res.image, 0, res.entry, res.symbols
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}")
    from harness.toolchain.elf import is_elf, read_elf
    if is_elf(data):
        return read_elf(data)
    return data, 0, 0, {}


def cmd_disas(args) -> int:
    from harness.toolchain.disasm import disasm_word
    image, base, entry, symbols = load_image(args.image, _defsyms(args.defsym), args.include)
    addr = _int(args.addr) if args.addr is not None else (entry if entry else base)
    count = _int(args.count) if args.count is not None else 16
    if count < 0:
        raise UserError(f"COUNT must not be negative: {count}")
    if not base <= addr < base + len(image) and count:
        raise UserError(f"address {addr:#x} is outside the image "
                        f"({base:#x}..{base + len(image):#x})")
    by_addr = {}
    for name, val in sorted(symbols.items()):
        if not name.startswith(".L"):
            by_addr.setdefault(val, []).append(name)
    lines = []
    a = addr
    for _ in range(count):
        off = a - base
        if off + 4 > len(image):
            if off < len(image):
                tail = image[off:]
                lines.append(f"{a:8x}:  {tail.hex():<8}  .byte "
                             + ", ".join(f"0x{b:02x}" for b in tail))
            break
        for name in by_addr.get(a, ()):
            lines.append(f"{a:08x} <{name}>:")
        (w,) = struct.unpack_from(">I", image, off)
        nxt = struct.unpack_from(">I", image, off + 4)[0] if off + 8 <= len(image) else None
        insn = disasm_word(w, a, nxt)          # a prefixed pair is one 8-byte instruction
        lines.append(f"{a:8x}:  {insn.word:0{2 * insn.size}x}  {insn}")
        a += insn.size
    print("\n".join(lines))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(os.EX_USAGE)
