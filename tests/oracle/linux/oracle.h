/* Helpers shared by the Linux reference programs (the .c files beside this header).
 *
 * Each program performs one virtual-memory behaviour for real on the machine it runs on
 * and prints what the kernel did, one "key value" pair per line, so that a test can
 * compare a vmlab scenario with the kernel key by key:
 *
 *     # comment lines: program name, kernel release, THP mode, file system (not compared)
 *     read.minflt 64              getrusage(RUSAGE_SELF) minor-fault delta of one step
 *     read.majflt 0               major-fault delta of the same step
 *     read.rss_kb 0               /proc/self/smaps figure of the mapping, in KiB
 *     prot.signal SIGSEGV         signal caught by the step ("none" when it completed)
 *     prot.si_code SEGV_ACCERR    its si_code, by name
 *     prot.si_addr_off 0x207b     si_addr minus the start of the mapping involved
 *     bad_len.errno EINVAL        errno of a failed system call ("ok" when it succeeded)
 *
 * Keys are "<step>.<what>"; values never contain spaces and never contain raw addresses,
 * so the output of a program is identical from run to run (run.sh checks this).
 * Mappings are placed inside a PROT_NONE reservation (reserve()), so that they never merge
 * with a neighbour and their alignment is known; transparent huge pages are excluded with
 * MADV_NOHUGEPAGE wherever they could change the counts.
 *
 * Measurement windows are tight: fault counters are read immediately around the operation
 * and nothing inside the window allocates or prints.
 */
#ifndef VMLAB_ORACLE_H
#define VMLAB_ORACLE_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define KIB 1024UL
#define MIB (1024UL * 1024UL)

static inline void die(const char *what) {
    fprintf(stderr, "oracle: %s: %s\n", what, strerror(errno));
    exit(1);
}

