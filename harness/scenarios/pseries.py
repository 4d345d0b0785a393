"""pseries scenarios: the host kernel is itself a logical partition (HV=0), so AIL
is partition-wide (H_SET_MODE) and PR KVM cannot turn SCV off per CPU.

Scenarios (guest_images/pseries/host.S, docs/pseries.md; ppc-semantics.md S1,
S2, G and the 2024 kexec follow-up):
  * pseries-host-user-scv-during-pr-vm  creating a PR VM makes H_SET_MODE(0):
    a host process on the other CPU whose glibc uses scv crashes the host;
  * pseries-radix-host                  radix: no PR KVM, SCV stays on, no crash;
  * pseries-guest-requests-ail3         a PR guest asks for AIL=3 (839d893b);
  * pseries-kexec-scv                   kexec disables AIL before the other CPUs
    stop (fixed by 21a741eb75f8).

Registered into harness.scenarios.core when the package is imported; `diagnose_pseries`
explains a run from its events and results areas.
"""
from __future__ import annotations


import guest_images
from emu.bits import FSCR_SCV, lpcr_ail

from harness.scenarios.core import (PANICS, after_real_scv, PPC_FEATURE2_SCV, SCV_REAL_BASE, RESULTS, U_RES, G_RES,
                        Scenario, read_results, register, symbolize)

PSERIES_HOST = guest_images.path("pseries", "host.S")
PSERIES_CPUS = ("power8", "power9", "power10")
PSERIES_DUMPS = ((RESULTS, 0x130), (U_RES, 0x200), (G_RES, 0x58))
PS_FIELDS = {"setmode_boot": 0xC0, "vm_create_ret": 0xC8, "kexec_down": 0xD0,
             "kexec_stopped": 0xD8, "new_kernel": 0xE0, "radix": 0xE8,
             "guest_setmode": 0xF0, "guest_setmode_by": 0xF8, "setmode_disable_cpu": 0x100,
             "setmode_disable_lr": 0x108}
U_EXTRA = {"sig_vec": 0x70, "sig_nip": 0x78, "sig_ic": 0x80, "sig_no": 0x88}
G_EXTRA = {"setmode_ret": 0x48, "hwcap2": 0x50}
SIGILL = 4
FIX_DEFSYMS = {"configure_exceptions": "FIX_CONFIGURE_EXCEPTIONS",
               "vcpu_load_put": "FIX_VCPU_LOAD_PUT",
               "kvmppc_set_fscr": "FIX_KVMPPC_SET_FSCR",
               "kvmppc_h_pr_set_mode": "FIX_KVMPPC_H_PR_SET_MODE",
               "default_machine_kexec": "FIX_DEFAULT_MACHINE_KEXEC"}


# ---------------------------------------------------------------- expectations
def expect_user_scv_during_pr_vm(fix: frozenset, cpu: str) -> str:
    """S1/S2: the first PR VM makes H_SET_MODE(0): AIL=0 on every CPU of the
    partition.  A host process on the other CPU then uses scv (its HWCAP2 says
    so) -> real 0x17000 -> crash, unless configure_exceptions (b5149e22) took
    SCV away at boot.  vcpu_load_put is HVMODE-only and kvmppc_set_fscr only
    concerns the guest's FSCR: neither helps.  POWER8 has no scv.  POWER10 is
    POWER9 here: the partition's interrupts are HV 0->0, where both use
    LPCR[AIL] (HAIL only governs HV=1 delivery)."""
    if cpu == "power8" or "configure_exceptions" in fix:
        return "ok"
    return "host-crash"


def expect_radix_host(fix: frozenset, cpu: str) -> str:
    """Radix host: PR KVM refuses to run (kvmppc_core_check_processor_compat_pr),
    nobody makes H_SET_MODE(0), and the fix leaves SCV on (it is for hash only)."""
    return "ok"


def expect_guest_requests_ail3(fix: frozenset, cpu: str) -> str:
    """Scenario G.  The host itself first: without configure_exceptions the
    "QEMU" process' own scv (KVM_RUN, after the VM disabled AIL) crashes it.
    With it: kvmppc_h_pr_set_mode (839d893b) refuses AIL=3, the guest drops SCV
    and uses sc -> ok.  Without 839d893b QEMU answers H_SUCCESS and the guest
    keeps SCV, but it runs with upstream's shadow FSCR (never SCV): its scv
    takes facility unavailable in the host, kvmppc_handle_fac reflects it into
    the guest, whose process dies of SIGILL ("guest-sigill") - with or without
    the kvmppc_set_fscr hunk, which only changes the guest's own FSCR value."""
    if cpu == "power8":
        return "ok"
    if "configure_exceptions" not in fix:
        return "host-crash"
    return "ok" if "kvmppc_h_pr_set_mode" in fix else "guest-sigill"


