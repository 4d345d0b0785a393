"""`ppcvec debug`: the stepper steps onto sc/scv/faulting instructions as one step
that lands in the handler and says why (vector, AIL rule, saved registers);
breakpoints, interrupt/vector breaks and SPR watch points stop where they should.
Programs are tests/progs.py images; values come from the Power ISA (see
tests/test_interrupts.py for the delivery rules themselves)."""
import os
import subprocess
import sys

import pytest

from progs import MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF, program

from harness.debug.commands import Debugger
from harness.debug.session import Session
from harness.loader.images import image_from_source
from harness.run import RunOptions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AIL3 = 3 << 23
LPCR_RESET = 0xC
FSCR_SCV = 1 << 12
HV_MMU_ON = MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_IR | MSR_DR | MSR_RI
GUEST_USER = MSR_SF | MSR_HV | MSR_EE | MSR_PR | MSR_ME | MSR_IR | MSR_DR | MSR_RI


def session(src, **kw):
    kw.setdefault("mmu", "identity")
    kw.setdefault("cpu", "power9")
    opts = RunOptions(**kw)
    return Session.from_image(image_from_source(src, "<test>"), opts)


def drive(sess, *commands):
    out = []
    dbg = Debugger(sess, out.append)
    for c in commands:
        dbg.execute(c)
    return out


