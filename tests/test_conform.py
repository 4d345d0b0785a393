"""The differential conformance suite (docs/conformance.md): the programs in
harness/conform/programs/ run in ppcvec and under QEMU 7.2 and must agree except for
documented QEMU deviations.  The ppcvec-only tests below pin what the
programs observe, so they also fail when no QEMU is installed."""
import pytest

from harness.conform import suite as conform
from harness.conform.deviations import Context, find_deviation
from harness.conform.qmp import QmpError, parse_xp

QEMU = conform.find_qemu()
needs_qemu = pytest.mark.skipif(
    QEMU is None, reason="qemu-system-ppc64 not installed (Debian package qemu-system-ppc): "
                         "conformance against QEMU skipped")

PROGRAMS = {p.name: p for p in conform.discover()}
MMU = conform.default_ppcvec_mmu(None)


def ppcvec_run(name, machine):
    prog = PROGRAMS[name]
    return conform.run_ppcvec(prog, machine, "identity" if prog.mmu == "off" else MMU)


# ---------------------------------------------------------------- against QEMU

CASES = [(p.name, m) for p in PROGRAMS.values() for m in conform.MACHINES if m in p.machines]


@needs_qemu
@pytest.mark.parametrize("name,machine", CASES, ids=[f"{n}[{m}]" for n, m in CASES])
def test_program_agrees_with_qemu(name, machine):
    """One program on one machine, ppcvec against QEMU 7.2: every recorded field
    agrees or differs only by a documented QEMU deviation."""
    r = conform.run_one(PROGRAMS[name], machine, QEMU, MMU)
    table = "\n".join(conform.table_lines(conform.SuiteResult([r]), diff_only=True)[2:])
    assert r.status in ("agree", "deviation"), f"{r.status}: {r.reason}\n{table}"


@needs_qemu
def test_documented_deviations_are_all_exercised():
    """The suite as a whole: every documented deviation is seen (a fixed QEMU
    would be noticed), on all three machines, POWER8 included."""
    suite = conform.run_suite(list(PROGRAMS.values()), QEMU, ppcvec_mmu=MMU)
    assert not [r for r in suite.results if r.status == "skipped"]
    machines = {r.machine for r in suite.results}
    assert machines == {"powernv8", "powernv9", "powernv10"}
    # the documented deviations are really exercised (the suite would notice a fixed QEMU)
    seen = {row.agree for r in suite.results for row in r.rows if row.agree.startswith("dev:")}
    assert seen == {"dev:heir-zero", "dev:attn-illegal", "dev:fscr-ic-or", "dev:p8-hail",
                    "dev:evirt-ignored", "dev:trace-srr1-33", "dev:rfid-traced",
                    "dev:hdbell-guest-ee", "dev:fscr-unimplemented"}
    # POWER8 runs MMU-on programs too (hash), and HV=0 guest programs run everywhere
    ran = {(r.program.name, r.machine) for r in suite.results}
    assert ("hash_user_mfmsr", "powernv8") in ran and ("guest_sc1_real", "powernv8") in ran


@needs_qemu
def test_qemu_run_reads_results_through_qmp():
    obs = conform.run_qemu(PROGRAMS["scv_fscr_off"], "powernv9", QEMU)
    assert obs.outcome == "done" and obs.done
    assert len(obs.records) == 1
    assert obs.records[0]["slot"] == 0xF60 and obs.records[0]["fscr"] >> 56 == 12


