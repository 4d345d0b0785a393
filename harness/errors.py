"""User-facing errors: each becomes one line on stderr and exit code 2."""
import sys


class UserError(Exception):
    """Bad input from the user (file, option, image).  `str()` is the one line shown.
    `exit_code` is 2 unless a front end must answer like the tool it replaces
    (ppcvec-qemu-system-ppc64: a kernel it cannot load is exit 1, as in QEMU)."""

    exit_code = 2

    def __init__(self, message: str = "", exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


def run_guarded(fn, interrupted: str) -> int:
    """Run a command-line entry point: a UserError is its one line and exit code, a
    closed pipe exit 0, Ctrl-C `interrupted` and 130 (the two console scripts)."""
    try:
        return fn()
    except UserError as e:
        print(str(e), file=sys.stderr)
        return e.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        return 130
