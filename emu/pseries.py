"""The pseries machine's hypervisor: PAPR as QEMU's spapr provides it.

On pseries the operating system is a logical partition (MSR[HV]=0); the
hypervisor is part of the machine.  `sc 1` from HV=0 is a hypercall handled
here, in Python (r3 = opcode, arguments in r4..., return code in r3, execution
continues after the `sc`), like QEMU's virtual hypervisor (cpu->vhyp).

Implemented (PAPR; QEMU hw/ppc/spapr_hcall.c, spapr_rtas.c):
  * H_SET_MODE resource 3 (address translation mode = LPCR[AIL] of every CPU of
    the partition) and 4 (interrupt endianness = LPCR[ILE]), with QEMU 8.1's checks
    (value1 -> H_P3, value2 -> H_P4, mflags other than 0/3 -> H_UNSUPPORTED_FLAG,
    3 without cap ail-mode-3 -> H_UNSUPPORTED_FLAG, unknown resource -> H_P2);
  * H_ENTER / H_REMOVE / H_READ on a hypervisor-owned hash page table (the
    partition cannot address it; the hash MMU reads it from here);
  * H_RTAS (KVMPPC_H_RTAS 0xf000, r4 = real address of the RTAS argument buffer)
    with start-cpu, stop-self, query-cpu-stopped-state, power-off;
  * H_REGISTER_PROC_TBL (radix partitions, ISA v3.0 CPUs): the hypervisor
    builds the partition table and a partition-scoped tree mapping the
    partition's memory 1:1, points every CPU's PTCR at it and sets LPCR[HR|UPRT]
    (and GTSE when asked), as QEMU h_register_process_table does;
  * anything else returns H_FUNCTION;
  * `sc 1` from problem state: by default H_PRIVILEGE in r3, as QEMU TCG's
    spapr does (so an image behaves as under `qemu-system-ppc64 -M pseries`);
    with problem_state_hcall="reflect" it is reflected to the partition's own
    0xc00 as a System Call interrupt, so that a PR-KVM host running in the
    partition receives its guests' hypercalls (what KVM HV does for hash
    guests, Linux "KVM: PPC: Book3S HV P9: Reflect userspace hcalls to hash
    guests to support PR KVM"); the pseries PR-KVM scenarios use that.
"""
from __future__ import annotations

import struct

import fdt

from .bits import (LPCR_AIL, LPCR_AIL_SHIFT, LPCR_GTSE, LPCR_HR, LPCR_ILE, LPCR_UPRT, MSR_EE,
                   MSR_ME, MSR_PR, MSR_SF)
from .devtree import CACHE_LINE, TIMEBASE_FREQ, chosen_node, cpu_node, cpus_node, memory_node
from .events import HcallEvent
from .interrupts import InterruptRequest
from .privileged import Halt

# ------------------------------------------------------------------ PAPR numbers
H_SUCCESS = 0
H_FUNCTION = -2
H_PRIVILEGE = -3
H_PARAMETER = -4
H_PTEG_FULL = -6
H_NOT_FOUND = -5
H_P2 = -55
H_P3 = -56
H_P4 = -57
H_UNSUPPORTED_FLAG = -256

H_HARDWARE = -1
H_REMOVE = 0x04
H_ENTER = 0x08
H_READ = 0x0C
H_SET_SPRG0 = 0x24
H_SET_DABR = 0x28
H_PAGE_INIT = 0x2C
H_GET_TERM_CHAR = 0x54
H_PUT_TERM_CHAR = 0x58
H_EOI = 0x64
H_CPPR = 0x68
H_IPI = 0x6C
H_IPOLL = 0x70
H_XIRR = 0x74
H_REGISTER_VPA = 0xDC
H_CEDE = 0xE0
H_CONFER = 0xE4
H_PROD = 0xE8
H_XIRR_X = 0x2FC
H_RANDOM = 0x300
H_SET_MODE = 0x31C
H_REGISTER_PROC_TBL = 0x37C
KVMPPC_H_RTAS = 0xF000

HCALL_NAMES = {H_REMOVE: "H_REMOVE", H_ENTER: "H_ENTER", H_READ: "H_READ",
               H_SET_SPRG0: "H_SET_SPRG0", H_SET_DABR: "H_SET_DABR", H_PAGE_INIT: "H_PAGE_INIT",
               H_GET_TERM_CHAR: "H_GET_TERM_CHAR", H_PUT_TERM_CHAR: "H_PUT_TERM_CHAR",
               H_EOI: "H_EOI", H_CPPR: "H_CPPR", H_IPI: "H_IPI", H_IPOLL: "H_IPOLL",
               H_XIRR: "H_XIRR", H_XIRR_X: "H_XIRR_X", H_REGISTER_VPA: "H_REGISTER_VPA",
               H_CEDE: "H_CEDE", H_CONFER: "H_CONFER", H_PROD: "H_PROD", H_RANDOM: "H_RANDOM",
               H_SET_MODE: "H_SET_MODE", H_REGISTER_PROC_TBL: "H_REGISTER_PROC_TBL",
               KVMPPC_H_RTAS: "H_RTAS"}
