"""Differential conformance: run the same bare-metal images in ppcvec and in
QEMU (`qemu-system-ppc64 -M powernvN -bios image.bin`) and compare what each
program's vector slots recorded (docs/conformance.md).

    programs = discover()
    suite = run_suite(programs, qemu=find_qemu())
    suite.failures  ->  disagreements no documented deviation explains

Programs are harness/conform/programs/*.S (frame: harness/conform/programs/conform.inc);
their header declares where they run:

    # conform: machines powernv8 powernv9 powernv10
    # conform: mmu radix            (radix tables, POWER9/10; default: off)
    # conform: mmu hash             (bolted HPT + SLB: SDR1 on POWER8, PTCR and
                                    #  LPCR[HR]=0 on POWER9/10)
    # conform: mmu native           (radix on POWER9/10, hash on POWER8; with
                                    #  MMU_NATIVE_ON, e.g. for HV=0 guests)
    # conform: title one line saying what the program checks
    # conform: smp 2                (threads; all start at 0x10 and pick roles
                                    #  themselves; QEMU gets -smp N)
"""
from __future__ import annotations

import fnmatch
import importlib.resources
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

import guest_images
from harness.conform.deviations import Context, find_deviation
from harness.conform.qmp import Qmp, QmpError, shut_down
from harness.errors import UserError
from harness.loader.images import Image
from harness.run.api import RunOptions, run_image
from harness.toolchain.asm import assemble_file

# the programs ship as package data of harness.conform (programs/*.S, conform.inc)
CONF_DIR = os.path.join(os.fspath(importlib.resources.files("harness.conform")), "programs")
INCLUDE_DIRS = (CONF_DIR, guest_images.INCLUDE)

MACHINES = ("powernv8", "powernv9", "powernv10")
CPU_NUMBER = {"powernv8": 8, "powernv9": 9, "powernv10": 10}

# Results area (programs/conform.inc)
RESULTS = 0x70000
MAXREC = 6
HEADER_DWORDS = 8
RECORD_DWORDS = 16
AREA_DWORDS = HEADER_DWORDS + MAXREC * RECORD_DWORDS
DONE_MAGIC = 0x434F4E46444F4E45
REC_MAGIC = 0x5245430000000000
FIELDS = ("slot", "lr", "ctr", "srr0", "srr1", "hsrr0", "hsrr1", "msr", "fscr", "hfscr",
          "lpcr", "dar", "dsisr", "heir", "tag")

MMU_MODES = ("off", "radix", "hash", "native")
PPCVEC_BUDGET = 2_000_000
QEMU_TIMEOUT = 10.0


@dataclass(frozen=True)
class Program:
    name: str
    path: str
    machines: tuple
    mmu: str = "off"          # "off", "radix", "hash" or "native"
    title: str = ""
    smp: int = 1              # hardware threads (ppcvec --smp, QEMU -smp)


@dataclass
class Observation:
    """What one run left in the results area."""
    done: bool
    records: list             # [{field: int}]
    outcome: str = ""         # ppcvec: run outcome; QEMU: "done" / "timeout"
    error: str = ""
    seconds: float = 0.0


@dataclass
class Row:
    field: str
    qemu: int | None
    ppcvec: int | None
    agree: str                # "yes", "NO", "dev:<id>"


@dataclass
class ProgramResult:
    program: Program
    machine: str
    status: str               # "agree", "deviation", "DISAGREE", "skipped", "error"
    rows: list = field(default_factory=list)
    reason: str = ""
    qemu: Observation | None = None
    ppcvec: Observation | None = None

    @property
    def label(self) -> str:
        return f"{self.program.name}[{self.machine}]"


@dataclass
class SuiteResult:
    results: list

    @property
    def failures(self) -> list:
        return [r for r in self.results if r.status in ("DISAGREE", "error")]

    def counts(self) -> dict:
        out = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out


# ------------------------------------------------------------------ programs

