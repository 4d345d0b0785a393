"""Physical memory: one anonymous mapping shared by every hardware thread.

The mapping is created with mmap, so pages are only allocated when touched
(the default 2 GiB costs nothing until used).  Python reads and writes go
straight to the buffer; Unicorn maps the same buffer (emu.unicorn_backend).
"""
from __future__ import annotations

import ctypes
import mmap

PAGE = 0x1000


class MemoryError_(Exception):
    """An access outside RAM by Python-side code (loader, hypervisor, dumps)."""


class Ram:
    def __init__(self, size: int):
        if size <= 0 or size % PAGE:
            raise ValueError(f"RAM size must be a positive multiple of {PAGE:#x}")
        self.size = size
        self.mm = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self.view = memoryview(self.mm)
        self.address = ctypes.addressof(ctypes.c_char.from_buffer(self.mm))
        # code-write listeners (each CPU's JIT must drop stale translations)
        self.code_write_listeners = []

    def contains(self, pa: int, length: int = 1) -> bool:
        return 0 <= pa and pa + length <= self.size

    def read(self, pa: int, length: int) -> bytes:
        if not self.contains(pa, length):
            raise MemoryError_(f"read of {length} bytes at {pa:#x} is outside RAM (size {self.size:#x})")
        return bytes(self.view[pa:pa + length])

    def write(self, pa: int, data: bytes, code: bool = True) -> None:
        if not self.contains(pa, len(data)):
            raise MemoryError_(f"write of {len(data)} bytes at {pa:#x} is outside RAM (size {self.size:#x})")
        self.view[pa:pa + len(data)] = data
        if code:
            for fn in self.code_write_listeners:
                fn(pa, len(data))

    def read_u32(self, pa: int, little: bool = False) -> int:
        return int.from_bytes(self.view[pa:pa + 4], "little" if little else "big")

    def read_u64(self, pa: int) -> int:
        return int.from_bytes(self.view[pa:pa + 8], "big")

    def write_u64(self, pa: int, value: int) -> None:
        self.write(pa, value.to_bytes(8, "big"), code=False)
