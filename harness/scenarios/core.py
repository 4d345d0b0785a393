"""Crash scenarios: hand-assembled host/guest images that reproduce the PR-KVM
SCV/AIL host crash (Linux b5149e22) and show that each hunk of the fix
prevents it.  A scenario is data (`Scenario`); `run_scenario` builds the image
with the chosen fix hunks, runs it, and `diagnose` turns the machine's events
and the image's results area into an outcome ("host-crash" / "ok" /
"unexpected-...") with a sentence a kernel developer can check.

    from harness.scenarios.core import run_scenario
    s = run_scenario("powernv-pr-guest-scv", fix="none", cpu="power9")
    assert s.outcome == "host-crash"

Design, memory layout and the hunk-to-patch mapping: docs/scenarios.md.
"""
from __future__ import annotations

import functools
import itertools
import os
from dataclasses import dataclass, field
from typing import Callable

import guest_images
from emu.bits import FSCR_SCV, LPCR_HAIL, lpcr_ail
from harness.errors import UserError
from harness.loader.images import Image
from harness.run.api import Result, RunOptions, prepare, run_loaded
from harness.run.report import insn_text
from harness.run.report import symbolize as _report_symbolize
from harness.toolchain.asm import assemble_file

IMAGES = guest_images.path()
INCLUDE = guest_images.INCLUDE
CPUS = ("power8", "power9", "power10")
MAX_INSNS = 2_000_000

# ---------------------------------------------------------------- layout (linux.inc)
RESULTS = 0x12000
U_RES = 0x28000
G_RES = 0x33100
DUMPS = ((RESULTS, 0x130), (U_RES, 0x200), (G_RES, 0x48))
RES_FIELDS = ("magic", "status", "panic_cpu", "panic_vec", "panic_srr0", "panic_srr1",
              "panic_lr", "panic_ctr", "panic_code", "hwcap2", "cpu_features", "init_fscr",
              "load_lpcr", "load_fscr", "put_lpcr", "put_fscr", "guest_fscr_set", "kvm_exits",
              "vcpu_loaded", "cpu1_done", "secondary_go", "exit_code0", "exit_code1",
              "panic_heir")
# after the pseries fields (linux.inc RES_PANIC_R1 ..)
RES_EXTRA = {"panic_r1": 0x110, "panic_r13": 0x118, "radix": 0x120, "kvm_pr_init": 0x128}
U_FIELDS = ("use_scv", "hwcap2", "getpid_before", "badsys_ret", "badsys_errno",
            "badsys_raw_r3", "badsys_raw_cr", "kvm_run_ret", "getpid_after",
            "badsys_errno_after", "syscalls", "status", "last_raw_r3", "last_raw_cr")
G_FIELDS = ("fscr_readback", "sc_getpid", "fu_ic", "fu_srr0", "used_scv", "done", "sc_count",
            "scv_getpid", "pvr")
PANICS = {
    0x50: "unexpected interrupt in kernel mode",
    0x51: "guest exit delivered with relocation on",
    0x52: "a guest scv reached the host's system_call_vectored",
    0x53: "PR-KVM exit or instruction it cannot handle",
}
PPC_FEATURE2_SCV = 0x00100000
SCV_REAL_BASE = 0x17000


# ---------------------------------------------------------------- the data
PROVENANCES = ("upstream", "what-if")

