"""The only module that touches Unicorn.

One Unicorn instance per hardware thread, all mapping the same RAM buffer.
Every instance runs in problem state (real MSR = SF|PR plus FP/VEC/VSX/LE from
the architected MSR) with Unicorn's virtual TLB; translation is answered by a
TLB-fill hook (emu.mmu), privileged instructions and interrupts arrive through
the interrupt hook and are handed to emu.cpu.  Facts about Unicorn 2.1.4 relied
on here are in ../shared/reference/unicorn-ppc64.md and docs/design.md.
"""
from __future__ import annotations

import ctypes
import glob
import importlib.machinery
import os

from unicorn import (UC_ARCH_PPC, UC_HOOK_INTR, UC_HOOK_MEM_UNMAPPED, UC_HOOK_TLB_FILL,
                     UC_MODE_BIG_ENDIAN, UC_MODE_PPC64, UC_PROT_ALL, UC_TLB_VIRTUAL, Uc,
                     UcError)
from unicorn.unicorn_const import (UC_CTL_IO_WRITE, UC_CTL_TLB_FLUSH, UC_HOOK_BLOCK,
                                   UC_MEM_FETCH, UC_MEM_FETCH_UNMAPPED, UC_MEM_READ,
                                   UC_MEM_WRITE, UC_MEM_WRITE_UNMAPPED, UC_PROT_EXEC,
                                   UC_PROT_READ, UC_PROT_WRITE)
from unicorn.unicorn_py3.unicorn import HOOK_TLB_FILL_CFUNC, UcContext
from unicorn.ppc_const import (UC_PPC_REG_0, UC_PPC_REG_CR, UC_PPC_REG_CTR, UC_PPC_REG_FPR0,
                               UC_PPC_REG_FPSCR, UC_PPC_REG_LR, UC_PPC_REG_MSR, UC_PPC_REG_PC,
                               UC_PPC_REG_XER)

from .bits import MSR_FP, MSR_LE, MSR_PR, MSR_SF, MSR_VEC, MSR_VSX

# Real MSR bits mirrored from the architected MSR; PR is always set (Unicorn then
# forces EE|IR|DR, which mean nothing here: translation is ours).
REAL_MSR_MIRROR = MSR_SF | MSR_FP | MSR_VEC | MSR_VSX | MSR_LE

# QEMU 5.0 POWERPC_EXCP_* numbers seen by UC_HOOK_INTR
EXCP_ALIGN, EXCP_PROGRAM, EXCP_FPU, EXCP_SYSCALL = 5, 6, 7, 8
EXCP_TRACE, EXCP_VPU, EXCP_VSXU, EXCP_FU, EXCP_HV_EMU = 68, 73, 94, 95, 96

# Pages that must fault are mapped to this unmapped physical range; the page
# index is encoded in the address so the exact EA is recovered from the
# MEM_UNMAPPED report (which gives the physical address).
FAULT_BASE = 0x2000000000000000
PAGE_MASK = ~0xFFF

# a flush is forced when this many fills (and twice as many as the distinct pages
# filled) happened since the last one (UnicornCore.tlb_thrashing)
TLB_THRASH_FILLS = 512
UNTIL_NEVER = 0xFFFFFFFFFFFFFFFF  # odd, never a PC
UNTIL_PAGE = UNTIL_NEVER & PAGE_MASK  # fault index 0 (see _counter.c ppcvec_fill_never)
# SPRs whose problem-state mfspr/mtspr Unicorn may execute natively: the
# unprivileged registers that live in Unicorn (XER, LR, CTR).  Every other SPR
# traps to emu.privileged (see `trap_all_sprs`).
NATIVE_SPRS = frozenset({1, 8, 9})
# The largest RAM a machine may have (the physical space above is ppcvec's own)
MAX_RAM = 0x3F0000000000
# Unicorn 2.1.4 has no register for the reservation (QEMU CPUPPCState.reserve_addr,
# (target_ulong)-1 when there is none); it is this many bytes into the data of a
# uc_context.  Found by a probe: `lwarx` at a known EA, context_save, the one
# 8-byte word that holds the EA (tests/test_migration.py fails if it moves).
CONTEXT_RESERVE_ADDR = 656
NO_RESERVATION = 0xFFFFFFFFFFFFFFFF

# intno -> what emu.cpu is told (QEMU's numbers stay in this module)
_TRAP_KIND = {EXCP_PROGRAM: "program", EXCP_SYSCALL: "syscall", EXCP_HV_EMU: "hv_emu",
              EXCP_FU: "fu", EXCP_FPU: "fpu", EXCP_VPU: "vpu", EXCP_VSXU: "vsxu",
              EXCP_ALIGN: "alignment", EXCP_TRACE: "trace"}

