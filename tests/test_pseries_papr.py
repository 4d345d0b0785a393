"""What kvm-unit-tests needs from the pseries machine (QEMU spapr): the vty
console, SPRG0/PAGE_INIT/RANDOM/VPA/CEDE hypercalls, XICS IPIs to 0x500, RTAS
time of day, MSR[ME]=1 in the partition, tlbie with LPCR[GTSE], the machine-wide
timebase and SIAR on trace.  One small partition program per behaviour; results
are read back from its registers and memory."""
import os
import shutil
import struct
import subprocess

import fdt
import pytest

from emu.timebase import prepare_kernel
from harness.loader.images import image_from_source
from harness.run import RunOptions, prepare, run_image, run_loaded

H_SUCCESS, H_HARDWARE, H_PARAMETER = 0, -1, -4
RESULTS = 0x30000
MSR_ME, MSR_EE = 1 << 12, 1 << 15

PRELUDE = """
    .org 0x100
    li 0, 1
    sldi 0, 0, 63          # MSR[SF]
    mtmsrd 0
    b start
    .org 0x500
external:
    li 3, 0x74             # H_XIRR
    sc 1
    lis 9, 0x3
    std 4, 0x80(9)         # the XIRR the handler accepted
    mfsrr0 10
    std 10, 0x88(9)
    b .
    .org 0x700
    mfsrr1 30
    mfsrr0 31
    b .
    .org 0x900
decrementer:
    lis 9, 0x3
    mfsrr0 10
    std 10, 0x90(9)
    b .
    .org 0xd00
trace:
    mfspr 11, 796          # SIAR
    mfsrr0 12
    lis 9, 0x3
    std 11, 0x98(9)
    std 12, 0xa0(9)
    b .
    .org 0xe40
    b .
    .org 0x20000
start:
    lis 9, 0x3
"""


def run(src, smp=1, max_insns=200_000, patch=False, **hv):
    image = image_from_source(PRELUDE + src)
    if patch:
        image.data, _ = prepare_kernel(image.data)
    opts = RunOptions(machine="pseries", smp=smp, max_insns=max_insns,
                      dumps=[(RESULTS, 0x100)], hv_options=hv)
    m, mt, cpu, checker = prepare(image, opts)
    return m, run_loaded(m, mt, cpu, image, opts, checker)


def words(r, n, at=0):
    return [struct.unpack_from(">q", r.dumps[RESULTS], at + 8 * i)[0] for i in range(n)]


def u64(r, at):
    return struct.unpack_from(">Q", r.dumps[RESULTS], at)[0]


def test_h_put_term_char_writes_the_bytes_big_endian_from_r6_r7_to_the_vty():
    m, r = run("""
    li 3, 0x58             # H_PUT_TERM_CHAR
    li 4, 0                # the default vty
    li 5, 10
    lis 6, 0x6869          # "hi from r6" "hi"
    ori 6, 6, 0x2066
    sldi 6, 6, 32
    oris 6, 6, 0x726f
    ori 6, 6, 0x6d20
    lis 7, 0x7236
    sldi 7, 7, 32
    sc 1
    std 3, 0(9)
    b .
""")
    assert words(r, 1) == [H_SUCCESS]
    assert bytes(m.hypervisor.output) == b"hi from r6"


def test_h_get_term_char_has_no_input():
    _, r = run("    li 3, 0x54\n    li 4, 0\n    sc 1\n    std 3, 0(9)\n    std 4, 8(9)\n    b .\n")
    assert words(r, 2) == [H_SUCCESS, 0]


def test_h_set_dabr_is_h_hardware_on_power9_so_sc1_is_not_broken():
    _, r = run("    li 3, 0x28\n    li 4, 0\n    sc 1\n    std 3, 0(9)\n    b .\n")
    assert words(r, 1) == [H_HARDWARE]


def test_h_set_sprg0_sets_sprg0():
    _, r = run("""
    li 3, 0x24
    lis 4, 0x1234
    sc 1
    std 3, 0(9)
    mfsprg0 5
    std 5, 8(9)
    b .
""")
    assert words(r, 2) == [H_SUCCESS, 0x12340000]