static inline void put(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void put(const char *key, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", key);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

static inline void putl(const char *step, const char *what, long v) { printf("%s.%s %ld\n", step, what, v); }

static inline void read_small_file(const char *path, char *buf, size_t cap) {
    buf[0] = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0) n = 0;
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = 0;
}

/* The selected word of a sysfs "a [b] c" mode file. */
static inline void selected_mode(const char *path, char *out, size_t cap) {
    char buf[256];
    read_small_file(path, buf, sizeof buf);
    char *l = strchr(buf, '['), *r = l ? strchr(l, ']') : NULL;
    if (!l || !r) {
        snprintf(out, cap, "unknown");
        return;
    }
    *r = 0;
    snprintf(out, cap, "%s", l + 1);
}

/* Reads / writes one byte in each of `pages` pages. */
static volatile long sink;
static inline void read_pages(const char *p, size_t pages) {
    long s = 0;
    for (size_t i = 0; i < pages; i++) s += ((const volatile char *)p)[i * PAGE];
    sink = s;
}
static inline void write_pages(char *p, size_t pages, int value) {
    for (size_t i = 0; i < pages; i++) ((volatile char *)p)[i * PAGE] = (char)value;
}

/* Comment lines naming the program and the conditions it ran under. */
static inline void meta(const char *program) {
    struct utsname u;
    uname(&u);
    char thp[64], defrag[64];
    selected_mode("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof thp);
    selected_mode("/sys/kernel/mm/transparent_hugepage/defrag", defrag, sizeof defrag);
    struct statfs sf;
    const char *fs = "other";
    if (statfs(".", &sf) == 0) {
        if (sf.f_type == 0xEF53) fs = "ext4";
        else if (sf.f_type == 0x01021994) fs = "tmpfs";
        else if (sf.f_type == 0x58465342) fs = "xfs";
        else if (sf.f_type == 0x9123683E) fs = "btrfs";
    }
    /* Warm-up: the helpers' code and data pages are present before any measurement. */
    sink = 0;
    read_pages(NULL, 0);
    write_pages(NULL, 0, 0);
    printf("# vmlab linux reference: %s\n", program);
    printf("# kernel %s %s\n", u.release, u.machine);
    printf("# thp enabled=%s defrag=%s\n", thp, defrag);
    printf("# page_size %ld fs %s\n", sysconf(_SC_PAGESIZE), fs);
    fflush(stdout);
}

typedef struct {
    long min, maj;
} flt_t;

static inline flt_t flt(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    flt_t f = {r.ru_minflt, r.ru_majflt};
    return f;
}

/* After fork() every private writable page of both processes is write-protected: touch the
 * stack and the helpers' data now so that those copy-on-write faults stay out of the
 * measurement windows. */
static inline void warm_after_fork(void) {
    volatile char stack[4 * 4096];
    for (size_t i = 0; i < sizeof stack; i += 64) stack[i] = 0;
    sink = 0;
    (void)flt();
    (void)flt();
}

static inline void put_faults(const char *step, flt_t before, flt_t after) {
    putl(step, "minflt", after.min - before.min);
    putl(step, "majflt", after.maj - before.maj);
}

/* A PROT_NONE reservation of `len` bytes whose start is `align`-aligned plus `skew`, with
 * at least one PROT_NONE page before and after it; the caller maps over it with
 * MAP_FIXED. The guards keep the mapping from merging with any neighbour. */
static inline char *reserve(size_t len, size_t align, size_t skew) {
    size_t total = len + 2 * align + 2 * PAGE + skew;
    char *r = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) die("reserve");
    uintptr_t a = ((uintptr_t)r + PAGE + align - 1) & ~(uintptr_t)(align - 1);
    return (char *)(a + skew);
}

static inline char *map_fixed(char *addr, size_t len, int prot, int flags, int fd, off_t off) {
    char *p = mmap(addr, len, prot, flags | MAP_FIXED, fd, off);
    if (p == MAP_FAILED) die("mmap");
    return p;
}

/* An anonymous private mapping of `pages` pages, THP excluded, placed 2 MiB-aligned. */
static inline char *anon_pages(size_t pages, int prot) {
    char *p = reserve(pages * PAGE, 2 * MIB, 0);
    map_fixed(p, pages * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (madvise(p, pages * PAGE, MADV_NOHUGEPAGE) != 0) die("madvise(NOHUGEPAGE)");
    return p;
}

/* /proc/self/smaps figures of the VMA that starts exactly at `start`. */
static char smaps_buf[1 << 21];
static const char *const smaps_keys[][2] = {
    {"Size:", "size_kb"},
    {"Rss:", "rss_kb"},
    {"Pss:", "pss_kb"},
    {"Shared_Clean:", "shared_clean_kb"},
    {"Shared_Dirty:", "shared_dirty_kb"},
    {"Private_Clean:", "private_clean_kb"},
    {"Private_Dirty:", "private_dirty_kb"},
    {"Referenced:", "referenced_kb"},
    {"Anonymous:", "anonymous_kb"},
    {"LazyFree:", "lazyfree_kb"},
    {"AnonHugePages:", "anon_huge_kb"},
    {"Swap:", "swap_kb"},
    {"Locked:", "locked_kb"},
};

static inline size_t slurp(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die(path);
    size_t n = 0;
    for (;;) {
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k < 0) die(path);
        if (k == 0) break;
        n += (size_t)k;
        if (n >= cap - 1) {
            errno = EFBIG;
            die(path);
        }
    }
    close(fd);
    buf[n] = 0;
    return n;
}

/* Points at the smaps block of the VMA starting at `start`, or NULL. */
static inline char *smaps_block(const void *start) {
    slurp("/proc/self/smaps", smaps_buf, sizeof smaps_buf);
    char want[32];
    snprintf(want, sizeof want, "%lx-", (unsigned long)(uintptr_t)start);
    size_t wl = strlen(want);
    for (char *line = smaps_buf; line && *line;) {
        if (strncmp(line, want, wl) == 0) return line;
        line = strchr(line, '\n');
        if (line) line++;
    }
    return NULL;
}

/* "VmFlags: rd wr mr" -> "step.vmflags rd,wr,mr". */
static inline void put_vmflags_line(const char *step, const char *vf) {
    char flags[256], key[128];
    const char *s = vf + 8;
    while (*s == ' ') s++;
    size_t n = 0;
    for (; *s && *s != '\n' && n + 1 < sizeof flags; s++) flags[n++] = (*s == ' ') ? ',' : *s;
    while (n > 0 && flags[n - 1] == ',') n--;
    flags[n] = 0;
    snprintf(key, sizeof key, "%s.vmflags", step);
    put(key, "%s", flags);
}

static inline void put_vmflags(const char *step, const void *start) {
    char *b = smaps_block(start);
    char *vf = b ? strstr(b, "VmFlags:") : NULL;
    if (vf) put_vmflags_line(step, vf);
}

static inline void put_smaps(const char *step, const void *start) {
    char *b = smaps_block(start);
    char key[128];
    if (!b) {
        snprintf(key, sizeof key, "%s.vma", step);
        put(key, "none");
        return;
    }
    /* Each block ends with its VmFlags line. */
    char *end = strstr(b, "VmFlags:");
    for (size_t k = 0; k < sizeof smaps_keys / sizeof smaps_keys[0]; k++) {
        const char *f = strstr(b, smaps_keys[k][0]);
        if (!f || (end && f > end)) continue;
        long v = strtol(f + strlen(smaps_keys[k][0]), NULL, 10);
        snprintf(key, sizeof key, "%s.%s", step, smaps_keys[k][1]);
        put(key, "%ld", v);
    }
    if (end) put_vmflags_line(step, end);
}

/* The /proc/self/maps line of the VMA containing `addr`: start and end, or 0 and 0. */
static inline void vma_bounds(const void *addr, uintptr_t *start, uintptr_t *end) {
    static char buf[1 << 20];
    slurp("/proc/self/maps", buf, sizeof buf);
    *start = *end = 0;
    for (char *line = buf; line && *line;) {
        unsigned long s, e;
        if (sscanf(line, "%lx-%lx", &s, &e) == 2 && (uintptr_t)addr >= s && (uintptr_t)addr < e) {
            *start = s;
            *end = e;
            return;
        }
        line = strchr(line, '\n');
        if (line) line++;
    }
}

/* Number of VMAs that overlap [lo, hi). */
static inline int vmas_in(uintptr_t lo, uintptr_t hi) {
    static char buf[1 << 20];
    slurp("/proc/self/maps", buf, sizeof buf);
    int n = 0;
    for (char *line = buf; line && *line;) {
        unsigned long s, e;
        if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s < hi && e > lo) n++;
        line = strchr(line, '\n');
        if (line) line++;
    }
    return n;
}

