"""Hashed page table translation (Power ISA v3.0B Book III 5.7.7-5.7.9; v2.07 on
POWER8; LPCR[HR]=0).

One function per architectural step, each naming its source:
  * `slb_entry_from_slbmte` / `slb_lookup` — SLB entry format and the segment
    lookup, 256 MB and 1 TB segments (ISA III 5.7.6 "Segment Lookaside Buffer";
    QEMU ppc_store_slb/slb_lookup).
  * `hpt_location`  — HTABORG/HTABSIZE from SDR1 (v2.07) or from the partition
    table entry of LPIDR (v3.0; ISA III 5.7.7.1, 6.7.6).
  * `hpte_compare`  — the PTEG search key: B, AVPN, L, H, V (ISA III 5.7.7.2
    "Page Table Search"; QEMU HPTE64_V_COMPARE), with the v3.0 HPTE layout
    (B moved to dword1) converted first.
  * `pp_protection` — the key/PP table and N/G no-execute (ISA III 5.7.13.2
    "Basic Storage Protection"; QEMU ppc_hash64_pte_prot).
  * `translate_hash` — SLB -> VA -> primary/secondary hash -> PTEG search ->
    protection -> R/C update (ISA III 5.7.7, 5.7.12).
"""
from __future__ import annotations

from .bits import MSR_PR
from .mmu import FETCH, PROT_EXEC, PROT_READ, PROT_WRITE, WRITE, Fault

MASK64 = (1 << 64) - 1
SLB_SIZE = 32                    # POWER8/9/10 have 32 SLB entries

# SLB ESID word (slbmte RB)
SLB_ESID_ESID = 0xFFFFFFFFF0000000
SLB_ESID_V = 0x0000000008000000
SEGMENT_MASK_256M = 0xFFFFFFFFF0000000
SEGMENT_MASK_1T = 0xFFFFFF0000000000
# SLB VSID word (slbmte RS)
SLB_VSID_B = 0xC000000000000000
SLB_VSID_B_1T = 0x4000000000000000
SLB_VSID_VSID = 0x3FFFFFFFFFFFF000
SLB_VSID_PTEM = SLB_VSID_B | SLB_VSID_VSID
SLB_VSID_KS = 0x800
SLB_VSID_KP = 0x400
SLB_VSID_N = 0x200
SLB_VSID_L = 0x100
SLB_VSID_C = 0x080
SLB_VSID_LP = 0x030
# HPTE dword 0
HPTE64_V_SSIZE_SHIFT = 62
HPTE64_V_AVPN = 0x3FFFFFFFFFFFFF80
HPTE64_V_LARGE = 0x4
HPTE64_V_SECONDARY = 0x2
HPTE64_V_VALID = 0x1
HPTE64_V_COMPARE_MASK = 0xFFFFFFFFFFFFFF83
HPTE64_V_COMMON_BITS = 0x000FFFFFFFFFFFFF      # v3.0 dword0 keeps these
HPTE64_R_3_0_SSIZE_SHIFT = 58                   # v3.0: B in dword1 bits 4:5
# HPTE dword 1
HPTE64_R_PP0 = 1 << 63
HPTE64_R_RPN = 0x0FFFFFFFFFFFF000
HPTE64_R_R = 0x100
HPTE64_R_C = 0x080
HPTE64_R_G = 0x008
HPTE64_R_N = 0x004
HPTE64_R_PP = 0x003
# HTAB (SDR1 and PATE dword0 for hash)
HTABORG = 0x0FFFFFFFFFFC0000
HTABSIZE = 0x1F
PTCR_PATB = 0x0FFFFFFFFFFFF000
PTCR_PATS = 0x1F
# causes
NOPTE = 0x40000000
PROTFAULT = 0x08000000
NOEXEC_GUARD = 0x10000000

_NEED = {FETCH: PROT_EXEC, "read": PROT_READ, WRITE: PROT_WRITE}
RWX = PROT_READ | PROT_WRITE | PROT_EXEC
RX = PROT_READ | PROT_EXEC


