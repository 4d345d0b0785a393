"""`ppcvec scenario bisect`: every subset of a scenario's fix hunks, checked
against the hunk table each fix is known for (Linux b5149e22, 839d893b,
21a741eb75f8)."""
import json
import subprocess
import sys

import pytest

from harness.scenarios.bisect import bisect, table_lines

# scenario -> (which hunks alone prevent the crash, minimal preventing combinations)
EXPECTED = {
    "pseries-host-user-scv-during-pr-vm": (["configure_exceptions"], [{"configure_exceptions"}]),
    # configure_exceptions alone: the guest's scv is refused (guest-sigill), not a crash
    "pseries-guest-requests-ail3": (["configure_exceptions"], [{"configure_exceptions"}]),
    "pseries-kexec-scv": (["default_machine_kexec"], [{"default_machine_kexec"}]),
    "pseries-radix-host": (["configure_exceptions"], [set()]),   # never crashes
    # upstream's shadow FSCR: the PowerNV guest scv never crashes (defence in depth)
    "powernv-pr-guest-scv": (["vcpu_load_put", "set_fscr"], [set()]),
    "powernv-host-user-scv-other-cpu": (["vcpu_load_put", "set_fscr"], [set()]),
    "powernv-what-if-host-fscr-in-guest": ([], [{"vcpu_load_put", "set_fscr"}]),
    "powernv-radix-host": (["vcpu_load_put", "set_fscr"], [set()]),       # no PR KVM at all
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hunk_table(name):
    b = bisect(name, "power9")
    alone, minimal = EXPECTED[name]
    assert all(r.outcome == r.expected for r in b.rows), [(r.label, r.outcome) for r in b.rows]
    assert b.alone() == alone
    assert sorted(map(sorted, b.minimal())) == sorted(map(sorted, minimal))
    assert len(b.rows) == 2 ** len(b.hunks)


def test_s1_table_text():
    lines = table_lines(bisect("pseries-host-user-scv-during-pr-vm", "power9"))
    assert lines[1].split()[:3] == ["configure_exceptions", "vcpu_load_put", "kvmppc_set_fscr"]
    rows = [ln.split() for ln in lines[2:10]]
    assert [r[:3] for r in rows if r[3] == "ok"] == [
        ["x", ".", "."], ["x", "x", "."], ["x", ".", "x"], ["x", "x", "x"]]
    assert all(r[3] == "host-crash" for r in rows if r[0] == ".")
    assert lines[-2] == "hunks that prevent the crash alone: configure_exceptions"


def test_cli_bisect_json_and_power8():
    p = subprocess.run([sys.executable, "-m", "harness.cli", "scenario", "bisect",
                        "pseries-kexec-scv", "--json"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert [(r["fix"], r["outcome"]) for r in d["rows"]] == [
        ([], "host-crash"), (["default_machine_kexec"], "ok")]
    assert d["alone"] == ["default_machine_kexec"]
    p = subprocess.run([sys.executable, "-m", "harness.cli", "scenario", "bisect",
                        "pseries-kexec-scv", "--cpu", "power8"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and "no crash even without the fix" in p.stdout
    p = subprocess.run([sys.executable, "-m", "harness.cli", "scenario", "bisect",
                        "pseries-radix-host", "--cpu", "power8"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr
