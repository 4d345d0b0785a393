"""The tools as a kernel developer uses them (issue 16): exit codes per
outcome, symbols where the code runs (real and 0xc000... aliases, only near
their label), `break vector` exact, banners, bad input as one line and exit 2,
the gdbserver's one-client rule and monitor help, and the misleading details
of item 11.  Every value comes from machine code run in the emulator."""
import os
import resource
import socket
import struct
import subprocess
import sys
import time

import pytest

from progs import MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_ME, MSR_RI, MSR_SF, program

from emu.bits import LPCR_HR, MSR_PR
from emu.interrupts import INTERRUPTS, decide_ail
from emu.models import get_model
from harness.debug.commands import Debugger
from harness.debug.gdbstub import REGISTERS, monitor_help
from harness.debug.session import Session
from harness.loader.images import image_from_source
from harness.run import RunOptions, run_source
from harness.run.exitcodes import outcome_exit_code
from harness.run.report import summary_lines, symbolize, trace_lines
from harness.toolchain.elf import write_elf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AIL3 = 3 << 23
LPCR_RESET = 0xC
HV_MMU_ON = MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_IR | MSR_DR | MSR_RI


def ppcvec(*args, **kw):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, **kw)


def write(tmp_path, src, name="p.S"):
    path = tmp_path / name
    path.write_text(src)
    return str(path)


def drive(sess, *commands):
    out = []
    dbg = Debugger(sess, out.append)
    for c in commands:
        dbg.execute(c)
    return out


def session(src, **kw):
    kw.setdefault("mmu", "identity")
    return Session.from_image(image_from_source(src, "<test>"), RunOptions(**kw))


# a host kernel function called through the kernel linear map: the code is
# linked (and labelled) at 0x20100 and runs at 0xc000000000020100
KERNEL_CALL = """
    .org 0x10
    b start
    .org 0x20000
start:
    lis 1, 0x10                 # a stack (r1 = 0x100000), as a kernel always has
    mfmsr 3
    ori 3, 3, 0x30              # IR|DR (identity translation: quadrant bits ignored)
    mtmsrd 3
    lis 4, 0xc000
    sldi 4, 4, 32
    oris 4, 4, kfunc@h
    ori 4, 4, kfunc@l
    mtctr 4
    bctrl                       # call kfunc at 0xc000000000020100
    li 3, 0
    attn
    .org 0x20100
kfunc:
    li 5, 0x55
    blr
"""


# ---------------------------------------------------------------- exit codes

@pytest.mark.parametrize("src,extra,code,outcome", [
    (".org 0x10\n    li 3, 0\n    attn\n", [], 0, "attn"),
    (".org 0x10\n    li 3, 0x50\n    attn\n", [], 0x50, "attn"),                 # a panic code
    (".org 0x10\n    li 3, 0x100\n    attn\n", [], 1, "attn"),                   # low byte 0
    (".org 0x10\n1:  addi 3, 3, 1\n    b 1b\n", ["--max-insns", "1000"], 124, "budget"),
    (".org 0x10\n    b .\n", [], 120, "idle"),
    # a load from beyond RAM with MSR[ME]=0 (the reset MSR): machine check -> checkstop
    (".org 0x10\n    lis 4, 0x7fff\n    ld 5, 0(4)\n    attn\n", ["--ram", "1M"], 122,
     "checkstop"),
])
def test_exit_status_per_outcome(tmp_path, src, extra, code, outcome):
    p = ppcvec("run", write(tmp_path, src), *extra)
    assert p.returncode == code, (p.stdout, p.stderr)
    assert f"outcome {outcome}" in p.stdout


def test_exit_status_table_is_distinct_per_outcome_class():
    codes = {o: outcome_exit_code(o, None) for o in
             ("budget", "checkstop", "storm", "idle", "error", "interrupted")}
    assert len(set(codes.values())) == len(codes)
    assert 2 not in codes.values() and 0 not in codes.values()     # 2: bad input only
    assert outcome_exit_code("poweroff", 0) == 0 and outcome_exit_code("poweroff", 5) == 5


def test_exit_code_is_printed_in_hex_beside_a_panic_code(tmp_path):
    p = ppcvec("run", write(tmp_path, ".org 0x10\n    li 3, 0x50\n    attn\n"))
    assert "outcome attn, exit code 0x50 (80)," in p.stdout


# ---------------------------------------------------------------- symbols

