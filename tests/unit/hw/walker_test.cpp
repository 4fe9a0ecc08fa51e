// The walker on RISC-V (Svade/Svadu), AArch64 (AF, DBM) and the CS:APP small memory
// system, through the MMU: walk lengths, accessed/dirty handling per ad_mode, and the
// book's worked translations.
#include <gtest/gtest.h>

#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"

using namespace vmlab;

namespace {

constexpr AccessKind R = AccessKind::Read, W = AccessKind::Write;
constexpr Privilege U = Privilege::User;

struct Env {
    std::unique_ptr<Machine> machine;
    std::unique_ptr<PageTable> pt;

    explicit Env(const MachineConfig& cfg) {
        auto m = Machine::create(cfg);
        if (!m) {
            ADD_FAILURE() << m.error().str();
            return;
        }
        machine = std::move(*m);
        auto p = PageTable::create(machine->format(), machine->mem());
        if (!p) ADD_FAILURE() << p.error().str();
        pt = std::move(*p);
        mmu().set_root(pt->root(), Asid{0});
    }
    Mmu& mmu() { return machine->mmu(0); }
    PhysAddr map(VirtAddr va, PageSize size, const LeafAttrs& a) {
        auto pfn = machine->mem().allocator().alloc(size.shift - machine->mem().frame_size().shift);
        EXPECT_TRUE(pfn.has_value());
        const PhysAddr pa = pfn->addr(machine->mem().frame_size());
        auto st = pt->map(va, pa, size, a);
        EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().str());
        return pa;
    }
    std::uint64_t raw(VirtAddr va) { return pt->query(va).raw; }
};

MachineConfig machine(std::string format, AdMode ad, unsigned va_bits = 0, PageSize frame = kPage4K) {
    MachineConfig m;
    m.paging.format = std::move(format);
    m.paging.ad_mode = ad;
    m.paging.va_bits = va_bits;
    m.memory.bytes = std::uint64_t{2} << 30;
    m.memory.frame = frame;
    TlbConfig t;
    t.name = "L1";
    t.kind = TlbKind::Unified;
    t.page_sizes = {frame};
    m.mmu.tlbs = {t};
    return m;
}

LeafAttrs rw(bool accessed, bool dirty) {
    LeafAttrs a;
    a.prot = Prot{true, true, false, true};
    a.accessed = accessed;
    a.dirty = dirty;
    return a;
}

}  // namespace

TEST(Walker, RiscvWalkLengths) {
    // Sv39: 3 levels, Sv48: 4, Sv57: 5 (RISC-V privileged spec 12.4-12.6); a megapage stops
    // one level early and a gigapage two.
    for (auto [name, depth] : {std::pair<const char*, unsigned>{"riscv-sv39", 3}, {"riscv-sv48", 4}, {"riscv-sv57", 5}}) {
        Env e(machine(name, AdMode::Hardware));
        ASSERT_TRUE(e.machine);
        const VirtAddr va{0x3f12345000};
        e.map(va, kPage4K, rw(true, true));
        ASSERT_TRUE(e.mmu().translate(va, R, U).ok()) << name;
        EXPECT_EQ(e.mmu().stats().walk_memory_refs, depth) << name;
        const VirtAddr mega{0x1000000000}, giga{0x2000000000};
        e.map(mega, kPage2M, rw(true, true));
        e.map(giga, kPage1G, rw(true, true));
        ASSERT_TRUE(e.mmu().translate(mega + 0x1234, R, U).ok());
        EXPECT_EQ(e.mmu().stats().walk_memory_refs, depth + depth - 1) << name;
        ASSERT_TRUE(e.mmu().translate(giga + 0x123456, R, U).ok());
        EXPECT_EQ(e.mmu().stats().walk_memory_refs, 3 * depth - 3) << name;
    }
}

TEST(Walker, RiscvSvadeFaultsOnClearAccessedOrDirty) {
    // Svade: "if A = 0, or if the access is a store and D = 0, raise a page-fault exception".
    Env e(machine("riscv-sv39", AdMode::Fault));
    ASSERT_TRUE(e.machine);
    const VirtAddr a{0x10000000}, b{0x10001000};
    e.map(a, kPage4K, rw(false, false));
    e.map(b, kPage4K, rw(true, false));
    const std::uint64_t raw_a = e.raw(a), raw_b = e.raw(b);
    auto t = e.mmu().translate(a, R, U);
    EXPECT_EQ(t.fault.kind, FaultKind::AccessFlag);
    EXPECT_EQ(t.fault.level, 2u);
    EXPECT_EQ(e.raw(a), raw_a);  // nothing written
    ASSERT_TRUE(e.mmu().translate(b, R, U).ok());
    auto w = e.mmu().translate(b, W, U);  // TLB entry is clean: walk again, D = 0 -> fault
    EXPECT_EQ(w.fault.kind, FaultKind::DirtyBit);
    EXPECT_EQ(e.mmu().stats().dirty_rewalks, 1u);
    EXPECT_EQ(e.raw(b), raw_b);
    EXPECT_EQ(e.mmu().stats().ad_updates, 0u);
    // The kernel sets D (and flushes); the store then succeeds.
    ASSERT_TRUE(e.pt->protect(b, rw(true, true)));
    e.mmu().flush_va(b, Asid{0});
    EXPECT_TRUE(e.mmu().translate(b, W, U).ok());
}