# The upstream Linux functions the guest images model, with the file that
# defines them (v5.15-v5.18-era tree; kexec: v6.10).  The images use these
# names as labels; docs/scenarios.md maps each scenario step to them.
UPSTREAM_FILES = {
    "start_kernel": "init/main.c",
    "configure_exceptions": "arch/powerpc/kernel/setup_64.c",
    "cpu_ready_for_interrupts": "arch/powerpc/kernel/setup_64.c",
    "htab_initialize": "arch/powerpc/mm/book3s64/hash_utils.c",
    "htab_bolt_mapping": "arch/powerpc/mm/book3s64/hash_utils.c",
    "system_call_vectored": "arch/powerpc/kernel/exceptions-64s.S",
    "system_call_common": "arch/powerpc/kernel/interrupt_64.S",
    "system_call_exception": "arch/powerpc/kernel/interrupt.c",
    "machine_power_off": "arch/powerpc/kernel/setup-common.c",
    "pseries_enable_reloc_on_exc": "arch/powerpc/platforms/pseries/setup.c",
    "pseries_disable_reloc_on_exc": "arch/powerpc/platforms/pseries/setup.c",
    "pseries_machine_kexec": "arch/powerpc/platforms/pseries/kexec.c",
    "pseries_kexec_cpu_down": "arch/powerpc/platforms/pseries/kexec.c",
    "default_machine_kexec": "arch/powerpc/kexec/core_64.c",
    "kexec_prepare_cpus": "arch/powerpc/kexec/core_64.c",
    "kexec_smp_down": "arch/powerpc/kexec/core_64.c",
    "kvm_dev_ioctl_create_vm": "virt/kvm/kvm_main.c",
    "kvm_vm_release": "virt/kvm/kvm_main.c",
    "kvm_arch_vcpu_ioctl_run": "arch/powerpc/kvm/powerpc.c",
    "kvmppc_core_check_processor_compat_pr": "arch/powerpc/kvm/book3s_pr.c",
    "kvmppc_book3s_init_pr": "arch/powerpc/kvm/book3s_pr.c",
    "radix__early_init_mmu": "arch/powerpc/mm/book3s64/radix_pgtable.c",
    "kvmppc_core_init_vm_pr": "arch/powerpc/kvm/book3s_pr.c",
    "kvmppc_core_vcpu_load_pr": "arch/powerpc/kvm/book3s_pr.c",
    "kvmppc_core_vcpu_put_pr": "arch/powerpc/kvm/book3s_pr.c",
    "kvmppc_handle_exit_pr": "arch/powerpc/kvm/book3s_pr.c",
    "kvmppc_handle_fac": "arch/powerpc/kvm/book3s_pr.c",
    "kvmppc_set_fscr": "arch/powerpc/kvm/book3s_pr.c",
    "__kvmppc_vcpu_run": "arch/powerpc/kvm/book3s_interrupts.S",
    "kvmppc_handler_trampoline_enter": "arch/powerpc/kvm/book3s_segment.S",
    "kvmppc_interrupt_pr": "arch/powerpc/kvm/book3s_segment.S",
    "kvmppc_handler_trampoline_exit": "arch/powerpc/kvm/book3s_segment.S",
    "kvmppc_emulate_instruction": "arch/powerpc/kvm/emulate.c",
    "kvmppc_h_pr": "arch/powerpc/kvm/book3s_pr_papr.c",
    "kvmppc_h_pr_set_mode": "arch/powerpc/kvm/book3s_pr_papr.c",
}


@dataclass(frozen=True)
class Scenario:
    name: str
    platform: str                       # "powernv" | "pseries"
    description: str
    hunks: tuple                        # fix hunks, named after the functions they touch
    cpus: tuple
    smp: int
    source: str                         # the .S to assemble
    defsyms: dict
    expected: Callable[[frozenset, str], str]    # (fix hunks, cpu) -> "host-crash" | "ok"
    hunk_defsyms: dict = field(default_factory=dict)   # hunk -> assembler symbol
    mmu: str | None = None              # None: the default (architected)
    max_insns: int = MAX_INSNS
    dumps: tuple = DUMPS
    hv_options: dict = field(default_factory=dict)   # pseries machine options
    # (Result, Scenario) -> (outcome, diagnosis); None: the PowerNV diagnosis below
    diagnose: Callable | None = None
    # "upstream": the image does what upstream Linux does; "what-if": a state
    # upstream never reaches (provenance_note says which)
    provenance: str = "upstream"
    provenance_note: str = ""
    upstream: tuple = ()                # Linux functions the image models (UPSTREAM_FILES)

    def __post_init__(self):
        if self.provenance not in PROVENANCES:
            raise ValueError(f"{self.name}: provenance {self.provenance!r}")
        unknown = [f for f in self.upstream if f not in UPSTREAM_FILES]
        if unknown:
            raise ValueError(f"{self.name}: no upstream file for {unknown}")


SCENARIOS: dict[str, Scenario] = {}


