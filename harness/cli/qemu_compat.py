"""`ppcvec-qemu-system-ppc64`: ppcvec behind QEMU's command line.

So that suites written for QEMU run unchanged with ppcvec in its place, e.g.
kvm-unit-tests: `QEMU=$(command -v ppcvec-qemu-system-ppc64) ACCEL=tcg ./run_tests.sh`.
It accepts the options `powerpc/run` and `scripts/arch-run.bash` pass
(docs/kvm-unit-tests.md), builds the same Machine as `ppcvec run` (harness.loader,
harness.run.api) and behaves like `qemu-system-ppc64` where the scripts look:

  * `-h`/`--help`: the first line is "QEMU emulator version 7.2.0 (ppcvec …)"
    (the scripts grep "QEMU" and read the version from it);
  * `-machine '?'` / `-machine help`: the machines, one per line;
  * `-bios F`: a raw image at real 0 (pseries: the partition starts at 0x100);
    `-kernel F`: an ELF loaded where QEMU loads it (pseries 0x400000, spapr.c
    KERNEL_LOAD_ADDR; powernv 0x20000000, pnv.c KERNEL_LOAD_ADDR), relocatable
    ELFs are placed there, others at their own addresses;
  * `-append S` -> /chosen/bootargs; `-initrd F` -> loaded after the kernel,
    /chosen/linux,initrd-start|end;
  * the console (H_PUT_TERM_CHAR, OPAL console) on stdout, unbuffered;
  * power-off (RTAS power-off, OPAL CEC_POWER_DOWN) exits 0 like QEMU; a file it
    cannot load: "error loading F: …", exit 1 (what QEMU prints, which
    kvm-unit-tests' premature-failure probe looks for);
  * an option it does not support: one line on stderr, exit 2.

Every run has an instruction budget (`-ppcvec-max-insns N`, default 20 billion,
or PPCVEC_MAX_INSNS): when it is spent the run ends with a line on stderr and
exit 1, never a hang.
"""
from __future__ import annotations

import time

STARTED = time.time()   # the host's clock at start-up: the RTAS clock's default origin

import importlib  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from harness.errors import UserError

PROG = "ppcvec-qemu-system-ppc64"
QEMU_VERSION = "7.2.0"
DEFAULT_BUDGET = 20_000_000_000
# The timebase runs at the frequency the device tree gives (512 MHz, as QEMU 7.2
# pseries) and advances this many ticks per instruction: one simulated second is
# 1 million instructions, so tests that wait seconds (delay loops, RTAS clock) stay
# quick while every run remains deterministic.
TB_TICKS_PER_INSN = 512
PSERIES_KERNEL_ADDR = 0x400000       # QEMU hw/ppc/spapr.c KERNEL_LOAD_ADDR
POWERNV_KERNEL_ADDR = 0x20000000     # QEMU hw/ppc/pnv.c KERNEL_LOAD_ADDR
POWERNV_INITRD_ADDR = 0x28000000     # QEMU hw/ppc/pnv.c INITRD_LOAD_ADDR
DEFAULT_RAM = {"pseries": 512 << 20, "powernv": 1 << 30}   # QEMU's default -m
MACHINE_ALIASES = {"powernv": "powernv9"}
MACHINE_DESCRIPTIONS = {
    "pseries": "pSeries Logical Partition (PAPR compliant)",
    "powernv8": "IBM PowerNV (Non-Virtualized) POWER8",
    "powernv9": "IBM PowerNV (Non-Virtualized) POWER9",
    "powernv10": "IBM PowerNV (Non-Virtualized) POWER10",
}
# -machine pseries,<prop>=<value>: QEMU spapr capabilities that do not change what
# ppcvec models (speculation-barrier caps, count cache flush assist) are accepted.
PSERIES_IGNORED_CAPS = {"cap-cfpc", "cap-sbbc", "cap-ibs", "cap-ccf-assist", "cap-htm",
                        "cap-vsx", "cap-dfp", "cap-large-decr", "cap-fwnmi", "cap-rpt-invalidate",
                        "cap-nested-hv", "cap-hpt-max-page-size", "accel", "usb", "dump-guest-core"}
