/* Demand-zero anonymous memory: 64 private anonymous pages are read (each read fault maps
 * the shared zero page, which is not counted in RSS), then written (each write fault
 * replaces the zero page with a new zeroed frame), then written again (no fault).
 * A second mapping is written without being read first (one fault per page). */
#include "oracle.h"

int main(void) {
    meta("anon_read_write");
    const size_t n = 64;
    char *p = anon_pages(n, PROT_READ | PROT_WRITE);
    put_smaps("mapped", p);

    flt_t a = flt();
    read_pages(p, n);
    flt_t b = flt();
    put_faults("read", a, b);
    put_smaps("read", p);
    put_present("read", p, n);

    a = flt();
    write_pages(p, n, 1);
    b = flt();
    put_faults("write", a, b);
    put_smaps("write", p);

    a = flt();
    write_pages(p, n, 2);
    b = flt();
    put_faults("rewrite", a, b);

    int zero = 1;
    char *q = anon_pages(n, PROT_READ | PROT_WRITE);
    a = flt();
    write_pages(q, n, 3);
    b = flt();
    put_faults("write_first", a, b);
    put_smaps("write_first", q);
    for (size_t i = 0; i < n * PAGE; i++)
        if (i % PAGE != 0 && q[i] != 0) zero = 0;
    put("write_first.rest_zero", "%d", zero);
    return 0;
}
