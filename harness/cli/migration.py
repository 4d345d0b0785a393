"""Live migration between two `ppcvec-qemu-system-ppc64` processes, driven the way
kvm-unit-tests' `run_migration` (scripts/arch-run.bash) drives QEMU: QMP on a unix
socket (`-chardev socket,id=ID,path=P,server=on,wait=off -mon chardev=ID,mode=control`,
or `-qmp unix:P,server=on,wait=off`) and `-incoming unix:P` on the destination.

ppcvec is deterministic: the same image and options give the same execution,
instruction by instruction, whatever the host does, except for the bytes the
partition reads from its vty (H_GET_TERM_CHAR, numbered and logged by
emu.pseries) and the RTAS clock's origin (the host's time at start-up, QEMU's
`-rtc base=utc`).  So the migration stream is the history instead of the state
(record/replay, as QEMU's `-icount rr=replay`): the source runs in pieces of
CHUNK instructions (`Machine.run(stop_at=…)`, which ends only between rounds of
slices, so a run in pieces is the same run) and, when QMP asks it to migrate,
stops at its next H_GET_TERM_CHAR (a test waiting for its key polls it) or the
end of the piece, whichever comes first; it sends the destination its options, a digest of the
files it loaded, the clock's origin, the input log, the pieces at which it and
its predecessors migrated, and a digest of the machine at that point (every CPU's
registers, SPRs, reservation, instruction count, the console output so far).
The destination, started with the same options, replays the history with its
console muted, checks that its digest is the source's (else the migration fails,
on both sides), and runs on live: console on its stdout, input from its stdin.
At every migration point the reservations are lost, as on QEMU (reserve_addr is
not migrated) and KVM: kvm-unit-tests' atomics-migration checks that a `stwcx.`
after a migration fails.  The cost is the replay: the destination runs the
partition from its boot to the migration point again.

QMP commands: qmp_capabilities, query-status, migrate (uri unix:PATH),
query-migrate, quit.  After a migration the source is paused ("postmigrate")
until `quit`, which exits 0, as QEMU does.
"""
from __future__ import annotations

import hashlib
import json
import os
import select
import socket
import sys
import threading

from harness.cli.console import stdin_reader
from harness.cli.qemu_compat import PROG, QEMU_VERSION
from harness.errors import UserError

CHUNK = 2_000_000          # instructions per piece of the run (a migration waits for one)
PROTOCOL = "ppcvec-migration-1"
MIGRATION_OPTIONS = ("-chardev", "-mon", "-qmp", "-incoming")


def history_argv(argv: list[str]) -> list[str]:
    """The options that define the run: all but the monitor and -incoming."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        opt = a[1:] if a.startswith("--") else a
        if opt in MIGRATION_OPTIONS:
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def files_digest(paths) -> str:
    h = hashlib.sha256()
    for p in paths:
        if p is not None:
            with open(p, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def unix_listener(path: str, what: str, backlog: int) -> socket.socket:
    """A listening unix socket at `path` (a stale one there is replaced, as QEMU does)."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    try:
        srv.bind(path)
    except OSError as e:
        raise UserError(f"{PROG}: {what}: {e.strerror}", exit_code=1) from None
    srv.listen(backlog)
    return srv


def drain_stdin(timeout: float) -> None:
    """Read and drop what is waiting on stdin (wait up to `timeout` for it)."""
    try:
        ready, _, _ = select.select([0], [], [], timeout)
        if ready and not os.read(0, 4096):
            select.select([], [], [], timeout)      # end of file: nothing will come
    except (OSError, ValueError):
        select.select([], [], [], timeout)


