// The generic PageTable on x86-64 4-level paging: entries land where the SDM's walk
// reads them, tables come from the frame allocator and go back to it.
#include <gtest/gtest.h>

#include <vector>

#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"

using namespace vmlab;

namespace {

struct Fixture {
    std::unique_ptr<PagingFormat> fmt;
    std::unique_ptr<PhysMem> mem;
    std::unique_ptr<PageTable> pt;
    std::uint64_t free0 = 0;
    explicit Fixture(const char* name = "x86-64-4level", std::uint64_t bytes = 64 << 20) {
        fmt = std::move(*make_paging_format(name));
        PhysMemConfig c;
        c.bytes = bytes;
        mem = std::make_unique<PhysMem>(c);
        free0 = mem->allocator().free_frames();
        pt = std::move(*PageTable::create(*fmt, *mem));
    }
};

LeafAttrs rw_user() {
    LeafAttrs a;
    a.prot = Prot{true, true, false, true};
    a.accessed = a.dirty = true;
    return a;
}

TEST(PageTable, RootIsAPageTableFrame) {
    Fixture f;
    EXPECT_EQ(f.pt->stats().table_frames, 1u);
    EXPECT_EQ(f.pt->stats().bytes(), 4096u);
    EXPECT_TRUE(f.pt->root().aligned(kPage4K));
    EXPECT_TRUE(f.mem->has_flag(f.pt->root().pfn(kPage4K), kFramePageTable));
    EXPECT_FALSE(f.mem->has_flag(f.pt->root().pfn(kPage4K), kFrameFree));
    EXPECT_EQ(f.mem->allocator().free_frames(), f.free0 - 1);
}

TEST(PageTable, Map4KWritesTheEntryTheWalkReads) {
    Fixture f;
    const VirtAddr va{0x00007f0012345000ull};
    ASSERT_TRUE(f.pt->map(va, PhysAddr{0xabc000}, kPage4K, rw_user()).has_value());
    EXPECT_EQ(f.pt->stats().table_frames, 4u);  // PML4 + PDPT + PD + PT
    EXPECT_EQ(f.pt->stats().tables_allocated, 4u);
    // Walk by hand: CR3 -> PML4[va 47:39] -> PDPT[38:30] -> PD[29:21] -> PT[20:12].
    const auto& g = f.fmt->geometry();
    PhysAddr table = f.pt->root();
    for (unsigned l = 0; l < 3; ++l) {
        const std::uint64_t e = f.mem->read_uint(table + g.index(l, va) * 8, 8);
        EXPECT_EQ(e & 0xfff, 0x007u) << "level " << l;  // P RW US, A not yet set by hardware
        table = PhysAddr{e & 0x000ffffffffff000ull};
        EXPECT_TRUE(f.mem->has_flag(table.pfn(kPage4K), kFramePageTable));
    }
    const PhysAddr pte_pa = table + g.index(3, va) * 8;
    EXPECT_EQ(f.mem->read_uint(pte_pa, 8), 0x8000000000abc067ull);
    const PteView v = f.pt->query(va + 0x123);
    EXPECT_TRUE(v.present);
    EXPECT_EQ(v.level, 3u);
    EXPECT_EQ(v.entry_pa, pte_pa);
    EXPECT_EQ(v.raw, 0x8000000000abc067ull);
    EXPECT_EQ(v.base, PhysAddr{0xabc000});
    EXPECT_EQ(v.size, kPage4K);
    EXPECT_EQ(v.attrs, rw_user());
    EXPECT_EQ(perm_string(v.perms), "U:rw- K:rw-");
    // A neighbour shares all tables.
    ASSERT_TRUE(f.pt->map(va + 0x1000, PhysAddr{0xabd000}, kPage4K, rw_user()).has_value());
    EXPECT_EQ(f.pt->stats().table_frames, 4u);
    EXPECT_FALSE(f.pt->query(va + 0x2000).present);
    EXPECT_EQ(f.pt->query(va + 0x2000).level, 3u);
}

TEST(PageTable, HugePagesStopHigher) {
    Fixture f;
    ASSERT_TRUE(f.pt->map(VirtAddr{0x40000000}, PhysAddr{0x80000000}, kPage1G, rw_user()).has_value());
    EXPECT_EQ(f.pt->stats().table_frames, 2u);
    ASSERT_TRUE(f.pt->map(VirtAddr{0x80200000}, PhysAddr{0x200000}, kPage2M, rw_user()).has_value());
    EXPECT_EQ(f.pt->stats().table_frames, 3u);
    PteView v = f.pt->query(VirtAddr{0x7fffffff});
    EXPECT_TRUE(v.present);
    EXPECT_EQ(v.level, 1u);
    EXPECT_EQ(v.size, kPage1G);
    EXPECT_EQ(v.base, PhysAddr{0x80000000});
    v = f.pt->query(VirtAddr{0x80212345});
    EXPECT_EQ(v.level, 2u);
    EXPECT_EQ(v.base, PhysAddr{0x200000});
    // Inside a larger page, or over smaller ones: refused.
    EXPECT_FALSE(f.pt->map(VirtAddr{0x40001000}, PhysAddr{0}, kPage4K, rw_user()));
    EXPECT_FALSE(f.pt->map(VirtAddr{0x80000000}, PhysAddr{0}, kPage1G, rw_user()));
    // Same size at the same place: replaced.
    EXPECT_TRUE(f.pt->map(VirtAddr{0x80200000}, PhysAddr{0x400000}, kPage2M, rw_user()).has_value());
    EXPECT_EQ(f.pt->query(VirtAddr{0x80200000}).base, PhysAddr{0x400000});
}

TEST(PageTable, BadRequestsAreErrors) {
    Fixture f;
    EXPECT_FALSE(f.pt->map(VirtAddr{0x1000}, PhysAddr{0x1000}, kPage4M, rw_user()));
    EXPECT_FALSE(f.pt->map(VirtAddr{0x1800}, PhysAddr{0x1000}, kPage4K, rw_user()));
    EXPECT_FALSE(f.pt->map(VirtAddr{0x1000}, PhysAddr{0x1800}, kPage4K, rw_user()));
    const Status s = f.pt->map(VirtAddr{0x0000800000000000ull}, PhysAddr{0}, kPage4K, rw_user());
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("canonical"), std::string::npos);
    EXPECT_FALSE(f.pt->map(VirtAddr{0x1000}, PhysAddr{std::uint64_t{1} << 52}, kPage4K, rw_user()));
    EXPECT_FALSE(f.pt->query(VirtAddr{0x0000800000000000ull}).present);
    EXPECT_EQ(f.pt->stats().table_frames, 1u);  // nothing left behind
}

