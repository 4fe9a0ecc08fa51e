// RISC-V Sv32/Sv39/Sv48/Sv57 PTEs and VA splits, computed by hand from the Privileged
// Architecture manual ("Supervisor-Level ISA", the Sv* sections).
#include <gtest/gtest.h>

#include "hw/paging/format_factories.hpp"
#include "support/format_walk_env.hpp"
#include "vmlab/config/config.hpp"

using namespace vmlab;

namespace {

std::unique_ptr<PagingFormat> make(unsigned mode, AdMode ad = AdMode::Hardware) {
    auto r = paging::make_riscv(mode, PagingOptions{0, ad});
    EXPECT_TRUE(r.has_value());
    return std::move(r).value();
}

LeafAttrs attrs(Prot p, bool accessed = true, bool dirty = true, bool global = false) {
    LeafAttrs a;
    a.prot = p;
    a.accessed = accessed;
    a.dirty = dirty;
    a.global = global;
    return a;
}

constexpr Prot kUserRW{true, true, false, true};
constexpr Prot kKernRWX{true, true, true, false};
constexpr Prot kUserXOnly{false, false, true, true};

}  // namespace

TEST(PagingRiscv, Geometry) {
    auto sv32 = make(32);
    const auto& g32 = sv32->geometry();
    ASSERT_EQ(g32.depth(), 2u);
    EXPECT_EQ(g32.levels[0].shift, 22);
    EXPECT_EQ(g32.levels[0].bits, 10);
    EXPECT_EQ(g32.levels[1].shift, 12);
    EXPECT_EQ(g32.levels[0].entry_bytes, 4);
    EXPECT_EQ(g32.levels[0].table_bytes(), 4096u);
    EXPECT_STREQ(g32.levels[0].name, "VPN[1]");
    EXPECT_EQ(g32.pa_bits, 34);
    EXPECT_EQ(g32.va_bits, 32);
    EXPECT_EQ(sv32->name(), "riscv-sv32");

    const unsigned modes[] = {39, 48, 57};
    for (unsigned m : modes) {
        auto f = make(m);
        const auto& g = f->geometry();
        ASSERT_EQ(g.depth(), (m - 12) / 9);
        for (unsigned l = 0; l < g.depth(); ++l) {
            EXPECT_EQ(g.levels[l].shift, 12 + 9 * (g.depth() - 1 - l));
            EXPECT_EQ(g.levels[l].bits, 9);
            EXPECT_EQ(g.levels[l].entry_bytes, 8);
            EXPECT_TRUE(g.levels[l].leaf_allowed);  // any level may hold a leaf
        }
        EXPECT_EQ(g.pa_bits, 56);
        EXPECT_TRUE(g.sign_extended);
        EXPECT_EQ(f->name(), "riscv-sv" + std::to_string(m));
    }
    EXPECT_STREQ(make(57)->geometry().levels[0].name, "VPN[4]");
}

TEST(PagingRiscv, VaBitsMustMatchMode) {
    EXPECT_TRUE(paging::make_riscv(39, PagingOptions{39, AdMode::Fault}).has_value());
    auto r = paging::make_riscv(39, PagingOptions{48, AdMode::Fault});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("va_bits 48"), std::string::npos);
}

TEST(PagingRiscv, VaSplit) {
    auto sv39 = make(39);
    const auto& g = sv39->geometry();
    const VirtAddr va{0x40403456};  // VPN[2]=1, VPN[1]=2, VPN[0]=3, offset 0x456
    EXPECT_EQ(g.index(0, va), 1u);
    EXPECT_EQ(g.index(1, va), 2u);
    EXPECT_EQ(g.index(2, va), 3u);
    EXPECT_EQ(va.offset_in(kPage4K), 0x456u);
    // The bottom of the upper half: VPN[2] = 256.
    EXPECT_EQ(g.index(0, VirtAddr{0xffffffc000000000ull}), 256u);

    auto sv32 = make(32);
    const VirtAddr v32{0xc0403456};  // VPN[1] = 0x301, VPN[0] = 0x003
    EXPECT_EQ(sv32->geometry().index(0, v32), 0x301u);
    EXPECT_EQ(sv32->geometry().index(1, v32), 0x003u);

    auto sv57 = make(57);
    const VirtAddr v57{0x00ff000000000000ull};  // VA[56:48] = 0xff
    EXPECT_EQ(sv57->geometry().index(0, v57), 0xffu);
    EXPECT_EQ(sv57->geometry().index(1, v57), 0u);
}

