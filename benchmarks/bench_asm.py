"""Issue 15: assembling 1 million lines (target: under 5 s), and the disassembler.

  * `.rept 1000000` of `nop`
  * a 1,000,000-line file of eight different instructions (one `.`-relative)
  * disassembling 20,000 random words
  * the bad-input cases of the issue: each must end in one error line, exit 2, < 5 s
"""
from __future__ import annotations

import random
import time

from harness.errors import UserError
from harness.toolchain.asm import assemble
from harness.toolchain.disasm import disassemble

LINES = ["nop", "addi 3,3,1", "lwz 4,8(1)", "std 5,16(1)", "mtspr 153,4", "b .+8",
         "cmpdi 3,0", "rldicl 3,4,8,56"]


def _time(fn):
    """CPU seconds (the machine is shared; wall time varies with the load)."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def main():
    rept = ".rept 1000000\nnop\n.endr\n"
    print(f"  .rept 1000000 nop          {_time(lambda: assemble(rept)):6.2f} s")
    text = "\n".join(LINES[i % 8] for i in range(1_000_000)) + "\n"
    print(f"  1,000,000 mixed lines      {_time(lambda: assemble(text)):6.2f} s")
    rng = random.Random(1)
    words = b"".join(rng.getrandbits(32).to_bytes(4, "big") for _ in range(20000))
    print(f"  disassemble 20,000 words   {_time(lambda: disassemble(words)):6.2f} s")
    for src in (".space 0x400000000000", ".space 4294967296", ".fill 0x100000000, 8, 0",
                ".org 1<<40", ".rept 100000000\nnop\n.endr",
                ".rept 100000\n.rept 100000\nnop\n.endr\n.endr"):
        def bad():
            try:
                assemble(src + "\n")
            except UserError:
                return
            raise AssertionError(f"{src!r} was accepted")
        print(f"  refuse {src.replace(chr(10), '; ')[:40]:<40} {_time(bad):6.2f} s")


if __name__ == "__main__":
    main()