/* Page-table state from /proc/self/pagemap: bit 63 present, bit 56 exclusively mapped,
 * bits 0-54 the PFN (visible to root only). */
static int pagemap_fd = -1;
static inline uint64_t pagemap_entry(const void *va) {
    if (pagemap_fd < 0) pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
    if (pagemap_fd < 0) die("/proc/self/pagemap");
    uint64_t e = 0;
    if (pread(pagemap_fd, &e, sizeof e, (off_t)((uintptr_t)va / PAGE * 8)) != sizeof e) die("pagemap");
    return e;
}
static inline int pte_present(const void *va) { return (int)((pagemap_entry(va) >> 63) & 1); }
static inline uint64_t pte_pfn(const void *va) { return pagemap_entry(va) & ((1ULL << 55) - 1); }

/* Which of `pages` pages at `p` have a present PTE, as a run list "0-15,32-47" ("none"). */
static inline void present_runs(const char *p, size_t pages, char *out, size_t cap) {
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < pages;) {
        if (!pte_present(p + i * PAGE)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < pages && pte_present(p + (j + 1) * PAGE)) j++;
        n += (size_t)snprintf(out + n, cap - n, "%s%zu-%zu", n ? "," : "", i, j);
        i = j + 1;
    }
    if (n == 0) snprintf(out, cap, "none");
}

static inline void put_present(const char *step, const char *p, size_t pages) {
    char runs[1024], key[128];
    present_runs(p, pages, runs, sizeof runs);
    snprintf(key, sizeof key, "%s.present", step);
    put(key, "%s", runs);
}

/* Drains the per-CPU LRU batches of every CPU (mlock calls lru_add_drain_all()), so that
 * folio state changes queued there (e.g. MADV_FREE's lazyfree marking, which waits in
 * batches of 31 folios) are visible in smaps. */
static char drain_page[PAGE] __attribute__((aligned(4096)));
static inline void drain_lru(void) {
    drain_page[0] = 1;
    if (mlock(drain_page, PAGE) != 0) die("mlock (drain)");
    if (munlock(drain_page, PAGE) != 0) die("munlock (drain)");
}

/* Signals caught while probing an address: the handler records them and jumps back. */
static sigjmp_buf probe_jmp;
static volatile sig_atomic_t probe_signo;
static volatile int probe_code;
static void *volatile probe_addr;

static inline void probe_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    probe_signo = sig;
    probe_code = si->si_code;
    probe_addr = si->si_addr;
    siglongjmp(probe_jmp, 1);
}

