// Overcommit accounting and running out of physical memory.
#include "support/linux_oracle.hpp"

using namespace vmlab;
using namespace vmlab::test;

TEST(OsOvercommit, HeuristicRefusesOnlyASingleRequestLargerThanRam) {
    auto sim = make_sim("x86_64", {}, 1, 1, 64ull << 20);
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "oc"});
    // mm/util.c __vm_enough_memory, OVERCOMMIT_GUESS: pages > totalram + swap fails.
    EXPECT_EQ(k.mmap(p, VirtAddr{0}, 65ull << 20, kRW, kAnonPriv).error, Errno::NoMem);
    EXPECT_TRUE(k.mmap(p, VirtAddr{0}, 65ull << 20, kRW, kAnonPriv | sys::kMapNoReserve).ok());
    EXPECT_TRUE(k.mmap(p, VirtAddr{0}, 65ull << 20, sys::kProtRead, kAnonPriv).ok());  // not accounted
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(k.mmap(p, VirtAddr{0}, 60ull << 20, kRW, kAnonPriv).ok());
}

TEST(OsOvercommit, NeverCountsEveryPrivateWritablePage) {
    KernelConfig kc;
    kc.overcommit = OvercommitMode::Never;
    kc.overcommit_ratio = 50;
    auto sim = make_sim("x86_64", kc, 1, 1, 64ull << 20);
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "oc"});
    const std::uint64_t before = k.stats().committed_pages;
    // CommitLimit = 32 MiB (no swap); the stack already holds 33 pages.
    auto a = k.mmap(p, VirtAddr{0}, 16ull << 20, kRW, kAnonPriv);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(k.stats().committed_pages - before, (16ull << 20) / kPage);
    EXPECT_EQ(k.mmap(p, VirtAddr{0}, 16ull << 20, kRW, kAnonPriv).error, Errno::NoMem);
    // MAP_NORESERVE is ignored in this mode; shared and read-only mappings are not charged.
    EXPECT_EQ(k.mmap(p, VirtAddr{0}, 16ull << 20, kRW, kAnonPriv | sys::kMapNoReserve).error, Errno::NoMem);
    EXPECT_TRUE(k.mmap(p, VirtAddr{0}, 16ull << 20, sys::kProtRead, kAnonPriv).ok());
    // Making a read-only private mapping writable commits it: mprotect fails.
    auto ro = k.mmap(p, VirtAddr{0}, 16ull << 20, sys::kProtRead, kAnonPriv);
    EXPECT_EQ(k.mprotect(p, *ro, 16ull << 20, kRW).error, Errno::NoMem);
    ASSERT_TRUE(k.munmap(p, *a, 16ull << 20).ok());
    EXPECT_TRUE(k.mprotect(p, *ro, 16ull << 20, kRW).ok());
    EXPECT_EQ(k.stats().committed_pages - before, (16ull << 20) / kPage);
}

TEST(OsOom, TheFaultingProcessIsKilledAndItsMemoryReturned) {
    auto sim = make_sim("x86_64", {}, 1, 1, 16ull << 20);
    Kernel& k = sim->kernel();
    const std::uint64_t free0 = k.free_frames();
    const Pid p = *k.spawn({.name = "hog"});
    const std::uint64_t len = 32ull << 20;
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, len, kRW, kAnonPriv | sys::kMapNoReserve);
    AccessOutcome r;
    std::uint64_t touched = 0;
    for (std::uint64_t off = 0; off < len && r.ok; off += kPage, ++touched) r = sim->write_u64(p, a + off, off);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.signal.signo, sys::kSigKill);
    EXPECT_TRUE(r.killed);
    EXPECT_LT(touched, len / kPage);
    EXPECT_EQ(k.stats().oom_kills, 1u);
    EXPECT_EQ(k.process(p)->state, ProcState::Zombie);
    EXPECT_EQ(k.process(p)->term_signal, sys::kSigKill);
    EXPECT_EQ(k.free_frames(), free0);
    // The kernel goes on: another process runs normally.
    const Pid q = *k.spawn({.name = "next"});
    const VirtAddr b = *k.mmap(q, VirtAddr{0}, kPage, kRW, kAnonPriv);
    EXPECT_TRUE(sim->write_u64(q, b, 1).ok);
}
