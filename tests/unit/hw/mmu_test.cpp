// The MMU on x86-64 paging (Intel SDM Vol. 3A ch. 4): walk lengths, page-walk caches,
// permissions, accessed/dirty updates, TLB hierarchy, ASIDs, flushes, cost, traces.
#include <gtest/gtest.h>

#include "vmlab/core/rng.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"

using namespace vmlab;

namespace {

constexpr AccessKind R = AccessKind::Read, W = AccessKind::Write, X = AccessKind::Execute;
constexpr Privilege U = Privilege::User, K = Privilege::Kernel;

// x86 entry bits (SDM Tables 4-14..4-20).
constexpr std::uint64_t kP = 1, kRW = 2, kUS = 4, kA = 1u << 5, kD = 1u << 6, kPS = 1u << 7;

TlbConfig tlb(std::string name, unsigned level, TlbKind kind, std::vector<PageSize> sizes, unsigned entries,
              unsigned ways, std::uint32_t cycles) {
    TlbConfig c;
    c.name = std::move(name);
    c.level = level;
    c.kind = kind;
    c.page_sizes = std::move(sizes);
    c.entries = entries;
    c.ways = ways;
    c.hit_cycles = cycles;
    return c;
}

MachineConfig x86(std::vector<unsigned> pwc = {}, std::string format = "x86-64-4level") {
    MachineConfig m;
    m.paging.format = std::move(format);
    m.memory.bytes = std::uint64_t{2} << 30;
    m.memory.frame = kPage4K;
    m.mmu.tlbs = {tlb("L1D-4K", 1, TlbKind::Data, {kPage4K}, 64, 4, 1),
                  tlb("L1D-2M", 1, TlbKind::Data, {kPage2M}, 32, 4, 1),
                  tlb("L1D-1G", 1, TlbKind::Data, {kPage1G}, 4, 0, 1),
                  tlb("L1I-4K", 1, TlbKind::Instruction, {kPage4K}, 128, 8, 1),
                  tlb("L2", 2, TlbKind::Unified, {kPage4K, kPage2M}, 1536, 12, 9)};
    m.mmu.pwc.entries = std::move(pwc);
    m.mmu.pwc.hit_cycles = 2;
    m.mmu.cost.memory_ref_cycles = 100;
    m.mmu.cost.ad_update_cycles = 0;
    return m;
}

LeafAttrs attrs(bool write, bool exec, bool user, bool accessed = true, bool dirty = true, bool global = false) {
    LeafAttrs a;
    a.prot = Prot{true, write, exec, user};
    a.accessed = accessed;
    a.dirty = dirty;
    a.global = global;
    return a;
}

struct Env {
    std::unique_ptr<Machine> machine;
    std::unique_ptr<PageTable> pt;

    explicit Env(const MachineConfig& cfg) {
        auto m = Machine::create(cfg);
        if (!m) ADD_FAILURE() << m.error().str();
        machine = std::move(*m);
        auto p = PageTable::create(machine->format(), machine->mem());
        if (!p) ADD_FAILURE() << p.error().str();
        pt = std::move(*p);
        mmu().set_root(pt->root(), Asid{1});
    }
    Mmu& mmu() { return machine->mmu(0); }
    PhysMem& mem() { return machine->mem(); }
    PhysAddr frame(unsigned order = 0) {
        auto pfn = mem().allocator().alloc(order);
        EXPECT_TRUE(pfn.has_value());
        return pfn->addr(mem().frame_size());
    }
    PhysAddr map(VirtAddr va, PageSize size, const LeafAttrs& a) {
        const PhysAddr pa = frame(size.shift - 12);
        auto st = pt->map(va, pa, size, a);
        EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().str());
        return pa;
    }
    std::uint64_t leaf_raw(VirtAddr va) { return pt->query(va).raw; }
};

}  // namespace

TEST(Mmu, ColdWalkReadsFourEntriesThenHits) {
    Env e(x86());
    const VirtAddr va{0x7f1234567000};
    const PhysAddr pa = e.map(va, kPage4K, attrs(true, false, true));
    auto t = e.mmu().translate(va + 0x9a, R, U);
    ASSERT_TRUE(t.ok()) << to_string(t.fault.kind);
    EXPECT_EQ(t.pa.value, pa.value + 0x9a);
    EXPECT_EQ(t.size, kPage4K);
    const auto& s = e.mmu().stats();
    EXPECT_EQ(s.walks, 1u);
    EXPECT_EQ(s.walk_memory_refs, 4u);  // PML4E, PDPTE, PDE, PTE
    EXPECT_EQ(t.cycles, 1u + 9u + 4u * 100u);  // L1 miss, L2 miss, four reads

    auto t2 = e.mmu().translate(va + 0xfff, R, U);
    ASSERT_TRUE(t2.ok());
    EXPECT_EQ(t2.pa.value, pa.value + 0xfff);
    EXPECT_EQ(t2.cycles, 1u);
    EXPECT_EQ(e.mmu().stats().walks, 1u);
    EXPECT_EQ(e.mmu().stats().tlb_hits, 1u);
    EXPECT_EQ(e.mmu().stats().translations, 2u);
    EXPECT_DOUBLE_EQ(e.mmu().stats().average_cycles(), (410.0 + 1.0) / 2.0);
}

TEST(Mmu, FiveLevelWalkReadsFiveEntries) {
    Env e(x86({}, "x86-64-5level"));
    const VirtAddr va{0x00ff123456789000};  // needs LA57: bits 48..56 in use
    const PhysAddr pa = e.map(va, kPage4K, attrs(true, false, true));
    auto t = e.mmu().translate(va, R, U);
    ASSERT_TRUE(t.ok()) << to_string(t.fault.kind);
    EXPECT_EQ(t.pa, pa);
    EXPECT_EQ(e.mmu().stats().walk_memory_refs, 5u);
}

