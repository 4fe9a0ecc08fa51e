/* A shared file mapping (file of 64 cached pages, 2 MiB-aligned mapping, read-write).
 * Shared file pages are mapped read-only until their first write so that the kernel sees
 * them become dirty: writing the 64 pages takes 64 faults; writing again none; msync
 * (MS_SYNC) writes them back and write-protects them again, so the next write takes 64
 * faults again. Reading first maps the pages read-only with fault-around (4 faults), and
 * the writes that follow still fault once per page. */
#include "oracle.h"

int main(void) {
    meta("file_shared");
    const size_t n = 64;
    int fd = make_file("file_shared.dat", n, 0, 1);
    char *p = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(p, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    flt_t a = flt();
    write_pages(p, n, 0x11);
    flt_t b = flt();
    put_faults("write", a, b);
    put_smaps("write", p);

    unsigned char c = 0;
    if (pread(fd, &c, 1, 5 * PAGE) != 1) die("pread");
    put("write.read_syscall_sees_write", "%d", c == 0x11);

    a = flt();
    write_pages(p, n, 0x12);
    b = flt();
    put_faults("rewrite", a, b);

    a = flt();
    int r = msync(p, n * PAGE, MS_SYNC);
    b = flt();
    put_errno("msync", r != 0, errno);
    put_faults("msync", a, b);
    put_smaps("msync", p);

    a = flt();
    read_pages(p, n);
    b = flt();
    put_faults("read_after_msync", a, b);

    a = flt();
    write_pages(p, n, 0x13);
    b = flt();
    put_faults("write_after_msync", a, b);
    put_smaps("write_after_msync", p);

    /* MS_ASYNC does not write-protect: the next write does not fault. */
    a = flt();
    r = msync(p, n * PAGE, MS_ASYNC);
    b = flt();
    put_errno("msync_async", r != 0, errno);
    a = flt();
    write_pages(p, n, 0x14);
    b = flt();
    put_faults("write_after_msync_async", a, b);
    put_smaps("write_after_msync_async", p);

    /* A second shared mapping of the same file, read first then written. */
    if (msync(p, n * PAGE, MS_SYNC) != 0) die("msync");
    char *q = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(q, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    a = flt();
    read_pages(q, n);
    b = flt();
    put_faults("second_read", a, b);
    put_present("second_read", q, n);
    put("second_read.sees_first_mapping", "%d", q[7 * PAGE] == 0x14);
    put_smaps("second_read", q);
    a = flt();
    write_pages(q, n, 0x15);
    b = flt();
    put_faults("second_write", a, b);
    put_smaps("second_write", q);
    put_smaps("second_write_first_mapping", p);
    put("second_write.first_mapping_sees_it", "%d", p[9 * PAGE] == 0x15);

    munmap(q, n * PAGE);
    munmap(p, n * PAGE);
    if (pread(fd, &c, 1, 9 * PAGE) != 1) die("pread");
    put("unmapped.file_has_last_write", "%d", c == 0x15);
    close(fd);
    unlink("file_shared.dat");
    return 0;
}