_PROT = {1: UC_PROT_READ, 2: UC_PROT_WRITE, 4: UC_PROT_EXEC}
_ACCESS = {UC_MEM_FETCH: "fetch", UC_MEM_READ: "read", UC_MEM_WRITE: "write"}


def _prot(perms: int) -> int:
    p = 0
    for bit, uc_bit in _PROT.items():
        if perms & bit:
            p |= uc_bit
    return p


# emu.mmu permission bits (0..7) -> Unicorn's, precomputed for the TLB-fill hook;
# the second without execute (UnicornCore._unicorn_prot).
_PROT_TABLE = tuple(_prot(perms) for perms in range(8))
_DATA_PROT_TABLE = tuple(_prot(perms & ~4) for perms in range(8))


class _Counter(ctypes.Structure):
    _fields_ = [("count", ctypes.c_uint64), ("limit", ctypes.c_uint64),
                ("last_addr", ctypes.c_uint64), ("last_size", ctypes.c_uint64),
                ("stopped", ctypes.c_uint64), ("stop", ctypes.c_void_p),
                ("selfloop", ctypes.c_uint64), ("ignore_addr", ctypes.c_uint64),
                ("exact", ctypes.c_uint64), ("never_real", ctypes.c_uint64),
                ("never_pa", ctypes.c_uint64)]


def _load_counter():
    here = os.path.dirname(__file__)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for path in glob.glob(os.path.join(here, "_counter*" + suffix)):
            try:
                return ctypes.CDLL(path)
            except OSError:
                pass
    return None


_COUNTER_LIB = _load_counter()


_INTR_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p)


def _uclib():
    from unicorn.unicorn_py3.unicorn import uclib  # unicorn 2.1.x layout
    return uclib

# ------------------------------------------------------------ single-page TLB flush
# Unicorn 2.1.4 flushes only a whole TLB (UC_CTL_TLB_FLUSH), after which every page
# the core uses (code, stack, data) is refilled through the Python fill hook.
# libunicorn exports QEMU's own per-page flush, `tlb_flush_page_ppc64(CPUState *,
# target_ulong)` (accel/tcg/cputlb.c: the page's entry in every MMU index, its
# victim-TLB entries and the TB jump cache for it), what QEMU's tlbie does.  The
# CPUState is `uc_struct.cpu` (include/uc_priv.h), a field Unicorn does not
# publish: it is found once (`_find_cpu_state`) as the word of the uc_struct
# that points at a CPUState whose `env_ptr` leads to the CPU registers the probe
# wrote.  Without it (another build) a page flush is a whole flush.
PAGE_FLUSH_MAX = 512             # pages (2 MiB); a larger invalidation flushes it all
_CPU_PROBE = (0x50F1E2D3C4B5A697, 0x0123456789ABCDEF, 0xFEDCBA9876543210, 0x5A5AA5A5C3C33C3C)
_cpu_offsets = None              # (uc_struct.cpu, CPUState.env_ptr) offsets, per build


def _mappings(keep):
    """(lo, hi) of this process's mappings for which keep(perms, path) holds
    (/proc/self/maps)."""
    ranges = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if keep(parts[1], parts[5] if len(parts) >= 6 else ""):
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                ranges.append((lo, hi))
    return ranges


def _room(maps, addr: int) -> int:
    """Readable bytes from `addr` to the end of its mapping (0: not mapped)."""
    for lo, hi in maps:
        if lo <= addr < hi:
            return hi - addr
    return 0


def _word(addr: int) -> int:
    return int.from_bytes(ctypes.string_at(addr, 8), "little")


def _find_cpu_state(uc) -> int | None:
    """The address of the CPUState of `uc` (see above), or None.  Only memory
    inside the process's read-write mappings is read."""
    global _cpu_offsets
    from unicorn.ppc_const import UC_PPC_REG_0
    saved = [uc.reg_read(UC_PPC_REG_0 + i) for i in range(len(_CPU_PROBE))]
    for i, v in enumerate(_CPU_PROBE):
        uc.reg_write(UC_PPC_REG_0 + i, v)
    probe = b"".join(v.to_bytes(8, "little") for v in _CPU_PROBE)   # env->gpr[0..3]
    try:
        maps = _mappings(lambda perms, _path: perms.startswith("rw"))
        uch = ctypes.cast(uc._uch, ctypes.c_void_p).value

        def env_of(cpu, field):
            env = _word(cpu + field)
            if cpu < env < cpu + 0x100000 and _room(maps, env) >= 32 \
                    and ctypes.string_at(env, 32) == probe:
                return env
            return None
        if _room(maps, uch) < 0x800:
            return None
        if _cpu_offsets is not None:
            cpu_field, env_field = _cpu_offsets
            cpu = _word(uch + cpu_field)
            if _room(maps, cpu) > env_field + 8 and env_of(cpu, env_field):
                return cpu
            return None
        fields = ctypes.string_at(uch, 0x800)
        for cpu_field in range(0, 0x800, 8):
            cpu = int.from_bytes(fields[cpu_field:cpu_field + 8], "little")
            room = min(_room(maps, cpu), 0x2000)
            if cpu & 7 or room < 0x1000:
                continue
            block = ctypes.string_at(cpu, room)
            for env_field in range(0, room - 8, 8):
                env = int.from_bytes(block[env_field:env_field + 8], "little")
                if cpu < env < cpu + 0x100000 and env_of(cpu, env_field):
                    _cpu_offsets = (cpu_field, env_field)
                    return cpu
        return None
    finally:
        for i, v in enumerate(saved):
            uc.reg_write(UC_PPC_REG_0 + i, v)