def register(s: Scenario) -> Scenario:
    SCENARIOS[s.name] = s
    return s


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise UserError(f"unknown scenario {name!r} (known: {', '.join(sorted(SCENARIOS))})") \
            from None


def parse_fix(text, scenario: Scenario) -> frozenset:
    """"all" | "none" | "hunk1,hunk2" -> the set of hunks built in."""
    if isinstance(text, (set, frozenset, list, tuple)):
        parts = list(text)
    else:
        t = (text or "").strip()
        if t == "all":
            return frozenset(scenario.hunks)
        if t in ("none", ""):
            return frozenset()
        parts = [p.strip() for p in t.split(",") if p.strip()]
    bad = [p for p in parts if p not in scenario.hunks]
    if bad:
        raise UserError(f"unknown fix hunk {bad[0]!r} for {scenario.name} "
                        f"(choose all, none or from: {', '.join(scenario.hunks)})")
    return frozenset(parts)


def fix_settings(scenario: Scenario) -> list[frozenset]:
    """Every subset of the scenario's hunks, none first and all last."""
    hs = scenario.hunks
    return [frozenset(c) for n in range(len(hs) + 1) for c in itertools.combinations(hs, n)]


def fix_label(fix: frozenset, scenario: Scenario) -> str:
    if not fix:
        return "none"
    if fix == frozenset(scenario.hunks):
        return "all"
    return ",".join(h for h in scenario.hunks if h in fix)


# ---------------------------------------------------------------- PowerNV scenarios
POWERNV_HUNKS = ("vcpu_load_put", "set_fscr")
POWERNV_DEFSYMS = {"vcpu_load_put": "FIX_VCPU_LOAD_PUT", "set_fscr": "FIX_SET_FSCR"}
POWERNV_HOST = guest_images.path("powernv", "host.S")
# what every PowerNV image executes (checked against a run: tests/test_provenance.py)
POWERNV_BOOT = ("start_kernel", "htab_initialize", "htab_bolt_mapping", "cpu_ready_for_interrupts",
                "kvmppc_book3s_init_pr", "kvmppc_core_check_processor_compat_pr")
POWERNV_KVM = ("kvm_arch_vcpu_ioctl_run", "kvmppc_core_vcpu_load_pr", "__kvmppc_vcpu_run",
               "kvmppc_handler_trampoline_enter", "kvmppc_interrupt_pr",
               "kvmppc_handler_trampoline_exit", "kvmppc_handle_exit_pr",
               "kvmppc_emulate_instruction", "kvmppc_set_fscr", "kvmppc_core_vcpu_put_pr")
POWERNV_SYSCALL = ("system_call_vectored", "system_call_exception")
HOST_FSCR_IN_GUEST = (
    "the guest runs with the host thread's FSCR plus its own SCV enable; upstream "
    "kvmppc_handler_trampoline_enter (book3s_segment.S) loads SVCPU_SHADOW_FSCR instead, "
    "which never has SCV, so upstream never reaches this state")


def expect_guest_scv(fix: frozenset, cpu: str) -> str:
    """A guest `scv` while its vCPU is loaded (LPCR[AIL]=0 on this CPU), the
    guest running with upstream's shadow FSCR (book3s_segment.S loads
    vcpu->arch.shadow_fscr, which never has SCV).  POWER8: no scv, the guest
    uses sc -> ok.  POWER9: the scv takes Facility Unavailable (IC=12) in the
    host whatever the fix, and kvmppc_handle_fac reflects it into the guest
    -> ok.  POWER10: interrupts to HV=1 use LPCR[HAIL], which vcpu_load does
    not clear: the first guest exit arrives at a relocated vector with the
    guest's SLB loaded -> host crash whatever the fix (inferred from the
    upstream code, untested on hardware)."""
    return "host-crash" if cpu == "power10" else "ok"


