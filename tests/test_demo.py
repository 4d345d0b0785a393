"""`make demo` (python -m harness.scenarios.demo): it leads with the pseries
crash, and what it prints is what the same runs report through the CLI."""
import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PSERIES = "pseries-host-user-scv-during-pr-vm"


def _run(*args):
    p = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode in (0, 1), p.stderr
    return p.stdout


@pytest.fixture(scope="module")
def demo():
    out = _run("-m", "harness.scenarios.demo")
    blocks = {}
    cur = None
    for line in out.splitlines():
        if line.startswith("== "):
            cur = line
            blocks[cur] = []
        elif cur is not None:
            blocks[cur].append(line)
    return out, list(blocks.items())


@pytest.fixture(scope="module")
def runs():
    return {fix: json.loads(_run("-m", "harness.cli", "scenario", "run", PSERIES, "--cpu",
                                 "power9", "--fix", fix, "--json"))
            for fix in ("none", "all")}


def _line(lines, pattern):
    hits = [m for m in (re.search(pattern, ln) for ln in lines) if m]
    assert hits, f"no line matches {pattern!r} in {lines}"
    return hits[0]


def test_first_scenario_printed_is_pseries_without_fix(demo):
    _, blocks = demo
    assert blocks[0][0].startswith(f"== {PSERIES} on POWER9, --fix none: host-crash")
    assert blocks[1][0].startswith(f"== {PSERIES} on POWER9, --fix all: ok")


def test_powernv_block_follows_the_pseries_runs(demo):
    _, blocks = demo
    assert len(blocks) == 3 and blocks[2][0].startswith("== PowerNV")
    assert any("defence in depth" in ln for ln in [blocks[2][0], *blocks[2][1]])
    assert any("what-if" in ln for ln in blocks[2][1])


def test_crash_facts_match_the_run(demo, runs):
    _, blocks = demo
    lines = blocks[0][1]
    r = runs["none"]
    assert r["outcome"] == "host-crash"
    (scv,) = [e for e in r["interrupts"] if e["kind"] == "scv"
              and int(e["vector"], 16) == 0x17000]
    m = _line(lines, r"cpu(\d+) `scv 0` at (0x[0-9a-f]+) .* -> real (0x[0-9a-f]+) .*AIL=(\d)")
    assert int(m[1]) == scv["cpu"] and int(m[2], 16) == int(scv["insn_addr"], 16)
    assert int(m[3], 16) == 0x17000 and int(m[4]) == scv["ail"] == 0
    (ail0,) = [h for h in r["hcalls"] if h["name"] == "H_SET_MODE" and int(h["args"][0], 16) == 0]
    m = _line(lines, r"cpu(\d+) H_SET_MODE\(mflags=0, resource=3\)")
    assert int(m[1]) == ail0["cpu"] != scv["cpu"]
    assert _line(lines, r"called from (\S+) -> pseries_disable_reloc_on_exc")[1] == \
        "kvmppc_core_init_vm_pr"
    assert _line(lines, r"diagnosis: (.*)")[1] == r["diagnosis"]


def test_fixed_run_facts_match_the_run(demo, runs):
    _, blocks = demo
    lines = blocks[1][1]
    r = runs["all"]
    assert r["outcome"] == "ok"
    assert not any(0x17000 <= int(e["vector"], 16) < 0x18000 for e in r["interrupts"])
    assert any(ln.strip() == "interrupts delivered to real 0x17000: none" for ln in lines)
    (fu,) = [e for e in r["interrupts"] if e["kind"] == "fu"]
    m = _line(lines, r"cpu(\d+) stray `scv` at (0x[0-9a-f]+) .*FSCR\[IC\]=(\d+)\), AIL=(\d)")
    assert int(m[1]) == fu["cpu"] and int(m[2], 16) == int(fu["insn_addr"], 16)
    assert int(m[3]) == 12 and int(m[4]) == fu["ail"] == 0
    hw = int(_line(lines, r"AT_HWCAP2=(0x[0-9a-f]+) \(without PPC_FEATURE2_SCV\)")[1], 16)
    assert hw == int(r["results"]["host"]["hwcap2"], 16) and not hw & 0x00100000
    assert _line(lines, r"diagnosis: (.*)")[1] == r["diagnosis"]


def test_crash_says_what_ran_at_0x17000(demo, runs):
    _, blocks = demo
    r = runs["none"]
    (i,) = [k for k, e in enumerate(r["interrupts"]) if e["kind"] == "scv"
            and int(e["vector"], 16) == 0x17000]
    nxt = [e for e in r["interrupts"][i + 1:] if e["cpu"] == r["interrupts"][i]["cpu"]][0]
    m = _line(blocks[0][1], r"real 0x17000 is kernel text, <(\S+)>: (\d+) instructions later "
                            r"(\w+) at (0x[0-9a-f]+)")
    assert m[1] == "do_IRQ+0x28" and m[3] == nxt["name"] == "machine_check"
    assert int(m[4], 16) == int(nxt["insn_addr"], 16)


def test_powernv_block_upstream_ok_whatif_crashes(demo):
    _, blocks = demo
    lines = blocks[2][1]
    for fix in ("none", "all"):
        assert _line(lines, rf"powernv-pr-guest-scv --fix {fix}: (\S+) .*FSCR\[IC\]=12")[1] == "ok"
    assert _line(lines, r"powernv-what-if-host-fscr-in-guest --fix none: (\S+)")[1] == "host-crash"
