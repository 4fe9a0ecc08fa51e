/* madvise(MADV_FREE) marks private anonymous pages lazily freeable: nothing is freed
 * until memory is short, the pages stay mapped and keep their data (smaps LazyFree), and
 * a write cancels the lazy free for that page (its PTE becomes dirty again) without a
 * fault. The lazyfree marking waits in per-CPU batches of 31 folios; the program drains
 * them (drain_lru) before reading smaps, else LazyFree shows 248 kB for 64 pages.
 * (Reclaim would drop clean lazyfree pages; this machine has plenty of memory.) */
#include "oracle.h"

int main(void) {
    meta("madv_free");
    const size_t n = 64;
    char *p = anon_pages(n, PROT_READ | PROT_WRITE);
    write_pages(p, n, 0x42);
    flt_t a = flt();
    int r = madvise(p, n * PAGE, MADV_FREE);
    flt_t b = flt();
    put_errno("free", r != 0, errno);
    put_faults("free", a, b);
    drain_lru();
    put_smaps("free", p);
    put_present("free", p, n);

    a = flt();
    read_pages(p, n);
    b = flt();
    put_faults("read", a, b);
    int kept = 1;
    for (size_t i = 0; i < n; i++)
        if (p[i * PAGE] != 0x42) kept = 0;
    put("read.data_kept", "%d", kept);
    put_smaps("read", p);

    a = flt();
    write_pages(p, 16, 0x43);
    b = flt();
    put_faults("write16", a, b);
    drain_lru();
    put_smaps("write16", p);

    /* MADV_FREE on a file mapping is refused. */
    int fd = make_file("madv_free.dat", 4, 0, 1);
    char *f = reserve(4 * PAGE, 2 * MIB, 0);
    map_fixed(f, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    r = madvise(f, 4 * PAGE, MADV_FREE);
    put_errno("free_file", r != 0, errno);

    /* Pages never touched: nothing to do. */
    char *q = anon_pages(n, PROT_READ | PROT_WRITE);
    r = madvise(q, n * PAGE, MADV_FREE);
    put_errno("free_untouched", r != 0, errno);
    put_smaps("free_untouched", q);
    close(fd);
    unlink("madv_free.dat");
    return 0;
}