TEST(PagingRiscv, Canonical) {
    auto sv39 = make(39);
    EXPECT_TRUE(sv39->canonical(VirtAddr{0x0000003fffffffffull}));
    EXPECT_FALSE(sv39->canonical(VirtAddr{0x0000004000000000ull}));  // bit 38 set, 63..39 clear
    EXPECT_TRUE(sv39->canonical(VirtAddr{0xffffffc000000000ull}));
    EXPECT_FALSE(sv39->canonical(VirtAddr{0xffffffbfffffffffull}));
    EXPECT_FALSE(sv39->canonical(VirtAddr{0x8000000000000000ull}));
    EXPECT_EQ(sv39->geometry().kernel_base, 0xffffffc000000000ull);

    auto sv48 = make(48);
    EXPECT_TRUE(sv48->canonical(VirtAddr{0x00007fffffffffffull}));
    EXPECT_FALSE(sv48->canonical(VirtAddr{0x0000800000000000ull}));
    EXPECT_TRUE(sv48->canonical(VirtAddr{0xffff800000000000ull}));
    EXPECT_EQ(sv48->geometry().kernel_base, 0xffff800000000000ull);

    auto sv57 = make(57);
    EXPECT_TRUE(sv57->canonical(VirtAddr{0x00ffffffffffffffull}));
    EXPECT_FALSE(sv57->canonical(VirtAddr{0x0100000000000000ull}));
    EXPECT_TRUE(sv57->canonical(VirtAddr{0xff00000000000000ull}));
    EXPECT_EQ(sv57->geometry().kernel_base, 0xff00000000000000ull);

    auto sv32 = make(32);
    EXPECT_TRUE(sv32->canonical(VirtAddr{0xffffffffull}));
    EXPECT_FALSE(sv32->canonical(VirtAddr{0x100000000ull}));
    EXPECT_EQ(sv32->geometry().kernel_base, 0xc0000000ull);
}

TEST(PagingRiscv, EncodeLeaves) {
    auto sv39 = make(39);
    // User 4 KiB page at PA 0x87654000: PPN 0x87654 << 10, V R W U A D.
    EXPECT_EQ(sv39->encode_leaf(2, PhysAddr{0x87654000}, attrs(kUserRW)), 0x21d950d7ull);
    // Kernel 2 MiB megapage at PA 0x80200000: V R W X G A D.
    EXPECT_EQ(sv39->encode_leaf(1, PhysAddr{0x80200000}, attrs(kKernRWX, true, true, true)), 0x200800efull);
    // 1 GiB gigapage at PA 0x80000000, clean and not accessed.
    EXPECT_EQ(sv39->encode_leaf(0, PhysAddr{0x80000000}, attrs(kKernRWX, false, false)), 0x2000000full);
    // Execute-only user page.
    EXPECT_EQ(sv39->encode_leaf(2, PhysAddr{0x1000}, attrs(kUserXOnly, true, false)), 0x0000000000000459ull);
    // Write implies read (W without R is reserved).
    EXPECT_EQ(sv39->encode_leaf(2, PhysAddr{0x1000}, attrs(Prot{false, true, false, true})) & 0x6, 0x6u);
    // RSW and PBMT (IO = 2 in bits 62:61).
    LeafAttrs io = attrs(kKernRWX);
    io.cache = 2;
    io.sw = 1;
    EXPECT_EQ(sv39->encode_leaf(2, PhysAddr{0x10000000}, io), 0x40000000040001cfull);

    auto sv32 = make(32);
    // 34-bit PA 0x300001000: PPN 0x300001 << 10 = 0xc0000400.
    EXPECT_EQ(sv32->encode_leaf(1, PhysAddr{0x300001000ull}, attrs(kUserRW)), 0xc00004d7ull);
    // 4 MiB megapage at PA 0x00400000: PPN 0x400 << 10.
    EXPECT_EQ(sv32->encode_leaf(0, PhysAddr{0x400000}, attrs(kKernRWX)), 0x001000cfull);
}

