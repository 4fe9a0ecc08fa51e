// Every registered frame allocator against the FrameAllocator contract: blocks of every
// order are aligned to their size and never overlap, a zone request is served from that
// zone or a lower one, exhaustion returns nullopt, freeing restores the free count, and
// the fragmentation figures add up. Instantiated from frame_allocators().names().
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "vmlab/core/rng.hpp"
#include "vmlab/hw/phys_mem.hpp"

using namespace vmlab;

namespace {

// 64 MiB of 4 KiB frames in two zones: DMA (the first 16 MiB) and Normal.
PhysMemConfig two_zones(const std::string& allocator) {
    PhysMemConfig c;
    c.bytes = 64ull << 20;
    c.allocator = allocator;
    c.zones = {ZoneConfig{"DMA", 16ull << 20}, ZoneConfig{"Normal", 64ull << 20}};
    return c;
}

void expect_consistent(const FrameAllocator& a) {
    const auto f = a.fragmentation();
    EXPECT_EQ(f.free_frames, a.free_frames());
    std::uint64_t sum = 0;
    unsigned largest = 0;
    for (unsigned k = 0; k < f.free_blocks_per_order.size(); ++k) {
        sum += f.free_blocks_per_order[k] << k;
        if (f.free_blocks_per_order[k]) largest = k;
    }
    EXPECT_EQ(sum, f.free_frames);
    if (f.free_frames) {
        EXPECT_EQ(f.largest_free_order, largest);
    }
    for (double u : f.unusable_index) {
        EXPECT_GE(u, 0.0);
        EXPECT_LE(u, 1.0);
    }
}

class FrameAllocatorConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(FrameAllocatorConformance, EveryOrderIsAlignedAndFreeRestoresTheCount) {
    PhysMem mem(two_zones(GetParam()));
    FrameAllocator& a = mem.allocator();
    const std::uint64_t total = a.free_frames();
    EXPECT_EQ(total, mem.frame_count());
    expect_consistent(a);
    const unsigned top = std::min<unsigned>(a.max_order(), 12);  // 16 MiB blocks fit in 64 MiB
    for (unsigned order = 0; order <= top; ++order) {
        auto p = a.alloc(order);
        ASSERT_TRUE(p.has_value()) << "order " << order;
        EXPECT_EQ(p->value % (std::uint64_t{1} << order), 0u) << "order " << order << " misaligned";
        EXPECT_LE(p->value + (std::uint64_t{1} << order), mem.frame_count());
        EXPECT_EQ(a.free_frames(), total - (std::uint64_t{1} << order));
        expect_consistent(a);
        a.free(*p, order);
        EXPECT_EQ(a.free_frames(), total) << "order " << order;
    }
    EXPECT_EQ(a.alloc(a.max_order() + 1), std::nullopt);
}

TEST_P(FrameAllocatorConformance, BlocksNeverOverlapAndExhaustionReturnsNullopt) {
    PhysMem mem(two_zones(GetParam()));
    FrameAllocator& a = mem.allocator();
    const std::uint64_t total = a.free_frames();
    Rng rng(2024);
    std::map<std::uint64_t, unsigned> live;  // first pfn -> order
    std::vector<std::uint8_t> used(mem.frame_count(), 0);
    auto take = [&](unsigned order) {
        auto p = a.alloc(order);
        if (!p) return false;
        for (std::uint64_t i = 0; i < (std::uint64_t{1} << order); ++i) {
            EXPECT_EQ(used[p->value + i], 0) << "frame " << p->value + i << " handed out twice";
            used[p->value + i] = 1;
        }
        live[p->value] = order;
        return true;
    };
    for (int i = 0; i < 3000; ++i) {
        if (!live.empty() && rng.below(3) == 0) {
            auto it = std::next(live.begin(), static_cast<long>(rng.below(live.size())));
            for (std::uint64_t j = 0; j < (std::uint64_t{1} << it->second); ++j) used[it->first + j] = 0;
            a.free(Pfn{it->first}, it->second);
            live.erase(it);
        } else {
            take(static_cast<unsigned>(rng.below(6)));
        }
        if (HasFailure()) return;
    }
    expect_consistent(a);
    while (take(0)) {
    }
    EXPECT_EQ(a.free_frames(), 0u);
    EXPECT_EQ(a.alloc(0), std::nullopt);
    EXPECT_EQ(a.alloc(0, 0), std::nullopt);
    EXPECT_GT(a.stats().failures, 0u);
    for (const auto& [pfn, order] : live) a.free(Pfn{pfn}, order);
    EXPECT_EQ(a.free_frames(), total);
    expect_consistent(a);
}

TEST_P(FrameAllocatorConformance, ZonesAreHonoured) {
    PhysMem mem(two_zones(GetParam()));
    FrameAllocator& a = mem.allocator();
    const std::uint64_t dma_end = mem.zone_end(0).value;
    const std::uint64_t dma_free = a.free_frames_in_zone(0);
    EXPECT_EQ(dma_free + a.free_frames_in_zone(1), a.free_frames());
    std::vector<Pfn> got;
    while (auto p = a.alloc(2, 0)) {
        EXPECT_LE(p->value + 4, dma_end) << "a DMA request served above the DMA zone";
        got.push_back(*p);
    }
    EXPECT_EQ(a.free_frames_in_zone(0), 0u);
    EXPECT_GT(a.free_frames_in_zone(1), 0u);
    // The highest zone may fall back to lower ones, but DMA is full: Normal serves it.
    auto p = a.alloc(0, 1);
    ASSERT_TRUE(p.has_value());
    EXPECT_GE(p->value, dma_end);
    a.free(*p, 0);
    for (Pfn q : got) a.free(q, 2);
    EXPECT_EQ(a.free_frames_in_zone(0), dma_free);
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string s = info.param;
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(AllAllocators, FrameAllocatorConformance, ::testing::ValuesIn(frame_allocators().names()),
                         param_name);

}  // namespace
