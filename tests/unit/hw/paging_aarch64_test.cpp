// VMSAv8-64 stage-1 descriptors and VA splits, computed by hand from the Arm ARM (D5).
#include <gtest/gtest.h>

#include "hw/paging/format_factories.hpp"
#include "support/format_walk_env.hpp"
#include "vmlab/config/config.hpp"

using namespace vmlab;

namespace {

std::unique_ptr<PagingFormat> make(unsigned granule, unsigned va = 0, AdMode ad = AdMode::Hardware) {
    auto r = paging::make_aarch64(granule, PagingOptions{va, ad});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().str());
    return std::move(r).value();
}

struct LevelShape {
    unsigned shift, bits;
    bool leaf;
    const char* name;
};

void expect_levels(const PagingFormat& f, std::initializer_list<LevelShape> want) {
    const auto& g = f.geometry();
    ASSERT_EQ(g.depth(), want.size()) << g.name;
    unsigned i = 0;
    for (const auto& w : want) {
        const auto& l = g.levels[i];
        EXPECT_EQ(l.shift, w.shift) << g.name << " level " << i;
        EXPECT_EQ(l.bits, w.bits) << g.name << " level " << i;
        EXPECT_EQ(l.leaf_allowed, w.leaf) << g.name << " level " << i;
        EXPECT_STREQ(l.name, w.name) << g.name << " level " << i;
        EXPECT_EQ(l.entry_bytes, 8u);
        ++i;
    }
}

LeafAttrs attrs(Prot p, bool accessed = true, bool dirty = true, bool global = false, std::uint8_t cache = 0) {
    LeafAttrs a;
    a.prot = p;
    a.accessed = accessed;
    a.dirty = dirty;
    a.global = global;
    a.cache = cache;
    return a;
}

constexpr Prot kUserRW{true, true, false, true};
constexpr Prot kUserRO{true, false, false, true};
constexpr Prot kUserRX{true, false, true, true};
constexpr Prot kKernRWX{true, true, true, false};

}  // namespace

TEST(PagingAarch64, Granule4kLevels) {
    expect_levels(*make(12), {{39, 9, false, "L0"}, {30, 9, true, "L1"}, {21, 9, true, "L2"}, {12, 9, true, "L3"}});
    // T0SZ = 25: the walk starts at L1 with a full 512-entry table.
    expect_levels(*make(12, 39), {{30, 9, true, "L1"}, {21, 9, true, "L2"}, {12, 9, true, "L3"}});
    // 42 bits: L0 indexes VA[41:39], an 8-entry (64-byte) root.
    auto f42 = make(12, 42);
    expect_levels(*f42, {{39, 3, false, "L0"}, {30, 9, true, "L1"}, {21, 9, true, "L2"}, {12, 9, true, "L3"}});
    EXPECT_EQ(f42->geometry().root_align_shift, 6);
    EXPECT_EQ(make(12)->geometry().root_align_shift, 12);
    EXPECT_EQ(make(12)->geometry().va_bits, 48);
    EXPECT_EQ(make(12)->geometry().pa_bits, 48);
    EXPECT_EQ(make(12)->name(), "aarch64-4k");
}

TEST(PagingAarch64, Granule16kLevels) {
    // 48 bits: a 2-entry L0 (VA[47]); 32 MiB blocks at L2 only.
    auto f = make(14);
    expect_levels(*f, {{47, 1, false, "L0"}, {36, 11, false, "L1"}, {25, 11, true, "L2"}, {14, 11, true, "L3"}});
    EXPECT_EQ(f->geometry().root_align_shift, 6);  // 16-byte table, 64-byte aligned
    EXPECT_EQ(f->name(), "aarch64-16k");
    // 47 bits: the walk starts at L1 with a full 2048-entry table (3 levels).
    expect_levels(*make(14, 47), {{36, 11, false, "L1"}, {25, 11, true, "L2"}, {14, 11, true, "L3"}});
    EXPECT_EQ(make(14, 47)->geometry().root_align_shift, 14);
    // 36 bits: 2 levels.
    expect_levels(*make(14, 36), {{25, 11, true, "L2"}, {14, 11, true, "L3"}});
}

