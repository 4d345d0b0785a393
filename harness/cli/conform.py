"""`ppcvec conform [--qemu PATH] [-k PATTERN] [--json]`: run the conformance
programs (harness/conform/programs/*.S) in ppcvec and under QEMU and compare every
recorded field; `ppcvec conform --fuzz N [--seed S] [--machine M]... [--json]`
does the same with N seeded random programs (harness/conform/fuzz.py).  Exit 0 when everything agrees or differs only by a documented
QEMU deviation, 1 on any other disagreement, 2 on bad input (no QEMU, ...)."""
from __future__ import annotations

import json
import sys

from harness.errors import UserError


def cmd_conform(args) -> int:
    from harness.conform import suite as conform
    qemu = conform.find_qemu(args.qemu)
    if qemu is None:
        what = args.qemu or "qemu-system-ppc64"
        raise UserError(f"ppcvec conform: {what} not found (install Debian's qemu-system-ppc, "
                        "or give --qemu PATH)")
    if args.timeout <= 0:
        raise UserError("ppcvec conform: --timeout must be positive")
    if args.fuzz is not None:
        return cmd_fuzz(args, qemu)
    programs = conform.discover(pattern=args.k)
    if not programs:
        raise UserError(f"ppcvec conform: no program matches -k {args.k!r}")
    machines = tuple(args.machine) if args.machine else conform.MACHINES
    mmu = conform.default_ppcvec_mmu(args.mmu)

    def progress(r):
        if not args.json and args.verbose:
            print(f"# {r.label}: {r.status}", file=sys.stderr, flush=True)

    suite = conform.run_suite(programs, qemu, machines=machines, ppcvec_mmu=mmu,
                              timeout=args.timeout, progress=progress)
    if args.json:
        print(json.dumps(conform.suite_json(suite, qemu), sort_keys=False))
    else:
        print("\n".join(conform.table_lines(suite, diff_only=args.diff_only)))
        print()
        print("\n".join(conform.summary_lines(suite)))
    return 1 if suite.failures else 0


def cmd_fuzz(args, qemu: str) -> int:
    """`--fuzz N [--seed S]`: the seeded random differential programs
    (harness/conform/fuzz.py); prints every disagreement and deviation summary
    and the coverage counts."""
    from harness.conform import fuzz
    if args.fuzz < 1:
        raise UserError("ppcvec conform: --fuzz needs a positive number of programs")
    if args.k:
        raise UserError("ppcvec conform: -k selects suite programs; it does not apply to --fuzz")
    machines = tuple(args.machine) if args.machine else fuzz.MACHINES
    run = fuzz.run_fuzz(args.fuzz, args.seed, qemu, machines, timeout=max(args.timeout, 30.0))
    if args.json:
        print(json.dumps(fuzz.run_json(run), sort_keys=False))
    else:
        print("\n".join(fuzz.report_lines(run, verbose=args.verbose)))
    return 1 if run.failures or run.errors else 0


def register(sub) -> None:
    p = sub.add_parser("conform", help="compare interrupt behaviour with QEMU (powernv8/9/10)")
    p.add_argument("--qemu", metavar="PATH", help="qemu-system-ppc64 to use (default: from PATH)")
    p.add_argument("-k", metavar="PATTERN", help="only programs whose name contains PATTERN (or matches a glob)")
    p.add_argument("--json", action="store_true", help="one JSON document instead of the table")
    p.add_argument("--machine", action="append", choices=["powernv8", "powernv9", "powernv10"],
                   help="only these machines (repeatable; default: all three)")
    p.add_argument("--mmu", choices=["architected", "identity"],
                   help="ppcvec MMU for programs that translate (default: architected when "
                        "available, else those programs are skipped)")
    p.add_argument("--diff-only", action="store_true", help="only print rows that do not agree")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds to wait for a program under QEMU (default 10)")
    p.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    p.add_argument("--fuzz", type=int, metavar="N",
                   help="run N seeded random programs instead of the suite (docs/conformance.md)")
    p.add_argument("--seed", type=int, default=1, help="random seed for --fuzz (default 1)")
    p.set_defaults(func=cmd_conform)
