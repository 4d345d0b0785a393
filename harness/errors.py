"""User-facing errors: each becomes one line on stderr and exit code 2."""


class UserError(Exception):
    """Bad input from the user (file, option, image).  `str()` is the one line shown.
    `exit_code` is 2 unless a front end must answer like the tool it replaces
    (ppcvec-qemu-system-ppc64: a kernel it cannot load is exit 1, as in QEMU)."""

    exit_code = 2

    def __init__(self, message: str = "", exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