TEST(PageTable, UnmapFreesEmptyTables) {
    Fixture f;
    const VirtAddr a{0x7f0000000000ull}, b{0x7f0000001000ull};
    ASSERT_TRUE(f.pt->map(a, PhysAddr{0x1000}, kPage4K, rw_user()).has_value());
    ASSERT_TRUE(f.pt->map(b, PhysAddr{0x2000}, kPage4K, rw_user()).has_value());
    PteView v = f.pt->unmap(a);
    EXPECT_TRUE(v.present);
    EXPECT_EQ(v.base, PhysAddr{0x1000});
    EXPECT_EQ(f.pt->stats().table_frames, 4u);  // b still uses them
    v = f.pt->unmap(b);
    EXPECT_TRUE(v.present);
    EXPECT_EQ(f.pt->stats().table_frames, 1u);
    EXPECT_EQ(f.pt->stats().tables_freed, 3u);
    EXPECT_EQ(f.mem->allocator().free_frames(), f.free0 - 1);
    EXPECT_TRUE(f.mem->range_is_zero(f.pt->root(), 4096));
    EXPECT_FALSE(f.pt->unmap(a).present);
    // Freed table frames carry no page-table flag and no contents.
    std::uint64_t tables = 0;
    for (std::uint64_t p = 0; p < f.mem->frame_count(); ++p) tables += f.mem->has_flag(Pfn{p}, kFramePageTable);
    EXPECT_EQ(tables, 1u);
    EXPECT_EQ(f.mem->frames_with_contents(), 1u);  // only the (now zero) root was ever written
}

