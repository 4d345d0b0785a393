"""Build-time generator of page tables for guest images and tests.

Lays out, in a sparse physical-memory image, everything the architected MMU
(emu/mmu_radix.py, emu/mmu_hash.py; docs/mmu.md) reads:

  * radix: a partition table (PTCR), process tables, radix trees with 1 GiB,
    2 MiB and 4 KiB leaves (Linux geometry: RTS=52, 13/9/9/9 index bits);
  * hash: a hashed page table (SDR1 on POWER8, partition table entry dword0 on
    POWER9/10), HPTEs in the primary or the secondary PTEG, 4 KiB / 64 KiB /
    16 MiB pages, and the slbmte operands of bolted SLB entries.

The result is GNU-as text (`.org` + `.quad`, append it after the program: the
addresses are absolute) or a {address: bytes} dict.  Example, a radix host with
EA 0x0... and 0xc000... identity-mapped by one 1 GiB leaf:

    from guest_images.pagetables import radix_identity_host
    tables, ptcr = radix_identity_host(base=0x200000)
    source = program_text + tables.to_asm()
    # program: mtspr PTCR, ptcr; LPCR |= HR|UPRT; mtmsrd IR|DR

and a bolted hash host (POWER9 format; POWER8: isa300=False and SDR1):

    from guest_images.pagetables import hash_identity_host
    tables, ptcr_or_sdr1, slb = hash_identity_host(base=0x200000, isa300=True)
    # program: mtspr PTCR (or SDR1); for (rs, rb) in slb: slbmte rs, rb; mtmsrd IR|DR

Command line: `python -m guest_images.pagetables radix|hash [--base ADDR]
[--size BYTES] [--power8]` prints the assembly and the register values.
"""
from __future__ import annotations

import argparse
import sys

# ---------------------------------------------------------------- radix bits
PATE0_HR = 1 << 63
R_PTE_VALID = 1 << 63
R_PTE_LEAF = 1 << 62
R_PTE_R = 0x100
R_PTE_C = 0x80
R_PTE_ATT_NI_IO = 0x20
EAA_PRIV = 0x8
EAA_R = 0x4
EAA_RW = 0x2
EAA_X = 0x1
EAA_RWX = EAA_R | EAA_RW | EAA_X
LPCR_HR = 1 << 20
LPCR_UPRT = 1 << 22
# ---------------------------------------------------------------- hash bits
SLB_ESID_V = 0x08000000
SLB_VSID_B_1T = 0x4000000000000000
SLB_VSID_KS = 0x800
SLB_VSID_KP = 0x400
SLB_VSID_N = 0x200
SLB_VSID_L = 0x100
SLB_VSID_C = 0x080
SLB_LP_64K = 0x010
HPTE_V_VALID = 0x1
HPTE_V_SECONDARY = 0x2
HPTE_V_LARGE = 0x4
HPTE_R_PP0 = 1 << 63
HPTE_R_R = 0x100
HPTE_R_C = 0x80
HPTE_R_M = 0x10
HPTE_R_G = 0x8
HPTE_R_N = 0x4
MASK64 = (1 << 64) - 1


class PhysImage:
    """Sparse 64-bit words of physical memory (big-endian, like the machine)."""

    def __init__(self):
        self.words = {}

    def write_u64(self, addr: int, value: int) -> None:
        if addr & 7:
            raise ValueError(f"unaligned table word at {addr:#x}")
        self.words[addr] = value & MASK64

    def read_u64(self, addr: int) -> int:
        return self.words.get(addr, 0)

    def to_asm(self) -> str:
        """`.org`/`.quad` lines in ascending address order (zero words omitted:
        RAM starts zeroed).  Append after code that ends below the lowest address."""
        out = []
        prev = None
        for a in sorted(self.words):
            v = self.words[a]
            if not v:
                continue
            if prev is None or a != prev + 8:
                out.append(f"    .org {a:#x}")
            out.append(f"    .quad {v:#018x}")
            prev = a
        return "\n".join(out) + "\n"

    def to_chunks(self) -> dict:
        """{address: bytes} of runs of non-zero words (for loaders and hypervisors)."""
        chunks = {}
        start = prev = None
        buf = bytearray()
        for a in sorted(self.words):
            if start is not None and a != prev + 8:
                chunks[start] = bytes(buf)
                start, buf = None, bytearray()
            if start is None:
                start = a
            buf += self.words[a].to_bytes(8, "big")
            prev = a
        if start is not None:
            chunks[start] = bytes(buf)
        return chunks