def expect_kexec(fix: frozenset, cpu: str) -> str:
    """Kernel without PR KVM (SCV on).  Before 21a741eb75f8 kexec disabled AIL
    before the other CPUs stopped: CPU 1's process' next scv -> 0x17000."""
    if cpu == "power8" or "default_machine_kexec" in fix:
        return "ok"
    return "host-crash"


# what the pseries images execute (checked against a run: tests/test_provenance.py)
PSERIES_BOOT = ("start_kernel", "configure_exceptions", "pseries_enable_reloc_on_exc",
                "machine_power_off")
PSERIES_VM = ("kvm_dev_ioctl_create_vm", "kvmppc_core_check_processor_compat_pr",
              "kvmppc_core_init_vm_pr", "pseries_disable_reloc_on_exc")
PSERIES_KVM = ("kvm_arch_vcpu_ioctl_run", "kvmppc_core_vcpu_load_pr", "__kvmppc_vcpu_run",
               "kvmppc_handler_trampoline_enter", "kvmppc_interrupt_pr",
               "kvmppc_handler_trampoline_exit", "kvmppc_handle_exit_pr",
               "kvmppc_emulate_instruction", "kvmppc_set_fscr", "kvmppc_h_pr",
               "kvmppc_core_vcpu_put_pr", "kvm_vm_release")
PSERIES_SYSCALL = ("system_call_vectored", "system_call_common")


def _scenario(name, description, hunks, number, expected, cpus=PSERIES_CPUS, upstream=(),
              provenance="upstream", provenance_note="", **defsyms):
    return register(Scenario(
        provenance=provenance, provenance_note=provenance_note, upstream=upstream,
        name=name, platform="pseries", description=description, hunks=hunks, cpus=cpus,
        smp=2, source=PSERIES_HOST, defsyms={"SCENARIO": number, **defsyms},
        expected=expected, hunk_defsyms={h: FIX_DEFSYMS[h] for h in hunks},
        dumps=PSERIES_DUMPS,
        # PR KVM inside a pseries partition needs its guests' `sc 1` (made in
        # problem state) reflected to the partition, as KVM HV does
        hv_options={"problem_state_hcall": "reflect"},
        diagnose=lambda r, s: diagnose_pseries(r, s)))   # defined below


_scenario("pseries-host-user-scv-during-pr-vm",
          "hash pseries host: CPU 0 creates a PR VM (H_SET_MODE(0): AIL=0 partition-wide), "
          "a host process on CPU 1 makes system calls and a stray scv",
          ("configure_exceptions", "vcpu_load_put", "kvmppc_set_fscr"), 1,
          expect_user_scv_during_pr_vm,
          upstream=PSERIES_BOOT + ("htab_bolt_mapping",) + PSERIES_VM + PSERIES_SYSCALL
          + PSERIES_KVM)
_scenario("pseries-radix-host",
          "radix pseries host (H_REGISTER_PROC_TBL): PR KVM cannot run, SCV stays on",
          ("configure_exceptions",), 2, expect_radix_host, cpus=("power9", "power10"),
          upstream=PSERIES_BOOT + ("kvm_dev_ioctl_create_vm",
                                   "kvmppc_core_check_processor_compat_pr",
                                   "system_call_vectored"), RADIX=1)
_scenario("pseries-guest-requests-ail3",
          "a PR guest's kernel asks for AIL=3 with H_SET_MODE, then its process uses scv "
          "if it still may",
          ("configure_exceptions", "kvmppc_set_fscr", "kvmppc_h_pr_set_mode"), 3,
          expect_guest_requests_ail3,
          upstream=PSERIES_BOOT + ("htab_bolt_mapping",) + PSERIES_VM + PSERIES_SYSCALL
          + PSERIES_KVM + ("kvmppc_h_pr_set_mode",))
_scenario("pseries-kexec-scv",
          "kexec on a pseries host without PR KVM while CPU 1's process makes scv system calls",
          ("default_machine_kexec",), 4, expect_kexec,
          upstream=PSERIES_BOOT + ("htab_bolt_mapping", "system_call_vectored",
                                   "pseries_machine_kexec", "default_machine_kexec",
                                   "kexec_prepare_cpus", "kexec_smp_down",
                                   "pseries_kexec_cpu_down", "pseries_disable_reloc_on_exc"),
          KVM_BOOK3S_PR_POSSIBLE=0)


# ---------------------------------------------------------------- diagnosis
def _u64(data: bytes, off: int) -> int:
    return int.from_bytes(data[off:off + 8], "big") if off + 8 <= len(data) else 0


def _s64(v: int) -> int:
    return v - (1 << 64) if v >> 63 else v