TEST(PageTable, ProtectAndAccessedDirty) {
    Fixture f;
    const VirtAddr va{0x400000};
    ASSERT_TRUE(f.pt->map(va, PhysAddr{0x9000}, kPage4K, rw_user()).has_value());
    LeafAttrs ro;
    ro.prot = Prot{true, false, true, true};
    EXPECT_TRUE(f.pt->protect(va + 0x10, ro));
    EXPECT_EQ(f.pt->query(va).raw, 0x9005ull);  // P US, executable, clean, not accessed
    EXPECT_FALSE(f.pt->protect(va + 0x1000, ro));
    EXPECT_FALSE(f.pt->test_and_clear_accessed(va));
    ASSERT_TRUE(f.pt->map(va, PhysAddr{0x9000}, kPage4K, rw_user()).has_value());
    EXPECT_TRUE(f.pt->test_and_clear_accessed(va));
    EXPECT_FALSE(f.pt->test_and_clear_accessed(va));
    EXPECT_TRUE(f.pt->test_and_clear_dirty(va));
    EXPECT_FALSE(f.pt->test_and_clear_dirty(va));
    EXPECT_EQ(f.pt->query(va).raw, 0x8000000000009007ull);
}

TEST(PageTable, SwapEntries) {
    Fixture f;
    const VirtAddr va{0x7000};
    ASSERT_TRUE(f.pt->map(va, PhysAddr{0x9000}, kPage4K, rw_user()).has_value());
    ASSERT_TRUE(f.pt->set_swap(va, kPage4K, 0xbeef).has_value());
    PteView v = f.pt->query(va);
    EXPECT_FALSE(v.present);
    ASSERT_TRUE(v.swap.has_value());
    EXPECT_EQ(*v.swap, 0xbeefu);
    EXPECT_EQ(v.level, 3u);
    EXPECT_FALSE(f.pt->protect(va, rw_user()));
    EXPECT_FALSE(f.pt->set_swap(va, kPage4K, std::uint64_t{1} << 62));
    // A swap entry at the 2 MiB level blocks 4 KiB mappings inside it.
    ASSERT_TRUE(f.pt->set_swap(VirtAddr{0x40200000}, kPage2M, 7).has_value());
    EXPECT_FALSE(f.pt->map(VirtAddr{0x40201000}, PhysAddr{0}, kPage4K, rw_user()));
    v = f.pt->unmap(va);
    EXPECT_FALSE(v.present);
    EXPECT_EQ(v.swap, 0xbeefu);
    EXPECT_FALSE(f.pt->query(va).swap.has_value());
}

TEST(PageTable, ForEachLeafIsSparseAndOrdered) {
    Fixture f;
    const std::vector<std::pair<std::uint64_t, PageSize>> maps = {
        {0x1000, kPage4K},
        {0x200000, kPage2M},
        {0x00007ffffffff000ull, kPage4K},
        {0xffff888000000000ull, kPage1G},
        {0xffffffff81000000ull, kPage2M},
    };
    for (auto [va, ps] : maps) ASSERT_TRUE(f.pt->map(VirtAddr{va}, PhysAddr{0}, ps, rw_user()).has_value());
    ASSERT_TRUE(f.pt->set_swap(VirtAddr{0x5000}, kPage4K, 3).has_value());
    std::vector<std::uint64_t> seen;
    f.pt->for_each_leaf(VirtAddr{0}, VirtAddr{~0ull}, [&](VirtAddr va, const PteView&) { seen.push_back(va.value); });
    const std::vector<std::uint64_t> want = {0x1000, 0x5000, 0x200000, 0x00007ffffffff000ull, 0xffff888000000000ull,
                                             0xffffffff81000000ull};
    EXPECT_EQ(seen, want);
    seen.clear();
    f.pt->for_each_leaf(VirtAddr{0x2000}, VirtAddr{0x200001},
                        [&](VirtAddr va, const PteView&) { seen.push_back(va.value); });
    EXPECT_EQ(seen, (std::vector<std::uint64_t>{0x5000, 0x200000}));
    seen.clear();
    f.pt->for_each_leaf(VirtAddr{0xffff800000000000ull}, VirtAddr{0xffff888000000001ull},
                        [&](VirtAddr va, const PteView&) { seen.push_back(va.value); });
    EXPECT_EQ(seen, (std::vector<std::uint64_t>{0xffff888000000000ull}));
}