TEST(Mmu, HugePagesShortenTheWalk) {
    Env e(x86());
    const VirtAddr v2m{0x40000000 + 0x200000 * 3};
    const VirtAddr v1g{std::uint64_t{5} << 30};
    const PhysAddr p2m = e.map(v2m, kPage2M, attrs(true, false, true));
    const PhysAddr p1g = e.map(v1g, kPage1G, attrs(true, false, true));
    auto a = e.mmu().translate(v2m + 0x12345, R, U);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.pa.value, p2m.value + 0x12345);
    EXPECT_EQ(a.size, kPage2M);
    EXPECT_EQ(e.mmu().stats().walk_memory_refs, 3u);  // PML4E, PDPTE, PDE(PS=1)
    auto b = e.mmu().translate(v1g + 0x3456789, R, U);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.pa.value, p1g.value + 0x3456789);
    EXPECT_EQ(b.size, kPage1G);
    EXPECT_EQ(e.mmu().stats().walk_memory_refs, 5u);  // + PML4E, PDPTE(PS=1)
    // Both now hit their L1 structures anywhere in the page.
    EXPECT_TRUE(e.mmu().translate(v2m + 0x1fffff, R, U).ok());
    EXPECT_TRUE(e.mmu().translate(v1g + 0x3fffffff, R, U).ok());
    EXPECT_EQ(e.mmu().stats().walks, 2u);
    const auto& s = e.mmu().stats();
    EXPECT_EQ(s.tlbs[1].name, "L1D-2M");
    EXPECT_EQ(s.tlbs[1].hits, 1u);
    EXPECT_EQ(s.tlbs[2].hits, 1u);
    // L1D-4K was looked up by all four translations (the level is probed as a whole).
    EXPECT_EQ(s.tlbs[0].lookups, 4u);
    EXPECT_EQ(s.tlbs[0].misses, 4u);
}

TEST(Mmu, PageWalkCachesSkipUpperLevels) {
    Env e(x86({2, 4, 32}));
    const VirtAddr va{0x7f1234567000};
    e.map(va, kPage4K, attrs(true, false, true));
    e.map(va + 0x1000, kPage4K, attrs(true, false, true));             // same PT
    e.map(va + 0x200000, kPage4K, attrs(true, false, true));           // same PD, other PT
    e.map(va + 0x40000000, kPage4K, attrs(true, false, true));         // same PDPT, other PD
    e.map(va + (std::uint64_t{1} << 39), kPage4K, attrs(true, false, true));  // other PDPT
    auto refs = [&] { return e.mmu().stats().walk_memory_refs; };
    ASSERT_TRUE(e.mmu().translate(va, R, U).ok());
    EXPECT_EQ(refs(), 4u);
    EXPECT_EQ(e.mmu().stats().pwc_misses, 1u);
    ASSERT_TRUE(e.mmu().translate(va + 0x1000, R, U).ok());
    EXPECT_EQ(refs(), 5u);  // PDE cache hit: only the PTE is read
    ASSERT_TRUE(e.mmu().translate(va + 0x200000, R, U).ok());
    EXPECT_EQ(refs(), 7u);  // PDPTE cache hit: PDE + PTE
    ASSERT_TRUE(e.mmu().translate(va + 0x40000000, R, U).ok());
    EXPECT_EQ(refs(), 10u);  // PML4E cache hit: PDPTE + PDE + PTE
    ASSERT_TRUE(e.mmu().translate(va + (std::uint64_t{1} << 39), R, U).ok());
    EXPECT_EQ(refs(), 14u);  // nothing cached for that PML4 slot
    const auto& s = e.mmu().stats();
    EXPECT_EQ(s.pwc_hits, 3u);
    EXPECT_EQ(s.pwc_misses, 2u);
    EXPECT_EQ(s.pwc_hits_per_level, (std::vector<std::uint64_t>{1, 1, 1}));
    // invlpg flushes the paging-structure caches of the ASID as well (SDM 4.10.4.1).
    e.mmu().flush_va(va + 0x1000, Asid{1});
    ASSERT_TRUE(e.mmu().translate(va + 0x1000, R, U).ok());
    EXPECT_EQ(refs(), 18u);
}

TEST(Mmu, PwcHitCostsItsLatencyAndTraceShowsIt) {
    Env e(x86({0, 0, 8}));
    const VirtAddr va{0x1000000};
    e.map(va, kPage4K, attrs(true, false, true));
    e.map(va + 0x1000, kPage4K, attrs(true, false, true));
    ASSERT_TRUE(e.mmu().translate(va, R, U).ok());
    TranslationTrace tr;
    auto t = e.mmu().translate_traced(va + 0x1000, R, U, tr);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.cycles, 1u + 9u + 2u + 100u);
    ASSERT_EQ(tr.walk.size(), 2u);
    EXPECT_TRUE(tr.walk[0].pwc_hit);
    EXPECT_EQ(tr.walk[0].level, 2u);
    EXPECT_EQ(tr.pwc_level, 2);
    EXPECT_FALSE(tr.walk[1].pwc_hit);
    EXPECT_EQ(tr.walk[1].level, 3u);
    EXPECT_EQ(tr.walk[1].entry_pa.value, tr.walk[0].decoded.addr + 8 * 1);  // PT index 1
}

