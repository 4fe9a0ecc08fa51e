// report/explain.hpp and report/kernel_stats.hpp over hand-made data: the MMU counters as
// text and JSON (every field-list name), the run report's header and JSON document, the
// tour's numbered lessons, and the kernel statistics JSON.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "vmlab/core/stats_json.hpp"
#include "vmlab/report/explain.hpp"
#include "vmlab/report/kernel_stats.hpp"
#include "vmlab/sim/explain_session.hpp"

namespace vmlab {
namespace {

MmuStats sample_stats() {
    MmuStats s;
    s.translations = 6;
    s.tlb_hits = 1;
    s.walks = 5;
    s.walk_memory_refs = 12;
    s.faults = 2;
    s.pwc_hits = 1;
    s.pwc_misses = 4;
    s.cycles = 300;
    s.tlbs = {TlbStats{"L1D-4K", 6, 1, 5, 4}, TlbStats{"L1D-2M", 0, 0, 0, 0}};
    return s;
}

TEST(MmuStatsReport, TextNamesTheCountersAndSkipsUnusedStructures) {
    const std::string t = mmu_stats_text(sample_stats());
    EXPECT_EQ(t.rfind("Statistics (CPU 0)\n", 0), 0u) << t;
    EXPECT_NE(t.find("translations 6  TLB hits 1  walks 5 (12 entry reads)  faults 2\n"), std::string::npos) << t;
    EXPECT_NE(t.find("page-walk cache: 1 hits, 4 misses\n"), std::string::npos) << t;
    EXPECT_NE(t.find("cycles 300  average 50.0 per translation\n"), std::string::npos) << t;
    EXPECT_NE(t.find("L1D-4K"), std::string::npos);
    EXPECT_EQ(t.find("L1D-2M"), std::string::npos);  // never looked up nor filled
    EXPECT_EQ(t.find("accessed/dirty"), std::string::npos);
}

TEST(MmuStatsReport, JsonHasEveryFieldAndTheAverage) {
    const auto j = mmu_stats_json(sample_stats());
    for (const auto& f : stat_field_infos<MmuStats>()) {
        if (f.name.find('[') != std::string::npos) continue;
        EXPECT_TRUE(j.contains(f.name)) << f.name;
    }
    EXPECT_EQ(j["walk_memory_refs"], 12);
    EXPECT_DOUBLE_EQ(j["average_cycles"].get<double>(), 50.0);
    ASSERT_EQ(j["tlbs"].size(), 2u);
    EXPECT_EQ(j["tlbs"][0]["name"], "L1D-4K");
    EXPECT_EQ(j["tlbs"][0]["fills"], 4);
}

TEST(ExplainRunReport, DemoHeaderMappingsTranslationsAndStats) {
    auto s = ExplainSession::open(ExplainRequest{});
    ASSERT_TRUE(s.has_value()) << s.error().str();
    ExplainRun r;
    r.mappings = {ExplainMapping{VirtAddr{0x400000}, PhysAddr{0x5000}, PageSize{12}, Prot{true, false, true, true},
                                 "code"}};
    r.translations = {s->translate(VirtAddr{0x400000}, AccessKind::Read, Privilege::User)};
    r.stats = sample_stats();
    const std::string t = explain_run_text(r, s->machine());
    EXPECT_EQ(t.rfind("Machine: " + s->machine().config().name + " — ", 0), 0u) << t;
    EXPECT_NE(t.find("No --state given: a demo address space (CPU 0, ASID 1):\n    VA "), std::string::npos) << t;
    EXPECT_NE(t.find("4 KiB  r-x       code\n"), std::string::npos) << t;
    EXPECT_NE(t.find("\nStatistics (CPU 0)\n    translations 6"), std::string::npos) << t;

    r.state_origin = "state.toml";
    r.root = PhysAddr{0x2000};
    const std::string st = explain_run_text(r, s->machine());
    EXPECT_NE(st.find("State: state.toml (page-table root 0x"), std::string::npos) << st;
    EXPECT_EQ(st.find("code\n"), std::string::npos);

    const auto j = explain_run_json(r, s->machine());
    EXPECT_EQ(j["state"], "state.toml");
    EXPECT_EQ(j["root"], "0x2000");
    EXPECT_EQ(j["translations"].size(), 1u);
    EXPECT_EQ(j["stats"]["translations"], 6);
}

TEST(TourReport, LessonsAreNumberedAndWrapped) {
    auto s = ExplainSession::open(ExplainRequest{});
    ASSERT_TRUE(s.has_value()) << s.error().str();
    std::vector<TourLesson> lessons;
    std::string longer;
    for (int i = 0; i < 30; ++i) longer += "word ";
    lessons.push_back({"First", "One sentence.", s->translate(VirtAddr{0x400000}, AccessKind::Read, Privilege::User)});
    lessons.push_back({"Second", longer, s->translate(VirtAddr{0x400000}, AccessKind::Read, Privilege::User)});
    const std::string t = translation_tour_text(s->machine(), {}, lessons, sample_stats());
    EXPECT_EQ(t.rfind("Address translation on " + s->machine().config().name + ": ", 0), 0u) << t;
    EXPECT_NE(t.find("\n1. First. One sentence.\n"), std::string::npos) << t;
    EXPECT_NE(t.find("\n2. Second. word"), std::string::npos) << t;
    std::size_t start = 0;
    while (start < t.size()) {
        const std::size_t end = t.find('\n', start);
        const std::string line = t.substr(start, end - start);
        if (line.rfind("2. Second", 0) == 0) {
            EXPECT_LE(line.size(), 92u) << line;
        }
        start = end == std::string::npos ? t.size() : end + 1;
    }
    EXPECT_NE(t.find("Statistics (CPU 0)"), std::string::npos);
}

TEST(KernelStatsReport, JsonIsTheFieldListPlusOneObjectPerCpu) {
    auto s = ExplainSession::open(ExplainRequest{});
    ASSERT_TRUE(s.has_value()) << s.error().str();
    KernelStats k;
    k.faults.zero_page = 64;
    k.lazy_flushes = 3;
    k.page_cache_pages = 5;
    const auto j = report::kernel_stats_json(k, s->machine());
    EXPECT_EQ(j.size(), stat_field_count<KernelStats>() + 1);
    EXPECT_EQ(j["faults"]["zero_page"], 64);
    EXPECT_EQ(j["lazy_flushes"], 3);
    EXPECT_EQ(j["page_cache_pages"], 5);
    ASSERT_EQ(j["cpus"].size(), s->machine().cpu_count());
    EXPECT_EQ(j["cpus"][0], stats_json(s->machine().mmu(0).stats()));
}

TEST(KernelStatsReport, CsvHeaderAndRowMatch) {
    auto s = ExplainSession::open(ExplainRequest{});
    ASSERT_TRUE(s.has_value()) << s.error().str();
    s->translate(VirtAddr{0x400000}, AccessKind::Read, Privilege::User);
    KernelStats k;
    k.faults.minor = 7;
    std::ostringstream os;
    report::write_kernel_stats_csv(os, k, s->machine());
    std::istringstream in(os.str());
    std::string header, row, extra;
    ASSERT_TRUE(std::getline(in, header));
    ASSERT_TRUE(std::getline(in, row));
    EXPECT_FALSE(std::getline(in, extra));
    EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(row.begin(), row.end(), ','));
    EXPECT_EQ(header.rfind("faults.minor,faults.major,", 0), 0u) << header;
    EXPECT_EQ(row.rfind("7,0,", 0), 0u) << row;
    EXPECT_NE(header.find(",cpus.0.translations,"), std::string::npos) << header;
    EXPECT_NE(header.find(",cpus.0.tlbs.0.name,"), std::string::npos) << header;
    // The column of cpus.0.translations holds CPU 0's count (one translation above).
    std::vector<std::string> names, values;
    for (std::istringstream h(header); std::getline(h, extra, ',');) names.push_back(extra);
    for (std::istringstream r(row); std::getline(r, extra, ',');) values.push_back(extra);
    ASSERT_EQ(names.size(), values.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == "cpus.0.translations") {
            EXPECT_EQ(values[i], "1");
        }
    }
}

}  // namespace
}  // namespace vmlab
