"""Radix translation (Power ISA v3.0B/v3.1 Book III 6.7.10-6.7.11, LPCR[HR]=1).

One function per architectural step, each naming its source:
  * `fully_qualified_address` — quadrant -> (LPID, PID), segment check (ISA III
    6.7.10.1 "Effective address space" and Figure "Quadrants"; QEMU
    ppc_radix64_get_fully_qualified_addr).
  * `partition_table_entry`   — PTCR -> PATE (ISA III 6.7.6 "Partition Table";
    QEMU ppc64_v3_get_pate).
  * `walk_tree`               — RTS/RPDB/RPDS, NLB/NLS, leaf (ISA III 6.7.10.2
    "Radix Tree Translation"; QEMU ppc_radix64_walk_tree).
  * `leaf_protection`         — EAA privilege/read/write/execute, ATT=I/O no fetch
    (ISA III 6.7.10.3 "Storage protection"; QEMU ppc_radix64_check_prot).
  * `update_rc`               — Reference and Change set by hardware (ISA III
    6.7.12 "Reference and Change Recording").
  * `translate_radix`         — process-scoped then, for guests (MSR[HV]=0, or HV
    access to quadrants 1/2), partition-scoped translation (ISA III 6.7.10).

Returns (real_address, perms) or a `Fault`.  Deliberate choice: R/C are updated
in memory (as POWER9 hardware does); QEMU 7.2 instead updates them itself too
(ppc_radix64_set_rc), so both agree.
"""
from __future__ import annotations

from .bits import MSR_HV, MSR_PR
from .mmu import FETCH, PROT_EXEC, PROT_READ, PROT_WRITE, WRITE, Fault

# PTCR (SPR 464)
PTCR_PATB = 0x0FFFFFFFFFFFF000
PTCR_PATS = 0x1F
# Partition table entry
PATE0_HR = 1 << 63
PATE1_R_PRTB = 0x0FFFFFFFFFFFF000
PATE1_R_PRTS = 0x1F
# Radix root/directory words (PATE dword0, PRTE dword0, PDEs)
R_RTS1 = 0x6000000000000000      # bits 1:2
R_RPDB = 0x0FFFFFFFFFFFFF00      # bits 4:55 (also NLB)
R_RTS2 = 0x00000000000000E0      # bits 56:58
R_RPDS = 0x1F                    # bits 59:63 (also NLS)
# Radix PTE / PDE
R_PTE_VALID = 1 << 63
R_PTE_LEAF = 1 << 62
R_PTE_RPN = 0x01FFFFFFFFFFF000
R_PTE_R = 0x100
R_PTE_C = 0x80
R_PTE_ATT = 0x30
R_PTE_ATT_NI_IO = 0x20
R_PTE_EAA_PRIV = 0x8
R_PTE_EAA_R = 0x4
R_PTE_EAA_RW = 0x2
R_PTE_EAA_X = 0x1
# EA
R_EADDR_VALID_MASK = 0xC00FFFFFFFFFFFFF   # EA(2:11) must be 0
R_EADDR_MASK = 0x3FFFFFFFFFFFFFFF
# Fault causes (DSISR / SRR1 bit positions are shared)
DSISR_NOPTE = 0x40000000
DSISR_PROTFAULT = 0x08000000
SRR1_NOEXEC_GUARD = 0x10000000
DSISR_R_BADCONFIG = 0x00080000
DSISR_PRTABLE_FAULT = 0x00020000

_NEED = {FETCH: PROT_EXEC, "read": PROT_READ, WRITE: PROT_WRITE}


class _PartitionFault(Exception):
    """Partition-scoped translation failed: HDSI/HISI with ASDR = guest real address."""

    def __init__(self, cause: int, g_raddr: int, walk: bool, reason: str):
        super().__init__(reason)
        self.cause, self.g_raddr, self.walk, self.reason = cause, g_raddr, walk, reason


def rts_of(word: int) -> int:
    """Radix Tree Size = RTS1||RTS2 + 31 address bits (ISA III 6.7.6)."""
    return ((((word & R_RTS1) >> 61) << 3) | ((word & R_RTS2) >> 5)) + 31


