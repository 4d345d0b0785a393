"""Device-tree pieces both platforms build the same way (pseries' spapr and
PowerNV's OPAL tree): the /chosen boot arguments and initrd, /memory@0, the
/cpus container and what every cpu node has (devicetree specification v0.4, ch. 3; Linux's
Documentation/devicetree/bindings/chosen)."""
from __future__ import annotations

import fdt

CPU_NODE_NAMES = {"power8": "POWER8", "power9": "POWER9", "power10": "POWER10"}
TIMEBASE_FREQ = 512000000   # QEMU 7.2 pseries POWER9 (shared/qemu-7.2-pseries.dts)
CACHE_LINE = 128


def chosen_node(bootargs, initrd) -> fdt.Node:
    """/chosen with `bootargs` and linux,initrd-start/-end (64-bit cells)."""
    chosen = fdt.Node("chosen")
    if bootargs is not None:
        chosen.append(fdt.PropStrings("bootargs", bootargs))
    if initrd is not None:
        start, size = initrd
        chosen.append(fdt.PropWords("linux,initrd-start", start >> 32, start & 0xFFFFFFFF))
        chosen.append(fdt.PropWords("linux,initrd-end", (start + size) >> 32,
                                    (start + size) & 0xFFFFFFFF))
    return chosen


def memory_node(size: int) -> fdt.Node:
    """/memory@0: one bank of `size` bytes from real address 0."""
    mem = fdt.Node("memory@0")
    mem.append(fdt.PropStrings("device_type", "memory"))
    mem.append(fdt.PropWords("reg", 0, 0, size >> 32, size & 0xFFFFFFFF))
    return mem


def cpus_node() -> fdt.Node:
    cpus = fdt.Node("cpus")
    cpus.append(fdt.PropWords("#address-cells", 1))
    cpus.append(fdt.PropWords("#size-cells", 0))
    return cpus


def cpu_node(model, reg: int) -> fdt.Node:
    """A cpu node with what both trees give it: device_type, reg, the interrupt
    server (= reg, as QEMU), PVR, status, timebase and clock frequencies, cache lines, dec-bits."""
    n = fdt.Node(f"PowerPC,{CPU_NODE_NAMES[model.name]}@{reg}")
    n.append(fdt.PropStrings("device_type", "cpu"))
    n.append(fdt.PropWords("reg", reg))
    n.append(fdt.PropWords("ibm,ppc-interrupt-server#s", reg))
    n.append(fdt.PropWords("cpu-version", model.pvr))
    n.append(fdt.PropStrings("status", "okay"))
    n.append(fdt.PropWords("timebase-frequency", TIMEBASE_FREQ))
    n.append(fdt.PropWords("clock-frequency", 1000000000))
    for cache in ("i", "d"):
        n.append(fdt.PropWords(f"{cache}-cache-line-size", CACHE_LINE))
        n.append(fdt.PropWords(f"{cache}-cache-block-size", CACHE_LINE))
    n.append(fdt.PropWords("ibm,dec-bits", 32))
    return n
