// Kernel::access_batch against its specification: the same effects as access() called on
// each element in order, stopping after the first access that does not complete.
#include <vector>

#include "support/os_fixture.hpp"
#include "vmlab/core/rng.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/report/kernel_stats.hpp"
#include "vmlab/report/proc.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {

// Two CPUs; process p (main thread on CPU 0, thread t2 on CPU 1) with written anonymous
// memory, a read-only and an executable region; its fork child c on CPU 0 sharing p's
// pages copy-on-write; process q whose main thread has exited (its pid names thread q2).
struct World {
    std::unique_ptr<Simulation> sim;
    Pid p = 0, c = 0, q = 0;
    Tid t2 = 0, q2 = 0;
    VirtAddr rw{}, ro{}, rx{}, qrw{};
    static constexpr std::uint64_t kRwPages = 64, kRoPages = 8, kRxPages = 8, kQPages = 16;
};

World make_world(std::uint64_t seed) {
    World w;
    w.sim = make_sim("x86_64", {}, seed, 2);
    if (!w.sim) return w;
    Kernel& k = w.sim->kernel();
    w.p = *k.spawn({.name = "p"});
    w.rw = *k.mmap(w.p, VirtAddr{0}, World::kRwPages * kPage, kRW, kAnonPriv);
    w.ro = *k.mmap(w.p, VirtAddr{0}, World::kRoPages * kPage, sys::kProtRead, kAnonPriv);
    w.rx = *k.mmap(w.p, VirtAddr{0}, World::kRxPages * kPage, sys::kProtRead | sys::kProtExec, kAnonPriv);
    std::vector<std::uint8_t> page(kPage);
    for (std::uint64_t i = 0; i < World::kRwPages / 2; ++i) {
        for (std::uint64_t b = 0; b < kPage; ++b) page[b] = static_cast<std::uint8_t>(i * 7 + b);
        EXPECT_TRUE(k.write(w.p, w.rw + i * kPage, page).ok);
    }
    w.t2 = *k.clone_thread(w.p);
    EXPECT_TRUE(k.set_affinity(w.p, 0).ok());
    EXPECT_TRUE(k.set_affinity(w.t2, 1).ok());
    w.c = *k.fork(w.p);
    EXPECT_TRUE(k.set_affinity(w.c, 0).ok());
    w.q = *k.spawn({.name = "q"});
    w.qrw = *k.mmap(w.q, VirtAddr{0}, World::kQPages * kPage, kRW, kAnonPriv);
    w.q2 = *k.clone_thread(w.q);
    EXPECT_TRUE(k.set_affinity(w.q2, 1).ok());
    EXPECT_TRUE(k.exit_thread(w.q).ok());
    return w;
}

// A random mix: runs of one tid (1..48 accesses), mostly a few hot pages, reads, writes
// (COW breaks in c and p, new anonymous pages, zero-page reads) and instruction fetches,
// some accesses crossing a page boundary; none of them signals.
std::vector<MemAccess> random_mix(const World& w, std::uint64_t seed, std::size_t n) {
    Rng rng(seed);
    std::vector<MemAccess> out;
    const Tid tids[] = {w.p, w.t2, w.c, w.q};
    static constexpr std::uint32_t kSizes[] = {1, 2, 4, 8, 8, 8, 16, 64, 0, 200};
    while (out.size() < n) {
        const Tid tid = tids[rng.below(4)];
        const std::uint64_t run = 1 + rng.below(48);
        std::uint64_t hot = rng.below(8);
        for (std::uint64_t j = 0; j < run && out.size() < n; ++j) {
            MemAccess m;
            m.tid = tid;
            const std::uint64_t r = rng.below(100);
            VirtAddr base = tid == w.q ? w.qrw : w.rw;
            std::uint64_t pages = tid == w.q ? World::kQPages : World::kRwPages;
            if (r < 8 && tid != w.q) {
                m.kind = AccessKind::Execute;
                base = w.rx;
                pages = World::kRxPages;
            } else if (r < 12 && tid != w.q) {
                m.kind = AccessKind::Read;
                base = w.ro;
                pages = World::kRoPages;
            } else {
                m.kind = r < 70 ? AccessKind::Read : AccessKind::Write;
            }
            if (rng.below(10) == 0) hot = rng.below(pages);
            const std::uint64_t pg = rng.below(4) == 0 ? rng.below(pages) : (hot % pages);
            m.size = kSizes[rng.below(std::size(kSizes))];
            std::uint64_t off = rng.below(kPage - m.size + 1);
            // Cross into the next page of the same region now and then.
            if (pg + 1 < pages && m.size > 1 && rng.below(8) == 0) off = kPage - m.size / 2;
            m.va = base + pg * kPage + off;
            out.push_back(m);
        }
    }
    return out;
}

