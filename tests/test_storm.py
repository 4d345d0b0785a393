"""Interrupt storms (emu/storm.py): the same faulting instruction interrupted
K times in a row, or a short cycle of such interrupts, ends the run with
outcome `storm` naming the loop; events stay in bounded memory and text
output collapses repeats."""
import json
import os
import subprocess
import sys

from emu.events import EVENT_CAP

from harness.debug.commands import Debugger
from harness.debug.session import Session
from harness.loader.images import load_image
from harness.run import RunOptions, run_image_file, run_source
from harness.toolchain.asm import assemble_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STORM = os.path.join(ROOT, "tests", "programs", "storm.S")
CYCLE = os.path.join(ROOT, "tests", "programs", "storm_cycle.S")
SYMS = assemble_file(STORM).symbols


def ppcvec(*args):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_handler_refaulting_into_itself_is_a_storm():
    r = run_image_file(STORM, RunOptions(mmu="identity"))
    assert r.outcome == "storm"
    assert r.storm["cpu"] == 0 and r.storm["repeats"] == 1000
    (loop,) = r.storm["cycle"]
    assert loop == {"kind": "heai", "insn_addr": SYMS["heai_refault"], "vector": 0xE40}
    assert "heai at 0xe48 <heai_refault> -> 0xe40 <heai>, 1000 times in a row" in r.detail
    # the run ends at the vector of the last delivery, before its handler runs:
    # the handler counted the 1000 before it (r5)
    assert r.cpus[0].pc == 0xE40 and r.cpus[0].gpr[5] == 1000
    assert r.interrupts_total == 1001


def test_storm_limit_sets_k():
    r = run_image_file(STORM, RunOptions(mmu="identity", storm_limit=7))
    assert r.outcome == "storm" and r.storm["repeats"] == 7
    assert r.interrupts_total == 8 and r.cpus[0].gpr[5] == 7


def test_a_cycle_of_two_interrupts_is_a_storm_naming_both():
    r = run_image_file(CYCLE, RunOptions(mmu="identity"))
    syms = assemble_file(CYCLE).symbols
    assert r.outcome == "storm"
    assert [(c["kind"], c["insn_addr"], c["vector"]) for c in r.storm["cycle"]] == [
        ("fu", syms["scv_insn"], 0xF60), ("heai", syms["illegal"], 0xE40)]
    assert "a cycle of 2 interrupts" in r.detail


def test_a_system_call_loop_is_not_a_storm():
    src = """
    .org 0x10
    li 9, 3000
    mtctr 9
loop:
    sc 0
    bdnz loop
    li 3, 0
    attn
    .org 0xc00
    mfspr 10, 26
    mtspr 26, 10
    rfid
"""
    r = run_source(src, mmu="identity")
    assert r.outcome == "attn" and len(r.interrupts_of("sc")) == 3000


def test_no_storm_detection_with_limit_0_and_memory_stays_bounded():
    r = run_image_file(STORM, RunOptions(mmu="identity", storm_limit=0,
                                         max_insns=3 * (EVENT_CAP + 20_000)))
    assert r.outcome == "budget"
    assert r.interrupts_total > EVENT_CAP + 10_000          # every delivery is counted
    assert len(r.interrupts) == EVENT_CAP                   # but only the cap is kept
    assert r.interrupts[-1].repeats == r.interrupts_total - EVENT_CAP   # folded into the last


def test_cli_storm_outcome_exit_code_and_collapsed_summary():
    p = ppcvec("run", STORM)
    assert p.returncode == 121, p.stderr
    assert "outcome storm" in p.stdout
    assert "×1000" in p.stdout and len(p.stdout.splitlines()) < 12


def test_cli_trace_collapses_repeats():
    p = ppcvec("run", "--trace", STORM)
    lines = p.stdout.splitlines()
    assert sum(ln.startswith("[cpu0 #") for ln in lines) == 2     # the first fault, one repeat
    assert "    ... the same heai from 0xe48 ×999 more (#3..#1001)" in lines
    assert len(lines) < 25


def test_cli_json_counts_repeats_and_names_the_storm():
    p = ppcvec("run", "--json", STORM)
    r = json.loads(p.stdout)
    assert r["outcome"] == "storm" and r["interrupts_total"] == 1001
    assert [(e["number"], e["repeats"]) for e in r["interrupts"]] == [(1, 0), (2, 999)]
    assert r["storm"] == {"cpu": 0, "repeats": 1000, "cycle": [
        {"kind": "heai", "insn_addr": "0x%016x" % SYMS["heai_refault"],
         "vector": "0x0000000000000e40"}]}


def test_debugger_continue_stops_at_a_storm_and_can_go_on():
    s = Session.from_image(load_image(STORM), RunOptions(mmu="identity", storm_limit=50))
    out = []
    dbg = Debugger(s, out.append)
    dbg.execute("continue")
    assert any(ln.startswith("stopped: interrupt storm on cpu0: heai at 0xe48") for ln in out)
    assert s.m.cpus[0].pc == 0xE40 and s.m.cpus[0].halted is None    # machine intact
    dbg.execute("stepi")
    assert s.m.cpus[0].pc == 0xE44
