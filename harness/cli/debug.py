"""`ppcvec debug` (interactive stepper) and `ppcvec gdbserver` (GDB remote stub).

    ppcvec debug IMAGE | --scenario NAME [--fix ...] [--commands FILE] [machine options]
    ppcvec gdbserver IMAGE | --scenario NAME [--fix ...] [--port N] [machine options]
"""
from __future__ import annotations

import sys

from harness.cli.run import add_machine_options, options_from_args
from harness.errors import UserError
from harness.loader.images import load_image


def add_target_options(p) -> None:
    p.add_argument("image", nargs="?", metavar="IMAGE", help="raw, ELF or .S image")
    p.add_argument("--scenario", metavar="NAME", help="a built-in scenario instead of an image")
    p.add_argument("--fix", metavar="HUNKS",
                   help="scenario fix hunks: all, none, or a comma-separated list "
                        "(default: all, the fixed kernel)")
    add_machine_options(p)


def load_target(args):
    """(Image, RunOptions, description) from IMAGE or --scenario NAME [--fix];
    the description is what banners name (the image, or scenario, fix and CPU)."""
    if (args.image is None) == (args.scenario is None):
        raise UserError(f"ppcvec {args.command}: give either IMAGE or --scenario NAME")
    opts = options_from_args(args)
    if args.image is not None:
        if args.fix is not None:
            raise UserError(f"ppcvec {args.command}: --fix needs --scenario")
        return load_image(args.image, opts.defsyms, max_size=opts.ram), opts, args.image
    try:
        from harness.scenarios import core as scenarios
    except ImportError:
        raise UserError("--scenario: scenarios are not available in this build") from None
    sc = scenarios.get_scenario(args.scenario)
    fix_text = args.fix if args.fix is not None else "all"
    fix = scenarios.parse_fix(fix_text, sc)
    image, sopts = scenarios.build(args.scenario, fix, args.cpu or "power9")
    shown = ",".join(sorted(fix)) or "none"
    if args.fix is None:
        shown = f"all ({shown}; the default)" if shown != "none" else "all (the default)"
    desc = f"scenario {args.scenario}, fix {shown}"
    # explicit machine options win over the scenario's own
    if args.machine is not None:
        sopts.machine = args.machine
    if args.cpu is not None:
        sopts.cpu = args.cpu
    if args.mmu is not None:
        sopts.mmu = args.mmu
    if args.smp != 1:
        sopts.smp = args.smp
    if args.max_insns != 100_000_000:
        sopts.max_insns = args.max_insns
    sopts.storm_limit = args.storm_limit
    return image, sopts, desc


def cmd_debug(args) -> int:
    from harness.debug.repl import run_stepper
    from harness.debug.session import Session
    image, opts, desc = load_target(args)
    if opts.max_insns <= 0:
        raise UserError("--max-insns must be positive")
    session = Session.from_image(image, opts)
    session.description = desc
    interactive = args.commands is None and sys.stdin.isatty() and sys.stdout.isatty()
    return run_stepper(session, args.commands, sys.stdin, sys.stdout, interactive)


def cmd_gdbserver(args) -> int:
    from harness.debug.session import Session
    from harness.debug.gdbstub import GdbServer
    if not 0 <= args.port <= 65535:
        raise UserError(f"bad --port {args.port}: 0 to 65535")
    image, opts, desc = load_target(args)
    if opts.max_insns <= 0:
        raise UserError("--max-insns must be positive")
    session = Session.from_image(image, opts)
    session.description = desc
    return GdbServer(session, port=args.port, log=sys.stderr, once=args.once).serve()


def register(sub) -> None:
    p = sub.add_parser("debug", help="step through an image or scenario, interrupt by interrupt")
    add_target_options(p)
    p.add_argument("--commands", metavar="FILE",
                   help="read debugger commands from FILE (default: the terminal, or stdin)")
    p.set_defaults(func=cmd_debug)

    p = sub.add_parser("gdbserver", help="serve an image or scenario to gdb-multiarch (GDB RSP)")
    add_target_options(p)
    p.add_argument("--port", type=int, default=1234,
                   help="TCP port on 127.0.0.1 (default 1234; 0 picks a free one)")
    p.add_argument("--once", action="store_true",
                   help="exit when the first gdb session ends (default: keep listening after a "
                        "detach or disconnect, like QEMU's gdbstub)")
    p.set_defaults(func=cmd_gdbserver)
