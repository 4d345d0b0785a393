#!/usr/bin/env python3
"""Generate harness/toolchain/ppc_opcodes.py from binutils 2.40's opcode table.

The facts -- every mnemonic's opcode, mask, CPU flags, deprecation flags and
operand list, every operand's field mask, shift and flags, and the CPU names
of `-mCPU` / `.machine` -- are read out of opcodes/ppc-opc.c, opcodes/ppc-dis.c
and include/opcode/ppc.h from the binutils-source tarball
(/usr/src/binutils/binutils-2.40.tar.xz).  The table is compiled with the host
C compiler and a small dumper prints it; nothing of binutils' code (its
insert/extract functions) goes into the generated file: operands that need a
special insert/extract rule carry only the *name* of the C function, and
harness/toolchain/ppcops.py implements each such rule from the Power ISA.

Usage: python3 tools/gen_ppc_opcodes.py [TARBALL] > harness/toolchain/ppc_opcodes.py
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import tempfile

TARBALL = "/usr/src/binutils/binutils-2.40.tar.xz"
MEMBERS = ("opcodes/ppc-opc.c", "opcodes/ppc-dis.c", "include/opcode/ppc.h")
TABLES = ("powerpc_opcodes", "prefix_opcodes")

STUBS = {
    "sysdep.h": "#include <stdint.h>\n#include <string.h>\n#include <stdlib.h>\n"
                "#define ATTRIBUTE_UNUSED __attribute__((unused))\n",
    "opintl.h": "#define _(s) (s)\n#define N_(s) (s)\n",
    "libiberty.h": "#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))\n",
}


def extract(tarball, dest):
    with tarfile.open(tarball) as tf:
        for m in tf.getmembers():
            for want in MEMBERS:
                if m.name.endswith("/" + want):
                    data = tf.extractfile(m).read().decode()
                    path = os.path.join(dest, os.path.basename(want))
                    with open(path, "w") as f:
                        f.write(data)
    os.makedirs(os.path.join(dest, "opcode"), exist_ok=True)
    os.replace(os.path.join(dest, "ppc.h"), os.path.join(dest, "opcode", "ppc.h"))
    for name, text in STUBS.items():
        with open(os.path.join(dest, name), "w") as f:
            f.write(text)


def operand_names(src):
    start = src.index("const struct powerpc_operand powerpc_operands[] =")
    end = src.index("const unsigned int num_powerpc_operands")
    names = []
    for m in re.finditer(r"^#define\s+([A-Za-z_]\w*)\s+(\S.*)$", src[start:end], re.M):
        if not m.group(1).endswith("_MASK") and "(" not in m.group(1):
            names.append(m.group(1))
    return names


def cpu_options(dis):
    start = dis.index("struct ppc_mopt ppc_opts[] = {")
    end = dis.index("};", start)
    return dis[start + len("struct ppc_mopt ppc_opts[] = {"):end]


def dumper(names, opts):
    lines = ['#include <stdio.h>', '#include "ppc-opc.c"',
             'struct ppc_mopt { const char *opt; ppc_cpu_t cpu; ppc_cpu_t sticky; };',
             'static struct ppc_mopt opts[] = {' + opts + '};',
             'static void table(const char *t, const struct powerpc_opcode *o, unsigned n) {',
             '  for (unsigned i = 0; i < n; i++, o++) {',
             '    printf("O %s %s %#llx %#llx %#llx %#llx", t, o->name,',
             '      (unsigned long long) o->opcode, (unsigned long long) o->mask,',
             '      (unsigned long long) o->flags, (unsigned long long) o->deprecated);',
             '    for (int k = 0; k < 8 && o->operands[k]; k++) printf(" %u", o->operands[k]);',
             '    printf("\\n"); } }',
             'int main(void) {',
             '  for (unsigned i = 0; i < num_powerpc_operands; i++) {',
             '    const struct powerpc_operand *p = &powerpc_operands[i];',
             '    printf("P %u %#llx %d %p %p %#llx\\n", i, (unsigned long long) p->bitm, p->shift,',
             '      (void *) p->insert, (void *) p->extract, (unsigned long long) p->flags); }']
    for n in names:
        lines.append(f'  printf("N {n} %d\\n", (int) ({n}));')
    lines.append('  for (unsigned i = 0; i < sizeof opts / sizeof opts[0]; i++)')
    lines.append('    printf("C %s %#llx %#llx\\n", opts[i].opt, (unsigned long long) opts[i].cpu,'
                 ' (unsigned long long) opts[i].sticky);')
    lines.append('  table("powerpc_opcodes", powerpc_opcodes, powerpc_num_opcodes);')
    lines.append('  table("prefix_opcodes", prefix_opcodes, prefix_num_opcodes);')
    lines.append('  return 0; }')
    return "\n".join(lines) + "\n"


def main(argv):
    tarball = argv[1] if len(argv) > 1 else TARBALL
    with tempfile.TemporaryDirectory() as d:
        extract(tarball, d)
        src = open(os.path.join(d, "ppc-opc.c")).read()
        dis = open(os.path.join(d, "ppc-dis.c")).read()
        names = operand_names(src)
        with open(os.path.join(d, "dump.c"), "w") as f:
            f.write(dumper(names, cpu_options(dis)))
        exe = os.path.join(d, "dump")
        subprocess.run(["gcc", "-O0", "-w", "-no-pie", "-I", d, "-o", exe,
                        os.path.join(d, "dump.c")], check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
        syms = {}
        for line in subprocess.run(["nm", exe], check=True, capture_output=True,
                                   text=True).stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tT":
                syms[int(parts[0], 16)] = parts[2]
    operands, opnames, cpus, opcodes = [], {}, [], {t: [] for t in TABLES}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "P":
            ins = int(f[4], 16) if f[4] != "(nil)" else 0
            ext = int(f[5], 16) if f[5] != "(nil)" else 0
            operands.append((int(f[2], 16), int(f[3]), syms.get(ins) if ins else None,
                             syms.get(ext) if ext else None, int(f[6], 16)))
        elif f[0] == "N":
            opnames.setdefault(int(f[2]), f[1])
        elif f[0] == "C":
            cpus.append((f[1], int(f[2], 16), int(f[3], 16)))
        elif f[0] == "O":
            opcodes[f[1]].append((f[2], int(f[3], 16), int(f[4], 16), int(f[5], 16),
                                  int(f[6], 16), tuple(int(x) for x in f[7:])))
    w = sys.stdout.write
    w('"""PowerPC opcode and operand tables: facts from binutils 2.40 (opcodes/ppc-opc.c).\n\n'
      'GENERATED by tools/gen_ppc_opcodes.py -- do not edit.  The assembler\n'
      '(harness/toolchain/asm) and the disassembler (harness/toolchain/disasm.py) both\n'
      'read these tables; the operand rules named in OPERANDS are implemented in\n'
      'harness/toolchain/ppcops.py.\n"""\n\n')
    w("# CPU name -> (flags, sticky flags), as `-mCPU` and `.machine CPU` take them\n")
    w("CPUS = {\n")
    for name, cpu, sticky in cpus:
        w(f"    {name!r}: ({cpu:#x}, {sticky:#x}),\n")
    w("}\n\n")
    w("# index -> (name, bitm, shift, insert rule, extract rule, flags)\n")
    w("OPERANDS = (\n")
    for i, (bitm, shift, ins, ext, flags) in enumerate(operands):
        w(f"    ({opnames.get(i, f'OP{i}')!r}, {bitm:#x}, {shift}, {ins!r}, {ext!r}, {flags:#x}),\n")
    w(")\n")
    for t in TABLES:
        w("\n# (name, opcode, mask, cpu flags, deprecated, operand indices), in table order\n")
        w(f"{t.upper()} = (\n")
        for name, opc, mask, fl, dep, ops in opcodes[t]:
            w(f"    ({name!r}, {opc:#x}, {mask:#x}, {fl:#x}, {dep:#x}, {ops!r}),\n")
        w(")\n")


if __name__ == "__main__":
    main(sys.argv)