TEST(Mmu, PermissionsForEveryPrivilegeAndAccess) {
    // SDM 4.6 with CR0.WP = 1, SMEP = SMAP = 0, EFER.NXE = 1: user accesses need U/S = 1;
    // writes need R/W = 1 (for the kernel too); instruction fetches need NX = 0; the kernel
    // may read and fetch from user pages.
    Env e(x86());
    std::uint64_t n = 0;
    for (int w = 0; w < 2; ++w)
        for (int x = 0; x < 2; ++x)
            for (int u = 0; u < 2; ++u) {
                const VirtAddr va{0x10000000 + (n++) * 0x1000};
                e.map(va, kPage4K, attrs(w, x, u));
                for (auto priv : {U, K})
                    for (auto acc : {R, W, X}) {
                        bool allowed = priv == U ? bool(u) : true;
                        if (acc == W) allowed = allowed && w;
                        if (acc == X) allowed = allowed && x;
                        const auto t = e.mmu().translate(va, acc, priv);
                        EXPECT_EQ(t.ok(), allowed) << "w=" << w << " x=" << x << " u=" << u << " priv="
                                                   << to_string(priv) << " access=" << to_string(acc);
                        if (!allowed) {
                            EXPECT_EQ(t.fault.kind, FaultKind::Protection);
                            EXPECT_EQ(t.fault.level, 3u);
                            EXPECT_EQ(t.fault.missing, perm_bit(priv, acc));
                            EXPECT_EQ(t.fault.va, va);
                            EXPECT_EQ(t.fault.access, acc);
                            EXPECT_EQ(t.fault.priv, priv);
                        }
                    }
            }
}

TEST(Mmu, NotPresentReportsTheLevel) {
    Env e(x86());
    const VirtAddr va{0x7f1234567000};
    auto t0 = e.mmu().translate(va, R, U);
    EXPECT_EQ(t0.fault.kind, FaultKind::NotPresent);
    EXPECT_EQ(t0.fault.level, 0u);  // empty PML4
    e.map(va, kPage4K, attrs(true, false, true));
    auto t3 = e.mmu().translate(va + 0x1000, R, U);
    EXPECT_EQ(t3.fault.kind, FaultKind::NotPresent);
    EXPECT_EQ(t3.fault.level, 3u);
    auto t2 = e.mmu().translate(va + 0x200000, R, U);
    EXPECT_EQ(t2.fault.level, 2u);
    EXPECT_EQ(e.mmu().stats().faults, 3u);
}

TEST(Mmu, NonCanonicalFaultsWithoutReadingMemory) {
    Env e(x86());
    for (std::uint64_t v : {std::uint64_t{0x0000800000000000}, std::uint64_t{0xffff7fffffffffff},
                            std::uint64_t{0x8000000000000000}}) {
        auto t = e.mmu().translate(VirtAddr{v}, R, K);
        EXPECT_EQ(t.fault.kind, FaultKind::NonCanonical) << std::hex << v;
    }
    EXPECT_EQ(e.mmu().stats().walk_memory_refs, 0u);
    // The upper canonical half is translated (kernel space).
    const VirtAddr k{0xffff888000200000};
    const PhysAddr pa = e.map(k, kPage4K, attrs(true, false, false));
    auto t = e.mmu().translate(k + 8, W, K);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.pa.value, pa.value + 8);
    EXPECT_TRUE(e.mmu().translate(k + 16, W, K).ok());
    EXPECT_EQ(e.mmu().stats().walks, 1u);
}

TEST(Mmu, HardwareSetsAccessedAndDirtyInMemory) {
    Env e(x86());
    const VirtAddr va{0x5555000000};
    e.map(va, kPage4K, attrs(true, false, true, /*accessed=*/false, /*dirty=*/false));
    EXPECT_EQ(e.leaf_raw(va) & (kA | kD), 0u);
    TranslationTrace tr;
    ASSERT_TRUE(e.mmu().translate_traced(va, R, U, tr).ok());
    EXPECT_EQ(e.leaf_raw(va) & (kA | kD), kA);  // a read sets A only
    // x86 sets A in every paging-structure entry used (SDM 4.8).
    ASSERT_EQ(tr.walk.size(), 4u);
    for (const auto& s : tr.walk) EXPECT_NE(e.mem().read_uint(s.entry_pa, 8) & kA, 0u) << "level " << s.level;
    EXPECT_TRUE(tr.walk[3].ad_written);
    const auto updates = e.mmu().stats().ad_updates;
    EXPECT_GE(updates, 1u);

    // A write hits the TLB entry whose dirty flag is clear: the MMU walks again to set D.
    ASSERT_TRUE(e.mmu().translate(va, W, U).ok());
    EXPECT_EQ(e.leaf_raw(va) & (kA | kD), kA | kD);
    EXPECT_EQ(e.mmu().stats().walks, 2u);
    EXPECT_EQ(e.mmu().stats().dirty_rewalks, 1u);
    EXPECT_EQ(e.mmu().stats().ad_updates, updates + 1);
    // Now the entry is dirty: further writes hit.
    ASSERT_TRUE(e.mmu().translate(va + 4, W, U).ok());
    EXPECT_EQ(e.mmu().stats().walks, 2u);
}

TEST(Mmu, WriteToCleanPageCostsTheRewalk) {
    auto cfg = x86();
    cfg.mmu.cost.ad_update_cycles = 20;
    Env e(cfg);
    const VirtAddr va{0x6000000};
    e.map(va, kPage4K, attrs(true, false, true, true, false));
    ASSERT_TRUE(e.mmu().translate(va, R, U).ok());
    auto t = e.mmu().translate(va, W, U);
    ASSERT_TRUE(t.ok());
    // L1 probe (hit, unusable), then a walk: 4 reads + one D write-back.
    EXPECT_EQ(t.cycles, 1u + 4u * 100u + 20u);
    EXPECT_NE(e.leaf_raw(va) & kD, 0u);
}

TEST(Mmu, PreDirtiedPageNeedsNoRewalk) {
    Env e(x86());
    const VirtAddr va{0x6000000};
    e.map(va, kPage4K, attrs(true, false, true, true, true));
    ASSERT_TRUE(e.mmu().translate(va, R, U).ok());
    const std::uint64_t raw = e.leaf_raw(va);
    ASSERT_TRUE(e.mmu().translate(va, W, U).ok());
    EXPECT_EQ(e.mmu().stats().walks, 1u);
    EXPECT_EQ(e.mmu().stats().dirty_rewalks, 0u);
    EXPECT_EQ(e.leaf_raw(va), raw);
}

