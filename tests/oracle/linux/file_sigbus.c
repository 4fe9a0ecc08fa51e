/* Accesses beyond the end of a mapped file. The file is 1 page + 100 bytes long and the
 * mapping 4 pages: the partial last page reads as file data then zeros; a whole page past
 * the end raises SIGBUS with si_code BUS_ADRERR and the exact address (not counted as a
 * fault). Also a private mapping, and a file truncated while mapped. */
#include "oracle.h"

int main(void) {
    meta("file_sigbus");
    probe_install();
    int fd = make_file("file_sigbus.dat", 1, 100, 1);
    char *p = reserve(4 * PAGE, 2 * MIB, 0);
    map_fixed(p, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    flt_t a = flt();
    PROBE(sink = p[PAGE + 50]);
    flt_t b = flt();
    put_signal("in_file", p);
    put_faults("in_file", a, b);
    put("in_file.value_ok", "%d", (unsigned char)p[PAGE + 50] == file_byte(PAGE + 50));
    PROBE(sink = p[PAGE + 200]);
    put_signal("tail_of_last_page", p);
    put("tail_of_last_page.value", "%d", p[PAGE + 200]);

    a = flt();
    PROBE(sink = p[2 * PAGE]);
    b = flt();
    put_signal("page_past_eof", p);
    put_faults("page_past_eof", a, b);
    PROBE(((volatile char *)p)[3 * PAGE + 5] = 1);
    put_signal("write_page_past_eof", p);

    /* A write into the tail of the last page lands in the page cache but never extends
     * the file. */
    PROBE(((volatile char *)p)[PAGE + 300] = 9);
    put_signal("write_tail", p);
    msync(p, 4 * PAGE, MS_SYNC);
    struct stat st;
    fstat(fd, &st);
    put("write_tail.file_size", "%ld", (long)st.st_size);
    put_smaps("shared", p);

    char *q = reserve(4 * PAGE, 2 * MIB, 0);
    map_fixed(q, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    PROBE(sink = q[2 * PAGE + 16]);
    put_signal("private_read_past_eof", q);
    PROBE(((volatile char *)q)[3 * PAGE] = 1);
    put_signal("private_write_past_eof", q);

    /* Truncation while mapped: pages beyond the new end are unmapped; touching them again
     * raises SIGBUS. */
    int fd2 = make_file("file_sigbus_trunc.dat", 4, 0, 1);
    char *t = reserve(4 * PAGE, 2 * MIB, 0);
    map_fixed(t, 4 * PAGE, PROT_READ, MAP_SHARED, fd2, 0);
    read_pages(t, 4);
    put_present("before_truncate", t, 4);
    if (ftruncate(fd2, PAGE) != 0) die("ftruncate");
    put_present("after_truncate", t, 4);
    PROBE(sink = t[2 * PAGE + 1]);
    put_signal("after_truncate", t);
    PROBE(sink = t[10]);
    put_signal("after_truncate_first_page", t);
    close(fd);
    close(fd2);
    unlink("file_sigbus.dat");
    unlink("file_sigbus_trunc.dat");
    return 0;
}
