"""Issue 6 acceptance: the pseries (HV=0 host) SCV/AIL crash scenarios S1/S2/G
and the kexec sibling, run end to end on guest_images/pseries/host.S."""
import json
import subprocess
import sys

import pytest

from progs import scenario_matrix
from harness.scenarios.core import get_scenario
from harness.scenarios.core import run_scenario
from harness.scenarios.pseries import read_pseries_results

S1 = "pseries-host-user-scv-during-pr-vm"
RADIX = "pseries-radix-host"
G = "pseries-guest-requests-ail3"
KEXEC = "pseries-kexec-scv"
FSCR_SCV = 1 << 12
PPC_FEATURE2_SCV = 0x00100000
LPCR_AIL = 3 << 23
LPCR_HR = 1 << 20


def scvs(sr, cpu=None):
    return [e for e in sr.result.interrupts if e.kind == "scv" and (cpu is None or e.cpu == cpu)]


@pytest.mark.parametrize("cpu", ["power9", "power10"])
def test_s1_without_fix_crashes_at_0x17000_on_the_cpu_that_did_not_create_the_vm(cpu):
    sr = run_scenario(S1, "none", cpu)
    assert sr.outcome == "host-crash" == sr.expected
    r = sr.result
    assert r.outcome == "poweroff" and r.exit_code == 0x50
    (crash,) = [e for e in scvs(sr) if e.vector == 0x17000]
    assert crash.cpu == 1 and crash.ail == 0 and crash.fscr & FSCR_SCV
    assert crash.insn_addr == r.symbols["internal_syscall"] + 0x24      # glibc's scv 0
    # cpu1's LPCR lost AIL through cpu0's H_SET_MODE(0): partition-wide
    w = [w for w in r.spr_writes if w.cpu == 1 and w.spr == "lpcr" and w.old & LPCR_AIL
         and not w.new & LPCR_AIL]
    assert len(w) == 1 and w[0].source == "hcall H_SET_MODE by cpu0"
    assert w[0].insn_addr & 0xFFFFFFF == r.symbols["plpar_set_mode_addr_trans"] + 0x14
    assert w[0].seq < crash.seq
    # before that, cpu0's process used the AIL=3 scv vector
    assert all(e.vector == 0xC000000000003000 for e in scvs(sr, cpu=0))
    # 0x17000 is do_IRQ's text: it runs until __do_IRQ loads through r13 (the
    # process' thread pointer), far outside RAM: a machine check, then the panic
    nxt = [e for e in r.interrupts if e.cpu == 1 and e.seq > crash.seq][0]
    assert nxt.kind == "mce" and nxt.vector == 0x200
    assert nxt.srr0 == nxt.insn_addr == r.symbols["__do_IRQ"] + 0x18
    host = read_pseries_results(r)["host"]
    assert (host["panic_cpu"], host["panic_vec"], host["panic_srr0"]) == (1, 0x200, nxt.srr0)
    assert "H_SET_MODE by cpu0" in sr.diagnosis and "kvmppc_core_init_vm_pr" in sr.diagnosis
    assert "partition-wide" in sr.diagnosis


def test_s2_with_fix_ok_hwcap2_without_scv_and_stray_scv_gets_ic12():
    sr = run_scenario(S1, "all", "power9")
    assert sr.outcome == "ok" == sr.expected
    r = sr.result
    assert r.outcome == "poweroff" and r.exit_code == 0
    res = read_pseries_results(r)
    assert not res["host"]["hwcap2"] & PPC_FEATURE2_SCV
    assert not res["host"]["init_fscr"] & FSCR_SCV
    u1 = res["user"][1]
    assert not u1["hwcap2"] & PPC_FEATURE2_SCV and u1["use_scv"] == 0
    assert u1["getpid_before"] == 101 and u1["badsys_errno"] == 38     # via sc
    # user FSCR[SCV]=0: the FSCR each process got, written at exec
    fscr = [w for w in r.spr_writes if w.spr == "fscr"
            and w.insn_addr & 0xFFFFFFF == r.symbols["start_user_process_mtfscr"]]
    assert fscr and all(not w.new & FSCR_SCV for w in fscr)
    # the stray scv: facility unavailable with IC=12, at 0xf60 (AIL=0 while the VM exists)
    (fu,) = [e for e in r.interrupts if e.kind == "fu"]
    assert fu.cpu == 1 and fu.insn_addr == r.symbols["stray_scv"]
    assert fu.vector in (0xF60, 0xC000000000004F60) and fu.fscr_ic == 12
    assert (u1["sig_no"], u1["sig_ic"], u1["sig_nip"]) == (4, 12, r.symbols["stray_scv"])
    assert not [e for e in r.interrupts if 0x17000 <= e.vector < 0x18000]
    assert "FSCR[IC]=12" in sr.diagnosis and "SIGILL" in sr.diagnosis