def fully_qualified_address(state, ea: int):
    """(lpid, pid, quadrant) for `ea`, or None when a segment interrupt is due:
    EA(2:11) nonzero, or a guest (MSR[HV]=0) using quadrant 1 or 2 (ISA III
    6.7.10.1)."""
    if ea & ~R_EADDR_VALID_MASK:
        return None
    q = ea >> 62
    if state.msr & MSR_HV:
        return ((0, state.pidr), (state.lpidr, state.pidr), (state.lpidr, 0), (0, 0))[q] + (q,)
    if q in (1, 2):
        return None
    return (state.lpidr, state.pidr if q == 0 else 0, q)


def partition_table_entry(ram, ptcr: int, lpid: int):
    """(dword0, dword1) of PATE[lpid] or None if the table is too small
    (ISA III 6.7.6: PATS gives 2^(12+PATS) bytes of 16-byte entries)."""
    if lpid >= 1 << ((ptcr & PTCR_PATS) + 12 - 4):
        return None
    a = (ptcr & PTCR_PATB) + 16 * lpid
    if not ram.contains(a, 16):
        return None
    return ram.read_u64(a), ram.read_u64(a + 8)


def walk_tree(ram, addr_xlate, ea: int, root: int):
    """Walk a radix tree for `ea` (quadrant bits removed) from the root word
    (PATE/PRTE dword0).  Returns (pte, pte_address, page_shift) or (None, cause,
    0).  `addr_xlate` turns table addresses into real addresses (identity for
    the hypervisor, partition-scoped for guests)."""
    psize = rts_of(root)
    base = root & R_RPDB
    nls = root & R_RPDS
    while True:
        if nls < 5:
            return None, DSISR_R_BADCONFIG, 0
        index = (ea >> (psize - nls)) & ((1 << nls) - 1)
        pa = addr_xlate(base + index * 8)
        if not ram.contains(pa, 8):
            return None, DSISR_NOPTE, 0
        pde = ram.read_u64(pa)
        if not pde & R_PTE_VALID:
            return None, DSISR_NOPTE, 0
        psize -= nls
        if pde & R_PTE_LEAF:
            return pde, pa, psize
        base = pde & R_RPDB
        nls = pde & R_RPDS


def leaf_protection(pte: int, pr: bool, partition_scoped: bool) -> tuple[int, int]:
    """(perms, cause-if-fetch-forbidden-by-ATT) from a leaf (ISA III 6.7.10.3):
    EAA[0]=1 (privileged page) gives no access in problem state; otherwise
    R -> read, RW -> read+write, X -> execute.  Partition-scoped entries ignore
    the privilege bit.  ATT=0b10 (non-idempotent I/O) may not be fetched from."""
    if pte & R_PTE_EAA_PRIV and pr and not partition_scoped:
        perms = 0
    else:
        perms = 0
        if pte & (R_PTE_EAA_R | R_PTE_EAA_RW):
            perms |= PROT_READ
        if pte & R_PTE_EAA_RW:
            perms |= PROT_WRITE
        if pte & R_PTE_EAA_X:
            perms |= PROT_EXEC
    if (pte & R_PTE_ATT) == R_PTE_ATT_NI_IO:
        perms &= ~PROT_EXEC
        return perms, SRR1_NOEXEC_GUARD
    return perms, DSISR_PROTFAULT


def update_rc(ram, pte: int, pte_pa: int, access: str, perms: int) -> int:
    """Set R on every access and C on a store (ISA III 6.7.12); without C the
    page is handed out read-only so that the first store comes back here."""
    new = pte | R_PTE_R
    if access == WRITE:
        new |= R_PTE_C
    elif not pte & R_PTE_C:
        perms &= ~PROT_WRITE
    if new != pte:
        ram.write_u64(pte_pa, new)
    return perms


def _leaf_address(pte: int, shift: int, ea: int) -> int:
    mask = (1 << shift) - 1
    return ((pte & R_PTE_RPN) & ~mask) | (ea & mask)


