"""User-facing errors: each becomes one line on stderr and exit code 2."""


class UserError(Exception):
    """Bad input from the user (file, option, image).  `str()` is the one line shown."""

    exit_code = 2
