"""`ppcvec conform --fuzz`: seeded random differential programs against QEMU
7.2 (harness/conform/fuzz.py, docs/conformance.md).  A fixed seed and a few
hundred programs over POWER8/9/10 must give no disagreement that a documented
QEMU deviation does not explain, and must exercise every state dimension and
instruction class.  The generator itself is checked without QEMU."""
import json
import subprocess
import sys

import pytest

from harness.conform import fuzz
from harness.conform.suite import find_qemu

QEMU = find_qemu()
needs_qemu = pytest.mark.skipif(QEMU is None, reason="qemu-system-ppc64 not installed")
SEED, N = 20260101, 300


def test_generator_is_deterministic():
    a = [p.describe() for p in fuzz.generate(7, 40)]
    b = [p.describe() for p in fuzz.generate(7, 40)]
    assert a == b and a != [p.describe() for p in fuzz.generate(8, 40)]


def test_same_programs_give_the_same_image_bytes():
    progs = fuzz.generate(3, 12, ("powernv9",))
    assert fuzz.build_image(progs, "powernv9").data == fuzz.build_image(progs, "powernv9").data


def test_ppcvec_runs_a_batch_to_its_end_and_records_every_program():
    progs = fuzz.generate(5, 30, ("powernv10",))
    for i, p in enumerate(progs):
        p.index = i
    done, results, outcome, detail = fuzz.run_ppcvec_batch(fuzz.build_image(progs, "powernv10"),
                                                           "powernv10", len(progs))
    assert done, (outcome, detail)
    # every program ran: its registers were stored by the frame when it ended
    assert all(len(regs) == 5 for _, regs in results)


@needs_qemu
def test_fixed_seed_has_no_undocumented_disagreement():
    run = fuzz.run_fuzz(N, SEED, QEMU)
    assert not run.errors, run.errors
    bad = [r for r in run.failures]
    assert not bad, "\n".join(fuzz.report_lines(fuzz.FuzzRun(SEED, bad, {}, [])))
    cov = run.coverage
    for key in ("machine=powernv8", "machine=powernv9", "machine=powernv10",
                "state=hypervisor", "state=guest-supervisor", "state=problem",
                "state=problem-guest", "mmu=real", "mmu=radix", "mmu=hash", "lpcr.ail=0",
                "lpcr.ail=2", "lpcr.ail=3", "lpcr.hail=1", "lpcr.evirt=1", "lpid=1",
                "msr.ee=1", "msr.ri=0", "fscr=random", "hfscr=random",
                "insn=mfspr", "insn=mtspr", "insn=sc", "insn=sc1", "insn=scv", "insn=rfid",
                "insn=hrfid", "insn=mtmsrd0", "insn=mtmsrd1", "insn=mfmsr", "insn=trap",
                "insn=illegal", "insn=storage", "insn=msgclrp", "insn=tlbiel", "insn=stop"):
        assert cov.get(key, 0) > 0, key
    assert any(r.status == "agree" for r in run.results)


@needs_qemu
def test_cli_prints_coverage_and_json():
    p = subprocess.run([sys.executable, "-m", "harness.cli", "conform", "--fuzz", "24", "--seed",
                        "9", "--json"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr + p.stdout
    doc = json.loads(p.stdout)
    assert doc["seed"] == 9 and doc["programs"] == 24 and doc["summary"]["DISAGREE"] == 0
    assert doc["coverage"]["machine=powernv9"] == 8


def test_cli_rejects_a_non_positive_count():
    p = subprocess.run([sys.executable, "-m", "harness.cli", "conform", "--fuzz", "0"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0 and "fuzz" in p.stderr
