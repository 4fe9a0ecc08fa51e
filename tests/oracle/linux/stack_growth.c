/* Growth of the main thread's stack. An access below the [stack] VMA extends it down to
 * the page of the access (one fault, one new resident page however far down), as long as
 * the new start stays at least stack_guard_gap (256 pages = 1 MiB) above the end of an
 * accessible mapping below, and the VMA stays within RLIMIT_STACK; otherwise SIGSEGV with
 * SEGV_MAPERR. A PROT_NONE mapping below does not block growth. mmap honours no address
 * hint inside the gap, but MAP_FIXED may map there. */
#include "oracle.h"

static uintptr_t stack_start(void) {
    volatile int here = 0;
    uintptr_t s, e;
    vma_bounds((const void *)&here, &s, &e);
    return s;
}

static long stack_rss_kb(void) {
    char *b = smaps_block((void *)stack_start());
    const char *f = b ? strstr(b, "Rss:") : NULL;
    return f ? strtol(f + 4, NULL, 10) : -1;
}

/* Writes one byte at `addr` and reports the growth of the stack VMA in pages. */
static void grow(const char *step, uintptr_t addr) {
    char key[64];
    uintptr_t before = stack_start();
    long rss0 = stack_rss_kb();
    flt_t a = flt();
    PROBE(*(volatile char *)addr = 1);
    flt_t b = flt();
    uintptr_t after = stack_start();
    put_signal(step, (void *)before);
    put_faults(step, a, b);
    snprintf(key, sizeof key, "%s.pages_added", step);
    put(key, "%ld", (long)((before - after) / PAGE));
    snprintf(key, sizeof key, "%s.rss_added_kb", step);
    put(key, "%ld", stack_rss_kb() - rss0);
}

int main(void) {
    meta("stack_growth");
    probe_install();
    uintptr_t s = stack_start();
    put_vmflags("stack", (void *)s);

    grow("one_byte_below", s - 1);
    s = stack_start();
    grow("hundred_pages_below", s - 100 * PAGE + 8);
    s = stack_start();

    /* An accessible page whose end is 1 MiB + 2 pages below the stack start. */
    const uintptr_t gap = 256 * PAGE;
    uintptr_t prev_end = s - gap - 2 * PAGE;
    char *blk = mmap((void *)(prev_end - PAGE), PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    put_errno("blocker", blk == MAP_FAILED, errno);
    grow("to_gap_limit", s - 2 * PAGE);      /* new start - prev_end = 1 MiB: allowed */
    s = stack_start();
    grow("into_gap", s - 1);                 /* 1 MiB - 1 page: refused */
    if (mprotect(blk, PAGE, PROT_NONE) != 0) die("mprotect");
    grow("into_gap_prot_none_below", s - 1); /* inaccessible neighbour: allowed */
    munmap(blk, PAGE);
    s = stack_start();

    /* Address hints inside the guard gap are not honoured; MAP_FIXED is. */
    void *hint = (void *)(s - 16 * PAGE);
    char *h = mmap(hint, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    put("hint_in_gap.honoured", "%d", h == hint);
    if (h != MAP_FAILED) munmap(h, PAGE);
    char *fx = mmap(hint, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    put_errno("fixed_in_gap", fx == MAP_FAILED, errno);
    grow("with_fixed_in_gap", s - 1);        /* the fixed page sits in the gap: refused */
    if (fx != MAP_FAILED) munmap(fx, PAGE);

    /* RLIMIT_STACK: allow exactly 8 more pages. */
    s = stack_start();
    uintptr_t se, ss;
    vma_bounds((void *)s, &ss, &se);
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = (se - s) + 8 * PAGE;
    if (setrlimit(RLIMIT_STACK, &rl) != 0) die("setrlimit");
    grow("to_rlimit", s - 8 * PAGE);
    s = stack_start();
    grow("past_rlimit", s - 1);
    put_vmflags("stack_end", (void *)stack_start());
    return 0;
}
