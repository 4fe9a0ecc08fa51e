#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "vmlab/hw/phys_mem.hpp"
#include "support/phys_mem_config.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {

TEST(PhysMemConfig, DefaultsAreValid) { EXPECT_TRUE(PhysMemConfig{}.validate().has_value()); }

TEST(PhysMemConfig, SizeMustBeAMultipleOfTheFrame) {
    PhysMemConfig c = memory_mib(1);
    c.bytes += 100;
    const Status s = c.validate();
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("memory.bytes"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("multiple of the frame size"), std::string::npos) << s.error().message;
    c.bytes = 0;
    EXPECT_FALSE(c.validate());
}

TEST(PhysMemConfig, ZonesMustIncreaseAndStayInsideMemory) {
    PhysMemConfig c = memory_mib(64);
    c.zones = {{"DMA", 16 << 20}, {"DMA32", 8 << 20}, {"Normal", 0}};
    Status s = c.validate();
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("memory.zones[1].end_bytes"), std::string::npos) << s.error().message;

    c.zones = {{"DMA", 16 << 20}, {"Normal", 128 << 20}};
    s = c.validate();
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("memory.zones[1].end_bytes"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("beyond the end of memory"), std::string::npos) << s.error().message;

    c.zones = {{"DMA", 16 << 20}, {"Normal", 32 << 20}};  // last zone must reach the end
    EXPECT_FALSE(c.validate());
    c.zones = {{"DMA", (16 << 20) + 512}, {"Normal", 0}};
    EXPECT_FALSE(c.validate());
    c.zones = {{"DMA", 16 << 20}, {"DMA", 0}};
    EXPECT_FALSE(c.validate());
    c.zones = {{"DMA", 16 << 20}, {"Normal", 0}};
    EXPECT_TRUE(c.validate().has_value());
    c.zones = {{"DMA", 16 << 20}, {"Normal", 64 << 20}};
    EXPECT_TRUE(c.validate().has_value());
}

TEST(PhysMemConfig, ReservedMustLeaveMemory) {
    PhysMemConfig c = memory_mib(4);
    c.reserved_bytes = 4 << 20;
    const Status s = c.validate();
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("memory.reserved_bytes"), std::string::npos);
}

TEST(PhysMemConfig, UnknownAllocatorSuggestsNearest) {
    PhysMemConfig c = memory_mib(4);
    c.allocator = "budy";
    const Status s = c.validate();
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("did you mean 'buddy'"), std::string::npos) << s.error().message;
}

TEST(PhysMem, ZonesSplitTheFrames) {
    PhysMemConfig c = memory_mib(64);
    c.zones = {{"DMA", 16 << 20}, {"DMA32", 32 << 20}, {"Normal", 0}};
    PhysMem m(c);
    EXPECT_EQ(m.frame_count(), 16384u);
    ASSERT_EQ(m.zone_count(), 3u);
    EXPECT_EQ(m.zone_name(2), "Normal");
    EXPECT_EQ(m.zone_start(1), Pfn{4096});
    EXPECT_EQ(m.zone_end(1), Pfn{8192});
    EXPECT_EQ(m.zone_end(2), Pfn{16384});
    EXPECT_EQ(m.zone_of(Pfn{0}), 0u);
    EXPECT_EQ(m.zone_of(Pfn{4095}), 0u);
    EXPECT_EQ(m.zone_of(Pfn{4096}), 1u);
    EXPECT_EQ(m.zone_of(Pfn{8191}), 1u);
    EXPECT_EQ(m.zone_of(Pfn{16383}), 2u);
    PhysMem one(memory_mib(4));
    EXPECT_EQ(one.zone_count(), 1u);
    EXPECT_EQ(one.zone_name(0), "Normal");
}

TEST(PhysMem, ContentsAreLazyAndReadBack) {
    PhysMem m(memory_mib(4));
    EXPECT_EQ(m.frames_with_contents(), 0u);
    EXPECT_EQ(m.read_uint(PhysAddr{0x3ff8}, 8), 0u);
    m.write_uint(PhysAddr{0x2000}, 8, 0);  // a zero write to an empty frame stores nothing
    EXPECT_EQ(m.frames_with_contents(), 0u);
    m.write_uint(PhysAddr{0x2008}, 8, 0x1122334455667788ull);
    EXPECT_EQ(m.frames_with_contents(), 1u);
    EXPECT_TRUE(m.frame_has_contents(Pfn{2}));
    EXPECT_FALSE(m.frame_has_contents(Pfn{3}));
    EXPECT_EQ(m.read_uint(PhysAddr{0x2008}, 8), 0x1122334455667788ull);
    // Little-endian: the lowest byte first.
    EXPECT_EQ(m.read_uint(PhysAddr{0x2008}, 1), 0x88u);
    EXPECT_EQ(m.read_uint(PhysAddr{0x200c}, 4), 0x11223344u);
    EXPECT_EQ(m.read_uint(PhysAddr{0x2000}, 8), 0u);
    m.write_uint(PhysAddr{0x200a}, 2, 0xabcd);
    EXPECT_EQ(m.read_uint(PhysAddr{0x2008}, 8), 0x11223344abcd7788ull);
}

