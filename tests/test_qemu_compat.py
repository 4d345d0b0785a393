"""`ppcvec-qemu-system-ppc64` driven as kvm-unit-tests' scripts drive QEMU: in a
subprocess, with QEMU's options; kernels are small ELF images assembled here."""
import os
import subprocess
import sys

from harness.toolchain.asm import assemble
from harness.toolchain.elf import write_elf
from progs import RTAS_POWER_OFF

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def qemu(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "harness.cli.qemu_compat", *args], cwd=ROOT,
                          capture_output=True, timeout=timeout)


def kernel(tmp_path, src, name="k.elf"):
    """A position-independent kernel linked at 0, as kvm-unit-tests builds them."""
    path = tmp_path / name
    path.write_bytes(write_elf(assemble(src).image, base=0, entry=0))
    return str(path)


# pseries: print "ok\n" on the vty, then RTAS power-off through H_RTAS
PSERIES_HELLO = """
    li 0, 1
    sldi 0, 0, 63
    mtmsrd 0
    li 3, 0x58             # H_PUT_TERM_CHAR
    li 4, 0
    li 5, 3
    lis 6, 0x6f6b          # "ok\\n"
    ori 6, 6, 0x0a00
    sldi 6, 6, 32
    sc 1
""" + RTAS_POWER_OFF + "    b .\n"

# powernv: OPAL CONSOLE_WRITE of "nv\\n" then CEC_POWER_DOWN (entry in r9, as skiboot passes it)
POWERNV_HELLO = """
    lis 20, 0x21000000@h   # scratch at 0x21000000
    li 5, 3
    std 5, 0(20)           # length
    lis 5, 0x6e76
    ori 5, 5, 0x0a00
    stw 5, 8(20)           # "nv\\n"
    mtctr 9
    li 0, 1                # OPAL_CONSOLE_WRITE
    li 3, 0
    mr 4, 20
    addi 5, 20, 8
    bctrl
    mtctr 9
    li 0, 5                # OPAL_CEC_POWER_DOWN
    li 3, 0
    bctrl
    b .
"""


def test_help_first_line_names_qemu_and_a_version_the_scripts_parse():
    p = qemu("-h")
    first = p.stdout.decode().splitlines()[0]
    assert p.returncode == 0 and "QEMU" in first
    # scripts/arch-run.bash: IFS='[ .]' read -r _ _ _ MAJOR MINOR MICRO
    major, minor, micro = first.replace(".", " ").split()[3:6]
    assert (major, minor, micro) == ("7", "2", "0")


def test_machine_list_names_every_machine():
    out = qemu("-machine", "?").stdout.decode()
    for name in ("pseries", "powernv8", "powernv9", "powernv10"):
        assert f"\n{name} " in out


def test_pseries_kernel_at_0x400000_console_on_stdout_and_exit_0_at_power_off(tmp_path):
    p = qemu("-nodefaults", "-accel", "tcg", "-machine", "pseries,cap-cfpc=broken,cap-ibs=broken",
             "-display", "none", "-serial", "stdio", "-kernel", kernel(tmp_path, PSERIES_HELLO))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"ok\n"


def test_pseries_kernel_runs_where_qemu_loads_it(tmp_path):
    # with no -bios the partition enters the kernel itself: at 0x400000
    src = PSERIES_HELLO.replace("    b .\n", "") + "    b .\n"
    from harness.cli import qemu_compat, qemu_machine
    o = qemu_compat.parse_args(["-kernel", kernel(tmp_path, src)])
    m, mt = qemu_machine.build(o, wall_clock=False)
    qemu_machine.boot(m, mt, o, console=lambda b: None)
    assert m.cpus[0].pc == 0x400000


def test_powernv_kernel_calls_opal_console_and_power_down(tmp_path):
    p = qemu("-machine", "powernv9", "-device", "ipmi-bmc-sim,id=bmc0",
             "-kernel", kernel(tmp_path, POWERNV_HELLO))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"nv\n"


def test_a_kernel_that_cannot_be_loaded_is_what_qemu_says():
    p = qemu("-machine", "pseries", "-kernel", "_NO_FILE_4Uhere_")
    assert p.returncode == 1
    # kvm-unit-tests' premature-failure probe greps for this
    assert b"error loading _NO_FILE_4Uhere_" in p.stderr


def test_unsupported_option_is_one_line_and_exit_2():
    p = qemu("-machine", "pseries", "-vnc", ":0")
    assert p.returncode == 2
    assert p.stderr.decode().count("\n") == 1 and b"-vnc" in p.stderr


def test_threads_per_core_are_refused_like_qemu_tcg():
    p = qemu("-machine", "pseries", "-smp", "8,threads=4", "-kernel", "x")
    assert p.returncode == 1 and b"thread" in p.stderr


def test_a_kernel_that_spins_ends_at_the_instruction_budget(tmp_path):
    p = qemu("-machine", "pseries", "-ppcvec-max-insns", "100000",
             "-kernel", kernel(tmp_path, "    nop\n1:  addi 3, 3, 1\n    b 1b\n"))
    assert p.returncode == 1 and b"instruction budget" in p.stderr


def test_same_kernel_same_output_byte_for_byte(tmp_path):
    k = kernel(tmp_path, PSERIES_HELLO)
    a = qemu("-machine", "pseries", "-kernel", k, "-rtc", "base=2006-06-17")
    b = qemu("-machine", "pseries", "-kernel", k, "-rtc", "base=2006-06-17")
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)


def test_ppcvec_run_kernel_uses_the_same_boot(tmp_path):
    p = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--kernel",
                        kernel(tmp_path, PSERIES_HELLO), "--append", "x=1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("ok\n") and "outcome poweroff" in p.stdout
