#include "vmlab/sim/explain_session.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "report/explain_common.hpp"
#include "vmlab/compat/ostep.hpp"
#include "vmlab/core/strings.hpp"
#include "vmlab/hw/phys_mem.hpp"

namespace vmlab {

using explain_detail::hex;

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string prot_text(const Prot& p) {
    std::string s;
    s += p.read ? 'r' : '-';
    s += p.write ? 'w' : '-';
    s += p.exec ? 'x' : '-';
    return s + (p.user ? "" : " kernel");
}

}  // namespace

Result<ExplainSession> ExplainSession::open(const ExplainRequest& req) {
    ExplainSession s;
    s.style_ = req.style;
    s.access_ = req.write ? AccessKind::Write : req.exec ? AccessKind::Execute : AccessKind::Read;
    s.priv_ = req.kernel ? Privilege::Kernel : Privilege::User;

    for (const auto& a : req.addresses) {
        auto v = parse_u64(a);
        if (!v) return fail(Error(fmt::format("address '{}': {}", a, v.error().message)));
        s.addresses_.push_back(VirtAddr{*v});
    }

    ConfigRequest creq = req.config;
    std::optional<StateFile> state;
    std::optional<compat::OstepMemoryDump> dump;
    if (!req.state_file.empty()) {
        s.state_origin_ = req.state_file;
        if (ends_with(req.state_file, ".toml")) {
            auto sf = load_state_file(req.state_file);
            if (!sf) return fail(sf.error());
            if (creq.preset.empty() && creq.file.empty()) creq.preset = sf->machine;
            state = std::move(*sf);
        } else {
            // Anything else is read as a memory dump printed by OSTEP's
            // paging-multilevel-translate.py, for the ostep-multilevel machine.
            std::ifstream in(req.state_file, std::ios::binary);
            if (!in) return fail(Error(fmt::format("cannot open state file '{}'", req.state_file)));
            std::ostringstream ss;
            ss << in.rdbuf();
            auto d = compat::parse_ostep_multilevel_dump(ss.str(), req.state_file);
            if (!d)
                return fail(Error(d.error().message + " (a state file is a .toml machine-state file or an OSTEP "
                                                      "memory dump)",
                                  d.error().where));
            if (creq.preset.empty() && creq.file.empty()) creq.preset = "ostep-multilevel";
            dump = std::move(*d);
        }
    }
    if (req.pdbr && !dump) return fail("--pdbr applies to an OSTEP memory dump given with --state");

    auto cfg = resolve_config(creq);
    if (!cfg) return fail(cfg.error());
    auto machine = Machine::create(cfg->machine);
    if (!machine) return fail(machine.error());
    s.machine_ = std::move(*machine);

    if (state) {
        auto loaded = apply_state(*state, *s.machine_, 0);
        if (!loaded) return fail(loaded.error());
        s.state_ = std::move(*loaded);
    } else if (dump) {
        if (s.machine_->format().name() != "ostep-2level")
            return fail(fmt::format("an OSTEP memory dump needs the ostep-multilevel machine (format ostep-2level); "
                                    "this machine's format is {}",
                                    s.machine_->format().name()));
        const std::optional<unsigned> pdbr = req.pdbr ? req.pdbr : dump->pdbr;
        if (!pdbr) return fail(Error("the dump has no PDBR line: give --pdbr N (the page directory's page number)",
                                     Location{req.state_file, 0, 0, 0, -1}));
        const PageSize page = s.machine_->mem().frame_size();
        auto loaded = apply_memory_image(dump->bytes, PhysAddr{std::uint64_t{*pdbr} << page.shift}, *s.machine_, 0);
        if (!loaded) return fail(Error("--pdbr: " + loaded.error().message));
        s.state_ = std::move(*loaded);
        for (std::uint32_t va : dump->vas) s.state_.examples.push_back(VirtAddr{va});
    } else {
        auto loaded = build_demo_state(*s.machine_, 0);
        if (!loaded) return fail(loaded.error());
        s.state_ = std::move(*loaded);
    }
    if (s.addresses_.empty()) s.addresses_ = s.state_.examples;
    if (s.addresses_.empty()) return fail("no addresses to explain: give one or more ADDR arguments");
    return s;
}

TranslationTrace ExplainSession::translate(VirtAddr va, AccessKind access, Privilege priv) {
    TranslationTrace t;
    machine_->mmu(0).translate_traced(va, access, priv, t);
    return t;
}

std::string ExplainSession::run_text() {
    std::string out;
    const Machine& m = *machine_;
    out += fmt::format("Machine: {} — {}\n", m.config().name, m.config().description);
    if (state_origin_.empty()) {
        out += "No --state given: a demo address space (CPU 0, ASID 1):\n";
        out += demo_mappings_text(state_, m);
    } else {
        out += fmt::format("State: {} (page-table root {})\n", state_origin_,
                           hex(state_.page_table->root().value, explain_detail::pa_digits(m)));
    }
    for (VirtAddr va : addresses_) {
        out += "\n";
        out += explain_text(translate(va, access_, priv_), m, style_);
    }
    out += "\n" + mmu_stats_text(machine_->mmu(0).stats());
    return out;
}

nlohmann::json ExplainSession::run_json() {
    nlohmann::json j;
    const Machine& m = *machine_;
    j["machine"] = m.config().name;
    j["state"] = state_origin_.empty() ? nlohmann::json("demo") : nlohmann::json(state_origin_);
    j["root"] = hex(state_.page_table->root().value);
    nlohmann::json tr = nlohmann::json::array();
    for (VirtAddr va : addresses_) tr.push_back(explain_json(translate(va, access_, priv_), m));
    j["translations"] = tr;
    j["stats"] = mmu_stats_json(machine_->mmu(0).stats());
    return j;
}

std::string demo_mappings_text(const LoadedState& s, const Machine& m) {
    std::string out;
    const unsigned vd = explain_detail::va_digits(m, VirtAddr{0});
    const unsigned pd = explain_detail::pa_digits(m);
    for (const auto& mp : s.mappings) {
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
    nlohmann::json j = {{"translations", s.translations}, {"tlb_hits", s.tlb_hits},
                        {"walks", s.walks},               {"walk_memory_refs", s.walk_memory_refs},
                        {"pwc_hits", s.pwc_hits},         {"pwc_misses", s.pwc_misses},
                        {"faults", s.faults},             {"ad_updates", s.ad_updates},
                        {"cycles", s.cycles},             {"average_cycles", s.average_cycles()}};
    nlohmann::json tlbs = nlohmann::json::array();
    for (const auto& t : s.tlbs)
        tlbs.push_back({{"name", t.name}, {"lookups", t.lookups}, {"hits", t.hits}, {"misses", t.misses},
                        {"fills", t.fills}, {"evictions", t.evictions}});
    j["tlbs"] = tlbs;
    return j;
}

}  // namespace vmlab
