/* madvise(MADV_DONTNEED) drops the pages of a range at once. For private anonymous memory
 * the next read sees zeros again (demand-zero: 64 faults, zero page, RSS 0). For a private
 * file mapping the private copies are dropped and the next read sees the file again
 * (fault-around from the page cache). For a shared file mapping the data stays in the
 * page cache and only the page-table entries go. */
#include "oracle.h"

int main(void) {
    meta("madv_dontneed");
    const size_t n = 64;
    char *p = anon_pages(n, PROT_READ | PROT_WRITE);
    write_pages(p, n, 0xab);
    put_smaps("anon_written", p);
    flt_t a = flt();
    int r = madvise(p, n * PAGE, MADV_DONTNEED);
    flt_t b = flt();
    put_errno("anon_dontneed", r != 0, errno);
    put_faults("anon_dontneed", a, b);
    put_smaps("anon_dontneed", p);
    put_present("anon_dontneed", p, n);

    a = flt();
    read_pages(p, n);
    b = flt();
    put_faults("anon_read", a, b);
    int zero = 1;
    for (size_t i = 0; i < n * PAGE; i++)
        if (p[i] != 0) zero = 0;
    put("anon_read.all_zero", "%d", zero);
    put_smaps("anon_read", p);

    /* Part of a range: the VMA is not split. */
    write_pages(p, n, 0xcd);
    r = madvise(p + 16 * PAGE, 16 * PAGE, MADV_DONTNEED);
    put_errno("anon_dontneed_part", r != 0, errno);
    put("anon_dontneed_part.vmas", "%d", vmas_in((uintptr_t)p, (uintptr_t)p + n * PAGE));
    put_present("anon_dontneed_part", p, n);
    put_smaps("anon_dontneed_part", p);

    int fd = make_file("madv_dontneed.dat", n, 0, 1);
    char *f = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(f, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    write_pages(f, n, 0xee);
    put_smaps("private_file_written", f);
    r = madvise(f, n * PAGE, MADV_DONTNEED);
    put_errno("private_file_dontneed", r != 0, errno);
    put_smaps("private_file_dontneed", f);
    a = flt();
    read_pages(f, n);
    b = flt();
    put_faults("private_file_read", a, b);
    int same = 1;
    for (size_t i = 0; i < n * PAGE; i++)
        if ((unsigned char)f[i] != file_byte(i)) same = 0;
    put("private_file_read.matches_file", "%d", same);
    put_smaps("private_file_read", f);

    char *s = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(s, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    write_pages(s, n, 0x77);
    r = madvise(s, n * PAGE, MADV_DONTNEED);
    put_errno("shared_file_dontneed", r != 0, errno);
    put_smaps("shared_file_dontneed", s);
    a = flt();
    read_pages(s, n);
    b = flt();
    put_faults("shared_file_read", a, b);
    put("shared_file_read.keeps_writes", "%d", s[5 * PAGE] == 0x77);
    close(fd);
    unlink("madv_dontneed.dat");
    return 0;
}
