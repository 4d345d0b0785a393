"""Migration between two `ppcvec-qemu-system-ppc64` processes, driven the way
kvm-unit-tests' run_migration drives QEMU (QMP on a unix socket, `-incoming
unix:P`), and the vty input and reservation it depends on (harness.cli.migration)."""
import json
import os
import socket
import subprocess
import sys
import time

from emu import Machine
from harness.toolchain.asm import assemble
from harness.toolchain.elf import write_elf
from progs import RTAS_POWER_OFF

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The reservation lives where harness.cli.migration clears it
RESERVE = """
    .org 0x10
    li 4, 0x4560
    lwarx 3, 0, 4
    attn
    stwcx. 4, 0, 4
    mfcr 5
    attn
"""


def _reserve(lose):
    m = Machine("power9", mmu="identity")
    m.load(assemble(RESERVE).image)
    m.reset_cpu(0, 0x10, 0x9000000000000030)
    assert m.run(1000).outcome == "attn"
    cpu = m.cpus[0]
    held = cpu.reservation()
    if lose:
        cpu.lose_reservation()
    cpu.halted = None
    cpu.pc += 4
    assert m.run(1000).outcome == "attn"
    return held, cpu.reservation(), cpu.gpr(5) >> 28


def test_lwarx_reservation_is_read_and_lost_where_unicorn_keeps_it():
    held, after, cr0 = _reserve(lose=False)
    assert held == 0x4560 and cr0 == 0b0010          # stwcx. succeeded: CR0[EQ]
    held, after, cr0 = _reserve(lose=True)
    assert held == 0x4560 and cr0 == 0b0000          # lost: stwcx. failed, no store
    assert after is None


# pseries: print "A\n"; lwarx; poll H_GET_TERM_CHAR until a byte comes; stwcx.;
# print "S" (reservation kept) or "L" (lost), the byte and "\n"; RTAS power-off.
WAIT_FOR_KEY = """
    li 0, 1
    sldi 0, 0, 63
    mtmsrd 0
    li 3, 0x58
    li 4, 0
    li 5, 2
    lis 6, 0x410a          # "A\\n"
    sldi 6, 6, 32
    sc 1
    lis 21, 0x20
    lwarx 22, 0, 21
wait:
    li 3, 0x54             # H_GET_TERM_CHAR
    li 4, 0
    sc 1
    cmpdi 4, 0
    beq wait
    mr 23, 5
    li 24, 0x4c            # 'L'
    stwcx. 21, 0, 21
    bne 1f
    li 24, 0x53            # 'S'
1:  sldi 6, 24, 56
    srdi 7, 23, 56
    sldi 7, 7, 48
    or 6, 6, 7
    li 7, 0x0a
    sldi 7, 7, 40
    or 6, 6, 7
    li 3, 0x58
    li 4, 0
    li 5, 3
    sc 1
""" + RTAS_POWER_OFF + "    b .\n"


def _kernel(tmp_path):
    path = tmp_path / "wait.elf"
    path.write_bytes(write_elf(assemble(WAIT_FOR_KEY).image, base=0, entry=0))
    return str(path)


