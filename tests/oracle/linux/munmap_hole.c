/* munmap of a hole in the middle of a mapping splits the VMA in two; an access in the
 * hole raises SIGSEGV with si_code SEGV_MAPERR at the exact address, while its neighbours
 * keep their data. Unmapping a range that holds no mapping succeeds. Mapping the hole
 * again gives fresh zero pages. */
#include "oracle.h"

int main(void) {
    meta("munmap_hole");
    probe_install();
    const size_t n = 8;
    char *p = anon_pages(n, PROT_READ | PROT_WRITE);
    write_pages(p, n, 5);
    uintptr_t lo = (uintptr_t)p, hi = lo + n * PAGE;
    put("mapped.vmas", "%d", vmas_in(lo, hi));

    int r = munmap(p + 3 * PAGE, 2 * PAGE);
    put_errno("hole", r != 0, errno);
    put("hole.vmas", "%d", vmas_in(lo, hi));
    put_smaps("hole_low", p);
    put_smaps("hole_high", p + 5 * PAGE);

    flt_t a = flt();
    PROBE(sink = p[3 * PAGE + 0x10]);
    flt_t b = flt();
    put_signal("read_hole", p);
    put_faults("read_hole", a, b);
    PROBE(((volatile char *)p)[4 * PAGE + 0xfff] = 1);
    put_signal("write_hole", p);
    PROBE(sink = p[2 * PAGE + 0xfff]);
    put_signal("read_below_hole", p);
    PROBE(sink = p[5 * PAGE]);
    put_signal("read_above_hole", p);
    put("neighbours.data_kept", "%d", p[2 * PAGE] == 5 && p[5 * PAGE] == 5);

    r = munmap(p + 3 * PAGE, 2 * PAGE);
    put_errno("unmap_hole_again", r != 0, errno);

    char *m = mmap(p + 3 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    put_errno("remap_hole", m == MAP_FAILED, errno);
    put("remap_hole.same_address", "%d", m == p + 3 * PAGE);
    put("remap_hole.zero", "%d", m != MAP_FAILED && m[0] == 0 && m[PAGE + 5] == 0);
    put("remap_hole.vmas", "%d", vmas_in(lo, hi));

    r = munmap(p, n * PAGE);
    put_errno("unmap_all", r != 0, errno);
    put("unmap_all.vmas", "%d", vmas_in(lo, hi));
    PROBE(sink = p[0]);
    put_signal("read_unmapped", p);
    return 0;
}
