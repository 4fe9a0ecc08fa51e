// Stats reflection (core/stats.hpp): every stats struct's field list is complete and its
// names unique, and diff, JSON, CSV and text follow the lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "vmlab/core/stats.hpp"
#include "vmlab/core/stats_json.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/phys_mem.hpp"
#include "vmlab/os/stats.hpp"

namespace vmlab {
namespace {

template <class S>
void expect_well_formed() {
    std::set<std::string> names;
    for (const auto& f : stat_field_infos<S>()) {
        EXPECT_TRUE(names.insert(f.name).second) << "duplicate name " << f.name;
        EXPECT_FALSE(f.description.empty()) << f.name;
        if (f.kind != StatKind::Label) {
            EXPECT_FALSE(f.unit.empty()) << f.name;
        }
        for (char c : f.name) {
            EXPECT_TRUE(std::islower(c) || std::isdigit(c) || c == '_' || c == '.' || c == '[' || c == ']') << f.name;
        }
    }
}

// All-uint64 structs: a field list that forgets a member is too short for the struct.
TEST(StatsFields, ListsEveryMember) {
    EXPECT_EQ(stat_field_count<FaultCounters>() * 8, sizeof(FaultCounters));
    EXPECT_EQ(stat_field_count<FrameAllocStats>() * 8, sizeof(FrameAllocStats));
    // KernelStats: the nested FaultCounters and 8-byte counters.
    EXPECT_EQ(sizeof(FaultCounters) + (stat_field_count<KernelStats>() - 1) * 8, sizeof(KernelStats));
    // MmuStats: 11 counters, the TLB vector and the per-level PWC vector.
    EXPECT_EQ((stat_field_count<MmuStats>() - 2) * 8 + 2 * sizeof(std::vector<int>), sizeof(MmuStats));
    // TlbStats: the name and 7 counters.
    EXPECT_EQ((stat_field_count<TlbStats>() - 1) * 8 + sizeof(std::string), sizeof(TlbStats));
}

TEST(StatsFields, NamesAreUniqueAndDescribed) {
    expect_well_formed<FaultCounters>();
    expect_well_formed<KernelStats>();
    expect_well_formed<MmuStats>();
    expect_well_formed<TlbStats>();
    expect_well_formed<FrameAllocStats>();
    const auto k = stat_field_infos<KernelStats>();
    ASSERT_EQ(k.size(), 14u + 20u);
    EXPECT_EQ(k[0].name, "faults.minor");
    EXPECT_EQ(k[14].name, "accesses");
    const auto m = stat_field_infos<MmuStats>();
    bool tlb_hits = false;
    for (const auto& f : m) tlb_hits |= f.name == "tlbs[].hits";
    EXPECT_TRUE(tlb_hits);
}

TEST(StatsDiff, CountersSubtractGaugesAndLabelsKeepTheLaterValue) {
    KernelStats before, after;
    before.faults.minor = 3;
    after.faults.minor = 10;
    before.accesses = 100;
    after.accesses = 150;
    before.page_cache_pages = 40;  // a gauge
    after.page_cache_pages = 25;
    before.anon_pages = 7;
    after.anon_pages = 9;
    const KernelStats d = diff(after, before);
    EXPECT_EQ(d.faults.minor, 7u);
    EXPECT_EQ(d.accesses, 50u);
    EXPECT_EQ(d.page_cache_pages, 25u);
    EXPECT_EQ(d.anon_pages, 9u);
    EXPECT_EQ(d.committed_pages, 0u);

    MmuStats mb, ma;
    mb.translations = 5;
    ma.translations = 8;
    mb.tlbs = {TlbStats{"L1D", 5, 3, 2}};
    ma.tlbs = {TlbStats{"L1D", 8, 5, 3}, TlbStats{"L2", 3, 1, 2}};
    mb.pwc_hits_per_level = {1, 2};
    ma.pwc_hits_per_level = {4, 2, 6};
    const MmuStats md = diff(ma, mb);
    EXPECT_EQ(md.translations, 3u);
    ASSERT_EQ(md.tlbs.size(), 2u);
    EXPECT_EQ(md.tlbs[0].name, "L1D");
    EXPECT_EQ(md.tlbs[0].lookups, 3u);
    EXPECT_EQ(md.tlbs[0].hits, 2u);
    EXPECT_EQ(md.tlbs[1].lookups, 3u);  // no counterpart before: kept
    EXPECT_EQ(md.pwc_hits_per_level, (std::vector<std::uint64_t>{3, 0, 6}));
}

TEST(StatsJson, ObjectsArraysAndLabels) {
    KernelStats k;
    k.faults.cow_copy = 4;
    k.shootdowns = 2;
    const auto j = stats_json(k);
    EXPECT_EQ(j.size(), stat_field_count<KernelStats>());
    ASSERT_TRUE(j["faults"].is_object());
    EXPECT_EQ(j["faults"].size(), stat_field_count<FaultCounters>());
    EXPECT_EQ(j["faults"]["cow_copy"], 4);
    EXPECT_EQ(j["shootdowns"], 2);

    MmuStats m;
    m.tlb_hits = 9;
    m.tlbs = {TlbStats{"L1D-4K", 10, 9, 1}};
    m.pwc_hits_per_level = {0, 5};
    const auto mj = stats_json(m);
    EXPECT_EQ(mj["tlb_hits"], 9);
    ASSERT_TRUE(mj["tlbs"].is_array());
    EXPECT_EQ(mj["tlbs"][0]["name"], "L1D-4K");
    EXPECT_EQ(mj["tlbs"][0]["misses"], 1);
    EXPECT_EQ(mj["tlbs"][0].size(), stat_field_count<TlbStats>());
    EXPECT_EQ(mj["pwc_hits_per_level"], nlohmann::json::array({0, 5}));
}

TEST(StatsCsv, DottedHeaderAndMatchingRow) {
    FrameAllocStats f{1, 2, 3, 4, 5};
    EXPECT_EQ(stats_csv_header(f), "allocs,frees,failures,splits,merges");
    EXPECT_EQ(stats_csv_row(f), "1,2,3,4,5");

    KernelStats k;
    k.faults.major = 6;
    const std::string h = stats_csv_header(k);
    EXPECT_EQ(h.rfind("faults.minor,faults.major,", 0), 0u) << h;
    EXPECT_EQ(stats_csv_row(k).rfind("0,6,", 0), 0u);
    EXPECT_EQ(std::count(h.begin(), h.end(), ','), 14 + 20 - 1);

    MmuStats m;
    m.tlbs = {TlbStats{"a,\"b\"", 1}};
    m.pwc_hits_per_level = {7};
    const std::string mh = stats_csv_header(m);
    EXPECT_NE(mh.find(",tlbs.0.name,tlbs.0.lookups,"), std::string::npos) << mh;
    EXPECT_NE(mh.find(",pwc_hits_per_level.0"), std::string::npos) << mh;
    const std::string mr = stats_csv_row(m);
    EXPECT_NE(mr.find(",\"a,\"\"b\"\"\",1,"), std::string::npos) << mr;
    EXPECT_EQ(std::count(mh.begin(), mh.end(), ','), std::count(mr.begin(), mr.end(), ',') - 1);  // one comma is quoted
}

TEST(StatsText, NameValueLines) {
    FaultCounters f;
    f.minor = 64;
    f.sigbus = 1;
    const std::string t = stats_text(f);
    EXPECT_EQ(t.rfind("minor 64\nmajor 0\n", 0), 0u) << t;
    EXPECT_NE(t.find("\nsigbus 1\n"), std::string::npos) << t;
    EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 14);
    KernelStats k;
    k.faults.minor = 2;
    EXPECT_EQ(stats_text(k).rfind("faults.minor 2\n", 0), 0u);
}

}  // namespace
}  // namespace vmlab
