# The only compiled piece: emu/_counter.c, a Unicorn block hook in C that counts
# retired instructions and enforces the instruction budget at block granularity
# without a per-instruction callback (see docs/design.md, "Instruction budget").
from setuptools import Extension, setup

setup(ext_modules=[Extension("emu._counter", ["emu/_counter.c"], optional=True)])
