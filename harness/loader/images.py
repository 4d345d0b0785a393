"""Images: raw binaries, ELF files and assembly sources, loaded into a Machine
the way QEMU's firmware loader does (`-bios image.bin`)."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from harness.errors import UserError
from harness.toolchain.asm import assemble, assemble_file
from harness.toolchain.elf import read_elf

ELF_MAGIC = b"\x7fELF"


@dataclass
class Image:
    name: str                 # what the user gave (path or label)
    kind: str                 # "raw", "elf", "source"
    data: bytes               # flat bytes
    base: int = 0             # load address of data[0]
    entry: int | None = None  # None: the machine's reset vector
    symbols: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)


def load_image(path: str, defsyms: dict | None = None, include_dirs=(),
               max_size: int | None = None) -> Image:
    """Read a raw image, an ELF (by magic) or a `.S`/`.s` source (assembled now).
    `max_size` (the RAM size): a file larger than that is refused from its
    size, before a byte is read (a 3 GiB sparse file costs nothing)."""
    if not os.path.exists(path):
        raise UserError(f"{path}: no such file")
    if os.path.isdir(path):
        raise UserError(f"{path}: is a directory")
    try:
        st = os.stat(path)
    except OSError as e:
        raise UserError(f"{path}: {e.strerror}") from None
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        raise UserError(f"{path}: is a device, not an image file")
    size = st.st_size
    if max_size is not None and size > max_size and not path.endswith((".S", ".s", ".asm")):
        raise UserError(f"{path}: the file is {size:#x} bytes, beyond RAM "
                        f"({max_size:#x} bytes; see --ram)")
    if path.endswith((".S", ".s", ".asm")):
        res = assemble_file(path, defsyms=defsyms or {}, include_dirs=list(include_dirs))
        if not res.image:
            raise UserError(f"{path}: empty image (the source assembles to no bytes)")
        return Image(path, "source", res.image, 0, None, dict(res.symbols), list(res.lines))
    try:
        with open(path, "rb") as f:     # a pipe has no size: read at most RAM + 1 bytes
            data = f.read() if max_size is None else f.read(max_size + 1)
    except OSError as e:
        raise UserError(f"{path}: {e.strerror}") from None
    if data[:4] == ELF_MAGIC:
        try:
            flat, base, entry, symbols = read_elf(data)
        except Exception as e:  # malformed ELF is bad input
            raise UserError(f"{path}: not a usable ELF image: {e}") from None
        return Image(path, "elf", flat, base, entry, symbols)
    if not data:
        raise UserError(f"{path}: empty image")
    if max_size is not None and len(data) > max_size:
        raise UserError(f"{path}: the image is larger than RAM ({max_size:#x} bytes; see --ram)")
    return Image(path, "raw", data)


def image_from_source(source: str, name: str = "<source>", defsyms: dict | None = None) -> Image:
    res = assemble(source, filename=name, defsyms=defsyms or {})
    return Image(name, "source", res.image, 0, None, dict(res.symbols), list(res.lines))


def image_from_bytes(data: bytes, name: str = "<bytes>") -> Image:
    return Image(name, "raw", bytes(data))