TEST(PagingAarch64, Granule64kLevels) {
    auto f = make(16);
    expect_levels(*f, {{42, 6, false, "L1"}, {29, 13, true, "L2"}, {16, 13, true, "L3"}});
    EXPECT_EQ(f->geometry().root_align_shift, 9);  // 64 entries * 8 bytes
    EXPECT_EQ(f->name(), "aarch64-64k");
    expect_levels(*make(16, 42), {{29, 13, true, "L2"}, {16, 13, true, "L3"}});
    // 25 bits (T0SZ = 39) starts at L3.
    expect_levels(*make(16, 25), {{16, 9, true, "L3"}});
}

TEST(PagingAarch64, VaBitsOutOfRange) {
    for (unsigned va : {24u, 49u, 52u, 64u}) {
        auto r = paging::make_aarch64(12, PagingOptions{va, AdMode::Hardware});
        ASSERT_FALSE(r.has_value()) << va;
        EXPECT_NE(r.error().message.find("va_bits"), std::string::npos);
    }
}

TEST(PagingAarch64, VaSplit4k) {
    auto f = make(12);
    const auto& g = f->geometry();
    // VA = L0 1 | L1 2 | L2 3 | L3 4 | offset 0x567
    const VirtAddr va{(1ull << 39) | (2ull << 30) | (3ull << 21) | (4ull << 12) | 0x567};
    EXPECT_EQ(va.value, 0x0000008080604567ull);
    EXPECT_EQ(g.index(0, va), 1u);
    EXPECT_EQ(g.index(1, va), 2u);
    EXPECT_EQ(g.index(2, va), 3u);
    EXPECT_EQ(g.index(3, va), 4u);
    // The top of the user range: every index is 511.
    const VirtAddr top{0x0000ffffffffffffull};
    for (unsigned l = 0; l < 4; ++l) EXPECT_EQ(g.index(l, top), 511u);
}

TEST(PagingAarch64, VaSplit16kAnd64k) {
    auto f16 = make(14);
    const VirtAddr va{0x0000800000000000ull | (0x7ffull << 36) | (0x123ull << 25) | (0x456ull << 14) | 0x1abc};
    const auto& g16 = f16->geometry();
    EXPECT_EQ(g16.index(0, va), 1u);  // VA[47]
    EXPECT_EQ(g16.index(1, va), 0x7ffu);
    EXPECT_EQ(g16.index(2, va), 0x123u);
    EXPECT_EQ(g16.index(3, va), 0x456u);

    auto f64 = make(16, 42);
    const auto& g64 = f64->geometry();
    const VirtAddr v{0x3ffffffffffull};  // the last byte of a 42-bit space
    EXPECT_EQ(g64.index(0, v), 0x1fffu);
    EXPECT_EQ(g64.index(1, v), 0x1fffu);
    EXPECT_EQ(v.offset_in(kPage64K), 0xffffu);
}

TEST(PagingAarch64, CanonicalIsTheTtbr0Range) {
    auto f = make(12);
    EXPECT_TRUE(f->canonical(VirtAddr{0}));
    EXPECT_TRUE(f->canonical(VirtAddr{0x0000ffffffffffffull}));
    EXPECT_FALSE(f->canonical(VirtAddr{0x0001000000000000ull}));
    EXPECT_FALSE(f->canonical(VirtAddr{0xffff000000000000ull}));  // TTBR1: another table
    EXPECT_FALSE(f->canonical(VirtAddr{0x8000000000000000ull}));
    EXPECT_FALSE(f->geometry().sign_extended);
    EXPECT_EQ(f->geometry().kernel_base, 0xffff000000000000ull);

    auto f39 = make(12, 39);
    EXPECT_TRUE(f39->canonical(VirtAddr{0x7fffffffffull}));
    EXPECT_FALSE(f39->canonical(VirtAddr{0x8000000000ull}));
    EXPECT_EQ(f39->geometry().kernel_base, 0xffffff8000000000ull);
}