def test_h_page_init_zeroes_copies_and_checks_alignment():
    _, r = run("""
    lis 20, 0x4            # source page 0x40000 holds 0x5a5a...
    lis 21, 0x5            # destination 0x50000
    li 5, 0x5a5a
    std 5, 0(20)
    std 5, 0(21)
    li 3, 0x2c
    li 4, 1
    sldi 4, 4, 15          # H_ZERO_PAGE
    mr 5, 21
    sc 1
    std 3, 0(9)
    ld 6, 0(21)
    std 6, 8(9)
    li 3, 0x2c
    li 4, 1
    sldi 4, 4, 14          # H_COPY_PAGE
    mr 5, 21
    mr 6, 20
    sc 1
    std 3, 16(9)
    ld 6, 0(21)
    std 6, 24(9)
    li 3, 0x2c
    li 4, 1
    sldi 4, 4, 15
    addi 5, 21, 0x123      # unaligned destination
    sc 1
    std 3, 32(9)
    b .
""")
    assert words(r, 5) == [H_SUCCESS, 0, H_SUCCESS, 0x5a5a, H_PARAMETER]


def test_h_random_is_deterministic_and_depends_on_the_seed():
    src = "    li 3, 0x300\n    sc 1\n    std 3, 0(9)\n    std 4, 8(9)\n" \
          "    li 3, 0x300\n    sc 1\n    std 4, 16(9)\n    b .\n"
    _, a = run(src)
    _, b = run(src)
    _, c = run(src, seed=7)
    assert words(a, 1) == [H_SUCCESS]
    assert a.dumps == b.dumps
    assert u64(a, 8) != u64(a, 16) and u64(a, 8) != u64(c, 8)


VPA_CALL = """
    li 3, 0xdc             # H_REGISTER_VPA
    li 4, {func}
    sldi 4, 4, 45
    li 5, {proc}
    lis 6, 0x4
    addi 6, 6, {offset}
    sc 1
    std 3, {slot}(9)
"""


def test_h_register_vpa_makes_the_checks_spapr_vpa_expects():
    setup = "    lis 6, 0x4\n    li 7, 640\n    sth 7, 4(6)\n" \
            "    li 7, 640\n    sth 7, 0x1004(6)\n"   # size at +4 (also of a second VPA)
    calls = [(0, 0, 0), (1, 0xbad, 0), (1, 0, 8), (1, 0, 0x1000 - 128), (1, 0, 0),
             (5, 0, 0), (5, 0xbad, 0)]
    src = setup + "".join(VPA_CALL.format(func=f, proc=p, offset=o, slot=8 * i)
                          for i, (f, p, o) in enumerate(calls)) + "    b .\n"
    _, r = run(src)
    assert words(r, 7) == [H_PARAMETER,    # reserved sub-function
                           H_PARAMETER,    # no such processor
                           H_PARAMETER,    # not cache-line aligned
                           H_PARAMETER,    # 640 bytes from 4096-128 cross the page
                           H_SUCCESS,      # registered
                           H_SUCCESS,      # deregistered
                           H_PARAMETER]


def test_h_cede_enables_ee_and_wakes_on_the_decrementer():
    m, r = run("""
    li 5, 2000
    mtdec 5
    li 3, 0xe0             # H_CEDE with MSR[EE]=0
    sc 1
after_cede:
    b .
""")
    assert r.outcome == "idle"
    dec = r.interrupts_of("dec")
    assert len(dec) == 1 and dec[0].srr0 == r.symbols["after_cede"]
    assert dec[0].msr_before & MSR_EE          # H_CEDE set EE; the DEC came right after
    assert u64(r, 0x90) == r.symbols["after_cede"]


