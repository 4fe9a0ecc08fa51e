/* Fault-around on read faults of file mappings (mm/memory.c do_fault_around, with
 * fault_around_bytes = 64 KiB = 16 pages). The window is the 16-page-aligned block of
 * virtual addresses holding the fault, clamped to the VMA and to the page-table page
 * (512 entries, 2 MiB); when the VMA start cuts the window, the window starts at the VMA
 * start and keeps its 16 pages (up to the page-table page end). Only pages already in the
 * page cache are mapped. Each case reads the listed pages in order and prints, per read,
 * the faults taken and the pages present afterwards (page indices within the mapping). */
#include "oracle.h"

static int fd;

/* Maps `pages` pages of the file at offset `file_page`, at a 2 MiB-aligned address plus
 * `skew_pages`, then reads `reads` in order. */
static void run_case(const char *name, size_t skew_pages, size_t pages, size_t file_page,
                     const size_t *reads, size_t nreads) {
    char *p = reserve(pages * PAGE, 2 * MIB, skew_pages * PAGE);
    map_fixed(p, pages * PAGE, PROT_READ, MAP_PRIVATE, fd, (off_t)(file_page * PAGE));
    char step[96];
    for (size_t i = 0; i < nreads; i++) {
        flt_t a = flt();
        sink = p[reads[i] * PAGE];
        flt_t b = flt();
        snprintf(step, sizeof step, "%s.read%zu", name, reads[i]);
        putl(step, "minflt", b.min - a.min);
        put_present(step, p, pages);
    }
    munmap(p, pages * PAGE);
}

#define CASE(name, skew, pages, file_page, ...)                                          \
    do {                                                                                 \
        static const size_t r_[] = {__VA_ARGS__};                                        \
        run_case(name, skew, pages, file_page, r_, sizeof r_ / sizeof r_[0]);            \
    } while (0)

int main(void) {
    meta("fault_around");
    fd = make_file("fault_around.dat", 1024, 0, 1);
    put("file.cached_pages", "%ld", cached_pages(fd, 1024));

    /* Aligned 64-page mapping: windows 0-15, 16-31, ... */
    CASE("aligned", 0, 64, 0, 5, 20, 15, 63, 40);
    /* The VMA starts 3 pages into a window: the first window is pages 0-15 of the VMA. */
    CASE("start_mid_window", 3, 64, 0, 0, 16, 29, 45, 61);
    /* A fault in the last window of a 20-page VMA: clamped to the VMA end. */
    CASE("end_of_vma", 0, 20, 0, 18, 0);
    /* A file offset does not move the window: it follows virtual addresses. */
    CASE("file_offset", 0, 32, 5, 0, 16);
    /* VMA from page 504 of a page-table page: the window stops at the table's end. */
    CASE("pmd_end", 504, 32, 0, 6, 8, 31);
    /* VMA from page 500: first window 500-511 (12 pages), then the next table. */
    CASE("pmd_mid_window", 500, 32, 0, 0, 12, 28);
    /* One-page VMA. */
    CASE("one_page", 7, 1, 0, 0);

    /* Only cached pages are mapped: a file whose pages 0-7 alone are cached. */
    int fd2 = make_file("fault_around_cold.dat", 64, 0, 0);
    if (posix_fadvise(fd2, 0, 0, POSIX_FADV_RANDOM) != 0) die("fadvise");
    static char buf[PAGE];
    for (int i = 0; i < 8; i++)
        if (pread(fd2, buf, PAGE, (off_t)i * PAGE) != (ssize_t)PAGE) die("pread");
    put("partly_cached.cached_pages", "%ld", cached_pages(fd2, 64));
    char *p = reserve(64 * PAGE, 2 * MIB, 0);
    map_fixed(p, 64 * PAGE, PROT_READ, MAP_PRIVATE, fd2, 0);
    flt_t a = flt();
    sink = p[2 * PAGE];
    flt_t b = flt();
    put_faults("partly_cached.read2", a, b);
    put_present("partly_cached.read2", p, 64);
    close(fd2);
    close(fd);
    unlink("fault_around.dat");
    unlink("fault_around_cold.dat");
    return 0;
}