def read_pseries_results(r) -> dict:
    """read_results plus the pseries fields (pseries.inc)."""
    res = read_results(r)
    if RESULTS in r.dumps:
        res.setdefault("host", {}).update(
            {k: _u64(r.dumps[RESULTS], o) for k, o in PS_FIELDS.items()})
    if U_RES in r.dumps:
        for i, u in enumerate(res.get("user", [])):
            u.update({k: _u64(r.dumps[U_RES], i * 0x100 + o) for k, o in U_EXTRA.items()})
    if G_RES in r.dumps:
        res.setdefault("guest", {}).update(
            {k: _u64(r.dumps[G_RES], o) for k, o in G_EXTRA.items()})
    return res


def _function(syms, addr) -> str:
    return symbolize(syms, addr).split("+")[0]


def _hcall_that_disabled_ail(r, cpu: int, before_seq: int):
    """The LPCR write on `cpu` before `before_seq` that took AIL away: on pseries
    an H_SET_MODE made by some CPU of the partition."""
    hit = None
    for w in r.spr_writes:
        if (w.cpu == cpu and w.spr == "lpcr" and w.seq < before_seq
                and lpcr_ail(w.new) == 0 and lpcr_ail(w.old) != 0):
            hit = w
    return hit


def _caller(r, w, syms) -> str:
    """The kernel path that made the hypercall: the function with the `sc 1`
    and, for pseries_disable_reloc_on_exc, its caller (the kernel records its
    LR in the results area)."""
    fn = _function(syms, w.insn_addr)
    lr = read_pseries_results(r).get("host", {}).get("setmode_disable_lr", 0)
    if lr:
        at = (lr - 4) & 0x0FFFFFFFFFFFFFFF
        named = sorted(n[:-len("_disable_reloc")] for n, v in syms.items()
                       if v == at and n.endswith("_disable_reloc"))
        caller = named[0] if named else symbolize(syms, lr - 4)
        return f"{caller} -> pseries_disable_reloc_on_exc -> {fn}"
    return fn


def disable_reloc_path(r) -> str:
    """`caller -> pseries_disable_reloc_on_exc -> plpar_set_mode_addr_trans`:
    who made the H_SET_MODE(0) (the kernel records its caller's LR)."""
    w = next((w for w in r.spr_writes if w.spr == "lpcr" and w.source.startswith("hcall")
              and lpcr_ail(w.new) == 0 and lpcr_ail(w.old) != 0), None)
    return _caller(r, w, r.symbols) if w is not None else "?"


def diagnose_pseries(r, scenario) -> tuple[str, str]:
    res = read_pseries_results(r)
    host = res.get("host", {})
    syms = r.symbols
    if r.outcome == "poweroff" and r.exit_code in PANICS:
        return "host-crash", _diagnose_crash(r, res, syms)
    stopped = [c.index for c in r.cpus if c.state == "checkstop"]
    if r.outcome == "checkstop" and any(e.kind == "scv" and e.cpu in stopped
                                        and SCV_REAL_BASE <= e.vector < 0x18000
                                        for e in r.interrupts):
        return "host-crash", _diagnose_crash(r, res, syms, cpu=stopped[0])
    if r.outcome == "poweroff" and r.exit_code == 0 and host.get("status") == 1:
        bad = _check_ok_run(r, res)
        if bad:
            return "unexpected-user-result", bad
        guest = res.get("guest", {})
        if guest.get("done") == 128 + SIGILL:
            return "guest-sigill", _diagnose_ok(r, res, syms)
        return "ok", _diagnose_ok(r, res, syms)
    if r.outcome == "poweroff":
        return "unexpected-user-failure", (
            f"a host process reported failed checks (exit status {r.exit_code:#x}: bit 0 getpid, "
            f"bit 1 error convention, bit 2 KVM_RUN exit reason, bit 3 kexec returned)")
    return f"unexpected-{r.outcome}", f"the run ended with {r.outcome}" + (
        f": {r.detail}" if r.detail else "")


def _check_ok_run(r, res) -> str:
    """A clean run must also show the behaviour the fix promises: when the
    kernel did not advertise SCV, the stray scv on CPU 1 was refused (SIGILL)."""
    host = res.get("host", {})
    users = res.get("user", [])
    if len(users) > 1 and users[1].get("syscalls") and host.get("exit_code1") is not None \
            and not host.get("kexec_down"):
        if not host.get("hwcap2", 0) & PPC_FEATURE2_SCV and users[1].get("sig_no") != SIGILL:
            return "cpu1's stray scv was not refused although HWCAP2 lacks SCV"
        if users[1].get("status"):
            return f"cpu1's process reported failed checks ({users[1]['status']:#x})"
    return ""


