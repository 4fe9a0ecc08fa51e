// Page-table and frame-allocator throughput: PageTable::map / query / unmap on x86-64
// 4-level paging, buddy alloc/free, and building a large PhysMem.
#include <benchmark/benchmark.h>

#include <vector>

#include "vmlab/core/rng.hpp"
#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"

using namespace vmlab;

namespace {

struct Setup {
    std::unique_ptr<PagingFormat> fmt;
    std::unique_ptr<PhysMem> mem;
    std::unique_ptr<PageTable> pt;
    explicit Setup(const char* name = "x86-64-4level") {
        fmt = std::move(*make_paging_format(name));
        PhysMemConfig c;
        c.bytes = std::uint64_t{1} << 30;
        mem = std::make_unique<PhysMem>(c);
        pt = std::move(*PageTable::create(*fmt, *mem));
    }
};

LeafAttrs user_rw() {
    LeafAttrs a;
    a.prot = Prot{true, true, false, true};
    return a;
}

// Maps then unmaps a run of consecutive 4 KiB pages (one PT filled and freed per 512).
void BM_MapUnmap4K(benchmark::State& state) {
    Setup s(state.range(0) == 5 ? "x86-64-5level" : "x86-64-4level");
    const std::uint64_t n = 4096;
    const VirtAddr base{0x7f0000000000ull};
    for (auto _ : state) {
        for (std::uint64_t i = 0; i < n; ++i) {
            const Status st = s.pt->map(base + (i << 12), PhysAddr{i << 12}, kPage4K, user_rw());
            benchmark::DoNotOptimize(st);
        }
        for (std::uint64_t i = 0; i < n; ++i) benchmark::DoNotOptimize(s.pt->unmap(base + (i << 12)));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n * 2));
}
BENCHMARK(BM_MapUnmap4K)->Arg(4)->Arg(5);

// Replaces existing 4 KiB mappings (tables already there): the cost of the walk + write.
void BM_Remap4K(benchmark::State& state) {
    Setup s;
    const std::uint64_t n = 1 << 16;
    const VirtAddr base{0x7f0000000000ull};
    for (std::uint64_t i = 0; i < n; ++i) (void)s.pt->map(base + (i << 12), PhysAddr{i << 12}, kPage4K, user_rw());
    std::uint64_t i = 0;
    for (auto _ : state) {
        const Status st = s.pt->map(base + ((i & (n - 1)) << 12), PhysAddr{i << 12 & 0xfffffff000ull}, kPage4K, user_rw());
        benchmark::DoNotOptimize(st);
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Remap4K);

// Queries of random mapped VAs among 64 Ki pages spread over 256 MiB of VA.
void BM_Query(benchmark::State& state) {
    Setup s;
    const std::uint64_t n = 1 << 16;
    std::vector<VirtAddr> vas;
    Rng rng(1);
    for (std::uint64_t i = 0; i < n; ++i) {
        const VirtAddr va{0x7f0000000000ull + (i << 12)};
        (void)s.pt->map(va, PhysAddr{i << 12}, kPage4K, user_rw());
        vas.push_back(va);
    }
    std::vector<VirtAddr> order(4096);
    for (auto& v : order) v = vas[rng.below(n)];
    std::size_t k = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(s.pt->query(order[k++ & 4095]));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Query);

void BM_BuddyAllocFree(benchmark::State& state) {
    PhysMemConfig c;
    c.bytes = std::uint64_t{1} << 30;
    PhysMem mem(c);
    const unsigned order = static_cast<unsigned>(state.range(0));
    std::vector<Pfn> held;
    const int n = 256;  // 256 blocks of order 9 = half of the 1 GiB
    held.reserve(n);
    for (auto _ : state) {
        for (int i = 0; i < n; ++i) held.push_back(*mem.allocator().alloc(order));
        for (Pfn p : held) mem.allocator().free(p, order);
        held.clear();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2 * n));
}
BENCHMARK(BM_BuddyAllocFree)->Arg(0)->Arg(9);

void BM_PhysMemBuild64G(benchmark::State& state) {
    PhysMemConfig c;
    c.bytes = std::uint64_t{64} << 30;
    c.zones = {{"DMA", 16 << 20}, {"DMA32", std::uint64_t{4} << 30}, {"Normal", 0}};
    for (auto _ : state) {
        PhysMem mem(c);
        benchmark::DoNotOptimize(mem.allocator().free_frames());
    }
}
BENCHMARK(BM_PhysMemBuild64G)->Unit(benchmark::kMillisecond);

}  // namespace