def test_xics_ipi_is_an_external_interrupt_at_0x500_with_xisr_2():
    _, r = run("""
    li 3, 0x68             # H_CPPR 5: accept priorities more favoured than 5
    li 4, 5
    sc 1
    mfmsr 5
    ori 5, 5, 0x8000       # MSR[EE]
    mtmsrd 5
    li 3, 0x6c             # H_IPI to server 0, priority 4
    li 4, 0
    li 5, 4
    sc 1
after_ipi:
    b .
""")
    ext = r.interrupts_of("external")
    assert len(ext) == 1 and ext[0].vector == 0x500
    assert ext[0].srr0 == r.symbols["after_ipi"]
    assert u64(r, 0x80) == (5 << 24) | 2      # old CPPR 5, XISR 2 (the IPI)


def test_xics_ipi_with_cppr_0_is_not_presented():
    _, r = run("""
    mfmsr 5
    ori 5, 5, 0x8000
    mtmsrd 5
    li 3, 0x6c
    li 4, 0
    li 5, 4
    sc 1
    b .
""")
    assert r.interrupts_of("external") == []


def test_rtas_get_time_of_day_follows_the_clock_and_set_time_of_day_moves_it():
    rtas = """
    lis 20, 0x4
    li 5, {token}
    stw 5, 0(20)
    li 5, {nargs}
    stw 5, 4(20)
    li 5, {nret}
    stw 5, 8(20)
    {args}
    li 3, 0
    ori 3, 3, 0xf000        # KVMPPC_H_RTAS
    mr 4, 20
    sc 1
"""
    args = "".join(f"    li 5, {v}\n    stw 5, {12 + 4 * i}(20)\n"
                   for i, v in enumerate((2000, 2, 28, 23, 59, 59, 0)))
    src = rtas.format(token=0x2002, nargs=7, nret=1, args=args) + \
        rtas.format(token=0x2001, nargs=0, nret=8, args="") + "    b .\n"
    image = image_from_source(PRELUDE + src)
    opts = RunOptions(machine="pseries", max_insns=200_000, dumps=[(0x40000, 64)],
                      hv_options={"rtc_epoch": 1150502400})     # 2006-06-17 UTC
    r = run_image(image, opts)
    rets = struct.unpack_from(">8i", r.dumps[0x40000], 12)    # get-time-of-day's rets
    assert list(rets[:7]) == [0, 2000, 2, 28, 23, 59, 59]


def test_rtas_clock_starts_at_the_epoch_given():
    m, _ = run("    b .\n", rtc_epoch=1150502400)
    assert m.hypervisor.time_of_day(m.cpus[0])[:3] == [2006, 6, 17]


def test_partition_runs_with_msr_me_and_cannot_clear_it():
    _, r = run("""
    mfmsr 5
    std 5, 0(9)
    li 6, 0x1000
    andc 5, 5, 6           # try to clear ME
    mtmsrd 5
    mfmsr 5
    std 5, 8(9)
    b .
""")
    first, second = words(r, 2)
    assert first & MSR_ME and second & MSR_ME


def test_tlbie_is_allowed_in_the_partition_with_lpcr_gtse():
    src = """
    li 3, 0x37c            # H_REGISTER_PROC_TBL, new radix table with GTSE
    li 4, 0x1d
    lis 5, 0x6
    li 6, 0
    li 7, 0
    sc 1
    std 3, 0(9)
    li 8, 0
    tlbie 8, 0, 0, 0, 1
    tlbsync
    li 5, 1
    std 5, 8(9)
    b .
"""
    _, r = run(src)
    assert words(r, 2) == [H_SUCCESS, 1]
    assert r.interrupts_of("program") == []


def test_tlbie_without_gtse_is_a_privileged_program_interrupt():
    _, r = run("    li 8, 0\n    tlbie 8, 0, 0, 0, 1\n    b .\n")
    assert [e.vector for e in r.interrupts] == [0x700]