// Everything the two simulations must agree on.
void expect_same_state(World& a, World& b) {
    Kernel& ka = a.sim->kernel();
    Kernel& kb = b.sim->kernel();
    EXPECT_EQ(report::kernel_stats_json(ka.stats(), ka.machine()).dump(),
              report::kernel_stats_json(kb.stats(), kb.machine()).dump());
    ASSERT_EQ(ka.cpu_count(), kb.cpu_count());
    for (unsigned cpu = 0; cpu < ka.cpu_count(); ++cpu) {
        SCOPED_TRACE(cpu);
        const MmuStats& x = ka.machine().mmu(cpu).stats();
        const MmuStats& y = kb.machine().mmu(cpu).stats();
        EXPECT_EQ(x.translations, y.translations);
        EXPECT_EQ(x.tlb_hits, y.tlb_hits);
        EXPECT_EQ(x.walks, y.walks);
        EXPECT_EQ(x.dirty_rewalks, y.dirty_rewalks);
        EXPECT_EQ(x.permission_rewalks, y.permission_rewalks);
        EXPECT_EQ(x.walk_memory_refs, y.walk_memory_refs);
        EXPECT_EQ(x.pwc_hits, y.pwc_hits);
        EXPECT_EQ(x.pwc_misses, y.pwc_misses);
        EXPECT_EQ(x.faults, y.faults);
        EXPECT_EQ(x.ad_updates, y.ad_updates);
        EXPECT_EQ(x.cycles, y.cycles);
        EXPECT_EQ(x.pwc_hits_per_level, y.pwc_hits_per_level);
        ASSERT_EQ(x.tlbs.size(), y.tlbs.size());
        for (std::size_t i = 0; i < x.tlbs.size(); ++i) {
            EXPECT_EQ(x.tlbs[i].lookups, y.tlbs[i].lookups) << x.tlbs[i].name;
            EXPECT_EQ(x.tlbs[i].hits, y.tlbs[i].hits) << x.tlbs[i].name;
            EXPECT_EQ(x.tlbs[i].misses, y.tlbs[i].misses) << x.tlbs[i].name;
            EXPECT_EQ(x.tlbs[i].fills, y.tlbs[i].fills) << x.tlbs[i].name;
            EXPECT_EQ(x.tlbs[i].evictions, y.tlbs[i].evictions) << x.tlbs[i].name;
            EXPECT_EQ(x.tlbs[i].flushes, y.tlbs[i].flushes) << x.tlbs[i].name;
            EXPECT_EQ(x.tlbs[i].invalidated, y.tlbs[i].invalidated) << x.tlbs[i].name;
        }
        EXPECT_EQ(ka.current(cpu), kb.current(cpu));
    }
    ASSERT_EQ(ka.pids(), kb.pids());
    for (Pid pid : ka.pids()) {
        SCOPED_TRACE(pid);
        const ProcessInfo x = *ka.process(pid);
        const ProcessInfo y = *kb.process(pid);
        EXPECT_EQ(report::faults_json(x.faults).dump(), report::faults_json(y.faults).dump());
        EXPECT_EQ(x.accesses, y.accesses);
        EXPECT_EQ(x.cycles, y.cycles);
        EXPECT_EQ(x.state, y.state);
        EXPECT_EQ(x.term_signal, y.term_signal);
        EXPECT_EQ(x.threads, y.threads);
    }
    // Page-table entries and the bytes of every page of the regions, for the processes
    // still alive (read last: reading makes accesses of its own, the same on both sides).
    const struct {
        Pid pid;
        VirtAddr base;
        std::uint64_t pages;
    } regions[] = {{a.p, a.rw, World::kRwPages}, {a.c, a.rw, World::kRwPages}, {a.p, a.ro, World::kRoPages},
                   {a.p, a.rx, World::kRxPages}, {a.q, a.qrw, World::kQPages}};
    for (const auto& r : regions) {
        for (std::uint64_t i = 0; i < r.pages; ++i) {
            const VirtAddr va = r.base + i * kPage;
            const auto x = ka.page(r.pid, va);
            const auto y = kb.page(r.pid, va);
            ASSERT_EQ(x.has_value(), y.has_value());
            if (!x) continue;
            EXPECT_EQ(x->present, y->present) << r.pid << " page " << i;
            EXPECT_EQ(x->writable, y->writable) << r.pid << " page " << i;
            EXPECT_EQ(x->dirty, y->dirty) << r.pid << " page " << i;
            EXPECT_EQ(x->accessed, y->accessed) << r.pid << " page " << i;
            EXPECT_EQ(x->zero_page, y->zero_page) << r.pid << " page " << i;
            EXPECT_EQ(x->pfn, y->pfn) << r.pid << " page " << i;
            EXPECT_EQ(x->mapcount, y->mapcount) << r.pid << " page " << i;
            EXPECT_EQ(x->refcount, y->refcount) << r.pid << " page " << i;
        }
    }
    for (const auto& r : regions) {
        if (ka.process(r.pid)->state != ProcState::Running) continue;
        std::vector<std::uint8_t> x(r.pages * kPage), y(r.pages * kPage);
        const AccessOutcome ox = ka.read(r.pid, r.base, x);
        const AccessOutcome oy = kb.read(r.pid, r.base, y);
        EXPECT_EQ(ox.ok, oy.ok);
        EXPECT_TRUE(x == y) << "memory of " << r.pid << " differs";
    }
}