def _tlb_flush_page_fn():
    fn = getattr(_uclib(), "tlb_flush_page_ppc64", None)
    if fn is not None:
        fn.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
        fn.restype = None
    return fn


_TLB_FLUSH_PAGE = _tlb_flush_page_fn()


# ---------------------------------------------------------------- SPR callbacks
# Unicorn 2.1.4's CPU (QEMU 5.0 POWER10, translate_init.inc.c) registers some SPRs
# with a problem-state ("uea") callback, so at MSR[PR]=1 it executes their
# mfspr/mtspr natively on its own, wrong, state: SPRG3 (259), the timebase
# (268/269, reads 0), VRSAVE, TAR, PPR, the user PMU registers... and PURR/SPURR
# (308/309), whose helper dereferences the timebase state Unicorn never creates:
# SIGSEGV.  `trap_all_sprs` sets every such callback to QEMU's SPR_NOACCESS
# marker in the CPU's `env->spr_cb[1024]` table (through a context
# save/patch/restore), so gen_mfspr/gen_mtspr raise a Program interrupt instead
# and emu.privileged emulates the instruction from the register table.  In
# Unicorn SPR_NOACCESS is the address of a function (`&spr_noaccess`), read here
# from LPCR's problem-state callbacks, which every QEMU model sets to it.
_SPR_CB_SIZE = 64          # ppc_spr_t: 6 callbacks, name, default_value (no KVM)
_SPR_CB_NAME = 48          # offset of `name` in ppc_spr_t
_spr_cb_offset = None      # offset of env->spr_cb in a context blob (per library build)


def _spr_name_at(blob: bytes, off: int, ranges) -> bytes | None:
    p = int.from_bytes(blob[off:off + 8], "little")
    if not any(lo <= p < hi - 16 for lo, hi in ranges):
        return None
    return ctypes.string_at(p, 16).split(b"\0")[0]


def _find_spr_cb(blob: bytes) -> int:
    """Locate env->spr_cb in a context blob by the names Unicorn gives SPRs 309
    (PURR), 318 (LPCR) and 268 (TBL)."""
    ranges = _mappings(lambda perms, path: perms.startswith("r") and "unicorn" in path)
    for off in range(0, len(blob) - 8, 8):
        if _spr_name_at(blob, off, ranges) == b"LPCR":
            base = off - _SPR_CB_NAME - 318 * _SPR_CB_SIZE
            if base >= 0 and all(_spr_name_at(blob, base + n * _SPR_CB_SIZE + _SPR_CB_NAME,
                                              ranges) == name
                                 for n, name in ((309, b"PURR"), (268, b"TBL"))):
                return base
    raise RuntimeError("unsupported libunicorn build: cannot find its SPR table "
                       "(ppcvec needs Unicorn 2.1.4)")


def trap_all_sprs(uc) -> None:
    """Make every problem-state mfspr/mtspr except NATIVE_SPRS trap (see above)."""
    global _spr_cb_offset
    ctx = uc.context_save()
    blob = bytearray(bytes(ctx))
    if _spr_cb_offset is None:
        _spr_cb_offset = _find_spr_cb(bytes(blob))
    lpcr = _spr_cb_offset + 318 * _SPR_CB_SIZE
    noaccess = blob[lpcr:lpcr + 8]
    if noaccess != blob[lpcr + 8:lpcr + 16] or noaccess != blob[lpcr + 16:lpcr + 24]:
        raise RuntimeError("unsupported libunicorn build: LPCR is not SPR_NOACCESS in problem state")
    for n in range(1024):
        if n in NATIVE_SPRS:
            continue
        entry = _spr_cb_offset + n * _SPR_CB_SIZE
        for off in (entry, entry + 8):               # uea_read, uea_write
            if any(blob[off:off + 8]):               # NULL: undefined SPR, traps already
                blob[off:off + 8] = noaccess
    patched = UcContext.__new__(UcContext)
    patched.__setstate__((bytes(blob), ctx.size, ctx.arch, ctx.mode))
    uc.context_restore(patched)


