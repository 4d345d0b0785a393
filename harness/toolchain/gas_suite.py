"""binutils' own PowerPC assembler tests, through GNU as and through `ppcvec asm`.

    python -m harness.toolchain.gas_suite [--tarball T] [--require N] [--verbose]

Finds binutils 2.40's source (Debian's `binutils-source` installs
/usr/src/binutils/binutils-2.40.tar.xz), selects the gas/testsuite/gas/ppc
tests meant for 64-bit or generic targets, assembles each source with

    powerpc64-linux-gnu-as -a64 -mbig -mpower10 -mregnames FLAGS
    powerpc64-linux-gnu-ld -N -Ttext=0 ; objcopy -O binary

and with ppcvec's assembler (the same FLAGS: `--defsym`, the CPU), and prints
one line per file: identical / DIFFERENT / ppcvec rejects / GNU rejects (both
refuse) / GNU REJECTS (ppcvec accepted what GNU refuses).

The selection rule reads each .d file's own header lines: a test is out of
scope when its `#as:` line selects a 32-bit object (`-a32`), VLE, SPE, an
e500/e200/embedded core (`-me500*`, `-me5500`, `-me6500`, `-me200*`, `-m476`,
`-ma2`, `-mtitan`, `-mbooke`, `-mbroadway`, `-m750cl`, `-m601`), little-endian
(`-le`), `-mlibresoc` or `-mfuture`, when its name says 32-bit (`test1elf32`),
when it is an XCOFF test (`xcoff` in its
name, source or `#target`), or when its `#target`/`#notarget` excludes
powerpc64-linux.  That leaves 54 files.
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

TARBALL = "/usr/src/binutils/binutils-2.40.tar.xz"
SUITE = "gas/testsuite/gas/ppc/"
GNU = "powerpc64-linux-gnu-"
BASE_FLAGS = ["-a64", "-mbig", "-mpower10", "-mregnames"]
TARGET = "powerpc64-unknown-linux-gnu"

_OUT_OF_SCOPE = re.compile(
    r"(?:^|\s)-(?:a32|mvle|mspe\w*|me500\w*|me5500|me6500|me200\w*|m476|ma2|mtitan|mbooke|"
    r"mbroadway|m750cl|m601|le|mlibresoc|mfuture)(?=\s|$)")


def header(text: str) -> dict[str, list[str]]:
    """A .d file's `#key: value` lines."""
    out: dict[str, list[str]] = {}
    for m in re.finditer(r"^#\s*([\w-]+)\s*:(.*)$", text, re.M):
        out.setdefault(m.group(1), []).append(m.group(2).strip())
    return out


def in_scope(name: str, hdr: dict[str, list[str]]) -> bool:
    """The selection rule of the module docstring."""
    as_line = " ".join(hdr.get("as", []))
    if _OUT_OF_SCOPE.search(as_line):
        return False
    if name.endswith("32"):         # test1elf32: a 32-bit ELF test by name
        return False
    if "xcoff" in name or any("xcoff" in s for s in hdr.get("source", []) + hdr.get("target", [])):
        return False
    for t in hdr.get("notarget", []):
        if any(fnmatch.fnmatch(TARGET, p) for p in t.split()):
            return False
    for t in hdr.get("target", []):
        if not any(fnmatch.fnmatch(TARGET, p) for p in t.replace("[", " ").replace("]", " ").split()
                   if "-" in p):
            return False
    return True


def flags_of(hdr) -> tuple[list[str], dict[str, int], str | None]:
    """`#as:` flags both assemblers get: (GNU flags, defsyms, CPU)."""
    toks = " ".join(hdr.get("as", [])).split()
    gnu, defsyms, cpu = [], {}, None
    i = 0
    while i < len(toks):
        t = toks[i]
        if t == "--defsym" and i + 1 < len(toks):
            name, _, val = toks[i + 1].partition("=")
            defsyms[name] = int(val or "1", 0)
            gnu += [t, toks[i + 1]]
            i += 2
            continue
        if t.startswith("-m") and t not in ("-mbig", "-mregnames", "-many"):
            cpu = t[2:]
            gnu.append(t)
        elif t == "-many":
            gnu.append(t)
        i += 1
    return gnu, defsyms, cpu


def extract(tarball: str, dest: str) -> str:
    with tarfile.open(tarball) as tf:
        members = [m for m in tf.getmembers() if SUITE in m.name and m.isfile()]
        if not members:
            raise SystemExit(f"gas_suite: {tarball} has no {SUITE}")
        for m in members:
            m.name = os.path.basename(m.name)
            tf.extract(m, dest, filter="data") if hasattr(tarfile, "data_filter") else \
                tf.extract(m, dest)
    return dest


