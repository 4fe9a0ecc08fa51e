// `vmlab tour [--preset P | --config F] [--set K=V]... [--json]`: the built-in tour
// scenario (examples/tour.lua): demand paging and the zero page, fork and copy-on-write,
// a file mapping, a caught segmentation fault, and the /proc and vmmap views.
#include <iostream>

#include "command.hpp"
#include "config_options.hpp"
#include "vmlab/workload/scenario.hpp"

namespace vmlab::cli {
namespace {

struct TourOptions {
    ConfigOptions config;
    ScenarioOptions scenario;
};

Runner setup(CLI::App& app) {
    auto o = std::make_shared<TourOptions>();
    add_config_options(app, o->config);
    app.add_option("--seed", o->scenario.seed, "seed of the simulation")->capture_default_str();
    app.add_flag("--json", o->scenario.json, "print one JSON document instead of text");
    return [o]() -> int {
        o->scenario.machine = o->config.request();
        auto r = run_scenario(tour_scenario(), "tour.lua", o->scenario, std::cout);
        std::cout.flush();
        if (!r) return report_error(r.error());
        return 0;
    };
}

VMLAB_COMMAND("tour", "a guided tour: demand paging, fork and COW, a file mapping, a segfault, /proc views", setup);

}  // namespace
}  // namespace vmlab::cli