def expect_whatif_host_fscr(fix: frozenset, cpu: str) -> str:
    """What-if: the guest runs with the host thread's FSCR plus its own SCV
    enable.  POWER9: the scv reaches real 0x17000 unless FSCR[SCV]=0 while
    the guest runs, which takes both hunks: vcpu_load_put (the host thread's
    SCV) and set_fscr (the guest's own mtspr FSCR).  POWER8 and POWER10 as
    expect_guest_scv."""
    if cpu == "power8":
        return "ok"
    if cpu == "power10":
        return "host-crash"
    return "ok" if {"vcpu_load_put", "set_fscr"} <= fix else "host-crash"


def expect_host_user_scv(fix: frozenset, cpu: str) -> str:
    """A host process uses scv before and after a guest (which makes no scv)
    ran on its CPU: vcpu_put restores LPCR[AIL]=3 (and, with the fix,
    FSCR[SCV]), so the process keeps working.  POWER10: the guest's first
    exit crashes the host (HAIL, see expect_guest_scv)."""
    return "host-crash" if cpu == "power10" else "ok"


def expect_radix_host(fix: frozenset, cpu: str) -> str:
    """A radix PowerNV host: PR KVM refuses to load
    (kvmppc_core_check_processor_compat_pr: -EIO on ISA v3.0+ with radix), so
    nothing ever clears LPCR[AIL]; the host's processes keep using scv."""
    return "ok"


register(Scenario(
    name="powernv-pr-guest-scv", platform="powernv",
    description="PR-KVM guest user executes scv 0 while its vCPU is loaded "
                "(LPCR[AIL]=0 on that CPU); the guest runs with upstream's shadow FSCR",
    hunks=POWERNV_HUNKS, cpus=CPUS, smp=1, source=POWERNV_HOST,
    defsyms={"SCENARIO": 1}, expected=expect_guest_scv, hunk_defsyms=POWERNV_DEFSYMS,
    provenance_note="the guest runs with SVCPU_SHADOW_FSCR (never SCV), as upstream "
                    "kvmppc_handler_trampoline_enter loads it",
    upstream=POWERNV_BOOT + POWERNV_SYSCALL + POWERNV_KVM + ("kvmppc_handle_fac",)))
register(Scenario(
    name="powernv-what-if-host-fscr-in-guest", platform="powernv",
    description="what-if: like powernv-pr-guest-scv, but the guest runs with the host "
                "thread's FSCR (plus its own SCV enable), which upstream never does",
    hunks=POWERNV_HUNKS, cpus=CPUS, smp=1, source=POWERNV_HOST,
    defsyms={"SCENARIO": 1, "WHATIF_HOST_FSCR_IN_GUEST": 1}, expected=expect_whatif_host_fscr,
    hunk_defsyms=POWERNV_DEFSYMS, provenance="what-if", provenance_note=HOST_FSCR_IN_GUEST,
    upstream=POWERNV_BOOT + POWERNV_SYSCALL + POWERNV_KVM + ("kvmppc_handle_fac",)))
register(Scenario(
    name="powernv-host-user-scv", platform="powernv",
    description="a host process uses scv before and after a PR guest ran on the same CPU",
    hunks=POWERNV_HUNKS, cpus=CPUS, smp=1, source=POWERNV_HOST,
    defsyms={"SCENARIO": 2}, expected=expect_host_user_scv, hunk_defsyms=POWERNV_DEFSYMS,
    provenance_note="the guest makes no scv",
    upstream=POWERNV_BOOT + POWERNV_SYSCALL + POWERNV_KVM))
register(Scenario(
    name="powernv-host-user-scv-other-cpu", platform="powernv",
    description="2 CPUs: a host process uses scv on CPU 1 while CPU 0 has its vCPU "
                "loaded and its guest executes scv (AIL is per CPU on PowerNV)",
    hunks=POWERNV_HUNKS, cpus=CPUS, smp=2, source=POWERNV_HOST,
    defsyms={"SCENARIO": 3}, expected=expect_guest_scv, hunk_defsyms=POWERNV_DEFSYMS,
    upstream=POWERNV_BOOT + POWERNV_SYSCALL + POWERNV_KVM + ("kvmppc_handle_fac",)))