CPU_NAMES = {"power8": "power8", "power8_v2.0": "power8", "power8e": "power8",
             "power8nvl": "power8", "power9": "power9", "power9_v2.0": "power9",
             "power9_v2.2": "power9", "power10": "power10", "power10_v2.0": "power10",
             "host": None, "max": "power10"}


def help_text() -> str:
    from harness import __version__ as ver   # not importlib.metadata: 40 ms a start-up
    return "\n".join([
        f"QEMU emulator version {QEMU_VERSION} (ppcvec {ver}, Power ISA interrupt vectors on Unicorn)",
        "usage: ppcvec-qemu-system-ppc64 [options]  (the subset of qemu-system-ppc64 that",
        "kvm-unit-tests uses)",
        "",
        "-machine pseries[,cap-...=...] | powernv8 | powernv9 | powernv10   (-machine '?' lists)",
        "-cpu power8|power9|power10     -m SIZE     -smp N[,threads=1]",
        "-bios FILE    -kernel FILE    -append STRING    -initrd FILE",
        "-nodefaults  -accel tcg  -display none  -serial stdio  -nographic  -icount ...",
        "-device ipmi-bmc-sim,... | isa-ipmi-bt,... (powernv; no BMC is modelled)",
        "-rtc base=utc|YYYY-MM-DD[THH:MM:SS]   the RTAS time-of-day clock at boot",
        "-chardev socket,id=ID,path=P,server=on,wait=off -mon chardev=ID,mode=control",
        "-qmp unix:P,server=on,wait=off   QMP (qmp_capabilities, query-status, migrate,",
        "                                 query-migrate, quit)",
        "-incoming unix:P   receive a migration from another ppcvec (pseries)",
        "-ppcvec-max-insns N   instruction budget (default 20000000000; PPCVEC_MAX_INSNS)",
        "-ppcvec-seed N        seed of H_RANDOM (default 0)",
        "-version  -h|--help",
    ])


def machine_list() -> str:
    lines = ["Supported machines are:"]
    for name in sorted(MACHINE_DESCRIPTIONS):
        lines.append(f"{name:<20} {MACHINE_DESCRIPTIONS[name]}")
        if name == "powernv9":
            lines.append(f"{'powernv':<20} {MACHINE_DESCRIPTIONS[name]} (alias of powernv9)")
    return "\n".join(lines)


class Options:
    def __init__(self):
        self.machine = None
        self.machine_props = {}
        self.cpu = None
        self.ram = None
        self.smp = 1
        self.bios = None
        self.kernel = None
        self.append = None
        self.initrd = None
        self.rtc_base = None
        self.budget = int(os.environ.get("PPCVEC_MAX_INSNS", DEFAULT_BUDGET))
        self.seed = 0
        self.icount = None
        self.chardevs = {}          # -chardev socket,id=ID,path=P,server=on -> {ID: P}
        self.qmp = []               # QMP monitors: unix socket paths
        self.incoming = None        # -incoming unix:PATH


def _split_props(text: str) -> tuple[str | None, dict]:
    parts = text.split(",")
    name = None
    props = {}
    for i, p in enumerate(parts):
        if "=" in p:
            k, v = p.split("=", 1)
            props[k] = v
        elif i == 0:
            name = p
        else:
            props[p] = "on"
    return name, props


def parse_ram(text: str) -> int:
    """-m [size=]N[KMGT]: QEMU's unit is MiB when there is no suffix."""
    t = text.split(",")[0]
    if t.startswith("size="):
        t = t[5:]
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    unit = mult.get(t[-1:].upper())
    try:
        v = int(t[:-1] if unit else t) * (unit or 1 << 20)
    except ValueError:
        raise UserError(f"{PROG}: -m {text}: expected a size such as 1g or 512M") from None
    if v < (64 << 20) or v % (1 << 20):
        raise UserError(f"{PROG}: -m {text}: at least 64 MiB, a whole number of MiB")
    return v


