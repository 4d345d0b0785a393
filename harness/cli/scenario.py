"""`ppcvec scenario list|run` and `ppcvec regress`: the PR-KVM SCV/AIL crash
scenarios (harness/scenarios/core.py, docs/scenarios.md)."""
from __future__ import annotations

import json
import time
from xml.sax.saxutils import escape, quoteattr

from harness.errors import UserError
from harness.run.api import parse_dump
from harness.run.report import trace_lines
from harness.scenarios.core import (SCENARIOS, UPSTREAM_FILES, fix_label, fix_settings, get_scenario, parse_fix,
                        run_scenario)
from harness.scenarios.report import run_lines


def _spr_line(w, symbols) -> str:
    from harness.scenarios.core import symbolize
    return (f"[cpu{w.cpu} #{w.seq}] {w.spr:<8} {w.insn_addr:#018x} <{symbolize(symbols, w.insn_addr)}>: "
            f"{w.source} {w.old:#x} -> {w.new:#x}")


def cmd_list(args) -> int:
    rows = []
    for name in sorted(SCENARIOS):
        s = SCENARIOS[name]
        rows.append({"name": s.name, "platform": s.platform, "description": s.description,
                     "hunks": list(s.hunks), "cpus": list(s.cpus), "smp": s.smp,
                     "provenance": s.provenance, "provenance_note": s.provenance_note,
                     "upstream": [{"function": f, "file": UPSTREAM_FILES[f]}
                                  for f in s.upstream],
                     "expected": {c: {fix_label(f, s): s.expected(f, c) for f in fix_settings(s)}
                                  for c in s.cpus}})
    if args.json:
        print(json.dumps(rows))
        return 0
    for r in rows:
        print(f"{r['name']}  [{r['platform']}, {r['smp']} CPU{'s' if r['smp'] > 1 else ''}, "
              f"hunks: {', '.join(r['hunks'])}]")
        print(f"    {r['description']}")
        print(f"    provenance: {r['provenance']}"
              + (f" ({r['provenance_note']})" if r["provenance_note"] else ""))
        print(f"    models: {', '.join(u['function'] for u in r['upstream'])}")
        for cpu, exp in r["expected"].items():
            print(f"    {cpu:<8} " + "  ".join(f"{k}={v}" for k, v in exp.items()))
    return 0


def cmd_run(args) -> int:
    s = get_scenario(args.name)
    fix = parse_fix(args.fix, s)
    cpu = args.cpu or "power9"
    listeners = []
    holder = {}
    if args.trace and not args.json:
        def on_event(ev):
            syms = holder.get("symbols", {})
            if hasattr(ev, "vector"):
                print("\n".join(trace_lines(ev, syms)))
            elif hasattr(ev, "spr"):
                print(_spr_line(ev, syms))
        listeners.append(on_event)
        from harness.scenarios.core import build
        holder["symbols"] = build(args.name, fix, cpu)[0].symbols
    extra = [parse_dump(d) for d in args.dump if d != "results"]
    sr = run_scenario(args.name, fix, cpu, listeners=listeners,
                      check_invariants=args.check_invariants, dumps=extra)
    if args.json:
        print(json.dumps(sr.to_json_dict()))
    else:
        print("\n".join(run_lines(sr, dump=bool(args.dump))))
        print(f"scenario {s.name} on {cpu}, fix {fix_label(fix, s)}: outcome {sr.outcome} "
              f"(expected {sr.expected})")
        print(f"diagnosis: {sr.diagnosis}")
    return 0 if sr.passed else 1


def cmd_bisect(args) -> int:
    from harness.scenarios.bisect import bisect, table_lines
    s = get_scenario(args.name)
    if args.cpu not in s.cpus:
        raise UserError(f"scenario {s.name} does not run on {args.cpu} "
                        f"(choose from {', '.join(s.cpus)})")
    b = bisect(args.name, args.cpu)
    if args.json:
        print(json.dumps(b.to_json_dict()))
    else:
        print("\n".join(table_lines(b)))
    return 0 if all(r.outcome == r.expected for r in b.rows) else 1


def cmd_regress(args) -> int:
    cases = []
    t0 = time.perf_counter()
    for name in sorted(SCENARIOS):
        s = SCENARIOS[name]
        for cpu in s.cpus:
            for fix in fix_settings(s):
                t = time.perf_counter()
                sr = run_scenario(name, fix, cpu)
                cases.append((s, cpu, fix, sr, time.perf_counter() - t))
                mark = "ok  " if sr.passed else "FAIL"
                print(f"{mark} {name:<34} {cpu:<8} fix={fix_label(fix, s):<14} "
                      f"{sr.outcome} (expected {sr.expected})")
    failed = [c for c in cases if not c[3].passed]
    print(f"{len(cases)} runs, {len(failed)} unexpected, {time.perf_counter() - t0:.2f} s")
    if args.junit:
        write_junit(args.junit, cases)
    return 1 if failed else 0


def write_junit(path: str, cases) -> None:
    failures = sum(1 for c in cases if not c[3].passed)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuite name="ppcvec-regress" tests="{len(cases)}" failures="{failures}">']
    for s, cpu, fix, sr, dt in cases:
        name = f"{s.name}[{cpu},fix={fix_label(fix, s)}]"
        out.append(f'  <testcase classname="scenarios.{s.platform}" name={quoteattr(name)} '
                   f'time="{dt:.3f}">')
        if not sr.passed:
            out.append(f'    <failure message={quoteattr(f"outcome {sr.outcome}, expected {sr.expected}")}>'
                       f'{escape(sr.diagnosis)}</failure>')
        out.append("  </testcase>")
    out.append("</testsuite>")
    try:
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
    except OSError as e:
        raise UserError(f"{path}: cannot write: {e.strerror}") from None


def register(sub) -> None:
    p = sub.add_parser("scenario", help="PR-KVM SCV/AIL crash scenarios")
    ssub = p.add_subparsers(dest="scenario_command", metavar="SUBCOMMAND",
                            parser_class=type(p))
    ssub.required = True
    pl = ssub.add_parser("list", help="list scenarios with their expected outcomes")
    pl.add_argument("--json", action="store_true")
    pl.set_defaults(func=cmd_list)
    pr = ssub.add_parser("run", help="run one scenario")
    pr.add_argument("name")
    pr.add_argument("--fix", default="all", help="all, none or HUNK,HUNK (default all)")
    pr.add_argument("--cpu", choices=["power8", "power9", "power10"], default="power9")
    pr.add_argument("--trace", action="store_true", help="print interrupts and LPCR/FSCR writes")
    pr.add_argument("--json", action="store_true")
    pr.add_argument("--check-invariants", action="store_true")
    pr.add_argument("--dump", action="append", nargs="?", const="results", default=[],
                    metavar="ADDR:LEN", help="also print memory: the results areas "
                    "(no argument) or ADDR:LEN (repeatable)")
    pr.set_defaults(func=cmd_run)
    pb = ssub.add_parser("bisect", help="run every subset of the fix hunks; which prevent the crash")
    pb.add_argument("name")
    pb.add_argument("--cpu", choices=["power8", "power9", "power10"], default="power9")
    pb.add_argument("--json", action="store_true")
    pb.set_defaults(func=cmd_bisect)
    pg = sub.add_parser("regress", help="every scenario x fix setting x CPU; fail on surprises")
    pg.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report")
    pg.set_defaults(func=cmd_regress)
