"""Boot conventions: start a Machine exactly as QEMU starts its firmware.

PowerNV (`qemu-system-ppc64 -M powernv8|9|10 -bios image.bin`, confirmed on QEMU
7.2 — ../shared/reference/ppc-semantics.md (k)): the raw image is loaded at real
address 0 and every hardware thread starts at 0x10 in hypervisor real mode
with MSR = SF|HV (0x9000000000000000), r3 = 0x01000000 (device-tree address)
and HRMOR = 0.  An ELF starts at its entry point in the same state.
"""
from __future__ import annotations

from dataclasses import dataclass

from emu import Machine
from emu.models import get_model
from emu.pseries import SpaprHypervisor
from harness.errors import UserError
from harness.loader.images import Image

POWERNV_RESET_PC = 0x10
POWERNV_RESET_MSR = 0x9000000000000000
POWERNV_FDT_ADDR = 0x01000000


@dataclass(frozen=True)
class MachineType:
    name: str
    default_cpu: str
    hv_capable: bool
    platform: str           # "powernv" or "pseries"


MACHINES = {
    "powernv8": MachineType("powernv8", "power8", True, "powernv"),
    "powernv9": MachineType("powernv9", "power9", True, "powernv"),
    "powernv10": MachineType("powernv10", "power10", True, "powernv"),
    "pseries": MachineType("pseries", "power9", False, "pseries"),
}
MACHINE_FOR_CPU = {"power8": "powernv8", "power9": "powernv9", "power10": "powernv10"}


def parse_size(text: str) -> int:
    t = str(text).strip().upper()
    mult = 1
    for suffix, m in (("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40)):
        if t.endswith(suffix) or t.endswith(suffix + "IB") or t.endswith(suffix + "B"):
            t = t[:t.rindex(suffix)]
            mult = m
            break
    try:
        v = int(t, 0) * mult
    except ValueError:
        raise UserError(f"bad size {text!r} (examples: 2G, 512M, 0x10000000)") from None
    if v <= 0 or v % 0x1000:
        raise UserError(f"bad size {text!r}: must be a positive multiple of 4 KiB")
    return v


def resolve_machine(machine: str | None, cpu: str | None) -> tuple[MachineType, str]:
    if machine is None:
        machine = MACHINE_FOR_CPU.get(cpu or "power9", "powernv9")
    mt = MACHINES.get(machine)
    if mt is None:
        raise UserError(f"unknown machine {machine!r} (choose from {', '.join(MACHINES)})")
    if cpu and mt.platform == "powernv" and cpu != mt.default_cpu:
        # a PowerNV machine is its chip (QEMU: "invalid chip model" for -M powernv8 -cpu power10)
        raise UserError(f"machine {machine} has {mt.default_cpu} processors, not {cpu} "
                        f"(use --machine {MACHINE_FOR_CPU.get(cpu, 'pseries')} or pseries)")
    cpu = cpu or mt.default_cpu
    try:
        get_model(cpu)
    except ValueError as e:
        raise UserError(str(e)) from None
    return mt, cpu


def build_machine(mt: MachineType, cpu: str, smp: int = 1, ram: int = 2 << 30,
                  mmu: str | None = None, **kw) -> Machine:
    if smp < 1 or smp > 64:
        raise UserError(f"bad --smp {smp}: 1 to 64 CPUs")
    if mmu is None:
        mmu = default_mmu()
    hypervisor = None
    if mt.platform == "pseries":
        hypervisor = SpaprHypervisor(**kw.pop("hv_options", {}))
    try:
        m = Machine(cpu, ncpus=smp, ram_size=ram, hv_capable=mt.hv_capable, mmu=mmu,
                    hypervisor=hypervisor, **kw)
    except ValueError as e:
        raise UserError(str(e)) from None
    m.machine_type = mt
    return m


def default_mmu() -> str:
    """The architected MMU (radix and hash) unless a run asks for `identity`."""
    return "architected"


def load_and_boot(m: Machine, image: Image) -> None:
    end = image.base + len(image.data)
    if end > m.ram.size:
        raise UserError(f"{image.name}: image ends at {end:#x}, beyond RAM ({m.ram.size:#x} bytes)")
    m.load(image.data, image.base)
    mt = m.machine_type
    if mt.platform == "pseries":
        m.hypervisor.boot(m, image.entry)
        return
    pc = POWERNV_RESET_PC if image.entry is None else image.entry
    for i in range(len(m.cpus)):
        m.reset_cpu(i, pc, POWERNV_RESET_MSR, {3: POWERNV_FDT_ADDR}, hrmor=0)
