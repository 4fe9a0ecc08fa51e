// Subcommands of the vmlab CLI. Each lives in its own cmd_*.cpp file and registers itself:
//
//     static Runner setup(CLI::App& sub) { auto opt = std::make_shared<Opts>(); ...; return [opt] { ... }; }
//     VMLAB_COMMAND("explain", "explain translations step by step", setup);
//
// A runner returns the process exit status: 0 success, 2 bad input (after printing the
// error with report_error), 1 where a command defines it (e.g. OSTEP's own rc=1 errors).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "vmlab/core/result.hpp"

namespace vmlab::cli {

using Runner = std::function<int()>;
using Setup = std::function<Runner(CLI::App&)>;

struct CommandSpec {
    std::string name;
    std::string help;
    Setup setup;
    bool raw_args = false;  // the command parses its own arguments (OSTEP compatibility)
};

std::vector<CommandSpec>& commands();
bool add_command(CommandSpec spec);

// For raw_args commands: the arguments after the subcommand name, verbatim.
const std::vector<std::string>& raw_arguments();

// Prints "vmlab: <where>: <message>" to stderr and returns 2.
int report_error(const Error& e);

#define VMLAB_CMD_CONCAT2(a, b) a##b
#define VMLAB_CMD_CONCAT(a, b) VMLAB_CMD_CONCAT2(a, b)
#define VMLAB_COMMAND(name, help, setup_fn) \
    static const bool VMLAB_CMD_CONCAT(vmlab_cmd_, __COUNTER__) [[maybe_unused]] = \
        ::vmlab::cli::add_command(::vmlab::cli::CommandSpec{name, help, setup_fn, false})
#define VMLAB_RAW_COMMAND(name, help, setup_fn) \
    static const bool VMLAB_CMD_CONCAT(vmlab_cmd_, __COUNTER__) [[maybe_unused]] = \
        ::vmlab::cli::add_command(::vmlab::cli::CommandSpec{name, help, setup_fn, true})

}  // namespace vmlab::cli
