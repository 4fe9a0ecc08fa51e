// vmlab: the command-line shell over the library. Each subcommand is a cmd_*.cpp file.
#include <algorithm>
#include <cstdio>
#include <map>

#include <fmt/core.h>

#include "command.hpp"

namespace vmlab::cli {

std::vector<CommandSpec>& commands() {
    static std::vector<CommandSpec> list;
    return list;
}

bool add_command(CommandSpec spec) {
    commands().push_back(std::move(spec));
    return true;
}

static std::vector<std::string> g_raw_args;  // set once in main before any command runs
const std::vector<std::string>& raw_arguments() { return g_raw_args; }

int report_error(const Error& e) {
    fmt::print(stderr, "vmlab: {}\n", e.str());
    return 2;
}

}  // namespace vmlab::cli

int main(int argc, char** argv) {
    using namespace vmlab::cli;
    auto& cmds = commands();
    std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return a.name < b.name; });

    // Commands that parse their own arguments (drop-in compatibility with other tools'
    // syntax) receive everything after their name untouched.
    if (argc >= 2) {
        for (const auto& c : cmds) {
            if (c.raw_args && c.name == argv[1]) {
                g_raw_args.assign(argv + 2, argv + argc);
                CLI::App dummy;
                return c.setup(dummy)();
            }
        }
    }

    CLI::App app{"vmlab: a virtual-memory laboratory (MMU, TLBs, page tables, kernel VM, malloc)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "vmlab 0.1.0");
    std::map<CLI::App*, Runner> runners;
    for (const auto& c : cmds) {
        CLI::App* sub = app.add_subcommand(c.name, c.help);
        if (c.raw_args) {
            sub->allow_extras();
            runners[sub] = [] { return 0; };
            continue;
        }
        runners[sub] = c.setup(*sub);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    for (auto* sub : app.get_subcommands()) {
        auto it = runners.find(sub);
        if (it != runners.end()) return it->second();
    }
    return 2;
}
