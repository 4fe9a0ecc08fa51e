// TLB structures and replacement policies, checked against hand-worked sequences.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "vmlab/core/rng.hpp"
#include "vmlab/hw/tlb.hpp"

using namespace vmlab;

namespace {

TlbConfig cfg(unsigned entries, unsigned ways, std::string repl = "lru", std::vector<PageSize> sizes = {kPage4K}) {
    TlbConfig c;
    c.name = "T";
    c.entries = entries;
    c.ways = ways;
    c.replacement = std::move(repl);
    c.page_sizes = std::move(sizes);
    return c;
}

Tlb::Payload pay(std::uint64_t base, std::uint16_t asid = 0, bool global = false) {
    Tlb::Payload p;
    p.base = base;
    p.asid = asid;
    p.perms = kPermAll;
    p.flags = static_cast<std::uint8_t>((global ? Tlb::kGlobal : 0) | Tlb::kDirty);
    return p;
}

VirtAddr page(std::uint64_t vpn) { return Vpn{vpn}.addr(kPage4K); }

// Runs a reference string of 4 KiB VPNs through the TLB (lookup, fill on miss); returns misses.
unsigned run(Tlb& t, const std::vector<std::uint64_t>& refs) {
    unsigned misses = 0;
    for (auto v : refs) {
        if (t.lookup(page(v), Asid{0}) < 0) {
            ++misses;
            t.insert(page(v), 0, pay(v << 12));
        }
    }
    return misses;
}

bool present(const Tlb& t, std::uint64_t vpn, std::uint16_t asid = 0) { return t.find(page(vpn), 0, Asid{asid}) >= 0; }

// Belady's OPT on a fully associative cache of `n` entries: misses.
unsigned opt_misses(const std::vector<std::uint64_t>& refs, unsigned n) {
    std::set<std::uint64_t> in;
    unsigned misses = 0;
    for (std::size_t i = 0; i < refs.size(); ++i) {
        if (in.count(refs[i])) continue;
        ++misses;
        if (in.size() == n) {
            std::uint64_t victim = 0;
            std::size_t farthest = 0;
            for (auto v : in) {
                std::size_t next = refs.size() + 1;
                for (std::size_t j = i + 1; j < refs.size(); ++j)
                    if (refs[j] == v) {
                        next = j;
                        break;
                    }
                if (next >= farthest) farthest = next, victim = v;
            }
            in.erase(victim);
        }
        in.insert(refs[i]);
    }
    return misses;
}

}  // namespace

TEST(TlbRegistry, PoliciesRegistered) {
    EXPECT_EQ(tlb_replacements().names(), (std::vector<std::string>{"fifo", "lru", "random", "tree-plru"}));
}

TEST(Tlb, GeometrySetAndTag) {
    Tlb t(cfg(64, 4));
    EXPECT_EQ(t.sets(), 16u);
    EXPECT_EQ(t.ways(), 4u);
    // VA 0x12345678: VPN 0x12345, set = low 4 bits = 5, tag = 0x1234.
    const auto vpn = t.vpn_of(VirtAddr{0x12345678}, 0);
    EXPECT_EQ(vpn, 0x12345u);
    EXPECT_EQ(t.set_of(vpn), 5u);
    EXPECT_EQ(t.tag_of(vpn), 0x1234u);
    const int e = t.insert(VirtAddr{0x12345678}, 0, pay(0xabc000));
    EXPECT_EQ(unsigned(e) / t.ways(), 5u);
    auto v = t.entry(5, unsigned(e) % 4);
    EXPECT_TRUE(v.valid);
    EXPECT_EQ(v.tag, 0x1234u);
    EXPECT_EQ(v.vpn.value, 0x12345u);
}

TEST(Tlb, CsappSmallMemorySystemIndexing) {
    // CS:APP 9.6.4: 16-entry 4-way TLB, 64-byte pages. VA 0x03d4: VPN 0x0f, TLBI 0x3, TLBT 0x03.
    Tlb t(cfg(16, 4, "lru", {PageSize::from_shift(6)}), 0, 14);
    EXPECT_EQ(t.sets(), 4u);
    const auto vpn = t.vpn_of(VirtAddr{0x03d4}, 0);
    EXPECT_EQ(vpn, 0x0fu);
    EXPECT_EQ(t.set_of(vpn), 3u);
    EXPECT_EQ(t.tag_of(vpn), 3u);
}