TEST(PagingAarch64, EncodeUserPage) {
    auto f = make(12);
    // Page descriptor (0b11) | AP[2:1]=01 (bit 6) | SH=11 (0x300) | AF (0x400) | nG (0x800)
    // | OA 0x40001000 | DBM (bit 51) | PXN (bit 53) | UXN (bit 54).
    EXPECT_EQ(f->encode_leaf(3, PhysAddr{0x40001000}, attrs(kUserRW)), 0x0068000040001f43ull);
    // Clean: AP[2] (bit 7) set as well — read-only until the hardware or kernel marks it dirty.
    EXPECT_EQ(f->encode_leaf(3, PhysAddr{0x40001000}, attrs(kUserRW, true, false)), 0x0068000040001fc3ull);
    // Read-only: AP = 11, no DBM.
    EXPECT_EQ(f->encode_leaf(3, PhysAddr{0x40001000}, attrs(kUserRO, true, false)), 0x0060000040001fc3ull);
    // Read-only and dirty: the software dirty bit 55.
    EXPECT_EQ(f->encode_leaf(3, PhysAddr{0x40001000}, attrs(kUserRO, true, true)), 0x00e0000040001fc3ull);
    // User text: UXN clear, PXN set; AF clear; AttrIndx 4 (bits 4:2 = 0x10).
    EXPECT_EQ(f->encode_leaf(3, PhysAddr{0x40001000}, attrs(kUserRX, false, false, false, 4)),
              0x0020000040001bd3ull);
}

TEST(PagingAarch64, EncodeKernelBlocks) {
    auto f = make(12);
    // 2 MiB kernel block at L2: bits[1:0]=01, AP=00, SH=11, AF, global, DBM, UXN (PXN clear).
    EXPECT_EQ(f->encode_leaf(2, PhysAddr{0x80200000}, attrs(kKernRWX, true, true, true)),
              0x0048000080200701ull);
    // 1 GiB block at L1.
    EXPECT_EQ(f->encode_leaf(1, PhysAddr{0xc0000000}, attrs(kKernRWX, true, true, true)),
              0x00480000c0000701ull);
    // 16K granule: 32 MiB block at L2.
    auto f16 = make(14);
    EXPECT_EQ(f16->encode_leaf(2, PhysAddr{0x2000000}, attrs(kKernRWX, true, true, true)), 0x0048000002000701ull);
    // 64K granule: 64 KiB page at L3 (the last vmlab level is 2).
    auto f64 = make(16);
    EXPECT_EQ(f64->encode_leaf(2, PhysAddr{0x10000}, attrs(kUserRW)), 0x0068000000010f43ull);
}

TEST(PagingAarch64, EncodeAndDecodeTable) {
    auto f = make(12);
    EXPECT_EQ(f->encode_table(0, PhysAddr{0x1234000}), 0x1234003ull);
    auto d = f->decode(0, 0x1234003ull);
    EXPECT_EQ(d.kind, EntryKind::Table);
    EXPECT_EQ(d.addr, 0x1234000u);
    EXPECT_EQ(d.allow, kPermAll);
    // Ignored low bits (11:2) do not change the next-table address.
    EXPECT_EQ(f->decode(0, 0x1234ffbull).addr, 0x1234000u);
    // A 16K table address keeps bits [47:14].
    auto f16 = make(14);
    EXPECT_EQ(f16->encode_table(1, PhysAddr{0x8000c000}), 0x8000c003ull);
    EXPECT_EQ(f16->decode(1, 0x8000c003ull).addr, 0x8000c000u);
}

TEST(PagingAarch64, HierarchicalTableControls) {
    auto f = make(12);
    const std::uint64_t t = 0x1234003ull;
    // APTable=01: no EL0 access below.
    EXPECT_EQ(f->decode(0, t | (1ull << 61)).allow, kPermKR | kPermKW | kPermKX);
    // APTable=10: no write access at any EL.
    EXPECT_EQ(f->decode(0, t | (2ull << 61)).allow, kPermUR | kPermUX | kPermKR | kPermKX);
    // APTable=11: both.
    EXPECT_EQ(f->decode(0, t | (3ull << 61)).allow, kPermKR | kPermKX);
    EXPECT_EQ(f->decode(0, t | (1ull << 60)).allow, kPermAll & ~kPermUX);  // UXNTable
    EXPECT_EQ(f->decode(0, t | (1ull << 59)).allow, kPermAll & ~kPermKX);  // PXNTable
}