TEST(PageTable, WriteRawCreatesTablesAbove) {
    Fixture f;
    ASSERT_TRUE(f.pt->write_raw(VirtAddr{0x3000}, 3, 0x5063).has_value());  // P RW A D, supervisor
    const PteView v = f.pt->query(VirtAddr{0x3000});
    EXPECT_TRUE(v.present);
    EXPECT_FALSE(v.attrs.prot.user);
    EXPECT_EQ(f.pt->stats().table_frames, 4u);
    // A reserved encoding is readable back but not present.
    ASSERT_TRUE(f.pt->write_raw(VirtAddr{0x40000000}, 1, 0x20000083).has_value());
    const PteView r = f.pt->query(VirtAddr{0x40000000});
    EXPECT_FALSE(r.present);
    EXPECT_EQ(r.kind, EntryKind::Reserved);
    EXPECT_FALSE(f.pt->write_raw(VirtAddr{0}, 4, 0));
    ASSERT_TRUE(f.pt->write_raw(VirtAddr{0x3000}, 3, 0).has_value());
    EXPECT_FALSE(f.pt->query(VirtAddr{0x3000}).present);
}

TEST(PageTable, DestructionFreesEveryNode) {
    Fixture f;
    for (std::uint64_t i = 0; i < 64; ++i)
        ASSERT_TRUE(f.pt->map(VirtAddr{i << 30 | i << 21 | i << 12}, PhysAddr{i << 12}, kPage4K, rw_user()).has_value());
    EXPECT_GT(f.pt->stats().table_frames, 100u);
    f.pt.reset();
    EXPECT_EQ(f.mem->allocator().free_frames(), f.free0);
    EXPECT_EQ(f.mem->frames_with_contents(), 0u);
}

TEST(PageTable, OutOfMemoryIsAnError) {
    Fixture f("x86-64-4level", 17 << 12);  // 17 frames: the root and 16 free
    int mapped = 0;
    Status last = ok();
    for (std::uint64_t i = 0; i < 16; ++i) {
        last = f.pt->map(VirtAddr{i << 39}, PhysAddr{0}, kPage4K, rw_user());
        if (!last) break;
        ++mapped;
    }
    EXPECT_EQ(mapped, 5);  // 3 tables per new PML4 slot; the 6th gets its PDPT only
    ASSERT_FALSE(last);
    EXPECT_NE(last.error().message.find("out of physical memory"), std::string::npos) << last.error().message;
    // The failed attempt left no half-built path behind.
    EXPECT_EQ(f.pt->stats().table_frames, 16u);
    EXPECT_EQ(f.pt->stats().tables_freed, 1u);
    EXPECT_EQ(f.mem->allocator().free_frames(), 1u);
    EXPECT_EQ(f.pt->query(VirtAddr{std::uint64_t{5} << 39}).level, 0u);
}

TEST(PageTable, AdoptedRootIsNotFreed) {
    Fixture f;
    const PhysAddr root = f.pt->root();
    {
        PageTable adopted(*f.fmt, *f.mem, root, false);
        ASSERT_TRUE(adopted.map(VirtAddr{0x1000}, PhysAddr{0x2000}, kPage4K, rw_user()).has_value());
    }
    EXPECT_TRUE(f.pt->query(VirtAddr{0x1000}).present);
}

}  // namespace