def test_s2_the_vm_still_disables_ail_partition_wide():
    r = run_scenario(S1, "all", "power9").result
    lp = [(w.cpu, w.new & LPCR_AIL) for w in r.spr_writes
          if w.spr == "lpcr" and w.source.startswith("hcall H_SET_MODE")]
    # boot: AIL=3 on both; VM created: AIL=0 on both; VM destroyed: AIL=3 again
    assert lp == [(0, LPCR_AIL), (1, LPCR_AIL), (0, 0), (1, 0), (0, LPCR_AIL), (1, LPCR_AIL)]


def test_power8_has_no_scv_everything_ok_with_sc():
    for name in (S1, G, KEXEC):
        sr = run_scenario(name, "none", "power8")
        assert sr.outcome == "ok" and sr.result.exit_code == 0, name
        assert not scvs(sr)
        assert not read_pseries_results(sr.result)["host"]["hwcap2"] & PPC_FEATURE2_SCV


@pytest.mark.parametrize("fix", ["none", "all"])
def test_radix_host_keeps_scv_and_never_disables_ail(fix):
    sr = run_scenario(RADIX, fix, "power9")
    assert sr.outcome == "ok" == sr.expected
    r = sr.result
    res = read_pseries_results(r)
    assert res["host"]["radix"] == 1 and res["host"]["hwcap2"] & PPC_FEATURE2_SCV
    assert res["host"]["vm_create_ret"] == (-5) & (2 ** 64 - 1)           # -EIO: no PR KVM
    assert all(c.spr["lpcr"] & LPCR_HR for c in r.cpus)                   # radix partition
    assert all(c.spr["lpcr"] & LPCR_AIL == LPCR_AIL for c in r.cpus)
    # every scv (both CPUs, including the hand-written one) is an ordinary syscall
    assert {e.cpu for e in scvs(sr)} == {0, 1}
    assert all(e.vector == 0xC000000000003000 for e in scvs(sr))
    assert res["user"][1]["getpid_after"] == 101


def test_guest_requests_ail3_refused_by_pr_kvm_then_runs_without_scv():
    sr = run_scenario(G, "all", "power9")
    assert sr.outcome == "ok"
    res = read_pseries_results(sr.result)
    g = res["guest"]
    assert g["setmode_ret"] == (-256 - 63) & (2 ** 64 - 1)     # H_UNSUPPORTED_FLAG_START - 63
    assert g["hwcap2"] == 0 and not g["fscr_readback"] & FSCR_SCV and g["used_scv"] == 0
    assert g["sc_getpid"] == 7 and g["done"] == 0
    assert res["host"]["guest_setmode_by"] == 1
    assert "kvmppc_h_pr_set_mode" in sr.diagnosis


@pytest.mark.parametrize("fix", ["configure_exceptions,kvmppc_set_fscr", "configure_exceptions"])
def test_guest_told_ail3_works_keeps_scv_and_gets_sigill(fix):
    """Without 839d893b the guest keeps SCV; upstream's shadow FSCR (never SCV)
    makes its scv a facility unavailable that PR KVM reflects: SIGILL in the
    guest, with or without the kvmppc_set_fscr hunk, never 0x17000."""
    sr = run_scenario(G, fix, "power9")
    assert sr.outcome == "guest-sigill" == sr.expected
    g = read_pseries_results(sr.result)["guest"]
    assert g["setmode_ret"] == 0 and g["used_scv"] == 1 and g["fu_ic"] == 12
    assert g["fu_srr0"] == sr.result.symbols["guest_user_scv"] and g["done"] == 132
    assert not [e for e in sr.result.interrupts if 0x17000 <= e.vector < 0x18000]