def partition_scoped(ram, pate0: int, g_raddr: int, access: str, walk: bool) -> tuple[int, int]:
    """Guest real -> host real through the partition-scoped tree in PATE dword0
    (ISA III 6.7.10: "partition-scoped translation").  Raises _PartitionFault."""
    pte, where, shift = walk_tree(ram, lambda a: a, g_raddr & R_EADDR_MASK, pate0)
    if pte is None:
        raise _PartitionFault(where, g_raddr, walk, "no partition-scoped PTE")
    need = PROT_READ if walk else _NEED[access]
    perms, cause = leaf_protection(pte, False, True)
    if need & ~perms:
        raise _PartitionFault(cause, g_raddr, walk, "partition-scoped protection")
    perms = update_rc(ram, pte, where, WRITE if access == WRITE and not walk else "read", perms)
    return _leaf_address(pte, shift, g_raddr), perms


def _si(access: str, cause: int, reason: str) -> Fault:
    if access == FETCH:
        return Fault("isi", srr1_bits=cause, reason=reason)
    return Fault("dsi", dsisr=cause, reason=reason)


def translate_radix(ram, state, ea: int, access: str, pcache: dict | None = None):
    """Radix translation of `ea` for `access` (ISA III 6.7.10).  `pcache`, if
    given, remembers partition-scoped translations (guest real page -> host real
    page, per PATE and access): the partition-scoped part of the TLB, which only
    a partition-scoped tlbie (PRS=0) or a full invalidation empties (ArchitectedMmu)."""
    fq = fully_qualified_address(state, ea)
    if fq is None:
        return Fault("iseg" if access == FETCH else "dseg",
                     reason=f"radix: EA {ea:#x} outside the translated quadrants")
    lpid, pid, q = fq
    pate = partition_table_entry(ram, state.ptcr, lpid)
    if pate is None:
        return _si(access, DSISR_NOPTE, f"radix: LPID {lpid} beyond the partition table")
    pate0, pate1 = pate
    if not pate0 & PATE0_HR:
        return _si(access, DSISR_R_BADCONFIG, f"radix: PATE[{lpid}] is not radix (HR=0)")
    hv = bool(state.msr & MSR_HV)
    pr = bool(state.msr & MSR_PR)
    nested = not hv or q in (1, 2)

    def pscoped(a, acc, walk):
        if pcache is None:
            return partition_scoped(ram, pate0, a, acc, walk)
        key = (pate0, a >> 12, acc, walk)
        hit = pcache.get(key)
        if hit is None:
            ra_, perms_ = partition_scoped(ram, pate0, a, acc, walk)
            if len(pcache) >= 1 << 16:
                pcache.clear()
            hit = pcache[key] = (ra_ & ~0xFFF, perms_)
        return hit[0] | (a & 0xFFF), hit[1]

    try:
        if nested:
            def xl(a):
                return pscoped(a, access, True)[0]
        else:
            def xl(a):
                return a
        offset = pid * 16
        if offset >= 1 << ((pate1 & PATE1_R_PRTS) + 12):
            return _si(access, DSISR_NOPTE, f"radix: PID {pid} beyond the process table")
        prte0 = ram.read_u64(xl((pate1 & PATE1_R_PRTB) + offset))
        pte, where, shift = walk_tree(ram, xl, ea & R_EADDR_MASK, prte0)
        if pte is None:
            return _si(access, where, f"radix: no PTE for {ea:#x} (LPID {lpid} PID {pid})")
        perms, cause = leaf_protection(pte, pr, False)
        if _NEED[access] & ~perms:
            return _si(access, cause, f"radix: {access} of {ea:#x} not permitted by PTE {pte:#x}")
        perms = update_rc(ram, pte, where, access, perms)
        ra = _leaf_address(pte, shift, ea)
        if nested:
            ra, hperms = pscoped(ra, access, False)
            perms &= hperms
        return ra, perms
    except _PartitionFault as pf:
        cause = pf.cause | (DSISR_PRTABLE_FAULT if pf.walk else 0)
        if access == FETCH and not pf.walk:
            return Fault("hisi", srr1_bits=cause, asdr=pf.g_raddr,
                         reason=f"radix partition-scoped: {pf.reason} (guest real {pf.g_raddr:#x})")
        return Fault("hdsi", dsisr=cause, asdr=pf.g_raddr,
                     reason=f"radix partition-scoped: {pf.reason} (guest real {pf.g_raddr:#x})")