TEST(Mmu, ProtectionFaultLeavesAccessedDirtyAlone) {
    Env e(x86());
    const VirtAddr va{0x7000000};
    e.map(va, kPage4K, attrs(false, false, true, false, false));
    auto t = e.mmu().translate(va, W, U);
    EXPECT_EQ(t.fault.kind, FaultKind::Protection);
    EXPECT_EQ(e.leaf_raw(va) & (kA | kD), 0u);
}

TEST(Mmu, PermissionUpgradeWithoutFlushIsSeen) {
    Env e(x86());
    const VirtAddr va{0x8000000};
    e.map(va, kPage4K, attrs(false, false, true));
    ASSERT_TRUE(e.mmu().translate(va, R, U).ok());  // read-only entry cached
    ASSERT_TRUE(e.pt->protect(va, attrs(true, false, true)));
    ASSERT_TRUE(e.mmu().translate(va, W, U).ok());  // stale entry refused -> walk sees RW
    EXPECT_EQ(e.mmu().stats().permission_rewalks, 1u);
    EXPECT_EQ(e.mmu().stats().walks, 2u);
    ASSERT_TRUE(e.mmu().translate(va, W, U).ok());
    EXPECT_EQ(e.mmu().stats().walks, 2u);
}

TEST(Mmu, StaleTranslationUntilFlushed) {
    Env e(x86());
    const VirtAddr va{0x9000000};
    const PhysAddr a = e.map(va, kPage4K, attrs(true, false, true));
    ASSERT_EQ(e.mmu().translate(va, R, U).pa, a);
    e.pt->unmap(va);
    const PhysAddr b = e.map(va, kPage4K, attrs(true, false, true));
    ASSERT_NE(a, b);
    EXPECT_EQ(e.mmu().translate(va, R, U).pa, a);  // the TLB still holds the old page
    e.mmu().flush_va(va, Asid{1});
    EXPECT_EQ(e.mmu().translate(va, R, U).pa, b);
    e.pt->unmap(va);
    e.mmu().flush_va(va, Asid{1});
    EXPECT_EQ(e.mmu().translate(va, R, U).fault.kind, FaultKind::NotPresent);
}

TEST(Mmu, AsidsIsolateAddressSpaces) {
    Env e(x86());
    auto other = PageTable::create(e.machine->format(), e.mem());
    ASSERT_TRUE(other.has_value());
    const VirtAddr va{0x400000};
    const PhysAddr p1 = e.map(va, kPage4K, attrs(true, false, true));
    const PhysAddr p2 = e.frame();
    ASSERT_TRUE((*other)->map(va, p2, kPage4K, attrs(true, false, true)).has_value());

    EXPECT_EQ(e.mmu().translate(va, R, U).pa, p1);
    e.mmu().set_root((*other)->root(), Asid{2});
    EXPECT_EQ(e.mmu().translate(va, R, U).pa, p2);
    EXPECT_EQ(e.mmu().stats().walks, 2u);
    e.mmu().set_root(e.pt->root(), Asid{1});
    EXPECT_EQ(e.mmu().translate(va, R, U).pa, p1);  // still cached under ASID 1
    EXPECT_EQ(e.mmu().stats().walks, 2u);
    e.mmu().flush_asid(Asid{1});
    EXPECT_EQ(e.mmu().translate(va, R, U).pa, p1);
    EXPECT_EQ(e.mmu().stats().walks, 3u);
    e.mmu().set_root((*other)->root(), Asid{2});
    EXPECT_EQ(e.mmu().translate(va, R, U).pa, p2);  // ASID 2 untouched by the flush
    EXPECT_EQ(e.mmu().stats().walks, 3u);
}

TEST(Mmu, WithoutPcidARootSwitchFlushesAllButGlobals) {
    auto cfg = x86({2, 4, 32});
    cfg.mmu.pcid = false;
    Env e(cfg);
    const VirtAddr user{0x400000}, kern{0xffffffff81000000};
    e.map(user, kPage4K, attrs(true, false, true));
    e.map(kern, kPage4K, attrs(true, false, false, true, true, /*global=*/true));
    ASSERT_TRUE(e.mmu().translate(user, R, U).ok());
    ASSERT_TRUE(e.mmu().translate(kern, R, K).ok());
    e.mmu().set_root(e.pt->root(), Asid{1});  // mov cr3
    const auto walks = e.mmu().stats().walks;
    ASSERT_TRUE(e.mmu().translate(kern, R, K).ok());
    EXPECT_EQ(e.mmu().stats().walks, walks);  // the global entry survived
    const auto refs = e.mmu().stats().walk_memory_refs;
    ASSERT_TRUE(e.mmu().translate(user, R, U).ok());
    EXPECT_EQ(e.mmu().stats().walks, walks + 1);
    EXPECT_EQ(e.mmu().stats().walk_memory_refs, refs + 4);  // PWCs were flushed as well
}

TEST(Mmu, GlobalEntriesAndFlushOperations) {
    Env e(x86());
    const VirtAddr g{0xffffffff81000000}, p{0x400000};
    e.map(g, kPage4K, attrs(true, false, false, true, true, true));
    e.map(p, kPage4K, attrs(true, false, true));
    auto walks = [&] { return e.mmu().stats().walks; };
    ASSERT_TRUE(e.mmu().translate(g, R, K).ok());
    ASSERT_TRUE(e.mmu().translate(p, R, U).ok());
    // A global entry answers under any ASID.
    e.mmu().set_root(e.pt->root(), Asid{7});
    ASSERT_TRUE(e.mmu().translate(g, R, K).ok());
    EXPECT_EQ(walks(), 2u);
    e.mmu().set_root(e.pt->root(), Asid{1});
    e.mmu().flush_asid(Asid{1});  // INVPCID single-context: globals stay
    ASSERT_TRUE(e.mmu().translate(g, R, K).ok());
    EXPECT_EQ(walks(), 2u);
    ASSERT_TRUE(e.mmu().translate(p, R, U).ok());
    EXPECT_EQ(walks(), 3u);
    e.mmu().flush_nonglobal();
    ASSERT_TRUE(e.mmu().translate(g, R, K).ok());
    EXPECT_EQ(walks(), 3u);
    e.mmu().flush_va_all_asids(g);  // removes the global entry of that VA
    ASSERT_TRUE(e.mmu().translate(g, R, K).ok());
    EXPECT_EQ(walks(), 4u);
    e.mmu().flush_all();
    ASSERT_TRUE(e.mmu().translate(g, R, K).ok());
    EXPECT_EQ(walks(), 5u);
}