register(Scenario(
    name="powernv-radix-host", platform="powernv",
    description="radix PowerNV host (LPCR[HR]=1): PR KVM refuses to load "
                "(kvmppc_core_check_processor_compat_pr), a host process uses scv",
    hunks=POWERNV_HUNKS, cpus=("power9", "power10"), smp=1, source=POWERNV_HOST,
    defsyms={"SCENARIO": 4, "RADIX": 1}, expected=expect_radix_host,
    hunk_defsyms=POWERNV_DEFSYMS,
    upstream=("start_kernel", "radix__early_init_mmu", "cpu_ready_for_interrupts",
              "kvmppc_book3s_init_pr", "kvmppc_core_check_processor_compat_pr")
    + POWERNV_SYSCALL))


# ---------------------------------------------------------------- build and run
@functools.lru_cache(maxsize=64)
def _assemble(source: str, defsyms: tuple):
    return assemble_file(source, defsyms=dict(defsyms), include_dirs=[INCLUDE])


def build(name: str, fix="all", cpu: str = "power9") -> tuple[Image, RunOptions]:
    """The image (fix hunks assembled in) and the run options of a scenario."""
    s = get_scenario(name)
    fixset = parse_fix(fix, s)
    if cpu not in s.cpus:
        raise UserError(f"scenario {name} does not run on {cpu} (choose from {', '.join(s.cpus)})")
    defsyms = dict(s.defsyms)
    for h in s.hunks:
        defsyms[s.hunk_defsyms.get(h, "FIX_" + h.upper())] = 1 if h in fixset else 0
    res = _assemble(s.source, tuple(sorted(defsyms.items())))
    rel = "guest_images/" + os.path.relpath(s.source, IMAGES).replace(os.sep, "/")
    image = Image(rel, "source", res.image, 0, None, dict(res.symbols), list(res.lines))
    machine = {"power8": "powernv8", "power9": "powernv9", "power10": "powernv10"}[cpu] \
        if s.platform == "powernv" else "pseries"
    opts = RunOptions(machine=machine, cpu=cpu, smp=s.smp, max_insns=s.max_insns,
                      defsyms=defsyms, dumps=list(s.dumps), mmu=s.mmu,
                      hv_options=dict(s.hv_options))
    return image, opts


@dataclass
class ScenarioResult:
    result: Result
    scenario: Scenario
    fix: list
    expected: str
    outcome: str
    diagnosis: str

    @property
    def passed(self) -> bool:
        return self.outcome == self.expected

    def to_json_dict(self) -> dict:
        d = self.result.to_json_dict()
        d["machine_outcome"] = d["outcome"]
        d["outcome"] = self.outcome
        d["scenario"] = self.scenario.name
        d["fix"] = list(self.fix)
        d["expected"] = self.expected
        d["diagnosis"] = self.diagnosis
        d["results"] = _hex_words(read_results(self.result))
        return d