def select(suite_dir: str) -> list[tuple[str, str, dict]]:
    """[(test name, source path, header)] of the in-scope tests, sorted."""
    out = []
    for fn in sorted(os.listdir(suite_dir)):
        if not fn.endswith(".d"):
            continue
        name = fn[:-2]
        with open(os.path.join(suite_dir, fn)) as f:
            hdr = header(f.read())
        if not in_scope(name, hdr):
            continue
        src = hdr.get("source", [name + ".s"])[0]
        out.append((name, os.path.join(suite_dir, src), hdr))
    return out


def gnu_build(src: str, flags: list[str], work: str):
    """-> (image bytes or None, first error line)."""
    obj, elf, binf = (os.path.join(work, "g" + s) for s in (".o", ".elf", ".bin"))
    for cmd in ([GNU + "as", *BASE_FLAGS, *flags, "-o", obj, src],
                [GNU + "ld", "-N", "-Ttext=0", "-o", elf, obj],
                [GNU + "objcopy", "-O", "binary", elf, binf]):
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.dirname(src))
        if r.returncode != 0:
            errs = [ln for ln in r.stderr.splitlines() if "rror" in ln or "undefined" in ln]
            return None, (errs or r.stderr.splitlines() or ["failed"])[0]
    with open(binf, "rb") as f:
        return f.read(), ""


def ppcvec_build(src: str, defsyms: dict, cpu: str | None):
    from harness.errors import UserError
    from harness.toolchain.asm import assemble_file
    try:
        res = assemble_file(src, defsyms=defsyms, cpu=cpu)
    except UserError as e:
        return None, str(e).splitlines()[0]
    return res.image, ""


def first_difference(a: bytes, b: bytes) -> str:
    n = min(len(a), len(b))
    for i in range(0, n, 4):
        if a[i:i + 4] != b[i:i + 4]:
            return f"at {i:#x}: GNU {a[i:i + 4].hex()} ppcvec {b[i:i + 4].hex()}"
    return f"sizes GNU {len(a)} ppcvec {len(b)}"


def run(tarball: str = TARBALL, verbose: bool = False, out=sys.stdout) -> dict:
    for tool in ("as", "ld", "objcopy"):
        if shutil.which(GNU + tool) is None:
            raise SystemExit(f"gas_suite: {GNU}{tool} not found (Debian package "
                             f"binutils-powerpc64-linux-gnu)")
    if not os.path.isfile(tarball):
        raise SystemExit(f"gas_suite: {tarball} not found (Debian package binutils-source)")
    counts = {"identical": 0, "DIFFERENT": 0, "ppcvec rejects": 0, "GNU rejects": 0,
              "GNU REJECTS": 0}
    rows = []
    images = {}
    with tempfile.TemporaryDirectory() as tmp:
        suite = extract(tarball, os.path.join(tmp, "ppc"))
        tests = select(suite)
        for name, src, hdr in tests:
            flags, defsyms, cpu = flags_of(hdr)
            g, gerr = gnu_build(src, flags, tmp)
            p, perr = ppcvec_build(src, defsyms, cpu)
            if g is None and p is None:
                verdict, why = "GNU rejects", gerr
            elif g is None:
                verdict, why = "GNU REJECTS", gerr
            elif p is None:
                verdict, why = "ppcvec rejects", perr
            elif g == p:
                verdict, why = "identical", f"{len(g)} bytes"
                images[name] = g
            else:
                verdict, why = "DIFFERENT", first_difference(g, p)
            counts[verdict] += 1
            rows.append((name, verdict, why))
    w = max(len(r[0]) for r in rows)
    for name, verdict, why in rows:
        print(f"{name:<{w}}  {verdict:<15} {why if verdict != 'identical' or verbose else ''}"
              .rstrip(), file=out)
    print(f"{len(rows)} files: " + ", ".join(f"{v} {k}" for k, v in counts.items()), file=out)
    counts["files"] = len(rows)
    counts["rows"] = rows
    counts["images"] = images
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m harness.toolchain.gas_suite",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarball", default=TARBALL)
    ap.add_argument("--require", type=int, default=0, metavar="N",
                    help="exit 1 unless >= N files are identical, none differ and every "
                         "file GNU rejects is rejected")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)
    c = run(a.tarball, a.verbose)
    if a.require and (c["identical"] < a.require or c["DIFFERENT"] or c["GNU REJECTS"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
