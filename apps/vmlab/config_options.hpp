// The machine-choosing options shared by the commands that build a machine
// (config dump, explain, tour): --preset P | --config F, and repeatable --set KEY=VALUE.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "vmlab/config/config.hpp"

namespace vmlab::cli {

struct ConfigOptions {
    std::string preset;
    std::string file;
    std::vector<std::string> overrides;
    ConfigRequest request() const { return ConfigRequest{preset, file, overrides}; }
};

inline void add_config_options(CLI::App& app, ConfigOptions& o) {
    auto* p = app.add_option("--preset", o.preset, "built-in machine preset (`vmlab config presets`); default x86_64");
    auto* c = app.add_option("--config", o.file, "TOML configuration file");
    p->excludes(c);
    app.add_option("--set", o.overrides, "override one key, e.g. --set machine.memory.bytes=2G (repeatable)")
        ->allow_extra_args(false);
}

}  // namespace vmlab::cli