def ppcvec_debug(tmp_path, src, commands, *extra):
    img = tmp_path / "prog.S"
    img.write_text(src)
    cmds = tmp_path / "cmds"
    cmds.write_text("\n".join(commands) + "\n")
    return subprocess.run([sys.executable, "-m", "harness.cli", "debug", str(img), "--mmu",
                           "identity", "--commands", str(cmds), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


# ---------------------------------------------------------------- the CLI through an scv

def test_debug_commands_step_onto_scv_lands_at_0x17000_and_says_no_ail(tmp_path):
    src = program("X: scv 0\n    nop", lpcr=LPCR_RESET, fscr=FSCR_SCV, enter_msr=GUEST_USER)
    p = ppcvec_debug(tmp_path, src, ["break X", "continue", "stepi", "regs", "quit"])
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "breakpoint 1 at 0x" in out and "<X>" in out
    # the step onto scv is one step that ends at the real-mode scv vector
    assert "landed at vector 0x17000 (system_call_vectored), AIL=0: no AIL: LPCR[AIL]=0" in out
    assert "cpu0 0x0000000000017000: b 0x17000" in out
    lines = out.splitlines()
    x = int(next(ln for ln in lines if ln.startswith("breakpoint 1 at")).split()[3], 16)
    assert f"saved: LR={x + 4:#x} CTR={GUEST_USER & ~0x783F0000:#x}" in out
    assert f"lr  {x + 4:#018x}" in out
    assert p.stderr == ""


def test_debug_commands_scv_with_ail3_lands_relocated_and_names_the_rule(tmp_path):
    src = program("X: scv 5", lpcr=LPCR_RESET | AIL3, fscr=FSCR_SCV, msr=HV_MMU_ON)
    p = ppcvec_debug(tmp_path, src, ["break X", "continue", "step"])
    assert p.returncode == 0, p.stderr
    assert ("landed at vector 0xc0000000000030a0 (system_call_vectored), AIL=3: AIL=3 applies: "
            "MSR[IR]=MSR[DR]=1 and LPCR[AIL]=3 (P8/P9 rule)") in p.stdout
    assert "MSR:   0x9000000000009032 [SF HV EE ME IR DR RI] -> 0x9000000000009032" in p.stdout


def test_debug_output_is_deterministic(tmp_path):
    src = program("X: scv 5", lpcr=LPCR_RESET | AIL3, fscr=0, msr=HV_MMU_ON)
    cmds = ["break interrupt fu", "continue", "sprs", "events all"]
    a = ppcvec_debug(tmp_path, src, cmds)
    b = ppcvec_debug(tmp_path, src, cmds)
    assert a.returncode == 0 and a.stdout == b.stdout


def test_debug_commands_from_stdin(tmp_path):
    src = program("X: sc 0", lpcr=LPCR_RESET, msr=HV_MMU_ON)
    img = tmp_path / "prog.S"
    img.write_text(src)
    p = subprocess.run([sys.executable, "-m", "harness.cli", "debug", str(img), "--mmu", "identity"],
                       input="break X\ncontinue\nstepi\n", cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "(ppcvec) stepi" in p.stdout
    assert "landed at vector 0xc00 (system_call), AIL=0" in p.stdout


# ---------------------------------------------------------------- stop conditions

def test_break_interrupt_fu_stops_at_handler_with_fscr_ic_12():
    src = program("X: scv 0", lpcr=LPCR_RESET, fscr=0, enter_msr=GUEST_USER,
                  handlers={0xF60: "facility_unavailable:\n    mfspr 3, 153\n    b ."})
    s = session(src)
    out = drive(s, "break interrupt fu", "continue")
    c = s.m.cpus[0]
    assert c.pc == 0xF60 == s.symbols["facility_unavailable"]
    assert c.state.fscr >> 56 == 12 and c.state.srr0 == s.symbols["X"]
    assert "stopped: break interrupt fu" in out
    assert any("saved: SRR0=%#x" % s.symbols["X"] in ln and "FSCR[IC]=12" in ln for ln in out)
    out = drive(s, "stepi", "sprs")
    assert c.gpr(3) == 12 << 56
    assert "fscr   0x0c00000000000000  [- IC=12]" in out


def test_break_vector_matches_the_delivered_vector_exactly():
    src = program("X: scv 5", lpcr=LPCR_RESET | AIL3, fscr=0, msr=HV_MMU_ON)
    s = session(src)
    out = drive(s, "break vector 0xc000000000004f60", "continue")
    assert s.m.cpus[0].pc == 0xC000000000004F60
    assert "stopped: break vector 0xc000000000004f60" in out


def test_break_vector_real_form_does_not_stop_an_ail3_delivery():
    src = program("X: scv 5", lpcr=LPCR_RESET | AIL3, fscr=0, msr=HV_MMU_ON)
    s = session(src)
    out = drive(s, "break vector 0xf60", "continue")
    assert s.m.cpus[0].pc == 0xC000000000004F60      # delivered there, no stop: it ran on to idle
    assert "every CPU is idle (branch-to-self) or halted" in out


def test_break_interrupt_does_not_stop_for_other_kinds():
    src = program("X: sc 0", lpcr=LPCR_RESET, msr=HV_MMU_ON)
    s = session(src)
    out = drive(s, "break interrupt scv", "continue")
    assert s.m.cpus[0].pc == 0xC00
    assert out[-2] == "every CPU is idle (branch-to-self) or halted"


def test_watch_spr_lpcr_stops_after_the_mtspr_that_changed_it():
    src = program("X: nop", lpcr=LPCR_RESET | AIL3, msr=HV_MMU_ON)
    s = session(src)
    out = drive(s, "watch spr lpcr", "continue")
    lpcr = s.m.cpus[0].state.lpcr      # the model's LPCR mask decides the low bits
    assert lpcr & AIL3 == AIL3
    hit = [ln for ln in out if ln.startswith("watch spr lpcr:")]
    assert hit and f" -> {lpcr:#x} by 0x" in hit[0] and "mtlpcr r9 (mtspr)" in hit[0]
    assert "[AIL=3 HAIL=0 HR=0 LPES0]" in out[out.index(hit[0]) + 1]
    assert s.m.cpus[0].pc == s.symbols["start"] + 0x18   # right after the mtspr


def test_watch_spr_srr0_stops_on_the_interrupt_that_wrote_it():
    src = program("X: scv 0", lpcr=LPCR_RESET, fscr=0, enter_msr=GUEST_USER, sentinels=False)
    s = session(src)
    out = drive(s, "watch spr srr0", "continue")
    X = s.symbols["X"]
    assert f"watch spr srr0: 0x0 -> {X:#x} by the fu interrupt delivery at {X:#x}" in out
    assert s.m.cpus[0].pc == 0xF60


def test_next_runs_a_call_to_its_return():
    body = "X: bl sub\nY: nop\n    b .\nsub: li 4, 7\n    li 5, 9\n    blr"
    s = session(program(body, msr=HV_MMU_ON))
    drive(s, "break X", "continue")
    out = drive(s, "next")
    c = s.m.cpus[0]
    assert c.pc == s.symbols["Y"] and c.gpr(4) == 7 and c.gpr(5) == 9
    assert out[-1].startswith(f"cpu0 {s.symbols['Y']:#018x} <Y>: nop")


def test_step_count_stops_at_the_interrupt():
    s = session(program("    li 3, 1\nX: sc 0\n    li 3, 2", msr=HV_MMU_ON))
    drive(s, "break X", "continue")
    assert s.m.cpus[0].pc == s.symbols["X"]
    drive(s, "stepi 3")      # the sc dispatch, then two b . at 0xc00
    assert s.m.cpus[0].pc == 0xC00 and s.m.cpus[0].gpr(3) == 1


def test_x_disas_events_cpu_and_bad_commands():
    s = session(program("X: scv 0", lpcr=LPCR_RESET, fscr=FSCR_SCV, msr=HV_MMU_ON), smp=2)
    X = s.symbols["X"]
    out = drive(s, "x X 8", "disas X 1", "cpu 1", "cpu 7", "frobnicate", "break", "x 0x7fffffffff0",
                "break interrupt nonsense", "watch spr nonsense")
    assert out[0] == f"{X:#018x}: 44 00 00 01 00 00 00 00"
    assert out[1].endswith("<X>:  44000001  scv 0")
    assert out[2].startswith("cpu1 0x0000000000000010")
    assert out[3] == "error: no cpu 7 (this machine has 2)"
    assert out[4] == "unknown command 'frobnicate' (`help` lists commands)"
    assert out[5].startswith("error: usage: break")
    assert out[6].startswith("error: cannot access 0x7fffffffff0: real address")
    assert out[7].startswith("error: unknown interrupt 'nonsense'")
    assert out[8].startswith("error: cannot watch 'nonsense'")
    assert s.cur == 1
    drive(s, "cpu 0", "break X", "continue", "stepi")
    ev = drive(s, "events")
    assert len(ev) == 1 and "scv" in ev[0] and "-> 0x0000000000017000" in ev[0]


def test_attn_ends_with_exit_code():
    s = session(program("    li 3, 42\n    attn", msr=HV_MMU_ON, hid0=1 << 32))
    out = drive(s, "continue")
    assert "cpu0 executed attn: exit code 42" in out


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("argv, message", [
    (["debug"], "give either IMAGE or --scenario NAME"),
    (["debug", "/nonexistent.S"], "/nonexistent.S: no such file"),
    (["debug", "x.S", "--scenario", "foo"], "give either IMAGE or --scenario NAME"),
    (["debug", "IMG", "--commands", "/nonexistent-cmds"], "--commands /nonexistent-cmds"),
    (["gdbserver", "IMG", "--port", "99999"], "bad --port 99999"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, argv, message):
    img = tmp_path / "p.S"
    img.write_text(program("    b ."))
    argv = [str(img) if a == "IMG" else a for a in argv]
    p = subprocess.run([sys.executable, "-m", "harness.cli", *argv], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert message in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "Traceback" not in p.stderr


def test_x_real_reads_physical_memory_and_refuses_outside_ram(tmp_path):
    """`x real` dumps real (physical) memory and refuses addresses outside RAM
    with one line."""
    import subprocess
    import sys
    cmds = tmp_path / "cmds"
    cmds.write_text("x real 0x10 8\nx real 0x7fffffff0 16\nquit\n")
    src = tmp_path / "p.S"
    src.write_text("    .org 0x10\n    li 3, 1\n    attn\n")
    p = subprocess.run([sys.executable, "-m", "harness.cli", "debug", str(src), "--commands", str(cmds)],
                       capture_output=True, text=True, timeout=60,
                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert p.returncode == 0, p.stderr
    assert "0x0000000000000010: 38 60 00 01 00 00 02 00" in p.stdout     # li r3,1; attn
    assert "outside RAM" in p.stdout and "Traceback" not in p.stdout + p.stderr