TEST(Mmu, SecondLevelHitFillsTheFirst) {
    auto cfg = x86();
    cfg.mmu.tlbs[0] = tlb("L1D-4K", 1, TlbKind::Data, {kPage4K}, 1, 0, 1);  // one entry
    Env e(cfg);
    const VirtAddr a{0x1000000}, b{0x2000000};
    e.map(a, kPage4K, attrs(true, false, true));
    e.map(b, kPage4K, attrs(true, false, true));
    ASSERT_TRUE(e.mmu().translate(a, R, U).ok());
    ASSERT_TRUE(e.mmu().translate(b, R, U).ok());  // evicts a from L1; both in L2
    auto t = e.mmu().translate(a, R, U);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.cycles, 1u + 9u);
    EXPECT_EQ(e.mmu().stats().walks, 2u);
    auto t2 = e.mmu().translate(a, R, U);
    EXPECT_EQ(t2.cycles, 1u);  // refilled into L1
    const auto& s = e.mmu().stats();
    EXPECT_EQ(s.tlbs[4].name, "L2");
    EXPECT_EQ(s.tlbs[4].hits, 1u);
    EXPECT_EQ(s.tlbs[4].lookups, 3u);
    EXPECT_EQ(s.tlbs[0].evictions, 2u);
}

TEST(Mmu, InstructionFetchesUseTheInstructionPath) {
    Env e(x86());
    const VirtAddr code{0x401000};
    e.map(code, kPage4K, attrs(false, true, true));
    ASSERT_TRUE(e.mmu().translate(code, X, U).ok());  // walk; fills L1I and L2
    auto r = e.mmu().translate(code, R, U);           // L1D misses, L2 hits
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.cycles, 1u + 9u);
    const auto& s = e.mmu().stats();
    EXPECT_EQ(s.tlbs[3].name, "L1I-4K");
    EXPECT_EQ(s.tlbs[3].lookups, 1u);
    EXPECT_EQ(s.tlbs[3].fills, 1u);
    EXPECT_EQ(s.tlbs[0].fills, 1u);  // L1D filled from L2
}

TEST(Mmu, TraceRecordsProbesAndEntries) {
    Env e(x86());
    const VirtAddr va{0x7f1234567abc};
    const PhysAddr pa = e.map(va.align_down(kPage4K), kPage4K, attrs(true, false, true));
    TranslationTrace tr;
    auto t = e.mmu().translate_traced(va, R, U, tr);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(tr.result.pa, t.pa);
    EXPECT_TRUE(tr.walked);
    EXPECT_EQ(tr.tlb_hit_level, 0);
    // L1: L1D-4K, L1D-2M, L1D-1G; L2: L2 probed for 4K and 2M.
    ASSERT_EQ(tr.tlb.size(), 5u);
    EXPECT_EQ(tr.tlb[0].structure, "L1D-4K");
    EXPECT_EQ(tr.tlb[0].set, 0x7u);         // VPN 0x7f1234567, 16 sets
    EXPECT_EQ(tr.tlb[0].tag, 0x7f123456u);
    EXPECT_EQ(tr.tlb[3].structure, "L2");
    EXPECT_EQ(tr.tlb[3].set, 0x67u);        // 128 sets
    EXPECT_EQ(tr.tlb[4].size, kPage2M);
    EXPECT_EQ(tr.tlb[4].set, 0x3f891a2u & 127);
    for (const auto& p : tr.tlb) EXPECT_FALSE(p.hit);
    // Indices 0xfe, 0x48, 0x1a2, 0x167 (SDM Figure 4-8 split of 0x7f1234567abc).
    ASSERT_EQ(tr.walk.size(), 4u);
    const std::uint64_t idx[4] = {0xfe, 0x48, 0x1a2, 0x167};
    PhysAddr table = e.pt->root();
    for (unsigned l = 0; l < 4; ++l) {
        EXPECT_EQ(tr.walk[l].level, l);
        EXPECT_EQ(tr.walk[l].index, idx[l]);
        EXPECT_EQ(tr.walk[l].entry_pa.value, table.value + idx[l] * 8);
        EXPECT_EQ(tr.walk[l].raw & kP, kP);
        EXPECT_FALSE(tr.walk[l].flags.empty());
        table = PhysAddr{tr.walk[l].decoded.addr};
    }
    EXPECT_EQ(tr.walk[3].decoded.kind, EntryKind::Leaf);
    EXPECT_EQ(table, pa);

    TranslationTrace tr2;
    ASSERT_TRUE(e.mmu().translate_traced(va, R, U, tr2).ok());
    EXPECT_FALSE(tr2.walked);
    EXPECT_EQ(tr2.tlb_hit_level, 1);
    ASSERT_EQ(tr2.tlb.size(), 3u);  // the whole first level is shown
    EXPECT_TRUE(tr2.tlb[0].hit);
    EXPECT_GE(tr2.tlb[0].way, 0);
}

