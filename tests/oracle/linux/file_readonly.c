/* A file opened read-only. A shared writable mapping is refused at mmap time (EACCES),
 * and so is a later mprotect(PROT_WRITE) of a shared read-only mapping; writing through
 * a shared read-only mapping raises SIGSEGV (SEGV_ACCERR). A private mapping may be
 * writable: writes copy the page and never reach the file. Closing the descriptor does
 * not affect an existing mapping. */
#include "oracle.h"

int main(void) {
    meta("file_readonly");
    probe_install();
    int w = make_file("file_readonly.dat", 4, 0, 1);
    close(w);
    int fd = open("file_readonly.dat", O_RDONLY);
    if (fd < 0) die("open");

    char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    put_errno("shared_rw", m == MAP_FAILED, errno);

    char *s = reserve(4 * PAGE, 2 * MIB, 0);
    m = mmap(s, 4 * PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
    put_errno("shared_ro", m == MAP_FAILED, errno);
    put_vmflags("shared_ro", s);
    PROBE(sink = s[PAGE]);
    put_signal("shared_ro_read", s);
    PROBE(((volatile char *)s)[2 * PAGE + 4] = 1);
    put_signal("shared_ro_write", s);
    int r = mprotect(s, 4 * PAGE, PROT_READ | PROT_WRITE);
    put_errno("shared_ro_mprotect_write", r != 0, errno);

    char *q = reserve(4 * PAGE, 2 * MIB, 0);
    m = mmap(q, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
    put_errno("private_rw", m == MAP_FAILED, errno);
    close(fd);
    flt_t a = flt();
    PROBE(write_pages(q, 4, 0x66));
    flt_t b = flt();
    put_signal("private_rw_write_after_close", q);
    put_faults("private_rw_write_after_close", a, b);
    put_smaps("private_rw_write_after_close", q);
    fd = open("file_readonly.dat", O_RDONLY);
    unsigned char c = 0;
    if (pread(fd, &c, 1, 0) != 1) die("pread");
    put("private_rw.file_unchanged", "%d", c == file_byte(0));

    char *v = reserve(4 * PAGE, 2 * MIB, 0);
    map_fixed(v, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    r = mprotect(v, 4 * PAGE, PROT_READ | PROT_WRITE);
    put_errno("private_ro_mprotect_write", r != 0, errno);
    put_vmflags("private_ro_mprotect_write", v);
    close(fd);
    unlink("file_readonly.dat");
    return 0;
}
