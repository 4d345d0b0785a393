"""`ppcvec scenario run` output for people: no raw memory unless --dump, the
results areas as named words, and a per-CPU timeline of the events that
matter (LPCR/FSCR writes with their writer, H_SET_MODE, scv/sc, the crash)."""
import re
import subprocess
import sys

ROOT = __import__("os").path.dirname(__import__("os").path.dirname(__import__("os").path.abspath(__file__)))
S1 = "pseries-host-user-scv-during-pr-vm"
HEXDUMP = re.compile(r"^\s+0x[0-9a-f]{8}: ([0-9a-f]{2} ){15}[0-9a-f]{2}$")


def run(*args):
    p = subprocess.run([sys.executable, "-m", "harness.cli", "scenario", "run", *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    return p.stdout.splitlines()


def section(lines, cpu):
    start = lines.index(f"    cpu{cpu}:")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("      end "))
    return lines[start + 1:end + 1]


def test_no_hex_dump_by_default_and_results_are_words():
    lines = run(S1, "--fix", "none")
    assert not [ln for ln in lines if HEXDUMP.match(ln) or ln.startswith("  dump ")]
    text = "\n".join(lines)
    assert "panic_vec=0x200" in text and "panic_r13=0x7fffb7fff000" in text
    assert re.search(r"user cpu1: use_scv=0x100000 hwcap2=0x80900000 syscalls=0x1", text)


def test_dump_shows_memory_on_request():
    lines = run(S1, "--fix", "none", "--dump")
    assert "  dump 0x12000 (304 bytes):" in lines
    assert "    0x00012000: 50 50 43 56 45 43 52 31 00 00 00 00 00 00 00 02" in lines
    lines = run(S1, "--fix", "none", "--dump", "0x17000:16")
    i = lines.index("  dump 0x17000 (16 bytes):")
    assert lines[i + 1] == "    0x00017000: 7f e3 fb 78 4b ff fe a5 89 2d 00 a9 71 29 00 fe"


def test_bad_dump_is_one_line_exit_2():
    p = subprocess.run([sys.executable, "-m", "harness.cli", "scenario", "run", S1, "--dump",
                        "nope"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1


def test_pseries_timeline_per_cpu():
    lines = run(S1, "--fix", "none")
    cpu0, cpu1 = section(lines, 0), section(lines, 1)
    (hc,) = [ln for ln in cpu0 if "H_SET_MODE(mflags=0, resource=3)" in ln]
    assert "from kvmppc_core_init_vm_pr -> pseries_disable_reloc_on_exc" in hc
    # cpu1: AIL taken away by cpu0's hypercall, then its scv to real 0x17000, then
    # what the text at 0x17000 did
    i = next(k for k, ln in enumerate(cpu1) if "LPCR AIL 3->0" in ln)
    assert "by hcall H_SET_MODE by cpu0" in cpu1[i]
    j = next(k for k, ln in enumerate(cpu1) if "-> 0x17000" in ln)
    assert i < j and cpu1[j].endswith("the crash") and "<internal_syscall+0x24>" in cpu1[j]
    assert re.search(r"then machine_check \(0x200\) at 0x16ec0 <__do_IRQ\+0x18> "
                     r"`ld r9, 160\(r13\)`, 9 instructions after the scv", cpu1[j + 1])
    assert cpu1[-1].strip() == "end   poweroff at 0x51b8 <rtas_call+0x58>"
    seqs = [int(ln.split()[0][1:]) for ln in cpu1[:-1]]
    assert seqs == sorted(seqs)


def test_powernv_timeline_shows_the_shadow_fscr_and_the_refused_scv():
    lines = run("powernv-pr-guest-scv", "--fix", "none")
    cpu0 = section(lines, 0)
    text = "\n".join(cpu0)
    assert "LPCR AIL 3->0 (0x8) by mtspr at 0xc000000000008210 <kvmppc_core_vcpu_load_pr_mtlpcr>" \
        in text
    assert re.search(r"FSCR\[SCV\] 1->0 \(0x0\) by mtspr at \S+ "
                     r"<kvmppc_handler_trampoline_enter_mtfscr> \(the same at each of its \d+ runs\)",
                     text)
    assert "facility unavailable (FSCR[IC]=12) for `scv 0` at 0x31124 <guest_user_scv> -> 0xf60" \
        in text and "kvmppc_handle_fac" in text
    assert "0x17000" not in text


def test_power10_timeline_shows_the_relocated_exit():
    text = "\n".join(run("powernv-pr-guest-scv", "--cpu", "power10"))
    assert re.search(r"guest exit `mfpvr r5` at 0x31008 <guest_start\+0x8> -> "
                     r"0xc000000000004700 \(program_check\) with relocation on", text)
    assert "untested on hardware" in text
