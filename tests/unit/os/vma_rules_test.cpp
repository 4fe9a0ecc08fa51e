// Linux's VMA merge and split rules (mm/vma.c): what /proc/PID/maps shows after mmap,
// mprotect, munmap, madvise, mremap and brk.
#include "support/linux_oracle.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {
struct Fx {
    std::unique_ptr<Simulation> sim = make_sim();
    Kernel& k = sim->kernel();
    Pid p = *k.spawn({.name = "vma"});
    int count(VirtAddr lo, VirtAddr hi) {
        int n = 0;
        for (const auto& v : k.maps(p))
            if (v.start < hi && v.end > lo) ++n;
        return n;
    }
    VmaInfo at(VirtAddr a) {
        for (const auto& v : k.maps(p))
            if (v.start <= a && a < v.end) return v;
        return {};
    }
    VirtAddr hole(std::uint64_t pages) {
        // A free range: reserve, then unmap.
        auto r = k.mmap(p, VirtAddr{0}, pages * kPage, sys::kProtNone, kAnonPriv);
        EXPECT_TRUE(k.munmap(p, *r, pages * kPage).ok());
        return *r;
    }
};
}  // namespace

TEST(OsVmaRules, AdjacentAnonymousMappingsMerge) {
    Fx f;
    auto a = f.k.mmap(f.p, VirtAddr{0}, 4 * kPage, kRW, kAnonPriv);
    auto b = f.k.mmap(f.p, VirtAddr{0}, 4 * kPage, kRW, kAnonPriv);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*b + 4 * kPage, *a);  // top-down: the second lies right below the first
    EXPECT_EQ(f.count(*b, *a + 4 * kPage), 1);
    auto c = f.k.mmap(f.p, VirtAddr{0}, 4 * kPage, sys::kProtRead, kAnonPriv);
    EXPECT_EQ(*c + 4 * kPage, *b);
    EXPECT_EQ(f.count(*c, *a + 4 * kPage), 2);  // different protection: no merge
}

TEST(OsVmaRules, MprotectSplitsAndMergesBack) {
    Fx f;
    VirtAddr h = f.hole(16);
    ASSERT_TRUE(f.k.mmap(f.p, h, 16 * kPage, kRW, kAnonPriv | sys::kMapFixed).ok());
    ASSERT_TRUE(f.k.mprotect(f.p, h + 4 * kPage, 4 * kPage, sys::kProtRead).ok());
    EXPECT_EQ(f.count(h, h + 16 * kPage), 3);
    EXPECT_EQ(f.at(h + 5 * kPage).perms(), "r--p");
    ASSERT_TRUE(f.k.mprotect(f.p, h + 8 * kPage, 8 * kPage, sys::kProtRead).ok());
    EXPECT_EQ(f.count(h, h + 16 * kPage), 2);  // the new read-only part merges with the old one
    ASSERT_TRUE(f.k.mprotect(f.p, h, 16 * kPage, kRW).ok());
    EXPECT_EQ(f.count(h, h + 16 * kPage), 1);
}

TEST(OsVmaRules, FileMappingsMergeOnlyWithContiguousOffsets) {
    Fx f;
    TempDir dir;
    write_host_file(dir.file("f"), 16 * kPage);
    const int fd = *f.k.open(f.p, dir.file("f"), sys::kORdOnly);
    VirtAddr h = f.hole(16);
    ASSERT_TRUE(f.k.mmap(f.p, h, 4 * kPage, sys::kProtRead, sys::kMapPrivate | sys::kMapFixed, fd, 0).ok());
    ASSERT_TRUE(f.k.mmap(f.p, h + 4 * kPage, 4 * kPage, sys::kProtRead, sys::kMapPrivate | sys::kMapFixed, fd, 4 * kPage).ok());
    EXPECT_EQ(f.count(h, h + 8 * kPage), 1);
    ASSERT_TRUE(f.k.mmap(f.p, h + 8 * kPage, 4 * kPage, sys::kProtRead, sys::kMapPrivate | sys::kMapFixed, fd, 0).ok());
    EXPECT_EQ(f.count(h, h + 12 * kPage), 2);
    // munmap in the middle: the upper part keeps its file offset.
    ASSERT_TRUE(f.k.munmap(f.p, h + 2 * kPage, kPage).ok());
    EXPECT_EQ(f.at(h + 3 * kPage).offset, 3 * kPage);
    EXPECT_EQ(f.at(h + 3 * kPage).start, h + 3 * kPage);
    // and reads the file at that offset.
    std::uint8_t b = 0;
    ASSERT_TRUE(f.sim->read(f.p, h + 3 * kPage + 5, std::span<std::uint8_t>(&b, 1)).ok);
    EXPECT_EQ(b, file_byte(3 * kPage + 5));
}

