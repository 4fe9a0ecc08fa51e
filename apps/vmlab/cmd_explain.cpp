// `vmlab explain [--preset P | --config F] [--set K=V]... [--state FILE] [--json]
//                [--write | --exec] [--kernel] [ADDR...]
//       vmlab explain --tour [--preset P | --config F] [--set K=V]...`
// Translates each ADDR in turn on CPU 0 of the machine (a later access can hit the TLB
// entries an earlier one filled) and explains every step. Without --state, a small demo
// address space is built; without ADDRs, the demo's (or the state's) example addresses
// are explained.
#include <fmt/format.h>

#include "command.hpp"
#include "config_options.hpp"
#include "vmlab/report/explain.hpp"
#include "vmlab/sim/explain_session.hpp"

namespace vmlab::cli {
namespace {

std::vector<ExplainMapping> mappings_of(const LoadedState& s) {
    std::vector<ExplainMapping> out;
    for (const auto& m : s.mappings) out.push_back({m.va, m.pa, m.size, m.prot, m.what});
    return out;
}

struct Opts {
    ConfigOptions config;
    ExplainRequest req;
    bool json = false;
    bool tour = false;
};

Runner setup(CLI::App& app) {
    auto o = std::make_shared<Opts>();
    add_config_options(app, o->config);
    app.add_option("--state", o->req.state_file,
                   "machine state: a TOML state file (docs/explain.md), or an OSTEP memory dump with "
                   "--preset ostep-multilevel");
    app.add_option("--pdbr", o->req.pdbr, "page-directory base register (page number) for an OSTEP dump");
    app.add_flag("--json", o->json, "JSON output for programs");
    auto* w = app.add_flag("--write", o->req.write, "the accesses are writes (default: reads)");
    auto* x = app.add_flag("--exec", o->req.exec, "the accesses are instruction fetches");
    w->excludes(x);
    app.add_flag("--kernel", o->req.kernel, "the accesses are made in kernel mode (default: user)");
    app.add_option("addr", o->req.addresses, "virtual addresses (0x hex, decimal, 0b binary)");
    app.add_flag("--tour", o->tour,
                 "a guided tour: cold walk, TLB hit, page-walk cache, huge page, protection fault, "
                 "non-canonical address");
    return [o]() -> int {
        o->req.config = o->config.request();
        if (o->tour) {
            if (!o->req.addresses.empty() || !o->req.state_file.empty() || o->json)
                return report_error(Error("--tour takes no ADDR, --state or --json"));
            auto tour = run_translation_tour(o->req.config);
            if (!tour) return report_error(tour.error());
            std::vector<TourLesson> lessons;
            for (auto& s : tour->steps) lessons.push_back({s.title, s.lesson, std::move(s.trace)});
            ExplainSession& session = tour->session;
            fmt::print("{}", translation_tour_text(session.machine(), mappings_of(session.state()), lessons,
                                                   session.mmu_stats()));
            return 0;
        }
        auto session = ExplainSession::open(o->req);
        if (!session) return report_error(session.error());
        ExplainRun run;
        run.translations = session->run();
        run.state_origin = session->state_origin();
        run.root = session->state().page_table->root();
        run.mappings = mappings_of(session->state());
        run.stats = session->mmu_stats();
        if (o->json) {
            fmt::print("{}\n", explain_run_json(run, session->machine()).dump(2));
        } else {
            fmt::print("{}", explain_run_text(run, session->machine()));
        }
        return 0;
    };
}

VMLAB_COMMAND("explain", "explain address translations step by step (TLBs, page walk, faults)", setup);

}  // namespace
}  // namespace vmlab::cli
