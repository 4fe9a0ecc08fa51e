// The explain session (sim/): the CS:APP small memory system against the book, the demo
// machine, OSTEP dumps against the simulator's solutions, and bad input. The translations
// are read through the report's JSON (report/explain.hpp) of what the session returns.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "vmlab/report/explain.hpp"
#include "vmlab/sim/explain_session.hpp"

namespace vmlab {
namespace {

const std::string kCsapp = std::string(VMLAB_SOURCE_DIR) + "/examples/csapp-small.state.toml";

ExplainSession open_ok(ExplainRequest req) {
    auto s = ExplainSession::open(req);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().str());
    if (!s) std::abort();
    return std::move(*s);
}

// Runs the session and hands its data to the report, as `vmlab explain` does.
ExplainRun explain_run(ExplainSession& s) {
    ExplainRun r;
    r.translations = s.run();
    r.state_origin = s.state_origin();
    r.root = s.state().page_table->root();
    for (const auto& m : s.state().mappings) r.mappings.push_back({m.va, m.pa, m.size, m.prot, m.what});
    r.stats = s.mmu_stats();
    return r;
}
nlohmann::json run_json(ExplainSession& s) { return explain_run_json(explain_run(s), s.machine()); }
std::string run_text(ExplainSession& s) { return explain_run_text(explain_run(s), s.machine()); }

std::string write_temp(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + name;
    std::ofstream(path) << text;
    return path;
}

// CS:APP 3e §9.6.4 and practice problems 9.11-9.13, computed by hand from Figure 9.20:
// VPN = VA[13:6], VPO = VA[5:0], TLBI = VPN[1:0], TLBT = VPN[7:2].
TEST(ExplainCsapp, TheBooksTranslations) {
    ExplainRequest req;
    req.state_file = kCsapp;
    req.addresses = {"0x03d4", "0x027c", "0x03a9", "0x0040", "0x0b8f"};
    auto s = open_ok(req);
    EXPECT_EQ(s.machine().config().name, "csapp-small");
    const auto j = run_json(s);
    const auto& tr = j["translations"];
    ASSERT_EQ(tr.size(), 5u);

    // 0x03d4: VPN 0x0f, VPO 0x14, TLBI 3, TLBT 0x03 -> TLB hit (set 3, way 1: 03/0D/1), PA 0x354.
    const auto& a = tr[0];
    EXPECT_EQ(a["split"][0]["index"], 0x0f);
    EXPECT_EQ(a["offset"]["value"], 0x14);
    ASSERT_EQ(a["tlb"].size(), 1u);
    EXPECT_EQ(a["tlb"][0]["set"], 3);
    EXPECT_EQ(a["tlb"][0]["tag"], "0x3");
    EXPECT_EQ(a["tlb"][0]["hit"], true);
    EXPECT_EQ(a["tlb"][0]["way"], 1);
    EXPECT_EQ(a["walked"], false);
    EXPECT_EQ(a["result"]["ok"], true);
    EXPECT_EQ(a["result"]["pa"], "0x354");
    EXPECT_EQ(a["result"]["frame"], "0xd");
    EXPECT_EQ(a["result"]["byte"], "0x36");

    // 0x027c: VPN 0x09, TLBI 1, TLBT 0x02 (set 1 way 1 holds tag 02 but invalid) -> miss;
    // PTE 0x09 -> PPN 0x17 -> PA 0x5fc.
    const auto& b = tr[1];
    EXPECT_EQ(b["tlb"][0]["set"], 1);
    EXPECT_EQ(b["tlb"][0]["tag"], "0x2");
    EXPECT_EQ(b["tlb"][0]["hit"], false);
    EXPECT_EQ(b["walked"], true);
    ASSERT_EQ(b["walk"].size(), 1u);
    EXPECT_EQ(b["walk"][0]["index"], 0x09);
    EXPECT_EQ(b["walk"][0]["entry_pa"], "0xe12");  // root 0xe00 + 9 * 2 bytes
    EXPECT_EQ(b["result"]["pa"], "0x5fc");

    // 0x03a9: VPN 0x0e, TLBI 2, TLBT 0x03 (set 2 way 3 invalid) -> miss; PPN 0x11 -> PA 0x469.
    const auto& c = tr[2];
    EXPECT_EQ(c["tlb"][0]["set"], 2);
    EXPECT_EQ(c["tlb"][0]["tag"], "0x3");
    EXPECT_EQ(c["tlb"][0]["hit"], false);
    EXPECT_EQ(c["result"]["pa"], "0x469");

    // 0x0040: VPN 0x01, TLBI 1, TLBT 0x00 -> miss; PTE 0x01 invalid -> page fault.
    const auto& d = tr[3];
    EXPECT_EQ(d["tlb"][0]["set"], 1);
    EXPECT_EQ(d["tlb"][0]["tag"], "0x0");
    EXPECT_EQ(d["result"]["ok"], false);
    EXPECT_EQ(d["result"]["fault"]["kind"], "not-present");

    // 0x0b8f: VPN 0x2e, TLBI 2, TLBT 0x0b -> miss; PTE 0x2e not valid -> page fault.
    const auto& e = tr[4];
    EXPECT_EQ(e["split"][0]["index"], 0x2e);
    EXPECT_EQ(e["offset"]["value"], 0x0f);
    EXPECT_EQ(e["tlb"][0]["set"], 2);
    EXPECT_EQ(e["tlb"][0]["tag"], "0xb");
    EXPECT_EQ(e["result"]["fault"]["kind"], "not-present");

    EXPECT_EQ(j["stats"]["translations"], 5);
    EXPECT_EQ(j["stats"]["tlb_hits"], 1);
}

TEST(ExplainCsapp, TextShowsTheBooksFields) {
    ExplainRequest req;
    req.state_file = kCsapp;
    req.addresses = {"0x03d4"};
    auto s = open_ok(req);
    const std::string t = run_text(s);
    EXPECT_NE(t.find("VA 0x03d4: read by user on csapp-small"), std::string::npos) << t;
    // The book's bit vector of 0x03d4: 00 0011 1101 0100, cut between VPN and VPO.
    EXPECT_NE(t.find("             0  0  0  0  1  1  1  1 |  0  1  0  1  0  0\n"), std::string::npos) << t;
    EXPECT_NE(t.find("PTE[13:6] = 0x0f   offset[5:0] = 0x14"), std::string::npos) << t;
    EXPECT_NE(t.find("set 3  tag 0x03  -> hit (way 1)"), std::string::npos) << t;
    EXPECT_NE(t.find("PA 0x354  (frame 0x0d + offset 0x14, 64 B page)"), std::string::npos) << t;
    EXPECT_NE(t.find("memory[0x354] = 0x36"), std::string::npos) << t;
}

// A TLB miss fills the TLB: the same page again hits (page 0x09 after 0x027c).
TEST(ExplainCsapp, SecondAccessHitsTheFilledEntry) {
    ExplainRequest req;
    req.state_file = kCsapp;
    req.addresses = {"0x027c", "0x0240"};
    auto s = open_ok(req);
    const auto j = run_json(s);
    EXPECT_EQ(j["translations"][0]["walked"], true);
    EXPECT_EQ(j["translations"][1]["walked"], false);
    EXPECT_EQ(j["translations"][1]["tlb"][0]["hit"], true);
    EXPECT_EQ(j["translations"][1]["result"]["pa"], "0x5c0");
}

TEST(ExplainDemo, X86WalkHitHugePageProtectionAndCanonical) {
    ExplainRequest req;
    req.addresses = {"0x400010", "0x400020", "0x40000010", "0x0000800000000000"};
    auto s = open_ok(req);
    const auto j = run_json(s);
    const auto& tr = j["translations"];
    // Cold: four levels read from memory (PML4, PDPT, PD, PT).
    EXPECT_EQ(tr[0]["walked"], true);
    ASSERT_EQ(tr[0]["walk"].size(), 4u);
    EXPECT_EQ(tr[0]["walk"][0]["name"], "PML4");
    EXPECT_EQ(tr[0]["walk"][3]["name"], "PT");
    EXPECT_EQ(tr[0]["walk"][3]["kind"], "leaf");
    EXPECT_EQ(tr[0]["split"].size(), 4u);
    EXPECT_EQ(tr[0]["split"][2]["index"], 2);  // 0x400000 >> 21
    // Same page: an L1 hit.
    EXPECT_EQ(tr[1]["walked"], false);
    EXPECT_EQ(tr[1]["result"]["ok"], true);
    // The 2 MiB page: the walk stops at the PD, 21 offset bits.
    EXPECT_EQ(tr[2]["result"]["page_size"], 2u << 20);
    EXPECT_EQ(tr[2]["split"].size(), 3u);
    EXPECT_EQ(tr[2]["offset"]["hi"], 20);
    // Above 2^47 and not sign-extended: no walk.
    EXPECT_EQ(tr[3]["result"]["fault"]["kind"], "non-canonical");
    EXPECT_EQ(tr[3]["walked"], false);
    EXPECT_EQ(tr[3]["split"].size(), 0u);
}

TEST(ExplainDemo, WriteToReadOnlyPageIsAProtectionFault) {
    ExplainRequest req;
    req.addresses = {"0x500000"};
    req.write = true;
    auto s = open_ok(req);
    const auto j = run_json(s);
    EXPECT_EQ(j["translations"][0]["access"], "write");
    EXPECT_EQ(j["translations"][0]["result"]["fault"]["kind"], "protection");
    EXPECT_NE(j["translations"][0]["result"]["fault"]["reason"].get<std::string>().find("user write"),
              std::string::npos);
}

TEST(ExplainDemo, DataPageShowsItsBytes) {
    ExplainRequest req;
    req.addresses = {"0x600000"};
    auto s = open_ok(req);
    const auto j = run_json(s);
    EXPECT_EQ(j["translations"][0]["result"]["byte"], "0x68");  // 'h' of "hello, vmlab"
}

TEST(ExplainDemo, EveryPresetBuildsADemoAndTranslatesItsExamples) {
    for (const auto& name : preset_names()) {
        ExplainRequest req;
        req.config.preset = name;
        auto s = ExplainSession::open(req);
        ASSERT_TRUE(s.has_value()) << name << ": " << s.error().str();
        const auto j = run_json(*s);
        ASSERT_FALSE(j["translations"].empty()) << name;
        for (const auto& t : j["translations"])
            EXPECT_EQ(t["result"]["ok"], true) << name << " " << t.dump();
    }
}

TEST(ExplainJson, Structure) {
    ExplainRequest req;
    req.addresses = {"0x400000"};
    auto s = open_ok(req);
    const auto j = run_json(s);
    for (const char* k : {"machine", "state", "root", "translations", "stats"}) EXPECT_TRUE(j.contains(k)) << k;
    const auto& t = j["translations"][0];
    for (const char* k : {"va", "access", "privilege", "va_bits", "split", "offset", "tlb", "walked", "walk", "result"})
        EXPECT_TRUE(t.contains(k)) << k;
    for (const char* k : {"level", "name", "index", "pwc_hit", "kind", "entry_pa", "raw", "flags", "ad_written"})
        EXPECT_TRUE(t["walk"][0].contains(k)) << k;
    for (const char* k : {"structure", "level", "page_size", "set", "tag", "hit", "way"})
        EXPECT_TRUE(t["tlb"][0].contains(k)) << k;
    EXPECT_EQ(t["va"], "0x400000");
    EXPECT_EQ(j["state"], "demo");
}

Error open_err(ExplainRequest req) {
    auto s = ExplainSession::open(req);
    EXPECT_FALSE(s.has_value());
    return s ? Error("opened") : s.error();
}

TEST(ExplainErrors, BadAddress) {
    ExplainRequest req;
    req.addresses = {"0x12zz"};
    EXPECT_NE(open_err(req).message.find("address '0x12zz'"), std::string::npos);
    req.addresses = {""};
    EXPECT_FALSE(ExplainSession::open(req).has_value());
}

TEST(ExplainErrors, BadStateFiles) {
    ExplainRequest req;
    req.addresses = {"0x0"};
    req.state_file = "/nonexistent/state.toml";
    EXPECT_NE(open_err(req).message.find("cannot open state file"), std::string::npos);

    req.state_file = write_temp("syntax.toml", "machine = \"csapp-small\"\n[[page]\n");
    Error e = open_err(req);
    EXPECT_EQ(e.where.line, 2u);
    EXPECT_NE(e.message.find("TOML syntax error"), std::string::npos);

    req.state_file = write_temp("key.toml", "machine = \"csapp-small\"\n\n[[page]]\nvpn = 1\nppm = 2\n");
    e = open_err(req);
    EXPECT_EQ(e.message, "unknown key 'page[0].ppm'; did you mean 'ppn'?");
    EXPECT_EQ(e.where.line, 5u);

    req.state_file = write_temp("top.toml", "machin = \"csapp-small\"\n");
    e = open_err(req);
    EXPECT_EQ(e.message, "unknown key 'machin'; did you mean 'machine'?");

    req.state_file = write_temp("noppn.toml", "machine = \"csapp-small\"\n[[page]]\nvpn = 1\n");
    e = open_err(req);
    EXPECT_NE(e.message.find("exactly one of pa and ppn"), std::string::npos) << e.message;
    EXPECT_EQ(e.where.line, 2u);

    req.state_file = write_temp("tlbname.toml",
                                "machine = \"csapp-small\"\n[[tlb]]\nstructure = \"TBL\"\nset = 0\ntag = 1\nppn = 2\n");
    e = open_err(req);
    EXPECT_NE(e.message.find("unknown TLB structure 'TBL'; did you mean 'TLB'?"), std::string::npos) << e.message;
    EXPECT_EQ(e.where.line, 2u);

    req.state_file = write_temp("tlbset.toml",
                                "machine = \"csapp-small\"\n[[tlb]]\nstructure = \"TLB\"\nset = 9\ntag = 1\nppn = 2\n");
    e = open_err(req);
    EXPECT_EQ(e.where.line, 2u) << e.str();

    req.state_file = write_temp("mem.toml", "machine = \"csapp-small\"\n[[memory]]\npa = 0xfff\nbytes = [1, 2]\n");
    e = open_err(req);
    EXPECT_NE(e.message.find("do not fit"), std::string::npos) << e.message;
    EXPECT_EQ(e.where.line, 2u);

    req.state_file = write_temp("byte.toml", "machine = \"csapp-small\"\n[[memory]]\npa = 0\nbytes = [256]\n");
    e = open_err(req);
    EXPECT_NE(e.message.find("not a byte"), std::string::npos) << e.message;

    req.state_file = write_temp("root.toml", "machine = \"csapp-small\"\nroot = 0x801\n");
    e = open_err(req);
    EXPECT_NE(e.message.find("not aligned"), std::string::npos) << e.message;

    req.state_file = write_temp("map.toml", "machine = \"csapp-small\"\n[[page]]\nva = 0x41\npa = 0x80\n");
    e = open_err(req);
    EXPECT_EQ(e.where.line, 2u) << e.str();

    req.state_file = write_temp("preset.toml", "machine = \"csapp-smal\"\n");
    e = open_err(req);
    EXPECT_NE(e.message.find("did you mean 'csapp-small'?"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace vmlab

namespace vmlab {
namespace {

// OSTEP's paging-multilevel-translate.py in solve mode prints, for each VA, the PDE and
// PTE it reads and the PA and byte (or the fault). vmlab explain on the same dump must read
// the same entries and reach the same result. Every solve-mode reference output kept in
// tests/data/ostep is checked.
struct OstepExpect {
    std::uint64_t va = 0;
    std::uint64_t pde_index = 0, pde = 0;
    std::optional<std::uint64_t> pte_index, pte;
    std::optional<std::uint64_t> pa, value;
    int fault_level = -1;  // 0: page directory entry not valid, 1: page table entry not valid
};

std::vector<OstepExpect> parse_ostep_solution(const std::string& text) {
    std::vector<OstepExpect> out;
    std::istringstream in(text);
    std::string line;
    const std::regex va_re(R"(^Virtual Address 0x([0-9a-f]+):)");
    const std::regex pde_re(R"(--> pde index:0x([0-9a-f]+) .* pde contents:0x([0-9a-f]+) )");
    const std::regex pte_re(R"(--> pte index:0x([0-9a-f]+) .* pte contents:0x([0-9a-f]+) )");
    const std::regex pa_re(R"(--> Translates to Physical Address 0x([0-9a-f]+) --> Value: (0x)?([0-9a-f]+))");
    std::smatch m;
    while (std::getline(in, line)) {
        auto hexv = [&](int i) { return std::stoull(m[i].str(), nullptr, 16); };
        if (std::regex_search(line, m, va_re)) {
            out.push_back(OstepExpect{});
            out.back().va = hexv(1);
        } else if (out.empty()) {
            continue;
        } else if (std::regex_search(line, m, pde_re)) {
            out.back().pde_index = hexv(1), out.back().pde = hexv(2);
        } else if (std::regex_search(line, m, pte_re)) {
            out.back().pte_index = hexv(1), out.back().pte = hexv(2);
        } else if (std::regex_search(line, m, pa_re)) {
            out.back().pa = hexv(1), out.back().value = hexv(3);
        } else if (line.find("Fault (page directory entry not valid)") != std::string::npos) {
            out.back().fault_level = 0;
        } else if (line.find("Fault (page table entry not valid)") != std::string::npos) {
            out.back().fault_level = 1;
        }
    }
    return out;
}

std::uint64_t hexs(const nlohmann::json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }

TEST(ExplainOstep, AgreesWithTheSimulatorOnEverySolvedDump) {
    const std::string dir = std::string(VMLAB_TEST_DATA) + "/ostep";
    int files = 0, vas = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string path = entry.path().string();
        if (entry.path().extension() != ".out" || path.find("vm-smalltables") == std::string::npos) continue;
        std::ifstream cmdf(entry.path().parent_path() / (entry.path().stem().string() + ".cmd"));
        std::string cmd((std::istreambuf_iterator<char>(cmdf)), std::istreambuf_iterator<char>());
        if (cmd.find(" -c") == std::string::npos || cmd.find("exit status 0") == std::string::npos) continue;
        std::ifstream outf(path);
        std::string text((std::istreambuf_iterator<char>(outf)), std::istreambuf_iterator<char>());
        const auto expect = parse_ostep_solution(text);
        if (expect.empty()) continue;
        ++files;

        ExplainRequest req;
        req.state_file = path;  // the dump's VAs are explained when no ADDR is given
        auto s = ExplainSession::open(req);
        ASSERT_TRUE(s.has_value()) << path << ": " << s.error().str();
        EXPECT_EQ(s->machine().config().name, "ostep-multilevel");
        const auto j = run_json(*s);
        const auto& tr = j["translations"];
        ASSERT_EQ(tr.size(), expect.size()) << path;
        for (std::size_t i = 0; i < expect.size(); ++i, ++vas) {
            const auto& e = expect[i];
            const auto& t = tr[i];
            SCOPED_TRACE(fmt::format("{} VA {:#x}", path, e.va));
            EXPECT_EQ(hexs(t["va"]), e.va);
            ASSERT_GE(t["walk"].size(), 1u);
            EXPECT_EQ(t["walk"][0]["index"], e.pde_index);
            EXPECT_EQ(hexs(t["walk"][0]["raw"]), e.pde);
            if (e.pte) {
                ASSERT_EQ(t["walk"].size(), 2u);
                EXPECT_EQ(t["walk"][1]["index"], *e.pte_index);
                EXPECT_EQ(hexs(t["walk"][1]["raw"]), *e.pte);
            } else {
                EXPECT_EQ(t["walk"].size(), 1u);
            }
            if (e.pa) {
                ASSERT_EQ(t["result"]["ok"], true);
                EXPECT_EQ(hexs(t["result"]["pa"]), *e.pa);
                EXPECT_EQ(hexs(t["result"]["byte"]), *e.value);
            } else {
                ASSERT_EQ(t["result"]["ok"], false);
                EXPECT_EQ(t["result"]["fault"]["kind"], "not-present");
                EXPECT_EQ(t["result"]["fault"]["level"], e.fault_level);
            }
        }
    }
    EXPECT_GE(files, 2);
    EXPECT_GE(vas, 20);
}

TEST(ExplainOstep, PdbrAndErrors) {
    const std::string dump = std::string(VMLAB_TEST_DATA) + "/ostep/vm-smalltables-001.out";
    ExplainRequest req;
    req.state_file = dump;
    req.addresses = {"0x611c"};
    req.pdbr = 108;  // the dump's own PDBR line says 108
    auto s = open_ok(req);
    EXPECT_EQ(run_json(s)["translations"][0]["result"]["pa"], "0x6bc");

    req.pdbr = 200;  // page 200 of a 128-page memory
    EXPECT_FALSE(ExplainSession::open(req).has_value());
    req.pdbr.reset();
    req.config.preset = "x86_64";
    EXPECT_NE(open_err(req).message.find("needs the ostep-multilevel machine"), std::string::npos);
    ExplainRequest bad;
    bad.state_file = write_temp("garbage.txt", "page 0: zz\n");
    bad.addresses = {"0x0"};
    EXPECT_FALSE(ExplainSession::open(bad).has_value());
    ExplainRequest nodump;
    nodump.pdbr = 3;
    nodump.addresses = {"0x0"};
    EXPECT_FALSE(ExplainSession::open(nodump).has_value());
}

// run() translates in the given order on CPU 0 and the counters count exactly those.
TEST(ExplainSessionRun, TracesInOrderAndCountersAfterThem) {
    ExplainRequest req;
    req.state_file = kCsapp;
    req.addresses = {"0x027c", "0x0240", "0x0040"};
    auto s = open_ok(req);
    EXPECT_EQ(s.state_origin(), kCsapp);
    const auto traces = s.run();
    ASSERT_EQ(traces.size(), 3u);
    EXPECT_EQ(traces[0].va.value, 0x027cu);
    EXPECT_TRUE(traces[0].walked);
    EXPECT_EQ(traces[1].tlb_hit_level, 1);  // the page the first one filled
    EXPECT_FALSE(traces[2].result.ok());
    EXPECT_EQ(s.mmu_stats().translations, 3u);
    EXPECT_EQ(s.mmu_stats().tlb_hits, 1u);
    EXPECT_EQ(s.mmu_stats().faults, 1u);
}

// The tour on x86-64: a cold walk of four levels, a TLB hit, a PWC-shortened walk, a 2 MiB
// page, a protection fault and a non-canonical address, in that order.
TEST(TranslationTour, StepsShowWhatTheyClaim) {
    auto tour = run_translation_tour(ConfigRequest{"x86_64", "", {}});
    ASSERT_TRUE(tour.has_value()) << tour.error().str();
    const auto& st = tour->steps;
    ASSERT_EQ(st.size(), 6u);
    EXPECT_EQ(st[0].trace.walk.size(), 4u);
    EXPECT_EQ(st[1].trace.tlb_hit_level, 1);
    EXPECT_GE(st[2].trace.pwc_level, 0);
    ASSERT_TRUE(st[3].trace.result.ok());
    EXPECT_EQ(st[3].trace.result.size.bytes(), 2u << 20);
    EXPECT_EQ(st[4].trace.result.fault.kind, FaultKind::Protection);
    EXPECT_EQ(st[5].trace.result.fault.kind, FaultKind::NonCanonical);
    EXPECT_TRUE(st[5].trace.tlb.empty());
    EXPECT_EQ(tour->session.mmu_stats().translations, 6u);
}

}  // namespace
}  // namespace vmlab