TEST(Mmu, BusErrorAndReservedBits) {
    Env e(x86());
    const VirtAddr va{0x40000000};
    e.map(va, kPage4K, attrs(true, false, true));
    // Point the PDE at a table beyond the 2 GiB of memory.
    TranslationTrace tr;
    ASSERT_TRUE(e.mmu().translate_traced(va, R, U, tr).ok());
    const PhysAddr pde = tr.walk[2].entry_pa;
    const std::uint64_t good = e.mem().read_uint(pde, 8);
    e.mem().write_uint(pde, 8, (std::uint64_t{16} << 30) | kP | kRW | kUS | kA);
    e.mmu().flush_all();
    auto t = e.mmu().translate(va, R, U);
    EXPECT_EQ(t.fault.kind, FaultKind::BusError);
    EXPECT_EQ(t.fault.level, 3u);
    // PS in a PML4E is reserved (SDM 4.5.4, Table 4-14).
    e.mem().write_uint(pde, 8, good);
    const PhysAddr pml4e = tr.walk[0].entry_pa;
    e.mem().write_uint(pml4e, 8, e.mem().read_uint(pml4e, 8) | kPS);
    e.mmu().flush_all();
    auto r = e.mmu().translate(va, R, U);
    EXPECT_EQ(r.fault.kind, FaultKind::ReservedBit);
    EXPECT_EQ(r.fault.level, 0u);
}

TEST(Mmu, ResetStats) {
    Env e(x86());
    e.map(VirtAddr{0x1000}, kPage4K, attrs(true, false, true));
    ASSERT_TRUE(e.mmu().translate(VirtAddr{0x1000}, R, U).ok());
    e.mmu().reset_stats();
    const auto& s = e.mmu().stats();
    EXPECT_EQ(s.translations, 0u);
    EXPECT_EQ(s.tlbs.size(), 5u);
    EXPECT_EQ(s.tlbs[0].lookups, 0u);
    EXPECT_EQ(s.tlbs[0].fills, 0u);
    EXPECT_EQ(s.tlbs[0].name, "L1D-4K");
    ASSERT_TRUE(e.mmu().translate(VirtAddr{0x1000}, R, U).ok());  // entries survive a reset
    EXPECT_EQ(e.mmu().stats().tlb_hits, 1u);
}

TEST(Mmu, InsertTlbEntry) {
    Env e(x86());
    Mmu::TlbEntryInit in;
    in.structure = "L1D-4K";
    in.vpn = Vpn{0x12345};
    in.size = kPage4K;
    in.base = PhysAddr{0xabc000};
    in.asid = Asid{1};
    ASSERT_TRUE(e.mmu().insert_tlb_entry(in).has_value());
    auto t = e.mmu().translate(VirtAddr{0x12345678}, R, U);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.pa.value, 0xabc678u);
    EXPECT_EQ(e.mmu().stats().walks, 0u);
    auto entries = e.mmu().tlb_entries("L1D-4K");
    ASSERT_TRUE(entries.has_value());
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].set, 5u);
    EXPECT_EQ((*entries)[0].tag, 0x1234u);

    auto bad = in;
    bad.structure = "L1D-4k";
    EXPECT_EQ(e.mmu().insert_tlb_entry(bad).error().message,
              "structure: unknown TLB structure 'L1D-4k'; did you mean 'L1D-4K'?");
    bad = in;
    bad.size = kPage2M;
    EXPECT_EQ(e.mmu().insert_tlb_entry(bad).error().message,
              "size: TLB 'L1D-4K' does not hold 2 MiB pages (it holds 4 KiB)");
    bad = in;
    bad.set = 16;
    bad.way = 0;
    EXPECT_EQ(e.mmu().insert_tlb_entry(bad).error().message, "set: 16 is out of range (TLB 'L1D-4K' has 16 sets)");
    bad = in;
    bad.set = 0;
    bad.way = 4;
    EXPECT_EQ(e.mmu().insert_tlb_entry(bad).error().message, "way: 4 is out of range (TLB 'L1D-4K' has 4 ways)");
    bad = in;
    bad.base = PhysAddr{0xabc800};
    EXPECT_EQ(e.mmu().insert_tlb_entry(bad).error().message, "base: 0xabc800 is not aligned to the 4 KiB page size");
    EXPECT_FALSE(e.mmu().tlb_entries("nope").has_value());
}

TEST(Machine, CreateAndValidate) {
    auto cfg = x86();
    cfg.cpus = 3;
    cfg.mmu.tlbs[0].replacement = "random";
    cfg.mmu.seed = 77;
    auto m = Machine::create(cfg);
    ASSERT_TRUE(m.has_value()) << m.error().str();
    EXPECT_EQ((*m)->cpu_count(), 3u);
    EXPECT_EQ((*m)->format().name(), "x86-64-4level");
    // Each CPU's MMU has its own seed derived from the machine's.
    EXPECT_NE((*m)->mmu(0).config().seed, (*m)->mmu(1).config().seed);
    auto m2 = Machine::create(cfg);
    EXPECT_EQ((*m)->mmu(2).config().seed, (*m2)->mmu(2).config().seed);

    auto bad = x86();
    bad.paging.format = "x86-64-4levle";
    EXPECT_EQ(bad.validate().error().message,
              "paging.format: unknown paging format 'x86-64-4levle'; did you mean 'x86-64-4level'?");
    bad = x86();
    bad.cpus = 0;
    EXPECT_EQ(bad.validate().error().message, "cpus: 0 is out of range (1..1024)");
    bad = x86();
    bad.mmu.tlbs[0].ways = 5;
    EXPECT_EQ(bad.validate().error().message.substr(0, 16), "mmu.tlb[0].ways:");
    bad = x86();
    bad.mmu.tlbs[1].page_sizes = {kPage2M, kPage4M};
    EXPECT_EQ(bad.validate().error().message,
              "mmu.tlb[1].page_sizes[1]: paging format 'x86-64-4level' has no 4 MiB pages (it has 4 KiB, 2 MiB, "
              "1 GiB)");
    bad = x86({1, 2, 3, 4});
    EXPECT_EQ(bad.validate().error().message.substr(0, 19), "mmu.pwc.entries[3]:");
    bad = x86();
    bad.memory.frame = kPage16K;
    bad.memory.bytes = std::uint64_t{1} << 30;
    EXPECT_EQ(bad.validate().error().message.substr(0, 13), "memory.frame:");
    EXPECT_FALSE(Machine::create(bad).has_value());
}