# H_PAGE_INIT flags (PAPR 14.5.4.3.1; QEMU h_page_init)
H_ZERO_PAGE = 1 << (63 - 48)
H_COPY_PAGE = 1 << (63 - 49)
H_ICACHE_INVALIDATE = 1 << (63 - 52)
H_ICACHE_SYNCHRONIZE = 1 << (63 - 53)
# H_REGISTER_VPA (PAPR 14.11.3.2; QEMU spapr_hcall.c)
VPA_FLAGS_FUNC_SHIFT = 63 - 18
VPA_FUNC_REGISTER, VPA_FUNC_DEREGISTER = 1, 5
VPA_MIN_SIZE = 640
VPA_SIZE_OFFSET = 0x4
VPA_SHARED_PROC_OFFSET = 0x9
VPA_DISPATCH_COUNTER = 0x100
# XICS (PAPR "Interrupt Support"; QEMU hw/intc/xics.c): the IPI source number and
# the least favoured priority
XICS_IPI = 0x2
XICS_SPURIOUS = 0
# the vty console (QEMU spapr_vty.c: reg 0x71000000; unit 0 means the default vty)
VTY_REG = 0x71000000
INST_SC1 = 0x44000022
U64 = 0xFFFFFFFFFFFFFFFF

# H_REGISTER_PROC_TBL flags (PAPR; QEMU spapr_hcall.c FLAGS_*)
PROC_TABLE_NEW = 0x18
PROC_TABLE_RADIX = 0x04
PROC_TABLE_GTSE = 0x01
# radix table formats (ISA v3.0 III 6.7.6; same values as guest_images/include/mmu.inc)
PATE0_HR = 1 << 63
RADIX_RTS52 = 0x40000000000000A0
R_PTE_V = 1 << 63
R_PTE_L = 1 << 62
R_PTE_RC = 0x180
EAA_RWX = 0x7

H_SET_MODE_RESOURCE_ADDR_TRANS_MODE = 3
H_SET_MODE_RESOURCE_LE = 4


def _hbit(n: int) -> int:
    return 1 << (63 - n)


H_EXACT = _hbit(24)
H_ANDCOND = _hbit(24)
H_AVPN = _hbit(32)
H_READ_4 = _hbit(26)

HPTE_V_VALID = 1
HPTE_V_AVPN_MASK = 0x3FFFFFFFFFFFFF80
HPTES_PER_GROUP = 8

# RTAS tokens: QEMU numbers them from RTAS_TOKEN_BASE 0x2000 in this order
RTAS_TOKENS = {
    "display-character": 0x2000, "get-time-of-day": 0x2001, "set-time-of-day": 0x2002,
    "power-off": 0x2003, "system-reboot": 0x2004, "query-cpu-stopped-state": 0x2005,
    "start-cpu": 0x2006, "stop-self": 0x2007,
}
RTAS_BY_TOKEN = {v: k for k, v in RTAS_TOKENS.items()}

PSERIES_RESET_PC = 0x100
DEC_AT_START = 0x7FFFFFFF
FDT_MAX_SIZE = 0x100000


class HptStore:
    """The hypervisor's hash page table: 2^htab_shift bytes outside partition memory."""

    def __init__(self, htab_shift: int = 18):
        self.size = 1 << htab_shift
        self.data = bytearray(self.size)
        self.pteg_mask = (self.size >> 7) - 1
        self.n_ptes = self.size >> 4

    def contains(self, a: int, n: int = 1) -> bool:
        return 0 <= a and a + n <= self.size

    def read_u64(self, a: int) -> int:
        return struct.unpack_from(">Q", self.data, a)[0]

    def write_u64(self, a: int, v: int) -> None:
        struct.pack_into(">Q", self.data, a, v & 0xFFFFFFFFFFFFFFFF)

    def hpte(self, index: int) -> tuple[int, int]:
        return self.read_u64(index * 16), self.read_u64(index * 16 + 8)

    def set_hpte(self, index: int, v: int, r: int) -> None:
        self.write_u64(index * 16, v)
        self.write_u64(index * 16 + 8, r)