def test_symbol_names_only_near_their_label():
    syms = {"start_user_process_rfid": 0x8EA4, "save": 0x1000}
    assert symbolize(syms, 0x8EA8) == "start_user_process_rfid+0x4"
    assert symbolize(syms, 0x17000) == ""                       # 0xe15c past it: raw
    assert symbolize(syms, 0xC000000000003000) == ""            # not save+0x2000


def test_symbols_match_both_quadrant_aliases():
    assert symbolize({"kfunc": 0x20100}, 0xC000000000020104) == "kfunc+0x4"
    assert symbolize({"vmlinux_fn": 0xC000000000008000}, 0x8008) == "vmlinux_fn+0x8"


def test_summary_names_the_kernel_function_at_its_0xc_address():
    r = run_source(KERNEL_CALL.replace("    blr", "    b ."), mmu="identity")
    assert r.outcome == "idle" and r.cpus[0].pc == 0xC000000000020104
    assert "pc 0xc000000000020104 <kfunc+0x4>" in "\n".join(summary_lines(r))


def test_debugger_break_symbol_fires_where_the_code_runs():
    s = session(KERNEL_CALL)
    out = drive(s, "break kfunc", "continue")
    assert out[0] == ("breakpoint 1 at 0x20100 <kfunc> (and 0xc000000000020100, where it "
                      "runs through the kernel map)")
    assert s.m.cpus[0].pc == 0xC000000000020100
    assert "breakpoint at 0xc000000000020100 <kfunc>" in out


def test_debugger_break_number_is_exact():
    s = session(KERNEL_CALL)
    out = drive(s, "break 0x20100", "continue")
    assert out[0] == "breakpoint 1 at 0x20100 <kfunc>"
    assert s.m.cpus[0].halted == "attn"                # the 0xc alias does not stop


def test_gdb_elf_defines_every_symbol_at_its_0xc_alias_too():
    elf = write_elf(b"\0" * 0x200, entry=0x10, symbols={"kfunc": 0x100},
                    alias=0xC000000000000000)
    assert elf.count(b"kfunc\0") == 2                           # the name twice: two symbols
    nph = struct.unpack(">H", elf[56:58])[0]
    assert nph == 2
    vaddrs = [struct.unpack(">Q", elf[64 + 56 * i + 16:64 + 56 * i + 24])[0] for i in range(2)]
    assert vaddrs == [0, 0xC000000000000000]


# ---------------------------------------------------------------- break vector

def test_break_vector_0x17000_ignores_an_ail3_scv_to_0xc000000000003000():
    src = program("X: scv 0\n    attn", lpcr=LPCR_RESET | AIL3, fscr=1 << 12, msr=HV_MMU_ON,
                  handlers={0x3000: "    rfscv"})
    s = session(src)
    out = drive(s, "break vector 0x17000", "continue")
    assert not any(ln.startswith("stopped: break vector") for ln in out)
    assert [e.vector for e in s.m.events.interrupts] == [0xC000000000003000]


def test_break_vector_0x17000_stops_a_real_mode_scv():
    src = program("X: scv 0\n    attn", lpcr=LPCR_RESET, fscr=1 << 12, msr=HV_MMU_ON)
    s = session(src)
    out = drive(s, "break vector 0x17000", "continue")
    assert "stopped: break vector 0x17000" in out and s.m.cpus[0].pc == 0x17000


def test_break_vector_refuses_an_address_that_is_not_a_vector():
    s = session(program("X: nop"))
    (line,) = drive(s, "break vector 0x3000")
    assert line.startswith("error: 0x3000 is not an interrupt vector; valid forms: "
                           "a real-mode vector (0x100 0x200 0x300")
    assert "0xc000000000004000|V (AIL=3)" in line and "0x17000+0x20*LEV" in line
    assert not s.vector_breaks


# ---------------------------------------------------------------- banners, --help

def test_debug_banner_names_scenario_fix_and_cpu(tmp_path):
    cmds = tmp_path / "c"
    cmds.write_text("quit\n")
    p = ppcvec("debug", "--scenario", "powernv-pr-guest-scv", "--commands", str(cmds))
    first = p.stdout.splitlines()[0]
    assert first.startswith("ppcvec debug: scenario powernv-pr-guest-scv, fix all (")
    assert "; the default) on powernv9 (power9, " in first
    p = ppcvec("debug", "--scenario", "powernv-pr-guest-scv", "--fix", "none",
               "--cpu", "power10", "--commands", str(cmds))
    assert "scenario powernv-pr-guest-scv, fix none on powernv10 (power10, " in p.stdout


