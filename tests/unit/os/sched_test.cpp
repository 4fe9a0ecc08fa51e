// CPUs, threads, ASIDs and TLB shootdowns; exit and no leaks.
#include "support/linux_oracle.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {
AccessOutcome wr8(Simulation& s, Tid t, VirtAddr a, std::uint64_t v) { return s.write_u64(t, a, v); }
}  // namespace

TEST(OsSched, ThreadsShareTheMmAndMunmapShootsDownOtherCpus) {
    auto sim = make_sim("x86_64", {}, 1, 4);
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "threads"});
    std::vector<Tid> t = {p};
    for (int i = 0; i < 3; ++i) t.push_back(*k.clone_thread(p));
    std::set<unsigned> cpus;
    for (Tid x : t) cpus.insert(k.cpu_of(x));
    EXPECT_EQ(cpus.size(), 4u);  // placed round-robin, one per CPU
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, 16 * kPage, kRW, kAnonPriv);
    // Each thread writes its page and reads all others: every CPU caches translations.
    for (std::size_t i = 0; i < t.size(); ++i) ASSERT_TRUE(wr8(*sim, t[i], a + i * kPage, 100 + i).ok);
    for (Tid x : t)
        for (std::size_t i = 0; i < t.size(); ++i) {
            std::uint64_t v = 0;
            ASSERT_TRUE(sim->read_u64(x, a + i * kPage, v).ok);
            EXPECT_EQ(v, 100 + i);
        }
    for (unsigned c = 0; c < 4; ++c) EXPECT_EQ(k.pid_of(k.current(c)), p);
    const auto s0 = k.stats();
    ASSERT_TRUE(k.munmap(t[0], a, 16 * kPage).ok());
    const auto s1 = k.stats();
    EXPECT_EQ(s1.shootdowns - s0.shootdowns, 3u);  // IPIs to the three other CPUs
    EXPECT_EQ(s1.shootdown_cycles - s0.shootdown_cycles, 3u * sim->machine().config().mmu.cost.shootdown_cycles);
    // No stale translation survives anywhere.
    for (Tid x : t) {
        auto r = sim->access(x, a + kPage, AccessKind::Read, 1);
        EXPECT_FALSE(r.ok);
        EXPECT_EQ(r.signal.signo, sys::kSigSegv);
        EXPECT_EQ(r.signal.code, sys::kSegvMapErr);
        if (r.killed) break;  // the default action ends the process (all threads)
    }
}

TEST(OsSched, MprotectReadOnlyIsSeenByEveryCpu) {
    auto sim = make_sim("x86_64", {}, 1, 2);
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "mt"});
    const Tid t2 = *k.clone_thread(p);
    ASSERT_NE(k.cpu_of(p), k.cpu_of(t2));
    ASSERT_TRUE(k.set_signal_disposition(p, sys::kSigSegv, SigDisposition::Catch).ok());
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, kPage, kRW, kAnonPriv);
    ASSERT_TRUE(wr8(*sim, p, a, 1).ok);
    ASSERT_TRUE(wr8(*sim, t2, a, 2).ok);  // t2's CPU caches a writable translation
    const auto s0 = k.stats().shootdowns;
    ASSERT_TRUE(k.mprotect(p, a, kPage, sys::kProtRead).ok());
    EXPECT_EQ(k.stats().shootdowns - s0, 1u);
    auto r = wr8(*sim, t2, a + 8, 3);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.signal.code, sys::kSegvAccErr);
    EXPECT_EQ(r.fault_va, a + 8);
}

TEST(OsSched, SingleThreadedMunmapSendsNoShootdown) {
    auto sim = make_sim("x86_64", {}, 1, 4);
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "st"});
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, 4 * kPage, kRW, kAnonPriv);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(wr8(*sim, p, a + i * kPage, 1).ok);
    ASSERT_TRUE(k.munmap(p, a, 4 * kPage).ok());
    EXPECT_EQ(k.stats().shootdowns, 0u);
    EXPECT_GE(k.stats().local_flushes, 1u);
}

