"""The architected MMU: radix or hash translation, SLB instructions, TLB
invalidation and a per-thread translation cache.

  * `uses_radix`        — which translation a thread uses: radix when the model
                          has it and LPCR[HR]=1 (ISA v3.0 III 2.2 "LPCR HR"), else
                          hash (always on POWER8).
  * `ArchitectedMmu.translate` — the TLB-fill hook's question (emu.cpu.Cpu.translate
                          calls it only with MSR[IR] / MSR[DR] = 1).
  * `ArchitectedMmu.instruction` — slbmte/slbie/slbia/slbmfee/slbmfev/slbfee./
                          tlbie/tlbiel after emu.privileged's privilege checks.

Cache: successful translations are remembered per thread, per translation
context (emu.mmu.translation_key: MSR IR/DR/HV/PR, LPCR, PIDR, LPIDR, PTCR,
SDR1, HRMOR) and per (4 KiB page, access).  This is the architecture's TLB/ERAT:
software must invalidate with tlbie/tlbiel/slbie/slbia after changing a valid
PTE or SLB entry, and those instructions empty it (tlbie on every thread, it is
broadcast).  Faults are never cached (an invalid entry is never cached by
hardware either), so a handler that fixes a PTE needs no tlbie.  See docs/mmu.md.
"""
from __future__ import annotations

from .bits import LPCR_HR, SRR1_PROGILL
from .mmu import FETCH, WRITE, IdentityMmu, translation_key
from .mmu_hash import SLB_SIZE, slb_entries, slb_entry_from_slbmte, slb_lookup, slbia, slbie
from .mmu_hash import translate_hash
from .mmu_radix import translate_radix
from .privileged import program

_ACCESS_CODE = {FETCH: 0, "read": 1, WRITE: 2}
MAX_CONTEXTS = 64          # cached translation contexts per thread before starting over
MAX_PAGES = 1 << 16        # cached pages per context before starting over
CR0_EQ = 0x20000000
CR0_MASK = 0xF0000000
XER_SO = 0x80000000


def uses_radix(model, state) -> bool:
    """Radix when the processor has it and LPCR[HR]=1 (ISA v3.0 III 2.2);
    POWER8 is always hash."""
    return model.radix and bool(state.lpcr & LPCR_HR)


def isa300(model) -> bool:
    """ISA v3.0 and later: HPT located by the partition table, v3.0 HPTE layout,
    slbia IH=3/4/7."""
    return model.isa != "2.07"


