"""--check-invariants on every scenario of both platforms: the scv/AIL hazard
is reported without the fix - before any scv reaches 0x17000, with the write
that created it - and never with the fix."""
import json
import subprocess
import sys

import pytest

from harness.scenarios.core import SCENARIOS, run_scenario

# The radix host never turns AIL off; with upstream's shadow FSCR the guest never
# runs with FSCR[SCV]=1: neither ever has the hazard.
SAFE = {"pseries-radix-host", "powernv-pr-guest-scv-upstream-fscr"}
HAZARDOUS = sorted(n for n in SCENARIOS if n not in SAFE)


@pytest.mark.parametrize("name", HAZARDOUS)
def test_hazard_without_fix_none_with_fix(name):
    bad = run_scenario(name, "none", "power9", check_invariants=True)
    assert bad.result.hazards, name
    h = bad.result.hazards[0]
    assert "0x17000" in h["message"] and h["created_by"]
    crash = [e for e in bad.result.interrupts if e.kind == "scv" and e.vector == 0x17000]
    if crash:
        assert h["seq"] < crash[0].seq                   # reported before the scv ran
    good = run_scenario(name, "all", "power9", check_invariants=True)
    assert good.result.hazards == [], good.result.hazards


def test_pseries_hazard_names_the_hypercall_of_the_other_cpu():
    sr = run_scenario("pseries-host-user-scv-during-pr-vm", "none", "power10",
                      check_invariants=True)
    (h,) = sr.result.hazards
    assert h["cpu"] == 1
    lpcr = [w for w in h["created_by"] if w["spr"] == "lpcr"][0]
    assert lpcr["source"] == "hcall H_SET_MODE by cpu0"
    assert lpcr["symbol"].startswith("plpar_set_mode_addr_trans")


def test_hazard_reported_even_when_nobody_executes_scv():
    # PowerNV host process + guest without scv: no crash, but the state is unsafe
    sr = run_scenario("powernv-host-user-scv", "none", "power9", check_invariants=True)
    assert sr.outcome == "ok" and sr.result.hazards
    assert not [e for e in sr.result.interrupts if e.vector == 0x17000]
    # pseries: the hazard exists as soon as CPU 0's VM disabled AIL, before
    # cpu1's process makes its first system call
    sr = run_scenario("pseries-host-user-scv-during-pr-vm", "none", "power9",
                      check_invariants=True)
    (h,) = sr.result.hazards
    first_scv = [e for e in sr.result.interrupts if e.kind == "scv" and e.cpu == 1][0]
    assert h["seq"] < first_scv.seq and h["insn"] == "rfid"


@pytest.mark.parametrize("name", sorted(SAFE))
def test_safe_scenarios_never_have_the_hazard(name):
    for fix in ("none", "all"):
        assert run_scenario(name, fix, "power9", check_invariants=True).result.hazards == []


def test_cli_scenario_json_hazards_list():
    cmd = [sys.executable, "-m", "harness.cli", "scenario", "run", "pseries-kexec-scv",
           "--check-invariants", "--json", "--fix"]
    d = json.loads(subprocess.run(cmd + ["none"], capture_output=True, text=True,
                                  timeout=60).stdout)
    assert isinstance(d["hazards"], list) and d["hazards"][0]["cpu"] == 1
    d = json.loads(subprocess.run(cmd + ["all"], capture_output=True, text=True,
                                  timeout=60).stdout)
    assert d["hazards"] == []