TEST(OsSched, ProcessesAreIsolatedWithAndWithoutPcid) {
    for (bool pcid : {true, false}) {
        auto cfg = load_preset("x86_64");
        MachineConfig mc = cfg->machine;
        mc.mmu.pcid = pcid;
        auto sim = std::move(*Simulation::create(mc, KernelConfig{}, 3));
        Kernel& k = sim->kernel();
        const Pid a = *k.spawn({.name = "a"}), b = *k.spawn({.name = "b"});
        const VirtAddr va = *k.mmap(a, VirtAddr{0}, kPage, kRW, kAnonPriv);
        ASSERT_EQ(*k.mmap(b, VirtAddr{0}, kPage, kRW, kAnonPriv), va);  // same layout
        ASSERT_NE(k.layout(a)->asid, k.layout(b)->asid);
        for (int round = 0; round < 4; ++round) {
            ASSERT_TRUE(wr8(*sim, a, va, 1000 + round).ok);
            ASSERT_TRUE(wr8(*sim, b, va, 2000 + round).ok);
            std::uint64_t x = 0, y = 0;
            ASSERT_TRUE(sim->read_u64(a, va, x).ok);
            ASSERT_TRUE(sim->read_u64(b, va, y).ok);
            EXPECT_EQ(x, 1000u + round) << "pcid " << pcid;
            EXPECT_EQ(y, 2000u + round) << "pcid " << pcid;
        }
        EXPECT_GE(k.stats().context_switches, 8u);
    }
}

TEST(OsSched, RoundRobinQuantum) {
    KernelConfig kc;
    kc.quantum = 3;
    auto sim = make_sim("x86_64", kc, 1, 1);
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "rr"});
    const Tid t2 = *k.clone_thread(p), t3 = *k.clone_thread(p);
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, kPage, kRW, kAnonPriv);
    std::vector<Tid> seen;
    for (int i = 0; i < 9; ++i) {
        seen.push_back(k.current(0) ? k.current(0) : 0);
        ASSERT_TRUE(k.access_on_cpu(0, a, AccessKind::Read, 1).ok);
    }
    // The CPU runs each thread for 3 accesses in run-queue order.
    std::vector<Tid> runs;
    for (int i = 0; i < 9; i += 3) runs.push_back(seen[static_cast<std::size_t>(i) + 1]);
    EXPECT_EQ(runs, (std::vector<Tid>{p, t2, t3}));
    EXPECT_EQ(k.current(0), p);  // back to the first after three quanta
}

TEST(OsSched, ExitReleasesEverything) {
    auto sim = make_sim("x86_64", {}, 1, 2);
    Kernel& k = sim->kernel();
    TempDir dir;
    write_host_file(dir.file("data"), 32 * kPage);
    const std::uint64_t free0 = k.free_frames();
    const Pid p = *k.spawn({.name = "leak"});
    const int fd = *k.open(p, dir.file("data"), sys::kORdWr);
    const VirtAddr anon = *k.mmap(p, VirtAddr{0}, 64 * kPage, kRW, kAnonPriv);
    const VirtAddr priv = *k.mmap(p, VirtAddr{0}, 32 * kPage, kRW, sys::kMapPrivate, fd, 0);
    const VirtAddr shared = *k.mmap(p, VirtAddr{0}, 32 * kPage, kRW, sys::kMapShared, fd, 0);
    const VirtAddr shm = *k.mmap(p, VirtAddr{0}, 16 * kPage, kRW, sys::kMapShared | sys::kMapAnonymous);
    const int mfd = *k.memfd_create(p, "buf");
    ASSERT_TRUE(k.ftruncate(p, mfd, 8 * kPage).ok());
    const VirtAddr mem = *k.mmap(p, VirtAddr{0}, 8 * kPage, kRW, sys::kMapShared, mfd, 0);
    for (int i = 0; i < 64; ++i) ASSERT_TRUE(wr8(*sim, p, anon + i * kPage, i).ok);
    for (int i = 0; i < 32; ++i) ASSERT_TRUE(wr8(*sim, p, priv + i * kPage, i).ok);
    for (int i = 0; i < 32; i += 2) ASSERT_TRUE(wr8(*sim, p, shared + i * kPage, i).ok);
    for (int i = 0; i < 16; ++i) ASSERT_TRUE(wr8(*sim, p, shm + i * kPage, i).ok);
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(wr8(*sim, p, mem + i * kPage, i).ok);
    ASSERT_TRUE(k.brk(p, k.brk(p, VirtAddr{0}) + 8 * kPage).value);
    const Tid t2 = *k.clone_thread(p);
    const Pid c = *k.fork(t2);
    for (int i = 0; i < 64; i += 3) ASSERT_TRUE(wr8(*sim, c, anon + i * kPage, 7).ok);  // COW copies
    for (int i = 0; i < 16; ++i) ASSERT_TRUE(wr8(*sim, c, shm + i * kPage, 9).ok);
    EXPECT_LT(k.free_frames(), free0);
    ASSERT_TRUE(k.exit_group(p, 3).ok());
    auto w = k.wait(c, -1);
    EXPECT_EQ(w.error, Errno::Child);  // the child has no children of its own
    ASSERT_TRUE(k.exit_group(c, 0).ok());
    EXPECT_EQ(k.process(p)->state, ProcState::Zombie);
    EXPECT_EQ(k.process(p)->exit_code, 3);
    // Clean page-cache pages stay cached until dropped, as on Linux.
    k.drop_caches();
    const auto st = k.stats();
    EXPECT_EQ(st.anon_pages, 0u);
    EXPECT_EQ(st.shmem_pages, 0u);
    EXPECT_EQ(st.page_table_pages, 0u);
    EXPECT_EQ(st.committed_pages, 0u);
    // Only the shared file's written pages remain (changed in the simulation, not on the
    // host, so they cannot be dropped): 16 frames.
    EXPECT_EQ(free0 - k.free_frames(), 16u);
}