// translate() answers first-level hits from a flattened copy of the TLB arrays and a
// memo of the previous hit; translate_traced() never does. Driven identically, two MMUs
// must agree on every result, every statistic and every TLB entry.
TEST(Mmu, FastPathIsExact) {
    for (int unified = 0; unified < 2; ++unified)
    for (const char* repl : {"lru", "tree-plru", "fifo", "random"}) {
        SCOPED_TRACE(std::string(repl) + (unified ? " unified L1" : " split L1"));
        auto cfg = x86({2, 4, 8});
        if (unified)  // data and instruction paths share the first level
            cfg.mmu.tlbs = {tlb("L1", 1, TlbKind::Unified, {kPage4K, kPage2M}, 8, 4, 1),
                            tlb("L2", 2, TlbKind::Unified, {kPage4K, kPage2M}, 64, 8, 7)};
        else
            cfg.mmu.tlbs = {tlb("L1D", 1, TlbKind::Data, {kPage4K, kPage2M}, 16, 4, 1),
                            tlb("L1I", 1, TlbKind::Instruction, {kPage4K}, 8, 2, 1),
                            tlb("L2", 2, TlbKind::Unified, {kPage4K, kPage2M}, 64, 8, 7)};
        for (auto& t : cfg.mmu.tlbs) t.replacement = repl;
        cfg.mmu.seed = 5;
        Env a(cfg), b(cfg);
        Rng rng(99);
        std::vector<VirtAddr> pages;
        for (int i = 0; i < 40; ++i) {
            const VirtAddr va{0x400000 + rng.below(64) * 0x1000 + (i % 2 ? 0x7f0000000000 : 0)};
            const bool big = i % 10 == 9;
            const VirtAddr base = big ? VirtAddr{0x40000000 + std::uint64_t(i) * 0x200000} : va;
            if (a.pt->query(base).present) continue;
            const auto at = attrs(rng.below(2), rng.below(2), rng.below(4) != 0, rng.below(2), rng.below(2), rng.below(5) == 0);
            a.map(base, big ? kPage2M : kPage4K, at);
            b.map(base, big ? kPage2M : kPage4K, at);
            pages.push_back(base);
        }
        TranslationTrace tr;
        for (int i = 0; i < 20000; ++i) {
            const unsigned op = static_cast<unsigned>(rng.below(100));
            if (op == 0) {
                const VirtAddr v = pages[rng.below(pages.size())];
                a.mmu().flush_va(v, Asid{1});
                b.mmu().flush_va(v, Asid{1});
            } else if (op == 1) {
                const Asid s{static_cast<std::uint16_t>(1 + rng.below(2))};
                a.mmu().set_root(a.pt->root(), s);
                b.mmu().set_root(b.pt->root(), s);
            } else if (op == 2) {
                const VirtAddr v = pages[rng.below(pages.size())];
                const auto at = attrs(rng.below(2), rng.below(2), true, true, rng.below(2));
                a.pt->protect(v, at);
                b.pt->protect(v, at);
            } else {
                // Mostly runs of accesses to one page, as programs do.
                const VirtAddr v = pages[rng.below(pages.size())] + rng.below(4096);
                for (int k = 0, n = 1 + int(rng.below(6)); k < n; ++k) {
                    const auto acc = static_cast<AccessKind>(rng.below(3));
                    const auto priv = rng.below(4) ? U : K;
                    const Translation x = a.mmu().translate(v + 8 * k, acc, priv);
                    const Translation y = b.mmu().translate_traced(v + 8 * k, acc, priv, tr);
                    ASSERT_EQ(x.fault.kind, y.fault.kind) << i;
                    ASSERT_EQ(x.pa, y.pa) << i;
                    ASSERT_EQ(x.size, y.size) << i;
                    ASSERT_EQ(x.cycles, y.cycles) << i;
                }
            }
        }
        const MmuStats& sa = a.mmu().stats();
        const MmuStats& sb = b.mmu().stats();
        EXPECT_EQ(sa.translations, sb.translations);
        EXPECT_EQ(sa.tlb_hits, sb.tlb_hits);
        EXPECT_EQ(sa.walks, sb.walks);
        EXPECT_EQ(sa.cycles, sb.cycles);
        EXPECT_EQ(sa.faults, sb.faults);
        EXPECT_EQ(sa.pwc_hits, sb.pwc_hits);
        EXPECT_EQ(sa.dirty_rewalks, sb.dirty_rewalks);
        EXPECT_EQ(sa.permission_rewalks, sb.permission_rewalks);
        EXPECT_GT(sa.tlb_hits, sa.translations / 2);
        for (std::size_t i = 0; i < sa.tlbs.size(); ++i) {
            EXPECT_EQ(sa.tlbs[i].lookups, sb.tlbs[i].lookups) << sa.tlbs[i].name;
            EXPECT_EQ(sa.tlbs[i].hits, sb.tlbs[i].hits) << sa.tlbs[i].name;
            EXPECT_EQ(sa.tlbs[i].fills, sb.tlbs[i].fills) << sa.tlbs[i].name;
            EXPECT_EQ(sa.tlbs[i].evictions, sb.tlbs[i].evictions) << sa.tlbs[i].name;
            const auto ea = *a.mmu().tlb_entries(sa.tlbs[i].name);
            const auto eb = *b.mmu().tlb_entries(sa.tlbs[i].name);
            ASSERT_EQ(ea.size(), eb.size());
            for (std::size_t j = 0; j < ea.size(); ++j) {
                EXPECT_EQ(ea[j].set, eb[j].set);
                EXPECT_EQ(ea[j].way, eb[j].way);
                EXPECT_EQ(ea[j].vpn, eb[j].vpn);
                EXPECT_EQ(ea[j].dirty, eb[j].dirty);
            }
        }
    }
}

