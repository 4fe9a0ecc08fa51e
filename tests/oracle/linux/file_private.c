/* A private file mapping of a file whose 64 pages are all in the page cache, placed at a
 * 2 MiB-aligned address. Reading the 64 pages takes 4 faults: each read fault maps the
 * 16 cached pages of its aligned 64 KiB window (fault-around, fault_around_bytes = 64 KiB).
 * Writing them then takes 64 faults: each write copies the page into a private anonymous
 * frame (copy-on-write of a file page); the file itself is unchanged. */
#include "oracle.h"

int main(void) {
    meta("file_private");
    const size_t n = 64;
    int fd = make_file("file_private.dat", n, 0, 1);
    put("file.cached_pages", "%ld", cached_pages(fd, n));
    char *p = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(p, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    put_smaps("mapped", p);

    flt_t a = flt();
    read_pages(p, n);
    flt_t b = flt();
    put_faults("read", a, b);
    put_present("read", p, n);
    put_smaps("read", p);
    int same = 1;
    for (size_t i = 0; i < n * PAGE; i++)
        if ((unsigned char)p[i] != file_byte(i)) same = 0;
    put("read.data_matches_file", "%d", same);

    a = flt();
    write_pages(p, n, 0x5a);
    b = flt();
    put_faults("write", a, b);
    put_smaps("write", p);

    a = flt();
    write_pages(p, n, 0x5b);
    b = flt();
    put_faults("rewrite", a, b);

    unsigned char c = 0;
    if (pread(fd, &c, 1, 0) != 1) die("pread");
    put("write.file_byte0_unchanged", "%d", c == file_byte(0));

    /* Writing without reading first: one fault per page, each a copy of the cached page. */
    char *q = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(q, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    a = flt();
    write_pages(q, n, 0x5c);
    b = flt();
    put_faults("write_first", a, b);
    put_smaps("write_first", q);
    same = 1;
    for (size_t i = 0; i < n * PAGE; i++)
        if (i % PAGE != 0 && (unsigned char)q[i] != file_byte(i)) same = 0;
    put("write_first.rest_matches_file", "%d", same);

    /* munmap the written private mapping: the copies are freed, the page cache stays. */
    munmap(p, n * PAGE);
    munmap(q, n * PAGE);
    put("unmapped.cached_pages", "%ld", cached_pages(fd, n));
    close(fd);
    unlink("file_private.dat");
    return 0;
}