TEST(PagingAarch64, ApPermissions) {
    auto f = make(12);
    // Page, AF, UXN clear, PXN clear; vary AP[2:1].
    const std::uint64_t base = 0x40001000ull | 0x3 | 0x400;
    EXPECT_EQ(f->decode(3, base | (0u << 6)).allow, kPermKR | kPermKW | kPermKX | kPermUX);
    // AP=01: EL0-writable, hence implicitly PXN.
    EXPECT_EQ(f->decode(3, base | (1u << 6)).allow, kPermKR | kPermKW | kPermUR | kPermUW | kPermUX);
    EXPECT_EQ(f->decode(3, base | (2u << 6)).allow, kPermKR | kPermKX | kPermUX);
    EXPECT_EQ(f->decode(3, base | (3u << 6)).allow, kPermKR | kPermUR | kPermKX | kPermUX);
    // UXN and PXN remove execute.
    EXPECT_EQ(f->decode(3, base | (3u << 6) | (1ull << 54)).allow, kPermKR | kPermUR | kPermKX);
    EXPECT_EQ(f->decode(3, base | (3u << 6) | (1ull << 53)).allow, kPermKR | kPermUR | kPermUX);
}

TEST(PagingAarch64, DecodeLeafFields) {
    auto f = make(12);
    auto d = f->decode(3, 0x0068000040001f43ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.addr, 0x40001000u);
    EXPECT_EQ(d.size, kPage4K);
    EXPECT_EQ(d.allow, kPermUR | kPermUW | kPermKR | kPermKW);
    EXPECT_TRUE(d.accessed);
    EXPECT_TRUE(d.dirty);
    EXPECT_FALSE(d.global);
    EXPECT_TRUE(d.dbm);
    // 2 MiB block: the block base ignores bits [20:12].
    auto b = f->decode(2, 0x0048000080200701ull);
    EXPECT_EQ(b.kind, EntryKind::Leaf);
    EXPECT_EQ(b.addr, 0x80200000u);
    EXPECT_EQ(b.size, kPage2M);
    EXPECT_TRUE(b.global);
    EXPECT_EQ(b.allow, kPermKR | kPermKW | kPermKX);
    auto g = f->decode(1, 0x00480000c0000701ull);
    EXPECT_EQ(g.size, kPage1G);
    EXPECT_EQ(g.addr, 0xc0000000u);
    // AttrIndx and software bits come back.
    LeafAttrs a = attrs(kUserRO, true, false, true, 5);
    a.sw = 3;
    auto r = f->decode(3, f->encode_leaf(3, PhysAddr{0x5000}, a));
    EXPECT_EQ(r.cache, 5);
    EXPECT_EQ(r.sw, 3);
    EXPECT_TRUE(r.global);
    EXPECT_FALSE(r.dirty);
}

TEST(PagingAarch64, ReservedEncodings) {
    auto f = make(12);
    // bits[1:0] = 01 at L3 is reserved.
    EXPECT_EQ(f->decode(3, 0x40001000ull | 0x701).kind, EntryKind::Reserved);
    // No L0 block with the 4K granule.
    EXPECT_EQ(f->decode(0, 0x8000000000ull | 0x701).kind, EntryKind::Reserved);
    // No L1 block with 16K or 64K.
    EXPECT_EQ(make(14)->decode(1, 0x1000000000ull | 0x701).kind, EntryKind::Reserved);
    EXPECT_EQ(make(16)->decode(0, 0x40000000000ull | 0x701).kind, EntryKind::Reserved);
    // Output address above 48 bits.
    auto r = f->decode(3, 0x0001000040001f43ull);
    EXPECT_EQ(r.kind, EntryKind::Reserved);
    EXPECT_NE(std::string(r.reserved_why).find("address size"), std::string::npos);
    EXPECT_EQ(f->decode(0, 0x0008000001234003ull).kind, EntryKind::Reserved);  // table [51:48]
    // Invalid: bit 0 clear, whatever the rest.
    EXPECT_EQ(f->decode(3, 0xfffffffffffffffeull).kind, EntryKind::Invalid);
    EXPECT_EQ(f->decode(3, 0).kind, EntryKind::Invalid);
}

