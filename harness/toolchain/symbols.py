"""Addresses to symbol names, as the machine runs them.

Images are linked at their real addresses, and Linux-style kernels run the
same code both in real mode (at the real address) and relocated, through the
kernel's linear map at 0xc000000000000000 + real address (AIL=3 vectors,
kernel text with IR/DR=1).  So an address is looked up as it is, then as its
quadrant alias (0xc000... <-> 0x0000...): `0xc0000000000081e0` finds
`kvmppc_core_vcpu_load_pr` linked at 0x81e0, and an ELF linked at 0xc000...
names the real-mode addresses too.

A name is only given near its symbol: within `NEAREST_LIMIT` bytes (the
assembler records no symbol sizes) and before the next symbol, so
0x17000 is raw, not `start_user_process_rfid+0xe15c`.
"""
from __future__ import annotations

import bisect

KERNEL_BASE = 0xC000000000000000
NEAREST_LIMIT = 0x1000


def quadrant_alias(addr: int) -> int | None:
    """The other address of the same real byte under the kernel linear map
    (quadrant 3 <-> quadrant 0), or None for other quadrants."""
    top = addr >> 60
    if top == 0xC:
        return addr & 0x0FFFFFFFFFFFFFFF
    if top == 0:
        return addr | KERNEL_BASE
    return None


class SymbolTable:
    def __init__(self, symbols: dict, limit: int = NEAREST_LIMIT):
        byaddr = {}
        for name in sorted(symbols):
            if name.startswith(".L"):
                continue
            byaddr.setdefault(symbols[name] & 0xFFFFFFFFFFFFFFFF, name)
        self.addrs = sorted(byaddr)
        self.names = [byaddr[a] for a in self.addrs]
        self.limit = limit

    def _near(self, addr: int, limit: int) -> str:
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i < 0:
            return ""
        off = addr - self.addrs[i]
        if off == 0:
            return self.names[i]
        if off < limit:
            return f"{self.names[i]}+{off:#x}"
        return ""

    def lookup(self, addr: int, limit: int | None = None) -> str:
        """`name`, `name+0xoff`, or '' (the address as the machine runs it, then
        its quadrant alias)."""
        limit = self.limit if limit is None else limit
        found = self._near(addr, limit)
        if not found:
            alt = quadrant_alias(addr)
            if alt is not None:
                found = self._near(alt, limit)
        return found


_TABLES: dict = {}


def table_for(symbols: dict) -> SymbolTable:
    """A cached SymbolTable for a symbols dict (keyed by identity and size)."""
    key = (id(symbols), len(symbols))
    hit = _TABLES.get(key)
    if hit is not None and hit[0] is symbols:
        return hit[1]
    if len(_TABLES) > 16:
        _TABLES.clear()
    t = SymbolTable(symbols)
    _TABLES[key] = (symbols, t)
    return t