// What access() one by one gives: the index and outcome of each access that did not
// complete, and the sums of faults and cycles, stopping at the first failure when `stop`.
struct OneByOne {
    std::vector<std::size_t> failed;
    std::vector<AccessOutcome> outcomes;
    std::uint64_t faults = 0, cycles = 0;
};
OneByOne run_one_by_one(Kernel& k, const std::vector<MemAccess>& batch, bool stop) {
    OneByOne r;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const MemAccess& m = batch[i];
        const AccessOutcome o = k.access(m.tid, m.va, m.kind, m.size);
        r.faults += o.faults;
        r.cycles += o.cycles;
        if (!o.ok) {
            r.failed.push_back(i);
            r.outcomes.push_back(o);
            if (stop) break;
        }
    }
    return r;
}

void expect_same_outcome(const AccessOutcome& x, const AccessOutcome& y) {
    EXPECT_EQ(x.ok, y.ok);
    EXPECT_EQ(x.signal, y.signal);
    EXPECT_EQ(x.fault_va, y.fault_va);
    EXPECT_EQ(x.killed, y.killed);
    EXPECT_EQ(x.faults, y.faults);
    EXPECT_EQ(x.cycles, y.cycles);
}

TEST(AccessBatch, RandomMixMatchesOneByOne) {
    World a = make_world(11), b = make_world(11);
    ASSERT_TRUE(a.sim && b.sim);
    ASSERT_EQ(a.rw, b.rw);
    const auto batch = random_mix(a, 5, 20000);
    const OneByOne seq = run_one_by_one(a.sim->kernel(), batch, true);
    ASSERT_TRUE(seq.failed.empty()) << "the mix should not signal (index " << seq.failed.front() << ")";
    const BatchOutcome res = b.sim->kernel().access_batch(batch);
    EXPECT_FALSE(res.stopped);
    EXPECT_EQ(res.completed, batch.size());
    EXPECT_EQ(res.faults, seq.faults);
    EXPECT_EQ(res.cycles, seq.cycles);
    EXPECT_GT(res.faults, 0u);
    const KernelStats& s = b.sim->kernel().stats();
    EXPECT_GT(s.faults.cow_copy + s.faults.cow_reuse, 0u);
    EXPECT_GT(s.shootdowns, 0u);
    expect_same_state(a, b);
}

