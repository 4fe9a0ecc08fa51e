#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "vmlab/hw/phys_mem.hpp"

using namespace vmlab;

namespace {

PhysMemConfig frames(std::uint64_t n) {
    PhysMemConfig c;
    c.bytes = n << 12;
    return c;
}

TEST(Buddy, IsRegistered) { EXPECT_NE(frame_allocators().find("buddy"), nullptr); }

TEST(Buddy, MaxOrderCoversOneGiBAndAllOfMemory) {
    PhysMem small(frames(16));
    EXPECT_EQ(small.allocator().max_order(), 18u);  // 1 GiB of 4 KiB frames
    PhysMemConfig big;
    big.bytes = std::uint64_t{16} << 30;  // 2^22 frames
    PhysMem m(big);
    EXPECT_EQ(m.allocator().max_order(), 22u);
    const auto f = m.allocator().fragmentation();
    EXPECT_EQ(f.largest_free_order, 22u);
    EXPECT_EQ(f.free_blocks_per_order[22], 1u);
    PhysMemConfig k64 = frames(64);
    k64.frame = kPage64K;
    k64.bytes = 64 << 16;
    PhysMem m64(k64);
    EXPECT_EQ(m64.allocator().max_order(), 14u);  // 1 GiB = 2^14 frames of 64 KiB
}

TEST(Buddy, StartsAsLargestAlignedBlocks) {
    // 100 frames = 64 + 32 + 4.
    PhysMem m(frames(100));
    const auto f = m.allocator().fragmentation();
    EXPECT_EQ(f.free_frames, 100u);
    EXPECT_EQ(f.free_blocks_per_order[6], 1u);
    EXPECT_EQ(f.free_blocks_per_order[5], 1u);
    EXPECT_EQ(f.free_blocks_per_order[2], 1u);
    EXPECT_EQ(f.largest_free_order, 6u);
    for (std::uint64_t p = 0; p < 100; ++p) EXPECT_TRUE(m.has_flag(Pfn{p}, kFrameFree)) << p;
}

TEST(Buddy, BlocksOfEveryOrderAreAlignedAndMarked) {
    PhysMem m(frames(1 << 14));
    auto& a = m.allocator();
    std::vector<std::pair<Pfn, unsigned>> got;
    for (unsigned k = 0; k <= 12; ++k) {
        const auto p = a.alloc(k);
        ASSERT_TRUE(p.has_value()) << "order " << k;
        EXPECT_EQ(p->value % (std::uint64_t{1} << k), 0u) << "order " << k;
        for (std::uint64_t i = 0; i < (std::uint64_t{1} << k); ++i)
            ASSERT_FALSE(m.has_flag(*p + i, kFrameFree)) << "order " << k;
        got.emplace_back(*p, k);
    }
    // No two blocks overlap.
    std::set<std::uint64_t> used;
    for (auto [p, k] : got)
        for (std::uint64_t i = 0; i < (std::uint64_t{1} << k); ++i) EXPECT_TRUE(used.insert(p.value + i).second);
    EXPECT_EQ(a.free_frames(), (1u << 14) - used.size());
    for (auto [p, k] : got) a.free(p, k);
    // Everything merged back into one block of 2^14 frames.
    const auto f = a.fragmentation();
    EXPECT_EQ(f.free_frames, 1u << 14);
    EXPECT_EQ(f.largest_free_order, 14u);
    EXPECT_EQ(f.free_blocks_per_order[14], 1u);
    for (unsigned k = 0; k < 14; ++k) EXPECT_EQ(f.free_blocks_per_order[k], 0u) << k;
    EXPECT_EQ(a.stats().splits, a.stats().merges);
    EXPECT_EQ(a.stats().allocs, 13u);
    EXPECT_EQ(a.stats().frees, 13u);
}

TEST(Buddy, SplitAndMergeFollowTheBuddyRule) {
    PhysMem m(frames(16));
    auto& a = m.allocator();
    // An order-0 request from one free block of order 4 splits it four times; the lowest
    // frame is handed out and the upper halves 8, 4, 2, 1 stay free.
    const auto p = a.alloc(0);
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, Pfn{0});
    EXPECT_EQ(a.stats().splits, 4u);
    auto f = a.fragmentation();
    for (unsigned k = 0; k < 4; ++k) EXPECT_EQ(f.free_blocks_per_order[k], 1u) << k;
    // The buddy of frame 0 at order 0 is frame 1: freeing 0 merges all the way up.
    a.free(*p, 0);
    EXPECT_EQ(a.stats().merges, 4u);
    f = a.fragmentation();
    EXPECT_EQ(f.free_blocks_per_order[4], 1u);
}

TEST(Buddy, ExhaustionReturnsNothing) {
    PhysMem m(frames(64));
    auto& a = m.allocator();
    EXPECT_FALSE(a.alloc(7).has_value());  // larger than memory
    const auto all = a.alloc(6);
    ASSERT_TRUE(all);
    EXPECT_FALSE(a.alloc(0).has_value());
    EXPECT_EQ(a.stats().failures, 2u);
    a.free(*all, 6);
    for (int i = 0; i < 64; ++i) ASSERT_TRUE(a.alloc(0).has_value()) << i;
    EXPECT_FALSE(a.alloc(0).has_value());
    EXPECT_EQ(a.free_frames(), 0u);
    EXPECT_EQ(a.fragmentation().unusable_index[0], 1.0);  // no free memory: all unusable
}