/* The handler runs on an alternate stack whose pages are present, so that delivering a
 * signal does not fault in new stack pages inside a measurement window. */
static char probe_stack[64 * 1024];
static inline void probe_install(void) {
    memset(probe_stack, 1, sizeof probe_stack);
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = probe_stack;
    ss.ss_size = sizeof probe_stack;
    if (sigaltstack(&ss, NULL) != 0) die("sigaltstack");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = probe_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* Runs `body` (a statement); afterwards probe_signo is 0 or the signal that stopped it. */
#define PROBE(body)                          \
    do {                                     \
        probe_signo = 0;                     \
        if (sigsetjmp(probe_jmp, 1) == 0) { \
            body;                            \
        }                                    \
    } while (0)

static inline const char *signal_name(int s) {
    switch (s) {
        case 0: return "none";
        case SIGSEGV: return "SIGSEGV";
        case SIGBUS: return "SIGBUS";
        default: return "other";
    }
}

static inline const char *si_code_name(int sig, int code) {
    if (code == SI_KERNEL) return "SI_KERNEL";
    if (sig == SIGSEGV) {
        switch (code) {
            case SEGV_MAPERR: return "SEGV_MAPERR";
            case SEGV_ACCERR: return "SEGV_ACCERR";
#ifdef SEGV_PKUERR
            case SEGV_PKUERR: return "SEGV_PKUERR";
#endif
        }
    }
    if (sig == SIGBUS) {
        switch (code) {
            case BUS_ADRALN: return "BUS_ADRALN";
            case BUS_ADRERR: return "BUS_ADRERR";
            case BUS_OBJERR: return "BUS_OBJERR";
            case BUS_MCEERR_AR: return "BUS_MCEERR_AR";
        }
    }
    return "other";
}

/* step.signal, step.si_code, step.si_addr_off (relative to `base`). */
static inline void put_signal(const char *step, const void *base) {
    char key[128];
    snprintf(key, sizeof key, "%s.signal", step);
    put(key, "%s", signal_name(probe_signo));
    if (!probe_signo) return;
    snprintf(key, sizeof key, "%s.si_code", step);
    put(key, "%s", si_code_name(probe_signo, probe_code));
    snprintf(key, sizeof key, "%s.si_addr_off", step);
    intptr_t off = (intptr_t)((uintptr_t)probe_addr - (uintptr_t)base);
    if (off < 0) put(key, "-0x%lx", (unsigned long)-off);
    else put(key, "0x%lx", (unsigned long)off);
}

/* step.errno: "ok" when `failed` is false, else the errno's name (EINVAL, ...). */
static inline void put_errno(const char *step, int failed, int err) {
    char key[128];
    snprintf(key, sizeof key, "%s.errno", step);
    if (!failed) {
        put(key, "ok");
        return;
    }
    const char *n = strerrorname_np(err);
    put(key, "%s", n ? n : "unknown");
}

/* A file of `pages` pages (plus `tail` bytes) whose byte i is (i * 7 + i / 4096) & 0xff,
 * written, synced and read back so that its pages are in the page cache. */
static inline unsigned char file_byte(size_t i) { return (unsigned char)((i * 7 + i / PAGE) & 0xff); }

static inline int make_file(const char *name, size_t pages, size_t tail, int cached) {
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die(name);
    static unsigned char buf[PAGE];
    size_t total = pages * PAGE + tail;
    for (size_t off = 0; off < total;) {
        size_t n = total - off < PAGE ? total - off : PAGE;
        for (size_t i = 0; i < n; i++) buf[i] = file_byte(off + i);
        if (write(fd, buf, n) != (ssize_t)n) die("write");
        off += n;
    }
    if (fsync(fd) != 0) die("fsync");
    if (cached) {
        for (off_t off = 0; off < (off_t)total; off += PAGE)
            if (pread(fd, buf, PAGE, off) < 0) die("pread");
    } else {
        if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) die("fadvise");
    }
    return fd;
}

/* Pages of a file region resident in the page cache (mincore over a fresh mapping). */
static inline long cached_pages(int fd, size_t pages) {
    void *m = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) die("mmap for mincore");
    unsigned char vec[4096];
    long n = 0;
    if (pages > sizeof vec) pages = sizeof vec;
    if (mincore(m, pages * PAGE, vec) != 0) die("mincore");
    for (size_t i = 0; i < pages; i++) n += vec[i] & 1;
    munmap(m, pages * PAGE);
    return n;
}

#endif
