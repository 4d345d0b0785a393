"""Interrupt storms: an interrupt that keeps being raised by the same
instruction, with nothing in between but its handler.

The classic cases: a handler that re-faults a few instructions into itself
(not at its own vector, which `Cpu.deliver` already parks as idle), or one that
returns (rfid) to the faulting instruction without removing the cause, or two
handlers that fault into each other.  Each costs the whole instruction budget,
minutes of run time and (before events were capped) gigabytes of events.

Rule (ppcvec's, not the architecture's): on one CPU, the same interrupt kind
from the same instruction address to the same vector (and, for storage
interrupts, the same DAR) — or a cycle of at most `MAX_CYCLE` such interrupts —
repeated `limit` times in a row is a storm.  Only interrupts an instruction
raises *instead of completing* count (`STORM_KINDS`): a system call or a trace
interrupt follows a completed instruction, so a loop making system calls makes
progress; asynchronous interrupts (decrementer, doorbells, external) say
nothing about the instruction they interrupted (an idle loop waiting for
timer ticks takes the decrementer at the same `b .` every time).
"""
from __future__ import annotations

MAX_CYCLE = 8
DEFAULT_STORM_LIMIT = 1000
# interrupts raised by an instruction that did not complete
STORM_KINDS = frozenset({"mce", "dsi", "dseg", "isi", "iseg", "alignment", "program", "fpu",
                         "hdsi", "hisi", "heai", "vmx", "vsx", "fu", "hfu"})


class StormDetector:
    """Per-CPU: `see(key)` after each delivery; returns the cycle length once
    the last `limit` repetitions of a cycle of 1..MAX_CYCLE keys are identical,
    else 0.  Constant memory: the last MAX_CYCLE keys and one counter per
    cycle length."""
    __slots__ = ("limit", "hist", "runs", "pos")

    def __init__(self, limit: int = DEFAULT_STORM_LIMIT):
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self.hist = [None] * MAX_CYCLE
        self.runs = [0] * (MAX_CYCLE + 1)
        self.pos = 0

    def see(self, key) -> int:
        hist, runs, pos = self.hist, self.runs, self.pos
        found = 0
        for p in range(1, MAX_CYCLE + 1):
            if hist[(pos - p) % MAX_CYCLE] == key:
                n = runs[p] + 1
                runs[p] = n
                # `limit` repetitions of a p-cycle: (limit - 1) * p matches
                if not found and n >= (self.limit - 1) * p:
                    found = p
            else:
                runs[p] = 0
        hist[pos] = key
        self.pos = (pos + 1) % MAX_CYCLE
        return found

    def cycle(self, p: int) -> list:
        """The last `p` keys, oldest first (the loop `see` just reported)."""
        return [self.hist[(self.pos - p + k) % MAX_CYCLE] for k in range(p)]

    def break_chain(self) -> None:
        """Something other than a storm-class interrupt happened in between
        (a system call, an asynchronous interrupt): start counting again."""
        if any(self.runs):
            self.reset()
