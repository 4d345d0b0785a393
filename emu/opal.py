"""A minimal OPAL (skiboot's runtime interface) for PowerNV machines booted with a
kernel, as QEMU's powernv boots one behind skiboot: the kernel is entered in
hypervisor real mode with r3 = the device tree, whose `/ibm,opal` node names the
OPAL entry point.

OPAL calls (skiboot doc/opal-api; Linux arch/powerpc/include/asm/opal-api.h):
the caller enters `opal-entry-address` in hypervisor real mode, big-endian,
with r0 = the token, r3.. = the arguments and LR = where to return; r3 = the
return code.  The entry address holds a reserved instruction word: executing it
traps, and `Cpu.on_trap` hands the call to `Opal.call` (ppcvec's firmware is
Python, like the pseries hypervisor).

Implemented: CONSOLE_WRITE, CONSOLE_READ (never any input), CEC_POWER_DOWN (ends
the run, outcome "poweroff"), POLL_EVENTS, START_CPU, QUERY_CPU_STATUS,
RETURN_CPU, REINIT_CPUS; anything else returns OPAL_PARAMETER.
"""
from __future__ import annotations

import struct

import fdt

from .bits import MSR_HV, MSR_ME, MSR_SF
from .devtree import chosen_node, cpu_node, cpus_node, memory_node
from .privileged import Halt

OPAL_SUCCESS = 0
OPAL_PARAMETER = -1
OPAL_BUSY = -2
OPAL_UNSUPPORTED = -7
OPAL_CONSOLE_WRITE = 1
OPAL_CONSOLE_READ = 2
OPAL_CEC_POWER_DOWN = 5
OPAL_POLL_EVENTS = 10
OPAL_START_CPU = 41
OPAL_QUERY_CPU_STATUS = 42
OPAL_RETURN_CPU = 69
OPAL_REINIT_CPUS = 70
OPAL_NAMES = {OPAL_CONSOLE_WRITE: "CONSOLE_WRITE", OPAL_CONSOLE_READ: "CONSOLE_READ",
              OPAL_CEC_POWER_DOWN: "CEC_POWER_DOWN", OPAL_POLL_EVENTS: "POLL_EVENTS",
              OPAL_START_CPU: "START_CPU", OPAL_QUERY_CPU_STATUS: "QUERY_CPU_STATUS",
              OPAL_RETURN_CPU: "RETURN_CPU", OPAL_REINIT_CPUS: "REINIT_CPUS"}
# QUERY_CPU_STATUS answers (skiboot OPAL_THREAD_*)
OPAL_THREAD_INACTIVE, OPAL_THREAD_STARTED = 0, 1

OPAL_BASE = 0x30000000          # where QEMU's skiboot.lid lives (hw/ppc/pnv.c FW_LOAD_ADDR)
OPAL_ENTRY = OPAL_BASE + 0x10
OPAL_SIZE = 0x10000
FDT_ADDR = 0x01000000           # harness.loader.boot POWERNV_FDT_ADDR
KERNEL_MSR = MSR_SF | MSR_HV | MSR_ME


