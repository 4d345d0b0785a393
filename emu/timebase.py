"""Spin-wait priority hints in loaded kernels.

Unicorn 2.1.4 leaves the JIT on every `or rN,rN,rN` priority hint (QEMU 5.0
gen_or -> gen_pause), so a `cpu_relax()` loop returns to Python once per
iteration (measured: 0.18 M instructions/s against ~700 M/s for the same loop
with nops; `make bench`, spin_speed).  A kernel loaded with `-kernel`
(ppcvec-qemu-system-ppc64, `ppcvec run --kernel`) therefore has, in its
*code* only (the ELF sections with SHF_EXECINSTR; a raw image is all code),
every priority hint `or rN,rN,rN` (N != 0, Rc=0; ISA v3.1 Book II 3.2 "Program
Priority Registers": or 1,1,1 low, or 2,2,2 medium, or 31,31,31 very low, ...)
replaced by `ori 0,0,0`: the same architectural effect on every register but
PPR, which a kernel in a partition does not depend on.

Timebase reads are not rewritten: every problem-state SPR access, `mftb`
included, traps to emu (emu.registers / unicorn_backend.trap_all_sprs), which
answers with the machine's deterministic timebase.
"""
from __future__ import annotations

import struct

from .opcodes import OP_31, OP_31_XOP_OR

NOP = 0x60000000


def is_priority_hint(word: int) -> bool:
    """or rN,rN,rN with N != 0 and Rc=0 (X-form, XO 444)."""
    if word >> 26 != OP_31 or (word >> 1) & 0x3FF != OP_31_XOP_OR or word & 1:
        return False
    rs, ra, rb = (word >> 21) & 31, (word >> 16) & 31, (word >> 11) & 31
    return rs == ra == rb != 0


def prepare_kernel(data: bytes, code=None) -> tuple[bytes, int]:
    """-> (data with the priority hints in `code` as nops, hints replaced).
    `code`: (offset, length) ranges of `data` that hold instructions (None: all
    of it); words outside them are never changed."""
    out = bytearray(data)
    hints = 0
    for off, length in ([(0, len(data))] if code is None else code):
        off = (off + 3) & ~3
        end = min(off + length, len(data)) & ~3
        for p in range(off, end, 4):
            if out[p] >> 2 == OP_31 and is_priority_hint(struct.unpack_from(">I", out, p)[0]):
                struct.pack_into(">I", out, p, NOP)
                hints += 1
    return bytes(out), hints
