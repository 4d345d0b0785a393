"""Ctrl-C (SIGINT) and SIGTERM while a machine runs.

Python's default SIGINT handler raises KeyboardInterrupt in whatever Python
frame runs when the signal is handled.  While Unicorn executes, that frame is
one of the execution core's callbacks (the TLB-fill hook, the interrupt hook,
a Unicorn binding wrapper): an exception there is lost or turns into
UC_ERR_EXCEPTION, and the run ends in an undefined state.  So no callback may
ever see one.  Instead, for the duration of a run, `StopSignals` installs a
handler that only records the signal and calls `Machine.request_stop()`
(`uc_emu_stop`, legal from a hook): the running slice ends at the next
instruction boundary Unicorn checks (at the latest when the slice's
instruction count is reached), `Machine.run` returns with outcome "stopped",
and the caller, back in ordinary Python code, decides what to do (print the
partial result, return to the debugger prompt, report a stop to gdb).

Signal handlers can only be installed from the main thread; elsewhere
`StopSignals` does nothing (the run is then only stoppable by request_stop).
"""
from __future__ import annotations

import signal
import threading

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
EXIT_INTERRUPTED = 130          # the shell's 128 + SIGINT, for SIGINT and SIGTERM alike


class StopSignals:
    """Context manager: while inside, SIGINT/SIGTERM set `signum` and call
    `on_signal()` (typically `machine.request_stop`) instead of raising."""

    def __init__(self, on_signal=None):
        self.on_signal = on_signal
        self.signum = None
        self._saved = {}

    @property
    def name(self) -> str | None:
        return None if self.signum is None else signal.Signals(self.signum).name

    def _handler(self, signum, _frame):
        self.signum = signum
        fn = self.on_signal
        if fn is not None:
            fn()

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for s in STOP_SIGNALS:
                try:
                    self._saved[s] = signal.signal(s, self._handler)
                except (ValueError, OSError):
                    pass
        return self

    def __exit__(self, *exc):
        for s, old in self._saved.items():
            signal.signal(s, old)
        self._saved.clear()
        return False
