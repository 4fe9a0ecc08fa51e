// x86 32-bit paging (SDM Vol. 3A §4.3) and PAE paging (§4.4): values computed by hand
// from the entry tables of the manual.
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

LeafAttrs attrs(bool write, bool exec, bool user, bool ad = false) {
    LeafAttrs a;
    a.prot = Prot{true, write, exec, user};
    a.accessed = a.dirty = ad;
    return a;
}

TEST(I386, Geometry) {
    const auto f = fmt("i386");
    const auto& g = f->geometry();
    EXPECT_EQ(g.depth(), 2u);
    EXPECT_EQ(g.levels[0].entry_bytes, 4);
    EXPECT_EQ(g.levels[0].table_bytes(), 4096u);
    EXPECT_EQ(g.kernel_base, 0xC0000000u);
    EXPECT_EQ(g.page_sizes(), (std::vector<PageSize>{kPage4K, kPage4M}));
}

TEST(I386, VaSplitAndCanonical) {
    const auto f = fmt("i386");
    const VirtAddr va{0xC0101234};
    EXPECT_EQ(f->geometry().index(0, va), 768u);  // 0xC0101234 >> 22 = 0x300
    EXPECT_EQ(f->geometry().index(1, va), 257u);  // bits 21:12 = 0x101
    EXPECT_TRUE(f->canonical(VirtAddr{0}));
    EXPECT_TRUE(f->canonical(VirtAddr{0xffffffff}));
    EXPECT_FALSE(f->canonical(VirtAddr{0x100000000ull}));
}

TEST(I386, Entries) {
    const auto f = fmt("i386");
    // PTE: user RW page, A D; no XD bit exists.
    EXPECT_EQ(f->encode_leaf(1, PhysAddr{0x12345000}, attrs(true, false, true, true)), 0x12345067u);
    // 4 MiB kernel page, RW, global, A D: PS = bit 7.
    LeafAttrs k = attrs(true, true, false, true);
    k.global = true;
    EXPECT_EQ(f->encode_leaf(0, PhysAddr{0x00400000}, k), 0x004001e3u);
    EXPECT_EQ(f->encode_table(0, PhysAddr{0x5000}), 0x5007u);
    DecodedEntry d = f->decode(1, 0x12345067);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.addr, 0x12345000u);
    EXPECT_EQ(perm_string(d.allow), "U:rwx K:rwx");  // no execute control without NX
    d = f->decode(0, 0x004001e3);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.size, kPage4M);
    EXPECT_EQ(d.addr, 0x400000u);
    EXPECT_TRUE(d.global);
    d = f->decode(1, 0x1001);
    EXPECT_EQ(perm_string(d.allow), "U:--- K:r-x");
    EXPECT_EQ(f->decode(0, 0x5007).kind, EntryKind::Table);
    EXPECT_EQ(f->decode(0, 0x5007).addr, 0x5000u);
}

TEST(I386, ReservedBitsOfA4MiBPage) {
    const auto f = fmt("i386");
    // Without PSE-36 (MAXPHYADDR = 32), bits 21:13 of a PS = 1 PDE are reserved.
    EXPECT_EQ(f->decode(0, 0x00402083).kind, EntryKind::Reserved);  // bit 13
    EXPECT_EQ(f->decode(0, 0x00500083).kind, EntryKind::Reserved);  // bit 20
    EXPECT_EQ(f->decode(0, 0x00600083).kind, EntryKind::Reserved);  // bit 21
    const DecodedEntry pat = f->decode(0, 0x00401083);              // bit 12 = PAT
    EXPECT_EQ(pat.kind, EntryKind::Leaf);
    EXPECT_EQ(pat.cache, 4);
    EXPECT_EQ(pat.addr, 0x400000u);
    // Bit 7 of a PTE is PAT, not PS.
    EXPECT_EQ(f->decode(1, 0x00402083).kind, EntryKind::Leaf);
}

TEST(I386, SwapEntries) {
    const auto f = fmt("i386");
    EXPECT_EQ(f->geometry().swap_payload_bits, 30);
    EXPECT_EQ(f->encode_swap(1, 0x3fffffff), 0xfffffffeu);
    EXPECT_EQ(f->decode_swap(1, 0xfffffffe), 0x3fffffffu);
    EXPECT_EQ(f->decode(1, 0xfffffffe).kind, EntryKind::Invalid);
}

TEST(I386Pae, Geometry) {
    const auto f = fmt("i386-pae");
    const auto& g = f->geometry();
    EXPECT_EQ(g.depth(), 3u);
    EXPECT_EQ(g.levels[0].table_bytes(), 32u);  // 4 PDPTEs
    EXPECT_EQ(g.root_align_shift, 5);
    EXPECT_EQ(g.page_sizes(), (std::vector<PageSize>{kPage4K, kPage2M}));
    const VirtAddr va{0xC0201234};
    EXPECT_EQ(g.index(0, va), 3u);  // bits 31:30
    EXPECT_EQ(g.index(1, va), 1u);  // bits 29:21
    EXPECT_EQ(g.index(2, va), 1u);  // bits 20:12
}