def _diagnose_crash(r, res, syms, cpu=None) -> str:
    host = res.get("host", {})
    if cpu is None:
        cpu = host.get("panic_cpu", 0)
    code = r.exit_code
    parts = []
    crash = next((e for e in r.interrupts if e.cpu == cpu and e.kind == "scv"
                  and SCV_REAL_BASE <= e.vector < 0x18000), None)
    if crash is not None:
        w = _hcall_that_disabled_ail(r, cpu, crash.seq)
        who = "LPCR[AIL]=0"
        if w is not None:
            who = (f"LPCR[AIL]=0 since {w.source} (H_SET_MODE mflags=0 resource=3: `sc 1` at "
                   f"{w.insn_addr:#x} <{symbolize(syms, w.insn_addr)}>, called from "
                   f"{_caller(r, w, syms)})")
        guest = 0x30000 <= (crash.insn_addr & 0x0FFFFFFFFFFFFFFF) < 0x34000
        whose = "the PR guest's" if guest else "a host process'"
        parts.append(
            f"cpu{cpu}: {whose} `scv {crash.lev}` at {crash.insn_addr:#x} "
            f"<{symbolize(syms, crash.insn_addr)}> was delivered to real {crash.vector:#x} "
            f"because AIL did not apply ({crash.ail_rule}; {who}) while FSCR[SCV]="
            f"{int(bool(crash.fscr & FSCR_SCV))} (FSCR={crash.fscr:#x})")
        if w is not None and str(cpu) != w.source.rsplit("cpu", 1)[-1]:
            parts.append(f"AIL is partition-wide on pseries: the hypercall of cpu"
                         f"{w.source.rsplit('cpu', 1)[-1]} changed cpu{cpu}'s LPCR")
        parts.append(after_real_scv(r, crash, host, syms))
    if r.outcome != "poweroff":
        return "; ".join(parts)
    parts.append(f"the kernel could not handle it: kernel panic {code:#x} "
                 f"({PANICS.get(code, '?')}) on cpu{cpu}: vector "
                 f"{host.get('panic_vec', 0):#x}, SRR0={host.get('panic_srr0', 0):#x}, "
                 f"SRR1={host.get('panic_srr1', 0):#x}")
    return "; ".join(parts)


def _diagnose_ok(r, res, syms) -> str:
    host = res.get("host", {})
    guest = res.get("guest", {})
    users = res.get("user", [])
    parts = []
    if host.get("radix"):
        parts.append("radix host: the process table was registered with H_REGISTER_PROC_TBL; "
                     f"KVM_CREATE_VM -> {_s64(host.get('vm_create_ret', 0))} (PR KVM needs hash), "
                     "so AIL stayed 3")
    if not host.get("hwcap2", 0) & PPC_FEATURE2_SCV:
        parts.append(f"no SCV for user space: HWCAP2={host.get('hwcap2', 0):#x} lacks "
                     f"PPC_FEATURE2_SCV and init_task FSCR={host.get('init_fscr', 0):#x}")
    for i, u in enumerate(users):
        if not u.get("syscalls"):
            continue
        how = "scv 0" if u.get("use_scv") else "sc"
        txt = f"cpu{i}'s host process made {u['syscalls']} system calls with {how}"
        if u.get("sig_no"):
            ev = next((e for e in r.interrupts if e.cpu == i and e.insn_addr == u.get("sig_nip")
                       and e.kind in ("fu", "program")), None)
            where = f" at {ev.vector:#x} ({ev.name}, FSCR[IC]={ev.fscr_ic})" if ev else ""
            txt += (f"; its stray scv at {u.get('sig_nip', 0):#x} was refused{where} and the "
                    f"kernel sent SIGILL")
        parts.append(txt)
    if host.get("guest_setmode_by") == 1:
        parts.append(f"the guest's H_SET_MODE(3) was refused by kvmppc_h_pr_set_mode "
                     f"({_s64(host.get('guest_setmode', 0))}), so its kernel dropped SCV")
    elif guest.get("used_scv") and _s64(guest.get("setmode_ret", 0)) == 0:
        parts.append("the guest's H_SET_MODE(3) went to QEMU, which answered H_SUCCESS: "
                         "the guest kept SCV although PR KVM does not provide AIL")
    if guest.get("fu_ic") == 12:
        parts.append(f"the guest's scv at {guest.get('fu_srr0', 0):#x} took facility "
                     f"unavailable (IC=12), reflected into the guest: its process died of SIGILL")
    if host.get("new_kernel"):
        parts.append(f"kexec: {host.get('kexec_stopped', 0)} CPU(s) stopped through RTAS "
                     f"stop-self before AIL was disabled; the new kernel started")
    return "; ".join(parts)
