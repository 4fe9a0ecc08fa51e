/* The errno of invalid arguments to mmap, munmap, mprotect, mremap, madvise, msync and
 * mlock (and what succeeds although it looks wrong). One line per case: "<case>.errno
 * <name>" or "ok". The last part runs in a child without capabilities, where
 * mmap_min_addr and RLIMIT_MEMLOCK apply. */
#include "oracle.h"

#include <linux/capability.h>

#define CASE(name, failed_expr)                       \
    do {                                              \
        errno = 0;                                    \
        int failed_ = (failed_expr);                  \
        put_errno(name, failed_, errno);              \
    } while (0)

#define MMAP_FAILS(...) (mmap(__VA_ARGS__) == MAP_FAILED)
#define MREMAP_FAILS(...) (mremap(__VA_ARGS__) == MAP_FAILED)

static const int RW = PROT_READ | PROT_WRITE;
static const int PA = MAP_PRIVATE | MAP_ANONYMOUS;

static void drop_capabilities(void) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d) != 0) die("capset");
}

int main(void) {
    meta("errno_args");
    char *p = anon_pages(16, RW); /* 16 pages; PROT_NONE reservation pages around it */
    write_pages(p, 16, 1);
    int fd = make_file("errno_args.dat", 4, 0, 1);
    int rdonly = open("errno_args.dat", O_RDONLY);
    int wronly = open("errno_args.dat", O_WRONLY);
    int append = open("errno_args.dat", O_RDWR | O_APPEND);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    int pipefd[2];
    if (rdonly < 0 || wronly < 0 || append < 0 || dir < 0 || pipe(pipefd) != 0) die("open");
    int closed = dup(fd);
    close(closed);
    char *hole = anon_pages(4, RW);
    munmap(hole, 4 * PAGE); /* a free, known range */

    CASE("mmap_len_zero", MMAP_FAILS(NULL, 0, RW, PA, -1, 0));
    CASE("mmap_no_share_type", MMAP_FAILS(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0));
    CASE("mmap_validate_unknown_flag", MMAP_FAILS(NULL, PAGE, RW, MAP_SHARED_VALIDATE | 0x200000, fd, 0));
    CASE("mmap_validate_map_sync_not_dax", MMAP_FAILS(NULL, PAGE, RW, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0));
    CASE("mmap_map_sync_without_validate", MMAP_FAILS(NULL, PAGE, RW, MAP_SHARED | MAP_SYNC, fd, 0));
    CASE("mmap_fixed_unaligned", MMAP_FAILS(hole + 1, PAGE, RW, PA | MAP_FIXED, -1, 0));
    CASE("mmap_hint_unaligned", MMAP_FAILS(hole + 1, PAGE, RW, PA, -1, 0));
    CASE("mmap_offset_unaligned", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100));
    CASE("mmap_offset_negative", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, -4096));
    CASE("mmap_offset_past_max", MMAP_FAILS(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0x7ffffffffffff000LL));
    CASE("mmap_bad_fd", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0));
    CASE("mmap_closed_fd", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_PRIVATE, closed, 0));
    CASE("mmap_anon_ignores_fd", MMAP_FAILS(NULL, PAGE, RW, PA, 12345, 0));
    CASE("mmap_len_huge", MMAP_FAILS(NULL, 1UL << 62, RW, PA | MAP_NORESERVE, -1, 0));
    CASE("mmap_len_wraps", MMAP_FAILS(NULL, (size_t)-PAGE, RW, PA, -1, 0));
    CASE("mmap_fixed_past_task_size", MMAP_FAILS((void *)0x7ffffffff000UL, 2 * PAGE, RW, PA | MAP_FIXED, -1, 0));
    CASE("mmap_fixed_kernel_half", MMAP_FAILS((void *)0xffff800000000000UL, PAGE, RW, PA | MAP_FIXED, -1, 0));
    CASE("mmap_fixed_noreplace_exact", MMAP_FAILS(p, PAGE, RW, PA | MAP_FIXED_NOREPLACE, -1, 0));
    CASE("mmap_fixed_noreplace_overlap", MMAP_FAILS(p - PAGE, 2 * PAGE, RW, PA | MAP_FIXED_NOREPLACE, -1, 0));
    {
        char *h = mmap(p, PAGE, RW, PA, -1, 0);
        put("mmap_hint_taken.placed_at_hint", "%d", h == p);
        if (h != MAP_FAILED && h != p) munmap(h, PAGE);
    }
    CASE("mmap_shared_write_rdonly_fd", MMAP_FAILS(NULL, PAGE, RW, MAP_SHARED, rdonly, 0));
    CASE("mmap_shared_read_rdonly_fd", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_SHARED, rdonly, 0));
    CASE("mmap_private_write_rdonly_fd", MMAP_FAILS(NULL, PAGE, RW, MAP_PRIVATE, rdonly, 0));
    CASE("mmap_read_wronly_fd", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_SHARED, wronly, 0));
    CASE("mmap_write_only_wronly_fd", MMAP_FAILS(NULL, PAGE, PROT_WRITE, MAP_SHARED, wronly, 0));
    CASE("mmap_shared_write_append_fd", MMAP_FAILS(NULL, PAGE, RW, MAP_SHARED, append, 0));
    CASE("mmap_directory", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0));
    CASE("mmap_pipe", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_PRIVATE, pipefd[0], 0));
    CASE("mmap_unknown_prot_bit", MMAP_FAILS(NULL, PAGE, RW | 0x100, PA, -1, 0));
    CASE("mmap_past_eof", MMAP_FAILS(NULL, 64 * PAGE, PROT_READ, MAP_SHARED, fd, 32 * PAGE));
    CASE("mmap_growsdown_anon", MMAP_FAILS(NULL, PAGE, RW, PA | MAP_GROWSDOWN, -1, 0));
    CASE("mmap_growsdown_file", MMAP_FAILS(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0));
    CASE("mmap_fixed_replace", MMAP_FAILS(p + 8 * PAGE, PAGE, RW, PA | MAP_FIXED, -1, 0));
    put("mmap_fixed_replace.zeroed", "%d", p[8 * PAGE] == 0);

    CASE("munmap_unaligned", munmap(p + 1, PAGE) != 0);
    CASE("munmap_len_zero", munmap(p, 0) != 0);
    CASE("munmap_unmapped", munmap(hole, 4 * PAGE) != 0);
    CASE("munmap_past_task_size", munmap((void *)0x7ffffffff000UL, 2 * PAGE) != 0);
    CASE("munmap_kernel_half", munmap((void *)0xffff800000000000UL, PAGE) != 0);
    CASE("munmap_len_unaligned", munmap(hole, 100) != 0);

    CASE("mprotect_unaligned", mprotect(p + 1, PAGE, PROT_READ) != 0);
    CASE("mprotect_len_zero", mprotect(p, 0, PROT_READ) != 0);
    CASE("mprotect_len_unaligned", mprotect(p, 100, RW) != 0);
    CASE("mprotect_unmapped", mprotect(hole, PAGE, PROT_READ) != 0);
    CASE("mprotect_spans_hole", mprotect(hole - PAGE, 2 * PAGE, RW) != 0);
    CASE("mprotect_unknown_prot_bit", mprotect(p, PAGE, RW | 0x100) != 0);
    CASE("mprotect_growsdown_not_stack", mprotect(p, PAGE, RW | PROT_GROWSDOWN) != 0);
    {
        char *s = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, rdonly, 0);
        CASE("mprotect_write_shared_rdonly_fd", mprotect(s, PAGE, RW) != 0);
        char *v = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, rdonly, 0);
        CASE("mprotect_write_private_rdonly_fd", mprotect(v, PAGE, RW) != 0);
        munmap(s, PAGE);
        munmap(v, PAGE);
    }

    p = anon_pages(16, RW); /* a fresh single VMA for mremap */
    CASE("mremap_unaligned", MREMAP_FAILS(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
    CASE("mremap_new_len_zero", MREMAP_FAILS(p, PAGE, 0, MREMAP_MAYMOVE));
    CASE("mremap_unknown_flag", MREMAP_FAILS(p, PAGE, PAGE, 0x80));
    CASE("mremap_fixed_without_maymove", MREMAP_FAILS(p, PAGE, PAGE, MREMAP_FIXED, hole));
    CASE("mremap_dontunmap_without_maymove", MREMAP_FAILS(p, PAGE, PAGE, MREMAP_DONTUNMAP));
    CASE("mremap_dontunmap_resize", MREMAP_FAILS(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
    CASE("mremap_unmapped", MREMAP_FAILS(hole, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
    CASE("mremap_spans_vmas", MREMAP_FAILS(p - PAGE, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE));
    CASE("mremap_grow_blocked", MREMAP_FAILS(p, 16 * PAGE, 32 * PAGE, 0));
    CASE("mremap_fixed_overlap", MREMAP_FAILS(p, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + 2 * PAGE));
    CASE("mremap_fixed_unaligned", MREMAP_FAILS(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, hole + 1));
    CASE("mremap_same_size", MREMAP_FAILS(p, PAGE, PAGE, 0));
    CASE("mremap_old_len_zero_private", MREMAP_FAILS(p, 0, PAGE, MREMAP_MAYMOVE));

    CASE("madvise_unaligned", madvise(p + 1, PAGE, MADV_DONTNEED) != 0);
    CASE("madvise_unknown_advice", madvise(p, PAGE, 999) != 0);
    CASE("madvise_len_zero", madvise(p, 0, MADV_DONTNEED) != 0);
    CASE("madvise_unmapped", madvise(hole, PAGE, MADV_DONTNEED) != 0);
    CASE("madvise_spans_hole", madvise(hole - PAGE, 2 * PAGE, MADV_WILLNEED) != 0);
    CASE("madvise_willneed_anon", madvise(p, PAGE, MADV_WILLNEED) != 0);
    CASE("madvise_remove_private", madvise(p, PAGE, MADV_REMOVE) != 0);
    CASE("madvise_hugepage", madvise(p, 16 * PAGE, MADV_HUGEPAGE) != 0);
    CASE("madvise_nohugepage", madvise(p, 16 * PAGE, MADV_NOHUGEPAGE) != 0);
    CASE("madvise_pageout", madvise(p, PAGE, MADV_PAGEOUT) != 0);
    CASE("madvise_cold", madvise(p, PAGE, MADV_COLD) != 0);
    CASE("madvise_dontfork", madvise(p, PAGE, MADV_DONTFORK) != 0);
    CASE("madvise_dofork", madvise(p, PAGE, MADV_DOFORK) != 0);

    CASE("msync_unaligned", msync(p + 1, PAGE, MS_SYNC) != 0);
    CASE("msync_sync_and_async", msync(p, PAGE, MS_SYNC | MS_ASYNC) != 0);
    CASE("msync_unknown_flag", msync(p, PAGE, 0x100) != 0);
    CASE("msync_unmapped", msync(hole, PAGE, MS_SYNC) != 0);
    CASE("msync_anon", msync(p, PAGE, MS_SYNC) != 0);
    CASE("msync_no_flags", msync(p, PAGE, 0) != 0);
    CASE("msync_len_zero", msync(p, 0, MS_SYNC) != 0);

    CASE("mlock_unmapped", mlock(hole, PAGE) != 0);
    CASE("mlock_unaligned_addr", mlock(p + 1, PAGE) != 0);
    CASE("mlock_len_zero", mlock(p, 0) != 0);
    {
        char *n = anon_pages(1, PROT_NONE);
        CASE("mlock_prot_none", mlock(n, PAGE) != 0);
    }
    CASE("munlock_unmapped", munlock(hole, PAGE) != 0);
    CASE("msync_invalidate_locked", msync(p, PAGE, MS_INVALIDATE) != 0);

    /* vm.max_map_count: create single-page VMAs until mmap fails. */
    {
        long made = 0;
        char *last = MAP_FAILED;
        int err = 0;
        static char *maps[70000];
        for (;;) {
            char *m = mmap(NULL, PAGE, (made & 1) ? PROT_READ : PROT_NONE, PA, -1, 0);
            if (m == MAP_FAILED) {
                err = errno;
                break;
            }
            if (made < (long)(sizeof maps / sizeof maps[0])) maps[made] = m;
            last = m;
            made++;
            if (made > 200000) break;
        }
        put_errno("mmap_max_map_count", err != 0, err);
        /* Splitting a VMA at the limit needs one more. */
        CASE("munmap_split_at_limit", munmap(p + 4 * PAGE, PAGE) != 0);
        CASE("mprotect_split_at_limit", mprotect(p + 4 * PAGE, PAGE, PROT_READ) != 0);
        for (long i = 0; i < made && i < (long)(sizeof maps / sizeof maps[0]); i++) munmap(maps[i], PAGE);
        (void)last;
    }

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        warm_after_fork();
        drop_capabilities();
        CASE("nocap_mmap_below_min_addr", MMAP_FAILS((void *)0, PAGE, RW, PA | MAP_FIXED, -1, 0));
        CASE("nocap_mmap_at_min_addr", MMAP_FAILS((void *)0x10000, PAGE, RW, PA | MAP_FIXED_NOREPLACE, -1, 0));
        struct rlimit rl = {2 * PAGE, 2 * PAGE};
        if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0) die("setrlimit");
        CASE("nocap_mlock_within_rlimit", mlock(p, 2 * PAGE) != 0);
        CASE("nocap_mlock_over_rlimit", mlock(p, 4 * PAGE) != 0);
        CASE("nocap_mmap_locked_over_rlimit", MMAP_FAILS(NULL, 8 * PAGE, RW, PA | MAP_LOCKED, -1, 0));
        munlock(p, 2 * PAGE);
        rl.rlim_cur = rl.rlim_max = 0;
        if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0) die("setrlimit");
        CASE("nocap_mlock_rlimit_zero", mlock(p, PAGE) != 0);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    close(fd);
    unlink("errno_args.dat");
    return 0;
}