// An access that delivers SIGSEGV (default action: the process dies) in the middle.
TEST(AccessBatch, StopsAtTheSignallingAccess) {
    World a = make_world(3), b = make_world(3);
    ASSERT_TRUE(a.sim && b.sim);
    auto batch = random_mix(a, 9, 6000);
    const std::size_t bad = 3001;
    batch[bad] = MemAccess{a.c, a.ro + 5 * kPage + 12, AccessKind::Write, 4};
    const OneByOne seq = run_one_by_one(a.sim->kernel(), batch, true);
    ASSERT_EQ(seq.failed, std::vector<std::size_t>{bad});
    EXPECT_EQ(seq.outcomes[0].signal.signo, sys::kSigSegv);
    EXPECT_TRUE(seq.outcomes[0].killed);

    const BatchOutcome res = b.sim->kernel().access_batch(batch);
    EXPECT_TRUE(res.stopped);
    EXPECT_EQ(res.index, bad);
    EXPECT_EQ(res.completed, bad);
    expect_same_outcome(res.outcome, seq.outcomes[0]);
    EXPECT_EQ(res.outcome.fault_va, a.ro + 5 * kPage + 12);
    EXPECT_EQ(res.faults, seq.faults);
    EXPECT_EQ(res.cycles, seq.cycles);
    expect_same_state(a, b);
}

// With SIGSEGV caught the process survives; the caller resumes after each stop.
TEST(AccessBatch, CallerResumesAfterACaughtSignal) {
    World a = make_world(4), b = make_world(4);
    ASSERT_TRUE(a.sim && b.sim);
    for (World* w : {&a, &b}) {
        ASSERT_TRUE(w->sim->kernel().set_signal_disposition(w->c, sys::kSigSegv, SigDisposition::Catch).ok());
        ASSERT_TRUE(w->sim->kernel().set_signal_disposition(w->p, sys::kSigSegv, SigDisposition::Catch).ok());
    }
    auto batch = random_mix(a, 21, 8000);
    const std::vector<std::size_t> bad = {0, 17, 18, 2500, 5000, 7999};
    batch[0] = MemAccess{a.p, a.rw + World::kRwPages * kPage + 100 * kPage, AccessKind::Read, 8};  // unmapped
    batch[17] = MemAccess{a.c, a.ro, AccessKind::Write, 1};
    batch[18] = MemAccess{a.c, a.rw + 3 * kPage, AccessKind::Execute, 4};  // NX
    batch[2500] = MemAccess{a.t2, a.ro + kPage - 2, AccessKind::Write, 4};
    batch[5000] = MemAccess{a.p, a.rx + kPage, AccessKind::Write, 8};
    batch[7999] = MemAccess{a.c, a.ro + 7 * kPage, AccessKind::Write, 8};
    const OneByOne seq = run_one_by_one(a.sim->kernel(), batch, false);
    ASSERT_EQ(seq.failed, bad);

    std::vector<std::size_t> stops;
    std::vector<AccessOutcome> outcomes;
    std::uint64_t faults = 0, cycles = 0;
    std::size_t from = 0;
    while (from < batch.size()) {
        const BatchOutcome res = b.sim->kernel().access_batch(std::span(batch).subspan(from));
        faults += res.faults;
        cycles += res.cycles;
        if (!res.stopped) {
            EXPECT_EQ(res.completed, batch.size() - from);
            break;
        }
        EXPECT_EQ(res.completed, res.index);
        EXPECT_FALSE(res.outcome.ok);
        stops.push_back(from + res.index);
        outcomes.push_back(res.outcome);
        from += res.index + 1;
    }
    EXPECT_EQ(stops, bad);
    ASSERT_EQ(outcomes.size(), seq.outcomes.size());
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        SCOPED_TRACE(i);
        expect_same_outcome(outcomes[i], seq.outcomes[i]);
        EXPECT_FALSE(outcomes[i].killed);
    }
    EXPECT_EQ(faults, seq.faults);
    EXPECT_EQ(cycles, seq.cycles);
    expect_same_state(a, b);
}

