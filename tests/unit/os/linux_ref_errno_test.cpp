// Transcription of tests/oracle/linux/errno_args.c: invalid (and borderline) arguments
// must give the errno the real kernel gives.
#include "linux_ref.hpp"

using namespace vmlab;
using namespace vmlab::test;

TEST(LinuxRefOs, ErrnoArgs) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "errno_args"}));
    const Pid me = o.pid;
    const int RW = kRW, PA = kAnonPriv;
    auto E = [&](const std::string& name, auto r) { o.put_errno(name, r); };
    VirtAddr p = o.anon_pages(16, RW);
    o.write_pages(p, 16, 1);
    const int fd = o.make_file(dir, "errno_args.dat", 4, 0, true);
    const std::string path = dir.file("errno_args.dat");
    const int rdonly = *k.open(me, path, sys::kORdOnly);
    const int wronly = *k.open(me, path, sys::kOWrOnly);
    const int append = *k.open(me, path, sys::kORdWr | sys::kOAppend);
    const int dirfd = *k.open(me, dir.path.string(), sys::kORdOnly);
    const int closed = *k.open(me, path, sys::kORdWr);
    ASSERT_TRUE(k.close(me, closed).ok());
    VirtAddr hole = o.anon_pages(4, RW);
    ASSERT_TRUE(k.munmap(me, hole, 4 * kPage).ok());

    E("mmap_len_zero", k.mmap(me, VirtAddr{0}, 0, RW, PA));
    E("mmap_no_share_type", k.mmap(me, VirtAddr{0}, kPage, RW, sys::kMapAnonymous));
    E("mmap_validate_unknown_flag", k.mmap(me, VirtAddr{0}, kPage, RW, sys::kMapSharedValidate | 0x200000, fd, 0));
    E("mmap_validate_map_sync_not_dax", k.mmap(me, VirtAddr{0}, kPage, RW, sys::kMapSharedValidate | sys::kMapSync, fd, 0));
    E("mmap_map_sync_without_validate", k.mmap(me, VirtAddr{0}, kPage, RW, sys::kMapShared | sys::kMapSync, fd, 0));
    E("mmap_fixed_unaligned", k.mmap(me, hole + 1, kPage, RW, PA | sys::kMapFixed));
    E("mmap_hint_unaligned", k.mmap(me, hole + 1, kPage, RW, PA));
    E("mmap_offset_unaligned", k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapPrivate, fd, 100));
    E("mmap_offset_negative", k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapPrivate, fd, ~0ull - 4095));
    E("mmap_offset_past_max", k.mmap(me, VirtAddr{0}, 2 * kPage, sys::kProtRead, sys::kMapPrivate, fd, 0x7ffffffffffff000ull));
    E("mmap_bad_fd", k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapPrivate, -1, 0));
    E("mmap_closed_fd", k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapPrivate, closed, 0));
    E("mmap_anon_ignores_fd", k.mmap(me, VirtAddr{0}, kPage, RW, PA, 12345, 0));
    E("mmap_len_huge", k.mmap(me, VirtAddr{0}, 1ull << 62, RW, PA | sys::kMapNoReserve));
    E("mmap_len_wraps", k.mmap(me, VirtAddr{0}, ~0ull - kPage + 1, RW, PA));
    E("mmap_fixed_past_task_size", k.mmap(me, VirtAddr{0x7ffffffff000ull}, 2 * kPage, RW, PA | sys::kMapFixed));
    E("mmap_fixed_kernel_half", k.mmap(me, VirtAddr{0xffff800000000000ull}, kPage, RW, PA | sys::kMapFixed));
    E("mmap_fixed_noreplace_exact", k.mmap(me, p, kPage, RW, PA | sys::kMapFixedNoReplace));
    E("mmap_fixed_noreplace_overlap", k.mmap(me, p - kPage, 2 * kPage, RW, PA | sys::kMapFixedNoReplace));
    {
        auto h = k.mmap(me, p, kPage, RW, PA);
        o.put("mmap_hint_taken.placed_at_hint", h.ok() && *h == p);
        if (h.ok() && *h != p) {
            ASSERT_TRUE(k.munmap(me, *h, kPage).ok());
        }
    }
    E("mmap_shared_write_rdonly_fd", k.mmap(me, VirtAddr{0}, kPage, RW, sys::kMapShared, rdonly, 0));
    E("mmap_shared_read_rdonly_fd", k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapShared, rdonly, 0));
    E("mmap_private_write_rdonly_fd", k.mmap(me, VirtAddr{0}, kPage, RW, sys::kMapPrivate, rdonly, 0));
    E("mmap_read_wronly_fd", k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapShared, wronly, 0));
    E("mmap_write_only_wronly_fd", k.mmap(me, VirtAddr{0}, kPage, sys::kProtWrite, sys::kMapShared, wronly, 0));
    E("mmap_shared_write_append_fd", k.mmap(me, VirtAddr{0}, kPage, RW, sys::kMapShared, append, 0));
    E("mmap_directory", k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapPrivate, dirfd, 0));
    E("mmap_unknown_prot_bit", k.mmap(me, VirtAddr{0}, kPage, RW | 0x100, PA));
    E("mmap_past_eof", k.mmap(me, VirtAddr{0}, 64 * kPage, sys::kProtRead, sys::kMapShared, fd, 32 * kPage));
    E("mmap_growsdown_anon", k.mmap(me, VirtAddr{0}, kPage, RW, PA | sys::kMapGrowsDown));
    E("mmap_growsdown_file", k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapPrivate | sys::kMapGrowsDown, fd, 0));
    E("mmap_fixed_replace", k.mmap(me, p + 8 * kPage, kPage, RW, PA | sys::kMapFixed));
    o.put("mmap_fixed_replace.zeroed", o.byte_at(p + 8 * kPage) == 0);

    E("munmap_unaligned", k.munmap(me, p + 1, kPage));
    E("munmap_len_zero", k.munmap(me, p, 0));
    E("munmap_unmapped", k.munmap(me, hole, 4 * kPage));
    E("munmap_past_task_size", k.munmap(me, VirtAddr{0x7ffffffff000ull}, 2 * kPage));
    E("munmap_kernel_half", k.munmap(me, VirtAddr{0xffff800000000000ull}, kPage));
    E("munmap_len_unaligned", k.munmap(me, hole, 100));

    E("mprotect_unaligned", k.mprotect(me, p + 1, kPage, sys::kProtRead));
    E("mprotect_len_zero", k.mprotect(me, p, 0, sys::kProtRead));
    E("mprotect_len_unaligned", k.mprotect(me, p, 100, RW));
    E("mprotect_unmapped", k.mprotect(me, hole, kPage, sys::kProtRead));
    E("mprotect_spans_hole", k.mprotect(me, hole - kPage, 2 * kPage, RW));
    E("mprotect_unknown_prot_bit", k.mprotect(me, p, kPage, RW | 0x100));
    E("mprotect_growsdown_not_stack", k.mprotect(me, p, kPage, RW | sys::kProtGrowsDown));
    {
        auto s = k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapShared, rdonly, 0);
        E("mprotect_write_shared_rdonly_fd", k.mprotect(me, *s, kPage, RW));
        auto v = k.mmap(me, VirtAddr{0}, kPage, sys::kProtRead, sys::kMapPrivate, rdonly, 0);
        E("mprotect_write_private_rdonly_fd", k.mprotect(me, *v, kPage, RW));
        ASSERT_TRUE(k.munmap(me, *s, kPage).ok());
        ASSERT_TRUE(k.munmap(me, *v, kPage).ok());
    }

    p = o.anon_pages(16, RW);
    E("mremap_unaligned", k.mremap(me, p + 1, kPage, 2 * kPage, sys::kMremapMayMove));
    E("mremap_new_len_zero", k.mremap(me, p, kPage, 0, sys::kMremapMayMove));
    E("mremap_unknown_flag", k.mremap(me, p, kPage, kPage, 0x80));
    E("mremap_fixed_without_maymove", k.mremap(me, p, kPage, kPage, sys::kMremapFixed, hole));
    E("mremap_dontunmap_without_maymove", k.mremap(me, p, kPage, kPage, sys::kMremapDontUnmap));
    E("mremap_dontunmap_resize", k.mremap(me, p, kPage, 2 * kPage, sys::kMremapMayMove | sys::kMremapDontUnmap));
    E("mremap_unmapped", k.mremap(me, hole, kPage, 2 * kPage, sys::kMremapMayMove));
    E("mremap_spans_vmas", k.mremap(me, p - kPage, 2 * kPage, 4 * kPage, sys::kMremapMayMove));
    E("mremap_grow_blocked", k.mremap(me, p, 16 * kPage, 32 * kPage, 0));
    E("mremap_fixed_overlap", k.mremap(me, p, 4 * kPage, 4 * kPage, sys::kMremapMayMove | sys::kMremapFixed, p + 2 * kPage));
    E("mremap_fixed_unaligned", k.mremap(me, p, kPage, kPage, sys::kMremapMayMove | sys::kMremapFixed, hole + 1));
    E("mremap_same_size", k.mremap(me, p, kPage, kPage, 0));
    E("mremap_old_len_zero_private", k.mremap(me, p, 0, kPage, sys::kMremapMayMove));

    E("madvise_unaligned", k.madvise(me, p + 1, kPage, sys::kMadvDontNeed));
    E("madvise_unknown_advice", k.madvise(me, p, kPage, 999));
    E("madvise_len_zero", k.madvise(me, p, 0, sys::kMadvDontNeed));
    E("madvise_unmapped", k.madvise(me, hole, kPage, sys::kMadvDontNeed));
    E("madvise_spans_hole", k.madvise(me, hole - kPage, 2 * kPage, sys::kMadvWillNeed));
    E("madvise_willneed_anon", k.madvise(me, p, kPage, sys::kMadvWillNeed));
    E("madvise_remove_private", k.madvise(me, p, kPage, sys::kMadvRemove));
    E("madvise_hugepage", k.madvise(me, p, 16 * kPage, sys::kMadvHugePage));
    E("madvise_nohugepage", k.madvise(me, p, 16 * kPage, sys::kMadvNoHugePage));
    E("madvise_pageout", k.madvise(me, p, kPage, sys::kMadvPageOut));
    E("madvise_cold", k.madvise(me, p, kPage, sys::kMadvCold));
    E("madvise_dontfork", k.madvise(me, p, kPage, sys::kMadvDontFork));
    E("madvise_dofork", k.madvise(me, p, kPage, sys::kMadvDoFork));

    E("msync_unaligned", k.msync(me, p + 1, kPage, sys::kMsSync));
    E("msync_sync_and_async", k.msync(me, p, kPage, sys::kMsSync | sys::kMsAsync));
    E("msync_unknown_flag", k.msync(me, p, kPage, 0x100));
    E("msync_unmapped", k.msync(me, hole, kPage, sys::kMsSync));
    E("msync_anon", k.msync(me, p, kPage, sys::kMsSync));
    E("msync_no_flags", k.msync(me, p, kPage, 0));
    E("msync_len_zero", k.msync(me, p, 0, sys::kMsSync));

    E("mlock_unmapped", k.mlock(me, hole, kPage));
    E("mlock_unaligned_addr", k.mlock(me, p + 1, kPage));
    E("mlock_len_zero", k.mlock(me, p, 0));
    {
        VirtAddr n = o.anon_pages(1, sys::kProtNone);
        E("mlock_prot_none", k.mlock(me, n, kPage));
    }
    E("munlock_unmapped", k.munlock(me, hole, kPage));
    E("msync_invalidate_locked", k.msync(me, p, kPage, sys::kMsInvalidate));

    {
        // vm.max_map_count: single-page VMAs until mmap fails.
        std::vector<VirtAddr> maps;
        SysResult<VirtAddr> m;
        for (std::uint64_t made = 0;; ++made) {
            m = k.mmap(me, VirtAddr{0}, kPage, (made & 1) ? sys::kProtRead : sys::kProtNone, PA);
            if (!m.ok() || made > 200000) break;
            maps.push_back(*m);
        }
        E("mmap_max_map_count", m);
        E("munmap_split_at_limit", k.munmap(me, p + 4 * kPage, kPage));
        E("mprotect_split_at_limit", k.mprotect(me, p + 4 * kPage, kPage, sys::kProtRead));
        for (VirtAddr a : maps) ASSERT_TRUE(k.munmap(me, a, kPage).ok());
    }

    // Without capabilities (the child of the C program): vmlab's processes never have any.
    const Pid c = *k.fork(me);
    E("nocap_mmap_below_min_addr", k.mmap(c, VirtAddr{0}, kPage, RW, PA | sys::kMapFixed));
    E("nocap_mmap_at_min_addr", k.mmap(c, VirtAddr{0x10000}, kPage, RW, PA | sys::kMapFixedNoReplace));
    ASSERT_TRUE(k.setrlimit(c, Rlimit::Memlock, 2 * kPage).ok());
    E("nocap_mlock_within_rlimit", k.mlock(c, p, 2 * kPage));
    E("nocap_mlock_over_rlimit", k.mlock(c, p, 4 * kPage));
    E("nocap_mmap_locked_over_rlimit", k.mmap(c, VirtAddr{0}, 8 * kPage, RW, PA | sys::kMapLocked));
    ASSERT_TRUE(k.munlock(c, p, 2 * kPage).ok());
    ASSERT_TRUE(k.setrlimit(c, Rlimit::Memlock, 0).ok());
    E("nocap_mlock_rlimit_zero", k.mlock(c, p, kPage));
    o.check("errno_args", {"mmap_pipe.errno"});  // vmlab has no pipes
}
