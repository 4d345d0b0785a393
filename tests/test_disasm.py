"""Tests for harness.toolchain.disasm and `ppcvec disas`."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys

import pytest

from harness.toolchain.asm import assemble
from harness.toolchain.disasm import Insn, disasm_word, disassemble, format_insn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("word,text", [
    (0x440000A1, "scv 5"), (0x44000001, "scv 0"), (0x44000FE1, "scv 127"),
    (0x44000002, "sc"), (0x44000022, "sc 1"), (0x4C0000A4, "rfscv"), (0x4C000224, "hrfid"),
    (0x4C000024, "rfid"), (0x4C000264, "urfid"), (0x4C0002E4, "stop"), (0x00000200, "attn"),
    (0x7C600164, "mtmsrd r3"), (0x7C610164, "mtmsrd r3, 1"), (0x7C6000A6, "mfmsr r3"),
    (0x7C7E4BA6, "mtlpcr r3"), (0x7C7E4AA6, "mflpcr r3"), (0x7C7923A6, "mtfscr r3"),
    (0x7C7E2BA6, "mthfscr r3"), (0x7C7A03A6, "mtsrr0 r3"), (0x7C7B03A6, "mtsrr1 r3"),
    (0x7C7A4BA6, "mthsrr0 r3"), (0x7C7B4AA6, "mfhsrr1 r3"), (0x7C7043A6, "mtsprg 0, r3"),
    (0x7C7342A6, "mfsprg r3, 3"), (0x7C704BA6, "mthsprg0 r3"), (0x7C7302A6, "mfdar r3"),
    (0x7C7202A6, "mfdsisr r3"), (0x7C7353A6, "mtheir r3"), (0x7C7C02A6, "mfcfar r3"),
    (0x7C7FFAA6, "mfpir r3"), (0x7C7F42A6, "mfpvr r3"), (0x7C700BA6, "mtpidr r3"),
    (0x7C7F4BA6, "mtlpidr r3"), (0x7C7073A6, "mtptcr r3"), (0x7C794BA6, "mthrmor r3"),
    (0x7C7603A6, "mtdec r3"), (0x7C764BA6, "mthdec r3"), (0x7C7903A6, "mtsdr1 r3"),
    (0x7C6FCBA6, "mttar r3"), (0x7C7803A6 & ~0x001F0000 | (1008 & 31) << 16 | (1008 >> 5) << 11,
                                "mtspr 1008, r3"),
    (0x38600005, "li r3, 5"), (0x4E800020, "blr"), (0x7C4004AC, "ptesync"),
    (0x7C801A64, "tlbie r3, r4"), (0xE8640008, "ld r3, 8(r4)"),
])
def test_format_insn(word, text):
    assert format_insn(word) == text


def test_insn_fields_and_str():
    i = disasm_word(0x440000A1, 0x700)
    assert i == Insn(0x700, 0x440000A1, "scv", "5")
    assert str(i) == "scv 5"
    assert str(disasm_word(0x4C0000A4)) == "rfscv"


def test_disassemble_never_stops_on_bad_words():
    code = struct.pack(">IIII", 0x60000000, 0x00000000, 0x440000A1, 0x12345678)
    out = disassemble(code, 0x100)
    assert [i.addr for i in out] == [0x100, 0x104, 0x108, 0x10C]
    assert out[1].mnemonic == ".long" and out[1].op_str == "0x0"      # as objdump prints it
    assert str(out[2]) == "scv 5"
    assert out[3].mnemonic == ".long"
    assert len(disassemble(code, 0, count=2)) == 2


def test_branch_targets_are_absolute():
    assert format_insn(0x4BFFFFFC, 0x104) == "b 0x100"


def test_roundtrip_through_assembler():
    src = "scv 5\nrfscv\nhrfid\nmtlpcr r3\nmfsprg r4, 2\nmtmsrd r3, 1\nsc 1\nstop\nurfid\n"
    img = assemble(src).image
    texts = [str(i) for i in disassemble(img)]
    assert texts == ["scv 5", "rfscv", "hrfid", "mtlpcr r3", "mfsprg r4, 2", "mtmsrd r3, 1",
                     "sc 1", "stop", "urfid"]


@pytest.mark.skipif(not shutil.which("powerpc64-linux-gnu-objdump"), reason="no binutils objdump")
def test_spr_names_agree_with_objdump(tmp_path):
    words = [0x7C7E4BA6, 0x7C7923A6, 0x7C7A4BA6, 0x7C7C02A6, 0x7C7FFAA6, 0x7C6FCBA6]
    p = tmp_path / "w.bin"
    p.write_bytes(b"".join(struct.pack(">I", w) for w in words))
    out = subprocess.run(["powerpc64-linux-gnu-objdump", "-D", "-b", "binary", "-m",
                          "powerpc:common64", "-M", "power10", "-EB", str(p)],
                         capture_output=True, text=True).stdout
    names = [ln.split("\t")[2].split()[0] for ln in out.splitlines() if ln.count("\t") >= 2]
    assert names == [format_insn(w).split()[0] for w in words]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_cli_disas_raw_bin(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(struct.pack(">III", 0x60000000, 0x440000A1, 0x4C0000A4))
    r = _cli("disas", str(p), "0x4", "2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["       4:  440000a1  scv 5", "       8:  4c0000a4  rfscv"]


def test_cli_disas_source_and_elf_with_symbols(tmp_path):
    src = tmp_path / "s.S"
    src.write_text("nop\n_start: scv 5\nhandler: rfscv\n")
    r = _cli("disas", str(src))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "00000004 <_start>:" in lines and "00000008 <handler>:" in lines
    assert lines[1].endswith("scv 5")          # default ADDR = entry (_start)
    r = _cli("asm", str(src), "-o", str(tmp_path / "s.bin"), "--elf", str(tmp_path / "s.elf"))
    assert r.returncode == 0, r.stderr
    r = _cli("disas", str(tmp_path / "s.elf"), "0", "3")
    assert r.returncode == 0, r.stderr
    assert "scv 5" in r.stdout and "<handler>:" in r.stdout


def test_cli_disas_bad_args(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x60\x00\x00\x00")
    for args in (["disas", str(p), "zz"], ["disas", str(p), "0x100"],
                 ["disas", str(tmp_path / "missing.bin")]):
        r = _cli(*args)
        assert r.returncode == 2, args
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_prefixed_pair_is_one_instruction():
    i = disasm_word(0x06100000, 0x10, 0x3860000C)
    assert (i.size, i.mnemonic, i.word) == (8, "pla", 0x061000003860000C)
    assert str(i) == "pla r3, 12\t# 1c"


def test_prefix_without_valid_suffix_is_a_long():
    assert format_insn(0x06100000, 0, 0x00000000) == ".long 0x6100000"


def test_bo_branch_always_keeps_bi_and_zero_target():
    assert format_insn(0x42800000, 0x40) == "bc 20, lt, 0x40"       # objdump: bc 20,lt,0x40


def test_signed_fields_print_signed():
    assert format_insn(0x4CBFFFC4) == "addpcis r5, -2"


@pytest.mark.parametrize("word,text", [
    (0xE0860010, "lq r4, 16(r6)"), (0x7C6105E6, "darn r3, 1"), (0x4C000024, "rfid"),
])
def test_standard_encodings_decode(word, text):
    assert format_insn(word) == text


def test_cli_disas_prints_a_prefixed_pair_on_one_line(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(struct.pack(">III", 0x06100000, 0x3860000C, 0x60000000))
    r = _cli("disas", str(p), "0", "2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["       0:  061000003860000c  pla r3, 12\t# c",
                                     "       8:  60000000  nop"]
