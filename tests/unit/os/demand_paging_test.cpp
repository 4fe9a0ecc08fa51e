// Demand paging of private anonymous memory: reads map the zero page, the first write to
// each page takes a new zeroed frame, and the values written read back.
#include "support/os_fixture.hpp"

using namespace vmlab;
using namespace vmlab::test;

TEST(OsSmoke, AnonReadThenWrite) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    auto pid = k.spawn({.name = "t"});
    ASSERT_TRUE(pid.ok());
    auto a = k.mmap(*pid, VirtAddr{0}, 64 * kPage, kRW, kAnonPriv);
    ASSERT_TRUE(a.ok()) << errno_name(a.error);
    EXPECT_EQ(a->value, 0x7ffff7fff000u - 64 * kPage);
    for (int i = 0; i < 64; ++i) {
        std::uint64_t v = 1;
        auto r = sim->read_u64(*pid, *a + i * kPage, v);
        ASSERT_TRUE(r.ok);
        EXPECT_EQ(v, 0u);
    }
    EXPECT_EQ(k.process(*pid)->faults.minor, 64u);
    EXPECT_EQ(k.memory(*pid)->rss_anon, 0u);
    for (int i = 0; i < 64; ++i) ASSERT_TRUE(sim->write_u64(*pid, *a + i * kPage, i + 100).ok);
    EXPECT_EQ(k.process(*pid)->faults.minor, 128u);
    EXPECT_EQ(k.memory(*pid)->rss_anon, 256u * 1024);
    for (int i = 0; i < 64; ++i) {
        std::uint64_t v = 0;
        ASSERT_TRUE(sim->read_u64(*pid, *a + i * kPage, v).ok);
        EXPECT_EQ(v, std::uint64_t(i + 100));
    }
    EXPECT_EQ(k.process(*pid)->faults.minor, 128u);
}