class SpaprHypervisor:
    """PAPR hypervisor of a pseries machine (one partition, LPID 1 in spirit)."""

    def __init__(self, ail_mode_3: bool = True, htab_shift: int = 18,
                 problem_state_hcall: str = "privilege", seed: int = 0,
                 rtc_epoch: int | None = None):
        if problem_state_hcall not in ("reflect", "privilege"):
            raise ValueError("problem_state_hcall: 'reflect' or 'privilege'")
        self.ail_mode_3 = ail_mode_3
        self.problem_state_hcall = problem_state_hcall
        self.partition_table = None
        self.hpt = HptStore(htab_shift)
        self.fdt_addr = None
        self.machine = None
        # the vty: bytes the partition writes go to `console` (None: kept in `output`)
        self.console = None
        self.output = bytearray()
        # vty input: `console_input(n)` returns up to n waiting bytes (b"" if none);
        # None: no input is ever waiting, so a run stays deterministic.  Every
        # H_GET_TERM_CHAR is numbered (`term_reads`) and the ones that returned
        # bytes are logged (`input_log`), so that a migration can replay them.
        self.console_input = None
        self.term_reads = 0
        self.input_log = []         # [(term_reads at the call, bytes)]
        self.bootargs = None        # /chosen/bootargs
        self.initrd = None          # (address, size) -> /chosen/linux,initrd-start|end
        self.kernel = None          # (address, size) -> /chosen/qemu,boot-kernel
        # H_RANDOM: a deterministic generator (xorshift64*), seeded
        self.rng_state = (seed * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) & U64 or 1
        # RTAS time of day: seconds since the epoch at timebase 0 (deterministic;
        # set-time-of-day moves it)
        self.rtc_epoch = 0 if rtc_epoch is None else rtc_epoch
        self.vpa = {}               # cpu index -> VPA real address
        self.xics = None

    # ------------------------------------------------------------ boot
    def device_tree(self, machine) -> bytes:
        """The flattened device tree handed to the image in r3 (built with the
        `fdt` library): CPUs with their ids, memory, RTAS tokens and hcall sets."""
        t = fdt.FDT()
        t.add_item(fdt.PropWords("#address-cells", 2))
        t.add_item(fdt.PropWords("#size-cells", 2))
        t.add_item(fdt.PropStrings("model", "IBM pSeries (ppcvec)"))
        t.add_item(fdt.PropStrings("compatible", "qemu,pseries"))
        t.add_item(fdt.PropStrings("device_type", "chrp"))
        chosen = chosen_node(self.bootargs, self.initrd)
        if self.kernel is not None:
            start, size = self.kernel
            chosen.append(fdt.PropWords("qemu,boot-kernel", 0, start, 0, size))
        chosen.append(fdt.PropStrings("stdout-path", f"/vdevice/vty@{VTY_REG:x}"))
        chosen.append(fdt.PropStrings("linux,stdout-path", f"/vdevice/vty@{VTY_REG:x}"))
        t.add_item(chosen)
        t.add_item(memory_node(machine.ram.size))
        cpus = cpus_node()
        for c in machine.cpus:
            # what QEMU 7.2 spapr_dt_cpu gives a POWER9 (shared/qemu-7.2-pseries.dts)
            n = cpu_node(machine.model, c.index)
            n.append(fdt.PropWords("ibm,ppc-interrupt-gserver#s", c.index, 0))
            n.append(fdt.Property("64-bit"))
            for cache in ("i", "d"):
                n.append(fdt.PropWords(f"{cache}-cache-size", 0x8000))
            n.append(fdt.PropWords("ibm,slb-size", 32))
            n.append(fdt.PropWords("slb-size", 32))
            n.append(fdt.PropWords("ibm,purr", 1))
            n.append(fdt.PropWords("ibm,spurr", 1))
            n.append(fdt.PropWords("ibm,vmx", 2))
            n.append(fdt.PropWords("ibm,dfp", 1))
            n.append(fdt.PropWords("ibm,chip-id", 0))
            n.append(fdt.PropWords("ibm,pft-size", 0, self.hpt.size.bit_length() - 1))
            n.append(fdt.PropWords("ibm,processor-segment-sizes", 0x1C, 0x28, 0xFFFFFFFF,
                                   0xFFFFFFFF))
            if machine.model.radix:
                n.append(fdt.PropWords("ibm,processor-radix-AP-encodings",
                                       0xC, 0xA0000010, 0x20000015, 0x4000001E))
            cpus.append(n)
        t.add_item(cpus)
        rtas = fdt.Node("rtas")
        for name, tok in RTAS_TOKENS.items():
            rtas.append(fdt.PropWords(name, tok))
        rtas.append(fdt.PropStrings("ibm,hypertas-functions", "hcall-pft", "hcall-term",
                                    "hcall-dabr", "hcall-interrupt", "hcall-splpar",
                                    "hcall-set-mode", "hcall-sprg0"))
        rtas.append(fdt.PropStrings("qemu,hypertas-functions", "hcall-memop1"))
        rtas.append(fdt.PropWords("rtas-size", 0))
        rtas.append(fdt.PropWords("ppcvec,h-rtas", KVMPPC_H_RTAS))
        t.add_item(rtas)
        vdevice = fdt.Node("vdevice")
        vdevice.append(fdt.PropStrings("device_type", "vdevice"))
        vdevice.append(fdt.PropStrings("compatible", "IBM,vdevice"))
        vdevice.append(fdt.PropWords("#address-cells", 1))
        vdevice.append(fdt.PropWords("#size-cells", 0))
        vty = fdt.Node(f"vty@{VTY_REG:x}")
        vty.append(fdt.PropWords("reg", VTY_REG))
        vty.append(fdt.PropStrings("device_type", "serial"))
        vty.append(fdt.PropStrings("compatible", "hvterm1"))
        vdevice.append(vty)
        t.add_item(vdevice)
        icp = fdt.Node("interrupt-controller")
        icp.append(fdt.PropStrings("device_type", "PowerPC-External-Interrupt-Presentation"))
        icp.append(fdt.PropStrings("compatible", "IBM,ppc-xicp"))
        icp.append(fdt.Property("interrupt-controller"))
        icp.append(fdt.PropWords("ibm,interrupt-server-ranges", 0, len(machine.cpus)))
        icp.append(fdt.PropWords("#interrupt-cells", 2))
        t.add_item(icp)
        return t.to_dtb(version=17)

    def boot(self, machine, entry: int | None = None) -> None:
        """Start like `qemu-system-ppc64 -M pseries -bios image.bin`: CPU 0 at 0x100
        (or the ELF entry) with MSR = 0 (HV=0, real mode, 32-bit) and r3 = the
        device tree; the other CPUs stopped until RTAS start-cpu."""
        self.machine = machine
        dtb = self.device_tree(machine)
        self.fdt_addr = min(machine.ram.size, 0x80000000) - FDT_MAX_SIZE
        machine.ram.write(self.fdt_addr, dtb, code=False)
        pc = PSERIES_RESET_PC if entry is None else entry
        machine.reset_cpu(0, pc, self.partition_msr(0), {3: self.fdt_addr, 4: 0, 5: 0})
        for i in range(1, len(machine.cpus)):
            machine.stop_cpu(i)
        self.xics = Xics(len(machine.cpus))

    @staticmethod
    def partition_msr(msr: int) -> int:
        """The MSR a partition can have: MSR[ME] is always 1.  Machine checks belong
        to the hypervisor, which keeps them enabled while the partition runs; a
        partition cannot clear ME (PAPR: the partition's MSR[ME] is ignored/forced;
        Linux KVM HV kvmppc_set_msr_hv: "Guest must always run with ME enabled"; KVM
        PR kvmppc_set_msr_pr likewise).  QEMU 7.2 TCG spapr lets it change
        (kvm-unit-tests interrupts: "pseries is unable to change MSR[ME]")."""
        return msr | MSR_ME

    # ------------------------------------------------------------ hypercalls
    def hcall(self, cpu, addr: int) -> int:
        opcode = cpu.gpr(3)
        args = tuple(cpu.gpr(n) for n in range(4, 10))
        name = HCALL_NAMES.get(opcode, f"hcall {opcode:#x}")
        detail = ""
        if cpu.state.msr & MSR_PR and self.problem_state_hcall == "reflect":
            return self.reflect_problem_state_sc1(cpu, addr, name, opcode, args)
        if cpu.state.msr & MSR_PR:
            ret, detail = H_PRIVILEGE, "hypercall from problem state"
        elif opcode == H_SET_MODE:
            ret, detail = self.h_set_mode(cpu, addr, *args[:4])
        elif opcode == H_ENTER:
            ret, detail = self.h_enter(cpu, *args[:4])
        elif opcode == H_REMOVE:
            ret, detail = self.h_remove(cpu, *args[:3])
        elif opcode == H_READ:
            ret, detail = self.h_read(cpu, *args[:2])
        elif opcode == H_REGISTER_PROC_TBL:
            ret, detail = self.h_register_process_table(cpu, addr, *args[:4])
        elif opcode == KVMPPC_H_RTAS:
            ret, detail, name = self.h_rtas(cpu, addr, args[0])
        elif opcode in self.SIMPLE_HCALLS:
            ret, detail = getattr(self, self.SIMPLE_HCALLS[opcode])(cpu, *args)
        else:
            ret, detail = H_FUNCTION, "unknown hypercall"
        cpu.set_gpr(3, ret)
        ev = cpu.machine.events
        ev.emit(HcallEvent(cpu.index, ev.next_seq(), name, opcode, args, ret, addr, cpu.tb(), detail))
        if detail == "stop-self":
            raise Halt("stopped", "RTAS stop-self")
        if opcode == H_CEDE:
            return self.cede(cpu, addr + 4)
        if detail.startswith("power-off"):
            cpu.machine.exit_code = self._rtas_arg0
            raise Halt("poweroff", detail)
        return addr + 4

    SIMPLE_HCALLS = {
        H_SET_DABR: "h_set_dabr", H_SET_SPRG0: "h_set_sprg0", H_PAGE_INIT: "h_page_init",
        H_PUT_TERM_CHAR: "h_put_term_char", H_GET_TERM_CHAR: "h_get_term_char",
        H_RANDOM: "h_random", H_REGISTER_VPA: "h_register_vpa", H_CEDE: "h_cede",
        H_CONFER: "h_confer", H_PROD: "h_prod", H_CPPR: "h_cppr", H_IPI: "h_ipi",
        H_XIRR: "h_xirr", H_XIRR_X: "h_xirr", H_EOI: "h_eoi", H_IPOLL: "h_ipoll",
    }

    # -- console, SPRG0, DABR, pages, random (QEMU spapr_hcall.c, spapr_vty.c, spapr_rng.c)
    def h_put_term_char(self, cpu, termno, length, w0, w1, *_):
        """H_PUT_TERM_CHAR: `length` (<= 16) bytes from r6, r7, big-endian, to the
        vty (QEMU h_put_term_char; unit 0 or the vty's reg)."""
        if termno not in (0, VTY_REG):
            return H_PARAMETER, f"no vty {termno:#x}"
        if length > 16:
            return H_PARAMETER, f"length {length}"
        data = (w0.to_bytes(8, "big") + w1.to_bytes(8, "big"))[:length]
        if self.console is not None:
            self.console(data)
        else:
            self.output += data
        return H_SUCCESS, f"{length} byte(s)"

    def h_get_term_char(self, cpu, termno, *_):
        """H_GET_TERM_CHAR: r4 = the number of bytes (<= 16) waiting on the vty,
        r5, r6 = the bytes, big-endian (QEMU h_get_term_char, spapr_vty.c).  Input
        comes from `console_input` (the QEMU front end: its stdin); without it none
        is ever waiting."""
        if termno not in (0, VTY_REG):
            return H_PARAMETER, f"no vty {termno:#x}"
        self.term_reads += 1
        data = self.console_input(16) if self.console_input is not None else b""
        if data:
            self.input_log.append((self.term_reads, bytes(data)))
        buf = bytes(data).ljust(16, b"\0")
        cpu.set_gpr(4, len(data))
        cpu.set_gpr(5, int.from_bytes(buf[:8], "big"))
        cpu.set_gpr(6, int.from_bytes(buf[8:], "big"))
        return H_SUCCESS, f"{len(data)} byte(s)" if data else "no input"

    def h_set_dabr(self, cpu, dabr, *_):
        """H_SET_DABR: ISA v3.0 processors have no DABR (QEMU h_set_dabr: H_HARDWARE
        when the CPU has no SPR_DABR; what kvm-unit-tests' broken-sc1 probe gets)."""
        if cpu.model.name != "power8":
            return H_HARDWARE, "no DABR on this processor"
        return H_SUCCESS, f"DABR {dabr:#x} (not modelled)"

    def h_set_sprg0(self, cpu, value, *_):
        """H_SET_SPRG0 (PAPR 14.5.4.8.2; QEMU h_set_sprg0)."""
        cpu.write_spr("sprg0", value, cpu.last_trap_pc, INST_SC1, "hcall H_SET_SPRG0")
        return H_SUCCESS, f"SPRG0={value:#x}"

    def h_page_init(self, cpu, flags, dst, src, *_):
        """H_PAGE_INIT (PAPR 14.5.4.3.1; QEMU h_page_init): zero and/or copy one
        4 KiB page; both addresses page aligned and inside partition memory, else
        H_PARAMETER."""
        ram = cpu.machine.ram
        if flags & ~(H_ZERO_PAGE | H_COPY_PAGE | H_ICACHE_INVALIDATE | H_ICACHE_SYNCHRONIZE):
            return H_PARAMETER, f"flags {flags:#x}"
        if dst & 0xFFF or not ram.contains(dst, 0x1000):
            return H_PARAMETER, f"destination {dst:#x}"
        if flags & H_COPY_PAGE:
            if src & 0xFFF or not ram.contains(src, 0x1000):
                return H_PARAMETER, f"source {src:#x}"
            ram.write(dst, ram.read(src, 0x1000))
            return H_SUCCESS, f"copied {src:#x} -> {dst:#x}"
        if flags & H_ZERO_PAGE:
            ram.write(dst, bytes(0x1000))
        return H_SUCCESS, f"page {dst:#x} initialised"

    def next_random(self) -> int:
        """xorshift64* (Vigna 2014): deterministic, seeded by `seed`."""
        x = self.rng_state
        x ^= x >> 12
        x ^= (x << 25) & U64
        x ^= x >> 27
        self.rng_state = x
        return (x * 0x2545F4914F6CDD1D) & U64

    def h_random(self, cpu, *_):
        """H_RANDOM (PAPR; QEMU spapr_rng.c): 64 random bits in r4, here from a
        seeded deterministic generator."""
        cpu.set_gpr(4, self.next_random())
        return H_SUCCESS, "random"

    # -- VPA (PAPR 14.11.3.2 H_REGISTER_VPA; QEMU spapr_hcall.c register_vpa et al.)
    def h_register_vpa(self, cpu, flags, procno, vpa, *_):
        """Register/deregister a Virtual Processor Area with the checks QEMU makes:
        a known processor, cache-line aligned, inside partition memory, not
        crossing a 4 KiB boundary, size (big-endian u16 at +4) >= 640."""
        func = (flags >> VPA_FLAGS_FUNC_SHIFT) & 7
        m = cpu.machine
        target = next((c for c in m.cpus if c.state.pir == procno), None)
        if target is None:
            return H_PARAMETER, f"no processor {procno:#x}"
        ram = m.ram
        if func == VPA_FUNC_REGISTER:
            if vpa % CACHE_LINE:
                return H_PARAMETER, "VPA not cache-line aligned"
            if not ram.contains(vpa, 8):
                return H_PARAMETER, "VPA outside partition memory"
            size = struct.unpack_from(">H", ram.view, vpa + VPA_SIZE_OFFSET)[0]
            if size < VPA_MIN_SIZE:
                return H_PARAMETER, f"VPA size {size} < {VPA_MIN_SIZE}"
            if (vpa >> 12) != ((vpa + size - 1) >> 12):
                return H_PARAMETER, "VPA crosses a 4 KiB boundary"
            if not ram.contains(vpa, size):
                return H_PARAMETER, "VPA outside partition memory"
            self.vpa[target.index] = vpa
            # QEMU register_vpa: the shared-processor byte reflects the partition
            ram.write(vpa + VPA_SHARED_PROC_OFFSET, b"\x00", code=False)
            return H_SUCCESS, f"VPA of cpu{target.index} at {vpa:#x}"
        if func == VPA_FUNC_DEREGISTER:
            self.vpa.pop(target.index, None)
            return H_SUCCESS, f"VPA of cpu{target.index} deregistered"
        if func in (2, 3, 6, 7):       # SLB shadow / dispatch trace log: not modelled
            return H_PARAMETER, f"VPA function {func} not supported"
        return H_PARAMETER, f"reserved VPA function {func}"

    def bump_dispatch_count(self, cpu) -> None:
        """The VPA dispatch counter is odd while the virtual processor is not
        dispatched and even while it runs (PAPR; QEMU spapr_cpu dispatch count):
        one H_CEDE = one undispatch + one dispatch."""
        vpa = self.vpa.get(cpu.index)
        if vpa is None:
            return
        ram = cpu.machine.ram
        n = struct.unpack_from(">I", ram.view, vpa + VPA_DISPATCH_COUNTER)[0]
        struct.pack_into(">I", ram.view, vpa + VPA_DISPATCH_COUNTER, (n + 2) & 0xFFFFFFFF)

    # -- H_CEDE / H_CONFER / H_PROD (PAPR 14.5.4.5; QEMU h_cede)
    def h_cede(self, cpu, *_):
        return H_SUCCESS, "cede"

    def cede(self, cpu, next_pc: int) -> int:
        """H_CEDE: MSR[EE] <- 1, then the virtual processor waits until an
        interrupt exists (decrementer, external/IPI, a prod); it returns H_SUCCESS
        and the interrupt is taken right after the `sc 1` (QEMU h_cede: msr |= EE,
        halted until cpu_has_work).  When every CPU waits, Machine.run fast-forwards
        the timebase to the earliest decrementer."""
        cpu.write_msr(cpu.state.msr | MSR_EE, cpu.last_trap_pc, INST_SC1, "hcall H_CEDE")
        self.bump_dispatch_count(cpu)
        if cpu.prodded:
            cpu.prodded = False
            return next_pc
        if cpu.async_interrupt_exists():
            return next_pc
        cpu.stop_pc = next_pc
        cpu.stop_ec = False
        raise Halt("stop", "H_CEDE")

    def h_confer(self, cpu, *_):
        return H_SUCCESS, "confer (no-op)"

    def h_prod(self, cpu, target, *_):
        t = next((c for c in cpu.machine.cpus if c.state.pir == target), None)
        if t is None:
            return H_PARAMETER, f"no processor {target:#x}"
        t.prodded = True
        return H_SUCCESS, f"prod cpu{t.index}"

    # -- XICS (PAPR "Interrupt Support", hcall-interrupt; QEMU hw/intc/xics.c ICP)
    def h_cppr(self, cpu, cppr, *_):
        self.xics.set_cppr(cpu.machine, cpu.index, cppr & 0xFF)
        return H_SUCCESS, f"CPPR={cppr & 0xFF:#x}"

    def h_ipi(self, cpu, server, mfrr, *_):
        if server >= len(cpu.machine.cpus):
            return H_PARAMETER, f"no server {server}"
        self.xics.set_mfrr(cpu.machine, server, mfrr & 0xFF)
        return H_SUCCESS, f"MFRR[{server}]={mfrr & 0xFF:#x}"

    def h_xirr(self, cpu, *_):
        xirr = self.xics.accept(cpu.machine, cpu.index)
        cpu.set_gpr(4, xirr)
        cpu.set_gpr(5, cpu.tb())         # H_XIRR_X: the timebase of the accept
        return H_SUCCESS, f"XIRR={xirr:#x}"

    def h_eoi(self, cpu, xirr, *_):
        self.xics.eoi(cpu.machine, cpu.index, xirr & 0xFFFFFFFF)
        return H_SUCCESS, f"EOI {xirr & 0xFFFFFFFF:#x}"

    def h_ipoll(self, cpu, server, *_):
        if server >= len(cpu.machine.cpus):
            return H_PARAMETER, f"no server {server}"
        icp = self.xics.icps[server]
        cpu.set_gpr(4, icp.xirr)
        cpu.set_gpr(5, icp.mfrr)
        return H_SUCCESS, "poll"

    def reflect_problem_state_sc1(self, cpu, addr, name, opcode, args):
        """`sc 1` with MSR[PR]=1: the hypervisor gives it to the partition's OS
        as a System Call interrupt (0xc00, SRR0 = next instruction), which is how
        a PR-KVM host in a hash partition gets its guests' hypercalls (Linux KVM HV
        kvmppc_handle_exit_hv: "A guest could be running PR KVM, so this may be a
        PR KVM hcall. It must be reflected to the guest kernel as a sc
        interrupt")."""
        ev = cpu.machine.events
        ev.emit(HcallEvent(cpu.index, ev.next_seq(), name, opcode, args, cpu.gpr(3), addr,
                           cpu.tb(), "problem state: reflected to the partition's 0xc00"))
        return InterruptRequest("sc", addr + 4, addr, INST_SC1, lev=1,
                                reason="sc 1 from problem state (reflected by the hypervisor)")

    def h_register_process_table(self, cpu, addr, flags, proc_tbl, page_size, table_size):
        """H_REGISTER_PROC_TBL (PAPR; QEMU h_register_process_table) for a radix
        partition: PATE[0] = the hypervisor's partition-scoped tree (guest real =
        real, 1 GiB leaves) and the partition's process table; every CPU gets
        PTCR, LPCR[HR|UPRT] (and GTSE).  Hash process tables are not modelled."""
        if not cpu.model.radix:
            return H_FUNCTION, "no radix MMU on this processor"
        if flags & ~(PROC_TABLE_NEW | PROC_TABLE_RADIX | PROC_TABLE_GTSE):
            return H_PARAMETER, f"flags {flags:#x}"
        if flags & PROC_TABLE_NEW != PROC_TABLE_NEW or not flags & PROC_TABLE_RADIX:
            return H_PARAMETER, "only a new radix process table is supported"
        if table_size > 24 or proc_tbl & 0xFFF:
            return H_PARAMETER, "bad process table"
        m = cpu.machine
        base = self.partition_table_base(m)
        ram = m.ram
        root, level2 = base + 0x10000, base + 0x20000
        ram.write(base, bytes(0x21000), code=False)
        ram.write_u64(base, PATE0_HR | RADIX_RTS52 | root | 13)
        ram.write_u64(base + 8, proc_tbl | table_size)
        ram.write_u64(root, R_PTE_V | level2 | 9)
        for gib in range(max(1, ram.size >> 30)):
            ram.write_u64(level2 + 8 * gib, R_PTE_V | R_PTE_L | R_PTE_RC | EAA_RWX | (gib << 30))
        self.partition_table = base
        lpcr = LPCR_HR | LPCR_UPRT | (LPCR_GTSE if flags & PROC_TABLE_GTSE else 0)
        source = f"hcall H_REGISTER_PROC_TBL by cpu{cpu.index}"
        for c in m.cpus:
            c.write_spr("ptcr", base, addr, INST_SC1, source)
            c.write_spr("lpcr", (c.state.lpcr & ~(LPCR_HR | LPCR_UPRT | LPCR_GTSE)) | lpcr,
                        addr, INST_SC1, source)
        self._tlb_flush(cpu)
        return H_SUCCESS, f"radix process table {proc_tbl:#x}, LPCR[HR|UPRT] on every CPU"

    def partition_table_base(self, machine) -> int:
        """Where the hypervisor keeps the partition table and its partition-scoped
        tree: 0x21000 bytes, 64 KiB aligned, just below the device tree."""
        top = self.fdt_addr if self.fdt_addr is not None else machine.ram.size
        return (top - 0x30000) & ~0xFFFF

    def h_set_mode(self, cpu, addr, mflags, resource, value1, value2):
        """H_SET_MODE (QEMU h_set_mode, 8.1 rules): resource 3 sets LPCR[AIL] of every
        CPU of the partition to mflags (0 or 3), resource 4 sets LPCR[ILE]."""
        if resource == H_SET_MODE_RESOURCE_ADDR_TRANS_MODE:
            if value1:
                return H_P3, "value1 != 0"
            if value2:
                return H_P4, "value2 != 0"
            if mflags not in (0, 3):
                return H_UNSUPPORTED_FLAG, f"AIL mode {mflags} not supported"
            if mflags == 3 and not self.ail_mode_3:
                return H_UNSUPPORTED_FLAG, "AIL mode 3 not available (cap-ail-mode-3=off)"
            self._set_all_lpcrs(cpu, addr, mflags << LPCR_AIL_SHIFT, LPCR_AIL)
            return H_SUCCESS, f"LPCR[AIL]={mflags} on every CPU"
        if resource == H_SET_MODE_RESOURCE_LE:
            if value1 or value2:
                return (H_P3 if value1 else H_P4), "value != 0"
            if mflags not in (0, 1):
                return H_UNSUPPORTED_FLAG, f"endianness mode {mflags}"
            self._set_all_lpcrs(cpu, addr, LPCR_ILE if mflags else 0, LPCR_ILE)
            return H_SUCCESS, f"LPCR[ILE]={mflags} on every CPU"
        return H_P2, f"resource {resource} not supported"

    def _set_all_lpcrs(self, cpu, addr, value, mask):
        insn = 0x44000022   # sc 1
        for c in cpu.machine.cpus:
            new = (c.state.lpcr & ~mask) | value
            c.write_spr("lpcr", new, addr, insn, f"hcall H_SET_MODE by cpu{cpu.index}")

    # -- hash page table (PAPR 14.5.4.1; QEMU h_enter/h_remove/h_read)
    def h_enter(self, cpu, flags, ptex, pteh, ptel):
        hpt = self.hpt
        if ptex >= hpt.n_ptes:
            return H_PARAMETER, f"PTE index {ptex:#x} out of range"
        group = ptex & ~7
        if not flags & H_EXACT:
            for slot in range(HPTES_PER_GROUP):
                if not hpt.hpte(group + slot)[0] & HPTE_V_VALID:
                    break
            else:
                return H_PTEG_FULL, "PTEG full"
            index = group + slot
        else:
            index = ptex
            if hpt.hpte(index)[0] & HPTE_V_VALID:
                return H_PTEG_FULL, "exact slot in use"
        hpt.set_hpte(index, pteh, ptel)
        cpu.set_gpr(4, index)
        return H_SUCCESS, f"HPTE {index:#x} = {pteh:#x} {ptel:#x}"

    def h_remove(self, cpu, flags, ptex, avpn):
        hpt = self.hpt
        if ptex >= hpt.n_ptes:
            return H_PARAMETER, "PTE index out of range"
        v, r = hpt.hpte(ptex)
        if (not v & HPTE_V_VALID
                or (flags & H_AVPN and (v & ~0x7F) != avpn)
                or (flags & H_ANDCOND and v & avpn)):
            return H_NOT_FOUND, "no such HPTE"
        hpt.set_hpte(ptex, 0, 0)
        cpu.set_gpr(4, v)
        cpu.set_gpr(5, r)
        self._tlb_flush(cpu)
        return H_SUCCESS, f"HPTE {ptex:#x} removed"

    def h_read(self, cpu, flags, ptex):
        hpt = self.hpt
        if ptex >= hpt.n_ptes:
            return H_PARAMETER, "PTE index out of range"
        n = 1
        if flags & H_READ_4:
            ptex &= ~3
            n = 4
        for i in range(n):
            v, r = hpt.hpte(ptex + i)
            cpu.set_gpr(4 + 2 * i, v)
            cpu.set_gpr(5 + 2 * i, r)
        return H_SUCCESS, f"read {n} HPTE(s) at {ptex:#x}"

    def _tlb_flush(self, cpu):
        mmu = cpu.machine.mmu
        if hasattr(mmu, "invalidate_all"):
            mmu.invalidate_all(cpu.machine)
        else:
            for c in cpu.machine.cpus:
                c.core.flush_tlb()

    # -- RTAS (PAPR 7.2; QEMU spapr_rtas.c)
    def now_seconds(self, cpu) -> float:
        return self.rtc_epoch + cpu.tb() / TIMEBASE_FREQ

    def time_of_day(self, cpu) -> list:
        """RTAS get-time-of-day (PAPR 7.3.5; QEMU rtas_get_time_of_day): year, month,
        day, hour, minute, second, nanoseconds of a clock that is `rtc_epoch` at
        timebase 0 and runs with the timebase (deterministic)."""
        import datetime
        t = self.now_seconds(cpu)
        secs = int(t)
        d = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
        return [d.year, d.month, d.day, d.hour, d.minute, d.second,
                int((t - secs) * 1e9)]

    def set_time_of_day(self, cpu, a) -> list:
        """RTAS set-time-of-day: the clock reads the given time from now on."""
        import datetime
        try:
            d = datetime.datetime(a[0], a[1], a[2], a[3], a[4], a[5],
                                  tzinfo=datetime.timezone.utc)
        except ValueError:
            return [-3]
        self.rtc_epoch = int(d.timestamp()) - cpu.tb() / TIMEBASE_FREQ
        return [0]

    def h_rtas(self, cpu, addr, args_addr):
        ram = cpu.machine.ram
        if not ram.contains(args_addr, 12):
            return H_PARAMETER, "RTAS argument buffer outside RAM", "H_RTAS"
        token, nargs, nret = struct.unpack_from(">III", ram.view, args_addr)
        if nargs > 16 or nret > 16 or not ram.contains(args_addr, 12 + 4 * (nargs + nret)):
            return H_PARAMETER, "bad RTAS argument counts", "H_RTAS"
        a = list(struct.unpack_from(f">{nargs}I", ram.view, args_addr + 12)) if nargs else []
        rets_at = args_addr + 12 + 4 * nargs
        name = RTAS_BY_TOKEN.get(token)
        rets = [-3]
        detail = f"RTAS token {token:#x}"
        m = cpu.machine
        if name == "start-cpu" and nargs >= 3:
            cpu_id, start, r3 = a[0], a[1], a[2]
            if cpu_id >= len(m.cpus):
                rets, detail = [-3], f"start-cpu: no CPU {cpu_id}"
            elif m.cpus[cpu_id].halted != "stopped":
                rets, detail = [-1], f"start-cpu: CPU {cpu_id} is not stopped"
            else:
                # spapr_cpu_set_entry_state: 64-bit, ME, real mode, r3 from the caller
                m.reset_cpu(cpu_id, start, MSR_SF | MSR_ME, {3: r3})
                m.cpus[cpu_id].state.lpcr = cpu.state.lpcr
                m.cpus[cpu_id].state.dec = DEC_AT_START
                m.cpus[cpu_id].state.dec_tb = cpu.tb()
                rets, detail = [0], f"start-cpu {cpu_id} at {start:#x}"
        elif name == "stop-self":
            rets, detail = [0], "stop-self"
        elif name == "query-cpu-stopped-state" and nargs >= 1 and nret >= 2:
            cid = a[0]
            if cid >= len(m.cpus):
                rets = [-3, 0]
            else:
                rets = [0, 0 if m.cpus[cid].halted == "stopped" else 2]
            detail = f"query-cpu-stopped-state {cid}"
        elif name == "get-time-of-day" and nret >= 8:
            rets, detail = [0] + self.time_of_day(cpu), "get-time-of-day"
        elif name == "set-time-of-day" and nargs >= 6:
            rets, detail = self.set_time_of_day(cpu, a), "set-time-of-day"
        elif name == "power-off":
            self._rtas_arg0 = a[0] if a else 0
            rets, detail = [0], f"power-off ({self._rtas_arg0})"
        elif name is not None:
            detail = f"RTAS {name} not implemented"
        for i in range(min(nret, len(rets))):
            struct.pack_into(">i", ram.view, rets_at + 4 * i, rets[i])
        return H_SUCCESS, detail, f"H_RTAS({name or hex(token)})"