def _hex_words(value):
    """The results areas as JSON: every word a "0x%016x" string, like every other
    register and address in the schema (README, "JSON output")."""
    if isinstance(value, dict):
        return {k: _hex_words(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hex_words(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return "0x%016x" % (value & (1 << 64) - 1)
    return value


def run_scenario(name: str, fix="all", cpu: str = "power9", listeners=(),
                 check_invariants: bool = False, dumps=()) -> ScenarioResult:
    """Build and run a scenario; `dumps` adds (addr, length) memory ranges to
    the results areas every run dumps."""
    s = get_scenario(name)
    fixset = parse_fix(fix, s)
    image, opts = build(name, fixset, cpu)
    opts.dumps = opts.dumps + [d for d in dumps if d not in opts.dumps]
    if check_invariants:
        opts.check_invariants = True
    m, mt, cpu_name, checker = prepare(image, opts, listeners)
    r = run_loaded(m, mt, cpu_name, image, opts, checker)
    outcome, diagnosis = diagnose(r, s)
    return ScenarioResult(r, s, sorted(fixset), s.expected(fixset, cpu), outcome, diagnosis)


# ---------------------------------------------------------------- diagnosis
def _u64s(data: bytes, names) -> dict:
    return {n: int.from_bytes(data[8 * i:8 * i + 8], "big") for i, n in enumerate(names)
            if 8 * i + 8 <= len(data)}


def read_results(r: Result) -> dict:
    """The image's results areas (docs/scenarios.md), as named integers."""
    out = {}
    if RESULTS in r.dumps:
        data = r.dumps[RESULTS]
        out["host"] = _u64s(data, RES_FIELDS)
        out["host"].update({k: int.from_bytes(data[o:o + 8], "big")
                            for k, o in RES_EXTRA.items() if o + 8 <= len(data)})
    if U_RES in r.dumps:
        d = r.dumps[U_RES]
        out["user"] = [_u64s(d[i * 0x100:(i + 1) * 0x100], U_FIELDS) for i in range(len(r.cpus))]
    if G_RES in r.dumps:
        out["guest"] = _u64s(r.dumps[G_RES], G_FIELDS)
    return out


def symbolize(symbols: dict, addr: int) -> str:
    """`name+off` for an address (kernel EAs are looked up by real address), or
    the hex address when no label is near (harness.run.report.symbolize)."""
    return _report_symbolize(symbols, addr, max_offset=0x2000) or f"{addr:#x}"


def _function(symbols: dict, addr: int) -> str:
    name = symbolize(symbols, addr).split("+")[0]
    for suffix in ("_mtlpcr", "_mtfscr"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _insn(e) -> str:
    return insn_text(e.insn, e.insn_addr)


def _ail_zero_write(r: Result, cpu: int, before_seq: int):
    """The last LPCR write on `cpu` before `before_seq` that left AIL=0."""
    hit = None
    for w in r.spr_writes:
        if w.cpu == cpu and w.spr == "lpcr" and w.seq < before_seq and lpcr_ail(w.new) == 0 \
                and lpcr_ail(w.old) != 0:
            hit = w
    return hit


USER_RANGE = (0x20000, 0x30000)          # linux.inc USER_BASE..USER_END
GUEST_RANGE = (0x30000, 0x34000)         # GUEST_BASE..GUEST_END
IRQ_C = "arch/powerpc/kernel/irq.c"


def _whose(addr: int) -> str:
    a = addr & 0x0FFFFFFFFFFFFFFF
    if USER_RANGE[0] <= a < USER_RANGE[1]:
        return "the process' stack"
    if GUEST_RANGE[0] <= a < GUEST_RANGE[1]:
        return "the guest process' stack"
    return "no kernel stack"


def after_real_scv(r: Result, crash, host: dict, syms: dict) -> str:
    """What the CPU did after an scv was delivered to real 0x17000 + LEV*0x20:
    it executed the kernel text there (irq.c, guest_images/include/irq.inc) in
    real mode with the caller's r1 and r13, until the next interrupt on that
    CPU - read from the events and the panic record (r1, r13)."""
    entry = symbolize(syms, crash.vector)
    where = f"{entry} ({IRQ_C})" if entry.startswith(("do_IRQ", "__do_IRQ", "__do_irq")) \
        else entry
    text = (f"then: real {crash.vector:#x} is ordinary kernel text, {where}, and the CPU ran it "
            f"in real mode")
    nxt = next((e for e in r.interrupts if e.cpu == crash.cpu and e.seq > crash.seq), None)
    r1, r13 = host.get("panic_r1"), host.get("panic_r13")
    if r1 is not None and r13 is not None and host.get("status") == 2:
        text += (f" with r1={r1:#x} ({_whose(r1)}) and r13={r13:#x} (the caller's thread "
                 f"pointer, not the PACA)")
    if nxt is None:
        c = next((c for c in r.cpus if c.index == crash.cpu), None)
        if c is not None and c.state == "checkstop":
            text += (f"; {r.detail} (MSR[ME]=0 since this partition's boot: the partition "
                     f"cannot set it): the CPU checkstopped")
        return text
    ran = nxt.insns - crash.insns
    saved = f"HSRR0={nxt.hsrr0:#x}" if nxt.hsrr0 is not None else f"SRR0={nxt.srr0:#x}"
    text += (f"; {ran} instruction{'s' if ran != 1 else ''} later `{_insn(nxt)}` at "
             f"{nxt.insn_addr:#x} <{symbolize(syms, nxt.insn_addr)}> took {nxt.name} "
             f"({nxt.vector:#x}, {saved}")
    if nxt.reason:
        text += f": {nxt.reason}"
    return text + ")"


def diagnose(r: Result, scenario: Scenario) -> tuple[str, str]:
    """(outcome, diagnosis) from the run's events and the results area."""
    if scenario.diagnose is not None:
        return scenario.diagnose(r, scenario)
    res = read_results(r)
    host = res.get("host", {})
    syms = r.symbols
    if r.outcome == "attn" and r.exit_code in PANICS:
        return "host-crash", _diagnose_panic(r, host, syms)
    hang = _interrupt_loop(r)
    if hang is not None:
        return "host-crash", _diagnose_hang(r, hang, syms)
    if r.outcome == "attn" and r.exit_code == 0 and host.get("status") == 1:
        return "ok", _diagnose_ok(r, res, syms)
    if r.outcome == "attn" and r.exit_code:
        return "unexpected-user-failure", (
            f"a host process reported failed checks (exit status {r.exit_code:#x}: bit 0 getpid, "
            f"bit 1 error convention, bit 2 KVM_RUN exit reason)")
    return f"unexpected-{r.outcome}", f"the run ended with {r.outcome}" + (
        f": {r.detail}" if r.detail else "")


def _diagnose_panic(r: Result, host: dict, syms: dict) -> str:
    cpu = host.get("panic_cpu", 0)
    vec = host.get("panic_vec", 0)
    code = r.exit_code
    evs = [e for e in r.interrupts if e.cpu == cpu]
    crash = next((e for e in evs if e.kind == "scv" and SCV_REAL_BASE <= e.vector < 0x18000
                  and e.ail == 0), None)
    parts = []
    if crash is not None:
        w = _ail_zero_write(r, cpu, crash.seq)
        where = (f"LPCR[AIL]=0 written by {_function(syms, w.insn_addr)} at {w.insn_addr:#x}"
                 if w else f"LPCR={crash.lpcr:#x}")
        scv_on = bool(crash.fscr & FSCR_SCV)
        parts.append(
            f"cpu{cpu}: `{_insn(crash)}` at {crash.insn_addr:#x} <{symbolize(syms, crash.insn_addr)}> "
            f"was delivered to real {crash.vector:#x} because AIL did not apply "
            f"({crash.ail_rule}; {where}) while FSCR[SCV]={int(scv_on)} (FSCR={crash.fscr:#x})")
        parts.append(after_real_scv(r, crash, host, syms))
    elif code == 0x51:
        exit_ev = next((e for e in evs if e.msr_before & 0x4000 and e.ail), None)
        if exit_ev is not None:
            parts.append(
                f"cpu{cpu}: the guest's `{_insn(exit_ev)}` at {exit_ev.insn_addr:#x} exited to "
                f"{exit_ev.vector:#x} ({exit_ev.name}) with relocation on: {exit_ev.ail_rule}; "
                f"LPCR={exit_ev.lpcr:#x} (kvmppc_core_vcpu_load_pr clears only LPCR[AIL]"
                f"{', HAIL=1' if exit_ev.lpcr & LPCR_HAIL else ''}; inferred from the upstream "
                f"code, untested on hardware), and PR-KVM's exit path runs with the guest's "
                f"SLB loaded")
    parts.append(f"the kernel could not handle it: kernel panic {code:#x} ({PANICS[code]}) on "
                 f"cpu{cpu}: vector {vec:#x}, "
                 f"(H)SRR0={host.get('panic_srr0', 0):#x}, (H)SRR1={host.get('panic_srr1', 0):#x}")
    others = [c for c in r.cpus if c.index != cpu]
    for c in others:
        scvs = [e for e in r.interrupts if e.cpu == c.index and e.kind == "scv"]
        if scvs:
            parts.append(f"cpu{c.index} was unaffected: its {len(scvs)} scv went to "
                         f"{scvs[0].vector:#x} (AIL={scvs[0].ail})")
    return "; ".join(parts)


def _interrupt_loop(r: Result):
    """A host that hangs in recursive interrupts (same kind to the same vector
    from that vector) - what an exit through HAIL with the guest's SLB does."""
    if r.outcome not in ("idle", "budget") or len(r.interrupts) < 2:
        return None
    last = r.interrupts[-1]
    if last.insn_addr == last.vector and last.kind in ("iseg", "isi", "dseg", "dsi"):
        return last
    return None


def _diagnose_hang(r: Result, last, syms: dict) -> str:
    cpu = last.cpu
    evs = [e for e in r.interrupts if e.cpu == cpu]
    first = next((e for e in evs if e.msr_before & 0x4000 and e.ail and
                  e.insn_addr < 0xC000000000000000 and e.insn_addr >= 0x30000), None)
    parts = []
    if first is not None:
        parts.append(
            f"cpu{cpu}: the guest's `{_insn(first)}` at {first.insn_addr:#x} exited to "
            f"{first.vector:#x} ({first.name}) with relocation on: {first.ail_rule}; "
            f"LPCR={first.lpcr:#x} (kvmppc_core_vcpu_load_pr cleared only LPCR[AIL], never "
            f"LPCR[HAIL]; inferred from the upstream code, untested on hardware)")
    parts.append(f"the guest's SLB has no kernel segment: {last.name} at {last.vector:#x} "
                 f"recurses ({last.reason}) and cpu{cpu} hangs")
    return "; ".join(parts)


def _diagnose_ok(r: Result, res: dict, syms: dict) -> str:
    host = res.get("host", {})
    guest = res.get("guest", {})
    users = res.get("user", [])
    parts = []
    if host.get("radix"):
        ret = host.get("kvm_pr_init", 0)
        ret = ret - (1 << 64) if ret >> 63 else ret
        final = r.cpus[0].spr.get("lpcr", 0) if r.cpus else 0
        parts.append(f"radix host (LPCR[HR]=1): PR KVM refused to load - kvmppc_book3s_init_pr "
                     f"-> kvmppc_core_check_processor_compat_pr = {ret} (-EIO), so nothing turns "
                     f"LPCR[AIL] off" + (f" (LPCR={final:#x} at the end)" if final else ""))
    if not host.get("hwcap2", 0) & PPC_FEATURE2_SCV:
        parts.append("no SCV on this CPU: HWCAP2 lacks PPC_FEATURE2_SCV, so the host processes "
                     "and the guest use sc")
    fu = [e for e in r.interrupts if e.kind == "fu" and e.fscr_ic == 12]
    if guest.get("fu_ic") == 12 and fu:
        e = fu[0]
        parts.append(f"the guest's scv at {e.insn_addr:#x} took facility_unavailable "
                     f"({e.vector:#x}, FSCR[IC]=12) in the host; PR-KVM (kvmppc_handle_fac) injected it "
                     f"into the guest, which received facility unavailable with IC=12 at its 0xf60 "
                     f"(guest SRR0={guest.get('fu_srr0', 0):#x})")
    elif guest.get("sc_count"):
        parts.append(f"the guest made {guest['sc_count']} system calls with sc "
                     f"(getpid -> {guest.get('sc_getpid')})")
    if "load_lpcr" in host and host.get("kvm_exits"):
        parts.append(f"while loaded LPCR[AIL]={lpcr_ail(host['load_lpcr'])} "
                     f"FSCR[SCV]={int(bool(host['load_fscr'] & FSCR_SCV))}; after vcpu_put "
                     f"LPCR[AIL]={lpcr_ail(host['put_lpcr'])} "
                     f"FSCR[SCV]={int(bool(host['put_fscr'] & FSCR_SCV))}")
    for i, u in enumerate(users):
        if not u.get("syscalls"):
            continue
        how = "scv 0" if u.get("use_scv") else "sc"
        txt = (f"cpu{i}'s host process got its system calls with {how} "
               f"(getpid={u.get('getpid_before')}")
        if u.get("kvm_run_ret"):
            txt += f", KVM_RUN -> exit reason {u['kvm_run_ret']}, getpid after vcpu_put=" \
                   f"{u.get('getpid_after')}"
        raw = u.get("badsys_raw_r3", 0)
        raw = raw - (1 << 64) if raw >> 63 else raw
        txt += f"; ENOSYS as r3={raw}" + (" with cr0.SO" if how == "sc" else "") + ")"
        parts.append(txt)
    return "; ".join(parts)

