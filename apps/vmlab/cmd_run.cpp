// `vmlab run FILE.lua [--preset P | --config F] [--set K=V]... [--seed N] [--json]`:
// runs a scenario script (docs/scenarios.md). Exit status 0, or 2 with "FILE:LINE:
// message" on stderr for a script error, a failed expectation or a bad option.
#include <iostream>

#include "command.hpp"
#include "config_options.hpp"
#include "vmlab/workload/scenario.hpp"

namespace vmlab::cli {
namespace {

struct RunOptions {
    std::string file;
    ConfigOptions config;
    ScenarioOptions scenario;
};

Runner setup(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    app.add_option("file", o->file, "the scenario script (.lua)")->required();
    add_config_options(app, o->config);
    app.add_option("--seed", o->scenario.seed, "seed of the simulation and of math.random")->capture_default_str();
    app.add_flag("--json", o->scenario.json, "print one JSON document (output lines, reports, figures)");
    app.add_option("--writable", o->scenario.writable_paths,
                   "host path (file or directory) that MAP_SHARED writes, pwrite and ftruncate may change (repeatable)");
    app.add_option("--max-instructions", o->scenario.max_instructions, "Lua instruction budget")->capture_default_str();
    app.add_option("--max-memory", o->scenario.max_memory, "Lua heap budget in bytes")->capture_default_str();
    app.add_option("--timeout", o->scenario.timeout_seconds, "wall-clock limit in seconds")->capture_default_str();
    return [o]() -> int {
        o->scenario.machine = o->config.request();
        auto r = run_scenario_file(o->file, o->scenario, std::cout);
        std::cout.flush();
        if (!r) return report_error(r.error());
        return 0;
    };
}

VMLAB_COMMAND("run", "run a scenario script (Lua): processes, system calls, accesses, /proc views", setup);

}  // namespace
}  // namespace vmlab::cli
