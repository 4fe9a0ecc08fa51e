#include <gtest/gtest.h>

#include "vmlab/core/strings.hpp"
#include "vmlab/core/types.hpp"

using namespace vmlab;

TEST(Strings, ParseU64Bases) {
    EXPECT_EQ(*parse_u64("0"), 0u);
    EXPECT_EQ(*parse_u64("0x3d4"), 0x3d4u);
    EXPECT_EQ(*parse_u64("0b101"), 5u);
    EXPECT_EQ(*parse_u64("0o17"), 15u);
    EXPECT_EQ(*parse_u64("1_000"), 1000u);
    EXPECT_EQ(*parse_u64("18446744073709551615"), ~std::uint64_t{0});
    EXPECT_FALSE(parse_u64("18446744073709551616"));
    EXPECT_FALSE(parse_u64(""));
    EXPECT_FALSE(parse_u64("0x"));
    EXPECT_FALSE(parse_u64("12z"));
    EXPECT_FALSE(parse_u64("4k"));
}

TEST(Strings, ParseU64Suffixes) {
    EXPECT_EQ(*parse_u64("4k", true), 4096u);
    EXPECT_EQ(*parse_u64("2MiB", true), 2u << 20);
    EXPECT_EQ(*parse_u64("1G", true), 1u << 30);
    EXPECT_FALSE(parse_u64("1Q", true));
    EXPECT_FALSE(parse_u64("17179869184G", true));
}

TEST(Strings, Nearest) {
    std::vector<std::string> keys{"entries", "ways", "replacement", "hit_cycles"};
    EXPECT_EQ(nearest("entires", keys).value_or(""), "entries");
    EXPECT_EQ(nearest("replacment", keys).value_or(""), "replacement");
    EXPECT_FALSE(nearest("zzzzzzzzzz", keys));
}

TEST(Strings, FormatBytes) {
    EXPECT_EQ(format_bytes(100), "100 B");
    EXPECT_EQ(format_bytes(4096), "4 KiB");
    EXPECT_EQ(format_bytes(3u << 29), "1.5 GiB");
}

TEST(Types, AddressArithmetic) {
    VirtAddr va{0x7fff12345678};
    EXPECT_EQ(va.vpn(kPage4K).value, 0x7fff12345u);
    EXPECT_EQ(va.offset_in(kPage4K), 0x678u);
    EXPECT_EQ(va.align_down(kPage2M).value, 0x7fff12200000u);
    EXPECT_EQ(Vpn{5}.addr(kPage4K).value, 0x5000u);
    EXPECT_EQ(PhysAddr{0x354}.pfn(PageSize::from_shift(6)).value, 0xdu);
}