TEST(PagingAarch64, AccessFlag) {
    auto f = make(12, 0, AdMode::Fault);
    const std::uint64_t raw = f->encode_leaf(3, PhysAddr{0x40001000}, attrs(kUserRW, false, true));
    EXPECT_EQ(raw & (1u << 10), 0u);
    EXPECT_FALSE(f->decode(3, raw).accessed);
    const std::uint64_t set = f->set_accessed(3, raw);
    EXPECT_EQ(set, raw | (1u << 10));
    EXPECT_TRUE(f->decode(3, set).accessed);
    EXPECT_EQ(f->clear_accessed(3, set), raw);
    EXPECT_FALSE(f->sets_table_accessed());
}

TEST(PagingAarch64, DbmHardwareDirtyState) {
    auto hw = make(12, 0, AdMode::Hardware);
    auto fault = make(12, 0, AdMode::Fault);
    const std::uint64_t clean = 0x0068000040001fc3ull;  // user RW, DBM, AP[2]=1
    // FEAT_HAFDBS: the write is permitted and the page is not yet dirty.
    auto d = hw->decode(3, clean);
    EXPECT_TRUE(d.dbm);
    EXPECT_FALSE(d.dirty);
    EXPECT_TRUE(d.allow & kPermUW);
    EXPECT_TRUE(d.allow & kPermKW);
    // The hardware marks it dirty by clearing AP[2].
    const std::uint64_t dirty = hw->set_dirty(3, clean);
    EXPECT_EQ(dirty, 0x0068000040001f43ull);
    EXPECT_TRUE(hw->decode(3, dirty).dirty);
    // Cleaning makes it read-only again.
    EXPECT_EQ(hw->clear_dirty(3, dirty), clean);
    // Without hardware dirty management DBM is ignored: the write is a permission fault.
    auto fd = fault->decode(3, clean);
    EXPECT_FALSE(fd.allow & kPermUW);
    EXPECT_FALSE(fd.allow & kPermKW);
    EXPECT_TRUE(fd.allow & kPermUR);
    // A read-only page without DBM is never made writable by set_dirty.
    const std::uint64_t ro = 0x0060000040001fc3ull;
    EXPECT_EQ(hw->set_dirty(3, ro), ro);
    EXPECT_FALSE(hw->decode(3, ro).allow & kPermUW);
    // The software dirty bit of a read-only page is cleared by clear_dirty.
    EXPECT_TRUE(hw->decode(3, 0x00e0000040001fc3ull).dirty);
    EXPECT_EQ(hw->clear_dirty(3, 0x00e0000040001fc3ull), ro);
}

TEST(PagingAarch64, SwapEntries) {
    auto f = make(12);
    EXPECT_EQ(f->geometry().swap_payload_bits, 62);
    for (std::uint64_t p : {0ull, 1ull, 0x123456789ull, (1ull << 62) - 1}) {
        const std::uint64_t raw = f->encode_swap(3, p);
        EXPECT_EQ(raw & 1, 0u);
        EXPECT_EQ(f->decode(3, raw).kind, EntryKind::Invalid);
        ASSERT_TRUE(f->decode_swap(3, raw).has_value());
        EXPECT_EQ(*f->decode_swap(3, raw), p);
    }
    EXPECT_FALSE(f->decode_swap(3, 0).has_value());
    EXPECT_FALSE(f->decode_swap(3, 0x0068000040001f43ull).has_value());
}

TEST(PagingAarch64, Describe) {
    auto f = make(12);
    EXPECT_EQ(f->describe(3, 0x0068000040001f43ull), "PAGE AttrIndx=0 AP=01 SH=IS AF nG DBM PXN UXN");
    EXPECT_EQ(f->describe(2, 0x0048000080200701ull), "BLOCK AttrIndx=0 AP=00 SH=IS AF DBM UXN");
    EXPECT_EQ(f->describe(0, 0x1234003ull | (1ull << 61)), "TABLE APTable=01");
    EXPECT_EQ(f->describe(3, 0), "invalid");
    EXPECT_EQ(f->describe(3, f->encode_swap(3, 0x42)), "invalid swap=0x42");
}

