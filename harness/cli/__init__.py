"""`ppcvec` command line.

Each sub-command lives in its own module (`harness/cmd_*.py`) exposing
`register(subparsers)`; the parser calls the function stored in `func`.
Every user error is one line on stderr and exit code 2, never a traceback.
Sub-commands import their implementation when they run (not to hide an import
cycle: tests/test_layout.py proves there is none) so that `ppcvec asm` does not
load Unicorn and `ppcvec --help` stays fast.
"""
from __future__ import annotations

import argparse
import sys

from harness.errors import UserError, run_guarded

COMMAND_MODULES = (
    "harness.cli.asm",       # asm, disas
    "harness.cli.run",       # run
    "harness.cli.scenario",  # scenario list/run/bisect, regress
    "harness.cli.debug",     # debug, gdbserver
    "harness.cli.conform",   # conform
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints usage too)
        raise UserError(f"{self.prog}: error: {message}")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    from harness import __version__
    parser = _Parser(prog="ppcvec", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version",
                        version=f"ppcvec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue
            raise
        mod.register(sub)
    return parser


def main(argv=None) -> int:
    def run() -> int:
        args = build_parser().parse_args(argv)
        rc = args.func(args)
        sys.stdout.flush()
        return int(rc or 0)
    return run_guarded(run, "ppcvec: interrupted")


if __name__ == "__main__":
    sys.exit(main())
