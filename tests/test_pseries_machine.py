"""The pseries machine: QEMU spapr boot convention, PAPR hypercalls handled by
the machine, RTAS, and HV=0 privilege rules.  Every program is machine code
running in the partition; results are read back from registers and memory."""
import struct

import fdt

from harness.run import RunOptions, run_image
from harness.loader.images import image_from_source

H_SUCCESS, H_FUNCTION, H_PRIVILEGE, H_P2, H_P3, H_P4, H_UNSUPPORTED_FLAG = 0, -2, -3, -55, -56, -57, -256
U64 = (1 << 64) - 1
RESULTS = 0x30000

# Partition entry: 0x100 in 32-bit real mode with MSR = 0; switch to 64-bit first.
PRELUDE = """
    .org 0x100
    li 0, 1
    sldi 0, 0, 63          # MSR[SF]
    mtmsrd 0
    b start
    .org 0x700
program_check:
    mfspr 30, 27           # SRR1
    mfspr 31, 26           # SRR0
    b .
    .org 0xe40
    b .
    .org 0x20000
start:
"""


def run(src, smp=1, cpu="power9", **hv):
    opts = RunOptions(machine="pseries", cpu=cpu, smp=smp, max_insns=200_000,
                      dumps=[(RESULTS, 0x100)], hv_options=hv or {})
    return run_image(image_from_source(PRELUDE + src), opts)


def hcall_set_mode(mflags, resource=3, v1=0, v2=0, slot=0):
    return f"""
    li 3, 0x31c            # H_SET_MODE
    li 4, {mflags}
    li 5, {resource}
    li 6, {v1}
    li 7, {v2}
    sc 1
    lis 9, {RESULTS}@h
    std 3, {8 * slot}(9)
"""


def results(r, n):
    data = r.dumps[RESULTS]
    return [struct.unpack_from(">q", data, 8 * i)[0] for i in range(n)]


def test_boot_convention_cpu0_at_0x100_msr0_r3_is_a_device_tree():
    src = """
    lwz 5, 0(3)            # FDT magic, r3 as handed over at boot
    lis 9, 0x3
    std 3, 0(9)
    std 5, 8(9)
    b .
"""
    r = run(src, smp=2)
    fdt_addr, magic = results(r, 2)
    assert magic == 0xD00DFEED
    assert r.cpus[1].state == "stopped"            # secondaries wait for RTAS start-cpu
    assert r.interrupts == []
    # the tree describes both CPUs, memory and the RTAS tokens
    from harness.run import prepare
    m, *_ = prepare(image_from_source(PRELUDE + "    b .\n"), RunOptions(machine="pseries", smp=2))
    tree = fdt.parse_dtb(m.ram.read(fdt_addr, 0x10000))
    cpus = tree.get_node("cpus")
    assert len(cpus.nodes) == 2 and {n.get_property("reg").value for n in cpus.nodes} == {0, 1}
    assert tree.get_node("rtas").get_property("start-cpu").value == 0x2006
    assert "hcall-set-mode" in tree.get_node("rtas").get_property("ibm,hypertas-functions").data


def test_h_set_mode_return_codes():
    src = "".join(hcall_set_mode(*a, slot=i) for i, a in enumerate([
        (0,), (1,), (2,), (3,), (3, 3, 1), (3, 3, 0, 1), (0, 7)])) + "    b .\n"
    r = run(src)
    assert results(r, 7) == [H_SUCCESS, H_UNSUPPORTED_FLAG, H_UNSUPPORTED_FLAG, H_SUCCESS,
                             H_P3, H_P4, H_P2]
    assert (r.spr("lpcr") >> 23) & 3 == 3       # the last accepted request: AIL=3


def test_h_set_mode_sets_ail_on_every_cpu_of_the_partition():
    r = run(hcall_set_mode(3) + "    b .\n", smp=3)
    assert [(c.spr["lpcr"] >> 23) & 3 for c in r.cpus] == [3, 3, 3]