def parse_header(path: str) -> Program:
    name = os.path.splitext(os.path.basename(path))[0]
    machines, mmu, title, smp = MACHINES, "off", "", 1
    with open(path) as f:
        for line in f:
            s = line.strip()
            if not s.startswith("# conform:"):
                if s and not s.startswith("#"):
                    break
                continue
            key, _, value = s[len("# conform:"):].strip().partition(" ")
            value = value.strip()
            if key == "machines":
                machines = tuple(value.split())
                bad = [m for m in machines if m not in MACHINES]
                if bad:
                    raise UserError(f"{path}: unknown machine {bad[0]!r} in '# conform: machines'")
            elif key == "mmu":
                if value not in MMU_MODES:
                    raise UserError(f"{path}: '# conform: mmu' must be one of "
                                    + ", ".join(MMU_MODES))
                mmu = value
            elif key == "title":
                title = value
            elif key == "smp":
                if not value.isdigit() or not 1 <= int(value) <= 8:
                    raise UserError(f"{path}: '# conform: smp' must be a number from 1 to 8")
                smp = int(value)
            else:
                raise UserError(f"{path}: unknown '# conform: {key}'")
    return Program(name, path, machines, mmu, title, smp)


def discover(directory: str = CONF_DIR, pattern: str | None = None) -> list:
    """The conformance programs, by name; `pattern` selects like pytest -k
    (a substring, or a glob when it has * ? [)."""
    if not os.path.isdir(directory):
        raise UserError(f"{directory}: no conformance programs directory")
    progs = []
    for fn in sorted(os.listdir(directory)):
        if not fn.endswith(".S"):
            continue
        name = fn[:-2]
        if pattern and not _selected(name, pattern):
            continue
        progs.append(parse_header(os.path.join(directory, fn)))
    return progs


