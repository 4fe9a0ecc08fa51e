/* The program break (brk). Growing the break extends the [heap] VMA without faulting
 * anything in; each page then faults on first write. The VMA end is the break rounded up
 * to a page. Shrinking frees the pages above the new break (a later access is SIGSEGV,
 * a regrown page is zero again). A break below start_brk, one that would come within a
 * page of the next mapping, or one over RLIMIT_DATA is refused: the system call returns
 * the unchanged break. Uses the raw system call, as glibc's sbrk does. */
#include "oracle.h"

static uintptr_t sys_brk(uintptr_t a) { return (uintptr_t)syscall(SYS_brk, a); }

/* Field `k` (1-based) of /proc/self/stat. */
static unsigned long stat_field(int k) {
    static char buf[4096];
    slurp("/proc/self/stat", buf, sizeof buf);
    char *s = strrchr(buf, ')');
    int field = 2;
    for (; s && *s; s++) {
        if (*s == ' ') {
            field++;
            if (field == k) return strtoul(s + 1, NULL, 10);
        }
    }
    return 0;
}

static long heap_rss_kb(uintptr_t heap_start) {
    char *b = smaps_block((void *)heap_start);
    const char *f = b ? strstr(b, "Rss:") : NULL;
    return f ? strtol(f + 4, NULL, 10) : -1;
}

int main(void) {
    meta("brk_growth");
    probe_install();
    uintptr_t start_brk = stat_field(47), start_data = stat_field(45), end_data = stat_field(46);
    uintptr_t b0 = sys_brk(0);
    /* Begin from a page-aligned break so the figures do not depend on where glibc left it. */
    uintptr_t base = (b0 + PAGE - 1) & ~(PAGE - 1);
    if (sys_brk(base) != base) die("brk align");
    uintptr_t hs, he;
    vma_bounds((void *)(base - 1), &hs, &he);
    put("start.heap_end_is_break", "%d", he == base);
    long rss0 = heap_rss_kb(hs);

    flt_t a = flt();
    uintptr_t r = sys_brk(base + 64 * PAGE);
    flt_t b = flt();
    put("grow64.ok", "%d", r == base + 64 * PAGE);
    put_faults("grow64", a, b);
    vma_bounds((void *)(base - 1), &hs, &he);
    put("grow64.heap_end_minus_base_pages", "%ld", (long)((he - base) / PAGE));
    put("grow64.rss_added_kb", "%ld", heap_rss_kb(hs) - rss0);
    a = flt();
    write_pages((char *)base, 64, 7);
    b = flt();
    put_faults("grow64_write", a, b);
    put("grow64_write.rss_added_kb", "%ld", heap_rss_kb(hs) - rss0);

    r = sys_brk(base + 64 * PAGE + 100);
    vma_bounds((void *)(base - 1), &hs, &he);
    put("unaligned.returned_offset", "%ld", (long)(r - base));
    put("unaligned.heap_end_minus_base_pages", "%ld", (long)((he - base) / PAGE));

    r = sys_brk(base + 32 * PAGE);
    vma_bounds((void *)(base - 1), &hs, &he);
    put("shrink.ok", "%d", r == base + 32 * PAGE);
    put("shrink.heap_end_minus_base_pages", "%ld", (long)((he - base) / PAGE));
    put("shrink.rss_added_kb", "%ld", heap_rss_kb(hs) - rss0);
    PROBE(sink = *(volatile char *)(base + 40 * PAGE));
    put_signal("shrink_access", (void *)base);

    r = sys_brk(base + 64 * PAGE);
    a = flt();
    int zero = 1;
    for (size_t i = 32; i < 64; i++)
        if (((volatile char *)base)[i * PAGE] != 0) zero = 0;
    b = flt();
    put("regrow.ok", "%d", r == base + 64 * PAGE);
    put("regrow.zero", "%d", zero);
    put_faults("regrow_read", a, b);
    put("regrow.kept_below", "%d", ((volatile char *)base)[31 * PAGE] == 7);

    r = sys_brk(start_brk - PAGE);
    put("below_start.unchanged", "%d", r == base + 64 * PAGE);

    /* A mapping 16 pages above the break: the break may come up to one page below it. */
    uintptr_t top = base + 64 * PAGE;
    char *blk = mmap((void *)(top + 16 * PAGE), PAGE, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    put_errno("blocker", blk == MAP_FAILED, errno);
    r = sys_brk(top + 15 * PAGE);
    put("up_to_gap.ok", "%d", r == top + 15 * PAGE);
    r = sys_brk(top + 15 * PAGE + 1);
    put("into_gap.unchanged", "%d", r == top + 15 * PAGE);
    r = sys_brk(top + 20 * PAGE);
    put("over_mapping.unchanged", "%d", r == top + 15 * PAGE);
    munmap(blk, PAGE);
    r = sys_brk(top);

    /* RLIMIT_DATA bounds both (brk - start_brk) + (end_data - start_data) and the whole
     * private writable memory of the process (VmData); the latter binds here. */
    static char status[8192];
    slurp("/proc/self/status", status, sizeof status);
    const char *vd = strstr(status, "VmData:");
    unsigned long vmdata_kb = vd ? strtoul(vd + 7, NULL, 10) : 0;
    struct rlimit rl;
    getrlimit(RLIMIT_DATA, &rl);
    rl.rlim_cur = vmdata_kb * 1024 + 8 * PAGE;
    put("rlimit_data.brk_part_fits", "%d",
        (top + 8 * PAGE - start_brk) + (end_data - start_data) <= rl.rlim_cur);
    if (setrlimit(RLIMIT_DATA, &rl) != 0) die("setrlimit");
    r = sys_brk(top + 8 * PAGE);
    put("rlimit_data_exact.ok", "%d", r == top + 8 * PAGE);
    r = sys_brk(top + 9 * PAGE);
    put("rlimit_data_over.unchanged", "%d", r == top + 8 * PAGE);
    put_vmflags("heap", (void *)hs);
    return 0;
}
