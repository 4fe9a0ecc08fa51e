// x86-64 4-level and 5-level paging against Intel SDM Vol. 3A §4.5 (values computed by
// hand from Tables 4-14 to 4-20) and the layout Linux uses.
#include <gtest/gtest.h>

#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"

using namespace vmlab;

namespace {

std::unique_ptr<PagingFormat> fmt(const char* name) {
    auto f = make_paging_format(name);
    EXPECT_TRUE(f.has_value()) << (f ? "" : f.error().str());
    return std::move(*f);
}

LeafAttrs attrs(bool write, bool exec, bool user) {
    LeafAttrs a;
    a.prot = Prot{true, write, exec, user};
    return a;
}

TEST(X86_64, Geometry) {
    const auto f = fmt("x86-64-4level");
    const auto& g = f->geometry();
    EXPECT_EQ(g.depth(), 4u);
    EXPECT_EQ(g.va_bits, 48);
    EXPECT_EQ(g.pa_bits, 52);
    EXPECT_EQ(g.kernel_base, 0xffff800000000000ull);
    EXPECT_STREQ(g.levels[0].name, "PML4");
    EXPECT_EQ(g.levels[0].table_bytes(), 4096u);
    const std::vector<PageSize> sizes{kPage4K, kPage2M, kPage1G};
    EXPECT_EQ(g.page_sizes(), sizes);
    EXPECT_EQ(g.level_for(kPage1G), 1);
    EXPECT_EQ(g.level_for(kPage2M), 2);
    EXPECT_EQ(g.level_for(kPage4K), 3);
    EXPECT_EQ(g.level_for(kPage4M), -1);
    const auto f5 = fmt("x86-64-5level");
    EXPECT_EQ(f5->geometry().depth(), 5u);
    EXPECT_STREQ(f5->geometry().levels[0].name, "PML5");
    EXPECT_EQ(f5->geometry().kernel_base, 0xff00000000000000ull);
}

TEST(X86_64, VaSplit) {
    const auto f = fmt("x86-64-4level");
    const auto& g = f->geometry();
    // 3<<39 | 5<<30 | 7<<21 | 9<<12 | 0x123
    const VirtAddr va{0x0000018140e09123ull};
    EXPECT_EQ(g.index(0, va), 3u);
    EXPECT_EQ(g.index(1, va), 5u);
    EXPECT_EQ(g.index(2, va), 7u);
    EXPECT_EQ(g.index(3, va), 9u);
    EXPECT_EQ(va.offset_in(kPage4K), 0x123u);
    // Linux's kernel text mapping: PML4 511, PDPT 510, PD 8 (16 MiB above -2 GiB).
    const VirtAddr ktext{0xffffffff81000000ull};
    EXPECT_EQ(g.index(0, ktext), 511u);
    EXPECT_EQ(g.index(1, ktext), 510u);
    EXPECT_EQ(g.index(2, ktext), 8u);
    EXPECT_EQ(g.index(3, ktext), 0u);
    // The direct map at 0xffff888000000000 starts at PML4 slot 273 (0x111).
    EXPECT_EQ(g.index(0, VirtAddr{0xffff888000000000ull}), 273u);
    // 5-level: 0xff11000000000000 is PML5 slot 273.
    const auto f5 = fmt("x86-64-5level");
    EXPECT_EQ(f5->geometry().index(0, VirtAddr{0xff11000000000000ull}), 273u);
    EXPECT_EQ(f5->geometry().index(1, VirtAddr{0xff11000000000000ull}), 0u);
}

TEST(X86_64, CanonicalAddresses) {
    const auto f = fmt("x86-64-4level");
    EXPECT_TRUE(f->canonical(VirtAddr{0}));
    EXPECT_TRUE(f->canonical(VirtAddr{0x00007fffffffffffull}));
    EXPECT_FALSE(f->canonical(VirtAddr{0x0000800000000000ull}));
    EXPECT_FALSE(f->canonical(VirtAddr{0xffff7fffffffffffull}));
    EXPECT_TRUE(f->canonical(VirtAddr{0xffff800000000000ull}));
    EXPECT_TRUE(f->canonical(VirtAddr{0xffffffffffffffffull}));
    EXPECT_FALSE(f->canonical(VirtAddr{0x8000000000000000ull}));
    const auto f5 = fmt("x86-64-5level");
    EXPECT_TRUE(f5->canonical(VirtAddr{0x0000800000000000ull}));
    EXPECT_TRUE(f5->canonical(VirtAddr{0x00ffffffffffffffull}));
    EXPECT_FALSE(f5->canonical(VirtAddr{0x0100000000000000ull}));
    EXPECT_FALSE(f5->canonical(VirtAddr{0xfeffffffffffffffull}));
    EXPECT_TRUE(f5->canonical(VirtAddr{0xff00000000000000ull}));
}

TEST(X86_64, EncodeLeafAndTable) {
    const auto f = fmt("x86-64-4level");
    // 4 KiB user read/write data page, A and D set: P RW US A D = 0x67, XD = bit 63.
    LeafAttrs a = attrs(true, false, true);
    a.accessed = a.dirty = true;
    EXPECT_EQ(f->encode_leaf(3, PhysAddr{0x12345000}, a), 0x8000000012345067ull);
    // 2 MiB kernel text, RW, global, A D: Linux's __PAGE_KERNEL_LARGE_EXEC = 0x1e3.
    LeafAttrs k = attrs(true, true, false);
    k.global = k.accessed = k.dirty = true;
    EXPECT_EQ(f->encode_leaf(2, PhysAddr{0x1000000}, k), 0x10001e3ull);
    // 1 GiB user read-only executable page: P US PS = 0x85.
    EXPECT_EQ(f->encode_leaf(1, PhysAddr{0x40000000}, attrs(false, true, true)), 0x40000085ull);
    // Cache bits: PWT = bit 3, PCD = bit 4; PAT = bit 7 in a PTE, bit 12 in a PDE.
    LeafAttrs c = attrs(false, true, false);
    c.cache = 7;
    EXPECT_EQ(f->encode_leaf(3, PhysAddr{0x3000}, c), 0x3099ull);
    EXPECT_EQ(f->encode_leaf(2, PhysAddr{0x200000}, c), 0x201099ull);
    // Table entries grant everything: P RW US.
    EXPECT_EQ(f->encode_table(0, PhysAddr{0x5000}), 0x5007ull);
}

TEST(X86_64, DecodeLeaves) {
    const auto f = fmt("x86-64-4level");
    DecodedEntry d = f->decode(3, 0x8000000012345067ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.addr, 0x12345000u);
    EXPECT_EQ(d.size, kPage4K);
    EXPECT_TRUE(d.accessed);
    EXPECT_TRUE(d.dirty);
    EXPECT_FALSE(d.global);
    EXPECT_EQ(perm_string(d.allow), "U:rw- K:rw-");
    EXPECT_EQ(f->describe(3, 0x8000000012345067ull), "P RW US A D NX");

    d = f->decode(2, 0x10001e3ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.size, kPage2M);
    EXPECT_EQ(d.addr, 0x1000000u);
    EXPECT_TRUE(d.global);
    EXPECT_EQ(perm_string(d.allow), "U:--- K:rwx");

    d = f->decode(1, 0x40000085ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.size, kPage1G);
    EXPECT_EQ(perm_string(d.allow), "U:r-x K:r-x");  // CR0.WP = 1: no supervisor write

    // PAT of a 4 KiB page is bit 7 (no page-size meaning in a PTE).
    d = f->decode(3, 0x1083ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.addr, 0x1000u);
    EXPECT_EQ(d.cache, 4);
    // PAT of a 1 GiB page is bit 12; the address starts at bit 30.
    d = f->decode(1, 0x40001083ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.addr, 0x40000000u);
    EXPECT_EQ(d.cache, 4);
    // Bits 62:52 are ignored, not address bits.
    d = f->decode(3, 0x7ff0000000001003ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.addr, 0x1000u);
}

TEST(X86_64, DecodeTables) {
    const auto f = fmt("x86-64-4level");
    DecodedEntry d = f->decode(0, 0x5007);
    EXPECT_EQ(d.kind, EntryKind::Table);
    EXPECT_EQ(d.addr, 0x5000u);
    EXPECT_EQ(d.allow, kPermAll);
    // A supervisor-only, read-only, XD table entry removes those rights below it.
    d = f->decode(1, 0x8000000000006021ull);
    EXPECT_EQ(d.kind, EntryKind::Table);
    EXPECT_TRUE(d.accessed);
    EXPECT_EQ(perm_string(d.allow), "U:--- K:r--");
    EXPECT_EQ(f->decode(2, 0x5006).kind, EntryKind::Invalid);  // P = 0
}

TEST(X86_64, ReservedBits) {
    const auto f = fmt("x86-64-4level");
    // PS is reserved in a PML4E.
    EXPECT_EQ(f->decode(0, 0x83).kind, EntryKind::Reserved);
    // 2 MiB page: bits 20:13 reserved.
    EXPECT_EQ(f->decode(2, 0x200000 | 0x2000 | 0x83).kind, EntryKind::Reserved);
    EXPECT_EQ(f->decode(2, 0x200000 | 0x100000 | 0x83).kind, EntryKind::Reserved);
    EXPECT_EQ(f->decode(2, 0x200000 | 0x1000 | 0x83).kind, EntryKind::Leaf);  // bit 12 = PAT
    // 1 GiB page: bits 29:13 reserved.
    EXPECT_EQ(f->decode(1, 0x40000000 | 0x20000000 | 0x83).kind, EntryKind::Reserved);
    EXPECT_EQ(f->decode(1, 0x40000000 | 0x200000 | 0x83).kind, EntryKind::Reserved);
    // A 2 MiB-aligned address in a PDE with PS = 0 is just a table pointer.
    EXPECT_EQ(f->decode(2, 0x202003).kind, EntryKind::Table);
    const DecodedEntry r = f->decode(0, 0x83);
    ASSERT_NE(r.reserved_why, nullptr);
    EXPECT_NE(f->describe(0, 0x83).find("reserved"), std::string::npos);
    const auto f5 = fmt("x86-64-5level");
    EXPECT_EQ(f5->decode(0, 0x83).kind, EntryKind::Reserved);  // PML5E
    EXPECT_EQ(f5->decode(1, 0x83).kind, EntryKind::Reserved);  // PML4E
    EXPECT_EQ(f5->decode(2, 0x40000083).kind, EntryKind::Leaf);  // PDPTE: 1 GiB
}

TEST(X86_64, AccessedDirtyAndSwap) {
    const auto f = fmt("x86-64-4level");
    EXPECT_EQ(f->set_accessed(3, 0x1001), 0x1021u);
    EXPECT_EQ(f->set_dirty(3, 0x1001), 0x1041u);
    EXPECT_EQ(f->clear_accessed(3, 0x1061), 0x1041u);
    EXPECT_EQ(f->clear_dirty(3, 0x1061), 0x1021u);
    EXPECT_TRUE(f->sets_table_accessed());
    const std::uint64_t s = f->encode_swap(3, 0x123456789ull);
    EXPECT_EQ(s & 1, 0u);  // not present
    EXPECT_EQ(f->decode(3, s).kind, EntryKind::Invalid);
    EXPECT_EQ(f->decode_swap(3, s), 0x123456789ull);
    EXPECT_EQ(f->decode_swap(3, f->encode_swap(3, 0)), 0u);
    EXPECT_NE(f->encode_swap(3, 0), 0u);  // a zero payload is still not an empty entry
    EXPECT_EQ(f->decode_swap(3, 0), std::nullopt);
    EXPECT_EQ(f->decode_swap(3, 0x1001), std::nullopt);  // present
    EXPECT_EQ(f->geometry().swap_payload_bits, 62);
}

TEST(X86_64, OptionsAndUnknownNames) {
    PagingOptions o;
    o.va_bits = 39;
    auto bad = make_paging_format("x86-64-4level", o);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("va_bits"), std::string::npos);
    o.va_bits = 48;
    EXPECT_TRUE(make_paging_format("x86-64-4level", o).has_value());
    o.ad_mode = AdMode::Fault;
    EXPECT_FALSE(make_paging_format("x86-64-4level", o).has_value());
    auto typo = make_paging_format("x86-64-4levle");
    ASSERT_FALSE(typo);
    EXPECT_NE(typo.error().message.find("did you mean 'x86-64-4level'"), std::string::npos) << typo.error().message;
}

TEST(PermString, Format) {
    EXPECT_EQ(perm_string(kPermAll), "U:rwx K:rwx");
    EXPECT_EQ(perm_string(0), "U:--- K:---");
    EXPECT_EQ(perm_string(kPermUR | kPermKW), "U:r-- K:-w-");
}

}  // namespace
