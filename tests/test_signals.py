"""Ctrl-C (SIGINT) and SIGTERM: a real signal sent to a real `ppcvec` child
process stops the run at the end of its slice (harness/run/signals.py): the
summary or JSON so far, "interrupted after N instructions", exit 130; the
debugger returns to its prompt and gdbserver reports a stop to gdb, with the
machine intact.  No execution-core callback ever sees a KeyboardInterrupt."""
import json
import os
import select
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# one system call (a trace line tells the test the run is under way), then a
# loop that traps on every iteration (mtspr: the interrupt hook runs all the
# time, where a KeyboardInterrupt used to land) for ever
BUSY = """
    .org 0x10
    b start
    .org 0xc00
    rfid
    .org 0x20000
start:
    sc 0
    li 3, 0
loop:
    addi 3, 3, 1
    mtspr 153, 3
    b loop
"""


def start(tmp_path, *args):
    src = tmp_path / "busy.S"
    src.write_text(BUSY)
    return subprocess.Popen([sys.executable, "-m", "harness.cli", *args, str(src),
                             "--max-insns", str(10 ** 13)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Lines:
    """Lines of a child's pipe read with os.read (a TextIOWrapper's buffer
    would hide lines from select); `rest` is what was read past the last wait."""

    def __init__(self, stream):
        self.fd = stream.fileno()
        self.rest = ""

    def wait(self, needle, timeout=30):
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            while "\n" in self.rest:
                line, self.rest = self.rest.split("\n", 1)
                seen += line + "\n"
                if needle in line:
                    return seen
            r, _, _ = select.select([self.fd], [], [], 1)
            if r:
                data = os.read(self.fd, 65536)
                if not data:
                    break
                self.rest += data.decode()
        raise AssertionError(f"never saw {needle!r}: {seen + self.rest!r}")


def wait_for_line(stream, needle, timeout=30):
    return Lines(stream).wait(needle, timeout)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_run_with_the_summary_so_far_and_exit_130(tmp_path, sig):
    p = start(tmp_path, "run", "--trace")
    wait_for_line(p.stdout, "[cpu0 #1] sc")
    time.sleep(0.3)
    p.send_signal(sig)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    name = signal.Signals(sig).name
    assert "outcome interrupted" in out
    assert f"interrupted by {name} after " in out
    assert err.count("\n") == 1 and f"interrupted by {name} after " in err, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "ctypes callback" not in err and "UC_ERR" not in out + err


def test_sigint_with_json_prints_the_json_so_far(tmp_path):
    p = start(tmp_path, "run", "--json", "--trace")
    wait_for_line(p.stderr, "[cpu0 #1] sc")
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    r = json.loads(out)
    assert r["outcome"] == "interrupted" and r["insns"] > 1000
    assert r["detail"] == f"interrupted by SIGINT after {r['insns']} instructions"
    assert r["interrupts"][0]["kind"] == "sc"
    assert int(r["cpus"][0]["gpr"][3], 16) > 0        # the loop really ran


def test_sigint_during_debugger_continue_returns_to_the_prompt(tmp_path):
    p = start(tmp_path, "debug")
    p.stdin.write("continue\n")
    p.stdin.flush()
    lines = Lines(p.stdout)
    lines.wait("(ppcvec) continue")
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    lines.wait("interrupted by SIGINT after ")
    p.stdin.write("regs\nstepi\nquit\n")         # the session goes on: machine intact
    p.stdin.flush()
    out, err = p.communicate(timeout=30)
    out = lines.rest + out
    assert p.returncode == 0, err
    assert "r3  0x" in out and "<loop" in out
    assert "halted" not in out and "Traceback" not in err


def test_sigint_to_gdbserver_reports_a_stop_to_gdb(tmp_path):
    sys.path.insert(0, os.path.dirname(__file__))
    from test_gdbstub import Client
    src = tmp_path / "busy.S"
    src.write_text(BUSY)
    p = subprocess.Popen([sys.executable, "-m", "harness.cli", "gdbserver", str(src), "--port",
                          "0", "--once", "--max-insns", str(10 ** 13)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = wait_for_line(p.stderr, "listening on 127.0.0.1:")
        port = int(line.strip().rsplit(":", 1)[1])
        c = Client(port)
        assert c.ask("QStartNoAckMode") == "OK"
        c.packet("vCont;c")
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        stop = c.reply()
        assert stop.startswith("T02thread:1;")
        assert c.console[-1].startswith("interrupted by SIGINT after ")
        assert int(c.ask("p3"), 16) > 0               # registers still readable
        c.packet("s")                                 # and the machine still steps
        assert c.reply().startswith("T05")
        c.packet("k")
        _, err = p.communicate(timeout=30)
        assert p.returncode == 0 and "Traceback" not in err
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
