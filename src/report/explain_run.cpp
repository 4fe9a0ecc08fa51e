// The whole `vmlab explain` report and the translation tour's text, over the data the
// explain session produced (sim/explain_session.hpp): the header, the address space, each
// translation (explain_text.cpp, explain_json.cpp) and the MMU's counters.
#include <fmt/format.h>

#include "report/explain_common.hpp"
#include "vmlab/core/stats_json.hpp"
#include "vmlab/core/strings.hpp"
#include "vmlab/report/explain.hpp"

namespace vmlab {

using explain_detail::hex;

namespace {

std::string prot_text(const Prot& p) {
    std::string s;
    s += p.read ? 'r' : '-';
    s += p.write ? 'w' : '-';
    s += p.exec ? 'x' : '-';
    return s + (p.user ? "" : " kernel");
}

// Words of `text` on lines of at most `width` characters.
std::string wrap(const std::string& text, std::size_t width) {
    std::string out, line;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        const std::string word = text.substr(start, end - start);
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
        start = end + 1;
    }
    return out + line + "\n";
}

}  // namespace

std::string explain_run_text(const ExplainRun& r, const Machine& m, const ExplainStyle& style) {
    std::string out;
    out += fmt::format("Machine: {} — {}\n", m.config().name, m.config().description);
    if (r.state_origin.empty()) {
        out += "No --state given: a demo address space (CPU 0, ASID 1):\n";
        out += mappings_text(r.mappings, m);
    } else {
        out += fmt::format("State: {} (page-table root {})\n", r.state_origin,
                           hex(r.root.value, explain_detail::pa_digits(m)));
    }
    for (const auto& t : r.translations) {
        out += "\n";
        out += explain_text(t, m, style);
    }
    out += "\n" + mmu_stats_text(r.stats);
    return out;
}

nlohmann::json explain_run_json(const ExplainRun& r, const Machine& m) {
    nlohmann::json j;
    j["machine"] = m.config().name;
    j["state"] = r.state_origin.empty() ? nlohmann::json("demo") : nlohmann::json(r.state_origin);
    j["root"] = hex(r.root.value);
    nlohmann::json tr = nlohmann::json::array();
    for (const auto& t : r.translations) tr.push_back(explain_json(t, m));
    j["translations"] = tr;
    j["stats"] = mmu_stats_json(r.stats);
    return j;
}

std::string translation_tour_text(const Machine& m, const std::vector<ExplainMapping>& mappings,
                                  const std::vector<TourLesson>& lessons, const MmuStats& stats) {
    std::string out;
    out += fmt::format("Address translation on {}: {}\n\n", m.config().name, m.config().description);
    out += fmt::format("A process's address space (CPU 0, ASID 1), mapped through {}-level {} page tables:\n",
                       m.format().geometry().depth(), m.format().name());
    out += mappings_text(mappings, m);
    ExplainStyle style;
    style.brief = true;
    unsigned n = 0;
    for (const auto& l : lessons) {
        out += "\n" + wrap(fmt::format("{}. {}. {}", ++n, l.title, l.lesson), 92);
        out += explain_text(l.trace, m, style);
    }
    out += "\n" + mmu_stats_text(stats);
    return out;
}

std::string mappings_text(const std::vector<ExplainMapping>& mappings, const Machine& m) {
    std::string out;
    const unsigned vd = explain_detail::va_digits(m, VirtAddr{0});
    const unsigned pd = explain_detail::pa_digits(m);
    for (const auto& mp : mappings) {
        out += fmt::format("    VA {:<12} -> PA {:<12} {:>7}  {:<9} {}\n", hex(mp.va.value, vd), hex(mp.pa.value, pd),
                           format_bytes(mp.size.bytes()), prot_text(mp.prot), mp.what);
    }
    return out;
}

std::string mmu_stats_text(const MmuStats& s) {
    std::string out = "Statistics (CPU 0)\n";
    out += fmt::format("    translations {}  TLB hits {}  walks {} ({} entry reads)  faults {}\n", s.translations,
                       s.tlb_hits, s.walks, s.walk_memory_refs, s.faults);
    if (s.pwc_hits || s.pwc_misses) out += fmt::format("    page-walk cache: {} hits, {} misses\n", s.pwc_hits, s.pwc_misses);
    if (s.ad_updates) out += fmt::format("    accessed/dirty updates by the walker: {}\n", s.ad_updates);
    out += fmt::format("    cycles {}  average {:.1f} per translation\n", s.cycles, s.average_cycles());
    for (const auto& t : s.tlbs) {
        if (!t.lookups && !t.fills) continue;
        out += fmt::format("    {:<8} lookups {:>4}  hits {:>4}  misses {:>4}  fills {:>4}\n", t.name, t.lookups,
                           t.hits, t.misses, t.fills);
    }
    return out;
}

nlohmann::json mmu_stats_json(const MmuStats& s) {
    nlohmann::json j = stats_json(s);
    j["average_cycles"] = s.average_cycles();
    return j;
}

}  // namespace vmlab
