"""--check-invariants on every scenario of both platforms: two levels.
*exposed*: problem-state or guest code runs where an scv would reach 0x17000
(pseries without the fix; the PowerNV what-if); *latent*: only kernel code
runs in that state (PowerNV without the vcpu_load/put hunk, upstream's shadow
FSCR keeping the guest itself safe).  Each is reported with the write that
created it, before any scv reaches 0x17000."""
import json
import subprocess
import sys

import pytest

from harness.scenarios.core import SCENARIOS, run_scenario

# scenario -> the level --fix none reports on POWER9 (None: no hazard at all)
LEVEL = {
    "pseries-host-user-scv-during-pr-vm": "exposed",
    "pseries-guest-requests-ail3": "exposed",
    "pseries-kexec-scv": "exposed",
    "pseries-radix-host": None,                    # AIL is never turned off
    "powernv-what-if-host-fscr-in-guest": "exposed",
    "powernv-pr-guest-scv": "latent",
    "powernv-host-user-scv": "latent",
    "powernv-host-user-scv-other-cpu": "latent",
    "powernv-radix-host": None,                    # PR KVM refuses to load
}


def levels(sr):
    return {h["level"] for h in sr.result.hazards}


def test_every_scenario_has_an_expected_level():
    assert sorted(LEVEL) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(n for n in LEVEL if LEVEL[n] == "exposed"))
def test_exposed_without_fix_and_not_with_it(name):
    bad = run_scenario(name, "none", "power9", check_invariants=True)
    exposed = [h for h in bad.result.hazards if h["level"] == "exposed"]
    assert exposed, bad.result.hazards
    h = exposed[0]
    assert h["message"].startswith("exposed: ") and "0x17000" in h["message"]
    assert h["created_by"]
    crash = [e for e in bad.result.interrupts if e.kind == "scv" and e.vector == 0x17000]
    if crash:
        assert h["seq"] < crash[0].seq                   # reported before the scv ran
    good = run_scenario(name, "all", "power9", check_invariants=True)
    assert "exposed" not in levels(good), good.result.hazards


@pytest.mark.parametrize("name", sorted(n for n in LEVEL if n.startswith("powernv")
                                        and LEVEL[n] == "latent"))
def test_powernv_latent_without_vcpu_load_hunk_silent_with_it(name):
    bad = run_scenario(name, "none", "power9", check_invariants=True)
    assert levels(bad) == {"latent"}, bad.result.hazards
    (h,) = bad.result.hazards
    assert h["cpu"] == 0 and h["message"].startswith("latent: cpu0: kernel code")
    # seen when the trampoline switches to real mode, before it loads the shadow FSCR
    assert h["symbol"].startswith("kvmppc_handler_trampoline_enter") and h["insn"] == "mtmsrd r4"
    lpcr = [w for w in h["created_by"] if w["spr"] == "lpcr"][0]
    assert lpcr["symbol"] == "kvmppc_core_vcpu_load_pr_mtlpcr"
    assert not [e for e in bad.result.interrupts if 0x17000 <= e.vector < 0x18000]
    assert run_scenario(name, "vcpu_load_put", "power9",
                        check_invariants=True).result.hazards == []
    assert run_scenario(name, "all", "power9", check_invariants=True).result.hazards == []


def test_whatif_is_latent_then_exposed():
    sr = run_scenario("powernv-what-if-host-fscr-in-guest", "none", "power9",
                      check_invariants=True)
    assert [h["level"] for h in sr.result.hazards] == ["latent", "exposed"]
    assert sr.result.hazards[1]["symbol"] == "kvmppc_handler_trampoline_enter_rfid"


def test_pseries_hazard_names_the_hypercall_of_the_other_cpu():
    sr = run_scenario("pseries-host-user-scv-during-pr-vm", "none", "power10",
                      check_invariants=True)
    (h,) = [h for h in sr.result.hazards if h["level"] == "exposed"]
    assert h["cpu"] == 1
    lpcr = [w for w in h["created_by"] if w["spr"] == "lpcr"][0]
    assert lpcr["source"] == "hcall H_SET_MODE by cpu0"
    assert lpcr["symbol"].startswith("plpar_set_mode_addr_trans")


def test_hazard_reported_even_when_nobody_executes_scv():
    # PowerNV host process + guest without scv: no crash, but the state is latent
    sr = run_scenario("powernv-host-user-scv", "none", "power9", check_invariants=True)
    assert sr.outcome == "ok" and levels(sr) == {"latent"}
    assert not [e for e in sr.result.interrupts if e.vector == 0x17000]
    # pseries: exposed as soon as CPU 0's VM disabled AIL, before cpu1's process
    # makes its first system call
    sr = run_scenario("pseries-host-user-scv-during-pr-vm", "none", "power9",
                      check_invariants=True)
    (h,) = [h for h in sr.result.hazards if h["level"] == "exposed"]
    first_scv = [e for e in sr.result.interrupts if e.kind == "scv" and e.cpu == 1][0]
    assert h["seq"] < first_scv.seq and h["insn"] == "rfid"


@pytest.mark.parametrize("name", sorted(n for n in LEVEL if LEVEL[n] is None))
def test_safe_scenarios_never_have_the_hazard(name):
    for fix in ("none", "all"):
        assert run_scenario(name, fix, "power9", check_invariants=True).result.hazards == []


def test_cli_scenario_json_hazards_list():
    cmd = [sys.executable, "-m", "harness.cli", "scenario", "run", "pseries-kexec-scv",
           "--check-invariants", "--json", "--fix"]
    d = json.loads(subprocess.run(cmd + ["none"], capture_output=True, text=True,
                                  timeout=60).stdout)
    assert isinstance(d["hazards"], list)
    assert (d["hazards"][0]["cpu"], d["hazards"][0]["level"]) == (1, "exposed")
    d = json.loads(subprocess.run(cmd + ["all"], capture_output=True, text=True,
                                  timeout=60).stdout)
    # with 21a741eb75f8 only the kexec'ing kernel itself runs with AIL=0 (latent)
    assert [h["level"] for h in d["hazards"]] == ["latent"]