@needs_qemu
def test_cli_conform_exit_zero_and_table(capsys):
    from harness.cli import main
    rc = main(["conform", "-k", "scv_ail3_mmuoff", "--machine", "powernv9"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "scv_ail3_mmuoff[powernv9]  #0.slot     0x00000000000170a0  0x00000000000170a0  yes" in out
    assert "1 program runs: 1 agree" in out


# ---------------------------------------------------------------- ppcvec side alone

@pytest.mark.parametrize("name,machine,slot", [
    ("sc", "powernv8", 0xC00),
    ("scv0", "powernv9", 0x17000),
    ("scv127", "powernv10", 0x17FE0),
    ("scv0", "powernv8", 0xE40),                       # POWER8 has no scv
    ("scv_fscr_off", "powernv9", 0xF60),
    ("radix_sc_ail2", "powernv9", 0x18C00),
    ("radix_sc_ail2", "powernv10", 0xC00),             # AIL=2 reserved on v3.1
    ("radix_scv_ail3", "powernv9", 0xC000000000003000),
    ("radix_scv_ail3", "powernv10", 0x17000),          # HV->HV needs HAIL on POWER10
    ("radix_scv_hail", "powernv10", 0xC000000000003040),
    ("user_scv_ail0", "powernv9", 0x17000),            # PR-KVM crash state (P1)
    ("user_mfmsr", "powernv10", 0xC000000000004700),
    # hash MMU (POWER8 SDR1; POWER9/10 LPCR[HR]=0)
    ("hash_sc_ail3", "powernv8", 0xC000000000004C00),  # QEMU 7.2: 0xc00 (p8-hail)
    ("hash_sc_ail2", "powernv9", 0x18C00),
    ("hash_scv_ail3", "powernv8", 0xC000000000004E40),  # no scv on POWER8
    ("hash_user_scv", "powernv9", 0xC000000000003000),
    ("hash_user_mfmsr", "powernv8", 0xC000000000004700),
    ("hash_heai_hail", "powernv10", 0xC000000000004E40),
    # hypervisor decrementer
    ("hdec", "powernv8", 0x980),
    ("hdec_guest", "powernv10", 0x980),
    # HV=0 guests
    ("guest_sc1_real", "powernv9", 0xC00),
    ("guest_hrfid", "powernv9", 0x700),                # Program[PRIV] with LPCR[EVIRT]=0
    ("guest_mtlpcr_evirt", "powernv9", 0xE40),
    ("guest_sc1_ail3", "powernv9", 0xC000000000004C00),  # radix HR=1: 0->1 may use AIL
    ("guest_sc1_ail3", "powernv8", 0xC00),             # hash HR=0: no AIL on 0->1
    ("guest_hash_sc1_ail3", "powernv9", 0xC00),
    ("guest_heai_hail_real", "powernv10", 0xC000000000004E40),  # P10 escalation: HAIL, MMU off
    ("guest_scv_ail3", "powernv10", 0xC000000000003000),
])
def test_program_lands_in_expected_slot(name, machine, slot):
    obs = ppcvec_run(name, machine)
    assert obs.done and obs.records[0]["slot"] == slot


def test_sentinels_show_which_registers_scv_wrote():
    rec = ppcvec_run("scv1", "powernv9").records[0]
    assert rec["srr0"] == 0x5A5A0000000000A0 and rec["srr1"] == 0x5A5A0000000000A1
    assert rec["lr"] != 0x5A5A0000000000B0 and rec["ctr"] == 0x9000000000009002


def test_rfscv_returns_with_lr_and_ctr():
    obs = ppcvec_run("rfscv", "powernv9")
    assert [r["slot"] for r in obs.records] == [0x17000, 0xC00]
    assert obs.records[1]["srr1"] == obs.records[0]["ctr"]    # MSR came from CTR
    assert obs.records[1]["tag"] == 1


def test_hdec_records_hsrr_and_guest_msr():
    rec = ppcvec_run("hdec_guest", "powernv9").records[0]
    assert rec["hsrr1"] == 0x8000000000001002          # the guest MSR: HV=0, EE=0
    assert rec["msr"] & (1 << 60) and rec["srr0"] == 0x5A5A0000000000A0


def test_p8_hail_deviation_is_narrow():
    q = {"slot": 0xC00, "msr": 0x9000000000001000}
    p = {"slot": 0xC000000000004C00, "msr": 0x9000000000001030, "srr1": 0x9000000000001032,
         "hsrr1": 0, "lpcr": 0x1800008}
    ctx = lambda m, f: Context("x", m, f, 0, q[f], p[f], [q], [p], "idle")    # noqa: E731
    assert find_deviation(ctx("powernv8", "slot")).id == "p8-hail"
    assert find_deviation(ctx("powernv8", "msr")).id == "p8-hail"
    assert find_deviation(ctx("powernv9", "slot")) is None
    p["lpcr"] = 0x8                                     # AIL=0: both tables say 0xc00
    assert find_deviation(ctx("powernv8", "slot")) is None


def test_attn_ends_the_ppcvec_run():
    obs = ppcvec_run("attn", "powernv9")
    assert obs.outcome == "attn" and not obs.done and obs.records == []


# ---------------------------------------------------------------- pieces

def test_parse_xp():
    text = "0000000000070000: 0x434f4e46444f4e45 0x0000000000000001\r\n0000000000070010: 0x00000000000000ff\r\n"
    assert parse_xp(text, 3) == [0x434F4E46444F4E45, 1, 0xFF]
    with pytest.raises(QmpError):
        parse_xp(text, 4)


def _ctx(field, q, p, qrecs=(), precs=(), outcome="idle", index=0):
    return Context("x", "powernv9", field, index, q, p, list(qrecs), list(precs), outcome)


def test_heir_deviation_only_after_heai():
    heai = {"slot": 0xE40}
    assert find_deviation(_ctx("heir", 0, 0x12345678, precs=[heai])).id == "heir-zero"
    assert find_deviation(_ctx("heir", 0, 0x12345678, precs=[{"slot": 0x700}])) is None
    assert find_deviation(_ctx("heir", 5, 0x12345678, precs=[heai])) is None


def test_fscr_ic_or_deviation_is_narrow():
    assert find_deviation(_ctx("fscr", 0x0D << 56, 0x0C << 56)).id == "fscr-ic-or"
    assert find_deviation(_ctx("fscr", 0x0C << 56, 0x0D << 56)) is None      # not a superset
    # other (implemented: TAR) bits differ; an unimplemented bit such as FP (1) is
    # fscr-unimplemented, which may combine with the OR
    assert find_deviation(_ctx("fscr", (0x0D << 56) | 0x100, 0x0C << 56)) is None


def test_cli_conform_without_qemu_is_one_line_exit_2(capsys):
    from harness.cli import main
    rc = main(["conform", "--qemu", "/nonexistent/qemu-system-ppc64"])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "not found" in err


def test_cli_conform_unknown_pattern_exit_2(capsys):
    from harness.cli import main
    rc = main(["conform", "-k", "no-such-program-xyz"] + (["--qemu", QEMU] if QEMU else []))
    assert rc == 2


def test_undocumented_disagreement_fails():
    prog = PROGRAMS["sc"]
    p = ppcvec_run("sc", "powernv9")
    q = conform.Observation(p.done, [dict(p.records[0], srr1=p.records[0]["srr1"] ^ 0x8000)], "done")
    rows = conform.compare(prog, "powernv9", q, p)
    assert [r.field for r in rows if r.agree == "NO"] == ["#0.srr1"]
    assert conform.status_of(rows) == "DISAGREE"
    assert conform.SuiteResult([conform.ProgramResult(prog, "powernv9", "DISAGREE", rows)]).failures
