// MMU throughput: translations per second on the L1 TLB-hit path, on the L2-hit path, and
// for full page walks with cold (or no) TLBs and page-walk caches, on x86-64 paging.
// Figures and commands are recorded in docs/perf.md.
#include <benchmark/benchmark.h>

#include <vector>

#include "vmlab/core/rng.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/tlb.hpp"

using namespace vmlab;

namespace {

TlbConfig tlb(std::string name, unsigned level, TlbKind kind, std::vector<PageSize> sizes, unsigned entries,
              unsigned ways, std::uint32_t cycles) {
    TlbConfig c;
    c.name = std::move(name);
    c.level = level;
    c.kind = kind;
    c.page_sizes = std::move(sizes);
    c.entries = entries;
    c.ways = ways;
    c.hit_cycles = cycles;
    return c;
}

// The x86_64 preset's hierarchy (Skylake): L1 DTLB 64x4 (4K), 32x4 (2M), 4 (1G), L1 ITLB
// 128x8, L2 1536x12 (4K+2M) and 16x4 (1G); PWCs 2/4/32.
MachineConfig skylake(const char* format = "x86-64-4level", bool tlbs = true, bool pwc = true) {
    MachineConfig m;
    m.paging.format = format;
    m.memory.bytes = std::uint64_t{1} << 30;
    if (tlbs)
        m.mmu.tlbs = {tlb("L1D-4K", 1, TlbKind::Data, {kPage4K}, 64, 4, 1),
                      tlb("L1D-2M", 1, TlbKind::Data, {kPage2M}, 32, 4, 1),
                      tlb("L1D-1G", 1, TlbKind::Data, {kPage1G}, 4, 0, 1),
                      tlb("L1I-4K", 1, TlbKind::Instruction, {kPage4K}, 128, 8, 1),
                      tlb("L2", 2, TlbKind::Unified, {kPage4K, kPage2M}, 1536, 12, 9),
                      tlb("L2-1G", 2, TlbKind::Unified, {kPage1G}, 16, 4, 9)};
    if (pwc) m.mmu.pwc.entries = {2, 4, 32};
    return m;
}

struct Bench {
    std::unique_ptr<Machine> machine;
    std::unique_ptr<PageTable> pt;
    std::vector<VirtAddr> vas;  // the access stream, replayed in a loop