class Migration:
    """The run of a front-end machine with QMP and/or -incoming."""

    def __init__(self, out, argv, loaded_files):
        """Made, and its sockets opened (serve_qmp, listen), before the emulator is
        imported and the machine built: the runner waits for the sockets."""
        self.m = None
        self.hyp = None
        self.out = out
        self.argv = history_argv(argv)
        self.files = files_digest(loaded_files)
        self.rtc_epoch = None
        self._incoming = None
        self.output_hash = hashlib.sha256()
        self.live = True
        self.chunks = 0
        # migration points of the history: ["chunk", n] (the end of the n-th piece)
        # or ["read", k] (the k-th H_GET_TERM_CHAR, when the partition waits for input)
        self.points = []
        self._stop_point = None
        self._wake_r, self._wake_w = os.pipe()
        self.stdin = stdin_reader(self._wake_r)
        self.replay = None          # the incoming record while replaying it
        self.status = None          # query-migrate: None, active, completed, failed
        self.request = None         # the destination socket a QMP migrate asked for
        self.run_state = "running"
        self.lock = threading.Lock()
        self.qmp_paths = []
        self.incoming_path = None

    def attach(self, machine, hypervisor) -> None:
        self.m = machine
        self.hyp = hypervisor
        self.rtc_epoch = hypervisor.rtc_epoch
        hypervisor.console_input = self._live_input    # receive() replays instead

    # ---------------------------------------------------------- console
    def console(self, data: bytes) -> None:
        self.output_hash.update(data)
        if self.live:
            self.out.write(data)
            self.out.flush()

    # ---------------------------------------------------------- state
    def digest(self) -> str:
        m = self.m
        cpus = []
        for c in m.cpus:
            s = m.snapshot(c)
            cpus.append([s.pc, s.msr, s.cr, s.lr, s.ctr, s.xer, s.gpr, sorted(s.spr.items()),
                         s.state, s.insns, c.reservation(),
                         [c.fpr(i) for i in range(32)], c.get_fpscr()])
        blob = json.dumps([m.total_insns, m.clock, cpus, self.hyp.term_reads,
                           self.output_hash.hexdigest()], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def record(self) -> dict:
        return {"protocol": PROTOCOL, "argv": self.argv, "files": self.files,
                "rtc_epoch": self.rtc_epoch, "points": self.points,
                "input": [[n, d.hex()] for n, d in self.hyp.input_log],
                "insns": self.m.total_insns, "digest": self.digest()}

    # ---------------------------------------------------------- incoming
    def listen(self, path: str) -> None:
        """-incoming unix:PATH: the socket a source connects to."""
        srv = unix_listener(path, f"-incoming unix:{path}", 1)
        self.incoming_path = path
        self.run_state = "inmigrate"
        self._incoming = srv

    def receive(self) -> None:
        """Wait for the source's record on the -incoming socket, then replay it."""
        srv = self._incoming
        # what reaches stdin before the migration is dropped, as on QEMU, whose vty
        # reads it eagerly and then takes the source's vty state (kvm-unit-tests'
        # harness echoes keys into a fifo the next destination inherits)
        while not select.select([srv], [], [], 0)[0]:
            drain_stdin(0.05)
        conn, _ = srv.accept()
        srv.close()
        f = conn.makefile("rwb")
        try:
            rec = json.loads(f.readline() or b"null")
        except ValueError:
            rec = None
        problem = self._check(rec)
        if problem:
            self._answer(conn, f, f"error: {problem}")
            raise UserError(f"{PROG}: migration failed: {problem}", exit_code=1)
        self.replay = {"record": rec, "conn": conn, "file": f,
                       "input": {n: bytes.fromhex(d) for n, d in rec["input"]}}
        self.live = False
        self.hyp.rtc_epoch = rec["rtc_epoch"]
        self.points = [list(p) for p in rec["points"]]
        self.hyp.console_input = self._replay_input

    def _replay_input(self, n: int) -> bytes:
        k = self.hyp.term_reads
        if ["read", k] in self.points:
            self._stop_here(["read", k])
        return self.replay["input"].get(k, b"")

    def _live_input(self, n: int) -> bytes:
        if self.request is not None:
            self._stop_here(["read", self.hyp.term_reads])
            return b""
        return self.stdin(n)

    def _stop_here(self, point) -> None:
        self._stop_point = point
        self.m.request_stop()

    def _check(self, rec) -> str | None:
        if not isinstance(rec, dict) or rec.get("protocol") != PROTOCOL:
            return "not a ppcvec migration stream"
        try:
            ok = (isinstance(rec["argv"], list) and isinstance(rec["rtc_epoch"], (int, float))
                  and all(k in ("chunk", "read") and isinstance(v, int) for k, v in rec["points"])
                  and rec["points"] and isinstance(rec["insns"], int)
                  and all(isinstance(n, int) and bytes.fromhex(d) for n, d in rec["input"])
                  and isinstance(rec["digest"], str) and isinstance(rec["files"], str))
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            return "a malformed ppcvec migration stream"
        if rec["argv"] != self.argv:
            return (f"the source ran with other options ({' '.join(rec['argv'])}) "
                    f"than the destination ({' '.join(self.argv)})")
        if rec["files"] != self.files:
            return "the source loaded other -kernel/-bios/-initrd contents"
        return None

    def _answer(self, conn, f, text: str) -> None:
        try:
            f.write(text.encode() + b"\n")
            f.flush()
        except OSError:
            pass
        conn.close()
        if self.incoming_path:
            try:
                os.unlink(self.incoming_path)
            except FileNotFoundError:
                pass
            self.incoming_path = None

    def _at_point(self, point) -> None:
        """A migration point of the history: the machine as the destination sees it."""
        digest = self.digest()
        for c in self.m.cpus:
            c.lose_reservation()
        rep = self.replay
        if rep is None or point != rep["record"]["points"][-1]:
            return
        rec = rep["record"]
        if digest != rec["digest"] or self.m.total_insns != rec["insns"]:
            self._answer(rep["conn"], rep["file"], "error: the replay diverged from the source")
            raise UserError(f"{PROG}: migration failed: the replay diverged from the source at "
                            f"{rec['insns']} instructions (digest {digest[:12]} against "
                            f"{rec['digest'][:12]})", exit_code=1)
        self._answer(rep["conn"], rep["file"], "ok")
        self.replay = None
        self.live = True
        self.hyp.console_input = self._live_input
        self.run_state = "running"

    # ---------------------------------------------------------- outgoing
    def _send(self, uri: str) -> None:
        path = uri[len("unix:"):]
        rec = self.record()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
                f = s.makefile("rwb")
                f.write(json.dumps(rec).encode() + b"\n")
                f.flush()
                answer = f.readline().decode().strip()
        except OSError as e:
            answer = f"error: {uri}: {e.strerror}"
        with self.lock:
            self.status = "completed" if answer == "ok" else "failed"
            self.run_state = "postmigrate" if answer == "ok" else "paused"
        if answer != "ok":
            print(f"{PROG}: migration failed: {answer}", file=sys.stderr)

    # ---------------------------------------------------------- running
    def run(self, budget: int) -> None:
        """Run in pieces until an outcome (`machine.outcome`); a migration request
        ends the run here, for good (the source is paused until QMP quit)."""
        m = self.m
        end = m.total_insns + budget
        while True:
            left = end - m.total_insns
            if left <= 0:
                m.outcome = "budget"
                return
            m.run(left, stop_at=m.total_insns + CHUNK, results=False)
            if m.outcome == "paused":
                self.chunks += 1
                point = ["chunk", self.chunks]
            elif m.outcome == "stopped" and self._stop_point is not None:
                point, self._stop_point = self._stop_point, None
            else:
                if self.replay is not None:
                    rep = self.replay
                    self._answer(rep["conn"], rep["file"],
                                 f"error: the replay ended ({m.outcome}) before the migration point")
                    raise UserError(f"{PROG}: migration failed: the replay ended ({m.outcome}) "
                                    f"before the migration point", exit_code=1)
                return
            if point in self.points:
                self._at_point(point)
            elif self.live and self.request is not None:
                self.points.append(point)
                self._send(self.request)
                self.request = None
                while True:                     # paused until QMP quit ends the process,
                    drain_stdin(1.0)            # its vty reading stdin as QEMU's does

    # ---------------------------------------------------------- QMP
    def serve_qmp(self, path: str) -> None:
        srv = unix_listener(path, f"QMP socket {path}", 4)
        self.qmp_paths.append(path)
        threading.Thread(target=self._qmp_loop, args=(srv,), daemon=True).start()

    def _qmp_loop(self, srv) -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=self._qmp_session, args=(conn,), daemon=True).start()

    def _qmp_session(self, conn) -> None:
        major, minor, micro = (int(x) for x in QEMU_VERSION.split("."))
        send = lambda obj: conn.sendall(json.dumps(obj).encode() + b"\r\n")   # noqa: E731
        try:
            send({"QMP": {"version": {"qemu": {"major": major, "minor": minor, "micro": micro},
                                      "package": "ppcvec"}, "capabilities": []}})
            buf = ""
            dec = json.JSONDecoder()
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                buf += data.decode(errors="replace")
                while True:
                    buf = buf.lstrip()
                    if not buf:
                        break
                    try:
                        cmd, n = dec.raw_decode(buf)
                    except ValueError:
                        break                       # an incomplete object: read on
                    buf = buf[n:]
                    reply, quit_after = self._qmp_command(cmd)
                    send(reply)
                    if quit_after:
                        self.quit()
        except OSError:
            pass
        finally:
            conn.close()

    def _qmp_command(self, cmd) -> tuple[dict, bool]:
        if not isinstance(cmd, dict):
            return {"error": {"class": "GenericError",
                              "desc": "QMP input must be a JSON object"}}, False
        name = cmd.get("execute")
        args = cmd.get("arguments")
        if not isinstance(args, dict):
            args = {}
        ok = {"return": {}}
        if name == "qmp_capabilities":
            return ok, False
        if name == "query-status":
            return {"return": {"status": self.run_state,
                               "running": self.run_state == "running"}}, False
        if name == "migrate":
            uri = args.get("uri", "")
            if not uri.startswith("unix:"):
                return {"error": {"class": "GenericError",
                                  "desc": f"ppcvec migrates over unix: sockets only, not {uri!r}"}}, False
            with self.lock:
                if self.status == "active" or self.replay is not None or not self.live:
                    return {"error": {"class": "GenericError",
                                      "desc": "a migration is already in progress"}}, False
                if self.run_state != "running":
                    return {"error": {"class": "GenericError",
                                      "desc": f"the VM is {self.run_state}: nothing to migrate"}}, False
                self.status = "active"
                self.request = uri
            os.write(self._wake_w, b"m")      # a console poll waiting for input ends
            return ok, False
        if name == "query-migrate":
            with self.lock:
                return ({"return": {"status": self.status}} if self.status else ok), False
        if name == "quit":
            return ok, True
        return {"error": {"class": "CommandNotFound",
                          "desc": f"The command {name} has not been found"}}, False

    def quit(self) -> None:
        """QMP quit: QEMU exits 0 at once, whatever the partition is doing."""
        try:
            self.out.flush()
        except (OSError, ValueError):
            pass
        self.cleanup()
        os._exit(0)

    def cleanup(self) -> None:
        for p in self.qmp_paths + ([self.incoming_path] if self.incoming_path else []):
            try:
                os.unlink(p)
            except OSError:
                pass