TEST(PhysMem, ByteRangesCrossFrames) {
    PhysMem m(memory_mib(4));
    std::uint8_t buf[10000];
    for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = static_cast<std::uint8_t>(i * 7 + 1);
    m.write(PhysAddr{0x0ff0}, buf, sizeof buf);  // frames 0, 1, 2, 3
    EXPECT_EQ(m.frames_with_contents(), 4u);
    std::uint8_t back[10020] = {};
    m.read(PhysAddr{0x0fe6}, back, sizeof back);
    for (unsigned i = 0; i < 10; ++i) EXPECT_EQ(back[i], 0) << i;
    EXPECT_EQ(std::memcmp(back + 10, buf, sizeof buf), 0);
    for (unsigned i = 10 + sizeof buf; i < sizeof back; ++i) EXPECT_EQ(back[i], 0) << i;
    EXPECT_FALSE(m.range_is_zero(PhysAddr{0x1000}, 0x1000));
    EXPECT_TRUE(m.range_is_zero(PhysAddr{0x0000}, 0xff0));
    EXPECT_TRUE(m.range_is_zero(PhysAddr{0x8000}, 0x4000));
}

TEST(PhysMem, ZeroFramesDropsBuffersAndCopyFrameCopies) {
    PhysMem m(memory_mib(4));
    m.write_uint(PhysAddr{0x5010}, 4, 0xdeadbeef);
    m.copy_frame(Pfn{9}, Pfn{5});
    EXPECT_EQ(m.read_uint(PhysAddr{0x9010}, 4), 0xdeadbeefu);
    EXPECT_EQ(m.frames_with_contents(), 2u);
    m.zero_frames(Pfn{5}, 1);
    EXPECT_FALSE(m.frame_has_contents(Pfn{5}));
    EXPECT_EQ(m.read_uint(PhysAddr{0x5010}, 4), 0u);
    EXPECT_EQ(m.frames_with_contents(), 1u);
    // Copying an empty frame empties the destination.
    m.copy_frame(Pfn{9}, Pfn{5});
    EXPECT_FALSE(m.frame_has_contents(Pfn{9}));
    EXPECT_EQ(m.frames_with_contents(), 0u);
    // A reused buffer starts as zeros.
    m.write_uint(PhysAddr{0x7000}, 1, 1);
    EXPECT_EQ(m.read_uint(PhysAddr{0x7010}, 4), 0u);
}

TEST(PhysMem, FrameFlagsStartClearAndAreIndependent) {
    PhysMem m(memory_mib(4));
    // A frame the allocator handed out carries no flag until the page-table code marks it.
    auto p = m.allocator().alloc(0);
    ASSERT_TRUE(p);
    EXPECT_EQ(m.flags(*p), 0u);
    m.set_flag(*p, kFramePageTable);
    EXPECT_TRUE(m.has_flag(*p, kFramePageTable));
    EXPECT_FALSE(m.has_flag(*p, kFrameFree));
    EXPECT_FALSE(m.has_flag(*p + 1, kFramePageTable));
    m.clear_flag(*p, kFramePageTable);
    EXPECT_EQ(m.flags(*p), 0u);
    m.allocator().free(*p, 0);
    EXPECT_TRUE(m.has_flag(*p, kFrameFree));
}

TEST(PhysMem, TensOfGiBConstructQuickly) {
    PhysMemConfig c;
    c.bytes = std::uint64_t{64} << 30;
    c.zones = {{"DMA", 16 << 20}, {"DMA32", std::uint64_t{4} << 30}, {"Normal", 0}};
    c.reserved_bytes = 1 << 20;
    const auto t0 = std::chrono::steady_clock::now();
    PhysMem m(c);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(m.frame_count(), std::uint64_t{16} << 20);
    EXPECT_EQ(m.allocator().free_frames(), (std::uint64_t{16} << 20) - 256);
    EXPECT_EQ(m.frames_with_contents(), 0u);
    EXPECT_LT(s, 5.0) << "64 GiB of simulated memory took " << s << " s to build";
}

}  // namespace
