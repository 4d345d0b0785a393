"""A GDB Remote Serial Protocol server for `gdb-multiarch` (powerpc:common64).

Own implementation of the protocol (GDB manual, "Remote Protocol"):
  * framing `$payload#cs`, acks `+`/`-` until `QStartNoAckMode`, 0x03 = Ctrl-C;
  * `qSupported`, `qXfer:features:read:target.xml` — a target description made of
    gdb's standard `org.gnu.gdb.power.core` and `org.gnu.gdb.power.fpu` features
    (remote numbers r0-r31 = 0-31, f0-f31 = 32-63, pc 64, msr 65, cr 66, lr 67,
    ctr 68, xer 69, fpscr 70, as gdb's power64-core.xml/power-fpu.xml) plus
    `org.gnu.gdb.power.ppcvec-sprs` with the privileged registers from 71 on, so
    `p/x $fscr` works;
  * `g`/`G`/`p`/`P`, `m`/`M`/`X` (effective addresses, translated by the selected
    CPU), `Z0`/`z0` (and `Z1`/`z1`) breakpoints as Unicorn exits, `s`/`c`/`vCont`,
    `?`, `T` stop replies, `H`/`qfThreadInfo`/`qsThreadInfo`/`qC`/`T` with one
    thread per CPU (ids 1..N), `qRcmd` (`monitor`), `D`, `k`.
Stepping is `Session.step`: an instruction that raises an interrupt is one step
that lands on the handler, and the dispatch decision is sent as console output
(`O` packets), the same lines as `ppcvec debug` prints.
"""
from __future__ import annotations

import os
import queue
import socket
import threading

from emu.registers import register_for_field
from emu.state import SPR_FIELDS
from harness.debug.commands import Debugger, help_without_run_commands
from harness.debug.session import DebugError, Session, Stop
from harness.errors import UserError
from harness.toolchain.elf import write_elf
from harness.toolchain.symbols import KERNEL_BASE, quadrant_alias
from harness.run.exitcodes import outcome_exit_code

SIGINT, SIGTRAP = 2, 5
MAX_PACKET = 0x4000
# The privileged registers from 71 on: every register of the register table
# (emu.registers, table order, at its width), then the decrementers.
SPR_REGS = tuple((name, register_for_field(name).width) for name in SPR_FIELDS) + (
    ("dec", 32), ("hdec", 32))


# ---------------------------------------------------------------- registers

class Reg:
    __slots__ = ("num", "name", "bits", "type", "feature", "get", "set")

    def __init__(self, num, name, bits, typ, feature, get, set_):
        self.num, self.name, self.bits, self.type, self.feature = num, name, bits, typ, feature
        self.get, self.set = get, set_


def _spr_reg(num, name, bits):
    def get(c):
        return c.read_spr(name)

    def set_(c, v):
        if name in ("pvr", "pir"):
            return      # read-only
        c.write_spr(name, v, c.pc, None, "debugger")
    return Reg(num, name, bits, f"uint{bits}", "org.gnu.gdb.power.ppcvec-sprs", get, set_)


def build_registers() -> list:
    core, fpu = "org.gnu.gdb.power.core", "org.gnu.gdb.power.fpu"
    regs = []
    for n in range(32):
        regs.append(Reg(n, f"r{n}", 64, "uint64", core,
                        lambda c, n=n: c.gpr(n), lambda c, v, n=n: c.set_gpr(n, v)))
    for n in range(32):
        regs.append(Reg(32 + n, f"f{n}", 64, "ieee_double", fpu,
                        lambda c, n=n: c.fpr(n), lambda c, v, n=n: c.set_fpr(n, v)))

    def set_pc(c, v):
        c.pc = v
        c.idle = False
        c.at_breakpoint = False

    regs += [
        Reg(64, "pc", 64, "code_ptr", core, lambda c: c.pc, set_pc),
        Reg(65, "msr", 64, "uint64", core, lambda c: c.state.msr,
            lambda c, v: c.write_msr(v, c.pc, None, "debugger")),
        Reg(66, "cr", 32, "uint32", core, lambda c: c.get_cr(), lambda c, v: c.set_cr(v)),
        Reg(67, "lr", 64, "code_ptr", core, lambda c: c.get_lr(), lambda c, v: c.set_lr(v)),
        Reg(68, "ctr", 64, "uint64", core, lambda c: c.get_ctr(), lambda c, v: c.set_ctr(v)),
        Reg(69, "xer", 32, "uint32", core, lambda c: c.get_xer(), lambda c, v: c.set_xer(v)),
        Reg(70, "fpscr", 32, "uint32", fpu, lambda c: c.get_fpscr(),
            lambda c, v: c.set_fpscr(v)),
    ]
    for k, (name, bits) in enumerate(SPR_REGS):
        regs.append(_spr_reg(71 + k, name, bits))
    return regs


