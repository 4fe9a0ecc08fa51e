// The frame table: per-frame kernel state over PhysMem, blocks of 2^order frames, the
// zero page, reference and map counts, the rmap with leaf sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "os/frame_table.hpp"
#include "support/phys_mem_config.hpp"

using namespace vmlab;
using namespace vmlab::test;
using namespace vmlab::os;

namespace {

TEST(FrameTable, ZeroPageIsTakenAndNeverFreedByPut) {
    PhysMem mem(memory_mib(16));
    const std::uint64_t free0 = mem.allocator().free_frames();
    {
        FrameTable ft(mem);
        EXPECT_EQ(mem.allocator().free_frames(), free0 - 1);
        const Pfn z = ft.zero_pfn();
        EXPECT_TRUE(ft.is_zero(z));
        EXPECT_TRUE(ft.test(z, kPgZero));
        ft.put(z);  // the zero page is not counted
        EXPECT_FALSE(mem.has_flag(z, kFrameFree));
    }
    EXPECT_EQ(mem.allocator().free_frames(), free0);
}

TEST(FrameTable, BlocksAreAlignedWithHeadAndTails) {
    PhysMem mem(memory_mib(16));
    FrameTable ft(mem);
    auto b = ft.alloc(9);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->value % 512, 0u);
    EXPECT_EQ(ft.order(*b), 9u);
    EXPECT_EQ(ft.frames(*b), 512u);
    EXPECT_TRUE(ft.test(*b, kPgHead));
    for (std::uint64_t i = 1; i < 512; ++i) ASSERT_TRUE(ft.test(*b + i, kPgTail)) << i;
    EXPECT_EQ(ft.refcount(*b), 0u);
    EXPECT_EQ(ft.mapcount(*b), 0u);
    // A new block reads as zeros even if its frames held bytes before.
    const std::uint64_t v = 0xabcdef;
    mem.write(b->addr(kPage4K) + 4096 * 7, &v, sizeof v);
    ft.get(*b);
    ft.put(*b);  // last reference: the block goes back whole
    for (std::uint64_t i = 0; i < 512; ++i) {
        ASSERT_TRUE(mem.has_flag(*b + i, kFrameFree)) << i;
        ASSERT_EQ(ft.flags(*b + i), 0u) << i;
    }
    auto again = ft.alloc(9);
    ASSERT_TRUE(again);
    EXPECT_TRUE(mem.range_is_zero(again->addr(kPage4K), std::uint64_t{2} << 20));
}

TEST(FrameTable, FlagsCountsAndAnonShmemTotals) {
    PhysMem mem(memory_mib(16));
    FrameTable ft(mem);
    auto a = ft.alloc();
    auto h = ft.alloc(9);
    auto s = ft.alloc();
    ASSERT_TRUE(a && h && s);
    ft.set_anon(*a);
    ft.set_anon(*h);
    EXPECT_TRUE(ft.test(*a, kPgAnon));
    EXPECT_TRUE(ft.test(*a, kPgAnonExclusive));
    EXPECT_EQ(ft.anon_pages(), 513u);  // in base frames
    ft.set(*s, kPgFile);
    ft.set_shmem(*s);
    EXPECT_EQ(ft.shmem_pages(), 1u);
    ft.set(*a, kPgDirty);
    ft.clear(*a, kPgAnonExclusive);
    EXPECT_TRUE(ft.test(*a, kPgDirty));
    EXPECT_FALSE(ft.test(*a, kPgAnonExclusive));
    ft.free(*h);
    EXPECT_EQ(ft.anon_pages(), 1u);
    ft.free(*a);
    ft.free(*s);
    EXPECT_EQ(ft.anon_pages(), 0u);
    EXPECT_EQ(ft.shmem_pages(), 0u);
}

TEST(FrameTable, MappingsKeepTheLeafSize) {
    PhysMem mem(memory_mib(16));
    FrameTable ft(mem);
    auto h = ft.alloc(9);
    ASSERT_TRUE(h);
    Mm* m1 = reinterpret_cast<Mm*>(std::uintptr_t{0x1000});
    Mm* m2 = reinterpret_cast<Mm*>(std::uintptr_t{0x2000});
    ft.add_mapping(*h, m1, VirtAddr{0x200000}, kPage2M);
    ft.add_mapping(*h, m2, VirtAddr{0x400000}, kPage2M);
    EXPECT_EQ(ft.mapcount(*h), 2u);
    ft.move_mapping(*h, m2, VirtAddr{0x400000}, VirtAddr{0x600000}, kPage2M);
    EXPECT_EQ(ft.mapcount(*h), 2u);
    std::vector<std::pair<Mm*, VirtAddr>> seen;
    ft.rmap().for_each(*h, [&](Mm* mm, VirtAddr va, PageSize size) {
        EXPECT_EQ(size, kPage2M);
        seen.emplace_back(mm, va);
    });
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(std::find(seen.begin(), seen.end(), std::make_pair(m2, VirtAddr{0x600000})) != seen.end());
    ft.remove_mapping(*h, m1, VirtAddr{0x200000});
    ft.remove_mapping(*h, m2, VirtAddr{0x600000});
    EXPECT_EQ(ft.mapcount(*h), 0u);
    EXPECT_TRUE(ft.rmap().empty(*h));
    EXPECT_EQ(ft.rmap().nodes_in_use(), 0u);
    ft.free(*h);
}

}  // namespace