TEST(Walker, RiscvSvaduSetsAccessedAndDirty) {
    constexpr std::uint64_t kA = 1u << 6, kD = 1u << 7;
    Env e(machine("riscv-sv39", AdMode::Hardware));
    ASSERT_TRUE(e.machine);
    const VirtAddr a{0x10000000};
    e.map(a, kPage4K, rw(false, false));
    ASSERT_TRUE(e.mmu().translate(a, R, U).ok());
    EXPECT_EQ(e.raw(a) & (kA | kD), kA);
    ASSERT_TRUE(e.mmu().translate(a, W, U).ok());
    EXPECT_EQ(e.raw(a) & (kA | kD), kA | kD);
    // RISC-V non-leaf PTEs have no A bit the hardware sets: only the leaf was written.
    EXPECT_EQ(e.mmu().stats().ad_updates, 2u);
}

TEST(Walker, Aarch64AccessFlagAndDbm) {
    // Descriptor bits (Arm ARM D5): AP[2] = bit 7 (1 = read-only), AF = bit 10, DBM = bit 51.
    constexpr std::uint64_t kAp2 = 1u << 7, kAf = 1u << 10, kDbm = std::uint64_t{1} << 51;
    {
        Env e(machine("aarch64-4k", AdMode::Hardware, 48));
        ASSERT_TRUE(e.machine);
        const VirtAddr va{0x7f0000000000};
        e.map(va, kPage4K, rw(false, false));
        const std::uint64_t before = e.raw(va);
        EXPECT_EQ(before & (kAp2 | kAf | kDbm), kAp2 | kDbm);  // writable-clean: read-only + DBM
        ASSERT_TRUE(e.mmu().translate(va, R, U).ok());
        EXPECT_EQ(e.mmu().stats().walk_memory_refs, 4u);  // L0..L3
        EXPECT_EQ(e.raw(va) & (kAp2 | kAf), kAp2 | kAf);  // AF set by hardware, still clean
        ASSERT_TRUE(e.mmu().translate(va, W, U).ok());     // DBM: hardware clears AP[2]
        EXPECT_EQ(e.raw(va) & (kAp2 | kAf | kDbm), kAf | kDbm);
        // The cached entry was clean: the write walked again (as a dirty or permission re-walk,
        // depending on whether the format reports a DBM-clean page as writable).
        EXPECT_EQ(e.mmu().stats().permission_rewalks + e.mmu().stats().dirty_rewalks, 1u);
        ASSERT_TRUE(e.mmu().translate(va, W, U).ok());  // now a writable TLB entry
        EXPECT_EQ(e.mmu().stats().walks, 2u);
    }
    {
        Env e(machine("aarch64-4k", AdMode::Fault, 39));
        ASSERT_TRUE(e.machine);
        const VirtAddr va{0x40000000};
        e.map(va, kPage4K, rw(false, false));
        auto t = e.mmu().translate(va, R, U);
        EXPECT_EQ(t.fault.kind, FaultKind::AccessFlag);
        EXPECT_EQ(e.mmu().stats().walk_memory_refs, 3u);  // 39-bit VA: L1..L3
        ASSERT_TRUE(e.pt->protect(va, rw(true, false)));
        e.mmu().flush_va(va, Asid{0});
        ASSERT_TRUE(e.mmu().translate(va, R, U).ok());
        // Without hardware dirty-state management DBM is ignored: a permission fault.
        auto w = e.mmu().translate(va, W, U);
        EXPECT_EQ(w.fault.kind, FaultKind::Protection);
    }
}