class Icp:
    """One interrupt presentation controller (per server)."""
    __slots__ = ("xirr", "pending_priority", "mfrr")

    def __init__(self):
        self.xirr = 0                  # CPPR (bits 24:31) | XISR (0:23)
        self.pending_priority = 0xFF
        self.mfrr = 0xFF


class Xics:
    """XICS presentation for IPIs (QEMU hw/intc/xics.c icp_* functions; PAPR
    "Interrupt Support"): the only source is the inter-processor interrupt of
    each server (XISR 2, priority MFRR).  A presented interrupt is the External
    exception of that CPU (Cpu.ext_irq): 0x500 when MSR[EE]=1."""

    def __init__(self, n: int):
        self.icps = [Icp() for _ in range(n)]

    @staticmethod
    def cppr(icp) -> int:
        return icp.xirr >> 24

    def _raise(self, machine, server, level: bool):
        cpu = machine.cpus[server]
        cpu.ext_irq = level
        cpu._async_dirty = True

    def check_ipi(self, machine, server):
        icp = self.icps[server]
        if icp.xirr & 0xFFFFFF and icp.pending_priority <= icp.mfrr:
            return
        icp.xirr = (icp.xirr & ~0xFFFFFF) | XICS_IPI
        icp.pending_priority = icp.mfrr
        self._raise(machine, server, True)

    def resend(self, machine, server):
        icp = self.icps[server]
        if icp.mfrr < self.cppr(icp):
            self.check_ipi(machine, server)

    def set_mfrr(self, machine, server, mfrr):
        icp = self.icps[server]
        icp.mfrr = mfrr
        if mfrr < self.cppr(icp):
            self.check_ipi(machine, server)

    def set_cppr(self, machine, server, cppr):
        icp = self.icps[server]
        old = self.cppr(icp)
        icp.xirr = (icp.xirr & 0xFFFFFF) | (cppr << 24)
        if cppr < old:
            if icp.xirr & 0xFFFFFF and cppr <= icp.pending_priority:
                icp.xirr &= ~0xFFFFFF          # withdrawn (the IPI stays in MFRR)
                icp.pending_priority = 0xFF
                self._raise(machine, server, False)
        elif not icp.xirr & 0xFFFFFF:
            self.resend(machine, server)

    def accept(self, machine, server) -> int:
        icp = self.icps[server]
        xirr = icp.xirr
        icp.xirr = icp.pending_priority << 24
        icp.pending_priority = 0xFF
        self._raise(machine, server, False)
        return xirr

    def eoi(self, machine, server, xirr):
        icp = self.icps[server]
        icp.xirr = (icp.xirr & 0xFFFFFF) | (xirr & 0xFF000000)
        if not icp.xirr & 0xFFFFFF:
            self.resend(machine, server)
