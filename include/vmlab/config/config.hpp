// The resolved configuration of a run and the only door to TOML files.
//
// Configs are typed structs with defaults and validate(). A preset is a TOML file in
// configs/presets/ (compiled into the binary, so vmlab runs from anywhere); a user config
// file may start from a preset (`preset = "aarch64-16k"`) and override any key. Unknown
// keys are errors that name the key, its file:line, and the nearest valid key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/os/kernel_config.hpp"

namespace vmlab {

struct Config {
    MachineConfig machine;
    KernelConfig kernel;  // [kernel]: the OS model's sysctls and rlimits
    Status validate() const;
};

// Names of the built-in presets, sorted.
std::vector<std::string> preset_names();
// The default machine ("x86_64").
const char* default_preset();
// The text of a built-in preset, for `vmlab config show-preset`.
Result<std::string> preset_text(std::string_view name);

Result<Config> load_preset(std::string_view name);
Result<Config> load_config_file(const std::string& path);
Result<Config> load_config_string(std::string_view toml_text, const std::string& origin);
// Applies "dotted.key=value" on top of a config (value in TOML syntax: 2, "lru", "2G", true).
Status apply_override(Config& cfg, std::string_view assignment);

// The resolved configuration as TOML that load_config_string accepts back.
std::string dump_toml(const Config& cfg);

// The one-line description of a built-in preset (its machine.description).
Result<std::string> preset_description(std::string_view name);

// What the command-line options --preset, --config and --set choose. At most one of
// `preset` and `file` is set; neither means the default preset. Overrides apply in order.
// The result is validated.
struct ConfigRequest {
    std::string preset;
    std::string file;
    std::vector<std::string> overrides;
};
Result<Config> resolve_config(const ConfigRequest& req);

// The reference of every key (Markdown), generated from the same schema that reads and
// dumps configs; docs/config.md is this text (a test keeps them equal).
std::string config_reference_markdown();

}  // namespace vmlab
