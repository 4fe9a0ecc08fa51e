/* mlock faults in every page of the range at once (for writing in a private writable
 * mapping) and marks the VMA locked (VmFlags "lo", smaps Locked). munlock clears both but
 * leaves the pages resident. mlock of part of a VMA splits it. The process runs as root
 * (CAP_IPC_LOCK), so RLIMIT_MEMLOCK does not apply. */
#include "oracle.h"

int main(void) {
    meta("mlock");
    const size_t n = 64;
    char *p = anon_pages(n, PROT_READ | PROT_WRITE);
    flt_t a = flt();
    int r = mlock(p, n * PAGE);
    flt_t b = flt();
    put_errno("mlock", r != 0, errno);
    put_faults("mlock", a, b);
    put_smaps("mlock", p);
    a = flt();
    write_pages(p, n, 1);
    b = flt();
    put_faults("mlock_write", a, b);

    r = munlock(p, n * PAGE);
    put_errno("munlock", r != 0, errno);
    put_smaps("munlock", p);

    char *q = anon_pages(n, PROT_READ | PROT_WRITE);
    a = flt();
    r = mlock(q + 16 * PAGE, 16 * PAGE);
    b = flt();
    put_errno("mlock_part", r != 0, errno);
    put_faults("mlock_part", a, b);
    put("mlock_part.vmas", "%d", vmas_in((uintptr_t)q, (uintptr_t)q + n * PAGE));
    put_smaps("mlock_part_middle", q + 16 * PAGE);
    put_present("mlock_part", q, n);
    r = munlock(q, n * PAGE);
    put("munlock_part.vmas", "%d", vmas_in((uintptr_t)q, (uintptr_t)q + n * PAGE));

    /* A read-only private mapping is populated for reading: the zero page, no RSS. */
    char *z = anon_pages(n, PROT_READ);
    a = flt();
    r = mlock(z, n * PAGE);
    b = flt();
    put_errno("mlock_ro", r != 0, errno);
    put_faults("mlock_ro", a, b);
    put_smaps("mlock_ro", z);

    /* MADV_DONTNEED refuses locked pages. */
    r = madvise(p, n * PAGE, MADV_DONTNEED);
    put_errno("dontneed_unlocked", r != 0, errno);
    if (mlock(p, n * PAGE) != 0) die("mlock");
    r = madvise(p, n * PAGE, MADV_DONTNEED);
    put_errno("dontneed_locked", r != 0, errno);

    /* mlock of an unmapped range. */
    munmap(q, n * PAGE);
    r = mlock(q, n * PAGE);
    put_errno("mlock_unmapped", r != 0, errno);
    return 0;
}
