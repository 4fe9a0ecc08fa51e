/* Major faults: reading a private file mapping whose file is not in the page cache.
 * With MADV_RANDOM no readahead happens, so each of the 64 reads is a major fault that
 * reads one page from the disk. With MADV_SEQUENTIAL the first fault reads ahead and is
 * major, and later faults find pages in the cache. Then, with the file cached, the same
 * reads are minor faults with fault-around (4 faults). */
#include "oracle.h"

static void cold_read(const char *step, int fd, size_t n, int advice) {
    if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) die("fadvise");
    char key[64];
    snprintf(key, sizeof key, "%s.cached_before", step);
    put(key, "%ld", cached_pages(fd, n));
    char *p = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(p, n * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    if (advice >= 0 && madvise(p, n * PAGE, advice) != 0) die("madvise");
    flt_t a = flt();
    read_pages(p, n);
    flt_t b = flt();
    put_faults(step, a, b);
    snprintf(key, sizeof key, "%s.cached_after", step);
    put(key, "%ld", cached_pages(fd, n));
    munmap(p, n * PAGE);
}

int main(void) {
    meta("file_major");
    const size_t n = 64;
    int fd = make_file("file_major.dat", n, 0, 0);
    cold_read("random", fd, n, MADV_RANDOM);
    cold_read("sequential", fd, n, MADV_SEQUENTIAL);
    cold_read("normal", fd, n, -1);
    char *p = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(p, n * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    flt_t a = flt();
    read_pages(p, n);
    flt_t b = flt();
    put_faults("cached", a, b);
    close(fd);
    unlink("file_major.dat");
    return 0;
}
