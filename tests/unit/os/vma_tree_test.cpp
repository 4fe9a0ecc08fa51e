// The VMA treap against a brute-force model: lookups, neighbours and the highest/lowest
// gap searches on thousands of random inserts, erases and reshapes.
#include <gtest/gtest.h>

#include <map>

#include "os/mm/vma_tree.hpp"
#include "vmlab/core/rng.hpp"

using namespace vmlab;
using namespace vmlab::os;

namespace {
struct Model {
    std::map<std::uint64_t, std::uint64_t> iv;  // start -> end
    bool free(std::uint64_t s, std::uint64_t e) const {
        for (auto& [a, b] : iv)
            if (a < e && s < b) return false;
        return true;
    }
    // Highest [lo, hi) gap clipped to [low, high) of at least len: brute force over gaps.
    std::optional<std::pair<std::uint64_t, std::uint64_t>> highest(std::uint64_t low, std::uint64_t high,
                                                                   std::uint64_t len) const {
        std::optional<std::pair<std::uint64_t, std::uint64_t>> best;
        std::uint64_t prev = 0;
        auto consider = [&](std::uint64_t a, std::uint64_t b) {
            const std::uint64_t lo = std::max(a, low), hi = std::min(b, high);
            if (hi > lo && hi - lo >= len && (!best || hi > best->second)) best = {lo, hi};
        };
        for (auto& [a, b] : iv) {
            consider(prev, a);
            prev = b;
        }
        consider(prev, ~0ull);
        return best;
    }
    std::optional<std::pair<std::uint64_t, std::uint64_t>> lowest(std::uint64_t low, std::uint64_t high,
                                                                  std::uint64_t len) const {
        std::uint64_t prev = 0;
        auto fits = [&](std::uint64_t a, std::uint64_t b) -> std::optional<std::pair<std::uint64_t, std::uint64_t>> {
            const std::uint64_t lo = std::max(a, low), hi = std::min(b, high);
            if (hi > lo && hi - lo >= len) return std::pair{lo, hi};
            return std::nullopt;
        };
        for (auto& [a, b] : iv) {
            if (auto g = fits(prev, a)) return g;
            prev = b;
        }
        return fits(prev, ~0ull);
    }
};
}  // namespace

TEST(OsVmaTree, MatchesABruteForceModel) {
    Rng rng(42);
    VmaTree t;
    Model m;
    const std::uint64_t page = 4096, space = 4096 * page;
    for (int step = 0; step < 20000; ++step) {
        const int op = static_cast<int>(rng.below(10));
        if (op < 5) {
            const std::uint64_t s = rng.below(space / page) * page, e = s + (1 + rng.below(32)) * page;
            if (m.free(s, e)) {
                Vma v;
                v.start = VirtAddr{s};
                v.end = VirtAddr{e};
                t.insert(v);
                m.iv[s] = e;
            }
        } else if (op < 7 && !m.iv.empty()) {
            auto it = m.iv.begin();
            std::advance(it, static_cast<long>(rng.below(m.iv.size())));
            Vma* v = t.lookup(VirtAddr{it->first});
            ASSERT_TRUE(v);
            t.erase(v);
            m.iv.erase(it);
        } else if (op < 8 && !m.iv.empty()) {
            // Shrink or grow one VMA within its free neighbourhood.
            auto it = m.iv.begin();
            std::advance(it, static_cast<long>(rng.below(m.iv.size())));
            const std::uint64_t s = it->first, e = it->second;
            const std::uint64_t ns = rng.below(2) ? s : s + page * (e - s > page);
            const std::uint64_t ne = e + page;
            m.iv.erase(it);
            if (m.free(ns, ne)) {
                Vma* v = t.lookup(VirtAddr{s});
                t.reshape(v, VirtAddr{ns}, VirtAddr{ne});
                m.iv[ns] = ne;
            } else {
                m.iv[s] = e;
            }
        } else {
            const std::uint64_t a = rng.below(space + 64 * page);
            Vma* f = t.find(VirtAddr{a});
            auto it = m.iv.upper_bound(a);
            std::optional<std::uint64_t> want;
            if (it != m.iv.begin() && std::prev(it)->second > a) want = std::prev(it)->first;
            else if (it != m.iv.end()) want = it->first;
            ASSERT_EQ(f != nullptr, want.has_value());
            if (f) {
                EXPECT_EQ(f->start.value, *want);
            }
            const std::uint64_t low = rng.below(space / 2), high = low + rng.below(space), len = (1 + rng.below(64)) * page;
            auto g = t.highest_gap(VirtAddr{low}, VirtAddr{high}, len);
            auto mg = m.highest(low, high, len);
            ASSERT_EQ(g.has_value(), mg.has_value()) << "highest " << low << " " << high << " " << len;
            if (g) {
                EXPECT_EQ(std::make_pair(g->lo.value, g->hi.value), *mg);
            }
            auto lg = t.lowest_gap(VirtAddr{low}, VirtAddr{high}, len);
            auto lmg = m.lowest(low, high, len);
            ASSERT_EQ(lg.has_value(), lmg.has_value());
            if (lg) {
                EXPECT_EQ(std::make_pair(lg->lo.value, lg->hi.value), *lmg);
            }
        }
        if (step % 500 == 0) {
            ASSERT_TRUE(t.check());
        }
        ASSERT_EQ(t.size(), m.iv.size());
    }
    EXPECT_TRUE(t.check());
}
