/* Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS, backed by shmem) across fork.
 * fork does not copy page tables for a shared mapping: the child faults its pages in
 * again, with fault-around over the pages already in the shmem cache; a page nobody
 * touched yet is allocated (zeroed) even by a read. Writes are seen by both processes. */
#include "oracle.h"

int main(void) {
    meta("shared_anon");
    const size_t n = 64;
    char *p = reserve(n * PAGE, 2 * MIB, 0);
    map_fixed(p, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    flt_t a = flt();
    write_pages(p, 16, 0x21);
    flt_t b = flt();
    put_faults("parent_write16", a, b);
    put_smaps("parent_write16", p);

    int c2p[2];
    if (pipe(c2p) != 0) die("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        warm_after_fork();
        put_present("child_start", p, n);
        a = flt();
        read_pages(p, n);
        b = flt();
        put_faults("child_read64", a, b);
        put_present("child_read64", p, n);
        put("child_read64.sees_parent", "%d", p[3 * PAGE] == 0x21 && p[40 * PAGE] == 0);
        put_smaps("child_read64", p);
        a = flt();
        write_pages(p + 32 * PAGE, 8, 0x22);
        b = flt();
        put_faults("child_write8", a, b);
        fflush(stdout);
        char c = 'x';
        if (write(c2p[1], &c, 1) != 1) die("write");
        _exit(0);
    }
    warm_after_fork();
    char c;
    if (read(c2p[0], &c, 1) != 1) die("read");
    int st;
    waitpid(pid, &st, 0);
    a = flt();
    sink = p[32 * PAGE];
    b = flt();
    put_faults("parent_read_child_page", a, b);
    put("parent_read_child_page.sees_child", "%d", p[32 * PAGE] == 0x22);
    put_present("parent_after_child", p, n);
    put_smaps("parent_after_child", p);
    return 0;
}