class Opal:
    def __init__(self, console=None):
        self.console = console
        self.output = bytearray()
        self.bootargs = None
        self.initrd = None
        self.entry = OPAL_ENTRY
        self._power_off = False

    # ------------------------------------------------------------ boot
    def device_tree(self, machine) -> bytes:
        t = fdt.FDT()
        t.add_item(fdt.PropWords("#address-cells", 2))
        t.add_item(fdt.PropWords("#size-cells", 2))
        t.add_item(fdt.PropStrings("model", f"IBM PowerNV (ppcvec {machine.model.name})"))
        t.add_item(fdt.PropStrings("compatible", "qemu,powernv", "ibm,powernv"))
        chosen = chosen_node(self.bootargs, self.initrd)
        t.add_item(chosen)
        t.add_item(memory_node(machine.ram.size))
        cpus = cpus_node()
        for c in machine.cpus:
            n = cpu_node(machine.model, c.state.pir)
            n.append(fdt.PropWords("ibm,pir", c.state.pir))
            cpus.append(n)
        t.add_item(cpus)
        opal = fdt.Node("ibm,opal")
        opal.append(fdt.PropStrings("compatible", "ibm,opal-v3"))
        opal.append(fdt.PropWords("opal-base-address", OPAL_BASE >> 32, OPAL_BASE & 0xFFFFFFFF))
        opal.append(fdt.PropWords("opal-entry-address", OPAL_ENTRY >> 32, OPAL_ENTRY & 0xFFFFFFFF))
        opal.append(fdt.PropWords("opal-runtime-size", 0, OPAL_SIZE))
        t.add_item(opal)
        return t.to_dtb(version=17)

    def boot(self, machine, entry: int) -> None:
        """CPU 0 enters the kernel at `entry` in hypervisor real mode (MSR = SF|HV|ME)
        with r3 = the device tree; the other threads wait in OPAL for START_CPU."""
        machine.firmware = self
        machine.ram.write(OPAL_BASE, bytes(OPAL_SIZE), code=True)   # reserved words: trap
        machine.ram.write(FDT_ADDR, self.device_tree(machine), code=False)
        machine.reset_cpu(0, entry, KERNEL_MSR, {3: FDT_ADDR, 4: 0, 8: OPAL_BASE, 9: OPAL_ENTRY},
                          hrmor=0)
        for i in range(1, len(machine.cpus)):
            machine.stop_cpu(i)

    # ------------------------------------------------------------ calls
    def call(self, cpu) -> int:
        """An OPAL call at the entry point: r0 = token; returns to LR."""
        token = cpu.gpr(0)
        args = [cpu.gpr(n) for n in range(3, 7)]
        ret = self.dispatch(cpu, token, args)
        cpu.set_gpr(3, ret & 0xFFFFFFFFFFFFFFFF)
        if self._power_off:
            cpu.machine.exit_code = 0
            raise Halt("poweroff", "OPAL CEC_POWER_DOWN")
        return cpu.get_lr()

    def dispatch(self, cpu, token: int, a: list) -> int:
        m = cpu.machine
        ram = m.ram
        if token == OPAL_CONSOLE_WRITE:
            if not ram.contains(a[1], 8):
                return OPAL_PARAMETER
            n = struct.unpack_from(">Q", ram.view, a[1])[0]
            if not ram.contains(a[2], n):
                return OPAL_PARAMETER
            data = ram.read(a[2], n)
            if self.console is not None:
                self.console(data)
            else:
                self.output += data
            return OPAL_SUCCESS
        if token == OPAL_CONSOLE_READ:
            if ram.contains(a[1], 8):
                struct.pack_into(">Q", ram.view, a[1], 0)
            return OPAL_SUCCESS
        if token == OPAL_CEC_POWER_DOWN:
            self._power_off = True
            return OPAL_SUCCESS
        if token in (OPAL_POLL_EVENTS, OPAL_REINIT_CPUS):
            return OPAL_SUCCESS
        if token == OPAL_START_CPU:
            target = self._cpu(m, a[0])
            if target is None or target.halted != "stopped":
                return OPAL_PARAMETER
            m.reset_cpu(target.index, a[1], KERNEL_MSR, {3: a[0]}, hrmor=0)
            target.state.lpcr = cpu.state.lpcr
            return OPAL_SUCCESS
        if token == OPAL_QUERY_CPU_STATUS:
            target = self._cpu(m, a[0])
            if target is None or not ram.contains(a[1], 1):
                return OPAL_PARAMETER
            status = OPAL_THREAD_INACTIVE if target.halted == "stopped" else OPAL_THREAD_STARTED
            ram.write(a[1], bytes([status]), code=False)
            return OPAL_SUCCESS
        if token == OPAL_RETURN_CPU:
            raise Halt("stopped", "OPAL RETURN_CPU")
        return OPAL_PARAMETER

    @staticmethod
    def _cpu(m, server):
        return next((c for c in m.cpus if c.state.pir == server), None)