TEST(OsSched, ExitOfAnUntouchedHostFileLeavesNoFrame) {
    auto sim = make_sim();
    Kernel& k = sim->kernel();
    TempDir dir;
    write_host_file(dir.file("data"), 32 * kPage);
    const std::uint64_t free0 = k.free_frames();
    for (int round = 0; round < 3; ++round) {
        const Pid p = *k.spawn({.name = "leak"});
        const int fd = *k.open(p, dir.file("data"), sys::kORdOnly);
        const VirtAddr f = *k.mmap(p, VirtAddr{0}, 32 * kPage, sys::kProtRead | sys::kProtWrite, sys::kMapPrivate, fd, 0);
        for (int i = 0; i < 32; ++i) ASSERT_TRUE(wr8(*sim, p, f + i * kPage, i).ok);
        const VirtAddr a = *k.mmap(p, VirtAddr{0}, 1 << 20, kRW, kAnonPriv);
        for (std::uint64_t off = 0; off < (1u << 20); off += kPage) ASSERT_TRUE(wr8(*sim, p, a + off, off).ok);
        ASSERT_TRUE(k.exit_group(p, 0).ok());
        EXPECT_EQ(k.drop_caches(), 32u);
        EXPECT_EQ(k.free_frames(), free0);
    }
}

TEST(OsSched, PermissionUpgradesSendNoShootdown) {
    auto sim = make_sim("x86_64", {}, 1, 2);
    Kernel& k = sim->kernel();
    TempDir dir;
    write_host_file(dir.file("f"), 4 * kPage);
    const Pid p = *k.spawn({.name = "mt"});
    const Tid t2 = *k.clone_thread(p);
    const int fd = *k.open(p, dir.file("f"), sys::kORdWr);
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, 4 * kPage, kRW, sys::kMapShared, fd, 0);
    std::uint64_t v = 0;
    ASSERT_TRUE(sim->read_u64(p, a, v).ok);   // maps the page read-only (write-notify)
    ASSERT_TRUE(sim->read_u64(t2, a, v).ok);  // t2's CPU caches the read-only entry
    const auto s0 = k.stats();
    const auto f0 = k.process(p)->faults;
    ASSERT_TRUE(sim->write_u64(p, a, 1).ok);  // write-notify fault: PTE made writable, no IPI
    // t2's CPU still holds the read-only entry: depending on the MMU model the write
    // re-walks the page table (this MMU does, before reporting a protection fault) or
    // takes a spurious fault that only flushes that CPU. Either way no IPI was sent.
    ASSERT_TRUE(sim->write_u64(t2, a + 8, 2).ok);
    const auto s1 = k.stats();
    const auto f1 = k.process(p)->faults;
    EXPECT_EQ(s1.shootdowns, s0.shootdowns);
    EXPECT_EQ(f1.shared_write - f0.shared_write, 1u);
    EXPECT_LE(f1.spurious - f0.spurious, 1u);
    EXPECT_EQ(f1.minor - f0.minor, 1 + (f1.spurious - f0.spurious));
    ASSERT_TRUE(sim->read_u64(p, a + 8, v).ok);
    EXPECT_EQ(v, 2u);
}