# ------------------------------------------------------------------ SLB

def slb_entries(state) -> list:
    """The SLB of a thread: SLB_SIZE (esid_word, vsid_word) pairs in state.slb."""
    slb = state.slb
    if len(slb) < SLB_SIZE:
        slb.extend([(0, 0)] * (SLB_SIZE - len(slb)))
    return slb


def slb_entry_from_slbmte(rs: int, rb: int) -> tuple[int, int, int]:
    """(index, esid_word, vsid_word) written by `slbmte RS,RB` (ISA III 5.9.3.1):
    RB = ESID(0:35) || V(36) || index(52:63); RS = B || VSID || Ks Kp N L C LP."""
    return rb & 0xFFF, rb & (SLB_ESID_ESID | SLB_ESID_V), rs & MASK64


def segment_page_shift(vsid_word: int) -> int:
    """Base page size of a segment from SLB L||LP (ISA III 5.7.6; the POWER8/9
    encodings: L=0 4 KiB, L=1 LP=01 64 KiB, L=1 LP=00 16 MiB)."""
    if not vsid_word & SLB_VSID_L:
        return 12
    lp = (vsid_word & SLB_VSID_LP) >> 4
    return {1: 16, 0: 24}.get(lp, 0)


def slb_lookup(state, ea: int):
    """The SLB entry translating `ea`, or None (ISA III 5.7.6.1: a 256 MB entry
    matches ESID = EA(0:35), a 1 TB entry matches EA(0:23))."""
    e256 = (ea & SEGMENT_MASK_256M) | SLB_ESID_V
    e1t = (ea & SEGMENT_MASK_1T) | SLB_ESID_V
    for esid, vsid in state.slb:
        if not esid & SLB_ESID_V:
            continue
        b = vsid & SLB_VSID_B
        if (b == 0 and esid == e256) or (b == SLB_VSID_B_1T and esid == e1t):
            return esid, vsid
    return None


def slbia(state, ih: int, isa300: bool) -> None:
    """`slbia IH` (ISA v3.0 III 5.9.3.2; QEMU helper_SLBIA): IH=0,1,2,5,6 invalidate
    every entry except entry 0 (the only behaviour before v3.0); v3.0 adds
    IH=3: entries with class C=1, entry 0 included; IH=4: every entry;
    IH=7: no SLB entry (only lookaside information)."""
    slb = slb_entries(state)
    start = 1
    if isa300:
        if ih == 7:
            return
        if ih in (3, 4):
            start = 0
    for i in range(start, SLB_SIZE):
        esid, vsid = slb[i]
        if not esid & SLB_ESID_V:
            continue
        if isa300 and ih == 3 and not vsid & SLB_VSID_C:
            continue
        slb[i] = (esid & ~SLB_ESID_V, vsid)


def slbie(state, ea: int) -> None:
    """`slbie RB`: invalidate the entry translating the EA in RB (ISA III 5.9.3.2)."""
    slb = slb_entries(state)
    for i, (esid, vsid) in enumerate(slb):
        if not esid & SLB_ESID_V:
            continue
        b = vsid & SLB_VSID_B
        mask = SEGMENT_MASK_1T if b == SLB_VSID_B_1T else SEGMENT_MASK_256M
        if esid == (ea & mask) | SLB_ESID_V:
            slb[i] = (esid & ~SLB_ESID_V, vsid)
            return


# ------------------------------------------------------------------ HPT

def hpt_location(ram, state, isa300: bool):
    """(HTABORG, PTEG index mask) or None: SDR1 on ISA v2.07; on v3.0 the
    partition table entry of LPIDR, dword0 (ISA III 6.7.6).  HTABSIZE n gives
    2^(18+n) bytes = 2^(11+n) PTEGs.  Like QEMU, HTABORG 0 means "no HPT"."""
    if isa300:
        ptcr = state.ptcr
        lpid = state.lpidr
        if lpid >= 1 << ((ptcr & PTCR_PATS) + 8):
            return None
        a = (ptcr & PTCR_PATB) + 16 * lpid
        if not ram.contains(a, 16):
            return None
        word = ram.read_u64(a)
    else:
        word = state.sdr1
    base = word & HTABORG
    if not base:
        return None
    return base, (1 << ((word & HTABSIZE) + 11)) - 1


