"""kvm-unit-tests (powerpc) on QEMU 7.2 and on ppcvec, side by side: wall time
per entry through `powerpc/run` (what run_tests.sh calls), and the total over
the entries both pass.  Also the speed of a cpu_relax() spin loop against the
same loop without hints (prepared kernels: the hints are nops, no JIT exit).

Needs ../shared/kvm-unit-tests (or PPCVEC_KUT_DIR), powerpc64-linux-gnu-gcc and
qemu-system-ppc64 (and ncat for the migration entries); what is missing is named
and that part is skipped."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("PPCVEC_KUT_DIR", os.path.join(os.path.dirname(ROOT), "shared",
                                                        "kvm-unit-tests"))
# (entry, elf, extra arguments to powerpc/run[, environment]): the pseries entries
# ppcvec and QEMU 7.2 both pass, plus the ones only ppcvec passes (not in the
# shared total)
MIGRATION = {"MIGRATION": "yes"}
ENTRIES = [
    ("selftest-setup", "selftest.elf", ["-smp", "2", "-append", "setup smp=2 mem=1024", "-m", "1g"]),
    ("spapr_hcall", "spapr_hcall.elf", []),
    ("spapr_vpa", "spapr_vpa.elf", []),
    ("rtas-set-time-of-day", "rtas.elf", ["-append", "set-time-of-day"]),
    ("emulator", "emulator.elf", []),
    ("mmu", "mmu.elf", ["-smp", "2"]),
    ("smp", "smp.elf", ["-smp", "2"]),
    ("timebase", "timebase.elf", []),
    ("interrupts", "interrupts.elf", []),
    ("atomics", "atomics.elf", ["-smp", "2"]),
    ("sprs", "sprs.elf", []),
    # live migration (run_migration: two emulator processes, QMP over ncat)
    ("selftest-migration", "selftest-migration.elf", [], MIGRATION),
    ("selftest-migration-skip", "selftest-migration.elf", ["-append", "skip"], MIGRATION),
    ("migration-memory", "memory-verify.elf", [], MIGRATION),
    ("atomics-migration", "atomics.elf", ["-append", "migration -m"], MIGRATION),
    ("sprs-migration", "sprs.elf", ["-append", "-w"], MIGRATION),
]


def run_entry(build, qemu, elf, extra, env_extra=None, timeout=90):
    env = dict(os.environ, QEMU=qemu, ACCEL="tcg", TIMEOUT=f"{timeout}s", **(env_extra or {}))
    t = time.perf_counter()
    p = subprocess.run(["./powerpc/run", f"powerpc/{elf}", *extra], cwd=build, env=env,
                       capture_output=True, text=True, timeout=timeout + 30)
    dt = time.perf_counter() - t
    # the test's own exit (EXIT: STATUS=1, not 127 or 11...); XFAIL/KFAIL lines
    # (known failures) do not fail an entry, as in run_tests.sh
    lines = p.stdout.splitlines()
    ok = "EXIT: STATUS=1" in lines and not any(line.startswith("FAIL:") for line in lines)
    return dt, ok


def suite_side_by_side():
    missing = [w for w, ok in (("kvm-unit-tests", os.path.exists(os.path.join(SHARED, "build.sh"))),
                               ("powerpc64-linux-gnu-gcc", shutil.which("powerpc64-linux-gnu-gcc")),
                               ("qemu-system-ppc64", shutil.which("qemu-system-ppc64")),
                               ("ncat", shutil.which("ncat"))) if not ok]
    if missing:
        print(f"suite: skipped ({', '.join(missing)} not found)")
        return
    build = tempfile.mkdtemp(prefix="kut-bench-")
    subprocess.run([os.path.join(SHARED, "build.sh"), build], check=True, capture_output=True)
    wrapper = os.path.join(build, "ppcvec-qemu-system-ppc64")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m harness.cli.qemu_compat \"$@\"\n")
    os.chmod(wrapper, 0o755)
    # .pyc files once (the runner starts the front end 3-4 times per entry; with
    # PYTHONDONTWRITEBYTECODE each start would compile ~45 modules again)
    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    *(os.path.join(ROOT, d) for d in ("emu", "harness", "guest_images"))],
                   capture_output=True)
    qemu = shutil.which("qemu-system-ppc64")
    print(f"{'entry':<24} {'QEMU 7.2':>14} {'ppcvec':>14}")
    tq = tp = 0.0
    for name, elf, extra, *env in ENTRIES:
        dq, okq = run_entry(build, qemu, elf, extra, *env)
        dp, okp = run_entry(build, wrapper, elf, extra, *env)
        both = okq and okp
        if both:
            tq += dq
            tp += dp
        print(f"{name:<24} {dq:>9.2f} s {'PASS' if okq else 'FAIL'} {dp:>9.2f} s "
              f"{'PASS' if okp else 'FAIL'}{'' if both else '  (not in the total)'}")
    print(f"{'total (both pass)':<24} {tq:>9.2f} s      {tp:>9.2f} s      ppcvec/QEMU = "
          f"{tp / tq if tq else float('nan'):.2f}")
    shutil.rmtree(build, ignore_errors=True)


def spin_speed():
    from emu.timebase import prepare_kernel
    from harness.loader.images import image_from_source
    from harness.run import RunOptions, prepare, run_loaded
    body = {"plain loop": "    addi 4, 4, 1\n    nop\n    nop\n",
            "cpu_relax loop": "    addi 4, 4, 1\n    or 1,1,1\n    or 2,2,2\n"}
    n = 20_000_000
    rates = {}
    for label, b in body.items():
        src = f"    .org 0x10\n    b start\n    .org 0x1000\nstart:\n1:\n{b}    b 1b\n"
        image = image_from_source(src)
        image.data, _ = prepare_kernel(image.data)
        opts = RunOptions(machine="powernv9", max_insns=n)
        m, mt, cpu, ch = prepare(image, opts)
        t = time.perf_counter()
        run_loaded(m, mt, cpu, image, opts, ch)
        rates[label] = n / (time.perf_counter() - t)
        print(f"{label:<24} {rates[label] / 1e6:8.1f} M instructions/s")
    print(f"spin loop / plain loop = {rates['cpu_relax loop'] / rates['plain loop']:.2f}")


def main():
    spin_speed()
    suite_side_by_side()


if __name__ == "__main__":
    main()
