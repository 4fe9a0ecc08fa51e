// The exec planner's address space (exec_detail::PlannedSpace): mapping replaces what a
// range held, unmapping cuts ranges, and the top-down search returns the highest free
// range of the requested length within [low, high), as a page-by-page model says.
#include <gtest/gtest.h>

#include <vector>

#include "os/exec/exec_internal.hpp"
#include "vmlab/core/rng.hpp"

using namespace vmlab;
using vmlab::exec_detail::PlannedSpace;

namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kPages = 256;

// Highest page-aligned a with pages [a, a+len) free, low <= a, a+len <= high; 0 if none.
std::uint64_t model_topdown(const std::vector<bool>& used, std::uint64_t len, std::uint64_t low, std::uint64_t high) {
    if (high < low || high - low < len) return 0;
    for (std::uint64_t a = high - len + kPage;; ) {
        a -= kPage;
        bool free = true;
        for (std::uint64_t p = a / kPage; p < (a + len) / kPage; ++p) free = free && !used[p];
        if (free) return a;
        if (a < low + kPage) return 0;
    }
}

TEST(ExecPlannedSpace, TopDownFindsTheHighestFreeRange) {
    PlannedSpace s;
    s.occupy(0x10000, 0x20000);
    s.occupy(0x30000, 0x40000);
    EXPECT_EQ(s.topdown(0x1000, 0x1000, 0x40000), 0x2f000u);
    EXPECT_EQ(s.topdown(0x10000, 0x1000, 0x40000), 0x20000u);  // exactly the gap
    EXPECT_EQ(s.topdown(0x11000, 0x1000, 0x40000), 0u);        // no gap is long enough
    EXPECT_EQ(s.topdown(0x1000, 0x1000, 0x35000), 0x2f000u);   // a range across `high` bounds the gap
    s.release(0x18000, 0x38000);                                // cuts both ranges
    EXPECT_EQ(s.topdown(0x20000, 0x1000, 0x40000), 0x18000u);
    s.occupy(0x0, 0x50000);                                     // replaces everything below
    EXPECT_EQ(s.topdown(0x1000, 0x1000, 0x50000), 0u);
}

TEST(ExecPlannedSpace, MatchesAPageModelUnderRandomOperations) {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
        Rng rng(seed);
        PlannedSpace s;
        std::vector<bool> used(kPages, false);
        for (int i = 0; i < 400; ++i) {
            const std::uint64_t a = rng.below(kPages), n = 1 + rng.below(16);
            const std::uint64_t b = std::min(kPages, a + n);
            if (rng.below(3) == 0) {
                s.release(a * kPage, b * kPage);
                for (auto p = a; p < b; ++p) used[p] = false;
            } else {
                s.occupy(a * kPage, b * kPage);
                for (auto p = a; p < b; ++p) used[p] = true;
            }
            const std::uint64_t len = (1 + rng.below(8)) * kPage;
            const std::uint64_t low = (1 + rng.below(64)) * kPage;
            const std::uint64_t high = low + rng.below(kPages - low / kPage + 1) * kPage;
            ASSERT_EQ(s.topdown(len, low, high), model_topdown(used, len, low, high))
                << "seed " << seed << " step " << i << " len " << len << " low " << low << " high " << high;
        }
    }
}

}  // namespace