def parse_smp(text: str) -> int:
    name, props = _split_props(text)
    try:
        n = int(name if name is not None else props.pop("cpus"), 0)
        threads = int(props.pop("threads", "1"), 0)
        for k in ("cores", "sockets", "maxcpus", "dies"):
            props.pop(k, None)
    except (ValueError, KeyError):
        raise UserError(f"{PROG}: -smp {text}: expected N[,threads=T]") from None
    if props:
        raise UserError(f"{PROG}: -smp {text}: unsupported property {next(iter(props))!r}")
    if threads != 1:
        # QEMU 7.2 TCG pseries says the same (spapr_set_vsmt_mode)
        raise UserError(f"{PROG}: -smp {text}: TCG cannot support more than 1 thread/core "
                        f"(ppcvec models one thread per core)", exit_code=1)
    return n


def parse_args(argv: list[str]) -> Options | str:
    """QEMU-style options -> Options, or "help"/"machines"/"version"."""
    o = Options()
    i = 0

    def value(opt):
        nonlocal i
        if i + 1 >= len(argv):
            raise UserError(f"{PROG}: {opt} requires an argument")
        i += 1
        return argv[i]

    while i < len(argv):
        a = argv[i]
        opt = a[1:] if a.startswith("--") else a
        if opt in ("-h", "-help"):
            return "help"
        if opt == "-version":
            return "version"
        if opt in ("-nodefaults", "-nographic", "-no-reboot", "-no-shutdown"):
            pass
        elif opt == "-accel":
            accel = value(opt).split(",")[0]
            if accel != "tcg":
                raise UserError(f"{PROG}: -accel {accel}: only tcg (ppcvec is an emulator)")
        elif opt in ("-machine", "-M"):
            name, props = _split_props(value(opt))
            if name in ("?", "help"):
                return "machines"
            if name is not None:
                o.machine = MACHINE_ALIASES.get(name, name)
            o.machine_props.update(props)
        elif opt == "-cpu":
            c = value(opt).split(",")[0].lower()
            if c not in CPU_NAMES or CPU_NAMES[c] is None:
                raise UserError(f"{PROG}: -cpu {c}: unsupported CPU (power8, power9, power10)")
            o.cpu = CPU_NAMES[c]
        elif opt == "-m":
            o.ram = parse_ram(value(opt))
        elif opt == "-smp":
            o.smp = parse_smp(value(opt))
        elif opt == "-bios":
            o.bios = value(opt)
        elif opt == "-kernel":
            o.kernel = value(opt)
        elif opt == "-append":
            o.append = value(opt)
        elif opt == "-initrd":
            o.initrd = value(opt)
        elif opt == "-display":
            if value(opt).split(",")[0] != "none":
                raise UserError(f"{PROG}: -display: only 'none' (there is no display)")
        elif opt == "-serial":
            if value(opt) != "stdio":
                raise UserError(f"{PROG}: -serial: only 'stdio'")
        elif opt == "-icount":
            o.icount = value(opt)    # the timebase is instruction-driven anyway
        elif opt == "-device":
            dev = value(opt).split(",")[0]
            if dev not in ("ipmi-bmc-sim", "isa-ipmi-bt"):
                raise UserError(f"{PROG}: -device {dev}: unsupported device")
        elif opt == "-rtc":
            _, props = _split_props("x," + value(opt))
            base = props.get("base", "utc")
            o.rtc_base = None if base in ("utc", "localtime") else base
        elif opt == "-chardev":
            kind, props = _split_props(value(opt))
            if kind != "socket" or "path" not in props or props.get("server") not in ("on", "yes"):
                raise UserError(f"{PROG}: -chardev {argv[i]}: only socket,id=ID,path=P,server=on")
            o.chardevs[props.get("id", "")] = props["path"]
        elif opt == "-mon":
            _, props = _split_props("x," + value(opt))
            if props.get("mode") != "control" or props.get("chardev") not in o.chardevs:
                raise UserError(f"{PROG}: -mon {argv[i]}: only chardev=ID,mode=control "
                                f"(QMP) on a -chardev given before it")
            o.qmp.append(o.chardevs[props["chardev"]])
        elif opt == "-qmp":
            where, _ = _split_props(value(opt))
            if not where or not where.startswith("unix:"):
                raise UserError(f"{PROG}: -qmp {argv[i]}: only unix:PATH,server=on,wait=off")
            o.qmp.append(where[5:])
        elif opt == "-incoming":
            where = value(opt)
            if not where.startswith("unix:"):
                raise UserError(f"{PROG}: -incoming {where}: only unix:PATH (a ppcvec source)")
            o.incoming = where[5:]
        elif opt == "-ppcvec-max-insns":
            try:
                o.budget = int(value(opt), 0)
            except ValueError:
                raise UserError(f"{PROG}: -ppcvec-max-insns: a number") from None
        elif opt == "-ppcvec-seed":
            try:
                o.seed = int(value(opt), 0)
            except ValueError:
                raise UserError(f"{PROG}: -ppcvec-seed: a number") from None
        else:
            raise UserError(f"{PROG}: {a}: unsupported option")
        i += 1
    return o