def test_help_states_the_default_fix():
    for cmd in ("debug", "gdbserver"):
        p = ppcvec(cmd, "--help")
        assert "(default: all, the fixed kernel)" in " ".join(p.stdout.split())


# ---------------------------------------------------------------- bad input

def test_ram_larger_than_host_memory_is_mapped_lazily(tmp_path):
    p = ppcvec("run", write(tmp_path, ".org 0x10\n    li 3, 0\n    attn\n"), "--ram", "32G")
    assert p.returncode == 0, p.stderr


def test_ram_the_host_refuses_is_one_honest_line(tmp_path):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
    p = ppcvec("run", write(tmp_path, ".org 0x10\n    attn\n"), "--ram", "32G",
               preexec_fn=limit)
    assert p.returncode == 2, p.stderr
    (line,) = p.stderr.strip().splitlines()
    assert "the host refused to map 0x800000000 bytes of RAM" in line


def test_sparse_image_larger_than_ram_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(3 << 30)                       # 3 GiB, sparse
    t = time.monotonic()
    p = ppcvec("run", str(big))
    assert time.monotonic() - t < 20
    assert p.returncode == 2
    (line,) = p.stderr.strip().splitlines()
    assert "the file is 0xc0000000 bytes, beyond RAM (0x80000000 bytes" in line


def _elf_header(ei_class, ei_data, machine=21):
    end = "<" if ei_data == 1 else ">"
    return (b"\x7fELF" + bytes([ei_class, ei_data, 1]) + bytes(9)
            + struct.pack(end + "HHIQQQIHHHHHH", 2, machine, 1, 0x10, 64, 0, 0, 64, 56, 0,
                          64, 0, 0))


@pytest.mark.parametrize("header,needle", [
    (_elf_header(2, 1), "little-endian (ppc64le) ELF file"),
    (_elf_header(1, 2), "not a 64-bit ELF file (ELF class 1"),
    (_elf_header(2, 2, machine=62), "ELF machine 62 is not PowerPC 64-bit"),
])
def test_elf_class_byte_order_and_machine_are_checked(tmp_path, header, needle):
    f = tmp_path / "x.elf"
    f.write_bytes(header + bytes(256))
    p = ppcvec("run", str(f))
    assert p.returncode == 2
    (line,) = p.stderr.strip().splitlines()
    assert needle in line


# ---------------------------------------------------------------- gdbserver

def _server(tmp_path, src, *extra):
    sys.path.insert(0, os.path.dirname(__file__))
    from test_gdbstub import Server
    return Server([write(tmp_path, src), "--mmu", "identity", *extra])


def test_gdbserver_refuses_a_second_client_at_once(tmp_path):
    from test_gdbstub import Client
    srv = _server(tmp_path, KERNEL_CALL)
    try:
        a = Client(srv.port)
        assert a.ask("QStartNoAckMode") == "OK"
        t = time.monotonic()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as b:
            b.sendall(b"+$qSupported#37")
            try:
                assert b.recv(100) == b""         # closed, no reply
            except ConnectionResetError:
                pass                              # closed with our bytes unread: a reset
        assert time.monotonic() - t < 5
        assert a.ask("?").startswith("T05")        # the first is still served
        a.packet("k")
        assert srv.finish() == 0
        assert "refused gdb from 127.0.0.1" in srv.err and "another gdb is attached" in srv.err
    finally:
        srv.kill()


def test_monitor_help_lists_only_what_monitor_accepts():
    text = "\n".join(monitor_help())
    for word in ("break-vector", "break-interrupt", "watch-spr", "events", "sprs"):
        assert word in text
    for refused in ("  step", "  next", "  continue", "  quit", "  cpu [N]"):
        assert refused not in text


def test_gdb_sees_hdec():
    assert "hdec" in [r.name for r in REGISTERS]


def test_stop_hint_names_monitor_events_in_gdb(tmp_path):
    from test_gdbstub import Client
    src = program("X: scv 0\n    attn", lpcr=LPCR_RESET, fscr=1 << 12, msr=HV_MMU_ON)
    srv = _server(tmp_path, src)
    try:
        c = Client(srv.port)
        assert c.ask("QStartNoAckMode") == "OK"
        c.ask("c")
        assert any("`monitor events` lists them" in ln for ln in c.console), c.console
        c.packet("k")
        srv.finish()
    finally:
        srv.kill()


