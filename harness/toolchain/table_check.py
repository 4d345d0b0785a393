"""Every mnemonic x operand form of the opcode table, through GNU as and ppcvec.

    python -m harness.toolchain.table_check [--cpu power10] [--show N]

For every mnemonic the table gives the CPU (harness/toolchain/ppc_opcodes.py),
two statements are generated: every operand written out, and the optional
operands omitted.  Operand values are chosen per operand kind (distinct
registers, VSRs above 31, a CR bit `4*cr2+gt`, a branch target `.+8`, a small
immediate respecting the field's alignment).  Each statement is assembled by
GNU as (-a64 -mbig -mpower10 -mregnames -mCPU, ld -N -Ttext=0, objcopy) and by
ppcvec, one 8-byte slot per statement (`.p2align 3`): the statements GNU
accepts must give identical bytes, the ones it rejects must be rejected.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

from harness.toolchain.asm.encode import (F_ABSOLUTE, F_NEGATIVE, F_OPTIONAL, F_PARENS,
                                          F_RELATIVE, F_SIGNED, cpu_flags, table)
from harness.toolchain.ppc_opcodes import OPERANDS

GNU = "powerpc64-linux-gnu-"
F_GPR, F_GPR_0, F_FPR, F_VR, F_VSR, F_ACC = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20
F_CR_BIT, F_CR_REG, F_SPR = 0x80, 0x100, 0x200
_BY_NAME = {"BO": "12", "BOM": "12", "BOP": "12", "SPR": "1", "TBR": "268", "SPRG": "2",
            "FXM": "16", "FXM4": "16", "DM": "1", "PMRN": "1", "SPRBAT": "1"}


def operand_text(op, k):
    name, bitm, _shift, _ins, _ext, f = op
    if name in _BY_NAME:
        return _BY_NAME[name]
    if f & (F_GPR | F_GPR_0 | F_FPR | F_VR):
        return str((10, 4, 5, 6, 7, 8)[k % 6])
    if f & F_VSR:
        return str((40, 34, 35, 36, 37, 38)[k % 6])
    if f & F_ACC:
        return "1"
    if f & F_CR_BIT and not f & F_CR_REG:
        return "4*cr2+gt"
    if f & F_CR_REG:
        return "cr3"
    if f & F_RELATIVE:
        return ".+8"
    if f & F_ABSOLUTE:
        return "0x100"
    right = bitm & -bitm if bitm else 1
    if f & F_NEGATIVE:
        return str(right)
    if f & F_SIGNED:
        return str(-2 * right if bitm > 0xf else right)
    return str(right if bitm >= right else 0)


def statements(mn, ops):
    """(all operands, required operands only) for one table entry."""
    out = []
    for with_optional in (True, False):
        k = 0
        paren = False
        text = ""
        for idx in ops:
            op = OPERANDS[idx]
            if op[5] & F_OPTIONAL and not with_optional:
                continue
            v = operand_text(op, k)
            k += 1
            if paren:
                text += f"({v})"
                paren = False
            else:
                text += ("," if text else "") + v
            if op[5] & F_PARENS:
                paren = True
        if paren:
            text += "(0)"
        line = f"{mn} {text}".strip()
        if line not in out:
            out.append(line)
    return out


def gnu(lines, cpu, work):
    src = os.path.join(work, "t.s")
    with open(src, "w") as f:
        f.write("".join(f" {ln}\n .p2align 3\n" for ln in lines))
    r = subprocess.run([GNU + "as", "-a64", "-mbig", "-mpower10", "-mregnames", f"-m{cpu}",
                        "-o", os.path.join(work, "t.o"), src], capture_output=True, text=True)
    # statement k is on line 2k+1
    bad = {(int(m.group(1)) - 1) // 2 for m in re.finditer(r"t\.s:(\d+): Error", r.stderr)}
    if r.returncode != 0:
        return None, bad
    subprocess.run([GNU + "ld", "-N", "-Ttext=0", "-e", "0", "-o", os.path.join(work, "t.elf"),
                    os.path.join(work, "t.o")], check=True, capture_output=True)
    subprocess.run([GNU + "objcopy", "-O", "binary", os.path.join(work, "t.elf"),
                    os.path.join(work, "t.bin")], check=True, capture_output=True)
    with open(os.path.join(work, "t.bin"), "rb") as f:
        return f.read(), set()


def run(cpu="power10", show=20, out=sys.stdout) -> dict:
    from harness.errors import UserError
    from harness.toolchain.asm import assemble
    flags = cpu_flags(cpu)
    lines = []
    for mn, e in sorted(table(flags).items()):
        lines += statements(mn, e[5])
    with tempfile.TemporaryDirectory() as work:
        rejected = set()
        # GNU reports errors by line; drop those statements and try again
        for _ in range(20):
            keep = [ln for i, ln in enumerate(lines) if i not in rejected]
            img, bad = gnu(keep, cpu, work)
            if img is not None:
                break
            kept_idx = [i for i in range(len(lines)) if i not in rejected]
            rejected |= {kept_idx[b] for b in bad if b < len(kept_idx)}
        else:
            raise SystemExit("table_check: GNU as keeps failing")
    accepted = [ln for i, ln in enumerate(lines) if i not in rejected]
    src = "".join(f" {ln}\n .p2align 3\n" for ln in accepted)
    mine = assemble(src, filename="table.s", cpu=cpu).image
    differ = []
    for k, ln in enumerate(accepted):
        if img[8 * k:8 * k + 8] != mine[8 * k:8 * k + 8]:
            differ.append((ln, img[8 * k:8 * k + 8].hex(), mine[8 * k:8 * k + 8].hex()))
    wrongly_accepted = []
    for i in sorted(rejected):
        try:
            assemble(f" {lines[i]}\n", filename="t.s", cpu=cpu)
            wrongly_accepted.append(lines[i])
        except UserError:
            pass
    for ln, g, m in differ[:show]:
        print(f"  DIFFERENT {ln:<40} GNU {g} ppcvec {m}", file=out)
    for ln in wrongly_accepted[:show]:
        print(f"  GNU REJECTS {ln}", file=out)
    print(f"{len(lines)} statements ({len(table(flags))} mnemonics, -m{cpu}): "
          f"{len(accepted) - len(differ)} identical, {len(differ)} different, "
          f"{len(rejected)} rejected by GNU as ({len(wrongly_accepted)} of them accepted by "
          f"ppcvec)", file=out)
    return {"statements": len(lines), "identical": len(accepted) - len(differ),
            "different": differ, "gnu_rejected": len(rejected),
            "wrongly_accepted": wrongly_accepted, "image": img}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m harness.toolchain.table_check")
    ap.add_argument("--cpu", default="power10")
    ap.add_argument("--show", type=int, default=20)
    a = ap.parse_args(argv)
    r = run(a.cpu, a.show)
    return 1 if r["different"] or r["wrongly_accepted"] else 0


if __name__ == "__main__":
    sys.exit(main())