def v3_hpte_to_old(pte0: int, pte1: int) -> tuple[int, int]:
    """ISA v3.0 moved the segment size B from HPTE dword0 bits 0:1 to dword1
    bits 4:5; put it back so one comparison serves both (QEMU
    ppc64_v3_new_to_old_hpte)."""
    b = (pte1 >> HPTE64_R_3_0_SSIZE_SHIFT) & 3
    return (pte0 & HPTE64_V_COMMON_BITS) | (b << HPTE64_V_SSIZE_SHIFT), \
        pte1 & ~(3 << HPTE64_R_3_0_SSIZE_SHIFT)


def hpte_page_shift(pte0: int, pte1: int, seg_shift: int) -> int:
    """Actual page size of a matching HPTE for a segment of base size
    `seg_shift` (no MPSS): L=0 is 4 KiB; L=1 with RPN low bits 0b0001 is 64 KiB,
    with 0x00 is 16 MiB.  0 = does not match (ISA III 5.7.7.2)."""
    if not pte0 & HPTE64_V_LARGE:
        return 12 if seg_shift == 12 else 0
    if seg_shift == 16 and (pte1 & 0xF000) == 0x1000:
        return 16
    if seg_shift == 24 and (pte1 & 0xFFF000) == 0:
        return 24
    return 0


def hash_values(vsid_word: int, ea: int, pshift: int) -> tuple[int, int]:
    """(primary hash, PTE match key) for `ea` in a segment (ISA III 5.7.7.1):
    256 MB: hash = VSID(39 low bits) xor page index; 1 TB: VSID xor VSID<<25 xor
    page index.  The key is B || AVPN || V as found in HPTE dword0."""
    epnmask = ~((1 << pshift) - 1) & MASK64
    if vsid_word & SLB_VSID_B:
        vsid = (vsid_word & SLB_VSID_VSID) >> 24
        epn = (ea & ~SEGMENT_MASK_1T) & epnmask
        h = vsid ^ (vsid << 25) ^ (epn >> pshift)
    else:
        vsid = (vsid_word & SLB_VSID_VSID) >> 12
        epn = (ea & ~SEGMENT_MASK_256M) & epnmask
        h = vsid ^ (epn >> pshift)
    ptem = (vsid_word & SLB_VSID_PTEM) | ((epn >> 16) & HPTE64_V_AVPN) | HPTE64_V_VALID
    return h, ptem


def pteg_search(ram, base: int, mask: int, h: int, ptem: int, seg_shift: int, isa300: bool):
    """Search the 8 HPTEs of PTEG (h & mask) for `ptem` (ISA III 5.7.7.2).
    Returns (pte0, pte1, address, page_shift) or None."""
    a = base + (h & mask) * 128
    read = ram.read_u64
    for i in range(8):
        pa = a + 16 * i
        pte0 = read(pa)
        if not pte0 & HPTE64_V_VALID:
            continue
        pte1 = read(pa + 8)
        if isa300:
            pte0, pte1 = v3_hpte_to_old(pte0, pte1)
        if (pte0 ^ ptem) & HPTE64_V_COMPARE_MASK:
            continue
        shift = hpte_page_shift(pte0, pte1, seg_shift)
        if shift:
            return pte0, pte1, pa, shift
    return None