class ArchitectedMmu:
    name = "architected"

    def __init__(self):
        # cpu index -> {translation key -> {4 KiB page: [fetch, read, write] (pa_page, perms) or None}}
        self._caches = {}
        self.walks = 0          # translations computed (not from the cache): for benchmarks
        self._pcache = {}       # radix partition-scoped translations (emu.mmu_radix)

    # ------------------------------------------------------------ translation
    def translate(self, cpu, ea: int, access: str):
        st = cpu.state
        key = translation_key(st)
        per_cpu = self._caches.get(cpu.index)
        if per_cpu is None:
            per_cpu = self._caches[cpu.index] = {}
        pages = per_cpu.get(key)
        if pages is None:
            if len(per_cpu) >= MAX_CONTEXTS:
                per_cpu.clear()
            pages = per_cpu[key] = {}
        page = ea >> 12
        code = _ACCESS_CODE[access]
        entry = pages.get(page)
        if entry is not None:
            hit = entry[code]
            if hit is not None:
                return hit[0] | (ea & 0xFFF), hit[1]
        self.walks += 1
        model = cpu.model
        ram = cpu.machine.ram
        if uses_radix(model, st):
            res = translate_radix(ram, st, ea, access, self._pcache)
        else:
            hyp_hpt = getattr(cpu.machine.hypervisor, "hpt", None)
            res = translate_hash(ram, st, ea, access, isa300(model),
                                 None if hyp_hpt is None else (hyp_hpt, hyp_hpt.pteg_mask))
        if isinstance(res, tuple):
            if entry is None:
                if len(pages) >= MAX_PAGES:
                    pages.clear()
                entry = pages[page] = [None, None, None]
            entry[code] = (res[0] & ~0xFFF, res[1])
        return res

    def invalidate(self, cpu, what: str) -> bool:
        """Forget this thread's cached translations (an SLB or TLB instruction,
        or emu.cpu asking); true: the execution core's TLB must be flushed too.
        tlbie/tlbiel did their own (possibly single-page) invalidation, flush
        included, in `instruction`."""
        if what in ("tlbie", "tlbiel"):
            return False
        self._caches.pop(cpu.index, None)
        self._pcache.clear()
        return True

    def invalidate_page(self, cpus, ea: int, size: int, issuer=None) -> None:
        """Forget the cached translations of the `size`-byte page at `ea` on these
        threads, in every translation context (a radix tlbie/tlbiel with IS=0)."""
        first = (ea & ~(size - 1)) >> 12
        last = first + (size >> 12)
        npages = size >> 12
        for c in cpus:
            per_cpu = self._caches.get(c.index)
            if per_cpu is None:
                continue
            for pages in per_cpu.values():
                if len(pages) <= npages:     # fewer cached pages than pages to try
                    for p in [p for p in pages if first <= p < last]:
                        del pages[p]
                else:
                    for p in range(first, last):
                        pages.pop(p, None)
        self._flush_unicorn(cpus, issuer, (first, last))   # those pages alone

    @staticmethod
    def _flush_unicorn(cpus, issuer, pages=None) -> None:
        """Flush the execution cores' TLBs (`pages` (first, last): only those): the
        issuing thread's now (it is the one running), the others' before they
        next run (the threads run in turn)."""
        for c in cpus:
            if issuer is not None and c is not issuer:
                c.core.flush_tlb_before_next_run(pages)
            elif pages is None:
                c.core.flush_tlb()
            else:
                c.core.flush_tlb_pages(*pages)

    def invalidate_all(self, machine) -> None:
        """tlbie is broadcast: every thread forgets, and its Unicorn TLB is flushed."""
        self._caches.clear()
        self._pcache.clear()
        for c in machine.cpus:
            c.core.flush_tlb()

    # ------------------------------------------------------------ instructions
    def instruction(self, cpu, op: str, addr: int, insn: int) -> None:
        st = cpu.state
        rt = (insn >> 21) & 31          # also RS (slbmte) and IH (slbia, low 3 bits)
        rb = (insn >> 11) & 31
        if op == "slbmte":
            index, esid, vsid = slb_entry_from_slbmte(cpu.gpr(rt), cpu.gpr(rb))
            if index >= SLB_SIZE:
                raise _program_invalid(addr, insn, f"slbmte: SLB index {index} >= {SLB_SIZE}")
            slb_entries(st)[index] = (esid, vsid)
        elif op == "slbie":
            slbie(st, cpu.gpr(rb))
        elif op == "slbia":
            slbia(st, rt & 7, isa300(cpu.model))
        elif op in ("slbmfee", "slbmfev"):
            index = cpu.gpr(rb) & 0xFFF
            if index >= SLB_SIZE:
                raise _program_invalid(addr, insn, f"{op}: SLB index {index} >= {SLB_SIZE}")
            esid, vsid = slb_entries(st)[index]
            cpu.set_gpr(rt, esid if op == "slbmfee" else vsid)
        elif op == "slbfee":
            ent = slb_lookup(st, cpu.gpr(rb))
            so = CR0_EQ >> 1 if cpu.core.get_xer() & XER_SO else 0
            cr = cpu.core.get_cr() & ~CR0_MASK & 0xFFFFFFFF
            if ent is None:
                cpu.set_gpr(rt, 0)
                cpu.core.set_cr(cr | so)
            else:
                cpu.set_gpr(rt, ent[1])
                cpu.core.set_cr(cr | CR0_EQ | so)
        elif op in ("tlbie", "tlbiel"):
            cpus = cpu.machine.cpus if op == "tlbie" else [cpu]
            for c in cpus:          # what each thread decodes its traps from, too
                c.forget_fetch_translations()
            rb_value = cpu.gpr(rb)
            size = radix_single_page(insn, rb_value) if uses_radix(cpu.model, st) else None
            if not (insn >> 17) & 1:
                # PRS=0 (partition-scoped): RB is a guest real address, and any EA
                # translated through that page may be cached here: forget it all
                size = None
            if size is None:
                self._pcache.clear()
                for c in cpus:
                    self._caches.pop(c.index, None)
                self._flush_unicorn(cpus, cpu)
            else:
                self.invalidate_page(cpus, rb_value & ~0xFFF, size, cpu)
        # tlbiel and the SLB instructions: this thread only (machine.mmu_instruction
        # then calls invalidate() and flushes this thread's Unicorn TLB)


# radix tlbie/tlbiel RB[56:58] AP -> page size (ISA v3.0 III 6.7.3, "Radix page sizes")
RADIX_AP_SIZE = {0: 1 << 12, 5: 1 << 16, 1: 1 << 21, 2: 1 << 30}


def radix_single_page(insn: int, rb: int) -> int | None:
    """The page size a radix tlbie/tlbiel invalidates when it names one page:
    RIC=0 (TLB only), R=1 (radix), IS=0 (RB[52:53]: the page at RB[0:51]); None
    when it invalidates more (Power ISA v3.0B Book III 5.10.1 tlbie, "IS field")."""
    ric, r = (insn >> 18) & 3, (insn >> 16) & 1
    is_ = (rb >> 10) & 3
    if ric or not r or is_:
        return None
    return RADIX_AP_SIZE.get((rb >> 5) & 7)


def _program_invalid(addr, insn, reason):
    """An invalid form (QEMU raises Program with POWERPC_EXCP_INVAL; SRR1 bit 44)."""
    return program(addr, insn, SRR1_PROGILL, reason)


def make_mmu(mode: str):
    """The translation of a machine: "architected" (radix and hash, as the ISA
    says) or "identity" (a test convenience: translation on = real mode)."""
    if mode == "identity":
        return IdentityMmu()
    if mode == "architected":
        return ArchitectedMmu()
    raise ValueError(f"unknown MMU mode {mode!r} (identity, architected)")
