/* mremap of private anonymous memory. Growing in place (free space after the mapping)
 * keeps the address and the resident pages, takes no fault, and the new pages fault on
 * first touch. When the space after is taken, growing fails with ENOMEM unless
 * MREMAP_MAYMOVE: then the VMA moves, its page-table entries move with it (reading the
 * old data takes no fault) and the old range is unmapped. Shrinking frees the tail.
 * MREMAP_FIXED moves to a given address; MREMAP_DONTUNMAP leaves the old range mapped
 * but empty. */
#include "oracle.h"

static int check_values(const char *p, size_t pages) {
    for (size_t i = 0; i < pages; i++)
        if (p[i * PAGE] != (char)(i + 1)) return 0;
    return 1;
}
static void fill_values(char *p, size_t pages) {
    for (size_t i = 0; i < pages; i++) p[i * PAGE] = (char)(i + 1);
}

int main(void) {
    meta("mremap_grow");
    probe_install();
    /* In place: 16 pages with 48 free pages after them. */
    char *p = anon_pages(64, PROT_READ | PROT_WRITE);
    munmap(p + 16 * PAGE, 48 * PAGE);
    fill_values(p, 16);
    flt_t a = flt();
    char *volatile r = mremap(p, 16 * PAGE, 64 * PAGE, 0);
    flt_t b = flt();
    put_errno("in_place", r == MAP_FAILED, errno);
    put("in_place.same_address", "%d", r == p);
    put_faults("in_place", a, b);
    put_smaps("in_place", p);
    a = flt();
    int ok = check_values(p, 16);
    b = flt();
    put("in_place.data_kept", "%d", ok);
    put_faults("in_place_read_old", a, b);
    a = flt();
    write_pages(p + 16 * PAGE, 48, 9);
    b = flt();
    put_faults("in_place_write_new", a, b);

    /* Shrink. */
    r = mremap(p, 64 * PAGE, 32 * PAGE, 0);
    put_errno("shrink", r == MAP_FAILED, errno);
    put("shrink.same_address", "%d", r == p);
    put_smaps("shrink", p);
    PROBE(sink = p[40 * PAGE]);
    put_signal("shrink_access_tail", p);

    /* Blocked: the page after the mapping belongs to another VMA (the reservation). */
    char *q = anon_pages(16, PROT_READ | PROT_WRITE);
    fill_values(q, 16);
    r = mremap(q, 16 * PAGE, 64 * PAGE, 0);
    put_errno("blocked", r == MAP_FAILED, errno);
    a = flt();
    r = mremap(q, 16 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
    b = flt();
    put_errno("maymove", r == MAP_FAILED, errno);
    put("maymove.moved", "%d", r != q);
    put_faults("maymove", a, b);
    put_smaps("maymove", r);
    a = flt();
    ok = check_values(r, 16);
    b = flt();
    put("maymove.data_kept", "%d", ok);
    put_faults("maymove_read_old", a, b);
    PROBE(sink = q[0]);
    put_signal("maymove_old_address", q);

    /* MREMAP_FIXED to a chosen, reserved address (the reservation there is replaced). */
    char *dst = reserve(64 * PAGE, 2 * MIB, 0);
    char *volatile moved = r;
    a = flt();
    r = mremap(moved, 64 * PAGE, 64 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
    b = flt();
    put_errno("fixed", r == MAP_FAILED, errno);
    put("fixed.at_target", "%d", r == dst);
    put_faults("fixed", a, b);
    put("fixed.data_kept", "%d", check_values(dst, 16));

    /* MREMAP_DONTUNMAP: the old range stays mapped, empty (zero-fill on the next touch). */
    char *d2 = reserve(64 * PAGE, 2 * MIB, 0);
    munmap(d2, 64 * PAGE);
    r = mremap(dst, 64 * PAGE, 64 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, d2);
    put_errno("dontunmap", r == MAP_FAILED, errno);
    put("dontunmap.data_moved", "%d", r == d2 && check_values(d2, 16));
    put_smaps("dontunmap_old", dst);
    a = flt();
    PROBE(sink = dst[3 * PAGE]);
    b = flt();
    put_signal("dontunmap_old_read", dst);
    put_faults("dontunmap_old_read", a, b);
    put("dontunmap_old_read.zero", "%d", dst[3 * PAGE] == 0);
    return 0;
}