def test_device_tree_has_what_setup_asserts_with_the_values_qemu_gives():
    m, _ = run("    b .\n", smp=2)
    hyp = m.hypervisor
    hyp.bootargs = "setup smp=2"
    hyp.initrd = (0x500000, 0x100)
    tree = fdt.parse_dtb(hyp.device_tree(m))
    cpu = tree.get_node("cpus").nodes[1]
    for name, value in (("i-cache-line-size", 128), ("d-cache-line-size", 128),
                        ("timebase-frequency", 512000000), ("ibm,ppc-interrupt-server#s", 1)):
        assert cpu.get_property(name).value == value
    chosen = tree.get_node("chosen")
    assert chosen.get_property("bootargs").value == "setup smp=2"
    assert list(chosen.get_property("linux,initrd-start").data) == [0, 0x500000]
    assert list(chosen.get_property("linux,initrd-end").data) == [0, 0x500100]
    rtas = tree.get_node("rtas")
    assert rtas.get_property("get-time-of-day").value == 0x2001
    assert rtas.get_property("set-time-of-day").value == 0x2002
    assert tree.get_node("vdevice").nodes[0].get_property("compatible").value == "hvterm1"


def test_native_mftb_reads_the_machine_timebase():
    _, r = run("""
    mftb 5
    nop
    nop
    mfspr 6, 268
    std 5, 0(9)
    std 6, 8(9)
    b .
""")
    t1, t2 = words(r, 2)
    assert t1 > 0 and t2 - t1 == 3                 # one tick per instruction


def test_prepare_kernel_replaces_priority_hints_only():
    words_in = [0x7C6C42E6,   # mftb 3 (traps natively: left alone)
                0x7C8D42A6,   # mfspr 4, 269
                0x7C210B78,   # or 1,1,1
                0x7FFFFB78,   # or 31,31,31
                0x7C631B79,   # or. 3,3,3 (Rc=1: not a hint)
                0x7C641B78]   # or 4,3,3 (mr 4,3)
    out, hints = prepare_kernel(struct.pack(">6I", *words_in))
    assert hints == 2
    assert struct.unpack(">6I", out) == (*words_in[:2], 0x60000000, 0x60000000, *words_in[4:])


def test_prepare_kernel_leaves_words_outside_the_code_ranges_alone():
    hint = 0x7C210B78                                   # or 1,1,1
    out, hints = prepare_kernel(struct.pack(">4I", hint, hint, hint, hint), code=[(4, 8)])
    assert hints == 2
    assert struct.unpack(">4I", out) == (hint, 0x60000000, 0x60000000, hint)


def test_kernel_loader_rewrites_hints_in_text_but_not_in_data(tmp_path):
    from harness.cli.qemu_machine import load_kernel
    from harness.toolchain.elf import code_ranges, read_elf
    elf = tmp_path / "k.elf"
    src = tmp_path / "k.S"
    src.write_text(".text\n.globl _start\n_start:\n or 1,1,1\n b .\n"
                   ".data\n.long 0x7c210b78\n")
    gcc = shutil.which("powerpc64-linux-gnu-gcc")
    if gcc is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true: powerpc64-linux-gnu-gcc not found")
        pytest.skip("powerpc64-linux-gnu-gcc not found")
    subprocess.run([gcc, "-nostdlib", "-static", "-Wl,-Ttext=0", "-Wl,-Tdata=0x10000",
                    "-Wl,--build-id=none",
                    "-o", str(elf), str(src)], check=True, capture_output=True)
    data = elf.read_bytes()
    _flat, base, _entry, _ = read_elf(data)
    assert code_ranges(data, base) == [(0, 8)]
    m, _ = run("    b .\n", max_insns=10)
    start, _end, _ = load_kernel(m, str(elf), 0x400000)
    assert m.ram.read_u32(start) == 0x60000000                 # the hint in .text: a nop
    assert m.ram.read_u32(start + 0x10000) == 0x7C210B78      # the same word in .data: kept


def test_the_timebase_is_one_clock_for_all_cpus():
    m, _ = run("    b .\n", smp=2)
    assert m.cpus[0].tb() == m.cpus[1].tb() == m.clock


def test_single_step_trace_sets_siar_to_the_traced_instruction():
    _, r = run("""
    mfmsr 5
    ori 5, 5, 0x400        # MSR[SE]
    mtmsrd 5
traced:
    nop
    b .
""")
    assert u64(r, 0x98) == r.symbols["traced"]
    assert u64(r, 0xa0) == r.symbols["traced"] + 4