TEST(Walker, CsappSmallMemorySystem) {
    // CS:APP 3e §9.6.4: 14-bit VA, 12-bit PA, 64-byte pages, a 16-entry 4-way TLB and the
    // page table of Figure 9.20, set up exactly as the book gives them.
    const PageSize p64 = PageSize::from_shift(6);
    MachineConfig cfg;
    cfg.paging.format = "csapp-small";
    cfg.memory.bytes = 4096;
    cfg.memory.frame = p64;
    TlbConfig t;
    t.name = "TLB";
    t.kind = TlbKind::Unified;
    t.page_sizes = {p64};
    t.entries = 16;
    t.ways = 4;
    cfg.mmu.tlbs = {t};
    auto m = Machine::create(cfg);
    ASSERT_TRUE(m.has_value()) << m.error().str();
    Machine& mach = **m;
    auto pt = PageTable::create(mach.format(), mach.mem());
    ASSERT_TRUE(pt.has_value()) << pt.error().str();
    Mmu& mmu = mach.mmu(0);
    mmu.set_root((*pt)->root(), Asid{0});

    const int ppn[16] = {0x28, -1, 0x33, 0x02, -1, 0x16, -1, -1, 0x13, 0x17, 0x09, -1, -1, 0x2d, 0x11, 0x0d};
    LeafAttrs a;
    a.prot = Prot{true, true, false, true};
    a.accessed = a.dirty = true;
    for (unsigned vpn = 0; vpn < 16; ++vpn) {
        if (ppn[vpn] < 0) continue;
        ASSERT_TRUE((*pt)->map(Vpn{vpn}.addr(p64), PhysAddr{std::uint64_t(ppn[vpn]) << 6}, p64, a).has_value());
    }

    struct W { unsigned tag; int ppn; };  // ppn -1: invalid
    const W tlb[4][4] = {{{0x03, -1}, {0x09, 0x0d}, {0x00, -1}, {0x07, 0x02}},
                         {{0x03, 0x2d}, {0x02, -1}, {0x04, -1}, {0x0a, -1}},
                         {{0x02, -1}, {0x08, -1}, {0x06, -1}, {0x03, -1}},
                         {{0x07, -1}, {0x03, 0x0d}, {0x0a, 0x34}, {0x02, -1}}};
    for (int set = 0; set < 4; ++set)
        for (int way = 0; way < 4; ++way) {
            Mmu::TlbEntryInit in;
            in.structure = "TLB";
            in.set = set;
            in.way = way;
            in.tag = tlb[set][way].tag;
            in.size = p64;
            in.valid = tlb[set][way].ppn >= 0;
            in.base = PhysAddr{in.valid ? std::uint64_t(tlb[set][way].ppn) << 6 : 0};
            ASSERT_TRUE(mmu.insert_tlb_entry(in).has_value());
        }

    // 0x03d4: VPN 0x0f, TLBI 3, TLBT 0x03 -> TLB hit, PPN 0x0D, PA 0x354.
    TranslationTrace tr;
    auto r = mmu.translate_traced(VirtAddr{0x03d4}, R, U, tr);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.pa.value, 0x354u);
    ASSERT_EQ(tr.tlb.size(), 1u);
    EXPECT_EQ(tr.tlb[0].set, 3u);
    EXPECT_EQ(tr.tlb[0].tag, 0x03u);
    EXPECT_TRUE(tr.tlb[0].hit);
    EXPECT_EQ(tr.tlb[0].way, 1);
    EXPECT_FALSE(tr.walked);
    // Practice problems 9.11-9.13 and 9.4's 0x0b8f (computed from the same tables):
    // 0x027c: VPN 0x09, TLBI 1, TLBT 0x02 (invalid) -> miss; PTE 0x09 -> PPN 0x17 -> PA 0x5fc.
    auto p1 = mmu.translate_traced(VirtAddr{0x027c}, R, U, tr);
    ASSERT_TRUE(p1.ok());
    EXPECT_EQ(p1.pa.value, 0x5fcu);
    EXPECT_FALSE(tr.tlb[0].hit);
    EXPECT_EQ(tr.tlb[0].set, 1u);
    EXPECT_EQ(tr.tlb[0].tag, 0x02u);
    EXPECT_TRUE(tr.walked);
    // 0x03a9: VPN 0x0e, TLBI 2, TLBT 0x03 (invalid) -> miss; PPN 0x11 -> PA 0x469.
    auto p2 = mmu.translate(VirtAddr{0x03a9}, R, U);
    ASSERT_TRUE(p2.ok());
    EXPECT_EQ(p2.pa.value, 0x469u);
    // 0x0040: VPN 0x01 -> miss, PTE invalid -> page fault.
    EXPECT_EQ(mmu.translate(VirtAddr{0x0040}, R, U).fault.kind, FaultKind::NotPresent);
    // 0x0b8f: VPN 0x2e -> not among the valid entries -> page fault.
    EXPECT_EQ(mmu.translate(VirtAddr{0x0b8f}, R, U).fault.kind, FaultKind::NotPresent);
    EXPECT_EQ(mmu.stats().walks, 4u);
    EXPECT_EQ(mmu.stats().walk_memory_refs, 4u);  // one-level table: one entry per walk
}
