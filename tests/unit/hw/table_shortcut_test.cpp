// The walker skips decode() for entries matching a format's TableShortcut. The contract
// (include/vmlab/hw/paging.hpp): a matching entry decodes as a Table entry with
// addr = raw & addr, allow = kPermAll, accessed = (raw & accessed) != 0. Checked for every
// registered format on random entries, on entries built from the shortcut's own bits, and
// on the x86-64 entries the SDM defines (Table 4-15 PML4E, 4-17 PDPTE, 4-19 PDE).
#include <gtest/gtest.h>

#include "vmlab/core/rng.hpp"
#include "vmlab/hw/paging.hpp"

using namespace vmlab;

TEST(TableShortcut, EveryMatchingEntryDecodesAsTheShortcutSays) {
    Rng rng(11);
    for (const auto& name : paging_formats().names()) {
        SCOPED_TRACE(name);
        auto f = make_paging_format(name);
        ASSERT_TRUE(f.has_value());
        const PagingFormat& fmt = **f;
        for (unsigned level = 0; level < fmt.geometry().depth(); ++level) {
            const auto& sc = fmt.table_shortcut(level);
            const unsigned bits = fmt.geometry().levels[level].entry_bytes * 8;
            const std::uint64_t width = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
            for (int i = 0; i < 20000; ++i) {
                std::uint64_t raw = rng.next() & width;
                if (i % 2) raw = ((raw & ~sc.mask) | sc.value) & width;  // force a match where possible
                if ((raw & sc.mask) != sc.value) continue;
                ASSERT_LT(level + 1, fmt.geometry().depth()) << "no shortcut at the last level";
                const DecodedEntry d = fmt.decode(level, raw);
                ASSERT_EQ(d.kind, EntryKind::Table) << std::hex << raw;
                ASSERT_EQ(d.addr, raw & sc.addr) << std::hex << raw;
                ASSERT_EQ(d.allow, kPermAll) << std::hex << raw;
                ASSERT_EQ(d.accessed, (raw & sc.accessed) != 0) << std::hex << raw;
            }
        }
    }
}

TEST(TableShortcut, X86_64MatchesOnlyPlainPresentTables) {
    auto f = make_paging_format("x86-64-4level");
    ASSERT_TRUE(f.has_value());
    const PagingFormat& fmt = **f;
    auto matches = [&](unsigned level, std::uint64_t raw) {
        const auto& sc = fmt.table_shortcut(level);
        return (raw & sc.mask) == sc.value;
    };
    // P | R/W | U/S, table at 0x12345000: a table entry that removes nothing.
    EXPECT_TRUE(matches(0, 0x12345007));
    EXPECT_TRUE(matches(2, 0x12345027));  // A set too
    EXPECT_FALSE(matches(0, 0x12345006));  // not present
    EXPECT_FALSE(matches(1, 0x12345005));  // R/W = 0 removes writes
    EXPECT_FALSE(matches(1, 0x12345003));  // U/S = 0 removes user access
    EXPECT_FALSE(matches(2, 0x8000000012345007ull));  // XD removes fetches
    EXPECT_FALSE(matches(2, 0x12345087));  // PS = 1: a 2 MiB page
    EXPECT_FALSE(matches(3, 0x12345007));  // a PTE is a leaf
}
