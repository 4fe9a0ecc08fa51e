// Validation of TlbConfig / PwcConfig / CostConfig / MmuConfig: each error names its field.
#include <gtest/gtest.h>

#include "vmlab/hw/mmu.hpp"

using namespace vmlab;

namespace {

std::string err(const Status& s) { return s ? std::string("<ok>") : s.error().message; }

TlbConfig tlb(std::string name, unsigned level, TlbKind kind, std::vector<PageSize> sizes, unsigned entries,
              unsigned ways, std::string repl = "lru") {
    TlbConfig c;
    c.name = std::move(name);
    c.level = level;
    c.kind = kind;
    c.page_sizes = std::move(sizes);
    c.entries = entries;
    c.ways = ways;
    c.replacement = std::move(repl);
    return c;
}

// The Intel-like hierarchy of the x86_64 preset.
MmuConfig intel() {
    MmuConfig m;
    m.tlbs = {tlb("L1D-4K", 1, TlbKind::Data, {kPage4K}, 64, 4),
              tlb("L1D-2M", 1, TlbKind::Data, {kPage2M}, 32, 4),
              tlb("L1D-1G", 1, TlbKind::Data, {kPage1G}, 4, 0),
              tlb("L1I", 1, TlbKind::Instruction, {kPage4K}, 128, 8, "tree-plru"),
              tlb("STLB", 2, TlbKind::Unified, {kPage4K, kPage2M}, 1536, 12)};
    m.pwc.entries = {2, 4, 32};
    return m;
}

}  // namespace

TEST(MmuConfig, DefaultsAndPresetShapeAreValid) {
    EXPECT_EQ(err(TlbConfig{}.validate()), "<ok>");
    EXPECT_EQ(err(MmuConfig{}.validate()), "<ok>");
    EXPECT_EQ(err(intel().validate()), "<ok>");
}

TEST(MmuConfig, TlbGeometryErrors) {
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {kPage4K}, 64, 5).validate()),
              "ways: 64 entries cannot be divided into 5-way sets (entries must be a multiple of ways)");
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {kPage4K}, 96, 4).validate()),
              "entries: 96 entries / 4 ways = 24 sets; the number of sets must be a power of two");
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {kPage4K}, 0, 4).validate()), "entries: must be at least 1");
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {kPage4K}, 96, 0).validate()), "<ok>");  // fully associative
    EXPECT_EQ(err(tlb("X", 0, TlbKind::Data, {kPage4K}, 64, 4).validate()).substr(0, 6), "level:");
    EXPECT_EQ(err(tlb("", 1, TlbKind::Data, {kPage4K}, 64, 4).validate()).substr(0, 5), "name:");
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {}, 64, 4).validate()), "page_sizes: must list at least one page size");
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {kPage4K, kPage4K}, 64, 4).validate()),
              "page_sizes: 4 KiB is listed twice");
}

TEST(MmuConfig, ReplacementErrors) {
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {kPage4K}, 64, 4, "lur").validate()),
              "replacement: unknown TLB replacement policy 'lur'; did you mean 'lru'?");
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {kPage4K}, 64, 4, "tree-lru").validate()),
              "replacement: unknown TLB replacement policy 'tree-lru'; did you mean 'tree-plru'?");
    EXPECT_EQ(err(tlb("X", 1, TlbKind::Data, {kPage4K}, 1536, 12, "tree-plru").validate()),
              "replacement: tree-plru needs a power-of-two number of ways (got 12)");
}

TEST(MmuConfig, HierarchyErrorsNameTheStructure) {
    auto m = intel();
    m.tlbs[2].ways = 3;
    EXPECT_EQ(err(m.validate()),
              "mmu.tlb[2].ways: 4 entries cannot be divided into 3-way sets (entries must be a multiple of ways)");
    m = intel();
    m.tlbs[4].name = "L1I";
    EXPECT_EQ(err(m.validate()), "mmu.tlb[4].name: 'L1I' is already the name of mmu.tlb[3]");
    m = intel();
    m.tlbs.push_back(tlb("L1U", 1, TlbKind::Unified, {kPage2M}, 16, 4));
    EXPECT_EQ(err(m.validate()),
              "mmu.tlb[5].page_sizes: level 1 already holds 2 MiB pages for data accesses in mmu.tlb[1] ('L1D-2M'); "
              "give each page size one structure per level and access kind");
    m = intel();
    m.tlbs.push_back(tlb("L1I-2M", 1, TlbKind::Instruction, {kPage2M}, 16, 4));  // no overlap: fine
    EXPECT_EQ(err(m.validate()), "<ok>");
    m = intel();
    m.pwc.entries = {2, 100000};
    EXPECT_EQ(err(m.validate()), "mmu.pwc.entries[1]: 100000 entries is too many (at most 4096)");
    m = intel();
    m.cost.memory_ref_cycles = 5'000'000;
    EXPECT_EQ(err(m.validate()), "mmu.cost.memory_ref_cycles: 5000000 is out of range (at most 1000000)");
}