TEST(OsVmaRules, SharedAnonymousMappingsNeverMerge) {
    Fx f;
    VirtAddr h = f.hole(8);
    ASSERT_TRUE(f.k.mmap(f.p, h, 4 * kPage, kRW, sys::kMapShared | sys::kMapAnonymous | sys::kMapFixed).ok());
    ASSERT_TRUE(f.k.mmap(f.p, h + 4 * kPage, 4 * kPage, kRW, sys::kMapShared | sys::kMapAnonymous | sys::kMapFixed).ok());
    EXPECT_EQ(f.count(h, h + 8 * kPage), 2);  // two distinct shmem objects
    EXPECT_EQ(f.at(h).path, "/dev/zero (deleted)");
    EXPECT_EQ(f.at(h).perms(), "rw-s");
}

TEST(OsVmaRules, MadviseFlagsSplitAndAreRecorded) {
    Fx f;
    VirtAddr h = f.hole(8);
    ASSERT_TRUE(f.k.mmap(f.p, h, 8 * kPage, kRW, kAnonPriv | sys::kMapFixed).ok());
    ASSERT_TRUE(f.k.madvise(f.p, h + 2 * kPage, 2 * kPage, sys::kMadvHugePage).ok());
    EXPECT_EQ(f.count(h, h + 8 * kPage), 3);
    EXPECT_TRUE(f.at(h + 2 * kPage).flags & vm::kHugePage);
    ASSERT_TRUE(f.k.madvise(f.p, h + 2 * kPage, 2 * kPage, sys::kMadvNoHugePage).ok());
    EXPECT_EQ(vmflags_string(f.at(h + 2 * kPage).flags), "rd,wr,mr,mw,me,ac,nh");
    ASSERT_TRUE(f.k.madvise(f.p, h, 8 * kPage, sys::kMadvNoHugePage).ok());
    EXPECT_EQ(f.count(h, h + 8 * kPage), 1);
    ASSERT_TRUE(f.k.madvise(f.p, h, 8 * kPage, sys::kMadvRandom).ok());
    EXPECT_TRUE(f.at(h).flags & vm::kRandRead);
    ASSERT_TRUE(f.k.madvise(f.p, h, 8 * kPage, sys::kMadvSequential).ok());
    EXPECT_EQ(f.at(h).flags & (vm::kRandRead | vm::kSeqRead), vm::kSeqRead);
}

TEST(OsVmaRules, MovedAnonymousVmaKeepsItsOffsetOnceFaulted) {
    Fx f;
    VirtAddr dst = f.hole(16);
    // Never faulted: takes the new place's offset and merges with a new neighbour.
    auto a = f.k.mmap(f.p, VirtAddr{0}, 4 * kPage, kRW, kAnonPriv);
    ASSERT_TRUE(f.k.mremap(f.p, *a, 4 * kPage, 4 * kPage, sys::kMremapMayMove | sys::kMremapFixed, dst).ok());
    ASSERT_TRUE(f.k.mmap(f.p, dst + 4 * kPage, 4 * kPage, kRW, kAnonPriv | sys::kMapFixed).ok());
    EXPECT_EQ(f.count(dst, dst + 8 * kPage), 1);
    // Faulted (it has an anon_vma): its pgoff is its old address, no merge.
    VirtAddr dst2 = f.hole(16);
    auto b = f.k.mmap(f.p, VirtAddr{0}, 4 * kPage, kRW, kAnonPriv);
    ASSERT_TRUE(f.sim->write_u64(f.p, *b, 7).ok);
    ASSERT_TRUE(f.k.mremap(f.p, *b, 4 * kPage, 4 * kPage, sys::kMremapMayMove | sys::kMremapFixed, dst2).ok());
    ASSERT_TRUE(f.k.mmap(f.p, dst2 + 4 * kPage, 4 * kPage, kRW, kAnonPriv | sys::kMapFixed).ok());
    EXPECT_EQ(f.count(dst2, dst2 + 8 * kPage), 2);
    std::uint64_t v = 0;
    ASSERT_TRUE(f.sim->read_u64(f.p, dst2, v).ok);
    EXPECT_EQ(v, 7u);
}

