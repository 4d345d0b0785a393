"""`ppcvec run` driven as a user would: through the real CLI, in a subprocess."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import harness
from harness.run.exitcodes import outcome_exit_code
from harness.toolchain.asm import assemble_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGS = os.path.join(ROOT, "tests", "programs")


def ppcvec(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def run_json(*args):
    """Every image's JSON; the exit status is the first image's non-zero code
    for its outcome (README "Exit status")."""
    p = ppcvec("run", "--json", *args)
    rs = [json.loads(line) for line in p.stdout.splitlines()]
    codes = [outcome_exit_code(r["outcome"], r["exit_code"]) for r in rs]
    assert rs and p.returncode == next((c for c in codes if c), 0), p.stderr
    return rs


def test_scv_ail0_outcome_registers_events_and_dump():
    (r,) = run_json(os.path.join(PROGS, "scv_ail0.S"), "--dump", "0x30000:16")
    assert r["outcome"] == "attn" and r["exit_code"] == 7
    assert r["machine"] == "powernv9" and r["cpu"] == "power9"
    (e,) = r["interrupts"]
    assert e["kind"] == "scv" and e["vector"] == "0x0000000000017020" and e["ail"] == 0
    assert e["srr0"] is None and e["srr1"] is None
    syms = assemble_file(os.path.join(PROGS, "scv_ail0.S")).symbols
    lr = int(e["lr"], 16)
    assert int(e["insn_addr"], 16) == syms["before_scv"] and lr == syms["after_scv"]
    cpu = r["cpus"][0]
    assert cpu["gpr"][5] == "0x0000000000001234"
    assert int(cpu["spr"]["fscr"], 16) == 0x1000
    dump = bytes.fromhex(r["dumps"]["0x30000"])
    assert int.from_bytes(dump[:8], "big") == lr
    assert int.from_bytes(dump[8:], "big") == 0x9000000000000000   # CTR = SRR1-style MSR


def test_json_values_are_0x016x_strings():
    (r,) = run_json(os.path.join(PROGS, "scv_ail0.S"))
    cpu = r["cpus"][0]
    for v in [cpu["pc"], cpu["msr"], cpu["lr"], *cpu["gpr"], *cpu["spr"].values()]:
        assert v.startswith("0x") and len(v) == 18


def test_same_image_twice_gives_identical_json():
    a = ppcvec("run", "--json", os.path.join(PROGS, "scv_ail0.S"), os.path.join(PROGS, "scv_ail0.S"))
    lines = a.stdout.splitlines()
    assert len(lines) == 2 and lines[0] == lines[1]
    b = ppcvec("run", "--json", os.path.join(PROGS, "scv_ail0.S"))
    assert b.stdout.splitlines()[0] == lines[0]


def test_budget_outcome():
    (r,) = run_json(os.path.join(PROGS, "spin.S"), "--max-insns", "100000")
    assert r["outcome"] == "budget"
    assert 100000 <= r["insns"] < 100000 + 64


def test_cpu_option_power8_scv_is_illegal():
    (r,) = run_json(os.path.join(PROGS, "scv_ail0.S"), "--cpu", "power8", "--max-insns", "2000")
    assert r["machine"] == "powernv8"
    assert r["interrupts"][0]["kind"] == "heai"
    assert r["interrupts"][0]["heir"] is None          # ISA v2.07: no HEIR
    assert "heir" not in r["cpus"][0]["spr"]


def test_human_summary_and_trace():
    p = ppcvec("run", "--trace", os.path.join(PROGS, "scv_ail0.S"))
    assert p.returncode == 7, p.stderr          # attn: the program's exit code
    out = p.stdout
    assert "outcome attn, exit code 0x7" in out
    assert "scv 1" in out and "0x0000000000017020" in out
    assert "no AIL: MSR[IR] and MSR[DR] were not both 1" in out   # why AIL did not apply
    assert "LR=" in out and "CTR=" in out


def test_smp_runs_every_cpu(tmp_path):
    """Both threads start at 0x10 and retire instructions: CPU 1 (PIR 1) sets a
    flag that CPU 0 waits for before it ends the run with attn."""
    src = tmp_path / "smp.S"
    src.write_text("    .org 0x10\n    mfspr 5, 1023\n    lis 9, 3\n    cmpdi 5, 0\n    bne cpu1\n"
                   "wait: ld 8, 0(9)\n    cmpdi 8, 0\n    beq wait\n    mr 3, 8\n    attn\n"
                   "cpu1: li 10, 0x42\n    std 10, 0(9)\n    b .\n")
    (r,) = run_json(str(src), "--smp", "2")
    assert len(r["cpus"]) == 2 and r["outcome"] == "attn" and r["exit_code"] == 0x42
    assert all(int(c["insns"]) > 0 for c in r["cpus"]), r["cpus"]
    assert r["cpus"][1]["gpr"][10] == "0x%016x" % 0x42


@pytest.mark.parametrize("args,needle", [
    (["run", os.path.join(PROGS, "bad_mnemonic.S")], "bad_mnemonic.S:3"),
    (["run", "/nonexistent.bin"], "no such file"),
    (["run", os.path.join(PROGS, "spin.S"), "--frobnicate"], "unrecognized arguments"),
    (["run", os.path.join(PROGS, "spin.S"), "--dump", "0x7fffffff0:16"], "outside RAM"),
    (["run", os.path.join(PROGS, "spin.S"), "--dump", "zz"], "bad --dump"),
    (["run", os.path.join(PROGS, "spin.S"), "--ram", "1M", "--max-insns", "10"], 124),
    (["run", os.path.join(PROGS, "spin.S"), "--cpu", "power7"], "invalid choice"),
    (["run", os.path.join(PROGS, "spin.S"), "--machine", "powernv8", "--cpu", "power10"],
     "machine powernv8 has power8 processors, not power10"),
    (["run", "/bin/ls"], "ELF machine 62 is not PowerPC 64-bit"),       # an x86-64 ELF
])
def test_bad_input_is_one_line_and_exit_2(args, needle):
    p = ppcvec(*args)
    if isinstance(needle, int):   # a valid small RAM just works (budget: 124)
        assert p.returncode == needle, p.stderr
        return
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], p.stderr
    assert "Traceback" not in p.stderr


def test_image_larger_than_ram(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x48\x00\x00\x00" * (0x200000 // 4))
    p = ppcvec("run", str(big), "--ram", "1M")
    assert p.returncode == 2 and "beyond RAM" in p.stderr and len(p.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not shutil.which("powerpc64-linux-gnu-as"), reason="binutils-powerpc64-linux-gnu not installed")
def test_gnu_as_image_runs_unchanged(tmp_path):
    """A raw image built by GNU as + ld + objcopy (as for qemu -bios) runs unchanged."""
    src = os.path.join(PROGS, "scv_ail0.S")
    obj, elf, binf = tmp_path / "a.o", tmp_path / "a.elf", tmp_path / "a.bin"
    subprocess.run(["powerpc64-linux-gnu-as", "-a64", "-mbig", "-mpower10", "-mregnames",
                    src, "-o", str(obj)], check=True)
    subprocess.run(["powerpc64-linux-gnu-ld", "-N", "-Ttext=0", "-e", "0x10", str(obj), "-o", str(elf)],
                   check=True)
    subprocess.run(["powerpc64-linux-gnu-objcopy", "-O", "binary", str(elf), str(binf)], check=True)
    (raw,) = run_json(str(binf))
    (ours,) = run_json(src)
    assert raw["outcome"] == "attn" and raw["exit_code"] == 7
    for key in ("outcome", "exit_code", "insns", "interrupts", "cpus"):
        assert raw[key] == ours[key]
    (from_elf,) = run_json(str(elf))   # the ELF starts at its entry point, 0x10
    assert from_elf["interrupts"] == ours["interrupts"] and from_elf["exit_code"] == 7


def test_interrupt_storm_ends_as_idle_not_a_hang(tmp_path):
    """Executing zeroes: HEAI at 0xe40 whose handler (zeroes) raises HEAI again —
    a fixed point, like a branch-to-self, so the run ends instead of burning the budget."""
    img = tmp_path / "zero.bin"
    img.write_bytes(bytes(0x1000))
    (r,) = run_json(str(img))
    assert r["outcome"] == "idle"
    assert [e["kind"] for e in r["interrupts"]] == ["heai", "heai"]
    assert r["interrupts"][1]["vector"] == r["interrupts"][1]["insn_addr"] == "0x0000000000000e40"


def test_json_with_trace_keeps_stdout_machine_readable():
    """`run --json --trace`: stdout is exactly the JSON objects; the trace goes
    to stderr (issue 16 item 6)."""
    p = ppcvec("run", "--json", "--trace", os.path.join(PROGS, "scv_ail0.S"))
    assert p.returncode == 7, p.stderr            # attn with r3 = 7
    (r,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert r["interrupts"][0]["kind"] == "scv"
    assert "<before_scv>: scv 1  ->  0x0000000000017020 <scv1_handler> (system_call_vectored)" in p.stderr


def test_version():
    p = ppcvec("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"ppcvec {harness.__version__}"


def test_empty_source_is_one_line_and_exit_2(tmp_path):
    src = tmp_path / "empty.S"
    src.write_text("")
    p = ppcvec("run", str(src))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip() == f"{src}: empty image (the source assembles to no bytes)"
