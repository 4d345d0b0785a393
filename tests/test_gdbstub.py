"""`ppcvec gdbserver` against a real `gdb-multiarch -batch`, and against a raw
RSP client for what gdb never sends (bad checksums, garbage, Ctrl-C, a client
that vanishes mid-run).  Every subprocess has a timeout."""
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time

import pytest

from harness.toolchain.asm import assemble

from progs import MSR_DR, MSR_EE, MSR_HV, MSR_IR, MSR_ME, MSR_PR, MSR_RI, MSR_SF, program

from harness.debug.gdbstub import REGISTERS, checksum, target_xml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GDB = shutil.which("gdb-multiarch")
needs_gdb = pytest.mark.skipif(GDB is None, reason="gdb-multiarch is not installed (.ci/run installs it)")
LPCR_RESET = 0xC
FSCR_SCV = 1 << 12
GUEST_USER = MSR_SF | MSR_HV | MSR_EE | MSR_PR | MSR_ME | MSR_IR | MSR_DR | MSR_RI
HV_MMU_ON = MSR_SF | MSR_HV | MSR_EE | MSR_ME | MSR_IR | MSR_DR | MSR_RI

# PowerNV host after kvmppc_core_vcpu_load_pr: LPCR[AIL]=0; the PR guest runs in host
# problem state and executes scv.  Fixed (FSCR[SCV]=0): facility unavailable at real 0xf60.
# Not fixed (FSCR[SCV]=1): system call vectored at real 0x17000.
HANDLERS = {0xF60: "facility_unavailable:\n    mfspr 3, 153\n    b ."}
FIXED = program("guest_scv: scv 0", lpcr=LPCR_RESET, fscr=0, enter_msr=GUEST_USER,
                handlers=HANDLERS)
UNFIXED = program("guest_scv: scv 0", lpcr=LPCR_RESET, fscr=FSCR_SCV, enter_msr=GUEST_USER,
                  handlers=HANDLERS)
LOOP = program("loop: addi 3, 3, 1\n    b loop", msr=HV_MMU_ON)


class Server:
    def __init__(self, args, once=True):
        self.proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "gdbserver", *args,
                                      "--port", "0"] + (["--once"] if once else []), cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.port = None
        self.err = ""
        deadline = time.monotonic() + 30
        while self.port is None and time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stderr], [], [], 1)
            if r:
                line = self.proc.stderr.readline()
                if not line:
                    break
                self.err += line
                if line.startswith("listening on 127.0.0.1:"):
                    self.port = int(line.rsplit(":", 1)[1])
        assert self.port, f"server did not start: {self.err}"

    def finish(self, timeout=30):
        out, err = self.proc.communicate(timeout=timeout)
        self.err += err
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(src, *extra, once=True):
        img = tmp_path / "prog.S"
        img.write_text(src)
        s = Server([str(img), "--mmu", "identity", *extra], once=once)
        servers.append(s)
        return s
    yield start
    for s in servers:
        s.kill()