def test_ail_mode_3_off_refuses_mflags_3():
    r = run(hcall_set_mode(3) + hcall_set_mode(0, slot=1) + "    b .\n", ail_mode_3=False)
    assert results(r, 2) == [H_UNSUPPORTED_FLAG, H_SUCCESS]
    assert (r.spr("lpcr") >> 23) & 3 == 0


def test_unknown_hcall_is_h_function():
    r = run("    li 3, 0x7fc\n    sc 1\n    lis 9, 0x3\n    std 3, 0(9)\n    b .\n")
    assert results(r, 1) == [H_FUNCTION]
    assert r.interrupts == []                     # handled by the machine, no 0xc00


def test_hypervisor_spr_in_partition_is_privileged_program():
    r = run("X: mtspr 318, 3\n    b .\n")
    e = r.interrupts[0]
    assert e.kind == "program" and e.vector == 0x700 and e.srr1 & 0x40000
    assert r.gpr(31) == r.symbols["X"]


def test_illegal_instruction_in_partition_is_program_illegal():
    r = run("X: .long 0\n    b .\n")
    e = r.interrupts[0]
    assert e.kind == "program" and e.vector == 0x700 and e.srr1 & 0x80000 and e.hsrr0 is None


def test_rtas_start_cpu_and_stop_self():
    src = f"""
    lis 4, rtas_args@h
    ori 4, 4, rtas_args@l
    li 3, 0
    ori 3, 3, 0xf000        # KVMPPC_H_RTAS
    sc 1
    lis 9, {RESULTS}@h
    lwa 5, 24(4)            # start-cpu status word
    std 5, 0(9)
    b .
secondary:                  # CPU 1 starts here with r3 from start-cpu
    lis 9, {RESULTS}@h
    std 3, 8(9)
    mfmsr 5
    std 5, 16(9)
    lis 4, stop_args@h
    ori 4, 4, stop_args@l
    li 3, 0
    ori 3, 3, 0xf000
    sc 1
    b .                     # never reached: stop-self
    .balign 8
rtas_args:
    .long 0x2006, 3, 1      # start-cpu(cpu 1, secondary, r3 = 0x55)
    .long 1, secondary, 0x55
    .long -1                # status
stop_args:
    .long 0x2007, 0, 1
    .long -1
"""
    r = run(src, smp=2)
    status, r3, msr = results(r, 3)
    assert status == 0 and r3 == 0x55
    assert msr & U64 == (1 << 63) | (1 << 12)          # started 64-bit with ME, real mode
    assert r.cpus[1].state == "stopped" and r.cpus[1].pc != r.symbols["secondary"]


def test_power_off_ends_the_run():
    src = """
    lis 4, args@h
    ori 4, 4, args@l
    li 3, 0
    ori 3, 3, 0xf000
    sc 1
    b .
    .balign 4
args:
    .long 0x2003, 2, 1, 5, 0, -1
"""
    r = run(src)
    assert r.outcome == "poweroff" and r.exit_code == 5


def test_cli_trace_shows_hypercalls_and_json_lists_them(tmp_path):
    import json
    import os
    import subprocess
    import sys
    src = tmp_path / "h.S"
    src.write_text(PRELUDE + hcall_set_mode(3) + "    b .\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = subprocess.run([sys.executable, "-m", "harness.cli", "run", str(src), "--machine", "pseries",
                        "--trace"], capture_output=True, text=True, timeout=60, cwd=root)
    assert p.returncode == 120, p.stderr        # outcome idle (the b .)
    assert "hcall" in p.stdout and "H_SET_MODE -> r3=0  LPCR[AIL]=3 on every CPU" in p.stdout
    p = subprocess.run([sys.executable, "-m", "harness.cli", "run", str(src), "--machine", "pseries",
                        "--json"], capture_output=True, text=True, timeout=60, cwd=root)
    (h,) = json.loads(p.stdout)["hcalls"]
    assert h["name"] == "H_SET_MODE" and h["ret"] == 0 and h["args"][:2] == [
        "0x0000000000000003", "0x0000000000000003"]