class Allocator:
    """Bump allocator of naturally aligned tables inside [base, limit)."""

    def __init__(self, base: int, limit: int | None = None):
        self.next = base
        self.limit = limit

    def alloc(self, size: int) -> int:
        a = (self.next + size - 1) & ~(size - 1)
        self.next = a + size
        if self.limit is not None and self.next > self.limit:
            raise ValueError("page-table area exhausted")
        return a


# ---------------------------------------------------------------- radix

def radix_root_word(base: int, rts: int = 52, nls: int = 13) -> int:
    """PATE/PRTE dword0 of a radix tree: RTS1||RTS2 = rts-31, RPDB, RPDS."""
    r = rts - 31
    return ((r >> 3) << 61) | (base & 0x0FFFFFFFFFFFFF00) | ((r & 7) << 5) | nls


class RadixTree:
    """A radix tree with Linux's 4 KiB geometry: RTS=52, index bits 13/9/9/9
    (levels map 512 GiB... 1 GiB, 2 MiB, 4 KiB per entry)."""
    NLS = (13, 9, 9, 9)

    def __init__(self, mem: PhysImage, alloc: Allocator, rts: int = 52):
        self.mem, self.alloc, self.rts = mem, alloc, rts
        self.root = alloc.alloc(8 << self.NLS[0])

    def root_word(self) -> int:
        return radix_root_word(self.root, self.rts, self.NLS[0])

    def map(self, ea: int, ra: int, size: int, eaa: int = EAA_PRIV | EAA_RWX,
            rc: bool = True, att: int = 0, valid: bool = True) -> int:
        """Map [ea, ea+size) -> ra with one leaf of `size` (1 GiB, 2 MiB or
        4 KiB); `eaa` = EAA bits (PRIV, R, RW, X); `valid=False` writes the leaf
        without its V bit.  Returns the leaf's address (to patch it later)."""
        ea &= 0x3FFFFFFFFFFFFFFF
        shifts = []
        s = self.rts
        for n in self.NLS:
            s -= n
            shifts.append(s)
        if size not in (1 << shifts[1], 1 << shifts[2], 1 << shifts[3]):
            raise ValueError(f"radix leaf size {size:#x} not 1G/2M/4K")
        if ea % size or ra % size:
            raise ValueError("radix leaf not aligned to its size")
        table = self.root
        for level, shift in enumerate(shifts):
            idx = (ea >> shift) & ((1 << self.NLS[level]) - 1)
            addr = table + 8 * idx
            if 1 << shift == size:
                leaf = (R_PTE_VALID if valid else 0) | R_PTE_LEAF | (ra & 0x01FFFFFFFFFFF000) \
                    | (R_PTE_R | R_PTE_C if rc else 0) | att | eaa
                self.mem.write_u64(addr, leaf)
                return addr
            pde = self.mem.read_u64(addr)
            if not pde & R_PTE_VALID:
                nls = self.NLS[level + 1]
                nxt = self.alloc.alloc(8 << nls)
                pde = R_PTE_VALID | nxt | nls
                self.mem.write_u64(addr, pde)
            table = pde & 0x0FFFFFFFFFFFFF00
        raise AssertionError("unreachable")


class PartitionTable:
    """Partition table (PTCR) with its entries; also used by the hash MMU on
    POWER9/10 (PATE dword0 = HTABORG|HTABSIZE)."""

    def __init__(self, mem: PhysImage, alloc: Allocator, pats: int = 0):
        self.mem, self.pats = mem, pats
        self.base = alloc.alloc(1 << (12 + pats))

    @property
    def ptcr(self) -> int:
        return self.base | self.pats

    def set(self, lpid: int, dw0: int, dw1: int) -> None:
        self.mem.write_u64(self.base + 16 * lpid, dw0)
        self.mem.write_u64(self.base + 16 * lpid + 8, dw1)