TEST(PagingRiscv, EncodeAndDecodePointer) {
    auto sv39 = make(39);
    EXPECT_EQ(sv39->encode_table(0, PhysAddr{0x80001000}), 0x20000401ull);
    auto d = sv39->decode(0, 0x20000401ull);
    EXPECT_EQ(d.kind, EntryKind::Table);
    EXPECT_EQ(d.addr, 0x80001000u);
    EXPECT_EQ(d.allow, kPermAll);
    // G in a pointer is legal (the subtree is global).
    EXPECT_EQ(sv39->decode(0, 0x20000421ull).kind, EntryKind::Table);
}

TEST(PagingRiscv, DecodeLeaves) {
    auto sv39 = make(39);
    auto d = sv39->decode(2, 0x21d950d7ull);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.addr, 0x87654000u);
    EXPECT_EQ(d.size, kPage4K);
    EXPECT_EQ(d.allow, kPermUR | kPermUW);  // SUM = 0: the kernel may not touch U pages
    EXPECT_TRUE(d.accessed);
    EXPECT_TRUE(d.dirty);
    EXPECT_FALSE(d.global);
    auto m = sv39->decode(1, 0x200800efull);
    EXPECT_EQ(m.size, kPage2M);
    EXPECT_EQ(m.addr, 0x80200000u);
    EXPECT_EQ(m.allow, kPermKR | kPermKW | kPermKX);
    EXPECT_TRUE(m.global);
    auto gp = sv39->decode(0, 0x2000000full);
    EXPECT_EQ(gp.size, kPage1G);
    EXPECT_FALSE(gp.accessed);
    EXPECT_FALSE(gp.dirty);
    // Execute-only: not readable (MXR = 0).
    EXPECT_EQ(sv39->decode(2, 0x459ull).allow, kPermUX);
    // PBMT and RSW come back.
    auto io = sv39->decode(2, 0x40000000040001cfull);
    EXPECT_EQ(io.cache, 2);
    EXPECT_EQ(io.sw, 1);
    // Sv48 terapage and Sv32 megapage.
    auto t = make(48)->decode(0, (std::uint64_t{0x8000000000} >> 12 << 10) | 0xcf);
    EXPECT_EQ(t.kind, EntryKind::Leaf);
    EXPECT_EQ(t.size.shift, 39);
    EXPECT_EQ(t.addr, 0x8000000000ull);
    auto mp = make(32)->decode(0, 0x001000cfull);
    EXPECT_EQ(mp.size, kPage4M);
    EXPECT_EQ(mp.addr, 0x400000u);
    EXPECT_EQ(make(32)->decode(1, 0xc00004d7ull).addr, 0x300001000ull);
}

