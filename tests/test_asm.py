"""Tests for the GNU-as-compatible assembler (harness.toolchain.asm) and `ppcvec asm`."""
from __future__ import annotations

import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

import pytest

from harness.toolchain.asm import AsmError, assemble, assemble_file, parse_defsym
from harness.toolchain.elf import read_elf
from harness.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = sorted(glob.glob(os.path.join(ROOT, "tests", "asm", "*.S")))
INC = os.path.join(ROOT, "guest_images", "include")
GNU_AS = shutil.which("powerpc64-linux-gnu-as")
GNU_LD = shutil.which("powerpc64-linux-gnu-ld")
GNU_OBJCOPY = shutil.which("powerpc64-linux-gnu-objcopy")
# The reference toolchain invocation our assembler must match byte for byte.
AS_FLAGS = ["-a64", "-mbig", "-mpower10", "-mregnames"]
LD_FLAGS = ["-N", "-Ttext=0", "-e", "0", "--no-warn-rwx-segments"]


def corpus_defsyms(path):
    m = re.search(r"DEFSYM:([^)\n]*)", open(path).read())
    out = {}
    if m:
        for kv in m.group(1).split():
            out.update([parse_defsym(kv)])
    return out


def gnu_image(path, defsyms):
    with tempfile.TemporaryDirectory() as d:
        obj, elf, binf = (os.path.join(d, x) for x in ("a.o", "a.elf", "a.bin"))
        cmd = [GNU_AS, *AS_FLAGS, "-I", INC]
        for k, v in defsyms.items():
            cmd += ["--defsym", f"{k}={v}"]
        subprocess.run(cmd + ["-o", obj, path], check=True, capture_output=True)
        subprocess.run([GNU_LD, *LD_FLAGS, obj, "-o", elf], check=True, capture_output=True)
        subprocess.run([GNU_OBJCOPY, "-O", "binary", elf, binf], check=True, capture_output=True)
        with open(binf, "rb") as f:
            return f.read()


