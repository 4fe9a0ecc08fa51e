// The kernel's rooms through their own interfaces: the page cache, the process table,
// the scheduler (run queues, ASIDs) and TLB flushing (local flushes, shootdowns, lazy
// flushes of CPUs that ran an address space earlier).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>

#include "os/internal.hpp"
#include "vmlab/config/config.hpp"
#include "support/phys_mem_config.hpp"

using namespace vmlab;
using namespace vmlab::test;
using namespace vmlab::os;

namespace {

TEST(PageCacheRoom, MemoryFilePagesStartZeroAndStayCached) {
    PhysMem mem(memory_mib(16));
    FrameTable ft(mem);
    KernelStats stats;
    PageCache pc(mem, ft, stats, kPage4K, 8);
    {
        auto ino = pc.make_inode(Inode::Kind::Shmem, make_memory_store());
        ino->size = 3 * 4096;
        ino->pages.assign(3, kNoPfn);
        EXPECT_FALSE(pc.find(*ino, 1));
        bool major = false;
        FaultStatus st = FaultStatus::Done;
        auto f = pc.get(*ino, 1, &major, 1, &st);
        ASSERT_TRUE(f);
        EXPECT_FALSE(major);  // nothing is read from a store for memory files
        EXPECT_EQ(ino->cached, 1u);  // no read-around either
        EXPECT_TRUE(mem.range_is_zero(f->addr(kPage4K), 4096));
        EXPECT_TRUE(ft.test(*f, kPgFile));
        EXPECT_TRUE(ft.test(*f, kPgShmem));
        EXPECT_EQ(ft.refcount(*f), 1u);  // the cache's reference
        EXPECT_EQ(pc.find(*ino, 1), f);
        EXPECT_EQ(stats.page_cache_pages, 1u);
        // Past EOF is a bus error.
        EXPECT_FALSE(pc.get(*ino, 3, nullptr, 0, &st));
        EXPECT_EQ(st, FaultStatus::Bus);
        // drop_caches leaves shmem alone.
        pc.add_path("shm", ino);
        EXPECT_EQ(pc.drop_caches(), 0u);
        pc.clear_paths();
    }
    // The last reference to the inode released its pages.
    EXPECT_EQ(stats.page_cache_pages, 0u);
    EXPECT_EQ(ft.shmem_pages(), 0u);
}

TEST(PageCacheRoom, HostFileReadAroundTruncateAndDrop) {
    char name[] = "/tmp/vmlab_pc_XXXXXX";
    const int fd = ::mkstemp(name);
    ASSERT_GE(fd, 0);
    std::string data(10 * 4096, 'q');
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
    PhysMem mem(memory_mib(16));
    FrameTable ft(mem);
    KernelStats stats;
    PageCache pc(mem, ft, stats, kPage4K, 4);
    {
        auto ino = pc.make_inode(Inode::Kind::Host, make_host_file_store(name, false));
        ino->size = data.size();
        ino->pages.assign(10, kNoPfn);
        pc.add_path(name, ino);
        EXPECT_EQ(pc.lookup(name), ino);
        bool major = false;
        FaultStatus st = FaultStatus::Done;
        auto f = pc.get(*ino, 5, &major, 1, &st);
        ASSERT_TRUE(f);
        EXPECT_TRUE(major);
        // Read-around of 4 pages centred on index 5: pages 3..6.
        EXPECT_EQ(ino->cached, 4u);
        for (std::uint64_t i : {3, 4, 5, 6}) EXPECT_TRUE(pc.find(*ino, i)) << i;
        EXPECT_EQ(stats.host_bytes_read, 4u * 4096);
        std::uint8_t b = 0;
        mem.read(f->addr(kPage4K) + 17, &b, 1);
        EXPECT_EQ(b, 'q');
        // Truncating to the middle of page 4 drops 5 and 6 and zeroes page 4's tail.
        pc.truncate(*ino, 4 * 4096 + 10);
        EXPECT_EQ(ino->cached, 2u);
        EXPECT_FALSE(pc.find(*ino, 5));
        auto p4 = pc.find(*ino, 4);
        ASSERT_TRUE(p4);
        mem.read(p4->addr(kPage4K) + 9, &b, 1);
        EXPECT_EQ(b, 'q');
        EXPECT_TRUE(mem.range_is_zero(p4->addr(kPage4K) + 10, 4096 - 10));
        // A dirty page survives drop_caches; clean unmapped ones go.
        ft.set(*p4, kPgDirty);
        EXPECT_EQ(pc.drop_caches(), 1u);
        EXPECT_TRUE(pc.find(*ino, 4));
        // Writing back to a read-only host file leaves the page diverged: never dropped.
        pc.write_out(*ino, 4);
        EXPECT_FALSE(ft.test(*p4, kPgDirty));
        EXPECT_TRUE(ft.test(*p4, kPgDiverged));
        EXPECT_EQ(stats.writeback_pages, 1u);
        EXPECT_EQ(pc.drop_caches(), 0u);
        pc.clear_paths();
    }
    std::remove(name);
    EXPECT_EQ(stats.page_cache_pages, 0u);
}

TEST(ProcessTableRoom, PidsAndTidsShareOneIncreasingSpace) {
    ProcessTable pt(500);
    const Pid a = pt.alloc_pid();
    EXPECT_EQ(a, 500);
    Process& p = pt.add_process(a);
    EXPECT_EQ(p.pid, 500);
    Thread& main = pt.add_thread(p, a);
    const Tid t2 = pt.alloc_pid();
    Thread& second = pt.add_thread(p, t2);
    EXPECT_EQ(t2, 501);
    EXPECT_EQ(pt.thread(500), &main);
    EXPECT_EQ(pt.thread(501), &second);
    EXPECT_EQ(second.proc, &p);
    EXPECT_EQ(p.threads, (std::vector<Tid>{500, 501}));
    const Pid b = pt.alloc_pid();
    pt.add_process(b);
    EXPECT_EQ(pt.pids(), (std::vector<Pid>{500, 502}));
    EXPECT_EQ(pt.thread(502), nullptr);  // a pid without a thread yet
    EXPECT_EQ(pt.process(501), nullptr);  // a tid is not a pid
    EXPECT_EQ(pt.thread(499), nullptr);
    pt.remove_thread(501);
    EXPECT_EQ(pt.thread(501), nullptr);
    pt.remove_process(500);
    EXPECT_EQ(pt.process(500), nullptr);
    EXPECT_EQ(pt.alloc_pid(), 503);  // never reused
}

// A kernel on a two-CPU x86-64 machine, used through KernelImpl's rooms.
struct TwoCpus : ::testing::Test {
    void SetUp() override {
        auto cfg = load_preset("x86_64");
        ASSERT_TRUE(cfg) << cfg.error().str();
        MachineConfig mc = cfg->machine;
        mc.cpus = 2;
        auto m = Machine::create(mc);
        ASSERT_TRUE(m) << m.error().str();
        machine = std::move(*m);
        k = std::make_unique<KernelImpl>(*machine, KernelConfig{}, rng);
    }
    Process& process() {
        auto mm = k->new_mm(nullptr);
        Process& p = k->new_process("p", 0);
        mm->owner = &p;
        p.mm = std::move(mm);
        k->new_thread(p, p.pid);
        return p;
    }
    Rng rng{1};
    std::unique_ptr<Machine> machine;
    std::unique_ptr<KernelImpl> k;
};

TEST_F(TwoCpus, ThreadsArePlacedRoundRobinAndScheduledInTurn) {
    Process& a = process();  // CPU 0
    Process& b = process();  // CPU 1
    Process& c = process();  // CPU 0
    Scheduler& s = k->sched_;
    EXPECT_EQ(s.cpu_count(), 2u);
    EXPECT_EQ(k->procs_.thread(a.pid)->cpu, 0u);
    EXPECT_EQ(k->procs_.thread(b.pid)->cpu, 1u);
    EXPECT_EQ(k->procs_.thread(c.pid)->cpu, 0u);
    EXPECT_EQ(s.current(0), 0);
    EXPECT_EQ(s.schedule(0, k->procs_), a.pid);
    EXPECT_EQ(s.loaded(0), a.mm.get());
    EXPECT_EQ(s.schedule(0, k->procs_), c.pid);
    EXPECT_EQ(s.loaded(0), c.mm.get());
    EXPECT_EQ(s.schedule(0, k->procs_), a.pid);
    EXPECT_EQ(k->stats_.context_switches, 3u);
    // The quantum counts accesses of the current thread.
    for (std::uint64_t i = 1; i < k->cfg_.quantum; ++i) ASSERT_FALSE(s.tick(0));
    EXPECT_TRUE(s.tick(0));
    s.migrate(*k->procs_.thread(c.pid), 1);
    EXPECT_EQ(s.schedule(0, k->procs_), a.pid);  // alone on CPU 0 now
    s.unplace(*k->procs_.thread(a.pid));
    EXPECT_EQ(s.current(0), 0);
    EXPECT_EQ(s.schedule(0, k->procs_), 0);
}

TEST_F(TwoCpus, AsidsAreUniqueUntilTheyRunOut) {
    std::set<std::uint16_t> seen;
    std::vector<std::unique_ptr<Mm>> mms;
    for (int i = 0; i < 4095; ++i) {
        mms.push_back(k->new_mm(nullptr));
        ASSERT_TRUE(mms.back());
        ASSERT_FALSE(mms.back()->asid_shared);
        ASSERT_NE(mms.back()->asid.value, 0u);
        ASSERT_TRUE(seen.insert(mms.back()->asid.value).second);
    }
    auto extra = k->new_mm(nullptr);
    EXPECT_TRUE(extra->asid_shared);
    EXPECT_EQ(extra->asid.value, 0u);
    // A released ASID is handed out again.
    const std::uint16_t freed = mms.front()->asid.value;
    k->destroy_mm(std::move(mms.front()), nullptr);
    auto reuse = k->new_mm(nullptr);
    EXPECT_FALSE(reuse->asid_shared);
    EXPECT_EQ(reuse->asid.value, freed);
    k->destroy_mm(std::move(extra), nullptr);
    k->destroy_mm(std::move(reuse), nullptr);
    for (std::size_t i = 1; i < mms.size(); ++i) k->destroy_mm(std::move(mms[i]), nullptr);
}

TEST_F(TwoCpus, FlushesAreLocalShotDownOrDeferred) {
    Process& a = process();  // main thread on CPU 0
    Thread& t0 = *k->procs_.thread(a.pid);
    const Tid t1id = k->procs_.alloc_pid();
    Thread& t1 = k->new_thread(a, t1id);  // CPU 1
    ASSERT_EQ(t1.cpu, 1u);
    Mm& mm = *a.mm;
    k->sched_.switch_in(0, t0);
    k->sched_.switch_in(1, t1);
    TlbFlush& tlb = k->tlb_;
    const std::uint64_t cost = machine->config().mmu.cost.shootdown_cycles;
    // Running on both CPUs: the caller's CPU flushes locally, the other takes an IPI.
    tlb.reset_charge();
    tlb.flush_page(mm, VirtAddr{0x1000}, &t0);
    EXPECT_EQ(k->stats_.local_flushes, 1u);
    EXPECT_EQ(k->stats_.shootdowns, 1u);
    EXPECT_EQ(tlb.charge(), cost);
    EXPECT_EQ(a.cycles, cost);
    // Without a caller (and no running context of this mm) every flush is local.
    k->sched_.set_context(nullptr);
    tlb.flush_range(mm, VirtAddr{0x1000}, VirtAddr{0x3000}, nullptr);
    EXPECT_EQ(k->stats_.local_flushes, 3u);
    EXPECT_EQ(k->stats_.shootdowns, 1u);
    // CPU 1 switches to another address space: it is marked stale, not interrupted, and
    // flushes the ASID when the mm comes back.
    Process& b = process();
    Thread& tb = *k->procs_.thread(b.pid);
    k->sched_.migrate(tb, 1);
    k->sched_.switch_in(1, tb);
    tlb.flush_page(mm, VirtAddr{0x1000}, &t0);
    EXPECT_EQ(k->stats_.shootdowns, 1u);
    EXPECT_EQ(mm.stale[1], 1u);
    const std::uint64_t lazy = k->stats_.lazy_flushes;
    k->sched_.switch_in(1, t1);
    EXPECT_EQ(k->stats_.lazy_flushes, lazy + 1);
    EXPECT_EQ(mm.stale[1], 0u);
    // A local flush on the faulting CPU marks the CPUs that ran the mm earlier as stale.
    k->sched_.switch_in(1, tb);
    tlb.flush_local(mm, VirtAddr{0x1000}, &t0);
    EXPECT_EQ(mm.stale[1], 1u);
    EXPECT_EQ(k->stats_.shootdowns, 1u);
}

}  // namespace