// An unknown or exited thread stops the batch as access() reports it: nothing happens,
// the outcome names the address and no signal; the accesses after it are not made.
TEST(AccessBatch, StopsAtAnUnknownOrExitedThread) {
    for (const bool exited : {false, true}) {
        SCOPED_TRACE(exited);
        World a = make_world(8), b = make_world(8);
        ASSERT_TRUE(a.sim && b.sim);
        const Tid gone = exited ? a.t2 : 4242;
        if (exited) {
            ASSERT_TRUE(a.sim->kernel().exit_thread(a.t2).ok());
            ASSERT_TRUE(b.sim->kernel().exit_thread(b.t2).ok());
        }
        std::vector<MemAccess> batch;
        for (int i = 0; i < 10; ++i) batch.push_back({a.p, a.rw + i * kPage, AccessKind::Read, 8});
        batch.push_back({gone, a.rw + 40, AccessKind::Write, 8});
        for (int i = 0; i < 10; ++i) batch.push_back({a.c, a.rw + i * kPage, AccessKind::Write, 8});
        const OneByOne seq = run_one_by_one(a.sim->kernel(), batch, true);
        ASSERT_EQ(seq.failed, std::vector<std::size_t>{10});

        const std::uint64_t before = b.sim->kernel().stats().accesses;
        const BatchOutcome res = b.sim->kernel().access_batch(batch);
        EXPECT_TRUE(res.stopped);
        EXPECT_EQ(res.index, 10u);
        EXPECT_EQ(res.completed, 10u);
        EXPECT_FALSE(res.outcome.ok);
        EXPECT_EQ(res.outcome.signal.signo, 0);
        EXPECT_EQ(res.outcome.fault_va, a.rw + 40);
        EXPECT_EQ(res.outcome.faults, 0u);
        EXPECT_EQ(res.outcome.cycles, 0u);
        EXPECT_EQ(b.sim->kernel().stats().accesses, before + 10);
        expect_same_outcome(res.outcome, seq.outcomes[0]);
        expect_same_state(a, b);
    }
}

// TLB hits: each access is one translation answered by the first level, charged its
// latency, and counted once for the process and the kernel.
TEST(AccessBatch, HitsCountLikeSingleAccesses) {
    World a = make_world(2), b = make_world(2);
    ASSERT_TRUE(a.sim && b.sim);
    std::vector<MemAccess> batch;
    for (int r = 0; r < 200; ++r)
        for (std::uint64_t i = 0; i < 8; ++i) batch.push_back({a.p, a.rw + i * kPage + 8 * r, AccessKind::Read, 8});
    const OneByOne seq = run_one_by_one(a.sim->kernel(), batch, true);
    Kernel& kb = b.sim->kernel();
    const MmuStats m0 = kb.machine().mmu(0).stats();
    const BatchOutcome res = kb.access_batch(batch);
    const MmuStats m1 = kb.machine().mmu(0).stats();
    EXPECT_FALSE(res.stopped);
    EXPECT_EQ(res.completed, batch.size());
    EXPECT_EQ(res.cycles, seq.cycles);
    EXPECT_EQ(m1.translations - m0.translations, batch.size());
    // After the first touch of each page, every access hits.
    EXPECT_GE(m1.tlb_hits - m0.tlb_hits, batch.size() - 8);
    expect_same_state(a, b);
}

TEST(AccessBatch, EmptyBatchDoesNothing) {
    World a = make_world(1);
    ASSERT_TRUE(a.sim);
    Kernel& k = a.sim->kernel();
    const std::uint64_t accesses = k.stats().accesses, switches = k.stats().context_switches;
    const BatchOutcome res = k.access_batch({});
    EXPECT_FALSE(res.stopped);
    EXPECT_EQ(res.completed, 0u);
    EXPECT_EQ(res.faults, 0u);
    EXPECT_EQ(res.cycles, 0u);
    EXPECT_EQ(k.stats().accesses, accesses);
    EXPECT_EQ(k.stats().context_switches, switches);
}

}  // namespace
