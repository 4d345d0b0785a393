"""The front end's vty console input (`-serial stdio`): the bytes waiting on
stdin, as pseries H_GET_TERM_CHAR reads them (emu.pseries `console_input`).
Used by every pseries run of ppcvec-qemu-system-ppc64, with or without a
migration (harness.cli.migration logs and replays what it returns)."""
from __future__ import annotations

import os
import select

IDLE_POLLS = 64            # empty H_GET_TERM_CHAR in a row before a poll waits
POLL_WAIT = 0.005          # seconds a poll then waits for input (or a wake-up)


def stdin_reader(wake_fd: int | None = None):
    """`console_input` for the front end: the bytes waiting on stdin.  A partition
    that keeps polling an empty console (kvm-unit-tests' getchar) has each poll
    wait up to POLL_WAIT for input after IDLE_POLLS empty ones, so that a wait for
    a key costs few polls (a migration replays them all); `wake_fd` readable
    ends the waits (a QMP migrate).  The instructions the partition executes do
    not depend on it: the polls that returned bytes are numbered and logged."""
    eof = False
    empty = 0

    def read(n: int) -> bytes:
        nonlocal eof, empty
        if eof:
            return b""
        fds = [0] if wake_fd is None else [0, wake_fd]
        try:
            ready, _, _ = select.select(fds, [], [], POLL_WAIT if empty >= IDLE_POLLS else 0)
            data = os.read(0, n) if 0 in ready else None
        except (OSError, ValueError):
            data = b""
        if data is None:
            empty += 1
            return b""
        empty = 0
        if not data:
            eof = True
        return data
    return read
