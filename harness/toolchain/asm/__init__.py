"""GNU-as-compatible assembler for bare-metal ppc64 big-endian programs.

Reference behaviour: ``powerpc64-linux-gnu-as -a64 -mbig -mpower10 -mregnames``
followed by ``ld -N -Ttext=0`` and ``objcopy -O binary``.
"""
from harness.toolchain.asm.core import AsmError, AsmResult, assemble, assemble_file, parse_defsym

__all__ = ["AsmError", "AsmResult", "assemble", "assemble_file", "parse_defsym"]
