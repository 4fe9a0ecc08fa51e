#include "vmlab/sim/explain_session.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "vmlab/compat/ostep.hpp"
#include "vmlab/core/strings.hpp"

namespace vmlab {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<ExplainSession> ExplainSession::open(const ExplainRequest& req) {
    ExplainSession s;
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

std::vector<TranslationTrace> ExplainSession::run() {
    std::vector<TranslationTrace> out;
    out.reserve(addresses_.size());
    for (VirtAddr va : addresses_) out.push_back(translate(va, access_, priv_));
    return out;
}

}  // namespace vmlab
