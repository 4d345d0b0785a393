"""Toolchain: the GNU-as-compatible assembler (`asm`), the disassembler (`disasm`)
and the ELF reader/writer (`elf`).  Pure byte work: nothing here runs code."""