def _qemu(*args):
    return subprocess.Popen([sys.executable, "-m", "harness.cli.qemu_compat", "-nodefaults",
                             "-machine", "pseries", *args], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_socket(path, proc):
    for _ in range(300):
        if os.path.exists(path):
            return
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    raise AssertionError(f"no socket {path}")


def qmp(path, *commands):
    """One QMP session, as arch-run.bash's `qmp` (ncat -U): the replies."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        f = s.makefile("rwb")
        greeting = json.loads(f.readline())
        assert greeting["QMP"]["version"]["qemu"]["major"] == 7
        out = []
        for c in ({"execute": "qmp_capabilities"},) + commands:
            f.write(json.dumps(c).encode())
            f.flush()
            out.append(json.loads(f.readline()))
        return out[1:]


def test_without_migration_the_key_comes_from_stdin_and_the_reservation_holds(tmp_path):
    p = subprocess.run([sys.executable, "-m", "harness.cli.qemu_compat", "-kernel",
                        _kernel(tmp_path)], cwd=ROOT, input=b"k", capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"A\nSk\n"


def _migrate(tmp_path, dst_extra=()):
    k = _kernel(tmp_path)
    src_qmp, dst_qmp, incoming = (str(tmp_path / n) for n in ("q1", "q2", "in"))
    src = _qemu("-kernel", k, "-chardev", f"socket,id=mon,path={src_qmp},server=on,wait=off",
                "-mon", "chardev=mon,mode=control")
    dst = _qemu("-kernel", k, *dst_extra, "-qmp", f"unix:{dst_qmp},server=on,wait=off",
                "-incoming", f"unix:{incoming}")
    try:
        assert src.stdout.readline() == b"A\n"       # the source waits for its key
        _wait_socket(src_qmp, src)
        _wait_socket(incoming, dst)
        _wait_socket(dst_qmp, dst)
        assert qmp(dst_qmp, {"execute": "query-status"})[0]["return"]["status"] == "inmigrate"
        assert qmp(src_qmp, {"execute": "migrate",
                             "arguments": {"uri": f"unix:{incoming}"}}) == [{"return": {}}]
        for _ in range(600):
            status = qmp(src_qmp, {"execute": "query-migrate"})[0]["return"]["status"]
            if status != "active":
                break
            time.sleep(0.05)
        return src, dst, status, src_qmp, incoming
    except BaseException:
        src.kill()
        dst.kill()
        raise


def test_migrate_over_qmp_the_destination_runs_on_and_loses_the_reservation(tmp_path):
    src, dst, status, src_qmp, incoming = _migrate(tmp_path)
    assert status == "completed"
    assert qmp(src_qmp, {"execute": "query-status"})[0]["return"]["status"] == "postmigrate"
    again = qmp(src_qmp, {"execute": "migrate", "arguments": {"uri": f"unix:{incoming}"}})
    assert "postmigrate" in again[0]["error"]["desc"]     # migrated once: nothing left to send
    qmp(src_qmp, {"execute": "quit"})
    assert src.wait(30) == 0
    assert src.stdout.read() == b""                   # the source printed nothing more
    assert not os.path.exists(incoming)               # removed once the migration is in
    out, err = dst.communicate(b"k", timeout=60)      # the key goes to the destination
    assert dst.returncode == 0, err
    assert out == b"Lk\n"                             # stwcx. failed: the reservation is lost


def test_a_destination_with_other_options_refuses_the_migration(tmp_path):
    src, dst, status, src_qmp, _ = _migrate(tmp_path, dst_extra=("-append", "other"))
    try:
        assert status == "failed"
        assert dst.wait(30) == 1
        err = dst.stderr.read().decode().strip().splitlines()
        assert len(err) == 1 and "migration failed: the source ran with other options" in err[0]
    finally:
        qmp(src_qmp, {"execute": "quit"})
        src.wait(30)


# two CPUs race on one word (load, add, store): the final value depends on how
# their slices interleave
RACE = """
    .org 0x10
    lis 4, 0x1
    mtctr 3
1:  ld 5, 0x100(4)
    addi 5, 5, 1
    std 5, 0x100(4)
    bdnz 1b
    attn
"""


def _race_machine():
    m = Machine("power9", ncpus=2, mmu="identity", slice_insns=500)
    m.load(assemble(RACE).image)
    for i, n in enumerate((30_000, 40_000)):
        m.reset_cpu(i, 0x10, 0x9000000000000030, gprs={3: n})
    return m


def _state(m):
    return (m.total_insns, m.ram.read(0x10100, 8),
            [(c.pc, c.insns, c.gprs()) for c in m.cpus])


def test_a_run_in_pieces_is_the_same_run():
    whole = _race_machine()
    assert whole.run(1_000_000).outcome == "attn"
    pieces = _race_machine()
    n = 0
    while pieces.run(1_000_000 - pieces.total_insns, stop_at=pieces.total_insns + 777,
                     results=False) is None and pieces.outcome == "paused":
        n += 1
    assert pieces.outcome == "attn" and n > 100
    assert _state(pieces) == _state(whole)
    # the race did interleave: fewer increments survived than were made
    assert int.from_bytes(whole.ram.read(0x10100, 8), "big") < 70_000


def test_qmp_answers_what_it_does_not_know_and_a_bad_stream_fails_one_line(tmp_path):
    k = _kernel(tmp_path)
    q, incoming = str(tmp_path / "q"), str(tmp_path / "in")
    dst = _qemu("-kernel", k, "-qmp", f"unix:{q},server=on,wait=off", "-incoming", f"unix:{incoming}")
    try:
        _wait_socket(q, dst)
        _wait_socket(incoming, dst)
        r = qmp(q, {"execute": "no-such-command"}, {"execute": "migrate",
                                                   "arguments": {"uri": "tcp:localhost:4444"}})
        assert r[0]["error"]["class"] == "CommandNotFound"
        assert r[1]["error"]["class"] == "GenericError" and "unix:" in r[1]["error"]["desc"]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(incoming)
            s.sendall(b'{"protocol": "ppcvec-migration-1", "points": "x"}\n')
            assert s.makefile("rb").readline().startswith(b"error: a malformed")
        assert dst.wait(30) == 1
        err = dst.stderr.read().decode().strip().splitlines()
        assert err == ["ppcvec-qemu-system-ppc64: migration failed: a malformed ppcvec migration stream"]
    finally:
        dst.kill()