def pp_protection(vsid_word: int, pte1: int, pr: bool) -> int:
    """Key/PP table (ISA III 5.7.13.2, Figure "PP bit protection states"):
    key = Kp in problem state, else Ks; PP = PP0||PP1||PP2.
        key 0: PP 000/001/010 read-write, 011/110 read-only
        key 1: PP 000/110 none, 001/011 read-only, 010 read-write
    Other encodings: no access.  N (SLB or HPTE) or G forbid execution."""
    key = bool(vsid_word & (SLB_VSID_KP if pr else SLB_VSID_KS))
    pp = (pte1 & HPTE64_R_PP) | ((pte1 & HPTE64_R_PP0) >> 61)
    if not key:
        prot = RWX if pp in (0, 1, 2) else RX if pp in (3, 6) else 0
    else:
        prot = RX if pp in (1, 3) else RWX if pp == 2 else 0
    return prot


def translate_hash(ram, state, ea: int, access: str, isa300: bool, hpt=None):
    """Hash translation of `ea` (ISA III 5.7.7): segment interrupt without an
    SLB entry; ISI/DSI "no PTE" (bit 0x40000000) after both PTEGs; ISI 0x10000000
    for N/G, ISI/DSI 0x08000000 for a key/PP violation; R and C set in the HPTE
    (ISA III 5.7.12).

    `hpt` = (store, PTEG index mask) replaces the HPT located by SDR1/PTCR with a
    hypervisor-owned one that the partition cannot address (PAPR: a pseries
    partition maintains its HPT only through H_ENTER/H_REMOVE; emu.pseries)."""
    fetch = access == FETCH
    ent = slb_lookup(state, ea)
    if ent is None:
        return Fault("iseg" if fetch else "dseg", reason=f"hash: no SLB entry for {ea:#x}")
    vsid_word = ent[1]
    seg_shift = segment_page_shift(vsid_word)
    if hpt is not None:
        hram, loc = hpt[0], (0, hpt[1])
    else:
        hram, loc = ram, hpt_location(ram, state, isa300)
    found = None
    if loc is not None and seg_shift:
        base, mask = loc
        h, ptem = hash_values(vsid_word, ea, seg_shift)
        found = pteg_search(hram, base, mask, h, ptem, seg_shift, isa300)
        if found is None:
            found = pteg_search(hram, base, mask, ~h & MASK64, ptem | HPTE64_V_SECONDARY,
                                seg_shift, isa300)
    if found is None:
        why = f"hash: no HPTE for {ea:#x} (VSID {(vsid_word & SLB_VSID_VSID) >> 12:#x})"
        return Fault("isi", srr1_bits=NOPTE, reason=why) if fetch else \
            Fault("dsi", dsisr=NOPTE, reason=why)
    pte0, pte1, pa, shift = found
    prot = pp_protection(vsid_word, pte1, bool(state.msr & MSR_PR))
    if fetch:
        if vsid_word & SLB_VSID_N or pte1 & (HPTE64_R_N | HPTE64_R_G):
            return Fault("isi", srr1_bits=NOEXEC_GUARD,
                         reason=f"hash: fetch from no-execute or guarded page {ea:#x}")
        if not prot & PROT_EXEC:
            return Fault("isi", srr1_bits=PROTFAULT, reason=f"hash: fetch of {ea:#x} forbidden by PP")
    elif _NEED[access] & ~prot:
        return Fault("dsi", dsisr=PROTFAULT,
                     reason=f"hash: {access} of {ea:#x} forbidden by key/PP (PP={pte1 & 3}, PP0={pte1 >> 63})")
    if vsid_word & SLB_VSID_N or pte1 & (HPTE64_R_N | HPTE64_R_G):
        prot &= ~PROT_EXEC
    # R/C update (the raw dword1 in memory; v3.0 keeps R/C at the same place)
    raw1 = hram.read_u64(pa + 8)
    new1 = raw1 | HPTE64_R_R
    if access == WRITE:
        new1 |= HPTE64_R_C
    elif not raw1 & HPTE64_R_C:
        prot &= ~PROT_WRITE
    if new1 != raw1:
        hram.write_u64(pa + 8, new1)
    m = (1 << shift) - 1
    return ((pte1 & HPTE64_R_RPN) & ~m) | (ea & m), prot
