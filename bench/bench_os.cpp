// Kernel-model benchmarks: demand paging, COW fork, TLB-hit accesses through the kernel
// (one by one and in batches).
//
//   ./build/release/bench/vmlab_bench --benchmark_filter=Os
#include <benchmark/benchmark.h>

#include <vector>

#include "vmlab/config/config.hpp"
#include "vmlab/sim/simulation.hpp"

using namespace vmlab;

namespace {

std::unique_ptr<Simulation> make_sim() {
    auto cfg = load_preset("x86_64");
    if (!cfg) return nullptr;
    auto sim = Simulation::create(cfg->machine, KernelConfig{}, 1);
    return sim ? std::move(*sim) : nullptr;
}

constexpr std::uint64_t kPage = 4096;
constexpr int kRW = sys::kProtRead | sys::kProtWrite;
constexpr int kAnon = sys::kMapPrivate | sys::kMapAnonymous;

// Touch 1 GiB of fresh anonymous memory page by page: 262,144 write faults, each a new
// zeroed frame, its PTE and rmap entry; then unmap it all.
void BM_OsTouch1GiBAnon(benchmark::State& state) {
    const std::uint64_t bytes = 1ull << 30;
    std::uint64_t faults = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto sim = make_sim();
        Kernel& k = sim->kernel();
        const Pid p = *k.spawn({.name = "bench"});
        const VirtAddr a = *k.mmap(p, VirtAddr{0}, bytes, kRW, kAnon);
        state.ResumeTiming();
        for (std::uint64_t off = 0; off < bytes; off += kPage) faults += sim->access(p, a + off, AccessKind::Write, 1).faults;
        state.PauseTiming();
        sim.reset();
        state.ResumeTiming();
    }
    state.counters["faults/s"] = benchmark::Counter(static_cast<double>(faults), benchmark::Counter::kIsRate);
    state.counters["faults"] = static_cast<double>(faults) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_OsTouch1GiBAnon)->Unit(benchmark::kMillisecond)->Iterations(3);

// munmap of 1 GiB of touched anonymous memory (frees 262,144 frames and the page tables).
void BM_OsMunmap1GiBAnon(benchmark::State& state) {
    const std::uint64_t bytes = 1ull << 30;
    for (auto _ : state) {
        state.PauseTiming();
        auto sim = make_sim();
        Kernel& k = sim->kernel();
        const Pid p = *k.spawn({.name = "bench"});
        const VirtAddr a = *k.mmap(p, VirtAddr{0}, bytes, kRW, kAnon);
        for (std::uint64_t off = 0; off < bytes; off += kPage) sim->access(p, a + off, AccessKind::Write, 1);
        state.ResumeTiming();
        benchmark::DoNotOptimize(k.munmap(p, a, bytes));
        state.PauseTiming();
        sim.reset();
        state.ResumeTiming();
    }
}
BENCHMARK(BM_OsMunmap1GiBAnon)->Unit(benchmark::kMillisecond)->Iterations(3);

// fork of a process with 64 MiB of written anonymous memory, then the child writes it all
// (16,384 COW copies).
void BM_OsForkCow64MiB(benchmark::State& state) {
    const std::uint64_t bytes = 64ull << 20;
    auto sim = make_sim();
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "bench"});
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, bytes, kRW, kAnon);
    for (std::uint64_t off = 0; off < bytes; off += kPage) sim->access(p, a + off, AccessKind::Write, 1);
    for (auto _ : state) {
        const Pid c = *k.fork(p);
        for (std::uint64_t off = 0; off < bytes; off += kPage) sim->access(c, a + off, AccessKind::Write, 1);
        benchmark::DoNotOptimize(k.exit_group(c, 0));
        benchmark::DoNotOptimize(k.wait(p, c));
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bytes / kPage));
}
BENCHMARK(BM_OsForkCow64MiB)->Unit(benchmark::kMillisecond);

// Accesses that hit the TLB, through the kernel's access door (thread lookup, MMU).
void BM_OsAccessTlbHit(benchmark::State& state) {
    auto sim = make_sim();
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "bench"});
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, 16 * kPage, kRW, kAnon);
    for (std::uint64_t i = 0; i < 16; ++i) sim->access(p, a + i * kPage, AccessKind::Write, 1);
    std::uint64_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(sim->access(p, a + (i & 15) * kPage, AccessKind::Read, 8));
        ++i;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OsAccessTlbHit);

// The same accesses through the batch door, 4096 per call: the thread is resolved once
// and each access takes the MMU's inline first-level hit.
void BM_OsAccessBatchTlbHit(benchmark::State& state) {
    auto sim = make_sim();
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "bench"});
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, 16 * kPage, kRW, kAnon);
    for (std::uint64_t i = 0; i < 16; ++i) sim->access(p, a + i * kPage, AccessKind::Write, 1);
    std::vector<MemAccess> batch(4096);
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i] = {p, a + (i & 15) * kPage, AccessKind::Read, 8};
    for (auto _ : state) benchmark::DoNotOptimize(k.access_batch(batch));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch.size()));
}
BENCHMARK(BM_OsAccessBatchTlbHit);

// Mixed locality over 1024 touched pages (beyond the 64-entry L1 DTLB, inside the L2):
// 90% of the accesses go to 32 hot pages, the rest anywhere (L2 hits refilling L1), 1 in
// 16 a write; one process, 4096 accesses per call. `batch` = 0 calls access() for each.
std::vector<MemAccess> mixed_batch(Pid p, VirtAddr a) {
    std::vector<MemAccess> batch(4096);
    std::uint64_t x = 12345;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const std::uint64_t r = x >> 33;
        const std::uint64_t page = r % 10 < 9 ? (r >> 4) % 32 : (r >> 4) % 1024;
        const AccessKind kind = (r >> 20) % 16 == 0 ? AccessKind::Write : AccessKind::Read;
        batch[i] = {p, a + page * kPage + ((r >> 24) % 512) * 8, kind, 8};
    }
    return batch;
}

void BM_OsAccessMixedLocality(benchmark::State& state) {
    auto sim = make_sim();
    Kernel& k = sim->kernel();
    const Pid p = *k.spawn({.name = "bench"});
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, 1024 * kPage, kRW, kAnon);
    for (std::uint64_t i = 0; i < 1024; ++i) sim->access(p, a + i * kPage, AccessKind::Write, 1);
    const std::vector<MemAccess> batch = mixed_batch(p, a);
    const bool batched = state.range(0) != 0;
    for (auto _ : state) {
        if (batched) {
            benchmark::DoNotOptimize(k.access_batch(batch));
        } else {
            for (const MemAccess& m : batch) benchmark::DoNotOptimize(k.access(m.tid, m.va, m.kind, m.size));
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch.size()));
}
BENCHMARK(BM_OsAccessMixedLocality)->ArgName("batch")->Arg(0)->Arg(1);

}  // namespace