def words(src, **kw):
    img = assemble(src, **kw).image
    return [w for (w,) in struct.iter_unpack(">I", img[: len(img) // 4 * 4])]


def word(line):
    return words(line)[0]


# ---------------------------------------------------------------- corpus vs binutils
def test_corpus_is_big_enough():
    assert len(CORPUS) >= 10


@pytest.mark.skipif(not (GNU_AS and GNU_LD and GNU_OBJCOPY),
                    reason="powerpc64-linux-gnu binutils (as/ld/objcopy) not installed")
@pytest.mark.parametrize("path", CORPUS, ids=os.path.basename)
def test_corpus_matches_binutils(path):
    ds = corpus_defsyms(path)
    mine = assemble_file(path, defsyms=ds, include_dirs=[INC]).image
    ref = gnu_image(path, ds)
    if mine != ref:
        for i in range(0, max(len(mine), len(ref)), 4):
            if mine[i:i + 4] != ref[i:i + 4]:
                pytest.fail(f"{os.path.basename(path)}: first difference at {i:#x}: "
                            f"ours {mine[i:i+4].hex()} binutils {ref[i:i+4].hex()} "
                            f"(sizes {len(mine)} / {len(ref)})")
    assert mine == ref


@pytest.mark.parametrize("path", CORPUS, ids=os.path.basename)
def test_corpus_assembles_without_binutils(path):
    res = assemble_file(path, defsyms=corpus_defsyms(path), include_dirs=[INC])
    assert res.image
    assert res.lines == sorted(res.lines)


# ---------------------------------------------------------------- known encodings
@pytest.mark.parametrize("line,expected", [
    ("scv 5", 0x440000A1), ("scv 0", 0x44000001), ("scv 127", 0x44000FE1),
    ("rfscv", 0x4C0000A4), ("hrfid", 0x4C000224), ("rfid", 0x4C000024), ("urfid", 0x4C000264),
    ("stop", 0x4C0002E4), ("attn", 0x00000200), ("sc", 0x44000002), ("sc 1", 0x44000022),
    ("mtlpcr r3", 0x7C7E4BA6), ("mtspr 318, r3", 0x7C7E4BA6), ("mflpcr r3", 0x7C7E4AA6),
    ("mtmsrd r3", 0x7C600164), ("mtmsrd r3, 1", 0x7C610164), ("mfmsr r3", 0x7C6000A6),
    ("mtsprg 2, r3", 0x7C7243A6), ("mfsprg r3, 1", 0x7C7142A6), ("mtsprg0 r3", 0x7C7043A6),
    ("mthsrr0 r3", 0x7C7A4BA6), ("mtfscr r3", 0x7C7923A6), ("mfhfscr r3", 0x7C7E2AA6),
    ("ptesync", 0x7C4004AC), ("sync", 0x7C0004AC), ("lwsync", 0x7C2004AC), ("isync", 0x4C00012C),
    ("li r3, 5", 0x38600005), ("li %r3, 5", 0x38600005), ("li 3, 5", 0x38600005),
    ("lis r3, -1", 0x3C60FFFF), ("lis r3, 0xffff", 0x3C60FFFF), ("nop", 0x60000000),
    ("sldi r3, r3, 4", 0x786326E4), ("srdi r3, r3, 4", 0x7863E102),
    ("clrldi r3, r3, 1", 0x78630040), ("tweq r3, r4", 0x7C832008), ("trap", 0x7FE00008),
    ("td 4, r3, r4", 0x7C832088), ("tlbie r3, r4", 0x7C801A64), ("tlbiel r3", 0x7C001A24),
    ("slbmte r3, r4", 0x7C602324), ("cmpld r3, r4", 0x7C232040), ("cmpdi cr1, r3, 0", 0x2CA30000),
    ("ld r3, 8(r4)", 0xE8640008), ("std r3, -8(r1)", 0xF861FFF8), ("blr", 0x4E800020),
    ("bctrl", 0x4E800421), ("mtcrf 0x80, r3", 0x7C780120), ("mtcr r3", 0x7C6FF120),
    # L field at bit 15 (shift 16), per GNU as 2.40 (issue 15)
    ("slbiag 10,1", 0x7D4106A4), ("slbmfev 4,5,1", 0x7C812EA6), ("slbmfee 3,4,1", 0x7C612726),
    ("darn 3,1", 0x7C6105E6), ("darn 3,2", 0x7C6205E6),
])
def test_known_encodings(line, expected):
    assert word(line) == expected, f"{line}: {word(line):#010x} != {expected:#010x}"


def test_branches_relative_and_absolute():
    w = words("b 1f\nnop\n1: bl 1b\nbeq cr1, 1b\nbdnz .\nb 0x100\nba 0x100\n")
    assert w[0] == 0x48000008
    assert w[2] == 0x48000001        # `1b` on the line that defines `1:` is that line (GNU as)
    assert w[3] == 0x4186FFFC
    assert w[4] == 0x42000000
    assert w[5] == 0x48000100        # GNU as: an absolute target is the displacement
    assert w[6] == 0x48000102


# ---------------------------------------------------------------- directives
def test_macro_rept_irp_if_expansion():
    src = """
    .macro LD2 a, b=7
    li \\a, \\b
    .endm
    LD2 r3
    LD2 r4, 9
    LD2 b=1, a=r5
    .rept 2
    nop
    .endr
    .irp n, 1, 2
    li r6, \\n
    .endr
    .set X, 3
    .if X > 2
    li r7, 1
    .elseif X == 2
    li r7, 2
    .else
    li r7, 3
    .endif
    .ifdef NOPE
    trap
    .endif
    """
    assert words(src) == [0x38600007, 0x38800009, 0x38A00001, 0x60000000, 0x60000000,
                          0x38C00001, 0x38C00002, 0x38E00001]


def test_macro_counter_and_local_labels():
    src = ".macro M\nli r3, \\@\n.endm\nM\nM\n1: b 1f\n1: b 1b\n"
    assert words(src) == [0x38600000, 0x38600001, 0x48000004, 0x48000000]


def test_defsym_and_ifdef():
    src = ".ifdef FOO\nli r3, FOO\n.else\nli r3, -1\n.endif\n"
    assert words(src, defsyms={"FOO": 0x42}) == [0x38600042]
    assert words(src) == [0x3860FFFF]
    assert parse_defsym("A=0x10") == ("A", 16)
    assert parse_defsym("B=-010") == ("B", -8)
    with pytest.raises(UserError):
        parse_defsym("nonsense")
    with pytest.raises(UserError):
        parse_defsym("A=zz")


@pytest.mark.parametrize("suffix,value", [
    ("l", 0xDEF0), ("h", 0x9ABC), ("ha", 0x9ABD), ("high", 0x9ABC), ("higha", 0x9ABD),
    ("higher", 0x5678), ("highera", 0x5678), ("highest", 0x1234), ("highesta", 0x1234),
])
def test_reloc_suffix_values(suffix, value):
    w = word(f".set V, 0x123456789abcdef0\nori r3, r3, V@{suffix}\n")
    assert w & 0xFFFF == value


def test_ha_carry_and_labels():
    res = assemble("lis r3, x@ha\naddi r3, r3, x@l\n.org 0x18000\nx: nop\n")
    w = [w for (w,) in struct.iter_unpack(">I", res.image[:8])]
    assert w == [0x3C600002, 0x38638000]
    assert res.symbols["x"] == 0x18000


def test_data_and_alignment():
    img = assemble(".byte 1\n.align 2\n.short 2\n.long 3\n.quad 4\n.asciz \"ab\"\n"
                   ".balign 4, 0xee\n").image
    assert img == bytes([1, 0, 0, 0, 0, 2, 0, 0, 0, 3]) + (4).to_bytes(8, "big") + \
        b"ab\0" + b"\xee" * 3
    # code alignment is filled with nops (and a branch over >16 bytes), like GNU as
    assert words("nop\n.align 3\n") == [0x60000000, 0x60000000]
    assert words("nop\n.align 5\n")[1:] == [0x4800001C] + [0x60000000] * 6


def test_expression_precedence_like_gnu_as():
    # GNU as: | & ^ bind tighter than + -
    assert words(".long 1 + 2 & 3, 1 << 4 + 1, 3 == 3\n") == [3, 17, 0xFFFFFFFF]


def test_comments_and_separators():
    src = "li r3, 1 # hash comment\n/* block\n comment */ li r4, 2 ; li r5, 3\n"
    assert words(src) == [0x38600001, 0x38800002, 0x38A00003]


def test_lines_and_entry():
    res = assemble("nop\n_start: li r3, 1\n.long 5\n", filename="t.S")
    assert res.entry == 4
    assert res.lines == [(0, "t.S", 1), (4, "t.S", 2), (8, "t.S", 3)]


def test_include_search(tmp_path):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "defs.inc").write_text(".set SEVEN, 7\n")
    (tmp_path / "main.S").write_text('.include "defs.inc"\nli r3, SEVEN\n')
    res = assemble_file(str(tmp_path / "main.S"), include_dirs=[str(tmp_path / "inc")])
    assert res.image == bytes.fromhex("38600007")


def test_elf_roundtrip():
    res = assemble("nop\n_start: li r3, 1\nlab: blr\n.data\nd: .long 7\n")
    image, base, entry, syms = read_elf(res.to_elf())
    assert image == res.image and base == 0 and entry == 4
    assert syms["lab"] == 8 and syms["_start"] == 4 and syms["d"] == res.symbols["d"]


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("src,line,needle", [
    ("nop\nfrobnicate r3\n", 2, "unrecognized opcode"),
    ("li r3, 0x12345\n", 1, "out of range"),
    ("ori r3, r3, -1\n", 1, "out of range"),
    ("ld r3, 6(r4)\n", 1, "multiple of 4"),
    ("nop\nli r3, nosuch\n", 2, "undefined symbol `nosuch'"),
    ("b nowhere\n", 1, "undefined symbol"),
    ("li r3\n", 1, "missing operand"),
    ("li r3, 1, 2\n", 1, "junk at end of line"),
    ("scv 128\n", 1, "out of range"),
    ("mtmsrd r3, 2\n", 1, "out of range"),
    ("mtsprg 4, r3\n", 1, "invalid sprg number"),
    ("nop\n.if 1\nnop\n", 2, "unterminated .if"),
    (".macro foo\nnop\n", 1, "unterminated .macro"),
    ("nop\n.rept 3\nnop\n", 2, "unterminated .rept"),
    (".org 8\nnop\n.org 4\n", 3, ".org backwards"),
    ('.include "does_not_exist.inc"\n', 1, "can't open does_not_exist.inc"),
    ("x: nop\nx: nop\n", 2, "already defined"),
    (".endif\n", 1, "without .if"),
    (".bogus 1\n", 1, "unknown pseudo-op"),
    ('.error "custom failure"\n', 1, "custom failure"),
    ("li r3, (1 + \n", 1, "missing operand"),
])
def test_errors_name_file_line_and_text(src, line, needle):
    with pytest.raises(AsmError) as ei:
        assemble(src, filename="bad.S")
    e = ei.value
    assert e.file == "bad.S" and e.line == line
    assert needle in e.message
    s = str(e)
    assert "\n" not in s
    assert s == f"bad.S:{line}: error: {e.message}: {e.text}"
    assert e.text == src.splitlines()[line - 1].strip()
    assert isinstance(e, UserError) and e.exit_code == 2


def test_error_inside_macro_points_at_body_and_invocation():
    with pytest.raises(AsmError) as ei:
        assemble(".macro M v\nli r3, \\v\n.endm\nnop\nM 0x10000\n", filename="m.S")
    assert ei.value.line == 2 and "m.S:5" in ei.value.message
    assert ei.value.text == "li r3, 0x10000"


# ---------------------------------------------------------------- CLI
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_cli_asm_bad_input_exits_2_one_line(tmp_path):
    src = tmp_path / "bad.S"
    src.write_text("nop\n  li r3, 0x12345\n")
    r = _cli("asm", str(src), "-o", str(tmp_path / "out.bin"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert lines[0].startswith(f"{src}:2: error:") and lines[0].endswith("li r3, 0x12345")
    assert not (tmp_path / "out.bin").exists()


def test_cli_asm_writes_bin_and_elf(tmp_path):
    src = tmp_path / "ok.S"
    src.write_text(".ifdef X\n_start: li r3, X\n.endif\nscv 5\n")
    r = _cli("asm", str(src), "-o", str(tmp_path / "o.bin"), "--elf", str(tmp_path / "o.elf"),
             "--defsym", "X=0x22", "-I", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "o.bin").read_bytes() == bytes.fromhex("38600022440000a1")
    assert (tmp_path / "o.elf").read_bytes()[:4] == b"\x7fELF"


def test_cli_bad_defsym_and_missing_file(tmp_path):
    r = _cli("asm", str(tmp_path / "nope.S"), "-o", str(tmp_path / "o.bin"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    (tmp_path / "a.S").write_text("nop\n")
    r = _cli("asm", str(tmp_path / "a.S"), "-o", str(tmp_path / "o.bin"), "--defsym", "Q")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
