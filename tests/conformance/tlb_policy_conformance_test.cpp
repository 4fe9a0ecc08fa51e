// Every registered TLB replacement policy against what any replacement policy must do:
// fills go to free ways before anything is evicted, a filled entry hits, a set never holds
// more than `ways` entries nor the structure more than its capacity, flushes empty it; and,
// for the policies whose name promises an order (lru, fifo), the textbook victim sequences.
// The suite is instantiated from tlb_replacements().names(), so a new policy is covered
// as soon as its file is built.
#include <gtest/gtest.h>

#include <set>

#include "vmlab/core/rng.hpp"
#include "vmlab/hw/tlb.hpp"

using namespace vmlab;

namespace {

constexpr Asid kAsid{1};

TlbConfig config(const std::string& policy, unsigned entries, unsigned ways) {
    TlbConfig c;
    c.name = "T";
    c.entries = entries;
    c.ways = ways;
    c.page_sizes = {kPage4K};
    c.replacement = policy;
    return c;
}

// The VA of the k-th distinct page that maps to `set` of a structure with `sets` sets.
VirtAddr va_in_set(unsigned set, unsigned k, unsigned sets) {
    return VirtAddr{(std::uint64_t{k} * sets + set) << 12};
}

Tlb::Payload payload(std::uint64_t base) {
    Tlb::Payload p;
    p.base = base;
    p.asid = kAsid.value;
    p.perms = kPermAll;
    return p;
}

// The valid entries of one set.
unsigned valid_in_set(const Tlb& t, unsigned set) {
    unsigned n = 0;
    for (const auto& e : t.entries())
        if (e.set == set) ++n;
    return n;
}

class TlbPolicyConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(TlbPolicyConformance, AcceptsPowerOfTwoGeometries) {
    for (auto [entries, ways] : {std::pair{64u, 4u}, {16u, 16u}, {64u, 1u}, {8u, 0u}, {32u, 8u}})
        EXPECT_TRUE(config(GetParam(), entries, ways).validate().has_value()) << entries << "/" << ways;
}

TEST_P(TlbPolicyConformance, NeverEvictsWhileAWayIsFree) {
    for (unsigned ways : {1u, 2u, 4u, 8u}) {
        const unsigned sets = 4;
        Tlb t(config(GetParam(), sets * ways, ways), 7);
        for (unsigned k = 0; k < ways; ++k) t.insert(va_in_set(2, k, sets), 0, payload(k << 12));
        for (unsigned k = 0; k < ways; ++k)
            EXPECT_GE(t.find(va_in_set(2, k, sets), 0, kAsid), 0) << ways << " ways, page " << k;
        EXPECT_EQ(valid_in_set(t, 2), ways);
        EXPECT_EQ(t.valid_count(), ways);
    }
}

TEST_P(TlbPolicyConformance, RefillsAnInvalidatedWayBeforeEvicting) {
    const unsigned ways = 4, sets = 2;
    Tlb t(config(GetParam(), sets * ways, ways), 3);
    for (unsigned k = 0; k < ways; ++k) t.insert(va_in_set(0, k, sets), 0, payload(k));
    t.invalidate_va(va_in_set(0, 1, sets), kAsid);
    t.insert(va_in_set(0, 9, sets), 0, payload(9));
    for (unsigned k : {0u, 2u, 3u, 9u}) EXPECT_GE(t.find(va_in_set(0, k, sets), 0, kAsid), 0) << k;
}

TEST_P(TlbPolicyConformance, HitsAfterFillWithThePayload) {
    Tlb t(config(GetParam(), 16, 4), 1);
    const VirtAddr va{0x7f0000123000};
    const int e = t.insert(va, 0, payload(0xabc000));
    EXPECT_EQ(t.lookup(va + 0x456, kAsid), e);
    EXPECT_EQ(t.payload(e).base, 0xabc000u);
    EXPECT_EQ(t.stats().hits, 1u);
    EXPECT_EQ(t.lookup(va, Asid{2}), -1);  // another address space misses
}

TEST_P(TlbPolicyConformance, ASetHoldsAtMostItsWaysAndKeepsTheNewest) {
    for (unsigned ways : {1u, 2u, 4u, 8u}) {
        const unsigned sets = 4;
        Tlb t(config(GetParam(), sets * ways, ways), 11);
        t.insert(va_in_set(1, 0, sets), 0, payload(1));  // another set, never disturbed
        for (unsigned k = 0; k < 3 * ways + 1; ++k) {
            const VirtAddr va = va_in_set(3, k, sets);
            t.insert(va, 0, payload(k));
            EXPECT_GE(t.find(va, 0, kAsid), 0) << "the entry just filled must be present";
            EXPECT_LE(valid_in_set(t, 3), ways);
        }
        EXPECT_EQ(valid_in_set(t, 3), ways);
        EXPECT_GE(t.find(va_in_set(1, 0, sets), 0, kAsid), 0) << "a fill evicted from another set";
    }
}

TEST_P(TlbPolicyConformance, NeverHoldsMoreThanItsCapacity) {
    for (unsigned ways : {0u, 2u, 4u}) {
        const unsigned entries = 32;
        Tlb t(config(GetParam(), entries, ways), 5);
        Rng rng(99);
        std::set<std::uint64_t> inserted;
        for (int i = 0; i < 2000; ++i) {
            const VirtAddr va{rng.below(256) << 12};
            if (rng.below(3) == 0) {
                t.lookup(va, kAsid);
            } else {
                t.insert(va, 0, payload(va.value));
                inserted.insert(va.value);
            }
            ASSERT_LE(t.valid_count(), entries);
        }
        // Every entry maps what was inserted for it.
        for (const auto& e : t.entries()) {
            const VirtAddr va{e.vpn.value << 12};
            const int i = t.find(va, 0, kAsid);
            ASSERT_GE(i, 0);
            EXPECT_EQ(t.payload(i).base, va.value);
            EXPECT_TRUE(inserted.count(va.value));
        }
    }
}

TEST_P(TlbPolicyConformance, FlushesEmptyIt) {
    Tlb t(config(GetParam(), 16, 4), 2);
    for (unsigned k = 0; k < 40; ++k) t.insert(VirtAddr{std::uint64_t{k} << 12}, 0, payload(k));
    EXPECT_GT(t.valid_count(), 0u);
    const unsigned before = t.valid_count();
    EXPECT_EQ(t.invalidate_all(), before);
    EXPECT_EQ(t.valid_count(), 0u);
    for (unsigned k = 0; k < 40; ++k) EXPECT_EQ(t.lookup(VirtAddr{std::uint64_t{k} << 12}, kAsid), -1);
    for (unsigned k = 0; k < 8; ++k) t.insert(VirtAddr{std::uint64_t{k} << 12}, 0, payload(k));
    EXPECT_EQ(t.invalidate_asid(kAsid), 8u);
    EXPECT_EQ(t.invalidate_asid(kAsid), 0u);
    EXPECT_EQ(t.valid_count(), 0u);
}

// Four ways, one set: fill A B C D, touch A, fill E. LRU evicts B (the least recently
// used); FIFO evicts A (filled first; the hit does not count).
TEST_P(TlbPolicyConformance, KnownSequenceWhereTheNamePromisesAnOrder) {
    // One 4-way set filled with A B C D (ways 0..3, free ways first), A hit, then E and F
    // inserted. The victims follow from each policy's definition:
    //   lru:       E evicts B (A was touched, B is the least recent), F evicts C;
    //   fifo:      E evicts A (first in), F evicts B;
    //   tree-plru: every touch points the tree's bits on its path away from the touched
    //              way. After the fills and the hit on A (way 0) the root points right and
    //              the right node at C (way 2, D was touched after C): E evicts C. E's fill
    //              turns the root left, where the left node points at B (way 1, A was
    //              touched after B): F evicts B.
    const std::string name = GetParam();
    struct Expected {
        unsigned first, second;
    };
    Expected ex{};
    if (name == "lru") ex = {1, 2};
    else if (name == "fifo") ex = {0, 1};
    else if (name == "tree-plru") ex = {2, 1};
    else GTEST_SKIP() << name << " promises no order";
    Tlb t(config(name, 4, 4), 0);
    auto page = [](unsigned k) { return VirtAddr{std::uint64_t{k + 1} << 12}; };
    for (unsigned k = 0; k < 4; ++k) t.insert(page(k), 0, payload(k));
    ASSERT_GE(t.lookup(page(0), kAsid), 0);
    t.insert(page(4), 0, payload(4));
    for (unsigned k = 0; k < 5; ++k)
        EXPECT_EQ(t.find(page(k), 0, kAsid) >= 0, k != ex.first) << name << ": page " << k;
    t.insert(page(5), 0, payload(5));
    EXPECT_EQ(t.find(page(ex.second), 0, kAsid), -1) << name;
    for (unsigned k = 0; k < 6; ++k)
        if (k != ex.first && k != ex.second) EXPECT_GE(t.find(page(k), 0, kAsid), 0) << name << ": page " << k;
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string s = info.param;
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, TlbPolicyConformance, ::testing::ValuesIn(tlb_replacements().names()),
                         param_name);

}  // namespace