// The fast path compares the ways of a set without branching (unrolled for 1, 2, 4 and 8
// ways, a loop otherwise). With a fully associative 6-entry L1 (the loop) and a 3-set 2-way
// one, random traffic over two ASIDs (so the same page is cached under both, in either
// order in a set) must give the same results, statistics and entries as translate_traced.
TEST(Mmu, FastPathIsExactForAnyAssociativityAndAsidOrder) {
    for (unsigned ways : {0u, 2u}) {
        SCOPED_TRACE(ways);
        auto cfg = x86();
        cfg.mmu.tlbs = {tlb("L1", 1, TlbKind::Unified, {kPage4K, kPage2M}, ways ? 4 : 6, ways, 1),
                        tlb("L2", 2, TlbKind::Unified, {kPage4K, kPage2M}, 32, 4, 7)};
        Env a(cfg), b(cfg);
        auto a2 = PageTable::create(a.machine->format(), a.mem());
        auto b2 = PageTable::create(b.machine->format(), b.mem());
        ASSERT_TRUE(a2 && b2);
        Rng rng(7);
        std::vector<VirtAddr> pages;
        for (int i = 0; i < 12; ++i) {
            const VirtAddr va{0x400000 + std::uint64_t(i) * 0x1000};
            pages.push_back(va);
            const auto at = attrs(i % 3 != 0, false, true, true, i % 2 == 0);
            a.map(va, kPage4K, at);
            b.map(va, kPage4K, at);
            const PhysAddr fa = a.frame(), fb = b.frame();  // the same frame in both machines
            ASSERT_EQ(fa, fb);
            ASSERT_TRUE((*a2)->map(va, fa, kPage4K, at).has_value());
            ASSERT_TRUE((*b2)->map(va, fb, kPage4K, at).has_value());
        }
        TranslationTrace tr;
        for (int i = 0; i < 5000; ++i) {
            if (rng.below(16) == 0) {
                const bool second = rng.below(2) != 0;
                a.mmu().set_root(second ? (*a2)->root() : a.pt->root(), Asid{std::uint16_t(second ? 2 : 1)});
                b.mmu().set_root(second ? (*b2)->root() : b.pt->root(), Asid{std::uint16_t(second ? 2 : 1)});
                continue;
            }
            const VirtAddr v = pages[rng.below(pages.size())] + rng.below(4096);
            const auto acc = rng.below(3) ? R : W;
            const Translation x = a.mmu().translate(v, acc, U);
            const Translation y = b.mmu().translate_traced(v, acc, U, tr);
            ASSERT_EQ(x.fault.kind, y.fault.kind) << i;
            ASSERT_EQ(x.pa, y.pa) << i;
            ASSERT_EQ(x.cycles, y.cycles) << i;
        }
        const MmuStats& sa = a.mmu().stats();
        const MmuStats& sb = b.mmu().stats();
        EXPECT_EQ(sa.walks, sb.walks);
        EXPECT_EQ(sa.tlb_hits, sb.tlb_hits);
        EXPECT_GT(sa.tlb_hits, sa.translations / 4);
        for (std::size_t i = 0; i < sa.tlbs.size(); ++i) {
            EXPECT_EQ(sa.tlbs[i].lookups, sb.tlbs[i].lookups);
            EXPECT_EQ(sa.tlbs[i].hits, sb.tlbs[i].hits);
            EXPECT_EQ(sa.tlbs[i].evictions, sb.tlbs[i].evictions);
            const auto ea = *a.mmu().tlb_entries(sa.tlbs[i].name);
            const auto eb = *b.mmu().tlb_entries(sa.tlbs[i].name);
            ASSERT_EQ(ea.size(), eb.size());
            for (std::size_t j = 0; j < ea.size(); ++j) {
                EXPECT_EQ(ea[j].way, eb[j].way);
                EXPECT_EQ(ea[j].vpn, eb[j].vpn);
                EXPECT_EQ(ea[j].asid, eb[j].asid);
            }
        }
    }
}

TEST(Mmu, FastPathKeepsPlruExactAcrossPaths) {
    // One unified 4-entry tree-PLRU structure serves data and instruction fetches. Fill
    // P0..P3 (ways 0..3, bits [0,0,0]); read P0 (bits [1,1,0]); fetch P2 ([0,1,1]); read P0
    // again ([1,1,1]). A miss must now evict way 3 (root=1 -> node 2=1 -> way 3): P3 goes,
    // P1 stays.
    auto cfg = x86();
    cfg.mmu.tlbs = {tlb("L1", 1, TlbKind::Unified, {kPage4K}, 4, 0, 1)};
    cfg.mmu.tlbs[0].replacement = "tree-plru";
    Env e(cfg);
    std::vector<VirtAddr> p;
    for (int i = 0; i < 5; ++i) {
        p.push_back(VirtAddr{0x10000000 + std::uint64_t(i) * 0x1000});
        e.map(p.back(), kPage4K, attrs(true, true, true));
    }
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(e.mmu().translate(p[i], R, U).ok());
    ASSERT_TRUE(e.mmu().translate(p[0], R, U).ok());
    ASSERT_TRUE(e.mmu().translate(p[2], X, U).ok());
    ASSERT_TRUE(e.mmu().translate(p[0] + 8, R, U).ok());
    ASSERT_EQ(e.mmu().stats().walks, 4u);
    ASSERT_TRUE(e.mmu().translate(p[4], R, U).ok());  // miss: evicts way 3
    auto entries = *e.mmu().tlb_entries("L1");
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[3].vpn.value, p[4].value >> 12);
    EXPECT_EQ(entries[1].vpn.value, p[1].value >> 12);
}
