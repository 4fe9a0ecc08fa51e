// The kernel model on every preset with a real-ISA paging format: the same demand-paging,
// COW and protection rules, the ISA's page size and task size, its canonical-address rule.
#include "support/linux_oracle.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {
struct IsaCase {
    std::string preset;
    std::uint64_t page;
    std::uint64_t task_size;
    VirtAddr bad;      // an address above the user half
    int bad_code;      // the si_code a user access there gets
};
}  // namespace

class OsIsa : public ::testing::TestWithParam<IsaCase> {};

TEST_P(OsIsa, DemandPagingCowAndFaults) {
    const IsaCase& c = GetParam();
    auto sim = make_sim(c.preset);
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    EXPECT_EQ(k.page_size(), c.page);
    EXPECT_EQ(k.task_size(), c.task_size);
    const Pid p = *k.spawn({.name = "isa"});
    ASSERT_TRUE(k.set_signal_disposition(p, sys::kSigSegv, SigDisposition::Catch).ok());
    const std::uint64_t n = 16;
    const VirtAddr a = *k.mmap(p, VirtAddr{0}, n * c.page, kRW, kAnonPriv);
    EXPECT_LT(a.value + n * c.page, c.task_size);
    for (std::uint64_t i = 0; i < n; ++i) ASSERT_TRUE(sim->access(p, a + i * c.page, AccessKind::Read, 1).ok);
    EXPECT_EQ(k.process(p)->faults.minor, n);
    EXPECT_EQ(k.memory(p)->rss_anon, 0u);
    for (std::uint64_t i = 0; i < n; ++i) ASSERT_TRUE(sim->write_u64(p, a + i * c.page, i + 1).ok);
    // A/D maintained by page faults (RISC-V Svade, AArch64 without HAFDBS) adds no fault:
    // the kernel maps pages young, and dirty on write faults.
    EXPECT_EQ(k.process(p)->faults.minor, 2 * n);
    EXPECT_EQ(k.memory(p)->rss_anon, n * c.page);
    const Pid ch = *k.fork(p);
    ASSERT_TRUE(sim->write_u64(ch, a, 99).ok);
    std::uint64_t v = 0;
    ASSERT_TRUE(sim->read_u64(p, a, v).ok);
    EXPECT_EQ(v, 1u);
    ASSERT_TRUE(sim->read_u64(ch, a, v).ok);
    EXPECT_EQ(v, 99u);
    EXPECT_EQ(k.process(ch)->faults.cow_copy, 1u);
    ASSERT_TRUE(k.mprotect(p, a, c.page, sys::kProtRead).ok());
    auto r = sim->write_u64(p, a + 8, 5);
    EXPECT_EQ(r.signal.code, sys::kSegvAccErr);
    EXPECT_EQ(r.signal.addr, a + 8);
    r = sim->access(p, c.bad, AccessKind::Read, 1);
    EXPECT_EQ(r.signal.signo, sys::kSigSegv);
    EXPECT_EQ(r.signal.code, c.bad_code);
}

INSTANTIATE_TEST_SUITE_P(
    Presets, OsIsa,
    ::testing::Values(IsaCase{"x86_64", 4096, 0x7ffffffff000ull, VirtAddr{0x8000000000000000ull}, sys::kSiKernel},
                      IsaCase{"x86_64-la57", 4096, (1ull << 56) - 4096, VirtAddr{0x8000000000000000ull}, sys::kSiKernel},
                      IsaCase{"aarch64-4k", 4096, 1ull << 48, VirtAddr{0x0001000000000000ull}, sys::kSegvMapErr},
                      IsaCase{"aarch64-16k", 16384, 1ull << 47, VirtAddr{0x0000800000000000ull}, sys::kSegvMapErr},
                      IsaCase{"riscv-sv39", 4096, 1ull << 38, VirtAddr{0x0000004000000000ull}, sys::kSegvMapErr},
                      IsaCase{"riscv-sv48", 4096, 1ull << 47, VirtAddr{0x0000800000000000ull}, sys::kSegvMapErr},
                      IsaCase{"i386", 4096, 0xc0000000ull, VirtAddr{0xc0001000ull}, sys::kSegvMapErr}),
    [](const ::testing::TestParamInfo<IsaCase>& i) {
        std::string s = i.param.preset;
        for (char& ch : s)
            if (ch == '-') ch = '_';
        return s;
    });

TEST(OsIsaTextbook, TinyAddressSpacesAreRefusedWithAMessage) {
    auto cfg = load_preset("csapp-small");
    ASSERT_TRUE(cfg);
    auto sim = Simulation::create(cfg->machine, KernelConfig{}, 1);
    ASSERT_FALSE(sim);
    EXPECT_NE(sim.error().message.find("too small"), std::string::npos) << sim.error().message;
}

TEST(OsAslr, LayoutIsRandomPerSeedAndDeterministic) {
    KernelConfig kc;
    kc.randomize_va_space = 2;
    auto layout = [&](std::uint64_t seed) {
        auto sim = make_sim("x86_64", kc, seed);
        Kernel& k = sim->kernel();
        const Pid p = *k.spawn({.name = "aslr"});
        auto l = *k.layout(p);
        const VirtAddr m = *k.mmap(p, VirtAddr{0}, kPage, kRW, kAnonPriv);
        return std::tuple{l.mmap_base, l.stack_top, l.start_brk, m};
    };
    const auto a = layout(1), b = layout(1), c = layout(2);
    EXPECT_EQ(a, b);
    EXPECT_NE(std::get<0>(a), std::get<0>(c));
    EXPECT_NE(std::get<1>(a), std::get<1>(c));
    EXPECT_NE(std::get<2>(a), std::get<2>(c));
    // The ranges Linux uses on x86-64: mmap_base within 2^28 pages below the no-ASLR base
    // (and below the randomized stack gap), the stack top within 16 GiB of TASK_SIZE.
    for (const auto& t : {a, c}) {
        EXPECT_LE(std::get<0>(t).value, 0x7ffff7fff000ull);
        EXPECT_GE(std::get<0>(t).value, 0x7ffff7fff000ull - (1ull << 40) - (16ull << 30));
        EXPECT_LE(std::get<1>(t).value, 0x7ffffffff000ull);
        EXPECT_GE(std::get<1>(t).value, 0x7ffffffff000ull - (16ull << 30));
        EXPECT_EQ(std::get<1>(t).value % kPage, 0u);
    }
}