def _selected(name: str, pattern: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name


_image_cache: dict = {}


def table_kind(prog: Program, machine: str) -> str:
    """The page tables the image carries: "native" is radix on POWER9/10 (Linux's
    choice there) and hash on POWER8."""
    if prog.mmu == "native":
        return "hash" if machine == "powernv8" else "radix"
    return prog.mmu


def build_image(prog: Program, machine: str) -> Image:
    """Assemble `prog` for `machine` (--defsym CPU=8|9|10); the same bytes go
    to ppcvec and to QEMU."""
    key = (prog.path, machine, os.path.getmtime(prog.path))
    img = _image_cache.get(key)
    if img is None:
        mmu = table_kind(prog, machine)
        defsyms = {"CPU": CPU_NUMBER[machine],
                   "CONF_MMU_RADIX": 1 if mmu == "radix" else 0,
                   "CONF_MMU_HASH": 1 if mmu == "hash" else 0}
        try:
            res = assemble_file(prog.path, defsyms=defsyms, include_dirs=list(INCLUDE_DIRS))
        except UserError:
            raise
        except Exception as e:
            raise UserError(f"{prog.path}: {e}") from None
        img = Image(prog.path, "source", res.image, 0, None, dict(res.symbols), list(res.lines))
        _image_cache[key] = img
    return img


# ------------------------------------------------------------------ decoding

def decode_area(words: list) -> tuple[bool, list]:
    """(done, records) from the results area doublewords."""
    done = words[0] == DONE_MAGIC
    count = min(words[1], MAXREC)
    records = []
    for i in range(count):
        base = HEADER_DWORDS + i * RECORD_DWORDS
        rec = dict(zip(FIELDS, words[base:base + len(FIELDS)]))
        rec["magic"] = words[base + 15]
        records.append(rec)
    return done, records


def _words(data: bytes) -> list:
    return [int.from_bytes(data[i:i + 8], "big") for i in range(0, len(data), 8)]


# ------------------------------------------------------------------ ppcvec

def run_ppcvec(prog: Program, machine: str, mmu: str = "identity") -> Observation:
    img = build_image(prog, machine)
    opts = RunOptions(machine=machine, mmu=mmu, max_insns=PPCVEC_BUDGET, smp=prog.smp,
                      dumps=[(RESULTS, AREA_DWORDS * 8)])
    t0 = time.perf_counter()
    r = run_image(img, opts)
    dt = time.perf_counter() - t0
    done, records = decode_area(_words(r.dumps[RESULTS]))
    return Observation(done, records, r.outcome, r.detail if r.outcome == "error" else "", dt)


# ------------------------------------------------------------------ QEMU

def find_qemu(path: str | None = None) -> str | None:
    if path:
        if os.path.sep in path:
            return path if os.access(path, os.X_OK) else None
        return shutil.which(path)
    return shutil.which("qemu-system-ppc64")


def qemu_command(qemu: str, machine: str, image_path: str, sock: str, smp: int = 1) -> list:
    return [qemu, "-M", machine, "-bios", image_path, "-nodefaults", "-nographic",
            "-display", "none", "-serial", "null", "-monitor", "none",
            "-qmp", f"unix:{sock},server=on,wait=off", "-no-reboot"] + \
        (["-smp", str(smp)] if smp > 1 else [])


def run_qemu(prog: Program, machine: str, qemu: str, timeout: float = QEMU_TIMEOUT) -> Observation:
    """Run the image under QEMU in a private directory, poll the results area
    through QMP until the done marker appears (or `timeout`), read it, and kill
    QEMU by its process id."""
    img = build_image(prog, machine)
    tmp = tempfile.mkdtemp(prefix="ppcvec-conform-")
    image_path = os.path.join(tmp, "image.bin")
    sock = os.path.join(tmp, "qmp.sock")
    errlog = os.path.join(tmp, "stderr.txt")
    with open(image_path, "wb") as f:
        f.write(img.data)
    t0 = time.perf_counter()
    proc = None
    q = None
    try:
        with open(errlog, "wb") as err:
            proc = subprocess.Popen(qemu_command(qemu, machine, image_path, sock, prog.smp),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=err, cwd=tmp)
        try:
            q = Qmp.connect(sock, timeout=timeout, alive=lambda: proc.poll() is None)
            deadline = time.monotonic() + timeout
            while True:
                head = q.read_phys(RESULTS, 1)
                if head[0] == DONE_MAGIC:
                    outcome = "done"
                    break
                if time.monotonic() > deadline:
                    outcome = "timeout"
                    break
                time.sleep(0.002)
            done, records = decode_area(q.read_phys(RESULTS, AREA_DWORDS))
        except QmpError as e:
            msg = str(e)
            try:
                with open(errlog, "rb") as f:
                    tail = f.read().decode(errors="replace").strip().splitlines()
                real = [s for s in tail if "no BMC device" not in s]
                if real:
                    msg += f" (qemu: {real[-1]})"
            except OSError:
                pass
            return Observation(False, [], "error", msg, time.perf_counter() - t0)
        err = "" if outcome == "done" else \
            f"the program did not write its done marker within {timeout:.0f}s"
        return Observation(done, records, outcome, err, time.perf_counter() - t0)
    finally:
        shut_down(q, proc, tmp)


# ------------------------------------------------------------------ comparison

def compare(prog: Program, machine: str, q: Observation, p: Observation) -> list:
    rows = []

    def add(fieldname, index, qv, pv):
        if qv == pv:
            agree = "yes"
        else:
            ctx = Context(prog.name, machine, fieldname, index, qv, pv, q.records, p.records,
                          p.outcome)
            d = find_deviation(ctx)
            agree = f"dev:{d.id}" if d else "NO"
        label = fieldname if index is None else f"#{index}.{fieldname}"
        rows.append(Row(label, qv, pv, agree))

    add("done", None, int(q.done), int(p.done))
    add("records", None, len(q.records), len(p.records))
    for i in range(max(len(q.records), len(p.records))):
        qr = q.records[i] if i < len(q.records) else {}
        pr = p.records[i] if i < len(p.records) else {}
        for f in FIELDS:
            add(f, i, qr.get(f), pr.get(f))
    return rows


def status_of(rows: list) -> str:
    if any(r.agree == "NO" for r in rows):
        return "DISAGREE"
    if any(r.agree.startswith("dev:") for r in rows):
        return "deviation"
    return "agree"


def run_one(prog: Program, machine: str, qemu: str, ppcvec_mmu: str = "architected",
            timeout: float = QEMU_TIMEOUT) -> ProgramResult:
    """Compare one program on one machine.  `ppcvec_mmu` is the MMU mode for
    programs that translate ("identity" is a test convenience)."""
    if prog.mmu != "off":
        if prog.mmu == "radix" and machine == "powernv8":
            return ProgramResult(prog, machine, "skipped",
                                 reason="radix page tables need POWER9 or later")
        mmu = ppcvec_mmu
    else:
        mmu = "identity"   # the program never translates
    p = run_ppcvec(prog, machine, mmu)
    q = run_qemu(prog, machine, qemu, timeout)
    res = ProgramResult(prog, machine, "agree", qemu=q, ppcvec=p)
    if q.outcome == "error":
        res.status, res.reason = "error", f"QEMU: {q.error}"
        return res
    if p.outcome == "error":
        res.status, res.reason = "error", f"ppcvec: {p.error}"
        return res
    res.rows = compare(prog, machine, q, p)
    res.status = status_of(res.rows)
    notes = []
    if q.outcome == "timeout":
        notes.append(f"QEMU: {q.error}")
    if not p.done:
        notes.append(f"ppcvec ended {p.outcome} without the done marker")
    res.reason = "; ".join(notes)
    if q.outcome == "timeout" and not p.done:
        # equal (empty) records from a program that hangs on both sides prove nothing
        res.status = "error"
        res.reason = "hangs on both sides: " + res.reason
    return res


def default_ppcvec_mmu(requested: str | None) -> str:
    """The MMU ppcvec runs translating programs with: the architected one unless
    `--mmu` asks otherwise."""
    return requested or "architected"


def run_suite(programs: list, qemu: str, machines=MACHINES, ppcvec_mmu: str = "architected",
              timeout: float = QEMU_TIMEOUT, progress=None) -> SuiteResult:
    results = []
    for prog in programs:
        for machine in machines:
            if machine not in prog.machines:
                continue
            r = run_one(prog, machine, qemu, ppcvec_mmu, timeout)
            if progress:
                progress(r)
            results.append(r)
    return SuiteResult(results)


# ------------------------------------------------------------------ output

COUNT_FIELDS = ("done", "records")     # counts: decimal; every other value is hex


def fmt(v, field: str | None = None) -> str:
    if v is None:
        return "-"
    if field in COUNT_FIELDS:
        return str(v)
    return "0x%016x" % v


def table_lines(suite: SuiteResult, diff_only: bool = False) -> list:
    w = max([len(r.label) for r in suite.results] + [len("program")])
    head = f"{'program':<{w}}  {'field':<10}  {'QEMU':<18}  {'ppcvec':<18}  agree"
    out = [head, "-" * len(head)]
    for r in suite.results:
        if r.status in ("skipped", "error"):
            out.append(f"{r.label:<{w}}  {'-':<10}  {'-':<18}  {'-':<18}  {r.status}: {r.reason}")
            continue
        for row in r.rows:
            if diff_only and row.agree == "yes":
                continue
            kind = row.field.rsplit(".", 1)[-1]
            out.append(f"{r.label:<{w}}  {row.field:<10}  {fmt(row.qemu, kind):<18}  "
                       f"{fmt(row.ppcvec, kind):<18}  {row.agree}")
        if r.reason:
            out.append(f"{r.label:<{w}}  note: {r.reason}")
    return out


def summary_lines(suite: SuiteResult) -> list:
    c = suite.counts()
    parts = [f"{c.get(k, 0)} {k}" for k in ("agree", "deviation", "DISAGREE", "error", "skipped")]
    out = [f"conformance: {len(suite.results)} program runs: " + ", ".join(parts)]
    for r in suite.results:
        if r.status in ("DISAGREE", "error"):
            fields = ", ".join(row.field for row in r.rows if row.agree == "NO")
            out.append(f"  {r.status}: {r.label} {fields or r.reason}")
    devs = sorted({row.agree[4:] for r in suite.results for row in r.rows
                   if row.agree.startswith("dev:")})
    if devs:
        out.append("  documented QEMU deviations seen: " + ", ".join(devs)
                   + " (harness/conform/deviations.py)")
    return out


def suite_json(suite: SuiteResult, qemu: str) -> dict:
    return {
        "qemu": qemu,
        "summary": suite.counts(),
        "results": [{
            "program": r.program.name, "machine": r.machine, "title": r.program.title,
            "status": r.status, "reason": r.reason,
            "rows": [{"field": row.field, "qemu": _hx(row.qemu), "ppcvec": _hx(row.ppcvec),
                      "agree": row.agree} for row in r.rows],
        } for r in suite.results],
    }


def _hx(v):
    return None if v is None else "0x%016x" % v