TEST(PagingAarch64, Registered) {
    for (const char* name : {"aarch64-4k", "aarch64-16k", "aarch64-64k"}) {
        auto f = make_paging_format(name);
        ASSERT_TRUE(f.has_value()) << name << ": " << f.error().str();
        EXPECT_EQ((*f)->name(), name);
        EXPECT_EQ((*f)->geometry().va_bits, 48);
        EXPECT_EQ((*f)->geometry().isa, "aarch64");
    }
    auto f39 = make_paging_format("aarch64-4k", PagingOptions{39, AdMode::Fault});
    ASSERT_TRUE(f39.has_value());
    EXPECT_EQ((*f39)->geometry().depth(), 3u);
    EXPECT_EQ((*f39)->ad_mode(), AdMode::Fault);
    auto bad = make_paging_format("aarch64-16k", PagingOptions{52, AdMode::Hardware});
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("va_bits 52"), std::string::npos);
}

// ---- through the hardware walker -------------------------------------------------------

namespace {
constexpr AccessKind R = AccessKind::Read, W = AccessKind::Write, X = AccessKind::Execute;
constexpr Privilege U = Privilege::User, K = Privilege::Kernel;
constexpr std::uint64_t kAF = 1u << 10, kAP2 = 1u << 7;
}  // namespace

TEST(PagingAarch64Walk, AccessFlagFaultWithoutHardwareUpdate) {
    test::FormatWalkEnv e("aarch64-4k", AdMode::Fault);
    const VirtAddr va{0x400000};
    e.map(va, kPage4K, test::leaf(true, false, true, /*accessed=*/false));
    const std::uint64_t before = e.leaf_raw(va);
    auto t = e.mmu().translate(va, R, U);
    EXPECT_EQ(t.fault.kind, FaultKind::AccessFlag);
    EXPECT_EQ(t.fault.level, 3u);
    EXPECT_EQ(e.leaf_raw(va), before);  // the hardware did not touch AF
    // The kernel sets AF; the access now succeeds.
    ASSERT_TRUE(e.pt->protect(va, test::leaf(true, false, true, true)));
    e.mmu().flush_va(va, Asid{1});
    EXPECT_TRUE(e.mmu().translate(va, R, U).ok());
}

TEST(PagingAarch64Walk, HardwareSetsAfAndDbmMakesDirty) {
    test::FormatWalkEnv e("aarch64-4k", AdMode::Hardware);
    const VirtAddr va{0x400000};
    const PhysAddr pa = e.map(va, kPage4K, test::leaf(true, false, true, false, false));
    const std::uint64_t clean = e.leaf_raw(va);
    EXPECT_EQ(clean & (kAF | kAP2 | (1ull << 51)), kAP2 | (1ull << 51));  // DBM, read-only, AF clear
    auto r = e.mmu().translate(va + 0x10, R, U);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.pa.value, pa.value + 0x10);
    EXPECT_EQ(e.leaf_raw(va), clean | kAF);  // AF set, still clean
    ASSERT_TRUE(e.mmu().translate(va + 0x10, W, U).ok());
    EXPECT_EQ(e.leaf_raw(va), (clean | kAF) & ~kAP2);  // AP[2] cleared: dirty
    EXPECT_TRUE(e.pt->test_and_clear_dirty(va));
    EXPECT_EQ(e.leaf_raw(va), clean | kAF);
}

TEST(PagingAarch64Walk, WriteToCleanPageIsAPermissionFaultWithoutHafdbs) {
    test::FormatWalkEnv e("aarch64-4k", AdMode::Fault);
    const VirtAddr va{0x400000};
    e.map(va, kPage4K, test::leaf(true, false, true, true, false));
    const std::uint64_t before = e.leaf_raw(va);
    EXPECT_TRUE(e.mmu().translate(va, R, U).ok());
    auto w = e.mmu().translate(va, W, U);
    EXPECT_EQ(w.fault.kind, FaultKind::Protection);
    EXPECT_EQ(e.leaf_raw(va), before);
}

