// Page-walk caches: per-level, fully associative LRU, tagged by ASID.
#include <gtest/gtest.h>

#include "hw/pwc.hpp"

using namespace vmlab;

TEST(Pwc, LevelsAndCapacity) {
    PwcConfig c;
    c.entries = {2, 4, 32, 99};  // the 4th (the last level of a 4-level format) is never cached
    PageWalkCache p(c, 4);
    EXPECT_TRUE(p.enabled());
    EXPECT_EQ(p.deepest_level(), 2);
    EXPECT_EQ(p.capacity(0), 2u);
    EXPECT_EQ(p.capacity(2), 32u);
    EXPECT_FALSE(p.has_level(3));

    PwcConfig none;
    PageWalkCache q(none, 4);
    EXPECT_FALSE(q.enabled());
    EXPECT_EQ(q.deepest_level(), -1);

    PwcConfig gap;
    gap.entries = {0, 8};
    PageWalkCache r(gap, 4);
    EXPECT_FALSE(r.has_level(0));
    EXPECT_EQ(r.deepest_level(), 1);
}

TEST(Pwc, HitMissAndLru) {
    PwcConfig c;
    c.entries = {0, 0, 2};
    PageWalkCache p(c, 4);
    PageWalkCache::Hit h;
    EXPECT_FALSE(p.lookup(2, 0x100, Asid{1}, h));
    p.insert(2, 0x100, Asid{1}, {0x5000, kPermAll});
    p.insert(2, 0x101, Asid{1}, {0x6000, kPermKR});
    ASSERT_TRUE(p.lookup(2, 0x101, Asid{1}, h));
    EXPECT_EQ(h.next_table, 0x6000u);
    EXPECT_EQ(h.allow, kPermKR);
    EXPECT_FALSE(p.lookup(2, 0x101, Asid{2}, h));  // another address space
    ASSERT_TRUE(p.lookup(2, 0x100, Asid{1}, h));  // 0x100 is now the most recent
    p.insert(2, 0x102, Asid{1}, {0x7000, kPermAll});  // evicts 0x101
    EXPECT_FALSE(p.lookup(2, 0x101, Asid{1}, h));
    EXPECT_TRUE(p.lookup(2, 0x100, Asid{1}, h));
    EXPECT_TRUE(p.lookup(2, 0x102, Asid{1}, h));
    // Re-inserting the same key updates in place.
    p.insert(2, 0x102, Asid{1}, {0x8000, kPermAll});
    EXPECT_EQ(p.valid_count(2), 2u);
    ASSERT_TRUE(p.lookup(2, 0x102, Asid{1}, h));
    EXPECT_EQ(h.next_table, 0x8000u);
}

TEST(Pwc, Flushes) {
    PwcConfig c;
    c.entries = {4, 4, 4};
    PageWalkCache p(c, 4);
    p.insert(0, 1, Asid{1}, {});
    p.insert(1, 1, Asid{1}, {});
    p.insert(2, 1, Asid{2}, {});
    EXPECT_EQ(p.flush_asid(Asid{1}), 2u);
    PageWalkCache::Hit h;
    EXPECT_TRUE(p.lookup(2, 1, Asid{2}, h));
    EXPECT_EQ(p.flush_all(), 1u);
    EXPECT_FALSE(p.lookup(2, 1, Asid{2}, h));
}