    Bench(const MachineConfig& cfg, const std::vector<VirtAddr>& pages) {
        machine = std::move(*Machine::create(cfg));
        pt = std::move(*PageTable::create(machine->format(), machine->mem()));
        LeafAttrs a;
        a.prot = Prot{true, true, false, true};
        a.accessed = a.dirty = true;
        const std::uint64_t frames = machine->mem().frame_count();
        for (std::size_t i = 0; i < pages.size(); ++i) {
            const PhysAddr pa{((frames / 2 + i) % frames) << 12};
            if (!pt->map(pages[i], pa, kPage4K, a)) std::abort();
        }
        machine->mmu(0).set_root(pt->root(), Asid{1});
    }
    Mmu& mmu() { return machine->mmu(0); }
};

// A stream of `n` accesses to random pages of `pages`, at random offsets.
std::vector<VirtAddr> stream(const std::vector<VirtAddr>& pages, std::size_t n, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<VirtAddr> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(pages[rng.below(pages.size())] + (rng.below(512) << 3));
    return out;
}

std::vector<VirtAddr> consecutive(VirtAddr base, std::size_t n) {
    std::vector<VirtAddr> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(base + (i << 12));
    return v;
}

// Pages scattered over the whole 47-bit user half: each has its own PT and PD, and the
// top-level indices differ, so TLBs and page-walk caches keep missing.
std::vector<VirtAddr> scattered(std::size_t n, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<VirtAddr> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(VirtAddr{(rng.next() & 0x7fffffffffffull) & ~0xfffull});
    return v;
}

// One pass over the stream: the sum of the physical addresses. Kept out of line so that
// callgrind can count the instructions of the passes (translate's fast path is inline).
[[gnu::noinline]] std::uint64_t translate_pass(Mmu& mmu, const std::vector<VirtAddr>& vas) {
    std::uint64_t sum = 0;
    for (const auto& va : vas) sum += mmu.translate(va, AccessKind::Read, Privilege::User).pa.value;
    return sum;
}

void run(benchmark::State& state, Bench& b) {
    Mmu& mmu = b.mmu();
    const std::vector<VirtAddr>& vas = b.vas;
    benchmark::DoNotOptimize(translate_pass(mmu, vas));  // warm
    mmu.reset_stats();
    std::uint64_t sum = 0;
    for (auto _ : state) sum += translate_pass(mmu, vas);
    benchmark::DoNotOptimize(sum);
    const auto& s = mmu.stats();
    state.SetItemsProcessed(static_cast<std::int64_t>(s.translations));
    state.counters["tlb_hit_%"] = s.translations ? 100.0 * double(s.tlb_hits) / double(s.translations) : 0;
    state.counters["refs/walk"] = s.walks ? double(s.walk_memory_refs) / double(s.walks) : 0;
    state.counters["avg_cycles"] = s.average_cycles();
    // Every translate() call of this run, the warm-up pass included: divide the
    // instructions callgrind collects inside translate_pass by this (see docs/perf.md).
    state.counters["calls"] = static_cast<double>(vas.size() * (state.iterations() + 1));
}

// 48 pages: all in the 64-entry L1 DTLB (3 per set of 16): every access an L1 hit.
void BM_TlbHitL1(benchmark::State& state) {
    const auto pages = consecutive(VirtAddr{0x7f0000000000}, 48);
    Bench b(skylake(), pages);
    b.vas = stream(pages, 4096, 1);
    run(state, b);
}
BENCHMARK(BM_TlbHitL1);

// The same 48 pages walked through with a 64-byte stride (64 accesses per page, as a
// loop over an array does): consecutive accesses mostly hit the same L1 entry.
void BM_TlbHitL1Stride64(benchmark::State& state) {
    const auto pages = consecutive(VirtAddr{0x7f0000000000}, 48);
    Bench b(skylake(), pages);
    for (const auto& p : pages)
        for (std::uint64_t off = 0; off < 4096; off += 64) b.vas.push_back(p + off);
    run(state, b);
}
BENCHMARK(BM_TlbHitL1Stride64);

// 1024 pages: beyond the L1 DTLB, inside the 1536-entry L2: mostly L2 hits refilling L1.
void BM_TlbHitL2(benchmark::State& state) {
    const auto pages = consecutive(VirtAddr{0x7f0000000000}, 1024);
    Bench b(skylake(), pages);
    b.vas = stream(pages, 8192, 2);
    run(state, b);
}
BENCHMARK(BM_TlbHitL2);

// No TLBs, no page-walk caches: every translation is a full 4-level walk (4 entry reads).
void BM_Walk4Level(benchmark::State& state) {
    const auto pages = consecutive(VirtAddr{0x7f0000000000}, 4096);
    Bench b(skylake("x86-64-4level", false, false), pages);
    b.vas = stream(pages, 4096, 3);
    run(state, b);
}
BENCHMARK(BM_Walk4Level);

// The full Skylake hierarchy, 8192 pages scattered over the address space: TLB lookups
// (L1, L2) miss, the page-walk caches miss, each translation walks 4 levels and fills.
void BM_Walk4LevelColdCaches(benchmark::State& state) {
    const auto pages = scattered(8192, 4);
    Bench b(skylake(), pages);
    b.vas = stream(pages, 8192, 5);
    run(state, b);
}
BENCHMARK(BM_Walk4LevelColdCaches);

// 5-level paging (LA57), no TLBs or PWCs: 5 entry reads per translation.
void BM_Walk5Level(benchmark::State& state) {
    const auto pages = consecutive(VirtAddr{0x00ff000000000000}, 4096);
    Bench b(skylake("x86-64-5level", false, false), pages);
    b.vas = stream(pages, 4096, 6);
    run(state, b);
}
BENCHMARK(BM_Walk5Level);

// translate_traced (what `vmlab explain` uses) on a TLB hit: allocation-heavy by design.
void BM_TracedHit(benchmark::State& state) {
    const auto pages = consecutive(VirtAddr{0x7f0000000000}, 48);
    Bench b(skylake(), pages);
    b.vas = stream(pages, 1024, 7);
    TranslationTrace tr;
    for (auto _ : state)
        for (const auto& va : b.vas) benchmark::DoNotOptimize(b.mmu().translate_traced(va, AccessKind::Read, Privilege::User, tr));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * b.vas.size()));
}
BENCHMARK(BM_TracedHit);

// A stand-alone 64-entry 4-way TLB: Tlb::lookup on hits.
void BM_TlbStructureLookup(benchmark::State& state) {
    Tlb t(tlb("T", 1, TlbKind::Data, {kPage4K}, 64, 4, 1), 0, 48);
    const auto pages = consecutive(VirtAddr{0x7f0000000000}, 48);
    Tlb::Payload p;
    p.perms = kPermAll;
    for (const auto& va : pages) t.insert(va, 0, p);
    const auto vas = stream(pages, 4096, 8);
    std::int64_t hits = 0;
    for (auto _ : state)
        for (const auto& va : vas) hits += t.lookup(va, Asid{0}) >= 0;
    benchmark::DoNotOptimize(hits);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * vas.size()));
}
BENCHMARK(BM_TlbStructureLookup);

// Fixed-count runs for instruction counting under callgrind (benchmark 1.7.1 has no
// fixed-iteration flag): "Ir_*" run 5 passes over the stream, nothing else.
BENCHMARK(BM_TlbHitL1)->Name("Ir_TlbHitL1")->Iterations(5);
BENCHMARK(BM_TlbHitL1Stride64)->Name("Ir_TlbHitL1Stride64")->Iterations(5);
BENCHMARK(BM_TlbHitL2)->Name("Ir_TlbHitL2")->Iterations(5);
BENCHMARK(BM_Walk4Level)->Name("Ir_Walk4Level")->Iterations(5);
BENCHMARK(BM_Walk5Level)->Name("Ir_Walk5Level")->Iterations(5);
BENCHMARK(BM_Walk4LevelColdCaches)->Name("Ir_Walk4LevelColdCaches")->Iterations(5);

}  // namespace