TEST(PagingAarch64Walk, PermissionsByExceptionLevel) {
    test::FormatWalkEnv e("aarch64-4k", AdMode::Hardware);
    const VirtAddr user{0x400000}, kern{0x800000}, ro{0xc00000};
    e.map(user, kPage4K, test::leaf(true, true, true));    // user rwx: PXN set
    e.map(kern, kPage4K, test::leaf(true, true, false));   // kernel rwx: UXN set
    e.map(ro, kPage4K, test::leaf(false, false, true, true, false));
    EXPECT_TRUE(e.mmu().translate(user, X, U).ok());
    EXPECT_TRUE(e.mmu().translate(user, W, K).ok());        // PAN off
    EXPECT_EQ(e.mmu().translate(user, X, K).fault.kind, FaultKind::Protection);  // PXN
    EXPECT_EQ(e.mmu().translate(kern, R, U).fault.kind, FaultKind::Protection);
    EXPECT_TRUE(e.mmu().translate(kern, X, K).ok());
    EXPECT_EQ(e.mmu().translate(ro, W, U).fault.kind, FaultKind::Protection);
    EXPECT_EQ(e.mmu().translate(ro, W, K).fault.kind, FaultKind::Protection);
    EXPECT_EQ(e.mmu().translate(ro, X, U).fault.kind, FaultKind::Protection);  // UXN
}

TEST(PagingAarch64Walk, WalkLengthsAndBlocks) {
    test::FormatWalkEnv e("aarch64-4k", AdMode::Hardware);
    e.map(VirtAddr{0x400000}, kPage4K, test::leaf(true, false, true));
    auto r0 = e.refs();
    ASSERT_TRUE(e.mmu().translate(VirtAddr{0x400000}, R, U).ok());
    EXPECT_EQ(e.refs() - r0, 4u);  // L0, L1, L2, L3
    const PhysAddr blk = e.map(VirtAddr{0x40000000}, kPage2M, test::leaf(true, false, true));
    r0 = e.refs();
    auto t = e.mmu().translate(VirtAddr{0x40012345}, R, U);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.pa.value, blk.value + 0x12345);
    EXPECT_EQ(t.size, kPage2M);
    EXPECT_EQ(e.refs() - r0, 3u);  // L0, L1, L2 block

    test::FormatWalkEnv e16("aarch64-16k", AdMode::Hardware, 47);
    e16.map(VirtAddr{0x7fff0000c000}, kPage16K, test::leaf(true, false, true));
    ASSERT_TRUE(e16.mmu().translate(VirtAddr{0x7fff0000c123}, R, U).ok());
    EXPECT_EQ(e16.refs(), 3u);  // 47 bits: L1 (2048 entries), L2, L3

    test::FormatWalkEnv e64("aarch64-64k", AdMode::Hardware, 42);
    e64.map(VirtAddr{0x3ff00000000}, kPage64K, test::leaf(true, false, true));
    ASSERT_TRUE(e64.mmu().translate(VirtAddr{0x3ff0000fffe}, R, U).ok());
    EXPECT_EQ(e64.refs(), 2u);  // 42 bits: L2, L3
}

TEST(PagingAarch64Walk, Ttbr1AddressesAndReservedDescriptors) {
    test::FormatWalkEnv e("aarch64-4k", AdMode::Hardware);
    auto t = e.mmu().translate(VirtAddr{0xffff000000001000ull}, R, K);
    EXPECT_EQ(t.fault.kind, FaultKind::NonCanonical);
    const VirtAddr va{0x400000};
    e.map(va, kPage4K, test::leaf(true, false, true));
    // Turn the page descriptor into bits[1:0] = 01 at L3: reserved.
    ASSERT_TRUE(e.pt->write_raw(va, 3, e.leaf_raw(va) & ~std::uint64_t{2}).has_value());
    e.mmu().flush_all();
    auto r = e.mmu().translate(va, R, U);
    EXPECT_EQ(r.fault.kind, FaultKind::ReservedBit);
    EXPECT_EQ(r.fault.level, 3u);
}

// The presets that use these formats build a machine.
TEST(PagingAarch64Walk, PresetsBuildMachines) {
    for (const char* name : {"aarch64-4k", "aarch64-16k"}) {
        auto c = load_preset(name);
        ASSERT_TRUE(c.has_value()) << name;
        auto m = Machine::create(c->machine);
        EXPECT_TRUE(m.has_value()) << name << ": " << (m ? "" : m.error().str());
    }
}
