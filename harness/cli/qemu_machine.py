"""The machine behind `ppcvec-qemu-system-ppc64` (harness.cli.qemu_compat): the
same Machine as `ppcvec run` (harness.loader.boot), loaded the way QEMU loads
`-bios`/`-kernel`/`-initrd`."""
from __future__ import annotations

from emu.machine import DEFAULT_SLICE, Machine
from emu.opal import Opal
from emu.timebase import prepare_kernel
from harness.cli.qemu_compat import (DEFAULT_RAM, POWERNV_INITRD_ADDR,
                                     POWERNV_KERNEL_ADDR, PROG, PSERIES_IGNORED_CAPS,
                                     PSERIES_KERNEL_ADDR, STARTED, TB_TICKS_PER_INSN, Options,
                                     rtc_epoch)
from harness.errors import UserError
from harness.loader.boot import MACHINES, build_machine, resolve_machine
from harness.loader.images import ELF_MAGIC
from harness.toolchain.elf import code_ranges, read_elf


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise UserError(f"{PROG}: error loading {path}: {e.strerror}", exit_code=1) from None


def load_kernel(m: Machine, path: str, load_addr: int) -> tuple[int, int, int]:
    """Load an ELF (or a raw image) the way QEMU's -kernel does: a relocatable
    image linked at 0 goes to `load_addr`.  Returns (start, end, entry)."""
    data = _read(path)
    code = None
    if data[:4] == ELF_MAGIC:
        try:
            flat, base, entry, _ = read_elf(data)
        except Exception as e:
            raise UserError(f"{PROG}: error loading {path}: {e}", exit_code=1) from None
        offset = load_addr if base < load_addr else 0
        code = code_ranges(data, base)
        start, entry = base + offset, entry + offset
    else:
        flat, start, entry = data, load_addr, load_addr
    if start + len(flat) > m.ram.size:
        raise UserError(f"{PROG}: error loading {path}: it does not fit in RAM", exit_code=1)
    flat, _ = prepare_kernel(flat, code)
    m.load(flat, start)
    return start, start + len(flat), entry


def build(o: Options, wall_clock: bool = True):
    """The Machine for these options.  `wall_clock`: the RTAS clock starts at the
    host's time like QEMU's default `-rtc base=utc`; otherwise (ppcvec run) at
    the epoch, so that the run is deterministic."""
    mname = o.machine or "pseries"
    if mname not in MACHINES:
        raise UserError(f"{PROG}: unsupported machine type '{mname}' (-machine '?' lists them)")
    mt, cpu = resolve_machine(mname, o.cpu)
    if mt.platform == "pseries":
        for k in o.machine_props:
            if k not in PSERIES_IGNORED_CAPS:
                raise UserError(f"{PROG}: -machine pseries,{k}: unsupported property")
    elif o.machine_props:
        raise UserError(f"{PROG}: -machine {mname},{next(iter(o.machine_props))}: unsupported property")
    ram = o.ram or DEFAULT_RAM[mt.platform]
    epoch = rtc_epoch(o.rtc_base)
    if epoch is None:
        # QEMU's default -rtc base=utc: the host's clock when the process started
        epoch = int(STARTED) if wall_clock else 0
    kw = {"hv_options": {"seed": o.seed, "rtc_epoch": epoch}} if mt.platform == "pseries" else {}
    # several CPUs run in turn in the machine's slices (DEFAULT_SLICE: atomics, with
    # two CPUs on one lock, 7.8 s against 9.7 s with 2000 and 9.0 s with 100 000);
    # a single CPU runs until its next timer in longer ones (each slice is an
    # emu_start, ~9 us)
    slice_insns = DEFAULT_SLICE if o.smp > 1 else SOLO_SLICE
    m = build_machine(mt, cpu, smp=o.smp, ram=ram, slice_insns=slice_insns, **kw)
    m.tb_scale = TB_TICKS_PER_INSN
    return m, mt


SOLO_SLICE = 200_000


def boot(m: Machine, mt, o: Options, console) -> None:
    if o.kernel is None and o.bios is None:
        raise UserError(f"{PROG}: nothing to run: give -kernel and/or -bios")
    if mt.platform == "pseries":
        hyp = m.hypervisor
        hyp.console = console
        kernel = initrd = None
        entry = None
        if o.bios is not None:
            m.load(_read(o.bios), 0)
        if o.kernel is not None:
            start, end, kentry = load_kernel(m, o.kernel, PSERIES_KERNEL_ADDR)
            kernel = (start, end - start)
            entry = None if o.bios is not None else kentry
            if o.initrd is not None:
                data = _read(o.initrd)
                at = (end + 0x1FFFF) & ~0xFFFF       # spapr.c: after the kernel, 64 KiB aligned
                if at + len(data) > m.ram.size:
                    raise UserError(f"{PROG}: error loading {o.initrd}: it does not fit in RAM",
                                    exit_code=1)
                m.load(data, at)
                initrd = (at, len(data))
        elif o.initrd is not None:
            raise UserError(f"{PROG}: -initrd needs -kernel")
        hyp.bootargs = o.append
        hyp.initrd = initrd
        hyp.kernel = kernel
        hyp.boot(m, entry)
        return
    initrd = None
    if o.kernel is None:
        raise UserError(f"{PROG}: powernv needs -kernel (the firmware is ppcvec's own OPAL)")
    if o.bios is not None:
        raise UserError(f"{PROG}: -bios on powernv: the firmware is ppcvec's own OPAL "
                        f"(use `ppcvec run --machine {mt.name}` for a raw firmware image)")
    _, _, entry = load_kernel(m, o.kernel, POWERNV_KERNEL_ADDR)
    if o.initrd is not None:
        data = _read(o.initrd)
        if POWERNV_INITRD_ADDR + len(data) > m.ram.size:
            raise UserError(f"{PROG}: error loading {o.initrd}: it does not fit in RAM", exit_code=1)
        m.load(data, POWERNV_INITRD_ADDR)
        initrd = (POWERNV_INITRD_ADDR, len(data))
    fw = Opal(console=console)
    fw.bootargs = o.append
    fw.initrd = initrd
    fw.boot(m, entry)
