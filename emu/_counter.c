/*
 * ppcvec instruction counter: a Unicorn UC_HOOK_BLOCK callback in C.
 *
 * Unicorn's own `count` argument installs a per-instruction code hook, which
 * costs about 40% of the JIT's speed on ppc64.  A block hook costs one call per
 * translated block.  It adds the block's instruction count when the block
 * starts and, once the slice limit is reached, stops the emulation *before*
 * the block runs, so `count` is always the exact number of instructions that
 * started executing.  The last block's address and size let the Python side
 * subtract the instructions that a mid-block fault prevented from running.
 * It also spots a one-instruction block that loops on itself, so a CPU parked
 * in `b .` is seen as idle after one iteration instead of spinning.
 *
 * Loaded with ctypes (no Python API is used); the struct layout is mirrored in
 * emu/unicorn_backend.py.
 */
#include <stdint.h>

typedef int (*ppcvec_stop_fn)(void *uc);

typedef struct {
    uint64_t count;      /* instructions started so far in this slice        */
    uint64_t limit;      /* stop at the first block boundary at/after this    */
    uint64_t last_addr;  /* address of the last block that started            */
    uint64_t last_size;  /* its size in bytes                                 */
    uint64_t stopped;    /* 1 once the limit stopped the emulation            */
    ppcvec_stop_fn stop; /* uc_emu_stop, passed in from the Python binding    */
    uint64_t selfloop;   /* 1: stopped at a one-instruction block repeating   */
    uint64_t ignore_addr;/* a one-instruction loop known not to be `b .`     */
    uint64_t exact;      /* 1: never start a block that would pass the limit  */
    uint64_t never_real; /* 1: code really runs in the last page (see below)  */
    uint64_t never_pa;   /* what a fetch from the last page maps to           */
} ppcvec_counter;

typedef struct {
    uint64_t paddr;
    int perms;
} ppcvec_tlb_entry;      /* uc_tlb_entry */

/*
 * A UC_HOOK_TLB_FILL callback bound to the last page, the page of emu_start's
 * `until` (never a PC).  Unicorn 2.1.4 translates `until` for a fetch around
 * every emu_start (it invalidates the code there), so without this each slice
 * made a TLB fill through Python.  A fetch from the page is given the fault
 * mapping Python gives a page that faults (fault index 0, uc_prot ALL = 7).  If
 * code really runs there, the fault finds a valid translation (emu.cpu
 * handle_fault), which sets never_real: from then on this hook returns false and
 * the next hook (Python) translates the page.  Data accesses always go to Python.
 */
int ppcvec_fill_never(void *uc, uint64_t vaddr, int type, ppcvec_tlb_entry *e, void *user)
{
    ppcvec_counter *c = (ppcvec_counter *)user;

    if (c->never_real || type != 18)      /* UC_MEM_FETCH */
        return 0;
    e->paddr = c->never_pa;
    e->perms = 7;
    return 1;
}

void ppcvec_count_block(void *uc, uint64_t address, uint32_t size, void *user)
{
    ppcvec_counter *c = (ppcvec_counter *)user;

    if (c->count >= c->limit) {
        if (!c->stopped) {
            c->stopped = 1;
            c->stop(uc);
        }
        return;
    }
    /* The slice that ends the instruction budget: a block that would run past the
     * limit is not started (the caller single-steps the rest), so a run never
     * retires more than its budget. */
    if (c->exact && c->count + (size >> 2) > c->limit) {
        c->stopped = 1;
        c->stop(uc);
        return;
    }
    /* A one-instruction block entered twice in a row is a loop on itself: stop so
     * the caller can tell `b .` (idle) from a terminating loop (`bdnz .`), which it
     * then marks with ignore_addr. */
    if (size == 4 && address == c->last_addr && address != c->ignore_addr) {
        c->selfloop = 1;
        c->stopped = 1;
        c->stop(uc);
        return;
    }
    c->count += size >> 2;
    c->last_addr = address;
    c->last_size = size;
}