TEST(Buddy, ZonesFallBackToLowerZonesOnly) {
    PhysMemConfig c = frames(64);
    c.zones = {{"DMA", 16 << 12}, {"Normal", 0}};
    PhysMem m(c);
    auto& a = m.allocator();
    EXPECT_EQ(a.free_frames_in_zone(0), 16u);
    EXPECT_EQ(a.free_frames_in_zone(1), 48u);
    // Zone 0 requests never leave zone 0.
    for (int i = 0; i < 16; ++i) {
        const auto p = a.alloc(0, 0);
        ASSERT_TRUE(p);
        EXPECT_LT(p->value, 16u);
    }
    EXPECT_FALSE(a.alloc(0, 0).has_value());
    for (int i = 0; i < 16; ++i) a.free(Pfn{static_cast<std::uint64_t>(i)}, 0);
    // Highest-zone requests take Normal first, then fall back to DMA.
    for (int i = 0; i < 48; ++i) {
        const auto p = a.alloc(0);
        ASSERT_TRUE(p);
        EXPECT_GE(p->value, 16u);
    }
    const auto fb = a.alloc(0, 1);
    ASSERT_TRUE(fb);
    EXPECT_LT(fb->value, 16u);
    EXPECT_EQ(a.free_frames_in_zone(0), 15u);
}

TEST(Buddy, BlocksNeverCrossZones) {
    // A zone boundary at frame 24 (not a power of two): no block may straddle it.
    PhysMemConfig c = frames(64);
    c.zones = {{"DMA", 24 << 12}, {"Normal", 0}};
    PhysMem m(c);
    auto f = m.allocator().fragmentation();
    // DMA = 16 + 8, Normal = 8 (24..32) + 32.
    EXPECT_EQ(f.free_blocks_per_order[5], 1u);
    EXPECT_EQ(f.free_blocks_per_order[4], 1u);
    EXPECT_EQ(f.free_blocks_per_order[3], 2u);
    const auto p = m.allocator().alloc(3, 0);
    const auto q = m.allocator().alloc(3, 1);
    ASSERT_TRUE(p && q);
    EXPECT_EQ(*p, Pfn{16});
    EXPECT_EQ(*q, Pfn{24});
    // Freeing them must not merge 16..23 with 24..31 (different zones).
    m.allocator().free(*p, 3);
    m.allocator().free(*q, 3);
    f = m.allocator().fragmentation();
    EXPECT_EQ(f.free_blocks_per_order[3], 2u);
    EXPECT_EQ(f.free_blocks_per_order[4], 1u);
}

TEST(Buddy, ReservedLowMemoryIsNeverHandedOut) {
    PhysMemConfig c = frames(64);
    c.reserved_bytes = 5 << 12;  // frames 0..4
    PhysMem m(c);
    auto& a = m.allocator();
    EXPECT_EQ(a.free_frames(), 59u);
    for (std::uint64_t p = 0; p < 5; ++p) EXPECT_TRUE(m.has_flag(Pfn{p}, kFrameReserved)) << p;
    std::uint64_t n = 0;
    while (auto p = a.alloc(0)) {
        EXPECT_GE(p->value, 5u);
        ++n;
    }
    EXPECT_EQ(n, 59u);
}

TEST(Buddy, FragmentationOfAHandBuiltPattern) {
    PhysMem m(frames(16));
    auto& a = m.allocator();
    for (int i = 0; i < 16; ++i) ASSERT_TRUE(a.alloc(0));
    // Free 0,1 (merge to an order-1 block at 0), 4 (order 0), 8..11 (order-2 block at 8).
    for (std::uint64_t p : {0u, 1u, 4u, 8u, 9u, 10u, 11u}) a.free(Pfn{p}, 0);
    const auto f = a.fragmentation();
    EXPECT_EQ(f.free_frames, 7u);
    EXPECT_EQ(f.free_blocks_per_order[0], 1u);
    EXPECT_EQ(f.free_blocks_per_order[1], 1u);
    EXPECT_EQ(f.free_blocks_per_order[2], 1u);
    EXPECT_EQ(f.free_blocks_per_order[3], 0u);
    EXPECT_EQ(f.largest_free_order, 2u);
    // Unusable free space index: frames in blocks smaller than 2^k over all free frames.
    EXPECT_DOUBLE_EQ(f.unusable_index[0], 0.0);
    EXPECT_DOUBLE_EQ(f.unusable_index[1], 1.0 / 7.0);
    EXPECT_DOUBLE_EQ(f.unusable_index[2], 3.0 / 7.0);
    EXPECT_DOUBLE_EQ(f.unusable_index[3], 1.0);
    EXPECT_EQ(a.alloc(3), std::nullopt);
    const auto two = a.alloc(2);
    ASSERT_TRUE(two);
    EXPECT_EQ(*two, Pfn{8});
}

TEST(BuddyDeathTest, DoubleFreeStopsLoudly) {
    PhysMem m(frames(16));
    const auto p = m.allocator().alloc(0);
    ASSERT_TRUE(p);
    m.allocator().free(*p, 0);
    EXPECT_DEATH(m.allocator().free(*p, 0), "double free");
}

}  // namespace
