#!/usr/bin/env python3
"""Measure keystone-engine 0.9.2 against GNU as on binutils' own ppc test lines.

    .venv/bin/python tools/measure_keystone.py   (needs `pip install keystone-engine==0.9.2`)

Every distinct instruction statement of the in-scope gas/testsuite/gas/ppc files
(harness/toolchain/gas_suite.py) is assembled alone by GNU as (-a64 -mbig
-mpower10 -mregnames, ld -N -Ttext=0, objcopy) and by keystone, with the
operands reduced to numbers the way ppcvec's old keystone fallback passed them.
Prints: identical / different / keystone refuses.  README ("keystone") quotes it.
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.toolchain import gas_suite  # noqa: E402
from harness.toolchain.asm.encode import split_operands  # noqa: E402
from harness.toolchain.asm.expr import Evaluator, ExprError  # noqa: E402


def statements(src):
    for line in open(src, errors="replace"):
        line = line.split("#")[0].strip()
        line = re.sub(r"^[\w.]+:\s*", "", line)
        if line and not line.startswith(".") and "\\" not in line and "@" not in line:
            yield line


def gnu_words(lines, work):
    src = os.path.join(work, "k.s")
    with open(src, "w") as f:
        f.write("".join(f"{ln}\n.p2align 3\n" for ln in lines))
    # one per 8 bytes so each statement's word is found even if some are 8 bytes
    img, err = gas_suite.gnu_build(src, [], work)
    return img, err


def main():
    from keystone import KS_ARCH_PPC, KS_MODE_BIG_ENDIAN, KS_MODE_PPC64, Ks
    ks = Ks(KS_ARCH_PPC, KS_MODE_PPC64 | KS_MODE_BIG_ENDIAN)
    with tempfile.TemporaryDirectory() as tmp:
        suite = gas_suite.extract(gas_suite.TARBALL, os.path.join(tmp, "ppc"))
        lines = []
        for _name, src, _hdr in gas_suite.select(suite):
            lines += statements(src)
        lines = sorted(set(lines))
        same = diff = refused = 0
        examples = []
        for ln in lines:
            img, err = gnu_words([ln], tmp)
            if img is None or len(img) < 4:
                continue
            want = img[:8] if img[:4] and img[0] >> 2 == 1 else img[:4]
            mn, _, args = ln.partition(" ")
            def num(o):
                ev = Evaluator(lambda n: (_ for _ in ()).throw(ExprError(n)), dot=(0, None))
                return str(ev.evaluate(o)[0])
            try:
                ops = []
                for o in split_operands(args):
                    m = re.fullmatch(r"(.*)\((.*)\)", o.strip())
                    ops.append(f"{num(m.group(1) or '0')}({num(m.group(2))})" if m else num(o))
                got, _ = ks.asm(f"{mn} {', '.join(ops)}".strip(), 0)
            except Exception:
                got = None
            if not got:
                refused += 1
            elif bytes(got) == want:
                same += 1
            else:
                diff += 1
                examples.append((ln, want.hex(), bytes(got).hex()))
        print(f"{len(lines)} distinct statements GNU as encodes: keystone identical {same}, "
              f"different {diff}, refuses {refused}")
        for e in examples[:15]:
            print("  %-36s GNU %s keystone %s" % e)


if __name__ == "__main__":
    main()
