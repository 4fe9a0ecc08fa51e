// Every registered paging format against the reference model: thousands of random
// map / protect / unmap / set_swap / test-and-clear operations on a PageTable, each
// checked through query(), with full checks (for_each_leaf, table frame counts) along the
// way and no table frame left behind at the end.
#include <gtest/gtest.h>

#include "support/paging_model.hpp"

using namespace vmlab;

namespace {

class PagingConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(PagingConformance, RandomOperationsMatchModel) {
    auto fmt = make_paging_format(GetParam());
    ASSERT_TRUE(fmt.has_value()) << fmt.error().str();
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        conformance::PagingModelDriver drv(**fmt, seed);
        ASSERT_FALSE(HasFatalFailure());
        for (int i = 0; i < 3000; ++i) {
            drv.step();
            ASSERT_FALSE(HasFatalFailure()) << "seed " << seed;
            if (i % 500 == 499) {
                drv.check();
                ASSERT_FALSE(HasFatalFailure()) << "seed " << seed;
            }
        }
        drv.check();
        ASSERT_FALSE(HasFatalFailure()) << "seed " << seed;
        EXPECT_GT(drv.model().entries().size(), 0u) << "the run should leave some mappings to check";
        drv.finish();
    }
}

// Without freeing empty tables, tables stay until destruction and are still all freed.
TEST_P(PagingConformance, KeptTablesAreFreedOnDestruction) {
    auto fmt = make_paging_format(GetParam());
    ASSERT_TRUE(fmt.has_value()) << fmt.error().str();
    PhysMem mem(conformance::conformance_memory(**fmt));
    const std::uint64_t before = mem.allocator().free_frames();
    {
        auto t = PageTable::create(**fmt, mem);
        ASSERT_TRUE(t.has_value());
        (*t)->free_empty_tables = false;
        const PageSize ps = (*fmt)->geometry().page_sizes().front();
        for (std::uint64_t i = 0; i < 16; ++i) {
            const VirtAddr va{i << (ps.shift + 3)};
            if (!(*fmt)->canonical(va)) continue;
            ASSERT_TRUE((*t)->map(va, PhysAddr{0}, ps, LeafAttrs{}).has_value());
            (*t)->unmap(va);
        }
        EXPECT_EQ(mem.allocator().free_frames() + (*t)->stats().table_frames, before);
    }
    EXPECT_EQ(mem.allocator().free_frames(), before);
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string s;
    for (char c : info.param) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(AllFormats, PagingConformance, ::testing::ValuesIn(paging_formats().names()), param_name);

}  // namespace