TEST(Tlb, FullyAssociativeIsOneSet) {
    Tlb t(cfg(8, 0));
    EXPECT_EQ(t.sets(), 1u);
    EXPECT_EQ(t.ways(), 8u);
    EXPECT_EQ(t.tag_of(t.vpn_of(VirtAddr{0x5000}, 0)), 5u);
}

TEST(Tlb, FillsInvalidWaysInOrder) {
    Tlb t(cfg(4, 0, "random"));
    for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(t.insert(page(10 + i), 0, pay(0)), int(i));
    EXPECT_EQ(t.stats().evictions, 0u);
    t.invalidate_va(page(11), Asid{0});
    EXPECT_EQ(t.insert(page(99), 0, pay(0)), 1);  // the hole is reused before any eviction
    EXPECT_EQ(t.stats().evictions, 0u);
}

TEST(Tlb, LruEvictsLeastRecentlyUsed) {
    // A B C D A E: E replaces B, the least recently used.
    Tlb t(cfg(4, 0, "lru"));
    EXPECT_EQ(run(t, {1, 2, 3, 4, 1, 5}), 5u);
    EXPECT_TRUE(present(t, 1));
    EXPECT_FALSE(present(t, 2));
    EXPECT_TRUE(present(t, 3));
    EXPECT_TRUE(present(t, 4));
    EXPECT_TRUE(present(t, 5));
    EXPECT_EQ(t.stats().evictions, 1u);
}

TEST(Tlb, TreePlruBitsAndVictim) {
    // 4 ways, bits [root, n1 (ways 0-1), n2 (ways 2-3)]. Filling ways 0..3 in order leaves
    // all bits 0 (each touch points its nodes to the other half, the last touch of way 3
    // points root and n2 to the lower halves). A hit on way 0 sets root=1 (upper half) and
    // n1=1 (way 1). The victim then follows root=1 -> n2=0 -> way 2, where true LRU would
    // pick way 1.
    Tlb t(cfg(4, 0, "tree-plru"));
    run(t, {1, 2, 3, 4});
    const auto& st = t.repl_state();
    EXPECT_EQ(st.tree, (std::vector<std::uint8_t>{0, 0, 0}));
    ASSERT_GE(t.lookup(page(1), Asid{0}), 0);
    EXPECT_EQ(st.tree, (std::vector<std::uint8_t>{1, 1, 0}));
    EXPECT_EQ(st.tree_victim(0), 2u);
    run(t, {5});
    EXPECT_TRUE(present(t, 1));
    EXPECT_TRUE(present(t, 2));
    EXPECT_FALSE(present(t, 3));
    EXPECT_TRUE(present(t, 4));
    EXPECT_EQ(t.entry(0, 2).vpn.value, 5u);
}

TEST(Tlb, TreePlruEightWays) {
    // 8 ways, nodes 0 (ways 0-7), 1 (0-3), 2 (4-7), 3 (0-1), 4 (2-3), 5 (4-5), 6 (6-7).
    // Fill 0..7 in order, then hit way 5: root=0 (point to 0-3), n2=1 (point to 6-7),
    // n5=0 (point to way 4). Victim: root=0 -> n1=0 (last set by way 3) -> n3=0 (last set
    // by way 1) -> way 0.
    Tlb t(cfg(8, 0, "tree-plru"));
    run(t, {0, 1, 2, 3, 4, 5, 6, 7});
    ASSERT_GE(t.lookup(page(5), Asid{0}), 0);
    const auto& b = t.repl_state().tree;
    EXPECT_EQ(b[0], 0);
    EXPECT_EQ(b[2], 1);
    EXPECT_EQ(b[5], 0);
    EXPECT_EQ(t.repl_state().tree_victim(0), 0u);
    // Hit way 0: root=1, n1=1, n3=1. Victim: root=1 -> n2=1 -> n6=0 (set by way 7) -> way 6,
    // although true LRU would evict way 1.
    ASSERT_GE(t.lookup(page(0), Asid{0}), 0);
    EXPECT_EQ(t.repl_state().tree_victim(0), 6u);
}

TEST(Tlb, FifoIgnoresHits) {
    // A B C D A E: E replaces A (first in) although A was just used; F then replaces B.
    Tlb t(cfg(4, 0, "fifo"));
    EXPECT_EQ(run(t, {1, 2, 3, 4, 1, 5}), 5u);
    EXPECT_FALSE(present(t, 1));
    EXPECT_TRUE(present(t, 2));
    run(t, {6});
    EXPECT_FALSE(present(t, 2));
    EXPECT_TRUE(present(t, 3));
}