@pytest.mark.skipif(not __import__("shutil").which("gdb-multiarch"), reason="gdb-multiarch not installed")
def test_gdb_break_on_a_kernel_symbol_hits_at_0xc_and_bt_works(tmp_path):
    srv = _server(tmp_path, KERNEL_CALL)
    try:
        p = subprocess.run(["gdb-multiarch", "-batch", "-nx", "-ex", "set architecture powerpc:common64",
                            "-ex", f"target remote 127.0.0.1:{srv.port}", "-ex", "break kfunc",
                            "-ex", "continue", "-ex", "bt", "-ex", "kill"],
                           capture_output=True, text=True, timeout=60)
        out = p.stdout + p.stderr
        assert "Breakpoint 1.2, 0xc000000000020100 in kfunc ()" in out, out
        assert "#0  0xc000000000020100 in kfunc ()" in out
        assert "#1  0x" in out and "in start ()" in out
    finally:
        srv.kill()


# ---------------------------------------------------------------- item 11 details

def test_decrementer_is_labelled_asynchronous_not_instruction_fetch():
    src = program("    li 4, 50\n    mtspr 22, 4\n    mfmsr 5\n    ori 5, 5, 0x8000\n"
                  "    mtmsrd 5\n1:  b 1b", handlers={0x900: "    attn"})
    r = run_source(src, mmu="identity")
    (e,) = r.interrupts_of("dec")
    assert "(asynchronous)" in trace_lines(e)[0] and "instruction fetch" not in trace_lines(e)[0]


def test_interrupt_numbers_agree_with_and_without_invariant_checks():
    src = program("X: sc 0\n    attn", lpcr=LPCR_RESET, msr=HV_MMU_ON)
    plain = run_source(src, mmu="identity")
    checked = run_source(src, mmu="identity", check_invariants=True)
    assert [e.number for e in plain.interrupts] == [e.number for e in checked.interrupts] == [1]
    text = "\n".join(summary_lines(plain))
    assert "interrupts (1):" in text and "    #1    cpu0 sc " in text


def test_power8_illegal_word_is_not_shown_as_book_e_dcbzep():
    r = run_source(".org 0x10\n    .long 0x7c0007fe\n", cpu="power8", max_insns=100)
    e = r.interrupts[0]
    assert e.kind == "heai" and "illegal" in e.reason
    assert ".long 0x7c0007fe" in trace_lines(e)[0] and "dcbzep" not in trace_lines(e)[0]


def test_power8_ail_text_does_not_cite_lpcr_hr():
    p8 = get_model("power8")
    msr = MSR_SF | MSR_IR | MSR_DR | MSR_PR        # HV=0 guest user
    d = decide_ail(p8, INTERRUPTS["hdsi"], msr, msr | MSR_HV, LPCR_RESET | AIL3 | LPCR_HR)
    assert d.ail == 0 and "HR" in d.rule and "there is no LPCR[HR]" in d.rule


def test_power9_radix_escalation_says_hr_is_why_ail_applied():
    p9 = get_model("power9")
    msr = MSR_SF | MSR_IR | MSR_DR | MSR_PR
    d = decide_ail(p9, INTERRUPTS["hdsi"], msr, msr | MSR_HV, LPCR_RESET | AIL3 | LPCR_HR)
    assert d.ail == 3 and "for this HV 0->1 interrupt, LPCR[HR]=1" in d.rule


def test_conform_table_values_are_hex():
    from harness.conform.suite import fmt
    assert fmt(12, "srr1") == "0x000000000000000c" and fmt(3, "records") == "3"


@pytest.mark.parametrize("budget", [100_001, 1001, 7])
def test_the_budget_is_exact_even_when_a_block_would_overshoot_it(budget):
    # three instructions a block, one of them trapping (emulated mtspr)
    src = ".org 0x10\n1:  addi 3, 3, 1\n    mtspr 153, 3\n    b 1b\n"
    r = run_source(src, max_insns=budget)
    assert r.outcome == "budget" and r.insns == budget and r.cpus[0].insns == budget


def test_a_device_is_refused_not_read_for_ever():
    p = ppcvec("run", "/dev/zero")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == ["/dev/zero: is a device, not an image file"]