class ProcessTable:
    def __init__(self, mem: PhysImage, alloc: Allocator, prts: int = 0):
        self.mem, self.prts = mem, prts
        self.base = alloc.alloc(1 << (12 + prts))

    def pate1(self) -> int:
        """PATE dword1: PRTB | PRTS."""
        return self.base | self.prts

    def set(self, pid: int, tree: RadixTree) -> None:
        self.mem.write_u64(self.base + 16 * pid, tree.root_word())


def radix_identity_host(base: int = 0x200000, size: int = 1 << 30, valid: bool = True,
                        eaa: int = EAA_PRIV | EAA_RWX):
    """A radix host for LPID 0: PID 0's tree maps EA 0 (quadrant 0 with PIDR=0)
    and 0xc000000000000000 (quadrant 3) to real 0 with 1 GiB leaves covering
    `size`.  Returns (PhysImage, PTCR value); the program sets PTCR, LPCR[HR]
    and LPCR[UPRT]."""
    mem = PhysImage()
    alloc = Allocator(base)
    part = PartitionTable(mem, alloc)
    prtb = ProcessTable(mem, alloc)
    tree = RadixTree(mem, alloc)
    for off in range(0, size, 1 << 30):
        tree.map(off, off, 1 << 30, eaa=eaa, valid=valid)
    prtb.set(0, tree)
    part.set(0, PATE0_HR | tree.root_word(), prtb.pate1())
    return mem, part.ptcr


# ---------------------------------------------------------------- hash

def slb_vsid_word(vsid: int, *, ssize_1t: bool = False, ks: bool = False, kp: bool = False,
                  n: bool = False, pshift: int = 12, cls: bool = False) -> int:
    """slbmte RS: B || VSID || Ks Kp N L C LP (256 MB: VSID at bits 2:51)."""
    w = (vsid << (24 if ssize_1t else 12)) & 0x3FFFFFFFFFFFF000
    if ssize_1t:
        w |= SLB_VSID_B_1T
    w |= (SLB_VSID_KS if ks else 0) | (SLB_VSID_KP if kp else 0) | (SLB_VSID_N if n else 0)
    w |= SLB_VSID_C if cls else 0
    if pshift == 16:
        w |= SLB_VSID_L | SLB_LP_64K
    elif pshift == 24:
        w |= SLB_VSID_L
    elif pshift != 12:
        raise ValueError("page size must be 4K, 64K or 16M")
    return w


def slb_esid_word(ea: int, index: int, ssize_1t: bool = False) -> int:
    """slbmte RB: ESID || V || index."""
    mask = 0xFFFFFF0000000000 if ssize_1t else 0xFFFFFFFFF0000000
    return (ea & mask) | SLB_ESID_V | index