def gdb(port, *commands):
    argv = [GDB, "-batch", "-nx", "-ex", "set architecture powerpc:common64",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for c in commands:
        argv += ["-ex", c]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return p.stdout + p.stderr


# ---------------------------------------------------------------- real gdb

@needs_gdb
def test_gdb_breaks_at_facility_unavailable_with_fscr_ic_12(serve):
    srv = serve(FIXED)
    out = gdb(srv.port, "break facility_unavailable", "continue", "p/x $pc", "p $fscr >> 56",
              "stepi", "p/x $pc", "p/x $r3", "info registers", "detach")
    # two locations: the symbol and its 0xc000... alias (where kernel code runs)
    assert "Breakpoint 1.1, 0x0000000000000f60 in facility_unavailable ()" in out
    assert "$1 = 0xf60" in out
    assert "$2 = 12" in out
    assert "$3 = 0xf64" in out
    assert "$4 = 0xc00000000000000" in out           # mfspr r3, FSCR executed by stepi
    assert "fscr           0xc00000000000000" in out  # info registers lists the SPRs
    for spr in ("lpcr", "hfscr", "srr0", "srr1", "hsrr0", "sprg3", "dar", "dsisr", "heir",
                "pvr", "cfar"):
        assert re.search(rf"^{spr} +0x[0-9a-f]+ ", out, re.M), spr
    assert "[Inferior 1 (Remote target) detached]" in out
    assert srv.finish() == 0
    assert "gdb detached; exiting" in srv.err and "Traceback" not in srv.err


@needs_gdb
def test_gdb_attaches_detaches_and_attaches_again_to_one_server(serve):
    """Like QEMU's gdbstub: the machine outlives a client.  The second gdb finds
    the machine where the first left it (stopped at facility_unavailable)."""
    srv = serve(FIXED, once=False)
    out1 = gdb(srv.port, "break facility_unavailable", "continue", "p/x $pc", "detach")
    assert "$1 = 0xf60" in out1 and "detached" in out1
    out2 = gdb(srv.port, "p/x $pc", "p $fscr >> 56", "detach")
    assert "$1 = 0xf60" in out2 and "$2 = 12" in out2
    assert srv.proc.poll() is None, srv.err
    srv.kill()


def test_bare_tcp_connect_and_close_does_not_end_the_server(serve):
    """A port probe (connect, close, no packet) is logged and ignored; the next
    client is served (here a raw RSP `?` query)."""
    srv = serve(FIXED, once=False)
    socket.create_connection(("127.0.0.1", srv.port)).close()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as c:
        c.sendall(b"$?#3f")
        reply = b""
        while b"#" not in reply:
            chunk = c.recv(4096)
            assert chunk, "server closed the connection"
            reply += chunk
    assert reply.startswith(b"+$T05") or reply.startswith(b"+$S05"), reply
    assert srv.proc.poll() is None
    srv.proc.terminate()
    _, err = srv.proc.communicate(timeout=10)
    assert "closed without a packet; ignored" in srv.err + err


@needs_gdb
def test_gdb_monitor_break_interrupt_scv_lands_at_0x17000(serve):
    srv = serve(UNFIXED, "--smp", "2")
    out = gdb(srv.port, "monitor break-interrupt scv", "continue", "p/x $pc", "p/x $lr",
              "p/x $msr", "info threads", "monitor events", "monitor ail", "detach")
    assert "break interrupt scv" in out
    assert "landed at vector 0x17000 (system_call_vectored), AIL=0: no AIL: LPCR[AIL]=0" in out
    assert "stopped: break interrupt scv" in out
    assert "$1 = 0x17000" in out
    # scv: LR = next instruction; MSR keeps EE, RI, HV and drops PR, IR, DR (AIL=0)
    assert "$3 = 0x9000000000009002" in out
    assert "Thread 2 (cpu1 runnable)" in out
    assert "scv 0 " in out and "-> 0x0000000000017000  AIL=0" in out
    assert srv.finish() == 0


@needs_gdb
def test_gdb_stepi_onto_scv_is_one_step_to_the_vector(serve):
    srv = serve(UNFIXED)
    out = gdb(srv.port, "break guest_scv", "continue", "stepi", "p/x $pc", "p/x $srr0", "kill")
    assert "landed at vector 0x17000 (system_call_vectored)" in out
    assert "$1 = 0x17000" in out
    assert "$2 = 0x5a5a0000000000a0" in out           # scv leaves SRR0 alone
    assert srv.finish() == 0


@needs_gdb
def test_gdb_memory_write_and_register_write(serve):
    srv = serve(LOOP)
    out = gdb(srv.port, "set {int}0x30000 = 0x12345678", "x/wx 0x30000", "set $r5 = 0x1234",
              "p/x $r5", "set $lpcr = 0x180000c", "monitor ail", "p/x $pvr", "detach")
    assert "0x30000:\t0x12345678" in out
    assert "$1 = 0x1234" in out
    assert "LPCR[AIL]=3" in out
    assert "$2 = 0x4e1200" in out
    assert srv.finish() == 0


# ---------------------------------------------------------------- raw protocol

class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buf = b""

    def raw(self, data: bytes):
        self.sock.sendall(data)

    def packet(self, payload: str):
        p = payload.encode()
        self.raw(b"$" + p + b"#%02x" % checksum(p))

    def read_byte(self):
        while not self.buf:
            data = self.sock.recv(4096)
            assert data, "the server closed the connection"
            self.buf += data
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def reply(self):
        """Next packet payload (acks skipped, O packets collected)."""
        out = []
        while True:
            b = self.read_byte()
            if b in (b"+", b"-"):
                continue
            assert b == b"$"
            data = b""
            while not data.endswith(b"#"):
                data += self.read_byte()
            self.read_byte(), self.read_byte()
            data = data[:-1].decode("latin-1")
            if data.startswith("O") and data != "OK":
                out.append(bytes.fromhex(data[1:]).decode())
                continue
            self.console = out
            return data

    def ask(self, payload: str) -> str:
        self.packet(payload)
        return self.reply()


def test_target_description_numbers_registers_like_gdb_power64():
    xml = target_xml()
    assert '<feature name="org.gnu.gdb.power.core">' in xml
    assert '<reg name="pc" bitsize="64" type="code_ptr" regnum="64"/>' in xml
    assert '<reg name="msr" bitsize="64" type="uint64" regnum="65"/>' in xml
    assert '<reg name="xer" bitsize="32" type="uint32" regnum="69"/>' in xml
    assert '<reg name="fpscr" bitsize="32" type="uint32" regnum="70" group="float"/>' in xml
    assert [r.num for r in REGISTERS] == list(range(len(REGISTERS)))
    names = [r.name for r in REGISTERS]
    for spr in ("lpcr", "fscr", "hfscr", "srr0", "srr1", "hsrr0", "hsrr1", "sprg0", "sprg3",
                "dar", "dsisr", "heir", "pvr", "cfar"):
        assert spr in names


def test_malformed_packets_and_unknown_commands_keep_the_server_serving(serve):
    srv = serve(LOOP)
    c = Client(srv.port)
    c.raw(b"garbage-between-packets")
    c.raw(b"$m10,4#00")                 # bad checksum: nak, nothing else
    assert c.read_byte() == b"-"
    assert c.ask("qFrobnicate") == ""   # unknown packet: empty reply
    assert c.ask("mzz,4") == "E01"      # malformed arguments
    assert c.ask("m7ffffffff00,4") == "E14"
    assert c.ask("p999") == "E45"
    assert c.ask("m10,4") == "4801fff0"  # b start (0x10 -> 0x20000)
    assert c.ask("QStartNoAckMode") == "OK"
    assert c.ask("qfThreadInfo") == "m1"
    g = c.ask("g")
    assert len(g) == sum(r.bits for r in REGISTERS) // 4
    assert int(g[64 * 16:65 * 16], 16) == 0x10                   # pc
    assert int(g[65 * 16:66 * 16], 16) == 0x9000000000000000     # msr at PowerNV reset
    assert c.ask("qRcmd," + b"no-such-thing".hex()) == "OK"
    assert "unknown command 'no-such-thing'" in c.console[0]
    assert c.ask("D") == "OK"
    assert srv.finish() == 0
    assert "Traceback" not in srv.err and "bad checksum" in srv.err


def test_ctrl_c_stops_a_running_machine_with_sigint(serve):
    srv = serve(LOOP, "--max-insns", str(10**13))
    c = Client(srv.port)
    assert c.ask("QStartNoAckMode") == "OK"
    c.packet("vCont;c")
    time.sleep(0.3)
    c.raw(b"\x03")
    stop = c.reply()
    assert stop.startswith("T02thread:1;")
    assert len(c.console) == 1 and re.fullmatch(r"interrupted after \d+ instructions\n",
                                                c.console[0]), c.console
    pc = int(c.ask("p40"), 16)
    loop = assemble(LOOP).symbols["loop"]
    assert pc in (loop, loop + 4)                               # inside the two-instruction loop
    assert int(c.ask("p3"), 16) > 1000                          # it ran
    c.raw(b"$k#6b")
    assert srv.finish() == 0


def test_client_disconnect_mid_run_exits_cleanly(serve):
    srv = serve(LOOP, "--max-insns", str(10**13))
    c = Client(srv.port)
    c.packet("c")
    assert c.read_byte() == b"+"
    time.sleep(0.2)
    c.sock.close()
    assert srv.finish() == 0
    assert "disconnected" in srv.err and "Traceback" not in srv.err


# ---------------------------------------------------------------- scenarios

def _scenarios():
    from harness.scenarios import core as scenarios
    return scenarios


@needs_gdb
def test_scenario_with_fix_gdb_breaks_at_host_facility_unavailable():
    sc = _scenarios()
    image, _opts = sc.build("powernv-pr-guest-scv", sc.parse_fix("all", sc.get_scenario("powernv-pr-guest-scv")), "power9")
    names = [n for n in image.symbols if n.startswith("facility_unavailable")]
    assert names, "the scenario image names its facility-unavailable handler"
    s = Server(["--scenario", "powernv-pr-guest-scv", "--fix", "all"])
    try:
        out = gdb(s.port, *[f"break *{image.symbols[n]:#x}" for n in names], "continue",
                  "p/x $pc", "p $fscr >> 56", "stepi", "info registers", "detach")
        assert "Breakpoint" in out
        assert "$2 = 12" in out
        pcs = {f"$1 = {image.symbols[n]:#x}" for n in names}
        assert any(p in out for p in pcs), out
        assert s.finish() == 0
    finally:
        s.kill()


@needs_gdb
def test_scenario_without_fix_scv_lands_at_0x17000():
    _scenarios()
    s = Server(["--scenario", "powernv-what-if-host-fscr-in-guest", "--fix", "none"])
    try:
        # the host's own user process uses scv first (AIL=3: 0xc000000000003000);
        # continue until the guest's scv, which lands in real mode at 0x17000
        cmds = ["monitor break-interrupt scv"]
        for _ in range(4):
            cmds += ["continue", "p/x $pc"]
        out = gdb(s.port, *cmds, "detach")
        assert "landed at vector 0xc000000000003000" in out      # host user scv: fine
        assert "landed at vector 0x17000" in out                 # the guest's: the crash
        assert "= 0x17000" in out
        assert s.finish() == 0
    finally:
        s.kill()


def test_attn_keeps_the_machine_for_inspection_until_detach():
    src = program("    li 3, 42\n    attn", msr=MSR_SF | MSR_HV | MSR_ME, hid0=1 << 32)
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "p.S")
        with open(path, "w") as f:
            f.write(src)
        srv = Server([path, "--mmu", "identity"])
        try:
            c = Client(srv.port)
            assert c.ask("c") == "T05thread:1;"          # a stop, not an exit: inspect it
            assert c.console[0] == "cpu0 executed attn: exit code 42\n"
            assert "the machine is kept for inspection" in c.console[1]
            assert int(c.ask("p3"), 16) == 42             # r3 is still readable
            c.console.clear()
            assert c.ask("c") == "T05thread:1;"          # nothing runs any more
            assert "the program has ended (attn, exit code 0x2a)" in c.console[0]
            assert c.ask("D") == "OK"
            assert srv.finish() == 42                     # the program's exit code
            assert "program ended (attn)" in srv.err
        finally:
            srv.kill()
