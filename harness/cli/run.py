"""`ppcvec run IMAGE... [options]`."""
from __future__ import annotations

import argparse
import json
import sys

from emu.storm import DEFAULT_STORM_LIMIT
from harness.errors import UserError
from harness.loader.boot import MACHINES, parse_size
from harness.loader.images import load_image
from harness.run.report import TraceWriter, summary_lines
from harness.run.api import RunOptions, parse_dump, prepare, run_loaded
from harness.run.exitcodes import outcome_exit_code
from harness.run.signals import EXIT_INTERRUPTED


def _count(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def add_machine_options(p) -> None:
    p.add_argument("--machine", choices=sorted(MACHINES), help="machine type (default: from --cpu, else powernv9)")
    p.add_argument("--cpu", choices=["power8", "power9", "power10"], help="processor model")
    p.add_argument("--smp", type=int, default=1, help="number of hardware threads (default 1)")
    p.add_argument("--ram", default="2G", help="RAM size (default 2G, allocated lazily)")
    p.add_argument("--max-insns", type=_count, default=100_000_000,
                   help="instruction budget (default 100000000)")
    p.add_argument("--storm-limit", type=_count, default=DEFAULT_STORM_LIMIT, metavar="K",
                   help="end the run (outcome storm) when the same faulting instruction is "
                        f"interrupted K times in a row (default {DEFAULT_STORM_LIMIT}; 0: never)")
    p.add_argument("--defsym", action="append", default=[], metavar="NAME=VALUE",
                   help="define a symbol for .S images, as GNU as --defsym")
    p.add_argument("--mmu", choices=["identity", "architected"],
                   help="translation with IR/DR=1 (default: architected when available)")
    p.add_argument("--hv-ail-mode-3", choices=["on", "off"], default="on",
                   help="pseries: whether H_SET_MODE accepts AIL=3 (QEMU cap-ail-mode-3)")
    p.add_argument("--hv-user-hcall", choices=["privilege", "reflect"], default="privilege",
                   help="pseries: `sc 1` from problem state returns H_PRIVILEGE (QEMU TCG, "
                        "default) or is reflected to the partition's 0xc00 (KVM HV)")


def options_from_args(args) -> RunOptions:
    from harness.toolchain.asm import parse_defsym
    defsyms = dict(parse_defsym(d) for d in args.defsym)
    hv = {"ail_mode_3": args.hv_ail_mode_3 == "on",
          "problem_state_hcall": getattr(args, "hv_user_hcall", "privilege")}
    return RunOptions(machine=args.machine, cpu=args.cpu, smp=args.smp, ram=parse_size(args.ram),
                      max_insns=args.max_insns, defsyms=defsyms,
                      dumps=[parse_dump(d) for d in getattr(args, "dump", [])],
                      mmu=args.mmu, check_invariants=getattr(args, "check_invariants", False),
                      storm_limit=args.storm_limit,
                      hv_options=hv if args.machine == "pseries" else {})


def cmd_run_kernel(args) -> int:
    """`ppcvec run --kernel K [--append S] [--initrd F] [BIOS]`: boot a kernel the way
    ppcvec-qemu-system-ppc64 does (pseries: ELF at 0x400000, BIOS image at 0;
    powernv: ELF at 0x20000000 behind ppcvec's OPAL), the console on stdout, then
    the usual summary.  The RTAS clock starts at the epoch: deterministic."""
    from harness.cli import qemu_compat, qemu_machine
    from harness.run.api import Result
    if len(args.images) > 1:
        raise UserError("ppcvec run --kernel: at most one IMAGE (the firmware, -bios)")
    o = qemu_compat.Options()
    o.machine = args.machine or "pseries"
    o.cpu, o.smp, o.ram = args.cpu, args.smp, parse_size(args.ram)
    o.kernel, o.append, o.initrd = args.kernel, args.append, args.initrd
    o.bios = args.images[0] if args.images else None
    out = sys.stdout

    def console(data: bytes) -> None:
        out.write(data.decode("latin-1"))

    m, mt = qemu_machine.build(o, wall_clock=False)
    qemu_machine.boot(m, mt, o, console)
    r = m.run(args.max_insns)
    res = Result(image=args.kernel, machine=mt.name, cpu=m.model.name, outcome=r.outcome,
                 exit_code=r.exit_code, insns=r.insns, cpus=r.cpus, interrupts=r.interrupts,
                 dumps={}, detail=r.detail, hcalls=r.hcalls)
    if args.json:
        print(json.dumps(res.to_json_dict(), sort_keys=False))
    else:
        print("\n".join(summary_lines(res)))
    return 2 if r.outcome == "error" else 0


def cmd_run(args) -> int:
    if args.kernel:
        return cmd_run_kernel(args)
    if not args.images:
        raise UserError("ppcvec run: give IMAGE... or --kernel FILE")
    opts = options_from_args(args)
    rc = 0
    for path in args.images:
        image = load_image(path, opts.defsyms, max_size=opts.ram)
        listeners = []
        # machine-readable output alone on stdout: with --json the trace is stderr's
        trace_out = sys.stderr if args.json else sys.stdout
        tw = None
        if args.trace:
            tw = TraceWriter(trace_out, image.symbols)     # repeats collapse to one ×N line

            def on_event(ev, _tw=tw):
                if hasattr(ev, "vector"):
                    _tw.interrupt(ev)
                elif hasattr(ev, "opcode"):       # a hypercall the pseries hypervisor handled
                    _tw.line(f"[cpu{ev.cpu} #{ev.seq}] hcall    {ev.insn_addr:#018x}: {ev.name} "
                             f"-> r3={ev.ret}  {ev.detail}")
            listeners.append(on_event)
        m, mt, cpu, checker = prepare(image, opts, listeners)
        r = run_loaded(m, mt, cpu, image, opts, checker, on_interrupt="result")
        if tw is not None:
            tw.flush()
        if args.json:
            print(json.dumps(r.to_json_dict(), sort_keys=False))
        else:
            print("\n".join(summary_lines(r)))
        sys.stdout.flush()
        if r.outcome == "error":
            print(f"ppcvec: {path}: {r.detail}", file=sys.stderr)
        if r.outcome == "interrupted":
            print(f"ppcvec: {path}: {r.detail}", file=sys.stderr)
            return EXIT_INTERRUPTED       # the remaining images are not run
        rc = rc or outcome_exit_code(r.outcome, r.exit_code)
    return rc


def register(sub) -> None:
    p = sub.add_parser("run", help="run images (raw, ELF or .S) on a machine")
    p.add_argument("images", nargs="*", metavar="IMAGE")
    p.add_argument("--kernel", metavar="FILE",
                   help="boot an ELF kernel as QEMU -kernel does (pseries 0x400000, powernv "
                        "0x20000000 with ppcvec's OPAL); IMAGE, if given, is the -bios image")
    p.add_argument("--append", metavar="STRING", help="with --kernel: /chosen/bootargs")
    p.add_argument("--initrd", metavar="FILE", help="with --kernel: an initial RAM disk")
    add_machine_options(p)
    p.add_argument("--dump", action="append", default=[], metavar="ADDR:LEN",
                   help="print LEN bytes of memory at real address ADDR after the run")
    p.add_argument("--trace", action="store_true", help="print every interrupt as it is delivered")
    p.add_argument("--json", action="store_true", help="one JSON object per image, one per line")
    p.add_argument("--check-invariants", action="store_true",
                   help="report states where an scv would reach real 0x17000 (hazards)")
    p.set_defaults(func=cmd_run)