TEST(PagingRiscv, ReservedEncodings) {
    auto sv39 = make(39);
    auto expect_reserved = [&](unsigned level, std::uint64_t raw, const char* what) {
        auto d = sv39->decode(level, raw);
        EXPECT_EQ(d.kind, EntryKind::Reserved) << what;
        EXPECT_NE(d.reserved_why, nullptr) << what;
    };
    expect_reserved(2, 0x1005, "W without R");
    expect_reserved(2, 0x100d, "W X without R");
    expect_reserved(0, 0x20000441ull, "A in a pointer");
    expect_reserved(0, 0x20000481ull, "D in a pointer");
    expect_reserved(0, 0x20000411ull, "U in a pointer");
    expect_reserved(0, 0x20000401ull | (1ull << 61), "PBMT in a pointer");
    expect_reserved(2, 0x21d950d7ull | (1ull << 54), "bit 54");
    expect_reserved(2, 0x21d950d7ull | (1ull << 60), "bit 60");
    expect_reserved(2, 0x21d950d7ull | (1ull << 63), "N without Svnapot");
    expect_reserved(2, 0x21d950d7ull | (3ull << 61), "PBMT=3");
    expect_reserved(2, 0x20000401ull, "pointer at the last level");
    // Misaligned superpages: a megapage with PPN[0] != 0, a gigapage with PPN[1] != 0.
    expect_reserved(1, (0x80201ull << 10) | 0xcf, "misaligned megapage");
    expect_reserved(0, (0x80200ull << 10) | 0xcf, "misaligned gigapage");
    // Sv32 has no reserved high bits: bit 31 is PPN[1]'s top bit.
    EXPECT_EQ(make(32)->decode(1, 0x800000cfull).kind, EntryKind::Leaf);
    EXPECT_EQ(make(32)->decode(0, (0x401ull << 10) | 0xcf).kind, EntryKind::Reserved);
    // V = 0: invalid, whatever the other bits say.
    EXPECT_EQ(sv39->decode(2, 0xfffffffffffffffeull).kind, EntryKind::Invalid);
}

TEST(PagingRiscv, AccessedDirty) {
    auto f = make(39, AdMode::Fault);
    const std::uint64_t raw = f->encode_leaf(2, PhysAddr{0x87654000}, attrs(kUserRW, false, false));
    EXPECT_EQ(raw, 0x21d95017ull);
    EXPECT_EQ(f->set_accessed(2, raw), raw | 0x40);
    EXPECT_EQ(f->set_dirty(2, raw), raw | 0x80);
    EXPECT_EQ(f->clear_accessed(2, 0x21d950d7ull), 0x21d95097ull);
    EXPECT_EQ(f->clear_dirty(2, 0x21d950d7ull), 0x21d95057ull);
    EXPECT_FALSE(f->sets_table_accessed());
    EXPECT_EQ(f->ad_mode(), AdMode::Fault);
}

TEST(PagingRiscv, SwapEntries) {
    auto sv32 = make(32);
    auto sv39 = make(39);
    EXPECT_EQ(sv32->geometry().swap_payload_bits, 30);
    EXPECT_EQ(sv39->geometry().swap_payload_bits, 62);
    for (std::uint64_t p : {0ull, 7ull, (1ull << 30) - 1}) {
        const std::uint64_t raw = sv32->encode_swap(1, p);
        EXPECT_LT(raw, 1ull << 32);
        EXPECT_EQ(sv32->decode(1, raw).kind, EntryKind::Invalid);
        EXPECT_EQ(sv32->decode_swap(1, raw), p);
    }
    EXPECT_EQ(sv39->decode_swap(2, sv39->encode_swap(2, (1ull << 62) - 1)), (1ull << 62) - 1);
    EXPECT_FALSE(sv39->decode_swap(2, 0).has_value());
    EXPECT_FALSE(sv39->decode_swap(2, 0x21d950d7ull).has_value());
}

TEST(PagingRiscv, Describe) {
    auto sv39 = make(39);
    EXPECT_EQ(sv39->describe(2, 0x21d950d7ull), "V R W U A D");
    EXPECT_EQ(sv39->describe(0, 0x20000401ull), "V");
    EXPECT_EQ(sv39->describe(2, 0x40000000040001cfull), "V R W X A D RSW=1 PBMT=IO");
    EXPECT_EQ(sv39->describe(2, 0x1005), "V W (reserved: W=1 with R=0 is reserved)");
    EXPECT_EQ(sv39->describe(2, 0), "invalid");
}

TEST(PagingRiscv, Registered) {
    const std::pair<const char*, unsigned> modes[] = {
        {"riscv-sv32", 32}, {"riscv-sv39", 39}, {"riscv-sv48", 48}, {"riscv-sv57", 57}};
    for (const auto& [name, va] : modes) {
        auto f = make_paging_format(name);
        ASSERT_TRUE(f.has_value()) << name << ": " << f.error().str();
        EXPECT_EQ((*f)->name(), name);
        EXPECT_EQ((*f)->geometry().va_bits, va);
        EXPECT_EQ((*f)->geometry().isa, "riscv");
    }
    EXPECT_EQ((*make_paging_format("riscv-sv39", PagingOptions{0, AdMode::Fault}))->ad_mode(), AdMode::Fault);
    EXPECT_FALSE(make_paging_format("riscv-sv48", PagingOptions{39, AdMode::Hardware}).has_value());
}