TEST(I386Pae, PdpteHasOnlyPresentAndCacheBits) {
    const auto f = fmt("i386-pae");
    EXPECT_EQ(f->encode_table(0, PhysAddr{0x5000}), 0x5001u);
    EXPECT_EQ(f->encode_table(1, PhysAddr{0x6000}), 0x6007u);
    DecodedEntry d = f->decode(0, 0x5019);  // P PWT PCD
    EXPECT_EQ(d.kind, EntryKind::Table);
    EXPECT_EQ(d.addr, 0x5000u);
    EXPECT_EQ(d.cache, 3);
    EXPECT_EQ(d.allow, kPermAll);
    EXPECT_EQ(f->decode(0, 0x5003).kind, EntryKind::Reserved);                 // bit 1 (R/W)
    EXPECT_EQ(f->decode(0, 0x5005).kind, EntryKind::Reserved);                 // bit 2 (U/S)
    EXPECT_EQ(f->decode(0, 0x5021).kind, EntryKind::Reserved);                 // bit 5 (A)
    EXPECT_EQ(f->decode(0, 0x5101).kind, EntryKind::Reserved);                 // bit 8
    EXPECT_EQ(f->decode(0, 0x8000000000005001ull).kind, EntryKind::Reserved);  // bit 63 (no XD)
    EXPECT_EQ(f->decode(0, 0x5201).kind, EntryKind::Table);                    // bit 9 ignored
    // Hardware never sets A in a PDPTE.
    EXPECT_EQ(f->set_accessed(0, 0x5001), 0x5001u);
    EXPECT_EQ(f->set_accessed(1, 0x6007), 0x6027u);
}

TEST(I386Pae, PdeAndPte) {
    const auto f = fmt("i386-pae");
    // 2 MiB user RW NX page, A D: P RW US A D PS = 0xe7, XD = bit 63.
    EXPECT_EQ(f->encode_leaf(1, PhysAddr{0x200000}, attrs(true, false, true, true)), 0x80000000002000e7ull);
    // A 4 KiB page above 4 GiB is reachable (MAXPHYADDR 52).
    EXPECT_EQ(f->encode_leaf(2, PhysAddr{0x123456789000ull}, attrs(false, true, true)), 0x123456789005ull);
    DecodedEntry d = f->decode(1, 0x80000000002000e7ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.size, kPage2M);
    EXPECT_EQ(perm_string(d.allow), "U:rw- K:rw-");
    EXPECT_EQ(f->decode(1, 0x200000 | 0x4000 | 0x83).kind, EntryKind::Reserved);  // bits 20:13
    EXPECT_EQ(f->describe(1, 0x80000000002000e7ull), "P RW US A D PS NX");
}

TEST(I386Pae, PageTableUsesAFrameForThePdpt) {
    auto f = fmt("i386-pae");
    PhysMemConfig c;
    c.bytes = 16 << 20;
    PhysMem mem(c);
    auto pt = std::move(*PageTable::create(*f, mem));
    EXPECT_EQ(pt->stats().table_frames, 1u);
    LeafAttrs a = attrs(true, false, true);
    ASSERT_TRUE(pt->map(VirtAddr{0xC0201000}, PhysAddr{0x7000}, kPage4K, a).has_value());
    EXPECT_EQ(pt->stats().table_frames, 3u);
    // PDPT[3] -> PD[1] -> PT[1].
    const std::uint64_t pdpte = mem.read_uint(pt->root() + 3 * 8, 8);
    EXPECT_EQ(pdpte & 0xfff, 0x001u);
    const std::uint64_t pde = mem.read_uint(PhysAddr{(pdpte & ~0xfffull) + 1 * 8}, 8);
    EXPECT_EQ(pde & 0xfff, 0x007u);
    const std::uint64_t pte = mem.read_uint(PhysAddr{(pde & ~0xfffull) + 1 * 8}, 8);
    EXPECT_EQ(pte, 0x8000000000007007ull);
    EXPECT_TRUE(pt->query(VirtAddr{0xC0201fff}).present);
}

TEST(I386, TablesStayBelowFourGiB) {
    // 32-bit entries cannot point above 4 GiB: with 8 GiB of RAM in a DMA32/Normal
    // layout, tables come from below 4 GiB.
    auto f = fmt("i386");
    PhysMemConfig c;
    c.bytes = std::uint64_t{8} << 30;
    c.zones = {{"DMA32", std::uint64_t{4} << 30}, {"Normal", 0}};
    PhysMem mem(c);
    auto pt = std::move(*PageTable::create(*f, mem));
    EXPECT_LT(pt->root().value, std::uint64_t{4} << 30);
    ASSERT_TRUE(pt->map(VirtAddr{0x1000}, PhysAddr{0x1000}, kPage4K, attrs(true, true, true)).has_value());
    EXPECT_FALSE(pt->map(VirtAddr{0x2000}, PhysAddr{std::uint64_t{4} << 30}, kPage4K, attrs(true, true, true)));
}

TEST(PagingRegistry, X86FormatsAreRegistered) {
    for (const char* n : {"x86-64-4level", "x86-64-5level", "i386", "i386-pae"})
        EXPECT_NE(paging_formats().find(n), nullptr) << n;
}

}  // namespace
