/* Copy-on-write after fork: the parent writes 64 private anonymous pages and forks; the
 * child writes 16 of them (16 faults, each copies a page) and stays alive; then the parent
 * writes all 64 (64 faults: the 48 pages still shared with the child are copied, the 16
 * that the child already copied away are the parent's alone and are reused in place).
 * Copy versus reuse is read from /proc/self/pagemap: a copied page changes frame. */
#include "oracle.h"

int main(void) {
    meta("fork_cow");
    const size_t n = 64, nchild = 16;
    char *p = anon_pages(n, PROT_READ | PROT_WRITE);
    flt_t a = flt();
    write_pages(p, n, 1);
    flt_t b = flt();
    put_faults("parent_fill", a, b);
    put_smaps("parent_fill", p);

    int c2p[2], p2c[2];
    if (pipe(c2p) != 0 || pipe(p2c) != 0) die("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        warm_after_fork();
        put_smaps("child_start", p);
        a = flt();
        write_pages(p, nchild, 2);
        b = flt();
        put_faults("child_write16", a, b);
        put_smaps("child_write16", p);
        fflush(stdout);
        char c = 'w';
        if (write(c2p[1], &c, 1) != 1) die("write pipe");
        if (read(p2c[0], &c, 1) != 1) die("read pipe");
        /* The child still sees its own values and the parent's values of before the fork. */
        int ok = 1;
        for (size_t i = 0; i < n; i++)
            if (p[i * PAGE] != (i < nchild ? 2 : 1)) ok = 0;
        put("child_end.values_ok", "%d", ok);
        fflush(stdout);
        _exit(0);
    }
    warm_after_fork();
    char c;
    if (read(c2p[0], &c, 1) != 1) die("read pipe");
    put_smaps("parent_before_write", p);
    static uint64_t pfn_before[64];
    for (size_t i = 0; i < n; i++) pfn_before[i] = pte_pfn(p + i * PAGE);
    a = flt();
    write_pages(p, n, 3);
    b = flt();
    put_faults("parent_write64", a, b);
    long copied_child_pages = 0, copied_other_pages = 0;
    for (size_t i = 0; i < n; i++) {
        if (pte_pfn(p + i * PAGE) == pfn_before[i]) continue;
        if (i < nchild) copied_child_pages++;
        else copied_other_pages++;
    }
    put("parent_write64.copied", "%ld", copied_child_pages + copied_other_pages);
    put("parent_write64.reused", "%ld", (long)n - copied_child_pages - copied_other_pages);
    put("parent_write64.copied_of_child_written", "%ld", copied_child_pages);
    put_smaps("parent_write64", p);
    fflush(stdout);
    if (write(p2c[1], &c, 1) != 1) die("write pipe");
    int st = 0;
    waitpid(pid, &st, 0);
    put("child.exit_status", "%d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    put_smaps("parent_after_child_exit", p);
    return 0;
}
