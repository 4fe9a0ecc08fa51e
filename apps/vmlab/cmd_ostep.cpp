// `vmlab ostep SIMULATOR [OPTIONS]`: OSTEP's virtual-memory homework simulators, taking the
// Python tools' own options and printing exactly what they print (see docs/ostep.md).
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "vmlab/compat/ostep.hpp"

namespace vmlab::cli {
namespace {

std::string usage() {
    std::string s =
        "Usage: vmlab ostep SIMULATOR [OPTIONS]\n"
        "\n"
        "Runs one of OSTEP's virtual-memory homework simulators with the Python tool's own\n"
        "options (try SIMULATOR -h) and prints exactly what the Python tool prints.\n"
        "\n"
        "Simulators:\n";
    for (const auto& e : compat::ostep_simulators().entries()) {
        std::string names;
        for (const auto& a : e.make.aliases) names += (names.empty() ? "" : ", ") + a;
        s += fmt::format("  {:<29} {}\n", e.name, e.description);
        if (!names.empty()) s += fmt::format("  {:<29} (also: {}, {})\n", "", e.make.script, names);
    }
    s += "\nSee docs/ostep.md for vmlab's long aliases (--seed, --vas, --page-table, --from-dump, ...).\n";
    return s;
}

Runner setup(CLI::App&) {
    return []() -> int {
        const auto& args = raw_arguments();
        if (args.empty()) {
            std::fputs(usage().c_str(), stderr);
            return 2;
        }
        if (args[0] == "-h" || args[0] == "--help") {
            std::fputs(usage().c_str(), stdout);
            return 0;
        }
        std::string out;
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        const auto r = compat::run_ostep(args[0], rest, out);
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fflush(stdout);
        if (!r) return report_error(r.error());
        return *r;
    };
}

VMLAB_RAW_COMMAND("ostep", "OSTEP's virtual-memory simulators, output for output (relocation, malloc, ...)", setup);

}  // namespace
}  // namespace vmlab::cli
