"""The exit status of `ppcvec run` (and of `ppcvec gdbserver` after the program
ended): one code per outcome class, documented in the README ("Exit status").

    0         attn / poweroff with exit code 0
    1..255    attn / poweroff with a non-zero exit code: its low 8 bits
              (1 when those are 0, so a non-zero code never reads as success)
    2         bad input (ppcvec's own: options, files, images); nothing ran
    120       idle       every CPU parked (branch-to-self, stop, own-vector loop)
    121       storm      the same interrupt (or a short cycle) repeated without end
    122       checkstop  machine check with MSR[ME]=0
    123       error      the execution core hit something ppcvec cannot model
    124       budget     the instruction budget was spent (like timeout(1))
    130       interrupted by SIGINT or SIGTERM (the shell's 128 + SIGINT)

A program's own exit code can be any of these numbers too (attn with r3 = 2);
the summary line and `--json` always say which outcome it was.
"""
from __future__ import annotations

EXIT_BAD_INPUT = 2
EXIT_CODES = {"idle": 120, "storm": 121, "checkstop": 122, "error": 123, "budget": 124,
              "interrupted": 130}


def program_exit_status(code: int | None) -> int:
    """A program's exit code (attn r3, RTAS power-off argument) as a process
    exit status: its low 8 bits, 1 if they are 0 but the code is not."""
    if not code:
        return 0
    low = code & 0xFF
    return low if low else 1


def outcome_exit_code(outcome: str, exit_code: int | None) -> int:
    """The process exit status for a run that ended with `outcome`."""
    if outcome in ("attn", "poweroff"):
        return program_exit_status(exit_code)
    return EXIT_CODES.get(outcome, EXIT_CODES["error"])