// ---- through the hardware walker -------------------------------------------------------

namespace {
constexpr AccessKind R = AccessKind::Read, W = AccessKind::Write, X = AccessKind::Execute;
constexpr Privilege U = Privilege::User, K = Privilege::Kernel;
constexpr std::uint64_t kA = 1u << 6, kD = 1u << 7;
}  // namespace

TEST(PagingRiscvWalk, SvadeFaultsOnAAndD) {
    test::FormatWalkEnv e("riscv-sv39", AdMode::Fault);
    const VirtAddr va{0x10000};
    e.map(va, kPage4K, test::leaf(true, false, true, false, false));
    const std::uint64_t raw = e.leaf_raw(va);
    auto r = e.mmu().translate(va, R, U);
    EXPECT_EQ(r.fault.kind, FaultKind::AccessFlag);
    EXPECT_EQ(r.fault.level, 2u);
    EXPECT_EQ(e.leaf_raw(va), raw);
    // The OS sets A; a read now succeeds, a store faults on D = 0.
    ASSERT_TRUE(e.pt->protect(va, test::leaf(true, false, true, true, false)));
    e.mmu().flush_va(va, Asid{1});
    EXPECT_TRUE(e.mmu().translate(va, R, U).ok());
    EXPECT_EQ(e.mmu().translate(va, W, U).fault.kind, FaultKind::DirtyBit);
    EXPECT_EQ(e.leaf_raw(va), raw | kA);
}

TEST(PagingRiscvWalk, SvaduSetsAAndD) {
    test::FormatWalkEnv e("riscv-sv39", AdMode::Hardware);
    const VirtAddr va{0x10000};
    const PhysAddr pa = e.map(va, kPage4K, test::leaf(true, false, true, false, false));
    const std::uint64_t raw = e.leaf_raw(va);
    auto r = e.mmu().translate(va + 4, R, U);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.pa.value, pa.value + 4);
    EXPECT_EQ(e.leaf_raw(va), raw | kA);
    ASSERT_TRUE(e.mmu().translate(va + 4, W, U).ok());
    EXPECT_EQ(e.leaf_raw(va), raw | kA | kD);
}

TEST(PagingRiscvWalk, SumAndMxrClear) {
    test::FormatWalkEnv e("riscv-sv39", AdMode::Hardware);
    const VirtAddr user{0x10000}, kern{0x20000}, xonly{0x30000};
    e.map(user, kPage4K, test::leaf(true, false, true));
    e.map(kern, kPage4K, test::leaf(true, true, false));
    LeafAttrs x = test::leaf(false, true, true);
    x.prot.read = false;
    e.map(xonly, kPage4K, x);
    EXPECT_TRUE(e.mmu().translate(user, W, U).ok());
    EXPECT_EQ(e.mmu().translate(user, R, K).fault.kind, FaultKind::Protection);  // SUM = 0
    EXPECT_EQ(e.mmu().translate(kern, R, U).fault.kind, FaultKind::Protection);
    EXPECT_TRUE(e.mmu().translate(kern, X, K).ok());
    EXPECT_TRUE(e.mmu().translate(xonly, X, U).ok());
    EXPECT_EQ(e.mmu().translate(xonly, R, U).fault.kind, FaultKind::Protection);  // MXR = 0
}

