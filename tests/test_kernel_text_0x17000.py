"""Real 0x17000 holds kernel text on both hosts, as in Linux (irq.c's do_IRQ;
guest_images/include/irq.inc), and an scv delivered there runs that text in
real mode with the caller's r1 and r13: the crash is whatever it leads to,
bounded by the instruction budget, and the diagnosis starts from the scv's
event, not from the symptom."""
import json
import subprocess
import sys

import pytest

from harness.run.report import insn_text
from harness.scenarios.core import MAX_INSNS, build, read_results, run_scenario

S1 = "pseries-host-user-scv-during-pr-vm"
WHATIF = "powernv-what-if-host-fscr-in-guest"
USER_TLS_TP = 0x00007FFFB7FFF000          # linux.inc: the processes' thread pointer


@pytest.mark.parametrize("name", [S1, "powernv-pr-guest-scv"])
def test_do_irq_spans_0x17000_on_both_hosts(name):
    image, _ = build(name, "none", "power9")
    sym = image.symbols
    assert sym["__do_irq"] < sym["__do_IRQ"] < sym["do_IRQ"] < 0x17000
    word = int.from_bytes(image.data[0x17000:0x17004], "big")
    assert word != 0 and insn_text(word, 0x17000) == "mr r3, r31"      # do_IRQ's call setup
    nxt = int.from_bytes(image.data[0x17004:0x17008], "big")
    assert insn_text(nxt, 0x17004) == f"bl {sym['__do_IRQ']:#x}"
    # the entry points of scv 0 and scv 1 (0x17000 + LEV*0x20) are do_IRQ's text
    assert all(image.data[a:a + 4] != b"\0\0\0\0" for a in range(0x17000, 0x17030, 4))


def test_pseries_crash_runs_do_irq_and_machine_checks_on_the_thread_pointer():
    sr = run_scenario(S1, "none", "power9")
    r = sr.result
    (scv,) = [e for e in r.interrupts if e.kind == "scv" and e.vector == 0x17000]
    nxt = [e for e in r.interrupts if e.cpu == scv.cpu and e.seq > scv.seq][0]
    assert nxt.insn_addr != 0x17000 and nxt.insn is not None and nxt.insn != 0
    assert nxt.kind == "mce" and nxt.insn_addr == r.symbols["__do_IRQ"] + 0x18
    assert insn_text(nxt.insn, nxt.insn_addr) == "ld r9, 160(r13)"       # paca->data_offset
    assert nxt.dar == USER_TLS_TP + 0xA0 and "outside RAM" in nxt.reason
    assert nxt.insns - scv.insns == 9                                      # do_IRQ + __do_IRQ
    host = read_results(r)["host"]
    assert host["panic_r13"] == USER_TLS_TP                                # not the PACA
    assert 0x20000 <= host["panic_r1"] < 0x30000                           # the user stack
    assert r.insns < MAX_INSNS
    d = sr.diagnosis
    assert d.index("was delivered to real 0x17000") < d.index("do_IRQ+0x28") \
        < d.index("machine_check") < d.index("kernel panic")
    assert "r13=0x7fffb7fff000 (the caller's thread pointer, not the PACA)" in d
    assert "9 instructions later `ld r9, 160(r13)`" in d


def test_powernv_whatif_crash_runs_the_same_text():
    sr = run_scenario(WHATIF, "none", "power9")
    assert sr.outcome == "host-crash"
    host = read_results(sr.result)["host"]
    assert host["panic_vec"] == 0x200 and host["panic_r13"] == USER_TLS_TP
    assert 0x30000 <= host["panic_r1"] < 0x34000                           # the guest's stack
    assert "do_IRQ+0x28 (arch/powerpc/kernel/irq.c)" in sr.diagnosis


def test_partition_boot_cpu_takes_the_machine_check_and_panics_after_the_scv():
    """pseries-guest-requests-ail3: "QEMU" runs on the boot CPU; the partition
    runs with MSR[ME]=1 (the hypervisor forces it, as KVM does), so the machine
    check in __do_IRQ reaches 0x200 and the kernel panics: a host crash that the
    diagnosis explains."""
    sr = run_scenario("pseries-guest-requests-ail3", "none", "power9")
    assert sr.outcome == "host-crash" and sr.result.outcome == "poweroff"
    host = read_results(sr.result)["host"]
    assert host["panic_vec"] == 0x200 and host["panic_r13"] == USER_TLS_TP
    assert "do_IRQ+0x28" in sr.diagnosis and "took machine_check (0x200" in sr.diagnosis
    assert "kvmppc_core_init_vm_pr" in sr.diagnosis


def test_acceptance_json():
    def run(fix):
        p = subprocess.run([sys.executable, "-m", "harness.cli", "scenario", "run", S1, "--cpu",
                            "power9", "--fix", fix, "--json"], capture_output=True, text=True,
                           timeout=60)
        return p.returncode, json.loads(p.stdout)
    rc, d = run("none")
    assert rc == 0 and d["outcome"] == "host-crash"
    evs = d["interrupts"]
    (i,) = [k for k, e in enumerate(evs) if e["kind"] == "scv"
            and int(e["vector"], 16) == 0x17000]
    nxt = [e for e in evs[i + 1:] if e["cpu"] == evs[i]["cpu"]][0]
    assert not (int(nxt["insn_addr"], 16) == 0x17000 and nxt["insn"] in (None, "0x00000000"))
    assert "H_SET_MODE" in d["diagnosis"] and "kvmppc_core_init_vm_pr" in d["diagnosis"]
    rc, d = run("all")
    assert rc == 0 and d["outcome"] == "ok"