def rtc_epoch(base: str | None) -> int | None:
    """-rtc base=YYYY-MM-DD[THH:MM:SS] -> seconds since the epoch (UTC)."""
    if base is None:
        return None
    import datetime
    try:
        t = datetime.datetime.fromisoformat(base)
    except ValueError:
        raise UserError(f"{PROG}: -rtc base={base}: expected utc or YYYY-MM-DD[THH:MM:SS]") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp())


def run(argv: list[str]) -> int:
    o = parse_args(argv)
    if o == "help":
        print(help_text())
        return 0
    if o == "version":
        print(help_text().splitlines()[0])
        return 0
    if o == "machines":
        print(machine_list())
        return 0
    out = sys.stdout.buffer

    def console(data: bytes) -> None:
        out.write(data)
        out.flush()

    for path in (o.bios, o.kernel, o.initrd):   # before building anything, as QEMU does
        if path is not None and not os.path.isfile(path):
            raise UserError(f"{PROG}: error loading {path}: No such file or directory",
                            exit_code=1)
    mig = None
    if o.qmp or o.incoming:
        if (o.machine or "pseries") != "pseries":
            raise UserError(f"{PROG}: QMP and -incoming (migration) are pseries only")
        from harness.cli.migration import Migration
        # the sockets first: the runner waits for them before it goes on
        mig = Migration(out, argv, (o.bios, o.kernel, o.initrd))
        for path in o.qmp:
            mig.serve_qmp(path)
        if o.incoming:
            mig.listen(o.incoming)
    try:
        # the emulator is imported only to run: -h and -machine '?' (which the
        # scripts call before every test) answer without loading Unicorn
        qm = importlib.import_module("harness.cli.qemu_machine")
        m, mt = qm.build(o)
        if mig is not None:
            mig.attach(m, m.hypervisor)
            console = mig.console
        qm.boot(m, mt, o, console)
        if mig is not None:
            if o.incoming:
                mig.receive()
            mig.run(o.budget)
        else:
            if mt.platform == "pseries":
                from harness.cli.console import stdin_reader
                m.hypervisor.console_input = stdin_reader()     # -serial stdio: input too
            m.run(o.budget, results=False)
    finally:
        if mig is not None:
            mig.cleanup()
    out.flush()
    if m.outcome == "poweroff":
        return 0
    if m.outcome == "budget":
        print(f"{PROG}: the instruction budget ({o.budget} instructions) is spent "
              f"(-ppcvec-max-insns N to change it)", file=sys.stderr)
        return 1
    if m.outcome == "attn" and mt.platform == "powernv":
        return 0
    print(f"{PROG}: the machine stopped: {m.outcome}"
          + (f" ({m.detail})" if m.detail else "") + f" after {m.total_insns} instructions",
          file=sys.stderr)
    return 1


def main(argv=None) -> int:
    from harness.errors import run_guarded    # not harness.cli: no argparse
    return run_guarded(lambda: run(sys.argv[1:] if argv is None else list(argv)),
                       f"{PROG}: terminating on signal 2")


if __name__ == "__main__":
    sys.exit(main())
