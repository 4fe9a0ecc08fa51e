// Scenarios: Lua 5.4 scripts that drive a Simulation through system calls and memory
// accesses, inspect its statistics and print its /proc and vmmap views
// (`vmlab run FILE.lua`; the API is documented in docs/scenarios.md).
//
// Scripts run in a sandbox: no io, os, package, require, debug or file loading; an
// instruction budget, a time limit and a Lua heap limit stop a runaway script with an
// error. The only host access is opening files through the kernel model (paths relative
// to the script's directory), and writing back only to the paths the caller lists.
//
// Errors (Lua syntax or runtime errors, invalid arguments to the API, unknown presets or
// configuration keys, failed expectations) come back as an Error located at the script's
// file and line. Invalid system-call arguments are not errors: the call returns
// nil, "EINVAL", 22 as Linux would return -1 with errno.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "vmlab/config/config.hpp"
#include "vmlab/core/result.hpp"

namespace vmlab {

struct ScenarioOptions {
    ConfigRequest machine;          // --preset / --config / --set: the machine before machine{}
    std::uint64_t seed = 1;         // the simulation's seed and math.random's
    bool json = false;              // one JSON document instead of text
    std::vector<std::string> writable_paths;  // host paths the page cache may write back to
    std::string base_dir;           // relative host paths resolve here ("" = the script's directory)
    std::uint64_t max_instructions = 1'000'000'000;
    std::uint64_t max_memory = 512ull << 20;  // Lua heap bytes
    double timeout_seconds = 120;
};

struct ScenarioOutcome {
    std::uint64_t expectations = 0;  // expect/expect_eq calls that held
};

// Runs the script file at `path`, writing its output to `out`.
Result<ScenarioOutcome> run_scenario_file(const std::string& path, const ScenarioOptions& opt, std::ostream& out);
// Runs script text; `name` is the file name used in messages.
Result<ScenarioOutcome> run_scenario(std::string_view text, const std::string& name, const ScenarioOptions& opt,
                                     std::ostream& out);

// The built-in tour (`vmlab tour`): the text of examples/tour.lua, compiled in.
std::string_view tour_scenario();

}  // namespace vmlab
