/* MAP_POPULATE and MADV_POPULATE_{READ,WRITE} pre-fault a range inside the system call.
 * The pre-faults are ordinary faults taken on behalf of the process (get_user_pages) and
 * are counted in its minor faults; later accesses take none. A private writable mapping
 * is populated for writing (anonymous pages, copies of file pages); a read-only or shared
 * mapping is populated for reading (zero page / page cache, with fault-around). */
#include "oracle.h"

static char *populate(const char *step, size_t n, int prot, int flags, int fd) {
    char *p = reserve(n * PAGE, 2 * MIB, 0);
    flt_t a = flt();
    char *m = mmap(p, n * PAGE, prot, flags | MAP_FIXED | MAP_POPULATE, fd, 0);
    flt_t b = flt();
    if (m == MAP_FAILED) die("mmap");
    put_faults(step, a, b);
    put_smaps(step, m);
    return m;
}

int main(void) {
    meta("map_populate");
    const size_t n = 64;
    char *p = populate("anon_rw", n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    flt_t a = flt();
    write_pages(p, n, 1);
    flt_t b = flt();
    put_faults("anon_rw_write", a, b);

    p = populate("anon_ro", n, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    put_present("anon_ro", p, n);

    int fd = make_file("map_populate.dat", n, 0, 1);
    p = populate("file_private_rw", n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
    p = populate("file_private_ro", n, PROT_READ, MAP_PRIVATE, fd);
    p = populate("file_shared_rw", n, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    a = flt();
    write_pages(p, n, 2);
    b = flt();
    put_faults("file_shared_rw_write", a, b);

    char *q = anon_pages(n, PROT_READ | PROT_WRITE);
    a = flt();
    int r = madvise(q, n * PAGE, MADV_POPULATE_READ);
    b = flt();
    put_errno("madv_populate_read", r != 0, errno);
    put_faults("madv_populate_read", a, b);
    put_smaps("madv_populate_read", q);
    a = flt();
    r = madvise(q, n * PAGE, MADV_POPULATE_WRITE);
    b = flt();
    put_errno("madv_populate_write", r != 0, errno);
    put_faults("madv_populate_write", a, b);
    put_smaps("madv_populate_write", q);
    a = flt();
    write_pages(q, n, 3);
    b = flt();
    put_faults("madv_populate_write_then_write", a, b);
    close(fd);
    unlink("map_populate.dat");
    return 0;
}
