"""A small QMP client (QEMU Machine Protocol: JSON lines over a unix socket),
enough to read guest physical memory from a running QEMU.

    q = Qmp.connect("/tmp/x/qmp.sock", timeout=5.0)
    words = q.read_phys(0x70000, 4)      # HMP `xp /4gx 0x70000`
    q.close()

No dependencies beyond the standard library.  QMP greets with {"QMP": ...};
the client must send `qmp_capabilities` before any other command; replies are
{"return": ...} or {"error": {...}}, interleaved with asynchronous
{"event": ...} lines, which are skipped.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import time


class QmpError(Exception):
    """The QMP conversation failed (no socket, closed connection, error reply)."""


class Qmp:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""

    @classmethod
    def connect(cls, path: str, timeout: float = 5.0, alive=None) -> "Qmp":
        """Connect to QEMU's `-qmp unix:PATH,server=on,wait=off` socket, retrying
        until it exists (QEMU creates it while starting), then negotiate
        capabilities.  `alive()` (optional) returning False aborts early."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                break
            except OSError as e:
                s.close()
                last = e
            if alive is not None and not alive():
                raise QmpError("QEMU exited before its QMP socket was ready")
            if time.monotonic() > deadline:
                raise QmpError(f"no QMP socket at {path} after {timeout:.1f}s ({last})")
            time.sleep(0.005)
        s.settimeout(timeout)
        q = cls(s)
        greeting = q._read_message()
        if "QMP" not in greeting:
            raise QmpError(f"unexpected QMP greeting: {greeting!r}")
        q.command("qmp_capabilities")
        return q

    def _read_message(self) -> dict:
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except OSError as e:
                raise QmpError(f"QMP read failed: {e}") from None
            if not chunk:
                raise QmpError("QMP connection closed by QEMU")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise QmpError(f"malformed QMP message: {line[:200]!r}") from None

    def command(self, name: str, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        try:
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
        except OSError as e:
            raise QmpError(f"QMP write failed: {e}") from None
        while True:
            reply = self._read_message()
            if "event" in reply:
                continue
            if "error" in reply:
                err = reply["error"]
                raise QmpError(f"QMP {name}: {err.get('class')}: {err.get('desc')}")
            if "return" in reply:
                return reply["return"]

    def hmp(self, command_line: str) -> str:
        """Run a human monitor command and return its text output."""
        return self.command("human-monitor-command", **{"command-line": command_line})

    def read_phys(self, addr: int, count: int) -> list[int]:
        """`count` big-endian doublewords of guest physical memory at `addr`."""
        text = self.hmp(f"xp /{count}gx {addr:#x}")
        return parse_xp(text, count)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def parse_xp(text: str, count: int) -> list[int]:
    """Parse HMP `xp /Ngx` output ("0000000000070000: 0x... 0x...\\r\\n" lines)."""
    words = []
    for line in text.splitlines():
        if ":" not in line:
            continue
        _, rest = line.split(":", 1)
        for tok in rest.split():
            if tok.startswith("0x"):
                words.append(int(tok, 16))
    if len(words) != count:
        raise QmpError(f"xp returned {len(words)} doublewords, expected {count}: {text[:200]!r}")
    return words


def shut_down(q: "Qmp | None", proc, tmp: str) -> None:
    """Close the QMP connection, kill QEMU if it still runs, reap it and remove
    its scratch directory - whatever part of the start-up got done."""
    if q is not None:
        q.close()
    if proc is not None and proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    if proc is not None:
        proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
