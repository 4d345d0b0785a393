"""`ppcvec disas` against `objdump -D -b binary -m powerpc:common64 -EB -M power10`.

    python -m harness.toolchain.disasm_compare [--seed S] [--count N] [--show K] [FILE.bin]

Disassembles N random words (seeded; or the words of FILE.bin) both ways, as one
byte stream so that prefixed pairs are paired the same way, and compares every
instruction objdump decodes (not `.long`) after normalising the spelling:
white space, and every number written in decimal (objdump prints some values in
hex, targets as 0x addresses).  Prints the agreement and the first K
disagreements; `--decoder capstone` measures capstone instead (docs/disassembler.md).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

OBJDUMP = "powerpc64-linux-gnu-objdump"
_NUM = re.compile(r"(?<![\w.])(-?)(0x[0-9a-fA-F]+|\d+)(?![\w])")
_LINE = re.compile(r"^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} ){4})\t?(.*)$")


def normalise(text: str) -> str:
    text = text.split("#")[0] if "\t#" in text or " #" in text else text
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(r"\s*,\s*", ",", text)
    return _NUM.sub(lambda m: str(int(m.group(1) + m.group(2), 0)), text)


def objdump_lines(data: bytes) -> dict[int, str]:
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "w.bin")
        with open(p, "wb") as f:
            f.write(data)
        out = subprocess.run([OBJDUMP, "-D", "-b", "binary", "-m", "powerpc:common64", "-EB",
                              "-M", "power10", p], capture_output=True, text=True,
                             check=True).stdout
    res = {}
    for line in out.splitlines():
        m = _LINE.match(line)
        if m and m.group(3):
            res[int(m.group(1), 16)] = m.group(3)
    return res


def ours(data: bytes) -> dict[int, str]:
    from harness.toolchain.disasm import disassemble
    return {i.addr: str(i) for i in disassemble(data)}


def capstone_lines(data: bytes) -> dict[int, str]:
    import capstone
    cs = capstone.Cs(capstone.CS_ARCH_PPC, capstone.CS_MODE_64 | capstone.CS_MODE_BIG_ENDIAN)
    res = {}
    for off in range(0, len(data) - 3, 4):
        got = list(cs.disasm(data[off:off + 8], off, 1))
        res[off] = f"{got[0].mnemonic} {got[0].op_str}" if got else ".long"
    return res


def compare(data: bytes, decoder=ours, show: int = 0, out=sys.stdout) -> dict:
    ref = objdump_lines(data)
    mine = decoder(data)
    decoded = agree = 0
    bad = []
    for addr, text in sorted(ref.items()):
        if text.startswith(".long"):
            continue
        decoded += 1
        if normalise(mine.get(addr, "<none>")) == normalise(text):
            agree += 1
        else:
            bad.append((addr, data[addr:addr + 4].hex(), text, mine.get(addr, "<none>")))
    for addr, w, t, m in bad[:show]:
        print(f"{addr:6x} {w}  objdump: {t:<40} ours: {m}", file=out)
    pct = 100.0 * agree / decoded if decoded else 100.0
    print(f"{decoded} instructions objdump decodes, {agree} agree ({pct:.2f}%), "
          f"{len(bad)} differ", file=out)
    return {"decoded": decoded, "agree": agree, "percent": pct, "bad": bad}


def random_words(seed: int, count: int) -> bytes:
    rng = random.Random(seed)
    return b"".join(rng.getrandbits(32).to_bytes(4, "big") for _ in range(count))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m harness.toolchain.disasm_compare")
    ap.add_argument("file", nargs="?")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--decoder", choices=("ppcvec", "capstone"), default="ppcvec")
    a = ap.parse_args(argv)
    if a.file:
        with open(a.file, "rb") as f:
            data = f.read()
    else:
        data = random_words(a.seed, a.count)
    compare(data, ours if a.decoder == "ppcvec" else capstone_lines, a.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