REGISTERS = build_registers()


def target_xml() -> str:
    out = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
           '<target version="1.0">', '  <architecture>powerpc:common64</architecture>']
    for feature in ("org.gnu.gdb.power.core", "org.gnu.gdb.power.fpu",
                    "org.gnu.gdb.power.ppcvec-sprs"):
        out.append(f'  <feature name="{feature}">')
        for r in REGISTERS:
            if r.feature == feature:
                extra = ' group="float"' if r.name == "fpscr" else ""
                out.append(f'    <reg name="{r.name}" bitsize="{r.bits}" type="{r.type}" '
                           f'regnum="{r.num}"{extra}/>')
        out.append('  </feature>')
    out.append('</target>')
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- framing

def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def escape_binary(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b in (0x23, 0x24, 0x7D, 0x2A):      # # $ } *
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def unescape_binary(data: bytes) -> bytes:
    out = bytearray()
    it = iter(data)
    for b in it:
        if b == 0x7D:
            nxt = next(it, None)
            if nxt is None:
                raise ValueError("truncated escape")
            out.append(nxt ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


class _Reader(threading.Thread):
    """Reads the socket: frames packets into a queue; Ctrl-C and EOF are also
    signalled at once (the main thread may be running the machine)."""

    def __init__(self, sock, on_interrupt):
        super().__init__(daemon=True)
        self.sock = sock
        self.q = queue.Queue()
        self.on_interrupt = on_interrupt

    def run(self):
        state, buf, cs = "idle", bytearray(), bytearray()
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                self.q.put(("eof", None))
                self.on_interrupt(eof=True)
                return
            for b in data:
                if state == "idle":
                    if b == 0x24:                      # $
                        state, buf = "data", bytearray()
                    elif b == 0x03:
                        self.q.put(("ctrl-c", None))
                        self.on_interrupt(eof=False)
                    elif b == 0x2D:                    # -
                        self.q.put(("nak", None))
                    # '+' and stray bytes between packets are ignored
                elif state == "data":
                    if b == 0x23:                      # #
                        state, cs = "cs", bytearray()
                    elif b == 0x24:                    # a new packet restarts framing
                        buf = bytearray()
                    elif len(buf) > 2 * MAX_PACKET:
                        state = "idle"
                        self.q.put(("bad", b"packet too long"))
                    else:
                        buf.append(b)
                else:
                    cs.append(b)
                    if len(cs) == 2:
                        state = "idle"
                        try:
                            ok = int(cs.decode("ascii"), 16) == checksum(buf)
                        except ValueError:
                            ok = False
                        self.q.put(("packet" if ok else "badsum", bytes(buf)))


# ---------------------------------------------------------------- the server

MONITOR_SPELLING = (("break vector", "break-vector"), ("break interrupt", "break-interrupt"),
                    ("watch spr", "watch-spr"))


def monitor_help() -> list[str]:
    """What `monitor` accepts: the stepper's commands that do not run the
    machine (gdb's own step/continue do that), in their monitor spelling."""
    out = []
    for ln in help_without_run_commands():
        for a, b in MONITOR_SPELLING:
            ln = ln.replace("  " + a, "  " + b)
        out.append(ln.replace("commands:", "monitor commands (run the machine with gdb's "
                                            "own stepi/continue):"))
    return out


class GdbServer:
    def __init__(self, session: Session, port: int = 1234, host: str = "127.0.0.1", log=None,
                 once: bool = False):
        self.s = session
        self.once = once                 # exit after the first gdb session
        self.port = port
        self.host = host
        self.log = log
        self.sock = None
        self.ack = True
        self.last_sent = b""
        self.gthread = 0                 # CPU index for g/p/m (Hg)
        self.cthread = None              # CPU index for s/c (Hc); None = any
        self.last_stop = None
        self.monitor = Debugger(session, self._monitor_write)
        session.events_hint = "monitor events"
        self.ended = None                # (outcome, exit code) once the program ended
        self.attached = False            # a gdb talks to us: others are refused at once
        self._monitor_out = []
        self._wlock = threading.Lock()
        self.closed = False

    def say(self, text: str) -> None:
        if self.log is not None:
            print(f"ppcvec gdbserver: {text}", file=self.log, flush=True)

    # ------------------------------------------------------------ lifecycle
    def serve(self) -> int:
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            lsock.bind((self.host, self.port))
        except OSError as e:
            lsock.close()
            raise UserError(f"gdbserver: cannot listen on {self.host}:{self.port}: {e.strerror}") from None
        lsock.listen(4)
        port = lsock.getsockname()[1]
        if self.log is not None:
            print(f"listening on {self.host}:{port}", file=self.log, flush=True)
        n = len(self.s.m.cpus)
        self.say(f"serving {self.s.description} on {self.s.machine_name} ({self.s.cpu_name}, "
                 f"{n} CPU{'s' if n > 1 else ''})")
        # One gdb at a time: while one is attached, another is refused at once
        # (closed, and said on stderr) instead of waiting in the backlog.
        conns = queue.Queue()

        def acceptor():
            while True:
                try:
                    conn, peer = lsock.accept()
                except OSError:
                    return
                if self.attached:
                    self.say(f"refused gdb from {peer[0]}:{peer[1]}: another gdb is attached "
                             f"(one client at a time)")
                    try:
                        conn.close()
                    except OSError:
                        pass
                    continue
                conns.put((conn, peer))     # (after a port probe: served next)

        threading.Thread(target=acceptor, daemon=True).start()
        # Like QEMU's gdbstub and GNU gdbserver --multi: the machine outlives a
        # client; a detach or a disconnect waits for the next one (--once: exit).
        try:
            while True:
                conn, peer = conns.get()
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.say(f"gdb connected from {peer[0]}:{peer[1]}")
                try:
                    why, final = self.session_loop(conn)
                finally:
                    try:
                        conn.close()
                    except OSError:
                        pass
                    self.attached = False
                if self.packets == 0 and not final:
                    self.say(f"connection from {peer[0]}:{peer[1]} closed without a packet; ignored")
                    continue
                if final or self.once:
                    self.say(why + ("" if why.endswith("exiting") else "; exiting"))
                    return self.exit_status()
                self.say(f"{why}; still listening on {self.host}:{port}")
        finally:
            lsock.close()

    def exit_status(self) -> int:
        """0, or after the program ended the exit status of its outcome
        (harness.run.exitcodes, as `ppcvec run`)."""
        if self.ended is None:
            return 0
        return outcome_exit_code(*self.ended)

    def session_loop(self, conn) -> tuple[str, bool]:
        """Serve one gdb connection; -> (why it ended, whether the server ends:
        kill or the program's end; a detach or a disconnect keeps listening)."""
        self.sock = conn
        self.closed = False
        self.ack = True
        self.last_sent = b""
        self.packets = 0
        reader = _Reader(conn, self._on_async)
        self.reader = reader
        reader.start()
        while True:
            kind, data = reader.q.get()
            if kind == "eof" or self.closed:
                return "gdb disconnected", False
            if kind == "nak":
                self._raw_send(self.last_sent)
                continue
            if kind == "ctrl-c":
                continue             # not running: nothing to interrupt
            if kind == "bad":
                self.say(f"ignored a malformed packet ({data.decode()})")
                continue
            if kind == "badsum":
                if self.ack:
                    self._raw_send(b"-")
                    self.say("bad checksum; asked gdb to resend")
                    continue
                # no-ack mode: checksums need not be checked
            if self.ack:
                self._raw_send(b"+")
            self.packets += 1
            self.attached = True
            try:
                result = self.handle(data)
            except (DebugError, ValueError, IndexError, KeyError) as e:
                self.say(f"bad packet {data[:40]!r}: {e}")
                result = b"E01"
            except OSError:
                return "gdb disconnected", False
            except Exception as e:      # never die on one packet: say it, answer an error
                self.say(f"internal error on packet {data[:40]!r}: {type(e).__name__}: {e}")
                result = b"E01"
            if result is None:
                continue
            if isinstance(result, tuple):           # ("end", reply, message, final)
                _, reply, message, final = result
                if reply is not None:
                    self.send(reply)
                return message, final
            self.send(result)

    def _on_async(self, eof: bool) -> None:
        if eof:
            self.closed = True
        self.s.interrupt()

    # ------------------------------------------------------------ sending
    def _raw_send(self, data: bytes) -> None:
        with self._wlock:
            try:
                self.sock.sendall(data)
            except OSError:
                self.closed = True

    def send(self, payload) -> None:
        if isinstance(payload, str):
            payload = payload.encode("ascii")
        pkt = b"$" + payload + b"#" + b"%02x" % checksum(payload)
        self.last_sent = pkt
        self._raw_send(pkt)

    def console(self, lines) -> None:
        """Text for gdb's console (`O` packets)."""
        for ln in lines:
            self.send(b"O" + (ln + "\n").encode("utf-8").hex().encode("ascii"))

    # ------------------------------------------------------------ dispatch
    def handle(self, data: bytes):
        if not data:
            return b""
        c = chr(data[0])
        text = data.decode("latin-1")
        if c == "?":
            return self.stop_reply(self.last_stop)
        if c == "g":
            cpu = self._cpu(self.gthread)
            return "".join(self._reg_hex(r, cpu) for r in REGISTERS)
        if c == "G":
            return self.write_all_regs(text[1:])
        if c == "p":
            n = int(text[1:], 16)
            if not 0 <= n < len(REGISTERS):
                return "E45"
            return self._reg_hex(REGISTERS[n], self._cpu(self.gthread))
        if c == "P":
            num, _, val = text[1:].partition("=")
            n = int(num, 16)
            if not 0 <= n < len(REGISTERS) or len(val) != REGISTERS[n].bits // 4:
                return "E45"
            REGISTERS[n].set(self._cpu(self.gthread), int(val, 16))
            return "OK"
        if c == "m":
            addr, length = (int(x, 16) for x in text[1:].split(","))
            return self.read_memory(addr, length)
        if c == "M":
            head, _, hexdata = text[1:].partition(":")
            addr, length = (int(x, 16) for x in head.split(","))
            body = bytes.fromhex(hexdata)
            if len(body) != length:
                return "E01"
            return self.write_memory(addr, body)
        if c == "X":
            colon = data.index(b":")
            addr, length = (int(x, 16) for x in data[1:colon].decode().split(","))
            body = unescape_binary(data[colon + 1:])
            if len(body) != length:
                return "E01"
            return self.write_memory(addr, body) if length else "OK"
        if c in "Zz":
            typ, addr, _kind = text[1:].split(",")[:3]
            if typ not in ("0", "1"):
                return ""        # watchpoints: not supported (use `monitor watch-spr`)
            self.s.set_gdb_break(int(addr, 16), c == "Z")
            return "OK"
        if c == "H":
            return self.set_thread(text[1], text[2:])
        if c == "T":
            tid = int(text[1:], 16)
            return "OK" if 1 <= tid <= len(self.s.m.cpus) else "E01"
        if c in "sS":
            return self.resume("step", self.cthread)
        if c in "cC":
            return self.resume("continue", None)
        if c == "D":
            return ("end", "OK", "gdb detached", self.ended is not None)
        if c == "k":
            return ("end", None, "gdb killed the session; exiting", True)
        if text.startswith("vCont?"):
            return "vCont;c;C;s;S"
        if text.startswith("vCont;"):
            return self.vcont(text[6:])
        if text.startswith("vKill"):
            return ("end", "OK", "gdb killed the session; exiting", True)
        if text.startswith("vMustReplyEmpty"):
            return ""
        if text.startswith("vFile:"):
            return self.vfile(text[6:])
        if c == "q" or c == "Q":
            return self.query(text)
        return ""                 # unknown packet: empty reply, as the protocol says

    def query(self, text: str):
        if text.startswith("qSupported"):
            return (f"PacketSize={MAX_PACKET:x};qXfer:features:read+;QStartNoAckMode+;"
                    f"swbreak+;hwbreak+;vContSupported+;qXfer:exec-file:read+")
        if text == "QStartNoAckMode":
            self.send("OK")
            self.ack = False
            return None
        if text.startswith("qXfer:features:read:"):
            annex, _, rng = text[len("qXfer:features:read:"):].partition(":")
            if annex != "target.xml":
                return "E00"
            off, length = (int(x, 16) for x in rng.split(","))
            doc = target_xml().encode("ascii")
            chunk = doc[off:off + length]
            return (b"l" if off + length >= len(doc) else b"m") + escape_binary(chunk)
        if text.startswith("qXfer:exec-file:read:"):
            off, length = (int(x, 16) for x in text.rsplit(":", 1)[1].split(","))
            doc = self.exec_path().encode("utf-8")
            chunk = doc[off:off + length]
            return (b"l" if off + length >= len(doc) else b"m") + escape_binary(chunk)
        if text == "qfThreadInfo":
            return "m" + ",".join(f"{i + 1:x}" for i in range(len(self.s.m.cpus)))
        if text == "qsThreadInfo":
            return "l"
        if text == "qC":
            return f"QC{self.gthread + 1:x}"
        if text.startswith("qAttached"):
            return "1"
        if text.startswith("qThreadExtraInfo,"):
            i = int(text.split(",")[1], 16) - 1
            c = self._cpu(i)
            state = c.halted or ("idle" if c.idle else "runnable")
            return f"cpu{i} {state}".encode().hex()
        if text.startswith("qRcmd,"):
            return self.monitor_command(bytes.fromhex(text[6:]).decode("utf-8", "replace"))
        if text.startswith("qSymbol"):
            return "OK"
        return ""

    # ------------------------------------------------------------ the image as a file
    # gdb fetches the executable from the target (qXfer:exec-file + vFile, sysroot
    # "target:"): an ELF of the loaded image with its symbols, so gdb knows the
    # byte order (big-endian) and `break SYMBOL` works without a local file.

    def exec_path(self) -> str:
        return "/ppcvec/" + os.path.basename(self.s.image.name or "image") + ".elf"

    def exec_bytes(self) -> bytes:
        if getattr(self, "_elf", None) is None:
            img = self.s.image
            syms = {k: v for k, v in self.s.symbols.items()}
            entry = img.entry if img.entry is not None else 0x10
            # the code also runs at 0xc000000000000000 + its address (the kernel's
            # linear map): gdb gets both, so `break SYMBOL` and `bt` work there
            alias = KERNEL_BASE if quadrant_alias(img.base) == KERNEL_BASE + img.base else None
            self._elf = write_elf(img.data, base=img.base, entry=entry, symbols=syms, alias=alias)
        return self._elf

    def vfile(self, text: str):
        op, _, args = text.partition(":")
        if op == "setfs":
            return "F0"
        if op == "open":
            path = bytes.fromhex(args.split(",")[0]).decode("utf-8", "replace")
            if path != self.exec_path():
                return "F-1,2"           # ENOENT
            return "F1"
        if op == "pread":
            fd, count, offset = (int(x, 16) for x in args.split(","))
            if fd != 1:
                return "F-1,9"           # EBADF
            data = self.exec_bytes()[offset:offset + min(count, MAX_PACKET // 2)]
            return b"F%x;" % len(data) + escape_binary(data)
        if op == "close":
            return "F0"
        return ""

    # ------------------------------------------------------------ threads
    def _cpu(self, index):
        if index is None:
            index = self.s.cur
        if not 0 <= index < len(self.s.m.cpus):
            raise DebugError(f"no thread {index + 1}")
        return self.s.m.cpus[index]

    def set_thread(self, op: str, tid_text: str) -> str:
        tid = int(tid_text, 16) if tid_text not in ("-1", "") else -1
        if tid > len(self.s.m.cpus):
            return "E01"
        index = None if tid in (0, -1) else tid - 1
        if op == "g":
            self.gthread = self.s.cur if index is None else index
        elif op == "c":
            self.cthread = index
        else:
            return "E01"
        return "OK"

    # ------------------------------------------------------------ registers
    def _reg_hex(self, r: Reg, cpu) -> str:
        v = r.get(cpu) & ((1 << r.bits) - 1)
        return v.to_bytes(r.bits // 8, "big").hex()

    def write_all_regs(self, hexdata: str) -> str:
        cpu = self._cpu(self.gthread)
        pos = 0
        for r in REGISTERS:
            n = r.bits // 4
            if pos + n > len(hexdata):
                break
            chunk = hexdata[pos:pos + n]
            pos += n
            if "x" in chunk:
                continue         # unavailable value
            v = int(chunk, 16)
            if v != r.get(cpu) & ((1 << r.bits) - 1):
                r.set(cpu, v)
        return "OK"

    # ------------------------------------------------------------ memory
    def read_memory(self, addr: int, length: int) -> str:
        length = min(length, MAX_PACKET // 2 - 8)
        try:
            return self.s.read_virtual(addr, length, cpu=self.gthread).hex()
        except DebugError:
            # partial read up to the first page that does not translate
            first = min(length, 0x1000 - (addr & 0xFFF))
            try:
                return self.s.read_virtual(addr, first, cpu=self.gthread).hex()
            except DebugError:
                return "E14"

    def write_memory(self, addr: int, data: bytes) -> str:
        try:
            self.s.write_virtual(addr, data, cpu=self.gthread)
        except DebugError:
            return "E14"
        return "OK"

    # ------------------------------------------------------------ running
    def vcont(self, spec: str):
        actions = [a for a in spec.split(";") if a]
        if not actions:
            return "E01"
        for a in actions:           # the first action naming a thread to step wins
            act, _, tid = a.partition(":")
            if act[0] in "sS":
                index = self.cthread if not tid or tid in ("-1", "0") else int(tid, 16) - 1
                return self.resume("step", index)
        for a in actions:
            if a[0] in "cC":
                return self.resume("continue", None)
        return "E01"

    def resume(self, how: str, index):
        if self.ended is not None:
            outcome, code = self.ended
            self.console([f"the program has ended ({outcome}"
                          + (f", exit code {code:#x}" if code is not None else "")
                          + "); nothing runs. Inspect it, then detach or kill."])
            return self.stop_reply(self.last_stop)
        if how == "step":
            i = self.s.cur if index is None else index
            self._cpu(i)
            st = self.s.step(i)
            lines = self.s.describe_stop(st, verbose_interrupts=True)
        else:
            st = self.s.cont(step_over=False, should_stop=lambda: self.closed)
            lines = self.s.describe_stop(st, verbose_interrupts=False)
        if self.closed:
            return ("end", None, "gdb disconnected while the machine ran", False)
        self.s.cur = st.cpu
        self.gthread = st.cpu
        self.last_stop = st
        if st.reason in ("attn", "checkstop", "error", "poweroff"):
            # the program ended: keep the machine for inspection until gdb detaches
            self.ended = (st.reason, st.exit_code)
            self.say(f"program ended ({st.reason}); keeping the machine for inspection "
                     f"until gdb detaches")
            lines = lines + [f"program ended ({st.reason}); the machine is kept for "
                             f"inspection: detach or kill to end"]
        self.console(lines)
        return self.stop_reply(st)

    def stop_reply(self, st: Stop | None) -> str:
        if st is None:
            return f"T{SIGTRAP:02x}thread:{self.s.cur + 1:x};"
        sig = SIGINT if st.reason == "interrupted" else SIGTRAP
        extra = "swbreak:;" if st.reason == "breakpoint" else ""
        return f"T{sig:02x}thread:{st.cpu + 1:x};{extra}"

    # ------------------------------------------------------------ monitor
    MONITOR_MAP = {"break-interrupt": "break interrupt", "break-vector": "break vector",
                   "watch-spr": "watch spr", "break-addr": "break"}

    def _monitor_write(self, line: str) -> None:
        self._monitor_out.append(line)

    def monitor_command(self, line: str):
        words = line.split(None, 1)
        self._monitor_out = []
        if not words or words[0] == "help":
            self._monitor_out += monitor_help()
        else:
            head = self.MONITOR_MAP.get(words[0], words[0])
            cmd = head + (" " + words[1] if len(words) > 1 else "")
            self.monitor.execute(cmd, allow_run=False)
        self.console(self._monitor_out)
        return "OK"
