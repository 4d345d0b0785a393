"""Physical memory: one anonymous mapping shared by every hardware thread.

The mapping is created with mmap(MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE),
so pages are only allocated when touched and no swap is reserved: any RAM
size up to the address space works (the default 2 GiB, or `--ram 32G` on a
machine with less memory, cost nothing until used).  Python's mmap module has
no MAP_NORESERVE, so libc's mmap is called through ctypes.  Python reads and
writes go straight to the buffer; Unicorn maps the same buffer
(emu.unicorn_backend).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import mmap
import os
import struct
import weakref

_U32BE, _U32LE, _U64BE = struct.Struct(">I"), struct.Struct("<I"), struct.Struct(">Q")

PAGE = 0x1000
MAP_NORESERVE = getattr(mmap, "MAP_NORESERVE", 0x4000)     # Linux value
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long)
_libc.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
MAP_FAILED = ctypes.c_void_p(-1).value


class RamUnavailable(ValueError):
    """The host refused the RAM mapping (address space, ulimit -v)."""


def _map_lazy(size: int) -> int:
    """An anonymous, private, lazily allocated mapping of `size` bytes."""
    addr = _libc.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE,
                      mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
    if addr is None or addr == MAP_FAILED:
        err = ctypes.get_errno()
        raise RamUnavailable(f"the host refused to map {size:#x} bytes of RAM: "
                             f"{os.strerror(err) if err else 'mmap failed'}"
                             f"{' (address space or ulimit -v)' if err == errno.ENOMEM else ''}")
    return addr


class MemoryError_(Exception):
    """An access outside RAM by Python-side code (loader, hypervisor, dumps)."""


class Ram:
    def __init__(self, size: int):
        if size <= 0 or size % PAGE:
            raise ValueError(f"RAM size must be a positive multiple of {PAGE:#x}")
        self.size = size
        self.address = _map_lazy(size)
        self._finalizer = weakref.finalize(self, _libc.munmap, self.address, size)
        self.view = memoryview((ctypes.c_ubyte * size).from_address(self.address)).cast("B")
        self.mm = self.view          # struct.unpack_from works on the view
        # code-write listeners (each CPU's JIT must drop stale translations)
        self.code_write_listeners = []

    def contains(self, pa: int, length: int = 1) -> bool:
        return 0 <= pa and pa + length <= self.size

    def _check(self, what: str, pa: int, length: int) -> None:
        if not self.contains(pa, length):
            raise MemoryError_(f"{what} of {length} bytes at {pa:#x} is outside RAM "
                               f"(size {self.size:#x})")

    def read(self, pa: int, length: int) -> bytes:
        self._check("read", pa, length)
        return bytes(self.view[pa:pa + length])

    def write(self, pa: int, data: bytes, code: bool = True) -> None:
        self._check("write", pa, len(data))
        self.view[pa:pa + len(data)] = data
        if code:
            for fn in self.code_write_listeners:
                fn(pa, len(data))

    def read_u32(self, pa: int, little: bool = False) -> int:
        return (_U32LE if little else _U32BE).unpack_from(self.view, pa)[0]

    def read_u64(self, pa: int) -> int:
        """A big-endian doubleword (page-table entries: read per radix level)."""
        return _U64BE.unpack_from(self.view, pa)[0]

    def write_u64(self, pa: int, value: int) -> None:
        self._check("write", pa, 8)
        _U64BE.pack_into(self.view, pa, value)
