"""Reading the timebase from problem state, and spin-wait hints, in loaded kernels.

Unicorn 2.1.4 executes `mftb`/`mfspr rD,268|269` natively in problem state and
reads 0 for ever (no timebase: ../shared/reference/unicorn-ppc64.md, pitfall 5),
and it leaves the JIT on every `or rN,rN,rN` priority hint (QEMU 5.0 gen_or ->
gen_pause), so `cpu_relax()` loops return to Python once per iteration.

A kernel loaded with `-kernel` (ppcvec-qemu-system-ppc64, `ppcvec run --kernel`)
is therefore prepared at load time, word by word:

  * every timebase read (`mftb rD` / `mftbu rD` XO 371 and `mfspr rD,268|269`
    XO 339) becomes the same word with primary opcode 0, a reserved opcode (attn,
    0x00000200, is not of this form): it traps and `Cpu` answers it with the exact
    machine timebase (`tb_read_trap`);
  * every priority hint `or rN,rN,rN` (N != 0, Rc=0; ISA v3.1 Book II 3.2
    "Program Priority Registers": or 1,1,1 low, or 2,2,2 medium, or 31,31,31
    very low, ...) becomes `ori 0,0,0`: the same architectural effect on every
    register but PPR, which a kernel in a partition does not depend on.

A data word that happens to equal one of these encodings would be changed too;
docs/kvm-unit-tests.md says so.
"""
from __future__ import annotations

import struct

from .opcodes import OP_31, OP_31_XOP_OR

NOP = 0x60000000
PRIMARY_31 = OP_31 << 26
# (word & TB_MASK) == one of these: the four timebase reads, any rD
_TB_MASK = 0xFC1FFFFF
_TB_READS = {
    0x7C0C42E6: "tbl",   # mftb rD       (mftb rD, 268)
    0x7C0D42E6: "tbu",   # mftbu rD      (mftb rD, 269)
    0x7C0C42A6: "tbl",   # mfspr rD, 268
    0x7C0D42A6: "tbu",   # mfspr rD, 269
}


def is_priority_hint(word: int) -> bool:
    """or rN,rN,rN with N != 0 and Rc=0 (X-form, XO 444)."""
    if word >> 26 != OP_31 or (word >> 1) & 0x3FF != OP_31_XOP_OR or word & 1:
        return False
    rs, ra, rb = (word >> 21) & 31, (word >> 16) & 31, (word >> 11) & 31
    return rs == ra == rb != 0


def tb_read_trap(word: int) -> tuple[int, str] | None:
    """(rD, "tbl"|"tbu") if `word` is a timebase read rewritten by `prepare_kernel`."""
    if word >> 26:
        return None
    kind = _TB_READS.get((word | PRIMARY_31) & _TB_MASK)
    if kind is None:
        return None
    return (word >> 21) & 31, kind


def prepare_kernel(data: bytes) -> tuple[bytes, int, int]:
    """-> (data with timebase reads trapping and hints as nops, reads, hints)."""
    n = len(data) & ~3
    words = list(struct.unpack(f">{n // 4}I", data[:n]))
    reads = hints = 0
    for i, w in enumerate(words):
        if w >> 26 != OP_31:
            continue
        if (w & _TB_MASK) in _TB_READS:
            words[i] = w & ~PRIMARY_31
            reads += 1
        elif is_priority_hint(w):
            words[i] = NOP
            hints += 1
    return struct.pack(f">{n // 4}I", *words) + data[n:], reads, hints
