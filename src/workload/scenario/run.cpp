// run_scenario: the sandbox, the API, the script, and what is printed at the end.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vmlab/report/proc.hpp"
#include "workload/scenario/context.hpp"

namespace vmlab {

using namespace vmlab::scenario;

namespace scenario {

Context& context(lua_State* L) { return *static_cast<Context*>(sandbox_of(L).user); }

Simulation& Context::simulation() {
    if (!sim) {
        KernelConfig k = config.kernel;
        k.writable_paths = opt.writable_paths;
        auto s = Simulation::create(config.machine, k, opt.seed);
        if (!s) script_error("cannot build the machine: {}", s.error().str());
        sim = std::move(*s);
    }
    return *sim;
}

void Context::print(std::string_view text) {
    if (opt.json)
        json_output.push_back(std::string(text));
    else
        *out << text << '\n';
}

std::string Context::host_path(const std::string& p) const {
    if (p.empty() || p.front() == '/' || base_dir.empty()) return p;
    return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

}  // namespace scenario

Result<ScenarioOutcome> run_scenario(std::string_view text, const std::string& name, const ScenarioOptions& opt,
                                     std::ostream& out) {
    auto cfg = resolve_config(opt.machine);
    if (!cfg) return fail(cfg.error());
    Context ctx;
    ctx.opt = opt;
    ctx.path = name;
    ctx.base_dir = opt.base_dir;
    ctx.out = &out;
    ctx.config = std::move(*cfg);

    Sandbox box(SandboxLimits{opt.max_instructions, opt.max_memory, opt.timeout_seconds}, opt.seed);
    box.user = &ctx;
    lua_State* L = box.state();
    open_machine_api(L);
    open_task_api(L);
    open_stats_api(L);

    Status st = box.run(text, name);
    if (!st) {
        // A failed expectation already counted keeps its own message and line.
        return fail(st.error());
    }
    if (ctx.failed_expectations > 0)
        return fail(fmt::format("{} expectation(s) failed (caught by pcall)", ctx.failed_expectations), Location{name});
    if (opt.json) {
        nlohmann::json doc;
        doc["scenario"] = name;
        doc["seed"] = opt.seed;
        doc["machine"] = ctx.config.machine.name;
        doc["output"] = ctx.json_output;
        doc["reports"] = ctx.json_reports;
        doc["expectations"] = ctx.expectations;
        if (ctx.sim) {
            auto procs = nlohmann::json::array();
            Kernel& k = ctx.sim->kernel();
            for (Pid pid : k.pids()) {
                auto mem = k.memory(pid);
                auto info = k.process(pid);
                if (!mem) continue;
                report::ProcessView v{&*mem, info ? &*info : nullptr, nullptr, {}};
                procs.push_back(report::summary_json(report::summarize(v)));
            }
            doc["processes"] = procs;
            doc["faults"] = report::faults_json(k.stats().faults);
        }
        out << doc.dump(2) << '\n';
    }
    return ScenarioOutcome{ctx.expectations};
}

Result<ScenarioOutcome> run_scenario_file(const std::string& path, const ScenarioOptions& opt, std::ostream& out) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return fail("is a directory, not a scenario script", Location{path});
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot open the scenario script", Location{path});
    std::ostringstream ss;
    ss << in.rdbuf();
    ScenarioOptions o = opt;
    if (o.base_dir.empty()) {
        auto dir = std::filesystem::path(path).parent_path();
        o.base_dir = dir.empty() ? "." : dir.string();
    }
    return run_scenario(ss.str(), path, o, out);
}

}  // namespace vmlab