TEST(Tlb, FifoBeladyAnomaly) {
    // The textbook reference string: FIFO with 3 entries misses 9 times, with 4 entries 10.
    const std::vector<std::uint64_t> refs{1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
    Tlb t3(cfg(3, 0, "fifo"));
    Tlb t4(cfg(4, 0, "fifo"));
    EXPECT_EQ(run(t3, refs), 9u);
    EXPECT_EQ(run(t4, refs), 10u);
    // LRU is a stack algorithm: no anomaly (10 and 8 misses).
    Tlb l3(cfg(3, 0, "lru"));
    Tlb l4(cfg(4, 0, "lru"));
    EXPECT_EQ(run(l3, refs), 10u);
    EXPECT_EQ(run(l4, refs), 8u);
}

TEST(Tlb, RandomVictimsFollowTheSeededGenerator) {
    // Once the set is full, each miss evicts way Rng(seed).below(ways), in draw order.
    const std::uint64_t seed = 12345;
    Tlb t(cfg(4, 0, "random"), seed);
    run(t, {100, 101, 102, 103});
    Rng ref(seed);
    for (std::uint64_t v = 0; v < 200; ++v) {
        const unsigned expect_way = static_cast<unsigned>(ref.below(4));
        const int e = t.insert(page(1000 + v), 0, pay(0));
        EXPECT_EQ(unsigned(e), expect_way) << "eviction " << v;
    }
}

TEST(Tlb, RandomSeedParameterOverridesTheStructuresSeed) {
    // With replacement_params.seed = S, victims follow Rng(S) whatever the structure's seed.
    for (std::uint64_t structure_seed : {1u, 99u}) {
        TlbConfig c = cfg(4, 0, "random");
        c.replacement_params.set("seed", std::int64_t{777});
        ASSERT_TRUE(c.validate().has_value());
        Tlb t(c, structure_seed);
        run(t, {100, 101, 102, 103});
        Rng ref(777);
        for (std::uint64_t v = 0; v < 50; ++v)
            EXPECT_EQ(unsigned(t.insert(page(1000 + v), 0, pay(0))), static_cast<unsigned>(ref.below(4))) << v;
    }
    TlbConfig bad = cfg(4, 0, "random");
    bad.replacement_params.set("sed", std::int64_t{1});
    auto st = bad.validate();
    ASSERT_FALSE(st.has_value());
    EXPECT_EQ(st.error().message.rfind("replacement_params.sed: unknown parameter of TLB replacement policy 'random'; "
                                       "did you mean 'seed'?",
                                       0),
              0u)
        << st.error().message;
}

TEST(Tlb, RandomIsDeterministicPerSeedAndSpreads) {
    auto victims = [](std::uint64_t seed) {
        Tlb t(cfg(8, 0, "random"), seed);
        std::vector<int> out;
        for (std::uint64_t v = 0; v < 8; ++v) t.insert(page(v), 0, pay(0));
        for (std::uint64_t v = 0; v < 4000; ++v) out.push_back(t.insert(page(100 + v), 0, pay(0)));
        return out;
    };
    const auto a = victims(1), b = victims(1), c = victims(2);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    std::map<int, int> hist;
    for (int w : a) hist[w]++;
    ASSERT_EQ(hist.size(), 8u);
    for (auto [w, n] : hist) EXPECT_NEAR(n, 500, 100) << "way " << w;
}

TEST(Tlb, NoPolicyBeatsOpt) {
    Rng rng(7);
    std::vector<std::uint64_t> refs;
    for (int i = 0; i < 3000; ++i) refs.push_back(rng.below(12));
    for (const char* p : {"lru", "fifo", "tree-plru", "random"}) {
        Tlb t(cfg(8, 0, p), 3);
        const unsigned m = run(t, refs);
        EXPECT_GE(m, opt_misses(refs, 8)) << p;
        EXPECT_GE(t.stats().misses, 12u) << p;  // at least the compulsory misses
    }
}

TEST(Tlb, LruInclusionProperty) {
    // A bigger LRU cache never misses more on the same string (stack algorithm).
    Rng rng(9);
    std::vector<std::uint64_t> refs;
    for (int i = 0; i < 2000; ++i) refs.push_back(rng.below(20));
    unsigned prev = ~0u;
    for (unsigned n = 1; n <= 20; ++n) {
        Tlb t(cfg(n, 0, "lru"));
        const unsigned m = run(t, refs);
        EXPECT_LE(m, prev) << n;
        prev = m;
    }
    EXPECT_EQ(prev, 20u);  // 20 entries: compulsory misses only
}

TEST(Tlb, SetConflicts) {
    // 16 sets x 4 ways: five pages with the same set index (VPN multiples of 16) evict one
    // another; a page of another set is untouched.
    Tlb t(cfg(64, 4, "lru"));
    run(t, {1, 0, 16, 32, 48});
    EXPECT_EQ(run(t, {64}), 1u);
    EXPECT_FALSE(present(t, 0));  // least recently used of set 0
    EXPECT_TRUE(present(t, 16));
    EXPECT_TRUE(present(t, 1));
}

TEST(Tlb, AsidIsolationAndGlobals) {
    Tlb t(cfg(64, 4));
    t.insert(page(5), 0, pay(0x5000, 1));
    t.insert(page(6), 0, pay(0x6000, 1, /*global=*/true));
    EXPECT_TRUE(present(t, 5, 1));
    EXPECT_FALSE(present(t, 5, 2));
    EXPECT_TRUE(present(t, 6, 1));
    EXPECT_TRUE(present(t, 6, 2));
    // The same VPN in two address spaces: two entries.
    t.insert(page(5), 0, pay(0x9000, 2));
    EXPECT_EQ(t.payload(t.find(page(5), 0, Asid{1})).base, 0x5000u);
    EXPECT_EQ(t.payload(t.find(page(5), 0, Asid{2})).base, 0x9000u);
    EXPECT_EQ(t.valid_count(), 3u);
    // Re-inserting replaces in place.
    t.insert(page(5), 0, pay(0xa000, 2));
    EXPECT_EQ(t.valid_count(), 3u);
    EXPECT_EQ(t.payload(t.find(page(5), 0, Asid{2})).base, 0xa000u);
}

TEST(Tlb, FlushSemantics) {
    auto fill = [](Tlb& t) {
        t.insert(page(5), 0, pay(0, 1));
        t.insert(page(5), 0, pay(0, 2));
        t.insert(page(7), 0, pay(0, 1));
        t.insert(page(5), 0, pay(0, 3, true));
    };
    // A global entry for VPN 5 replaces the per-ASID ones it would shadow.
    {
        Tlb t(cfg(64, 4));
        fill(t);
        EXPECT_EQ(t.valid_count(), 2u);
    }
    auto base = [] {
        Tlb t(cfg(64, 4));
        t.insert(page(5), 0, pay(0, 1));
        t.insert(page(5), 0, pay(0, 2));
        t.insert(page(7), 0, pay(0, 1));
        t.insert(page(8), 0, pay(0, 9, true));
        t.insert(page(9), 0, pay(0, 2));
        return t;
    };
    {  // invlpg-like: VA 5 for ASID 1 only
        Tlb t = base();
        EXPECT_EQ(t.invalidate_va(page(5), Asid{1}), 1u);
        EXPECT_FALSE(present(t, 5, 1));
        EXPECT_TRUE(present(t, 5, 2));
        EXPECT_TRUE(present(t, 7, 1));
    }
    {  // by VA removes a global entry of that VA too
        Tlb t = base();
        EXPECT_EQ(t.invalidate_va(page(8), Asid{1}), 1u);
        EXPECT_FALSE(present(t, 8, 9));
    }
    {
        Tlb t = base();
        EXPECT_EQ(t.invalidate_va_all_asids(page(5)), 2u);
        EXPECT_FALSE(present(t, 5, 1));
        EXPECT_FALSE(present(t, 5, 2));
        EXPECT_EQ(t.valid_count(), 3u);
    }
    {  // by ASID keeps globals and other ASIDs
        Tlb t = base();
        EXPECT_EQ(t.invalidate_asid(Asid{1}), 2u);
        EXPECT_TRUE(present(t, 5, 2));
        EXPECT_TRUE(present(t, 9, 2));
        EXPECT_TRUE(present(t, 8, 1));
        EXPECT_EQ(t.invalidate_asid(Asid{9}), 0u);  // the global entry tagged 9 stays
        EXPECT_TRUE(present(t, 8, 9));
    }
    {
        Tlb t = base();
        EXPECT_EQ(t.invalidate_nonglobal(), 4u);
        EXPECT_EQ(t.valid_count(), 1u);
        EXPECT_TRUE(present(t, 8, 4));
        EXPECT_EQ(t.invalidate_all(), 1u);
        EXPECT_EQ(t.valid_count(), 0u);
        EXPECT_EQ(t.stats().flushes, 2u);
        EXPECT_EQ(t.stats().invalidated, 5u);
    }
}

TEST(Tlb, MixedSizesProbeWithTheirOwnVpn) {
    // 1536 entries, 12 ways: 128 sets. VA 0x7f1234567000: 4 KiB VPN 0x7f1234567 (set 0x67),
    // 2 MiB VPN 0x3f891a2 (set 0x22).
    Tlb t(cfg(1536, 12, "lru", {kPage4K, kPage2M}), 0, 48);
    const VirtAddr va{0x7f1234567000};
    EXPECT_EQ(t.set_of(t.vpn_of(va, 0)), 0x67u);
    EXPECT_EQ(t.set_of(t.vpn_of(va, 1)), 0x22u);
    const int e = t.insert(va, 1, pay(0x40000000));
    EXPECT_EQ(unsigned(e) / 12, 0x22u);
    EXPECT_LT(t.find(va, 0, Asid{0}), 0);  // the 2 MiB entry never answers a 4 KiB probe
    EXPECT_EQ(t.find(va, 1, Asid{0}), e);
    EXPECT_EQ(t.find(VirtAddr{0x7f1234400000}, 1, Asid{0}), e);  // anywhere in the 2 MiB page
    EXPECT_EQ(t.find(VirtAddr{0x7f12345fffff}, 1, Asid{0}), e);
    EXPECT_LT(t.find(VirtAddr{0x7f1234600000}, 1, Asid{0}), 0);
    EXPECT_GE(t.lookup(VirtAddr{0x7f12344abcde}, Asid{0}), 0);
    // A 4 KiB entry whose VPN equals the 2 MiB VPN numerically is a different entry.
    t.insert(Vpn{0x3f891a2}.addr(kPage4K), 0, pay(0x1000));
    EXPECT_EQ(t.find(va, 1, Asid{0}), e);
    EXPECT_EQ(t.invalidate_va(VirtAddr{0x7f1234512345}, Asid{0}), 1u);  // the 2 MiB page covers it
    EXPECT_LT(t.find(va, 1, Asid{0}), 0);
}

TEST(Tlb, UpperHalfAddresses) {
    Tlb t(cfg(64, 4), 0, 48);
    const VirtAddr k{0xffff888000123000};
    t.insert(k, 0, pay(0x123000, 0, true));
    EXPECT_GE(t.find(k, 0, Asid{5}), 0);
    EXPECT_EQ(t.set_of(t.vpn_of(k, 0)), 3u);
}

TEST(Tlb, StatsCountLookupsHitsMisses) {
    Tlb t(cfg(4, 0, "lru"));
    run(t, {1, 2, 1, 3, 1});
    EXPECT_EQ(t.stats().lookups, 5u);
    EXPECT_EQ(t.stats().hits, 2u);
    EXPECT_EQ(t.stats().misses, 3u);
    EXPECT_EQ(t.stats().fills, 3u);
    EXPECT_EQ(t.stats().name, "T");
    t.reset_stats();
    EXPECT_EQ(t.stats().lookups, 0u);
    EXPECT_EQ(t.stats().name, "T");
}

TEST(Tlb, PlaceWritesAnExactPosition) {
    Tlb t(cfg(16, 4, "lru", {PageSize::from_shift(6)}), 0, 14);
    // CS:APP TLB set 3, way 1: tag 0x03, PPN 0x0D, valid -> VPN (0x03 << 2) | 3 = 0x0f.
    Tlb::Payload p = pay(0x0d << 6);
    t.place(3, 1, (0x03 << 2) | 3, 0, p, true);
    const int e = t.find(VirtAddr{0x03d4}, 0, Asid{0});
    EXPECT_EQ(e, 3 * 4 + 1);
    EXPECT_EQ(t.payload(e).base | (0x03d4 & 0x3f), 0x354u);
    t.place(3, 1, 0, 0, p, false);
    EXPECT_LT(t.find(VirtAddr{0x03d4}, 0, Asid{0}), 0);
}