class HashPageTable:
    """A hashed page table of 2^(18+htabsize) bytes at `htaborg` (aligned)."""

    def __init__(self, mem: PhysImage, htaborg: int, htabsize: int = 0, isa300: bool = True):
        if htaborg & ((1 << (18 + htabsize)) - 1):
            raise ValueError("HTABORG must be aligned to the table size")
        self.mem, self.htaborg, self.htabsize, self.isa300 = mem, htaborg, htabsize, isa300
        self.mask = (1 << (11 + htabsize)) - 1

    @property
    def sdr1(self) -> int:
        """SDR1 (POWER8) / partition table entry dword0 (POWER9 hash)."""
        return self.htaborg | self.htabsize

    def hash_of(self, vsid_word: int, ea: int, pshift: int) -> tuple[int, int]:
        """(primary hash, AVPN-part of dword0) as the MMU computes them."""
        epnmask = ~((1 << pshift) - 1) & MASK64
        if vsid_word & SLB_VSID_B_1T:
            vsid = (vsid_word & 0x3FFFFFFFFFFFF000) >> 24
            epn = (ea & 0xFFFFFFFFFF) & epnmask
            h = vsid ^ (vsid << 25) ^ (epn >> pshift)
        else:
            vsid = (vsid_word & 0x3FFFFFFFFFFFF000) >> 12
            epn = (ea & 0x0FFFFFFF) & epnmask
            h = vsid ^ (epn >> pshift)
        v = (vsid_word & 0xFFFFFFFFFFFFF000) | ((epn >> 16) & 0x3FFFFFFFFFFFFF80)
        return h, v

    def insert(self, vsid_word: int, ea: int, ra: int, *, pshift: int = 12, pp: int = 0b010,
               n: bool = False, g: bool = False, secondary: bool = False, rc: bool = False,
               slot: int | None = None) -> int:
        """Insert an HPTE mapping `ea` (in the segment of `vsid_word`) to `ra`;
        `pp` = PP0||PP1||PP2 (3 bits).  Returns the HPTE address."""
        h, v = self.hash_of(vsid_word, ea, pshift)
        if secondary:
            h = ~h & MASK64
        pteg = self.htaborg + (h & self.mask) * 128
        if slot is None:
            slot = next((i for i in range(8) if not self.mem.read_u64(pteg + 16 * i) & 1), None)
            if slot is None:
                raise ValueError(f"PTEG at {pteg:#x} is full")
        dw0 = v | HPTE_V_VALID | (HPTE_V_SECONDARY if secondary else 0)
        rpn = ra & 0x0FFFFFFFFFFFF000 & ~((1 << pshift) - 1)
        if pshift == 16:
            dw0 |= HPTE_V_LARGE
            rpn |= 0x1000                       # LP encoding of a 64 KiB page
        elif pshift == 24:
            dw0 |= HPTE_V_LARGE
        dw1 = rpn | ((pp & 4) << 61) | (pp & 3) | HPTE_R_M
        dw1 |= (HPTE_R_N if n else 0) | (HPTE_R_G if g else 0) | (HPTE_R_R | HPTE_R_C if rc else 0)
        if self.isa300:                          # v3.0: B moves to dword1 bits 4:5
            b = dw0 >> 62
            dw0 &= 0x000FFFFFFFFFFFFF
            dw1 |= b << 58
        a = pteg + 16 * slot
        self.mem.write_u64(a, dw0)
        self.mem.write_u64(a + 8, dw1)
        return a


def hash_identity_host(base: int = 0x200000, size: int = 16 << 20, isa300: bool = True,
                       vsid: int = 0x100, pshift: int = 16):
    """A bolted hash host: one 256 MB segment (SLB entry 0, VSID `vsid`) for EA
    0x0... and one (entry 1, VSID `vsid`+1) for 0xc000..., both mapping real
    0..size with pages of 2^pshift bytes, PP=010 (read-write for Ks=0).  Returns
    (PhysImage, PTCR (isa300) or SDR1 value, [(rs, rb), ...] for slbmte)."""
    mem = PhysImage()
    alloc = Allocator(base)
    htabsize = 0
    hpt = HashPageTable(mem, alloc.alloc(1 << 18), htabsize, isa300)
    slb = []
    for index, (seg_ea, v) in enumerate(((0, vsid), (0xC000000000000000, vsid + 1))):
        rs = slb_vsid_word(v, pshift=pshift)
        slb.append((rs, slb_esid_word(seg_ea, index)))
        for off in range(0, size, 1 << pshift):
            hpt.insert(rs, seg_ea + off, off, pshift=pshift)
    if isa300:
        part = PartitionTable(mem, alloc)
        part.set(0, hpt.sdr1, 0)
        return mem, part.ptcr, slb
    return mem, hpt.sdr1, slb


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m guest_images.pagetables",
                                 description="print page tables as GNU as data")
    ap.add_argument("kind", choices=("radix", "hash"))
    ap.add_argument("--base", type=lambda s: int(s, 0), default=0x200000)
    ap.add_argument("--size", type=lambda s: int(s, 0), default=None)
    ap.add_argument("--power8", action="store_true", help="hash: POWER8 (SDR1, pre-3.0 HPTE)")
    a = ap.parse_args(argv)
    if a.kind == "radix":
        mem, ptcr = radix_identity_host(a.base, a.size or 1 << 30)
        print(f"/* PTCR = {ptcr:#x}; LPCR |= HR|UPRT ({LPCR_HR | LPCR_UPRT:#x}) */")
    else:
        mem, reg, slb = hash_identity_host(a.base, a.size or 16 << 20, isa300=not a.power8)
        print(f"/* {'SDR1' if a.power8 else 'PTCR'} = {reg:#x} */")
        for rs, rb in slb:
            print(f"/* slbmte rs={rs:#x} rb={rb:#x} */")
    sys.stdout.write(mem.to_asm())
    return 0


if __name__ == "__main__":
    sys.exit(main())
