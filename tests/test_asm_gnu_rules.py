"""One behaviour per test: encodings and refusals where ppcvec once differed from
GNU as 2.40 (-a64 -mbig -mpower10 -mregnames; expected words from GNU as)."""
import subprocess
import sys

import pytest

from harness.toolchain.asm import AsmError, assemble


def words(src, **kw):
    img = assemble(src, filename="t.S", **kw).image
    return [int.from_bytes(img[i:i + 4], "big") for i in range(0, len(img), 4)]


@pytest.mark.parametrize("src, word", [
    ("tabortwc. 7,8,16", 0x7CE8861D),      # TO=7 kept (keystone lost it)
    ("tabortdc. 7,8,16", 0x7CE8865D),
    ("waitrsv", 0x7C20003C),               # wait 1 (POWER10 encoding, not the old opcode)
    ("mfcr 3,0x01", 0x7C701026),           # one-field form -> mfocrf
    ("wait 1,0", 0x7C20003C),
    ("dcbf 0,3,4", 0x7C8018AC),            # POWER10 L=4 (dcbstps)
    ("mfvsrd 12,62", 0x7FCC0067),          # VSR 62 is TX=1
    ("insrdi 4,3,1,63", 0x786407EC),
    ("slbiag 10,1", 0x7D4106A4),           # L at bit shift 16
    ("darn 3,1", 0x7C6105E6),
    ("lq 4,16(6)", 0xE0860010),
])
def test_encoding_matches_gnu(src, word):
    assert words(src) == [word]


def test_prefixed_pcrel_is_one_eight_byte_instruction():
    assert words("pla 3,x@pcrel\nx: nop") == [0x06100000, 0x38600008, 0x60000000]


def test_pld_got_pcrel_is_relaxed_to_pla_as_ld_does():
    # GNU as + ld -N: `pld 3,x@got@pcrel` of a local x links as `pla 3,x-.` (06100000 38600010)
    assert words("pld 3,x@got@pcrel\nnop\nnop\nx: nop") == [0x06100000, 0x38600010,
                                                              0x60000000, 0x60000000, 0x60000000]


def test_got_pcrel_on_other_instructions_is_refused():
    with pytest.raises(AsmError, match="@got@pcrel needs a GOT entry"):
        assemble("plwz 3,x@got@pcrel\nx: nop", filename="t.S")


def test_prefixed_instruction_does_not_cross_64_bytes():
    w = words(".rept 15\nnop\n.endr\npnop")
    assert len(w) == 18 and w[15] == 0x60000000 and w[16:] == [0x07000000, 0]


def test_machine_power6_pads_with_group_ending_nop():
    assert words(".machine power6\nnop\n.p2align 4") == [0x60000000, 0x60000000, 0x60000000,
                                                        0x60210000]


def test_machine_power7_pads_with_ori_2_2_0():
    assert words(".machine power7\nnop\n.p2align 3") == [0x60000000, 0x60420000]


def test_machine_selects_accepted_instructions():
    with pytest.raises(AsmError, match="unrecognized opcode: `brd'"):
        assemble(".machine power9\nbrd 3,4", filename="t.S")
    assert words(".machine power9\n.machine power10\nbrd 3,4") == [0x7C830176]


@pytest.mark.parametrize("src", ["bc 5,0,.", "bc 17,0,.", "bcctr 0,0", "bc 21,0,."])
def test_reserved_bo_is_refused(src):
    with pytest.raises(AsmError, match="invalid conditional option|invalid counter access"):
        assemble(src, filename="t.S", cpu="power8")


def test_y_bit_bo_accepted_for_old_cpus():
    assert words("bc 3,0,.", cpu="ppc") == [0x40600000]
    with pytest.raises(AsmError, match="invalid conditional option"):
        assemble("bc 3,0,.", filename="t.S", cpu="power8")


def test_misaligned_instruction_is_refused():
    with pytest.raises(AsmError, match="not a multiple of 4") as ei:
        assemble(".byte 1\nnop", filename="t.S")
    assert ei.value.line == 2


def test_dc_directives():
    assert assemble(".dc.b 1,2\n.dc.w 3\n.dc.l 4\n.dc.a 5", filename="t.S").image == \
        bytes([1, 2, 0, 3, 0, 0, 0, 4]) + (5).to_bytes(8, "big")


@pytest.mark.parametrize("src", [".space 0x400000000000", ".space 4294967296",
                                 ".fill 0x100000000, 8, 0", ".skip 1<<40", ".org 1<<40",
                                 ".rept 100000000\nnop\n.endr",
                                 ".rept 100000\n.rept 100000\nnop\n.endr\n.endr"])
def test_huge_images_are_one_line_exit_2(tmp_path, src):
    # how long it takes is measured in benchmarks/bench_asm.py, not here
    f = tmp_path / "big.S"
    f.write_text(src + "\n")
    r = subprocess.run([sys.executable, "-m", "harness.cli", "asm", str(f), "-o",
                        str(tmp_path / "o.bin")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and ": error: " in lines[0] and "Traceback" not in r.stderr


def test_incbin_skip_and_count(tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"ABCDEFG")
    src = tmp_path / "t.S"
    src.write_text('.incbin "blob.bin",1,3\n.p2align 2\n')
    from harness.toolchain.asm import assemble_file
    assert assemble_file(str(src)).image == b"BCD\0"


def test_nobits_section_has_no_file_bytes():
    img = assemble('nop\n.section .mybss,"aw",@nobits\n.space 16\n', filename="t.S").image
    assert img == bytes.fromhex("60000000")


def test_alignment_fill_must_divide_the_padding():
    with pytest.raises(AsmError, match=r"alignment padding \(3 bytes\) not a multiple of 2"):
        assemble(".byte 1\n.p2alignw 2,0x1234", filename="t.S")


@pytest.mark.parametrize("src, needle", [
    ("li 3, 08", "invalid number `08'"),
    (".fill\n", ".fill needs a repeat count"),
    (".org\n", ".org needs an address"),
    (".incbin\n", ".incbin needs a file name"),
    ("nop\n.balign 1<<62\n", "image limit"),
    (".machine bogus\n", "invalid machine `bogus'"),
    (".machine pop\n", ".machine stack underflow"),
    ("ld 3, x@got(2)\nx: nop\n", "unsupported relocation @got"),
])
def test_bad_input_is_one_error(src, needle):
    with pytest.raises(AsmError) as ei:
        assemble(src, filename="t.S")
    assert needle in ei.value.message and "\n" not in str(ei.value)


def test_a_macro_defined_later_wins_over_an_instruction_of_that_name():
    assert words("nop\n.macro nop\n.long 7\n.endm\nnop") == [0x60000000, 7]
    assert words("Foo: nop\n.macro Nop\n.long 7\n.endm\nNop") == [0x60000000, 7]