def test_kexec_crashes_without_the_2024_fix_and_not_with_it():
    bad = run_scenario(KEXEC, "none", "power9")
    assert bad.outcome == "host-crash"
    (crash,) = [e for e in scvs(bad) if e.vector == 0x17000]
    assert crash.cpu == 1
    assert "pseries_machine_kexec" in bad.diagnosis
    good = run_scenario(KEXEC, "all", "power9")
    assert good.outcome == "ok" and good.result.exit_code == 0
    host = read_pseries_results(good.result)["host"]
    assert host["new_kernel"] == 1 and host["kexec_stopped"] == 1
    assert good.result.cpus[1].state == "stopped"
    # AIL went off only after cpu1 stopped: its last scv used the AIL=3 vector
    off = [w for w in good.result.spr_writes if w.cpu == 1 and w.spr == "lpcr"
           and w.old & LPCR_AIL and not w.new & LPCR_AIL]
    assert off and all(e.seq < off[0].seq for e in scvs(good, cpu=1))


@scenario_matrix("pseries")
def test_every_declared_expectation_holds(name, cpu, fix):
    sr = run_scenario(name, frozenset(fix), cpu)
    assert sr.outcome == sr.expected, (name, cpu, fix, sr.diagnosis)


def test_cli_json_and_bad_fix():
    p = subprocess.run([sys.executable, "-m", "harness.cli", "scenario", "run", S1, "--fix",
                        "none", "--json"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["outcome"] == "host-crash" and d["machine_outcome"] == "poweroff"
    assert d["hazards"] == []                    # not asked for
    p = subprocess.run([sys.executable, "-m", "harness.cli", "scenario", "run", S1, "--fix",
                        "vcpu_load"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert get_scenario(RADIX).cpus == ("power9", "power10")


PS_PRELUDE = """
    .org 0x100
    li 0, 1
    sldi 0, 0, 63
    mtmsrd 0
    b start
    .org 0xc00
    mfspr 30, 26
    mfspr 31, 27
    b .
    .org 0x20000
start:
    lis 4, user@h
    ori 4, 4, user@l
    mtspr 26, 4
    li 4, 1
    sldi 4, 4, 63
    ori 4, 4, 0x4000
    mtspr 27, 4
    rfid
user:
    li 3, 0x31c
sc1:
    sc 1
    b .
"""


@pytest.mark.parametrize("mode", ["reflect", "privilege"])
def test_problem_state_sc1_is_reflected_to_the_partition_or_h_privilege(mode):
    from harness.loader.images import image_from_source
    from harness.run import RunOptions, run_image
    r = run_image(image_from_source(PS_PRELUDE), RunOptions(
        machine="pseries", mmu="identity", max_insns=10_000,
        hv_options={"problem_state_hcall": mode}))
    if mode == "reflect":      # a PR-KVM host in the partition gets its guest's hcall
        (e,) = r.interrupts
        assert e.kind == "sc" and e.vector == 0xC00 and e.lev == 1
        assert r.gpr(30) == r.symbols["sc1"] + 4 and r.gpr(31) & 0x4000
        assert not r.cpus[0].msr & (1 << 60)               # still HV=0
    else:                      # QEMU TCG's answer
        assert r.interrupts == [] and r.gpr(3) == (-3) & (2 ** 64 - 1)


def test_scenario_runs_are_deterministic():
    a = run_scenario(G, "configure_exceptions,kvmppc_set_fscr", "power10", check_invariants=True)
    b = run_scenario(G, "configure_exceptions,kvmppc_set_fscr", "power10", check_invariants=True)
    assert json.dumps(a.to_json_dict()) == json.dumps(b.to_json_dict())