TEST(PagingRiscvWalk, ReservedEncodingsFault) {
    test::FormatWalkEnv e("riscv-sv39", AdMode::Hardware);
    const VirtAddr va{0x10000};
    e.map(va, kPage4K, test::leaf(true, false, true));
    const std::uint64_t root_entry = e.mem().read_uint(e.pt->root(), 8);
    ASSERT_EQ(root_entry & 0xf, 1u);  // a pointer PTE
    // A in a non-leaf PTE is reserved.
    e.mem().write_uint(e.pt->root(), 8, root_entry | kA);
    e.mmu().flush_all();
    auto t = e.mmu().translate(va, R, U);
    EXPECT_EQ(t.fault.kind, FaultKind::ReservedBit);
    EXPECT_EQ(t.fault.level, 0u);
    e.mem().write_uint(e.pt->root(), 8, root_entry);
    // W without R in the leaf.
    ASSERT_TRUE(e.pt->write_raw(va, 2, (e.leaf_raw(va) & ~std::uint64_t{2}) | 4).has_value());
    e.mmu().flush_all();
    EXPECT_EQ(e.mmu().translate(va, R, U).fault.kind, FaultKind::ReservedBit);
    // A misaligned megapage.
    const VirtAddr mega{0x40000000};
    ASSERT_TRUE(e.pt->write_raw(mega, 1, (std::uint64_t{0x80201} << 10) | 0xdf).has_value());
    EXPECT_EQ(e.mmu().translate(mega, R, U).fault.kind, FaultKind::ReservedBit);
    // Non-canonical.
    EXPECT_EQ(e.mmu().translate(VirtAddr{0x0000004000000000ull}, R, U).fault.kind, FaultKind::NonCanonical);
}

TEST(PagingRiscvWalk, WalkLengths) {
    test::FormatWalkEnv e("riscv-sv39", AdMode::Hardware, 0, std::uint64_t{2} << 30);
    e.map(VirtAddr{0x10000}, kPage4K, test::leaf(true, false, true));
    ASSERT_TRUE(e.mmu().translate(VirtAddr{0x10000}, R, U).ok());
    EXPECT_EQ(e.refs(), 3u);
    const PhysAddr mp = e.map(VirtAddr{0x40000000}, kPage2M, test::leaf(true, false, true));
    auto t = e.mmu().translate(VirtAddr{0x401fffff}, R, U);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.pa.value, mp.value + 0x1fffff);
    EXPECT_EQ(e.refs(), 5u);  // + VPN[2], VPN[1]
    const PhysAddr gp = e.map(VirtAddr{0xffffffc000000000ull}, kPage1G, test::leaf(true, true, false));
    auto g = e.mmu().translate(VirtAddr{0xffffffc012345678ull}, X, K);
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g.pa.value, gp.value + 0x12345678);
    EXPECT_EQ(e.refs(), 6u);  // a gigapage is one read

    test::FormatWalkEnv e32("riscv-sv32", AdMode::Hardware, 0, std::uint64_t{64} << 20);
    e32.map(VirtAddr{0xbfff0000}, kPage4K, test::leaf(true, false, true));
    ASSERT_TRUE(e32.mmu().translate(VirtAddr{0xbfff0fff}, R, U).ok());
    EXPECT_EQ(e32.refs(), 2u);
    e32.map(VirtAddr{0x00400000}, kPage4M, test::leaf(true, false, true));
    ASSERT_TRUE(e32.mmu().translate(VirtAddr{0x00400000}, R, U).ok());
    EXPECT_EQ(e32.refs(), 3u);

    test::FormatWalkEnv e57("riscv-sv57", AdMode::Hardware, 0, std::uint64_t{64} << 20);
    e57.map(VirtAddr{0xff00000000001000ull}, kPage4K, test::leaf(true, false, false));
    ASSERT_TRUE(e57.mmu().translate(VirtAddr{0xff00000000001000ull}, R, K).ok());
    EXPECT_EQ(e57.refs(), 5u);
}

TEST(PagingRiscvWalk, PresetsBuildMachines) {
    for (const char* name : {"riscv-sv39", "riscv-sv48"}) {
        auto c = load_preset(name);
        ASSERT_TRUE(c.has_value()) << name;
        auto m = Machine::create(c->machine);
        EXPECT_TRUE(m.has_value()) << name << ": " << (m ? "" : m.error().str());
    }
}