TEST(OsVmaRules, BrkExtendsTheHeapVma) {
    Fx f;
    const VirtAddr b0 = f.k.brk(f.p, VirtAddr{0});
    ASSERT_EQ(f.k.brk(f.p, b0 + 4 * kPage), b0 + 4 * kPage);
    ASSERT_EQ(f.k.brk(f.p, b0 + 8 * kPage), b0 + 8 * kPage);
    EXPECT_EQ(f.count(b0, b0 + 8 * kPage), 1);
    EXPECT_EQ(f.at(b0).name, "[heap]");
    EXPECT_EQ(f.at(b0).end, b0 + 8 * kPage);
    // sbrk as glibc: the old break, then ENOMEM when the kernel refuses.
    auto s = f.k.sbrk(f.p, static_cast<std::int64_t>(kPage));
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(*s, b0 + 8 * kPage);
    EXPECT_EQ(f.k.sbrk(f.p, -static_cast<std::int64_t>(1ull << 62)).error, Errno::NoMem);  // would wrap
    // Below start_brk the kernel keeps the break and returns it; glibc's check (new < asked)
    // does not see the refusal, so sbrk "succeeds" and the break is unchanged.
    auto q = f.k.sbrk(f.p, -static_cast<std::int64_t>(1ull << 40));
    EXPECT_TRUE(q.ok());
    EXPECT_EQ(f.k.brk(f.p, VirtAddr{0}), b0 + 9 * kPage);
    // Growing into another mapping: refused, ENOMEM.
    ASSERT_TRUE(f.k.mmap(f.p, b0 + 12 * kPage, kPage, sys::kProtRead, kAnonPriv | sys::kMapFixedNoReplace).ok());
    EXPECT_EQ(f.k.sbrk(f.p, static_cast<std::int64_t>(8 * kPage)).error, Errno::NoMem);
}

TEST(OsVmaRules, SplitBeyondMaxMapCountFails) {
    KernelConfig kc;
    kc.max_map_count = 16;
    auto sim = make_sim("x86_64", kc);
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "limit"});
    std::vector<VirtAddr> v;
    for (;;) {
        auto r = k.mmap(p, VirtAddr{0}, 2 * kPage, (v.size() & 1) ? sys::kProtRead : kRW, kAnonPriv);
        if (!r.ok()) {
            EXPECT_EQ(r.error, Errno::NoMem);
            break;
        }
        v.push_back(*r);
        ASSERT_LT(v.size(), 100u);
    }
    EXPECT_EQ(k.mprotect(p, v[0], kPage, sys::kProtNone).error, Errno::NoMem);
}

TEST(OsVmaRules, MapGrowsdownMappingsGrowOnFaultsBelowThem) {
    Fx f;
    ASSERT_TRUE(f.k.set_signal_disposition(f.p, sys::kSigSegv, SigDisposition::Catch).ok());
    auto g = f.k.mmap(f.p, VirtAddr{0}, 4 * kPage, kRW, kAnonPriv | sys::kMapGrowsDown);
    ASSERT_TRUE(g.ok());
    EXPECT_TRUE(f.at(*g).flags & vm::kGrowsDown);
    // A new VM_GROWSDOWN mapping is placed with the guard gap free below it.
    EXPECT_EQ(f.count(*g - 256 * kPage, *g), 0);
    ASSERT_TRUE(f.sim->write_u64(f.p, *g - 3 * kPage, 5).ok);
    EXPECT_EQ(f.at(*g - 3 * kPage).start, *g - 3 * kPage);
    EXPECT_EQ(f.at(*g).end, *g + 4 * kPage);
    EXPECT_EQ(f.k.process(f.p)->faults.stack_growth, 1u);
    // mprotect with PROT_GROWSDOWN extends to the VMA's start.
    ASSERT_TRUE(f.k.mprotect(f.p, *g, kPage, sys::kProtRead | sys::kProtGrowsDown).ok());
    EXPECT_EQ(f.at(*g - 3 * kPage).perms(), "r--p");
    auto r = f.sim->write_u64(f.p, *g - 3 * kPage, 6);
    EXPECT_EQ(r.signal.code, sys::kSegvAccErr);
}
