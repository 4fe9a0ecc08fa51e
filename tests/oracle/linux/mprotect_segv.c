/* Protection faults. Four anonymous pages are written, then made read-only with mprotect:
 * reading still works without a fault, a write at page 2 + 0x123 raises SIGSEGV with
 * si_code SEGV_ACCERR and the exact faulting address (and is not counted as a page fault).
 * Also: mprotect of one page splits the VMA in three and restoring merges it back;
 * PROT_NONE refuses reads; executing a non-executable page (NX) is SEGV_ACCERR at the jump
 * target; a NULL access, an access to the kernel half and a non-canonical access. */
#include "oracle.h"

typedef void (*fn_t)(void);

int main(void) {
    meta("mprotect_segv");
    probe_install();
    const size_t n = 4;
    char *p = anon_pages(n, PROT_READ | PROT_WRITE);
    write_pages(p, n, 1);

    int r = mprotect(p, n * PAGE, PROT_READ);
    put_errno("protect_ro", r != 0, errno);
    put_smaps("protect_ro", p);

    flt_t a = flt();
    PROBE(sink = p[2 * PAGE + 0x123]);
    flt_t b = flt();
    put_signal("read_ro", p);
    put_faults("read_ro", a, b);

    a = flt();
    PROBE(((volatile char *)p)[2 * PAGE + 0x123] = 7);
    b = flt();
    put_signal("write_ro", p);
    put_faults("write_ro", a, b);
    put("write_ro.value_unchanged", "%d", p[2 * PAGE + 0x123] == 0);

    r = mprotect(p, n * PAGE, PROT_READ | PROT_WRITE);
    put_errno("protect_rw", r != 0, errno);
    a = flt();
    PROBE(write_pages(p, n, 2));
    b = flt();
    put_signal("write_rw", p);
    put_faults("write_rw", a, b);

    /* Splitting and merging. */
    uintptr_t lo = (uintptr_t)p, hi = lo + n * PAGE;
    r = mprotect(p + PAGE, PAGE, PROT_READ);
    put_errno("split", r != 0, errno);
    put("split.vmas", "%d", vmas_in(lo, hi));
    r = mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE);
    put_errno("merge", r != 0, errno);
    put("merge.vmas", "%d", vmas_in(lo, hi));
    put_smaps("merge", p);

    /* PROT_NONE. */
    r = mprotect(p, n * PAGE, PROT_NONE);
    put_errno("protect_none", r != 0, errno);
    a = flt();
    PROBE(sink = p[3 * PAGE + 8]);
    b = flt();
    put_signal("read_none", p);
    put_faults("read_none", a, b);
    put_smaps("protect_none", p);

    /* Executing a readable, writable, non-executable page. */
    r = mprotect(p, n * PAGE, PROT_READ | PROT_WRITE);
    p[PAGE + 0x40] = (char)0xc3; /* ret */
    fn_t f = (fn_t)(void *)(p + PAGE + 0x40);
    PROBE(f());
    put_signal("exec_nx", p);
    r = mprotect(p, n * PAGE, PROT_READ | PROT_EXEC);
    put_errno("protect_rx", r != 0, errno);
    PROBE(f());
    put_signal("exec_rx", p);

    /* Addresses outside any mapping. */
    PROBE(sink = *(volatile char *)(uintptr_t)0);
    put_signal("null", (void *)0);
    PROBE(sink = *(volatile char *)(uintptr_t)0xffffffff81000000UL);
    put_signal("kernel_half", (void *)0xffffffff81000000UL);
    PROBE(sink = *(volatile char *)(uintptr_t)0x8000000000000000UL);
    put_signal("noncanonical", (void *)0);
    /* The last user page (TASK_SIZE - 4 KiB, never mapped) and the first address past
     * the canonical lower half (non-canonical with 48-bit virtual addresses). */
    PROBE(sink = *(volatile char *)(uintptr_t)0x00007ffffffff000UL);
    put_signal("last_user_page", (void *)0x00007ffffffff000UL);
    PROBE(sink = *(volatile char *)(uintptr_t)0x0000800000000000UL);
    put_signal("first_noncanonical", (void *)0);
    return 0;
}