class SliceResult:
    __slots__ = ("reason", "pc", "executed", "fault_access", "fault_pa", "fault_size", "error")

    def __init__(self, reason, pc, executed, fault_access=None, fault_pa=None, fault_size=0,
                 error=None):
        self.reason = reason          # "limit", "stopped", "fault", "error"
        self.pc = pc
        self.executed = executed
        self.fault_access = fault_access
        self.fault_pa = fault_pa
        self.fault_size = fault_size
        self.error = error


class UnicornCore:
    """Execution core of one hardware thread."""

    def __init__(self, ram, cpu):
        self.cpu = cpu
        self.ram = ram
        uc = Uc(UC_ARCH_PPC, UC_MODE_PPC64 | UC_MODE_BIG_ENDIAN)  # default model: POWER10
        uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)
        uc.mem_map_ptr(0, ram.size, UC_PROT_ALL, ram.address)
        trap_all_sprs(uc)
        self.uc = uc
        self._cpu_state = _find_cpu_state(uc) if _TLB_FLUSH_PAGE is not None else None
        self._fault_pages = [UNTIL_PAGE]   # index -> page EA
        self._fault_index = {UNTIL_PAGE: 0}  # page EA -> index (one entry per page: no growth per exit)
        self._tlb_stale = False       # flush the TLB before the next run (flush_tlb_before_next_run)
        self._stale_pages = []        # (first, last) page ranges to flush before the next run
        self._fills = 0               # TLB fills since the last flush (tlb_thrashing)
        self._fill_pages = set()      # the distinct pages they filled
        self._code_pages = set()      # real pages code was fetched from (_unicorn_prot)
        self._data_pages = set()      # real pages mapped without execute since the last flush
        self._unmapped = None         # (access, pa, size) of the last unmapped access
        self._pending_exc = None      # exception raised inside a hook
        self._fault_ctx = None        # CPU state at the first failing data access
        self._stop_requested = False
        # The interrupt hook is registered directly with libunicorn (not through the
        # binding's wrapper layers): it runs on every trap.
        lib = _uclib()
        self._intr_cb = _INTR_CB(self._hook_intr_raw)
        h = ctypes.c_size_t()
        err = lib.uc_hook_add(uc._uch, ctypes.byref(h), UC_HOOK_INTR,
                              ctypes.cast(self._intr_cb, ctypes.c_void_p), None, 1, 0)
        if err:
            raise UcError(err)
        self._intr_hook = h
        self._exits = []              # breakpoint addresses (Unicorn exits), sorted
        self._stepped = False         # the translated blocks come from single steps
        self.counter = _Counter(0, 0, 0, 0, 0, None, 0, 1, 0, 0, FAULT_BASE)
        self.exact_count = _COUNTER_LIB is not None
        if self.exact_count:
            lib = _uclib()
            # registered before the Python fill hook: Unicorn asks the hooks in order
            fn = ctypes.cast(_COUNTER_LIB.ppcvec_fill_never, ctypes.c_void_p).value
            h = ctypes.c_size_t()
            err = lib.uc_hook_add(uc._uch, ctypes.byref(h), UC_HOOK_TLB_FILL, fn,
                                  ctypes.cast(ctypes.pointer(self.counter), ctypes.c_void_p),
                                  UNTIL_PAGE, UNTIL_NEVER)
            if err:
                raise UcError(err)
            self._never_hook = h
            self.counter.stop = ctypes.cast(lib.uc_emu_stop, ctypes.c_void_p).value
            fn = ctypes.cast(_COUNTER_LIB.ppcvec_count_block, ctypes.c_void_p).value
            h = ctypes.c_size_t()
            err = lib.uc_hook_add(uc._uch, ctypes.byref(h), UC_HOOK_BLOCK, fn,
                                  ctypes.cast(ctypes.pointer(self.counter), ctypes.c_void_p),
                                  1, 0)
            if err:
                raise UcError(err)
            self._counter_hook = h
        # the Python fill hook, directly with libunicorn too (a fill per page after
        # every TLB flush: kvm-unit-tests' mmu makes 1.6 M)
        self._fill_cb = HOOK_TLB_FILL_CFUNC(self._hook_tlb_fill)
        h = ctypes.c_size_t()
        err = _uclib().uc_hook_add(uc._uch, ctypes.byref(h), UC_HOOK_TLB_FILL,
                                   ctypes.cast(self._fill_cb, ctypes.c_void_p), None, 1, 0)
        if err:
            raise UcError(err)
        self._fill_hook = h
        # Bound to what lies above RAM (the fault range): Unicorn 2.1.4 keeps
        # every store to a page with a memory hook in range on its slow path
        # (cputlb.c notdirty_write, uc_mem_hook_installed), unbound hooks
        # included, 15x slower.
        uc.hook_add(UC_HOOK_MEM_UNMAPPED, self._hook_unmapped, begin=ram.size,
                    end=0xFFFFFFFFFFFFFFFF)
        ram.code_write_listeners.append(self.invalidate_code)
        self._real_msr = None
        # Direct libunicorn register access: the Python binding's reg_read/reg_write
        # cost ~2 us each, which dominated the cost of a trap.
        lib = _uclib()
        self._uch = uc._uch
        self._c_read = lib.uc_reg_read
        self._c_write = lib.uc_reg_write
        self._rbuf = ctypes.c_uint64()
        self._rptr = ctypes.addressof(self._rbuf)
        self._wbuf = ctypes.c_uint64()
        self._wptr = ctypes.addressof(self._wbuf)
        self._c_write_batch = lib.uc_reg_write_batch
        self._lrctr_regs = (ctypes.c_int * 2)(UC_PPC_REG_LR, UC_PPC_REG_CTR)
        self._lrctr_vals = (ctypes.c_uint64 * 2)()
        self._lrctr_ptrs = (ctypes.c_void_p * 2)(ctypes.addressof(self._lrctr_vals),
                                                 ctypes.addressof(self._lrctr_vals) + 8)

    def _read(self, reg: int) -> int:
        if self._c_read(self._uch, reg, self._rptr):
            raise UcError(1)
        return self._rbuf.value

    def _write(self, reg: int, value: int) -> None:
        self._wbuf.value = value
        if self._c_write(self._uch, reg, self._wptr):
            raise UcError(1)

    # ---------------------------------------------------------- registers
    def gpr(self, n: int) -> int:
        return self._read(UC_PPC_REG_0 + n)

    def set_gpr(self, n: int, v: int) -> None:
        self._write(UC_PPC_REG_0 + n, v & 0xFFFFFFFFFFFFFFFF)

    def gprs(self) -> list:
        r = self._read
        return [r(UC_PPC_REG_0 + i) for i in range(32)]

    def get_lr(self) -> int:
        return self._read(UC_PPC_REG_LR)

    def set_lr(self, v: int) -> None:
        self._write(UC_PPC_REG_LR, v & 0xFFFFFFFFFFFFFFFF)

    def set_lr_ctr(self, lr: int, ctr: int) -> None:
        """Both at once (one call into libunicorn): what scv delivery writes."""
        self._lrctr_vals[0] = lr & 0xFFFFFFFFFFFFFFFF
        self._lrctr_vals[1] = ctr & 0xFFFFFFFFFFFFFFFF
        if self._c_write_batch(self._uch, self._lrctr_regs, self._lrctr_ptrs, 2):
            raise UcError(1)

    def get_ctr(self) -> int:
        return self._read(UC_PPC_REG_CTR)

    def set_ctr(self, v: int) -> None:
        self._write(UC_PPC_REG_CTR, v & 0xFFFFFFFFFFFFFFFF)

    def get_cr(self) -> int:
        return self.uc.reg_read(UC_PPC_REG_CR)

    def set_cr(self, v: int) -> None:
        self.uc.reg_write(UC_PPC_REG_CR, v)

    def get_xer(self) -> int:
        return self.uc.reg_read(UC_PPC_REG_XER)

    def set_xer(self, v: int) -> None:
        self.uc.reg_write(UC_PPC_REG_XER, v)

    def get_pc(self) -> int:
        return self._read(UC_PPC_REG_PC)

    def set_pc(self, v: int) -> None:
        self._write(UC_PPC_REG_PC, v)

    def fpr(self, n: int) -> int:
        """FPR n as its 64-bit image (debuggers)."""
        return self.uc.reg_read(UC_PPC_REG_FPR0 + n)

    def set_fpr(self, n: int, v: int) -> None:
        self.uc.reg_write(UC_PPC_REG_FPR0 + n, v & 0xFFFFFFFFFFFFFFFF)

    def get_fpscr(self) -> int:
        return self.uc.reg_read(UC_PPC_REG_FPSCR)

    def set_fpscr(self, v: int) -> None:
        self.uc.reg_write(UC_PPC_REG_FPSCR, v & 0xFFFFFFFF)

    def sync_msr(self, arch_msr: int) -> None:
        """Mirror the architected MSR into Unicorn's (always in problem state)."""
        real = (arch_msr & REAL_MSR_MIRROR) | MSR_PR
        if real != self._real_msr:
            self._real_msr = real
            self._write(UC_PPC_REG_MSR, real)

    # ---------------------------------------------------------- caches
    def flush_tlb(self) -> None:
        self._stale_pages.clear()
        self._fills = 0
        self._fill_pages.clear()
        self._data_pages.clear()
        del self._fault_pages[1:]
        self._fault_index.clear()
        self._fault_index[UNTIL_PAGE] = 0
        self.uc.ctl(UC_CTL_TLB_FLUSH, UC_CTL_IO_WRITE)

    def filled_any(self, first: int, last: int) -> bool:
        """Whether Unicorn's TLB may hold a translation of a 4 KiB EA page in
        [first, last) (page numbers): it was filled since the last flush.  A tlbie
        of a page nobody touched then needs no flush (kvm-unit-tests' mmu: the
        thread that remaps a page it never reads)."""
        fp = self._fill_pages
        if last - first <= len(fp):
            return any(p in fp for p in range(first, last))
        return any(first <= p < last for p in fp)

    def flush_tlb_pages(self, first: int, last: int) -> None:
        """Drop Unicorn's translations of the 4 KiB EA pages in [first, last) (page
        numbers), a radix tlbie/tlbiel of one page: only the pages this core
        filled since its last flush, each with QEMU's tlb_flush_page, so the
        core refills that page alone (the whole TLB when that is not available
        or the range is larger than PAGE_FLUSH_MAX pages)."""
        if self._cpu_state is None or last - first > PAGE_FLUSH_MAX:
            if self.filled_any(first, last):
                self.flush_tlb()
            return
        fp = self._fill_pages
        pages = range(first, last) if last - first <= len(fp) else \
            [p for p in fp if first <= p < last]
        for p in pages:
            if p in fp:
                fp.discard(p)
                self._fills -= 1      # a refill after an invalidation is not thrashing
                _TLB_FLUSH_PAGE(self._cpu_state, p << 12)

    def tlb_thrashing(self) -> bool:
        """Unicorn's TLB refills pages it held before: it is smaller than the working
        set.  Its size is QEMU's dynamic one (accel/tcg/cputlb.c
        tlb_mmu_resize_locked: 256 entries to start, doubled at a flush when more
        than 70% are in use, up to 2^22) and changes only when it is flushed, so a
        thrashing TLB is flushed to let it grow.  Without it a working set larger
        than 256 pages (kvm-unit-tests' sieve: 100 MB) is refilled through Python
        forever.  The flush costs at most what the refills were costing already."""
        return self._fills >= TLB_THRASH_FILLS and self._fills >= 2 * len(self._fill_pages)

    def flush_tlb_before_next_run(self, pages: tuple[int, int] | None = None) -> None:
        """Another thread's tlbie: this core is not running (the threads run in
        turn), so its TLB is flushed once, when it next runs, however many tlbie
        came in between; `pages` (first, last): only those (`flush_tlb_pages`)."""
        if self._tlb_stale:
            return
        if pages is None or self._cpu_state is None or len(self._stale_pages) >= PAGE_FLUSH_MAX:
            self._tlb_stale = True
        else:
            self._stale_pages.append(pages)

    def _reserve_addr(self):
        """(saved context, its reserve_addr as a ctypes c_uint64)."""
        ctx = self.uc.context_save()
        at = ctypes.cast(ctx.context, ctypes.c_void_p).value + CONTEXT_RESERVE_ADDR
        return ctx, ctypes.c_uint64.from_address(at)

    def reservation(self) -> int | None:
        """The real address the thread holds a reservation on (lwarx & co.), or None."""
        _, field = self._reserve_addr()
        return None if field.value == NO_RESERVATION else field.value

    def clear_reservation(self) -> None:
        """Lose the reservation, as a migrated partition does (QEMU does not
        migrate reserve_addr; the next stcx. fails)."""
        ctx, field = self._reserve_addr()
        field.value = NO_RESERVATION
        self.uc.context_restore(ctx)

    def invalidate_code(self, pa: int, length: int) -> None:
        """Drop translated code after Python wrote memory (Unicorn does not)."""
        # Translated blocks are looked up by physical page after a TLB flush.
        self.uc.ctl_remove_cache(pa & PAGE_MASK, (pa + length + 0xFFF) & PAGE_MASK)
        self.flush_tlb()

    # ---------------------------------------------------------- hooks
    def _hook_intr_raw(self, _uch, intno, _data):
        uc = self.uc
        try:
            # Unicorn reports the faulting instruction + 4
            if self._c_read(self._uch, UC_PPC_REG_PC, self._rptr):
                raise UcError(1)
            reported = self._rbuf.value
            x = reported - 4
            if self._unmapped is not None:
                # an earlier instruction of this block faulted and Unicorn ran on
                # (see _hook_unmapped): this trap did not happen
                uc.emu_stop()
                return
            new_pc = self.cpu.on_trap(_TRAP_KIND.get(intno, "other"), x)
            if new_pc is None:
                self._stop_requested = True
                uc.emu_stop()
            else:
                if new_pc != reported:
                    # Unicorn goes on at the reported PC (x + 4, the next
                    # instruction of an emulated one) by itself; writing PC also
                    # breaks out of cpu_exec (uc.c uc_reg_write: quit_request,
                    # break_translation_loop), a cost per trap worth skipping
                    self._wbuf.value = new_pc
                    self._c_write(self._uch, UC_PPC_REG_PC, self._wptr)
                if self._stop_requested:
                    uc.emu_stop()
        except BaseException as e:  # never let an exception die inside a C callback
            self._pending_exc = e
            uc.emu_stop()

    def _unicorn_prot(self, page: int, pa_page: int, access: int, perms: int) -> int:
        """Unicorn's rights for a TLB entry: a page's data mapping has no execute
        unless code ran from the real page.

        Unicorn 2.1.4 sends every store through its slow path (cputlb.c
        notdirty_write, 15x slower) while the TLB entry also maps code
        (addr_code != -1): only then does it invalidate translated code.  So a
        page that never held code is mapped for data without execute, and its
        stores run at full speed after the first.  A fetch from it misses and
        refills the entry with all rights; from then on the real page is code
        and every data mapping of it keeps execute, so stores to code always
        invalidate it.  A fast mapping under another address (an alias written
        before the page was first run) would miss that: the first fetch from a
        real page mapped for data flushes the TLB."""
        if access == UC_MEM_FETCH:
            if pa_page not in self._code_pages:
                self._code_pages.add(pa_page)
                if pa_page in self._data_pages:
                    self.flush_tlb()
            return _PROT_TABLE[perms]
        if pa_page in self._code_pages:
            return _PROT_TABLE[perms]
        self._data_pages.add(pa_page)
        return _DATA_PROT_TABLE[perms]

    def _hook_tlb_fill(self, _uch, vaddr, access, entry_p, _data):
        self._fills += 1
        self._fill_pages.add(vaddr >> 12)
        entry = entry_p[0]
        try:
            res = self.cpu.translate(vaddr, _ACCESS.get(access, "read"))
            if isinstance(res, tuple):
                pa, perms = res
                if 0 <= pa < self.ram.size:
                    entry.paddr = pa & PAGE_MASK
                    entry.perms = self._unicorn_prot(vaddr >> 12, pa >> 12, access, perms)
                    return True
            # a fault, or a real address outside RAM: route the page to the fault range
            page = vaddr & PAGE_MASK
            idx = self._fault_index.get(page)
            if idx is None:
                idx = self._fault_index[page] = len(self._fault_pages)
                self._fault_pages.append(page)
            entry.paddr = FAULT_BASE + (idx << 12)
            entry.perms = UC_PROT_ALL
            return True
        except BaseException as e:
            self._pending_exc = e
            self.uc.emu_stop()
            entry.paddr = FAULT_BASE
            entry.perms = UC_PROT_ALL
            return True

    def _hook_unmapped(self, uc, access, address, size, value, _data):
        """An access to a faulting page (or outside RAM).  Unicorn only requests
        a stop: an instruction implemented by a helper (dcbz, the string and
        multiple instructions, icbi, ...) goes on with its other accesses and the
        translated block with the next instructions until the next memory access
        or block end.  The CPU state at the first failing access (its PC is the
        faulting instruction: Unicorn syncs it before every memory access) is
        saved here and restored when the slice ends (`run`), so nothing after
        the faulting instruction takes effect."""
        if self._unmapped is None:
            self._unmapped = (access, address, size)
            if access != UC_MEM_FETCH_UNMAPPED:
                self._fault_ctx = uc.context_save()
        return False

    def stale_fault(self, ea: int) -> None:
        """A faulting access whose translation is valid: drop the cached entries.
        A fetch from the last page (UNTIL_PAGE) that comes here is real code
        there: stop answering its fetches with the fault mapping
        (_counter.c ppcvec_fill_never)."""
        if ea & PAGE_MASK == UNTIL_PAGE:
            self.counter.never_real = 1
        self.flush_tlb()

    def fault_ea(self, pa: int) -> int | None:
        if pa is None or pa < FAULT_BASE:
            return None
        idx = (pa - FAULT_BASE) >> 12
        if idx >= len(self._fault_pages):
            return None
        return self._fault_pages[idx] | (pa & 0xFFF)

    def request_stop(self) -> None:
        """Stop the running slice as soon as possible (from a hook, an event
        listener or another thread)."""
        self._stop_requested = True
        try:
            self.uc.emu_stop()
        except UcError:
            pass

    # ---------------------------------------------------------- breakpoints
    def set_exits(self, addrs) -> None:
        """Stop before executing any of `addrs` (Unicorn exits: no per-instruction cost).
        An empty set turns them off.  Translated blocks are flushed so the new
        exits take effect."""
        addrs = sorted(set(addrs))
        if addrs == self._exits:
            return
        self._exits = addrs
        if addrs:
            self.uc.ctl_exits_enabled(True)
            self.uc.ctl_set_exits(addrs)
        else:
            self.uc.ctl_exits_enabled(False)
        self.uc.ctl_flush_tb()

    def step(self, pc: int) -> SliceResult:
        """Execute exactly one instruction (an interrupt it raises is delivered
        within the step, so the PC after it is the handler's first instruction)."""
        exits = self._exits
        if exits:
            self.uc.ctl_exits_enabled(False)
            self.uc.ctl_flush_tb()
        elif not self._stepped:
            # blocks translated by a plain run carry no instruction-count
            # instrumentation: a step through them would not stop after one
            self.uc.ctl_flush_tb()
        self._stepped = True
        try:
            return self.run(pc, 1 << 62, count=1)
        finally:
            if exits:
                self.uc.ctl_exits_enabled(True)
                self.uc.ctl_set_exits(exits)
                self.uc.ctl_flush_tb()

    # ---------------------------------------------------------- running
    def run(self, pc: int, limit: int, count: int = 0, exact: bool = False) -> SliceResult:
        """Run from `pc` until `limit` instructions have started (at a block
        boundary), a hook stops the core, or an access faults.  `exact`: never
        start a block that would pass `limit` (fewer may run; none when the
        first block is longer than `limit`)."""
        if not count:
            self._stepped = False
        if self._tlb_stale or self.tlb_thrashing():
            self._tlb_stale = False
            self.flush_tlb()
        elif self._stale_pages:
            for first, last in self._stale_pages:
                self.flush_tlb_pages(first, last)
            self._stale_pages.clear()
        c = self.counter
        c.count = 0
        c.limit = limit
        c.exact = 1 if exact and not count else 0
        c.stopped = 0
        c.last_addr = 1
        c.last_size = 0
        self._unmapped = None
        self._fault_ctx = None
        self._pending_exc = None
        self._stop_requested = False
        err = None
        while True:
            c.selfloop = 0
            c.stopped = 0
            try:
                if count:
                    self.uc.emu_start(pc, UNTIL_NEVER, count=count)
                elif self.exact_count:
                    self.uc.emu_start(pc, UNTIL_NEVER)
                else:
                    self.uc.emu_start(pc, UNTIL_NEVER, count=limit)
            except UcError as e:
                err = e
            if not c.selfloop or self._pending_exc is not None or count:
                break
            pc = self.get_pc()
            if self.cpu.is_branch_to_self(pc):
                return SliceResult("idle", pc, c.count)
            c.ignore_addr = pc        # a terminating one-instruction loop: let it run
        if self._pending_exc is not None:
            e, self._pending_exc = self._pending_exc, None
            raise e
        pc_now = self.get_pc()
        executed = c.count if self.exact_count else limit
        if count:   # single step: the instruction counts once, unless its fetch faulted
            executed = 0 if (self._unmapped is not None
                             and self._unmapped[0] == UC_MEM_FETCH_UNMAPPED) else 1
        if err is not None and self._unmapped is not None:
            access, pa, size = self._unmapped
            if self._fault_ctx is not None:
                ctx, self._fault_ctx = self._fault_ctx, None
                self.uc.context_restore(ctx)       # undo what ran after the faulting access
                self._real_msr = None
                self.sync_msr(self.cpu.state.msr)
                pc_now = self.get_pc()             # the faulting instruction (synced for the access)
            if access == UC_MEM_FETCH_UNMAPPED:
                acc = "fetch"
            elif access == UC_MEM_WRITE_UNMAPPED:
                acc = "write"
            else:
                acc = "read"
            if acc != "fetch" and self.exact_count and c.last_size and not count:
                end = c.last_addr + c.last_size
                if c.last_addr <= pc_now < end:
                    executed -= (end - (pc_now + 4)) >> 2
            return SliceResult("fault", pc_now, executed, acc, pa, size)
        if err is not None:
            return SliceResult("error", pc_now, executed, error=err)
        if self._stop_requested:
            return SliceResult("stopped", pc_now, executed)
        if not count and c.count < limit and pc_now in self._exits:
            return SliceResult("breakpoint", pc_now, executed)
        return SliceResult("limit", pc_now, executed)
